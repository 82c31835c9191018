"""Read the raw CSVs: first as exact strings (for validation), then as typed frames (for analysis).

Validation must see what the curator typed ("3.000", "21/10/2024"), so the first read keeps every
cell as a string and checks only the CSV's shape: encoding, delimiter, header, field counts.
Typing happens after validation, when every value is known to convert cleanly.

CSVs are read as a spreadsheet saved them (GUIDE.md, "A data drop"). A UTF-8 byte-order mark and
CRLF line endings are read silently. A delimiter other than the comma, a legacy Windows encoding
and classic-Mac CR line endings are read when only one reading fits, with a warning that says
what was detected. What cannot be told (UTF-16, mixed encodings, a line 1 that no delimiter
splits into the contract's columns) is a located error that says how to save the file from the
spreadsheet. The file itself is never changed: its bytes are the provenance, and how they were
read (``Dialect.describe``) is recorded beside the verdict; the same bytes always read the same.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from troopclaims import config, contract
from troopclaims.problems import DataError, Problem

MAX_FIELD_CHARS = 100_000
# Files up to this size go through Python's strict csv reader, which rejects every malformed
# quote; only larger ones take Arrow's faster, more lenient parser (guarded by _has_lone_quote).
CAREFUL_READ_MAX_BYTES = 20_000_000
_FATAL_HEADER_RULES = ("column name appears twice",)
UNKNOWN_COLUMN = "unknown column: not in the data contract (see data/README.md)"
MISSING_COLUMN = "required column is missing from the header"
LINE_COLUMN = "_line"  # CSV line number of each record, kept beside the data for messages

# ---------------------------------------------------------------------------------------------
# How the received bytes are read: byte-order mark, line endings, delimiter, encoding

UTF8_BOM = b"\xef\xbb\xbf"
_OTHER_BOMS = (  # UTF-32 first: its little-endian mark begins with UTF-16's
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe", "UTF-16"),
    (b"\xfe\xff", "UTF-16"),
)
DELIMITERS: dict[str, str] = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
# The encodings a file that is not UTF-8 may be in, by the language of the articles it concerns:
# the code page a Windows spreadsheet of that language saves its plain "CSV" in. Nothing else is
# ever guessed (a Russian file read as Windows-1252 would be mojibake, not an error).
LANGUAGE_ENCODINGS: dict[str, str] = {
    "fr": "cp1252",
    "en": "cp1252",
    "de": "cp1252",
    "ru": "cp1251",
    "uk": "cp1251",
    "ko": "cp949",
}
ENCODING_NAMES: dict[str, str] = {
    "utf-8": "UTF-8",
    "cp1252": "Windows-1252",
    "cp1251": "Windows-1251",
    "cp949": "CP949 (Korean Windows)",
}
SAVE_AS_UTF8 = (
    "save it as UTF-8 CSV: in Excel 'File > Save As', type 'CSV UTF-8 (Comma delimited) "
    "(*.csv)'; in LibreOffice Calc 'File > Save As', type 'Text CSV (.csv)', tick 'Edit filter "
    "settings', character set 'Unicode (UTF-8)', field delimiter ','; in Google Sheets 'File > "
    "Download > Comma-separated values (.csv)'"
)
_CHUNK_BYTES = 1 << 24  # legacy-encoding checks decode this much at a time (bounded memory)

_CYRILLIC = "\u0400-\u045f\u0490\u0491"
_LATIN_ACCENTED = "À-ÖØ-öø-ÿŒœŠšŽžŸ"
# Text a wrong legacy decoding produces, per encoding: (pattern, what it means). Each is one
# C-level regex scan; none is expected in real text of the languages the encoding stands for.
_IMPLAUSIBLE: dict[str, tuple[tuple[re.Pattern[str], str], ...]] = {
    "cp1252": (
        (
            re.compile(f"[{_LATIN_ACCENTED}]{{3,}}"),
            "three accented letters in a row, as when another script is misread",
        ),
        (re.compile(r"[^\x00-\x7f\s]{4,}"), "four non-ASCII signs in a row"),
    ),
    "cp1251": (
        (
            re.compile(f"[A-Za-z][{_CYRILLIC}]|[{_CYRILLIC}][A-Za-z]"),
            "Latin and Cyrillic letters inside one word, as when Latin accents are misread",
        ),
        (
            re.compile("[а-яёіїєґ][А-ЯЁІЇЄҐ]"),
            "a capital letter after a small one inside a word",
        ),
        (
            re.compile("[ЂЃѓЉЊЌЋЏђљњќћџЈјЅѕЎў†‡‰¤¦¬µ¶]"),
            "a letter or sign Russian and Ukrainian do not use",
        ),
    ),
}
_HANGUL = re.compile("[\uac00-\ud7a3\u3131-\u318e]+")
# The 2,350 syllables of KS X 1001 are what Korean text is written with; CP949 reaches the other
# 8,822 only through its extension, where a high byte followed by an ASCII letter lands (Latin
# text misread: "Aujourd’hui" would read "Aujourd뭜ui").
_RARE_HANGUL = frozenset(map(chr, range(0xAC00, 0xD7A4))) - {
    bytes((lead, trail)).decode("cp949")
    for lead in range(0xB0, 0xC9)
    for trail in range(0xA1, 0xFF)
}
# Letters CP949 can encode besides Hangul (Hanja, kana, Greek, Cyrillic, Latin): a few Hanja are
# normal in Korean news, a decoding that is mostly these is a misread.
_CP949_OTHER = re.compile("[\u4e00-\u9fff\uf900-\ufaff\u3040-\u30ff\u0370-\u04ff\u00c0-\u024f]+")
# Characters of each encoding's languages as UTF-8 would carry them: a run of these that is valid
# UTF-8, in a file that is not, means the file mixes two encodings.
_SCRIPT = {
    "cp1252": "\u00a0-\u00ffŒœŠšŽžŸ\u2013\u2014\u2018\u2019\u201a\u201c-\u201e\u2026\u20ac",
    "cp1251": f"{_CYRILLIC}«»\u00a0\u2013\u2014\u2019\u201c-\u201e\u2026№",
    "cp949": "\uac00-\ud7a3\u3131-\u318e",
}


@dataclass(frozen=True)
class Dialect:
    """How one CSV's bytes were read; ``describe()`` is what validation records per file."""

    encoding: str = "utf-8"  # a Python codec name
    bom: bool = False
    delimiter: str = ","
    newline: str = "LF"  # of the file as received: LF, CRLF or CR

    def describe(self) -> str:
        """``UTF-8 with BOM, comma delimiter, CRLF line endings``."""
        encoding = ENCODING_NAMES.get(self.encoding, self.encoding)
        bom = " with BOM" if self.bom else ""
        return (
            f"{encoding}{bom}, {DELIMITERS[self.delimiter]} delimiter, {self.newline} line endings"
        )


