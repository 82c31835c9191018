"""The fonts the report sets its text in, per script, and the check that they cover the text.

Charts (matplotlib), the HTML page and the PDF (WeasyPrint) draw every character with the first
font of ``REPORT_FONTS`` that has it: DejaVu Sans for Latin, Greek and Cyrillic (the system's
copy for the page and the PDF, matplotlib's own copy for the charts), then NanumGothic for
Hangul (and the common Hanja). NanumGothic is no system font here: the PyPI package
koreanize-matplotlib, pinned in requirements.lock, ships it as a file (SIL Open Font License),
and Debian's fonts-nanum installs the same file. The package is never imported (its import
changes matplotlib's settings for everyone); its folder is found without running it.

A character no font covers would print as a box (the PDF, the charts) or in whatever font the
reader's machine has (the HTML), so the build stops on it instead: ``MissingFontError`` names
the script, the characters, where they occur and what to install.

Readers of the HTML may have no Hangul font at all, so the page carries its own: a subset of
NanumGothic holding only the characters the page sets in it, as a WOFF2 ``data:`` URI in an
``@font-face`` rule (a quote costs a few kB, not the 4.7 MB font). A page without such
characters embeds nothing. WeasyPrint reads the same rule when it prints the PDF.
"""

from __future__ import annotations

import base64
import bisect
import functools
import html.parser
import importlib.util
import io
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from troopclaims.errors import TroopclaimsError

PACKAGE_PREFIX = "package:"


@dataclass(frozen=True)
class ReportFont:
    """One font of the report: its family name, the scripts it is there for, where to find it.

    ``files`` are tried in order; ``package:name/inner/path`` is a file inside an installed
    Python package (found without importing it). ``install`` says how to get the font when no
    file exists; ``embed`` says whether the HTML carries a subset (readers may not have it).
    """

    family: str
    scripts: tuple[str, ...]
    files: tuple[str, ...]
    install: str
    embed: bool = False

    @property
    def css_family(self) -> str:
        """The family name of the embedded subset (never shadows a font the reader has)."""
        return f"{self.family} subset" if self.embed else self.family

    def path(self) -> Path | None:
        """The first of ``files`` that exists, or None when the font is not installed."""
        for spec in self.files:
            found = _resolve(spec)
            if found is not None and found.is_file():
                return found
        return None


def _resolve(spec: str) -> Path | None:
    """A path from ``files``: absolute, or ``package:pkg/inner/path`` inside a package."""
    if not spec.startswith(PACKAGE_PREFIX):
        return Path(spec)
    package, _, inner = spec.removeprefix(PACKAGE_PREFIX).partition("/")
    try:
        found = importlib.util.find_spec(package)  # locates the package without running it
    except (ImportError, ValueError):
        return None
    if found is None or not found.submodule_search_locations:
        return None
    return Path(next(iter(found.submodule_search_locations))) / inner


NANUM_INSTALL = "koreanize-matplotlib (PyPI, in requirements.lock) or Debian's fonts-nanum"
DEJAVU_INSTALL = "Debian's fonts-dejavu-core"

DEJAVU_SANS = ReportFont(
    family="DejaVu Sans",
    scripts=("Latin", "Greek", "Cyrillic"),
    files=(
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",  # Debian, Ubuntu
        "/usr/share/fonts/TTF/DejaVuSans.ttf",  # Arch
        "/usr/share/fonts/dejavu-sans-fonts/DejaVuSans.ttf",  # Fedora
    ),
    install=DEJAVU_INSTALL,
)
NANUM_GOTHIC = ReportFont(
    family="NanumGothic",
    scripts=("Hangul", "Han"),
    files=(
        f"{PACKAGE_PREFIX}koreanize_matplotlib/fonts/NanumGothic.ttf",
        "/usr/share/fonts/truetype/nanum/NanumGothic.ttf",  # Debian's fonts-nanum
    ),
    install=NANUM_INSTALL,
    embed=True,
)
# First font first: a character is drawn with the first font that has it.
REPORT_FONTS: tuple[ReportFont, ...] = (DEJAVU_SANS, NANUM_GOTHIC)


