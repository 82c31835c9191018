"""How a CSV's bytes were saved: byte-order mark, encoding, line endings and delimiter.

CSVs are read as a spreadsheet saved them (README.md, "Validating a new data drop", the part
"CSVs as a spreadsheet saves them"). A UTF-8 byte-order mark and CRLF line endings are read
silently. A delimiter other than the comma, a legacy Windows encoding and classic-Mac CR line
endings are read when only one reading fits, with a warning that says what was detected. What
cannot be told (UTF-16, mixed encodings, a line 1 that no delimiter splits into the contract's
columns) is a located error that says how to save the file from the spreadsheet. The file
itself is never changed: its bytes are the provenance, and how they were read
(``Dialect.describe``) is recorded beside the verdict; the same bytes always read the same.

This module only looks at bytes (``sniff``) and at the few ASCII columns the encoding guess
needs (``peek_columns``, ``ArticleLanguages``); reading the records into frames is ``load``'s.
It is the intake's second stage (``decode_csvs``): every contract CSV a snapshot read
(``RawCSV``) in, each one's normalised bytes and dialect, or why it cannot be read
(``DecodedCSV``), out.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pyarrow as pa

from troopclaims import config, contract
from troopclaims.problems import DataError, Problem

MAX_FIELD_CHARS = 100_000  # longest cell, and longest header line, a CSV may hold
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
    code: spec.legacy_encoding for code, spec in contract.LANGUAGE_SPECS.items()
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
# Legacy-encoding checks decode this much at a time: a piece and its text (up to 4 bytes a
# character) stay a few MB, where 16 MiB pieces held about 100 MB, and were no faster.
_CHUNK_BYTES = 1 << 20

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
            # twice in one word: once is Russian's own spelling ("МиГ-29", "КамАЗ"), a misread
            # (Korean bytes read as Windows-1251) mixes cases all along a word. Disjoint
            # classes: each start is tried along one path only (linear in the text).
            re.compile("[а-яёіїєґ][А-ЯЁІЇЄҐ]+[а-яёіїєґ]+[А-ЯЁІЇЄҐ]"),
            "a capital letter after a small one twice inside a word",
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


def line_of(data: bytes, offset: int) -> int:
    """The 1-based line holding byte ``offset`` (CR-only files count CRs)."""
    newline = b"\n" if b"\n" in data else b"\r"
    return data.count(newline, 0, offset) + 1


def around(data: bytes, offset: int) -> str:
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
        name, "file contains NUL bytes: it is binary, not a CSV text file", line=line_of(data, at)
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
                value=around(data, at.start()),
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
                    around(chunk, exc.start),
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
    line, shown, bad_bytes = line_of(data, bad), around(data, bad), data[bad : bad + 2].hex(" ")
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
    if not data.endswith(b"\n") or data.endswith(b"\n\n"):  # copy a 300 MB file only if needed
        data = _one_final_newline(data)  # blank lines at the very end are an editor's, not data
    first_line = data[: data.index(b"\n")]  # not partition(): its tail would copy the file
    if len(first_line) > MAX_FIELD_CHARS:
        raise DataError(
            [Problem(name, f"header line is longer than {MAX_FIELD_CHARS} characters", line=1)]
        )
    # Every candidate encoding keeps ASCII as ASCII and never uses an ASCII byte inside a wider
    # character, so Latin-1 shows the structure (delimiters, quotes, ASCII names) faithfully.
    delimiter = _delimiter(name, first_line.decode("latin-1"), expected)
    return data, Dialect("utf-8", bom, delimiter, newline)


def _one_final_newline(data: bytes) -> bytes:
    """``data.rstrip(b"\\n") + b"\\n"`` in one copy, not two: the LFs at the end are counted on
    a small piece at a time, and the rest is joined to one LF from a view."""
    end = len(data)
    while end:
        piece = data[max(0, end - _CHUNK_BYTES) : end]
        kept = len(piece.rstrip(b"\n"))
        end -= len(piece) - kept
        if kept:
            break
    return b"".join((memoryview(data)[:end], b"\n"))


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


def peek_columns(data: bytes, delimiter: str, columns: tuple[str, ...]) -> list[tuple[str, ...]]:
    """ASCII columns (ids, language codes) read before the encoding is known, via Latin-1 (see
    ``_structure``); rows that do not parse are skipped, the real read reports them.

    The bytes are decoded a line at a time (``_Lines``), never as one string: a whole-file
    Latin-1 string copied into a ``StringIO`` (four bytes a character) cost five times the file,
    on top of its bytes. What this holds is the rows asked for and a few copies of one line;
    reading stops at a line too long for any row of the header's width (as at a row that does
    not parse), which the real read refuses.
    """
    csv.field_size_limit(MAX_FIELD_CHARS)
    lines = _Lines(data, _longest_row(1))
    reader = csv.reader(lines, delimiter=delimiter)
    rows: list[tuple[str, ...]] = []
    try:
        header = next(reader, [])
        if not set(columns) <= set(header):
            return []
        at = [header.index(c) for c in columns]
        lines.longest = _longest_row(len(header))
        for row in reader:
            if len(row) == len(header):
                rows.append(tuple(row[i].strip() for i in at))
    except csv.Error:
        pass
    return rows


def _longest_row(n_fields: int) -> int:
    """The most bytes one line of a row of ``n_fields`` fields can take and still be read: each
    field at most ``MAX_FIELD_CHARS`` characters, every one a doubled quote, in quotes, with its
    delimiter (a Latin-1 character is one byte)."""
    return n_fields * (2 * MAX_FIELD_CHARS + 3)


class _Lines(Iterator[str]):
    """The lines of LF-terminated ``data`` (as ``_structure`` leaves it), each decoded from
    Latin-1 only when the csv reader asks for it, so memory follows the longest line, not the
    file. A line over ``longest`` bytes raises ``csv.Error`` before it is copied: no row that
    long can be read, and a file of one endless line must not become one string."""

    def __init__(self, data: bytes, longest: int):
        self._data = data
        self._start = 0
        self.longest = longest  # the header's width sets it once the header is read

    def __next__(self) -> str:
        data, start = self._data, self._start
        if start >= len(data):
            raise StopIteration
        end = data.find(b"\n", start, start + self.longest + 1)
        if end < 0:  # no LF within reach: the last line, or one too long
            if len(data) - start > self.longest:
                raise csv.Error(f"a line is longer than {self.longest} bytes")
            end = len(data) - 1
        self._start = end + 1
        return data[start : end + 1].decode("latin-1")


class ArticleLanguages(Mapping[str, str]):
    """article_id -> language over some articles.csv files (their bytes, as a snapshot read
    them), parsed only when first asked (which happens only for a file that is not UTF-8)."""

    def __init__(self, files: list[bytes]):
        self._files = files
        self._map: dict[str, str] | None = None

    def _languages(self) -> dict[str, str]:
        if self._map is None:
            self._map = {}
            for data in self._files:
                for article_id, language in peek_articles(data, ("article_id", "language")):
                    self._map.setdefault(article_id, language)
        return self._map

    def __getitem__(self, key: str) -> str:
        return self._languages()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._languages())

    def __len__(self) -> int:
        return len(self._languages())


def peek_articles(data: bytes, columns: tuple[str, ...]) -> list[tuple[str, ...]]:
    """ASCII ``columns`` (ids, language codes, file names) of an articles.csv's bytes, before its
    encoding is known; none when its structure cannot be read (the real read reports why)."""
    try:
        normalised, dialect = _structure(config.ARTICLES_FILE, data, contract.ARTICLE_COLUMNS)
    except DataError:
        return []
    return peek_columns(normalised, dialect.delimiter, columns)


def languages_for(
    expected: tuple[str, ...], languages: Collection[str] | None, known: Mapping[str, str]
) -> LanguagesOf:
    """Where a file's candidate languages come from: ``languages`` when given; else an articles
    file's own ``language`` column, or the languages of the articles a file with an
    ``article_id`` column cites (``known``: article_id -> language over every articles.csv)."""

    def languages_of(data: bytes, delimiter: str) -> Collection[str]:
        if languages is not None:
            return set(languages)
        if "language" in expected:
            return {lang for (lang,) in peek_columns(data, delimiter, ("language",))}
        if "article_id" not in expected:
            return set()
        cited = {i for (i,) in peek_columns(data, delimiter, ("article_id",))}
        return {known[i] for i in cited if i in known}

    return languages_of


@dataclass
class RawCSV:
    """One contract CSV of one source as the snapshot read it: the first stage's value, file by
    file. ``data`` is None when it could not be read, and ``problems`` then say why; ``texts``
    (articles.csv only) are the article texts its snapshot read, by file name, and
    ``texts_shown`` their folder as messages name it."""

    table: str  # "claims", "articles" or "unclaimed"
    path: Path
    name: str  # as messages show it
    expected: tuple[str, ...]
    data: bytes | None
    problems: list[Problem] = field(default_factory=list)
    texts: Mapping[str, object] | None = None
    texts_shown: str = ""


@dataclass
class DecodedCSV:
    """One contract CSV decoded (``decode_csvs``): its normalised bytes (LF line ends, no BOM) and
    dialect, and the warning that says what was detected; or the ``problems`` why it cannot be
    read. ``raw`` is the file it came from, without its bytes (a large file is held once)."""

    raw: RawCSV
    data: bytes | None = None
    dialect: Dialect | None = None
    warning: Problem | None = None
    problems: list[Problem] = field(default_factory=list)

    @property
    def read_as(self) -> str:
        """How the file was read, in words (``Dialect.describe``); empty when it was not."""
        return self.dialect.describe() if self.dialect is not None else ""


def decode_csvs(files: list[RawCSV]) -> Iterator[DecodedCSV]:
    """The intake's second stage: each file as ``sniff`` reads it, in the order given.

    A file that is not UTF-8 takes its candidate encodings from its articles' languages
    (``languages_for``), looked up over every articles.csv among ``files`` as read (parsed only
    when such a file asks). A file that cannot be decoded is a located problem, not a refusal of
    the others: every file's fault is reported in one run. Decoded as the next stage asks for
    each: a file with CRLF endings or a byte-order mark (a spreadsheet's usual save) is
    normalised into a copy, and one copy at a time is held, not one per file."""
    known = ArticleLanguages([f.data for f in files if f.table == "articles" and f.data])
    for raw in files:
        bare = replace(raw, data=None)
        if raw.data is None:
            yield DecodedCSV(bare, problems=list(raw.problems))
            continue
        try:
            data, dialect, warning = sniff(
                raw.name, raw.data, raw.expected, languages_for(raw.expected, None, known)
            )
        except DataError as err:
            yield DecodedCSV(bare, problems=err.problems)
            continue
        decoded = DecodedCSV(bare, data, dialect, warning)
        del data  # the consumer lets the copy go once parsed: nothing here holds it
        yield decoded