# The languages a file's articles are in (encoding candidates): asked only when it is not UTF-8.
LanguagesOf = Callable[[bytes, str], Collection[str]]


def _line_of(data: bytes, offset: int) -> int:
    """The 1-based line holding byte ``offset`` (CR-only files count CRs)."""
    newline = b"\n" if b"\n" in data else b"\r"
    return data.count(newline, 0, offset) + 1


def _around(data: bytes, offset: int) -> str:
    """Up to 30 characters either side of a byte on its line, undecodable bytes shown as
    ``\\xe9``: the value a message shows, so the curator can find the spot."""
    start = data.rfind(b"\n", 0, offset) + 1
    end = data.find(b"\n", offset)
    end = len(data) if end < 0 else end
    before = data[start:offset].decode("utf-8", "backslashreplace")[-30:]
    after = data[offset:end].decode("utf-8", "backslashreplace")[:30]
    return before + after


def _not_unicode_text(name: str, data: bytes) -> Problem | None:
    """UTF-16/32 (with or without a byte-order mark) and NUL bytes: nothing a CSV reader reads."""
    for bom, encoding in _OTHER_BOMS:
        if data.startswith(bom):
            return Problem(
                name,
                f"file is {encoding} (it starts with the byte-order mark {bom.hex(' ')}), as "
                f"Excel's 'Unicode Text' saves it; {SAVE_AS_UTF8}",
                line=1,
            )
    at = data.find(b"\x00")
    if at < 0:
        return None
    sample = data[:4096]
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    half = len(sample) // 2
    if half >= 2 and max(even, odd) >= 0.3 * half and min(even, odd) <= 0.05 * half:
        return Problem(
            name,
            f"file looks like UTF-16 without a byte-order mark (every other byte is NUL); "
            f"{SAVE_AS_UTF8}",
            line=1,
        )
    return Problem(
        name, "file contains NUL bytes: it is binary, not a CSV text file", line=_line_of(data, at)
    )


def _line_endings(name: str, data: bytes) -> tuple[bytes, str]:
    """The data with LF line endings, and the endings it came with.

    CRLF (RFC 4180's own, what Excel and Google Sheets write) reads as LF, even beside the LF
    that Excel writes inside a cell. A file with CRs and no LF at all (classic Mac OS) reads CR
    as the line break. A lone CR in a file that also has LFs cannot be told apart from a cell's
    content: that is an error.
    """
    n_cr = data.count(b"\r")
    if not n_cr:
        return data, "LF"
    if data.count(b"\r\n") == n_cr:
        return data.replace(b"\r\n", b"\n"), "CRLF"
    if b"\n" not in data:
        return data.replace(b"\r", b"\n"), "CR"
    at = re.search(rb"\r(?!\n)", data)
    assert at is not None  # more CRs than CRLFs
    raise DataError(
        [
            Problem(
                name,
                "a carriage return (CR) not followed by a line feed, in a file whose other lines "
                "end with LF or CRLF: mixed line endings (a cell holding a CR?); remove it, or "
                "save the file again from the spreadsheet",
                line=data.count(b"\n", 0, at.start()) + 1,
                value=_around(data, at.start()),
            )
        ]
    )