class MissingFontError(TroopclaimsError):
    """Text needs a character no font of the report covers; one line per script says which."""


# --- Scripts ---------------------------------------------------------------------------------

# Letters of the scripts the contract's languages (fr, en, de, ru, uk, ko) write in, and their
# neighbours; any other letter is named by its Unicode name ('ARABIC LETTER ALEF': Arabic).
_SCRIPT_RANGES: tuple[tuple[int, int, str], ...] = tuple(
    sorted(
        [
            (0x0041, 0x005A, "Latin"),
            (0x0061, 0x007A, "Latin"),
            (0x00AA, 0x00AA, "Latin"),
            (0x00BA, 0x00BA, "Latin"),
            (0x00C0, 0x00D6, "Latin"),
            (0x00D8, 0x00F6, "Latin"),
            (0x00F8, 0x02AF, "Latin"),
            (0x1E00, 0x1EFF, "Latin"),
            (0x2C60, 0x2C7F, "Latin"),
            (0xA720, 0xA7FF, "Latin"),
            (0x0370, 0x03FF, "Greek"),
            (0x1F00, 0x1FFF, "Greek"),
            (0x0400, 0x052F, "Cyrillic"),
            (0x1C80, 0x1C8F, "Cyrillic"),
            (0x2DE0, 0x2DFF, "Cyrillic"),
            (0xA640, 0xA69F, "Cyrillic"),
            (0x1100, 0x11FF, "Hangul"),  # Jamo
            (0x3130, 0x318F, "Hangul"),  # compatibility Jamo
            (0xA960, 0xA97F, "Hangul"),  # Jamo extended-A
            (0xAC00, 0xD7FF, "Hangul"),  # syllables, Jamo extended-B
            (0xFFA0, 0xFFDC, "Hangul"),  # half-width
            (0x2E80, 0x2FDF, "Han"),  # radicals
            (0x3400, 0x4DBF, "Han"),
            (0x4E00, 0x9FFF, "Han"),
            (0xF900, 0xFAFF, "Han"),  # compatibility ideographs
            (0x20000, 0x323AF, "Han"),
        ]
    )
)
_STARTS = [start for start, _end, _script in _SCRIPT_RANGES]
COMMON = "Common"  # digits, punctuation, symbols: shared by every script


def script_of(char: str) -> str:
    """The script a character is written in: 'Latin', 'Cyrillic', 'Hangul', ... or 'Common'."""
    code = ord(char)
    i = bisect.bisect_right(_STARTS, code) - 1
    if i >= 0 and code <= _SCRIPT_RANGES[i][1]:
        return _SCRIPT_RANGES[i][2]
    if not unicodedata.category(char).startswith(("L", "M")):
        return COMMON
    word = unicodedata.name(char, "").split(" ")[0]
    return word.title() if word else f"U+{code:04X}"


def drawn(char: str) -> bool:
    """Whether a character draws a glyph (not a space, a control or an invisible format mark)."""
    return not unicodedata.category(char).startswith(("Z", "C"))


def scripts_in(text: str) -> dict[str, str]:
    """The scripts a text's letters are written in, each with its distinct letters in order."""
    found: dict[str, str] = {}
    for char in dict.fromkeys(text):
        script = script_of(char)
        if script != COMMON and drawn(char):
            found[script] = found.get(script, "") + char
    return found


# --- Coverage --------------------------------------------------------------------------------


@functools.cache
def codepoints(path: Path) -> frozenset[int]:
    """The characters a font file has glyphs for (its best Unicode cmap)."""
    from fontTools.ttLib import TTFont

    with TTFont(path, lazy=True, fontNumber=0) as font:
        return frozenset(font.getBestCmap())


def available(fonts: Sequence[ReportFont] | None = None) -> list[tuple[ReportFont, Path]]:
    """The report's fonts that are installed, first font first, with their files."""
    chosen = REPORT_FONTS if fonts is None else fonts
    return [(font, path) for font in chosen if (path := font.path()) is not None]


