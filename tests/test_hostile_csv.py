"""Issue 16 item 6: peeking at a CSV and guessing its encoding take memory that follows the
longest row, not the file.

Before, ``peek_columns`` decoded the whole file to one string and copied it into a ``StringIO``
(about five times the file on top of its bytes): a 300 MB articles.csv took 1.8 GB to be refused,
and files within the 1 GiB limit ended in ``MemoryError``. These tests measure the Python heap
(``tracemalloc``) on inputs of tens of MB, where a whole-file copy would show at once; the large
files themselves are ``bench/hostile_csv.py``'s.
"""

from __future__ import annotations

import csv
import io
import tracemalloc
from collections.abc import Callable
from typing import TypeVar

import pytest

from troopclaims import contract
from troopclaims.intake import csvformat

T = TypeVar("T")
MB = 1_000_000
NOTE_CHARS = 2_000  # a long cell per row: many MB of file, few rows to return


def traced_peak(call: Callable[[], T]) -> tuple[T, int]:
    """``call()``'s result and the most Python heap it held at once beyond what it started with."""
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        before = tracemalloc.get_traced_memory()[0]
        result = call()
        return result, tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()


def articles_csv(size: int, encoding: str = "utf-8", language: str = "fr") -> bytes:
    """An articles.csv of about ``size`` bytes: rows with a long note, some of them quoted
    over two lines, written a block at a time."""
    text = {"fr": "Déploiement près du front", "ru": "Развертывание у фронта"}[language]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(contract.ARTICLE_COLUMNS)
    note = (text + " ") * (NOTE_CHARS // (len(text) + 1))
    i = 0
    while out.tell() < size:
        cell = f'{note}\n"{i}"' if i % 7 == 0 else note
        row = [f"A{i}", f"a{i}.txt", text, "unknown", language, "2024-10-25", "day", "stated"]
        writer.writerow([*row, "", cell])
        i += 1
    return out.getvalue().encode(encoding)


def old_peek_columns(data: bytes, delimiter: str, columns: tuple[str, ...]) -> list[tuple]:
    """The whole-file reading this replaced: the reference its results must equal."""
    csv.field_size_limit(csvformat.MAX_FIELD_CHARS)
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


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"a,b\n",
        b"a,b\n1,2",
        b"id,lang\n1,fr\n2\n3,ru,x\n4, en \n",
        b'id,lang\n"1\n2",fr\n"3""",ru\n',
        b'id,lang\n1,"fr\n',
        b"id;lang\n1;fr\n2;\xe9\n",
        b'id,lang\n1,fr\n"' + b"x" * 100_001 + b'",ru\n5,en\n',
        b"x,y\n1,2\n",
    ],
)
def test_peek_reads_what_the_whole_file_reading_read(data: bytes) -> None:
    delimiter = ";" if b";" in data else ","
    assert csvformat.peek_columns(data, delimiter, ("id", "lang")) == old_peek_columns(
        data, delimiter, ("id", "lang")
    )


def test_peek_of_an_articles_file_reads_every_row_as_before() -> None:
    data = articles_csv(300_000)
    columns = ("article_id", "language", "file")
    assert csvformat.peek_columns(data, ",", columns) == old_peek_columns(data, ",", columns)
    assert len(csvformat.peek_columns(data, ",", columns)) > 100


def test_a_line_too_long_for_any_row_ends_the_peek_unread() -> None:
    """An endless line (no LF) cannot be a row: peeking stops there instead of decoding it."""
    header = b"id,lang\n1,fr\n"
    data = header + b"2," * (3 * csvformat.MAX_FIELD_CHARS) + b"\n3,ru\n"
    assert csvformat.peek_columns(data, ",", ("id", "lang")) == [("1", "fr")]


@pytest.mark.parametrize("encoding", ["utf-8", "cp1252"])
def test_peeking_at_articles_holds_rows_not_the_file(hang_guard, encoding: str) -> None:
    data = articles_csv(30 * MB, encoding)
    with hang_guard(120):
        rows, peak = traced_peak(lambda: csvformat.peek_articles(data, ("article_id", "file")))
    assert len(rows) > 10_000
    held = sum(len(a) + len(f) + 140 for a, f in rows)  # the ids returned, with their objects
    assert peak < held + 20 * NOTE_CHARS + MB, (peak, held)  # was 5x the file: 150 MB
    assert peak < len(data) / 5


def test_an_endless_line_is_peeked_at_in_bounded_memory(hang_guard) -> None:
    data = (",".join(contract.ARTICLE_COLUMNS) + "\n").encode() + b"x," * (15 * MB) + b"\n"
    with hang_guard(120):
        rows, peak = traced_peak(lambda: csvformat.peek_articles(data, ("article_id",)))
    assert rows == []
    assert peak < 3 * csvformat._longest_row(len(contract.ARTICLE_COLUMNS)) + MB, peak


@pytest.mark.parametrize(("encoding", "language"), [("cp1252", "fr"), ("cp1251", "ru")])
def test_guessing_a_legacy_encoding_holds_pieces_not_the_file(
    hang_guard, encoding: str, language: str
) -> None:
    """The whole guess (strict UTF-8, the articles' languages, mixed encodings, each candidate's
    reading) on a file that is not UTF-8: every decode is of a piece, never of the file."""
    data = articles_csv(30 * MB, encoding, language)

    def sniff() -> tuple[bytes, csvformat.Dialect, object]:
        return csvformat.sniff(
            "articles.csv",
            data,
            contract.ARTICLE_COLUMNS,
            lambda d, delim: {g for (g,) in csvformat.peek_columns(d, delim, ("language",))},
        )

    with hang_guard(120):
        (normalised, dialect, warning), peak = traced_peak(sniff)
    assert dialect.encoding == encoding and warning is not None
    assert normalised is data  # LF-terminated already: not even the bytes are copied
    assert peak < 6 * csvformat._CHUNK_BYTES + MB, peak  # was over 5x the file: 150 MB