def _delimiter(name: str, line: str, expected: tuple[str, ...]) -> str:
    """The delimiter that splits line 1 (the header, whose names we know) into the contract's
    columns; failing that, the only one of the delimiters present whose fields hold no other
    (the column-set rule then names what is missing or unknown). A line with none is one column.
    """
    present = [d for d in DELIMITERS if d in line]
    if not present:
        return ","
    splits = {d: next(csv.reader([line], delimiter=d), []) for d in present}
    exact = [d for d in present if sorted(splits[d]) == sorted(expected)]
    if len(exact) == 1:
        return exact[0]
    clean = [
        d
        for d in present
        if not any(other in field for field in splits[d] for other in present if other != d)
    ]
    if len(clean) == 1:
        return clean[0]
    found = " and ".join(repr(d) for d in present)
    raise DataError(
        [
            Problem(
                name,
                f"cannot tell the delimiter: line 1 holds {found}, and none of them splits it "
                f"into the contract's columns ({', '.join(expected[:3])}, …); in the "
                "spreadsheet, row 1 must hold the contract's column names, one per cell; then "
                + SAVE_AS_UTF8,
                line=1,
                value=line,
            )
        ]
    )


def _chunks(data: bytes, size: int | None = None) -> Iterator[tuple[int, bytes]]:
    """(first line number, bytes) pieces of about ``size`` bytes, each ending after a LF.

    A LF never occurs inside a character in UTF-8 or any candidate encoding, so each piece
    decodes on its own.
    """
    size = size or _CHUNK_BYTES
    start, line = 0, 1
    while start < len(data):
        end = data.find(b"\n", min(start + size, len(data)) - 1)
        end = len(data) if end < 0 else end + 1
        chunk = data[start:end]
        yield line, chunk
        line += chunk.count(b"\n")
        start = end


def _is_utf8(data: bytes) -> bool:
    """Arrow's vectorised UTF-8 validation over the bytes as one string, without a copy: a 370 MB
    file takes milliseconds where Python's decoder takes most of a second. It refuses what
    Python's strict decoder refuses (overlong forms, surrogates); only a failure is then
    located, by ``_first_undecodable``."""
    offsets = pa.py_buffer(np.array([0, len(data)], dtype=np.int64))
    text = pa.LargeStringArray.from_buffers(1, offsets, pa.py_buffer(data))
    try:
        text.validate(full=True)
    except pa.ArrowInvalid:
        return False
    return True


def _first_undecodable(data: bytes, encoding: str) -> int | None:
    """The offset of the first byte ``encoding`` cannot decode, or None (piecewise, so memory
    stays bounded on a large file)."""
    if data.isascii() or (encoding == "utf-8" and _is_utf8(data)):
        return None
    offset = 0
    for _, chunk in _chunks(data):
        try:
            chunk.decode(encoding)
        except UnicodeDecodeError as exc:
            return offset + exc.start
        offset += len(chunk)
    return None


def _utf8_evidence(data: bytes, encodings: list[str]) -> tuple[int, str] | None:
    """(line, text) of a run of non-ASCII bytes that is valid UTF-8 text in the languages'
    scripts, in a file that is not UTF-8 as a whole: a file mixing two encodings."""
    chars = "".join(_SCRIPT[e] for e in encodings or _SCRIPT)
    pattern = re.compile(f"(?<![^\\x00-\\x7f])[{chars}]+(?![^\\x00-\\x7f])")
    for line, chunk in _chunks(data):
        text = chunk.decode("utf-8", "surrogateescape")
        match = pattern.search(text)
        if match:
            return line + text.count("\n", 0, match.start()), match.group()
    return None


@dataclass
class _Misfit:
    """Why one candidate encoding does not fit: the rule, where, and the text it would read."""

    reason: str
    line: int
    value: str


def _judge(data: bytes, encodings: list[str]) -> tuple[dict[str, _Misfit | None], bool]:
    """Decode with each candidate strictly and look for misread text; return each one's misfit
    (None when it fits) and whether all that fit read the very same text."""
    misfits: dict[str, _Misfit | None] = dict.fromkeys(encodings)
    readings: dict[str, list[int]] = {e: [] for e in encodings}
    hangul = other = 0
    first_other: _Misfit | None = None
    for line, chunk in _chunks(data):
        for encoding in encodings:
            if misfits[encoding] is not None:
                continue
            try:
                text = chunk.decode(encoding)
            except UnicodeDecodeError as exc:
                misfits[encoding] = _Misfit(
                    f"byte {chunk[exc.start]:02x} is not a {ENCODING_NAMES[encoding]} character",
                    line + chunk.count(b"\n", 0, exc.start),
                    _around(chunk, exc.start),
                )
                continue
            for pattern, reason in _IMPLAUSIBLE.get(encoding, ()):
                match = pattern.search(text)
                if match:
                    at = line + text.count("\n", 0, match.start())
                    misfits[encoding] = _Misfit(reason, at, match.group())
                    break
            if encoding == "cp949" and misfits[encoding] is None:
                rare = set(text) & _RARE_HANGUL
                if rare:
                    at = min(text.index(c) for c in rare)
                    misfits[encoding] = _Misfit(
                        "a Hangul syllable outside the 2,350 that Korean text is written with",
                        line + text.count("\n", 0, at),
                        text[max(0, at - 10) : at + 10],
                    )
                hangul += sum(map(len, _HANGUL.findall(text)))
                others = _CP949_OTHER.findall(text)
                other += sum(map(len, others))
                if others and first_other is None:
                    at = line + text.count("\n", 0, text.index(others[0]))
                    first_other = _Misfit("", at, others[0])
            readings[encoding].append(hash(text))
    if "cp949" in misfits and misfits["cp949"] is None and other * 9 > hangul:
        assert first_other is not None
        first_other.reason = "more than a tenth of its letters would not be Hangul"
        misfits["cp949"] = first_other
    fits = [e for e in encodings if misfits[e] is None]
    same = len({tuple(readings[e]) for e in fits}) <= 1
    return misfits, same