def assign(
    text: str, fonts: Sequence[tuple[ReportFont, Path]] | None = None, where: str = "the report"
) -> dict[ReportFont, str]:
    """Which font draws which of the text's characters: the first font that has it.

    ``fonts`` are (font, file) pairs, by default the installed report fonts. A character none
    of them has raises ``MissingFontError`` naming the script, the characters, an excerpt
    showing where they occur, and what to install; ``where`` says what the text is.
    """
    fonts = available() if fonts is None else list(fonts)
    chars = [c for c in dict.fromkeys(text) if drawn(c)]
    chosen: dict[ReportFont, str] = {}
    missing: list[str] = []
    for char in chars:
        font = next((f for f, path in fonts if ord(char) in codepoints(path)), None)
        if font is None:
            missing.append(char)
        else:
            chosen[font] = chosen.get(font, "") + char
    if missing:
        raise MissingFontError(missing_message(missing, text, [f for f, _ in fonts], where))
    return chosen


def missing_message(
    missing: Iterable[str], text: str, installed: Sequence[ReportFont], where: str
) -> str:
    """One line per script: what is missing, where it occurs, and what to install."""
    by_script: dict[str, list[str]] = {}
    for char in dict.fromkeys(missing):
        by_script.setdefault(script_of(char), []).append(char)
    lines = []
    for script, chars in by_script.items():
        meant = [f for f in REPORT_FONTS if script in f.scripts]
        if script == COMMON:
            fix = (
                f"none of the report's fonts ({', '.join(f.family for f in installed)}) has "
                "them: replace them, or add a font to troopclaims.report.fonts.REPORT_FONTS"
            )
        elif not meant:
            fix = (
                f"the report has no font for {script} (its fonts serve "
                f"{', '.join(s for f in REPORT_FONTS for s in f.scripts)}): add one to "
                "troopclaims.report.fonts.REPORT_FONTS"
            )
        elif any(f in installed for f in meant):
            names = " and ".join(f.family for f in meant)
            fix = f"{names} lacks them: the report needs a font that has them"
        else:
            fix = f"install {' or '.join(f.install for f in meant)}"
        what = "symbols" if script == COMMON else f"{script} text"
        lines.append(
            f"no font for the {what} in {where}: {_shown(chars)}, "
            f"e.g. {_excerpt(text, chars[0])}; {fix}"
        )
    return "\n".join(lines)


def _shown(chars: Sequence[str], limit: int = 6) -> str:
    """'북 (U+BD81), 한 (U+D55C) and 3 more'."""
    shown = ", ".join(f"{c} (U+{ord(c):04X})" for c in chars[:limit])
    return shown + (f" and {len(chars) - limit} more" if len(chars) > limit else "")


def _excerpt(text: str, char: str, width: int = 24) -> str:
    """The text around the first ``char``, on one line, quoted."""
    at = text.find(char)
    if at < 0:
        return repr(char)
    piece = " ".join(text[max(0, at - width) : at + width].split())
    return f"“{'…' if at > width else ''}{piece}{'…' if at + width < len(text) else ''}”"


# --- HTML: the characters a reader sees, and the embedded subsets ----------------------------


