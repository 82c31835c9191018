"""Every contract language has a font, and a missing one is an error naming what to install."""

from __future__ import annotations

import base64
import io
import re
import sys
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont

from troopclaims import contract
from troopclaims.report import fonts

# A line in each language the contract accepts (a new language needs a line here).
SAMPLES = {
    "fr": ("Les États-Unis ont exprimé leur inquiétude « la semaine dernière ».", {"Latin"}),
    "en": ("Seoul said 1,500 troops had already arrived — by ship.", {"Latin"}),
    "de": ("Südkorea äußerte sich „besorgt“ über die Truppen.", {"Latin"}),
    "ru": ("В Кремле заявили, что «сообщения — это ложь».", {"Cyrillic"}),
    "uk": ("Україна: їхні війська, ґанок, є.", {"Cyrillic"}),
    "ko": ("국가정보원은 북한군 약 3,000명이 이미 러시아에 있다고 밝혔다.", {"Hangul"}),
}
HANGUL_QUOTE = "북한군 약 3,000명이 이미 러시아에 있다"
NO_NANUM = fonts.ReportFont(
    family="NanumGothic",
    scripts=("Hangul", "Han"),
    files=("/nonexistent/fonts/NanumGothic.ttf", "package:no_such_package_here/NanumGothic.ttf"),
    install=fonts.NANUM_INSTALL,
    embed=True,
)


def test_every_contract_language_has_a_sample() -> None:
    assert set(SAMPLES) == set(contract.LANGUAGES)


@pytest.mark.parametrize("language", sorted(SAMPLES))
def test_each_language_is_written_in_its_script_and_the_installed_fonts_cover_it(
    language: str,
) -> None:
    text, scripts = SAMPLES[language]
    assert set(fonts.scripts_in(text)) == scripts
    chosen = fonts.assign(text)  # raises MissingFontError if any character lacks a font
    expected = fonts.NANUM_GOTHIC if scripts == {"Hangul"} else fonts.DEJAVU_SANS
    letters = "".join(fonts.scripts_in(text).values())
    assert set(letters) <= set(chosen[expected])


def test_scripts_of_characters() -> None:
    assert fonts.script_of("é") == "Latin"
    assert fonts.script_of("ї") == "Cyrillic"
    assert fonts.script_of("한") == "Hangul"
    assert fonts.script_of("ㄱ") == "Hangul"  # compatibility Jamo
    assert fonts.script_of("韓") == "Han"
    assert fonts.script_of("ب") == "Arabic"  # named from the Unicode name
    assert fonts.script_of("ก") == "Thai"
    for common in "3,«»—… ":
        assert fonts.script_of(common) == fonts.COMMON
    assert fonts.scripts_in("A900 « 북한 » Кремль") == {
        "Latin": "A",
        "Hangul": "북한",
        "Cyrillic": "Кремль",
    }


def test_nanum_gothic_comes_from_the_pinned_package_without_importing_it() -> None:
    path = fonts.NANUM_GOTHIC.path()
    assert path is not None and path.name == "NanumGothic.ttf"
    assert path.parent.parent.name == "koreanize_matplotlib"
    assert "koreanize_matplotlib" not in sys.modules  # its import changes matplotlib settings
    assert fonts.DEJAVU_SANS.path() is not None


def test_a_missing_hangul_font_is_an_error_naming_the_script_and_the_package() -> None:
    installed = fonts.available([fonts.DEJAVU_SANS, NO_NANUM])
    assert [font for font, _ in installed] == [fonts.DEJAVU_SANS]
    text = "Le Kremlin a démenti. " + HANGUL_QUOTE
    with pytest.raises(fonts.MissingFontError) as info:
        fonts.assign(text, installed)
    message = str(info.value)
    assert message.startswith("no font for the Hangul text in the report: 북 (U+BD81), 한 (U+D55C)")
    assert "install koreanize-matplotlib (PyPI, in requirements.lock)" in message
    assert "Debian's fonts-nanum" in message
    assert "e.g. “Le Kremlin a démenti. 북한군 약 3,000명이" in message  # where it occurs
    assert len(message.splitlines()) == 1
    fonts.assign("Le Kremlin a démenti, Кремль", installed)  # no Hangul: nothing missing