def _encoding(
    name: str, data: bytes, bom: bool, delimiter: str, languages_of: LanguagesOf
) -> tuple[str, str | None]:
    """The codec that reads ``data``, and what detected it (None for UTF-8, which needs no
    guess); a ``DataError`` when the encoding cannot be told.

    UTF-8 first, strictly. Otherwise only the encodings the articles' languages suggest
    (``LANGUAGE_ENCODINGS``) are tried, and one is used only when it alone decodes the whole file
    strictly into plausible text (or all that do read the same text).
    """
    bad = _first_undecodable(data, "utf-8")
    if bad is None:
        return "utf-8", None
    line, shown, bad_bytes = _line_of(data, bad), _around(data, bad), data[bad : bad + 2].hex(" ")
    if bom:
        raise DataError(
            [
                Problem(
                    name,
                    f"not valid UTF-8 (bytes {bad_bytes}) although the file starts with a "
                    f"UTF-8 byte-order mark: it mixes encodings; {SAVE_AS_UTF8}",
                    line=line,
                    value=shown,
                )
            ]
        )
    languages = sorted(set(languages_of(data, delimiter)) & set(LANGUAGE_ENCODINGS))
    encodings = [e for e in ENCODING_NAMES if e in {LANGUAGE_ENCODINGS[g] for g in languages}]
    mixed = _utf8_evidence(data, encodings)
    if mixed is not None:
        raise DataError(
            [
                Problem(
                    name,
                    f"mixes encodings: line {mixed[0]} is UTF-8 ({mixed[1]!r}), this line is "
                    f"not (bytes {bad_bytes}); a file must be in one encoding: {SAVE_AS_UTF8}",
                    line=line,
                    value=shown,
                )
            ]
        )
    if not encodings:
        raise DataError(
            [
                Problem(
                    name,
                    f"not valid UTF-8 (bytes {bad_bytes}), and no other encoding is tried: no "
                    "article it concerns has a language that suggests one; " + SAVE_AS_UTF8,
                    line=line,
                    value=shown,
                )
            ]
        )
    misfits, same = _judge(data, encodings)
    fits = [e for e in encodings if misfits[e] is None]
    names = ", ".join(ENCODING_NAMES[e] for e in encodings)
    by = (
        f"the articles' language ({languages[0]}) suggests"
        if len(languages) == 1
        else f"the articles' languages ({', '.join(languages)}) suggest"
    )
    suggested = (
        f"{names}, the encoding {by}," if len(encodings) == 1 else f"of {names}, which {by},"
    )
    if len(fits) == 1 or (fits and same):
        alike = [ENCODING_NAMES[e] for e in fits[1:]]
        also = f" ({' and '.join(alike)} would read the same text)" if alike else ""
        only = "" if len(encodings) == 1 else "only "
        return fits[0], (
            f"not UTF-8 (bytes {bad_bytes} on line {line}); {suggested} "
            f"{only}{ENCODING_NAMES[fits[0]]}{also} decodes every byte into plausible text"
        )
    if fits:
        raise DataError(
            [
                Problem(
                    name,
                    f"not valid UTF-8 (bytes {bad_bytes}), and it reads as plausible text in "
                    f"{' and in '.join(ENCODING_NAMES[e] for e in fits)} alike: the encoding "
                    f"cannot be told; {SAVE_AS_UTF8}",
                    line=line,
                    value=shown,
                )
            ]
        )
    why = "; ".join(
        f"{ENCODING_NAMES[e]} would read line {m.line} as {m.value!r}: {m.reason}"
        for e, m in misfits.items()
        if m is not None
    )
    raise DataError(
        [
            Problem(
                name,
                f"not valid UTF-8 (bytes {bad_bytes}), and {suggested} does not fit ({why}); "
                + SAVE_AS_UTF8,
                line=line,
                value=shown,
            )
        ]
    )


def _structure(name: str, raw: bytes, expected: tuple[str, ...]) -> tuple[bytes, Dialect]:
    """Everything about the bytes but their encoding: the data without BOM, with LF endings and
    no trailing blank lines; and the dialect (encoding still UTF-8)."""
    if not raw:
        raise DataError([Problem(name, "file is empty: expected a header line and data rows")])
    problem = _not_unicode_text(name, raw)
    if problem:
        raise DataError([problem])
    bom = raw.startswith(UTF8_BOM)
    if bom and len(raw) == len(UTF8_BOM):
        raise DataError([Problem(name, "file is empty: expected a header line and data rows")])
    data, newline = _line_endings(name, raw[3:] if bom else raw)
    data = data.rstrip(b"\n") + b"\n"  # blank lines at the very end are an editor's, not data
    first_line = data.partition(b"\n")[0]
    if len(first_line) > MAX_FIELD_CHARS:
        raise DataError(
            [Problem(name, f"header line is longer than {MAX_FIELD_CHARS} characters", line=1)]
        )
    # Every candidate encoding keeps ASCII as ASCII and never uses an ASCII byte inside a wider
    # character, so Latin-1 shows the structure (delimiters, quotes, ASCII names) faithfully.
    delimiter = _delimiter(name, first_line.decode("latin-1"), expected)
    return data, Dialect("utf-8", bom, delimiter, newline)