class _TextParser(html.parser.HTMLParser):
    """Collects the text content of a page, skipping style sheets and scripts."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in ("style", "script"):
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "script") and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def page_text(page: str) -> str:
    """The text an HTML page shows (text content, character references resolved)."""
    parser = _TextParser()
    parser.feed(page)
    parser.close()
    return "".join(parser.parts)


def subset_woff2(path: Path, chars: str) -> bytes:
    """A WOFF2 font holding only ``chars`` from the font at ``path``; the same bytes each time.

    Hinting is dropped (screens and PDF viewers do not need it for a few glyphs); the
    copyright, names and licence records are kept with the glyphs.
    """
    from fontTools import subset

    options = subset.Options()
    options.flavor = "woff2"
    options.hinting = False
    options.layout_features = ["*"]  # Hangul Jamo composition and the like
    options.name_IDs = [0, 1, 2, 3, 4, 5, 6, 13, 14]  # + licence description and URL
    options.notdef_outline = True
    options.drop_tables += ["TSI0", "TSI1", "TSI2", "TSI3", "TSI5"]  # hinting sources (VTT)
    font = subset.load_font(str(path), options)
    try:
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=sorted({ord(c) for c in chars}))
        subsetter.subset(font)
        out = io.BytesIO()
        subset.save_font(font, out, options)
    finally:
        font.close()
    return out.getvalue()


def unicode_range(chars: str) -> str:
    """A CSS ``unicode-range`` value for the characters, consecutive ones joined: U+AC00-AC02."""
    codes = sorted({ord(c) for c in chars})
    spans: list[list[int]] = []
    for code in codes:
        if spans and code == spans[-1][1] + 1:
            spans[-1][1] = code
        else:
            spans.append([code, code])
    return ", ".join(f"U+{a:X}" if a == b else f"U+{a:X}-{b:X}" for a, b in spans)


def font_face_css(text: str, fonts: Sequence[tuple[ReportFont, Path]] | None = None) -> str:
    """``@font-face`` rules embedding, per embedded font, a subset with the characters it draws.

    Empty when the text needs no embedded font (no Hangul: nothing is added to the page).
    Raises ``MissingFontError`` when a character has no font at all.

    The subset also holds the text's spaces: Pango (WeasyPrint) sets a space in the font of
    the word before it, assuming every font has one, so a subset without it would print the
    space between two Hangul words as a box. A last rule works around Chromium, which lays
    out the first text needing an inline font before decoding it and never lays it out again
    (that text shows as boxes): an invisible character in each embedded font, first on the
    page, takes that place.
    """
    fonts = available() if fonts is None else list(fonts)
    files = dict(fonts)
    spaces = "".join(c for c in dict.fromkeys(text) if unicodedata.category(c) == "Zs")
    rules, families, firsts = [], [], ""
    for font, own in assign(text, fonts).items():
        if not font.embed:
            continue
        has = codepoints(files[font])
        chars = own + "".join(c for c in spaces if ord(c) in has)
        data = base64.b64encode(subset_woff2(files[font], chars)).decode("ascii")
        rules.append(
            "@font-face {\n"
            f'  font-family: "{font.css_family}";\n'
            f'  src: url("data:font/woff2;base64,{data}") format("woff2");\n'
            f"  unicode-range: {unicode_range(chars)};\n"
            "}\n"
        )
        families.append(f'"{font.css_family}"')
        firsts += f"\\{ord(own[0]):X} "
    if not rules:
        return ""
    rules.append(
        "/* Loads the fonts above before any text needs them (Chromium; see fonts.py). */\n"
        f'body::before {{ content: "{firsts.rstrip()}"; font-family: {", ".join(families)};\n'
        "  position: absolute; visibility: hidden; }\n"
    )
    return "".join(rules)


# --- Charts ----------------------------------------------------------------------------------

_GLYPH_WARNING = re.compile(r"Glyph (\d+) \(.*\) missing from font\(s\)")


@functools.cache
def chart_families() -> tuple[str, ...]:
    """The font families charts use, first first, each registered with matplotlib once.

    DejaVu Sans is matplotlib's own copy; the other report fonts are added from their files
    when installed (a family matplotlib cannot find would only log a warning per chart).
    """
    from matplotlib import font_manager

    families = [DEJAVU_SANS.family]
    for font, path in available():
        if font is DEJAVU_SANS:
            continue
        font_manager.fontManager.addfont(str(path))
        families.append(font.family)
    return tuple(families)


def chart_font_files(families: Sequence[str]) -> list[tuple[ReportFont, Path]]:
    """The files matplotlib draws the report fonts with, for the families given."""
    from matplotlib import font_manager

    found = []
    for font in REPORT_FONTS:
        if font.family in families:
            prop = font_manager.FontProperties(family=[font.family])
            path = font_manager.findfont(prop, fallback_to_default=False)
            found.append((font, Path(path)))
    return found


def glyph_of_warning(message: str) -> str | None:
    """The character in matplotlib's 'Glyph 44032 (...) missing from font(s)' warning."""
    match = _GLYPH_WARNING.search(message)
    return chr(int(match.group(1))) if match else None