def test_one_line_per_script_that_lacks_a_font() -> None:
    with pytest.raises(fonts.MissingFontError) as info:
        fonts.assign("북한 ไทย", fonts.available([fonts.DEJAVU_SANS, NO_NANUM]), where="a quote")
    first, second = str(info.value).splitlines()
    assert first.startswith("no font for the Hangul text in a quote") and "fonts-nanum" in first
    assert second.startswith("no font for the Thai text in a quote: ไ (U+0E44), ท (U+0E17)")
    assert "the report has no font for Thai" in second


def test_a_character_the_installed_font_lacks_is_named() -> None:
    rare = "\U00020000"  # a CJK Extension B ideograph outside NanumGothic's Hanja
    with pytest.raises(fonts.MissingFontError, match="NanumGothic lacks them"):
        fonts.assign("北韓 " + rare)


def test_a_symbol_no_font_has_is_named_too() -> None:
    with pytest.raises(fonts.MissingFontError) as info:
        fonts.assign("« c'est faux 🤔 »")
    assert str(info.value).startswith("no font for the symbols in the report: 🤔 (U+1F914)")
    assert "none of the report's fonts (DejaVu Sans, NanumGothic) has them" in str(info.value)


def test_spaces_controls_and_invisible_marks_need_no_glyph() -> None:
    assert fonts.assign("\n\t\u00a0\u202f\u200b\u2060\ufeff") == {}


def _embedded(css: str) -> TTFont:
    data = re.search(r'url\("data:font/woff2;base64,([A-Za-z0-9+/=]+)"\)', css).group(1)
    return TTFont(io.BytesIO(base64.b64decode(data)))


def test_no_hangul_embeds_nothing() -> None:
    assert fonts.font_face_css("Les États-Unis, « Кремль », Україна — 3 000") == ""


def test_hangul_embeds_a_small_subset_with_just_its_characters() -> None:
    text = f"Le service a dit : « {HANGUL_QUOTE} » (Кремль)."
    css = fonts.font_face_css(text)
    assert css.count("@font-face") == 1
    assert 'font-family: "NanumGothic subset"' in css
    assert len(css) < 8_000  # the font file is 4.7 MB
    font = _embedded(css)
    hangul = {ord(c) for c in fonts.scripts_in(text)["Hangul"]}
    assert set(font.getBestCmap()) == hangul | {ord(" ")}  # spaces: Pango sets them in it
    glyphs = font["glyf"]
    assert all(glyphs[font.getBestCmap()[c]].numberOfContours > 0 for c in hangul)
    assert "unicode-range: U+20, U+AD70, U+B2E4, " in css
    assert 'body::before { content: "\\BD81";' in css  # loads it first (Chromium)
    assert fonts.font_face_css(text) == css  # byte-identical between builds


def test_font_face_css_with_a_missing_font_raises() -> None:
    with pytest.raises(fonts.MissingFontError, match="koreanize-matplotlib"):
        fonts.font_face_css(HANGUL_QUOTE, fonts.available([fonts.DEJAVU_SANS, NO_NANUM]))


def test_without_dejavu_the_hangul_font_draws_latin_too_and_is_embedded() -> None:
    """A system without DejaVu Sans still builds: NanumGothic has Latin, so the page carries it."""
    no_dejavu = fonts.ReportFont(
        "DejaVu Sans", ("Latin",), ("/nonexistent/DejaVuSans.ttf",), fonts.DEJAVU_INSTALL
    )
    installed = fonts.available([no_dejavu, fonts.NANUM_GOTHIC])
    assert set(_embedded(fonts.font_face_css("Kim 김", installed)).getBestCmap()) == {
        ord(c) for c in "Kim 김"
    }
    with pytest.raises(fonts.MissingFontError, match="install Debian's fonts-dejavu-core"):
        fonts.assign("Кремль", fonts.available([no_dejavu]))


def test_page_text_is_what_a_reader_sees() -> None:
    page = (
        "<html><head><style>body::before { content: 'x'; }</style><title>T</title></head>"
        "<body><p>&lt;b&gt; &amp; 북한</p><script>var 중 = 1;</script></body></html>"
    )
    assert fonts.page_text(page) == "T<b> & 북한"


def test_unicode_range_joins_neighbours() -> None:
    assert fonts.unicode_range("가각갂 김") == "U+20, U+AC00-AC02, U+AE40"


def test_the_stylesheet_names_every_embedded_font() -> None:
    css = (Path(fonts.__file__).parents[1] / "templates" / "report" / "report.css").read_text()
    for font in fonts.REPORT_FONTS:
        if font.embed:
            assert f'"{font.css_family}"' in css