def sniff(
    name: str, raw: bytes, expected: tuple[str, ...], languages_of: LanguagesOf
) -> tuple[bytes, Dialect, Problem | None]:
    """How to read ``raw``: the normalised data, its dialect, and the warning that says what was
    detected (None when nothing needed guessing: UTF-8, comma, LF or CRLF)."""
    data, dialect = _structure(name, raw, expected)
    encoding, detected = _encoding(name, data, dialect.bom, dialect.delimiter, languages_of)
    dialect = Dialect(encoding, dialect.bom, dialect.delimiter, dialect.newline)
    parts = [detected] if detected else []
    if dialect.delimiter != ",":
        parts.append(
            f"{dialect.delimiter!r} is the delimiter that splits line 1 into the header's columns"
        )
    if dialect.newline == "CR":
        parts.append("lines end with CR only, as classic Mac OS saved them")
    if not parts:
        return data, dialect, None
    guessed = (
        " A wrong guess would show as quotes not found in their articles; to need no guess, "
        if detected
        else " To read it without a warning, "
    )
    warning = Problem(
        name,
        f"read as {dialect.describe()} ({'; '.join(parts)}); the file is kept as received."
        + guessed
        + SAVE_AS_UTF8,
        line=1,
        severity="warning",
    )
    return data, dialect, warning


def _peek_columns(data: bytes, delimiter: str, columns: tuple[str, ...]) -> list[tuple[str, ...]]:
    """ASCII columns (ids, language codes) read before the encoding is known, via Latin-1 (see
    ``_structure``); rows that do not parse are skipped, the real read reports them."""
    csv.field_size_limit(MAX_FIELD_CHARS)
    reader = csv.reader(io.StringIO(data.decode("latin-1")), delimiter=delimiter)
    header = next(reader, [])
    if not set(columns) <= set(header):
        return []
    at = [header.index(c) for c in columns]
    rows = []
    try:
        for row in reader:
            if len(row) == len(header):
                rows.append(tuple(row[i].strip() for i in at))
    except csv.Error:
        pass
    return rows


class ArticleLanguages(Mapping[str, str]):
    """article_id -> language over some articles.csv files, read only when first asked (which
    happens only for a file that is not UTF-8)."""

    def __init__(self, paths: list[Path]):
        self._paths = paths
        self._map: dict[str, str] | None = None

    def _languages(self) -> dict[str, str]:
        if self._map is None:
            self._map = {}
            for path in self._paths:
                for article_id, language in _peek_articles(Path(path)):
                    self._map.setdefault(article_id, language)
        return self._map

    def __getitem__(self, key: str) -> str:
        return self._languages()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._languages())

    def __len__(self) -> int:
        return len(self._languages())


def _peek_articles(path: Path) -> list[tuple[str, ...]]:
    """(article_id, language) rows of an articles.csv, or none when it cannot be read."""
    try:
        data, dialect = _structure(str(path), path.read_bytes(), contract.ARTICLE_COLUMNS)
    except (OSError, DataError):
        return []
    return _peek_columns(data, dialect.delimiter, ("article_id", "language"))


def _languages_of(
    path: Path,
    expected: tuple[str, ...],
    languages: Collection[str] | None,
    article_languages: Mapping[str, str] | None,
) -> LanguagesOf:
    """Where a file's candidate languages come from: ``languages`` when given; else an articles
    file's own ``language`` column, or the languages of the articles a claims file cites (its
    own drop's and the dataset's; ``article_languages`` when given)."""

    def languages_of(data: bytes, delimiter: str) -> Collection[str]:
        if languages is not None:
            return set(languages)
        if "language" in expected:
            return {lang for (lang,) in _peek_columns(data, delimiter, ("language",))}
        if "article_id" not in expected:
            return set()
        known = article_languages
        if known is None:
            siblings = [path.parent / "articles.csv"]
            known = ArticleLanguages(
                siblings + [s.articles_csv for s in dataset_sources() if s.articles_csv]
            )
        cited = {i for (i,) in _peek_columns(data, delimiter, ("article_id",))}
        return {known[i] for i in cited if i in known}

    return languages_of


def _check_header(name: str, header: list[str], expected: tuple[str, ...]) -> list[Problem]:
    """Compare the header with the contract: missing, unknown and repeated column names."""
    problems: list[Problem] = []
    seen: set[str] = set()
    for col in header:
        if col in seen:
            problems.append(
                Problem(name, "column name appears twice in the header", line=1, column=col)
            )
        seen.add(col)
    for col in header:
        if col not in expected:
            problems.append(
                Problem(
                    name,
                    UNKNOWN_COLUMN,
                    line=1,
                    column=col,
                )
            )
    for col in expected:
        if col not in seen:
            problems.append(Problem(name, MISSING_COLUMN, line=1, column=col))
    return problems


def _records(
    name: str, text: str, header: list[str], delimiter: str = ","
) -> tuple[list[list[str]], list[int], list[Problem]]:
    """Parse rows with the csv module, noting each record's first line (fields may span lines)."""
    csv.field_size_limit(MAX_FIELD_CHARS)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter, strict=True)
    rows: list[list[str]] = []
    lines: list[int] = []
    problems: list[Problem] = []
    next(reader)
    start = reader.line_num + 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            rule = (
                f"a field is longer than {MAX_FIELD_CHARS} characters (a missing closing quote?)"
                if "field limit" in str(exc)
                else f"malformed CSV ({exc})"
            )
            problems.append(Problem(name, rule, line=start))
            return rows, lines, problems
        if row == header:
            problems.append(Problem(name, "the header line is repeated as a data row", line=start))
        elif not row or row == [""]:
            problems.append(Problem(name, "blank line in the middle of the data", line=start))
        elif len(row) != len(header):
            problems.append(
                Problem(
                    name,
                    f"row has {len(row)} fields, the header has "
                    f"{len(header)} (a stray delimiter or quote?)",
                    line=start,
                )
            )
        else:
            rows.append(row)
            lines.append(start)
        start = reader.line_num + 1
    return rows, lines, problems


def _read_bytes(path: Path, name: str) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise DataError([Problem(name, "file not found")]) from None
    except IsADirectoryError:
        raise DataError([Problem(name, "is a folder, expected a CSV file")]) from None
    except OSError as exc:
        raise DataError([Problem(name, f"cannot read file ({exc.strerror})")]) from None


def read_raw_csv(
    path: Path,
    expected: tuple[str, ...],
    check_columns: bool = True,
    languages: Collection[str] | None = None,
    article_languages: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Read a contract CSV as strings, with a ``_line`` column; raise ``DataError`` if unreadable.

    Empty cells are empty strings (never NaN) so validation sees exactly what was typed.
    ``check_columns=False`` returns the file's own columns even when they differ from
    ``expected`` (validation then judges the column set with its GX rule); a delimiter that
    cannot be told or a repeated column name is still fatal, since no frame can be built then.

    The file is read as ``sniff`` detects it; ``attrs["read_as"]`` says how
    (``Dialect.describe``) and ``attrs["read_warnings"]`` holds the warning (as ``Problem.to_dict``)
    that says what was
    detected, if anything was. A file that is not UTF-8 may be in an encoding suggested by the
    ``languages`` given, or else by its articles' languages: an articles file's own ``language``
    column; for a claims file, those of the articles it cites, looked up in
    ``article_languages`` (article_id -> language; by default the articles.csv beside the file
    and the dataset's).
    """
    path = Path(path)
    name = config.display_path(path)
    raw = _read_bytes(path, name)
    languages_of = _languages_of(path, expected, languages, article_languages)
    data, dialect, warning = sniff(name, raw, expected, languages_of)
    del raw  # a large file is held once, not twice
    first_line, _, body = data.partition(b"\n")
    header = next(
        csv.reader([first_line.decode(dialect.encoding)], delimiter=dialect.delimiter), []
    )
    problems = _check_header(name, header, expected)
    if not check_columns:
        problems = [p for p in problems if p.rule.startswith(_FATAL_HEADER_RULES)]
    if problems:
        raise DataError(problems)
    if not body.strip():
        raise DataError([Problem(name, "file has a header but no data rows", line=2)])
    frame = (
        _fast_read(data, header, dialect.delimiter, dialect.encoding)
        if len(data) > CAREFUL_READ_MAX_BYTES
        else None
    )
    if frame is None:
        frame = _careful_read(path, data, header, dialect.delimiter, dialect.encoding)
    long_cells = _long_cells(name, frame)
    if long_cells:
        raise DataError(long_cells)
    columns = list(expected) if check_columns else header
    out = frame[[*columns, LINE_COLUMN]]
    out.attrs["read_as"] = dialect.describe()
    # as dicts: attrs stay JSON-able (pandas writes them into a parquet file's metadata)
    out.attrs["read_warnings"] = [warning.to_dict()] if warning else []
    return out


def _careful_read(
    path: Path, data: bytes, header: list[str], delimiter: str = ",", encoding: str = "utf-8"
) -> pd.DataFrame:
    """The csv-module path: slower, but locates every problem to its line.

    ``data`` is the normalised data ``sniff`` returns (LF line endings, no BOM)."""
    name = config.display_path(path)
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:  # sniff has checked: only a direct call gets here
        raise DataError(
            [
                Problem(
                    name,
                    f"not valid {ENCODING_NAMES.get(encoding, encoding)} "
                    f"(bytes {data[exc.start : exc.start + 2].hex(' ')})",
                    line=_line_of(data, exc.start),
                    value=_around(data, exc.start),
                )
            ]
        ) from None
    rows, lines, problems = _records(name, text, header, delimiter)
    if problems:
        raise DataError(problems)
    frame = pd.DataFrame(rows, columns=header, dtype="str")
    frame[LINE_COLUMN] = lines
    return frame


def _has_lone_quote(data: bytes, delimiter: str = ",") -> bool:
    """A quote that neither opens a field (after a delimiter or line start), nor closes one
    (before a delimiter or line end), nor is doubled. Arrow reads `"30"00` as 3000 where strict
    csv refuses it. Vectorised: a regex scan of a 370 MB file took 4 s, this takes a tenth of a
    second.
    """
    raw = np.frombuffer(data, dtype=np.uint8)
    edge = np.array([ord("\n")], dtype=np.uint8)  # the file's edges count as line ends
    padded = np.concatenate((edge, raw, edge))
    at = np.flatnonzero(padded == ord('"'))
    before, after = padded[at - 1], padded[at + 1]
    delim = ord(delimiter)
    opens = (before == delim) | (before == ord("\n")) | (before == ord('"'))
    closes = (after == delim) | (after == ord("\n")) | (after == ord('"'))
    return bool((~opens & ~closes).any())


def _fast_read(
    data: bytes, header: list[str], delimiter: str = ",", encoding: str = "utf-8"
) -> pd.DataFrame | None:
    """Arrow's multi-threaded CSV parser for the common case: one record per line, all regular.

    ``data`` is the normalised data ``sniff`` returns; a legacy encoding is transcoded by Arrow
    as it reads, block by block. Returns None whenever the file needs the careful path
    (multi-line fields, ragged rows, bad bytes, a repeated header), which then locates each
    problem exactly; this path only has to be right when it answers.
    """
    if _has_lone_quote(data, delimiter):
        return None
    read_options = pacsv.ReadOptions(encoding="utf8" if encoding == "utf-8" else encoding)
    try:
        table = pacsv.read_csv(
            io.BytesIO(data),
            read_options=read_options,
            parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(
                column_types={h: pa.string() for h in header},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowException):
        return None
    n_lines = data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
    if table.num_rows != n_lines - 1 or table.column_names != header:
        return None
    frame = table.to_pandas()
    if (frame[header[0]] == header[0]).any():
        return None
    frame[LINE_COLUMN] = range(2, len(frame) + 2)
    return frame


def _long_cells(name: str, frame: pd.DataFrame) -> list[Problem]:
    """Cells over the size limit: a 10 MB 'quote' is an accident, not a claim."""
    problems = []
    for col in frame.columns.drop(LINE_COLUMN):
        lengths = frame[col].str.len()
        for idx in frame.index[lengths > MAX_FIELD_CHARS][:5]:
            problems.append(
                Problem(
                    name,
                    f"cell is longer than {MAX_FIELD_CHARS} characters",
                    line=int(frame.at[idx, LINE_COLUMN]),
                    column=col,
                    value=frame.at[idx, col][:40],
                )
            )
    return problems


def read_raw_claims(path: Path = config.RAW_CLAIMS_CSV) -> pd.DataFrame:
    """The claims CSV as strings (see ``read_raw_csv``)."""
    return read_raw_csv(path, contract.CLAIM_COLUMNS)


def read_raw_articles(path: Path = config.RAW_ARTICLES_CSV) -> pd.DataFrame:
    """The articles CSV as strings (see ``read_raw_csv``)."""
    return read_raw_csv(path, contract.ARTICLE_COLUMNS)


@dataclass(frozen=True)
class Source:
    """One contributor's files: the base dataset, or one drop (GUIDE.md's drop format).

    ``articles_csv``/``articles_dir`` are None for a drop that brings claims only.
    """

    name: str
    claims_csv: Path
    articles_csv: Path | None
    articles_dir: Path | None


def base_source(raw_dir: Path | None = None) -> Source:
    """The hand-curated base dataset under data/raw/ (``config.RAW_DIR`` unless given)."""
    raw_dir = raw_dir or config.RAW_DIR
    return Source("base", raw_dir / "claims.csv", raw_dir / "articles.csv", raw_dir / "articles")


def drop_source(path: Path) -> Source:
    """A drop folder, or a lone claims CSV given as a file."""
    path = Path(path)
    if path.is_dir():
        articles_csv = path / "articles.csv"
        has_articles = articles_csv.exists()
        return Source(
            path.name,
            path / "claims.csv",
            articles_csv if has_articles else None,
            path / "articles" if has_articles else None,
        )
    return Source(path.stem, path, None, None)


def dataset_sources(raw_dir: Path | None = None) -> list[Source]:
    """The whole dataset: the base, then every ingested drop in name order.

    Paths are read from ``config`` at call time, so tests can point a run at a scratch copy.
    """
    raw_dir = raw_dir or config.RAW_DIR
    drops_dir = raw_dir / "drops"
    drops = (
        sorted(p for p in drops_dir.iterdir() if p.is_dir() and not p.name.startswith("."))
        if drops_dir.is_dir()
        else []
    )
    return [base_source(raw_dir), *(drop_source(p) for p in drops)]


SOURCE_FILE_COLUMN = "_source_file"
ARTICLES_DIR_COLUMN = "_articles_dir"


class SourcesError(DataError):
    """``read_sources`` could not read every file: the problems (with the warnings of the files
    it could read) and how each of those was read."""

    def __init__(self, problems: list[Problem], read_as: dict[str, str]):
        super().__init__(problems)
        self.read_as = read_as


def read_sources(
    sources: list[Source], check_columns: bool = True, languages: Collection[str] | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Concatenate every source's CSVs as strings, remembering each row's file and line.

    Reads every file before failing (``SourcesError``), so one run reports the problems of all
    of them. With ``check_columns=False`` a file whose columns differ from the contract is not an
    error here: each frame's ``attrs["headers"]`` maps every file to its own header, for
    validation's column-set rule, and the rows of such a file are left out of the concatenation.
    Both frames' ``attrs["read_as"]`` map every file to how it was read, and
    ``attrs["read_warnings"]`` hold what reading it detected (see ``read_raw_csv``). A claims file
    that is not UTF-8 takes its encoding candidates from the articles it cites among all the
    sources' articles (``languages``, when given, replaces that for every file).
    """
    claims, articles, problems, warnings = [], [], [], []
    headers: dict[str, dict[str, list[str]]] = {"claims": {}, "articles": {}}
    read_as: dict[str, str] = {}
    known = ArticleLanguages([s.articles_csv for s in sources if s.articles_csv is not None])
    for table, path, expected, out in (
        *(("claims", s.claims_csv, contract.CLAIM_COLUMNS, claims) for s in sources),
        *(
            ("articles", s.articles_csv, contract.ARTICLE_COLUMNS, articles)
            for s in sources
            if s.articles_csv is not None
        ),
    ):
        try:
            frame = read_raw_csv(path, expected, check_columns, languages, known)
        except DataError as err:
            problems += err.problems
            continue
        name = config.display_path(path)
        read_as[name] = frame.attrs["read_as"]
        warnings += [Problem(**w) for w in frame.attrs["read_warnings"]]
        headers[table][name] = [c for c in frame.columns if c != LINE_COLUMN]
        if set(headers[table][name]) != set(expected):
            continue
        frame = frame[[*expected, LINE_COLUMN]]
        frame.attrs = {}
        frame[SOURCE_FILE_COLUMN] = name
        if table == "articles":
            frame[ARTICLES_DIR_COLUMN] = str(Path(path).parent / "articles")
        out.append(frame)
    if problems:
        raise SourcesError(warnings + problems, read_as)
    result = []
    for table, frames, expected in (
        ("claims", claims, contract.CLAIM_COLUMNS),
        ("articles", articles, contract.ARTICLE_COLUMNS),
    ):
        extra = [LINE_COLUMN, SOURCE_FILE_COLUMN]
        if table == "articles":
            extra.append(ARTICLES_DIR_COLUMN)
        empty = pd.DataFrame(columns=[*expected, *extra], dtype="str")
        frame = pd.concat(frames, ignore_index=True) if frames else empty
        frame.attrs["headers"] = headers[table]
        frame.attrs["read_as"] = read_as
        frame.attrs["read_warnings"] = [w.to_dict() for w in warnings]
        result.append(frame)
    return result[0], result[1]


def _categorical(values: pd.Series, vocabulary: dict[str, str]) -> pd.Series:
    """A categorical whose categories are the whole vocabulary, so charts keep a fixed order."""
    return pd.Categorical(values.replace("", pd.NA), categories=list(vocabulary))


def parse_dates(values: pd.Series, errors: str = "raise") -> pd.Series:
    """ISO dates (YYYY-MM-DD) to datetime64; empty cells become NaT.

    ``errors="raise"`` for typing validated data (a failure there is a bug, not bad input);
    ``"coerce"`` for validation's helper columns, where an invalid date is a rule's business.
    """
    return pd.to_datetime(values.replace("", pd.NA), format="%Y-%m-%d", errors=errors)


def type_claims(raw: pd.DataFrame) -> pd.DataFrame:
    """Typed claims: dates as datetimes, figure as nullable Int64, vocabularies as categoricals.

    Expects a frame that passed validation; a value that does not convert raises, because
    typing unvalidated data would silently turn mistakes into missing values.
    """
    df = raw[list(contract.CLAIM_COLUMNS)].copy()
    for col, vocab in contract.CLAIM_VOCABULARIES.items():
        df[col] = _categorical(df[col], vocab)
    df["category"] = pd.Categorical(df["category"], categories=contract.all_categories())
    df["figure"] = pd.array(pd.to_numeric(df["figure"].replace("", pd.NA)), dtype="Int64")
    for col in contract.CLAIM_DATE_COLUMNS:
        df[col] = parse_dates(df[col])
    for col in ("claim_id", "article_id", "claimant", "figure_as_of", "quote", "note"):
        df[col] = df[col].astype("string")
    return df


def type_articles(raw: pd.DataFrame) -> pd.DataFrame:
    """Typed articles (see ``type_claims``)."""
    df = raw[list(contract.ARTICLE_COLUMNS)].copy()
    for col, vocab in contract.ARTICLE_VOCABULARIES.items():
        df[col] = _categorical(df[col], vocab)
    for col in contract.ARTICLE_DATE_COLUMNS:
        df[col] = parse_dates(df[col])
    for col in ("article_id", "file", "title", "outlet", "url", "note"):
        df[col] = df[col].astype("string")
    return df


def load_claims(path: Path = config.RAW_CLAIMS_CSV) -> pd.DataFrame:
    """Typed claims straight from a CSV (for notebooks and tests; the build validates first)."""
    return type_claims(read_raw_claims(path))


def load_articles(path: Path = config.RAW_ARTICLES_CSV) -> pd.DataFrame:
    """Typed articles straight from a CSV."""
    return type_articles(read_raw_articles(path))
