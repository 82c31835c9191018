"""The loader types the data and says clearly which file or column is wrong."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pandas as pd
import pytest
import raw_files

from troopclaims import config, contract
from troopclaims.intake import csvformat, load, snapshot
from troopclaims.problems import DataError, Problem


def test_claims_are_typed() -> None:
    claims = raw_files.load_claims()
    assert str(claims["figure"].dtype) == "Int64"
    assert isinstance(claims["kind"].dtype, pd.CategoricalDtype)
    assert list(claims["kind"].cat.categories) == list(contract.KINDS)
    assert pd.api.types.is_datetime64_any_dtype(claims["statement_date"])
    est = claims[claims["kind"] == "troop_estimate"]
    assert est["figure"].notna().all()
    assert claims.loc[claims["kind"] != "troop_estimate", "figure"].isna().all()


def test_articles_are_typed() -> None:
    articles = raw_files.load_articles()
    assert pd.api.types.is_datetime64_any_dtype(articles["published_date"])
    assert (articles["outlet"] == "unknown").all()


def test_missing_file_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(DataError) as info:
        raw_files.read_raw_claims(tmp_path / "nope.csv")
    assert "nope.csv" in str(info.value)
    assert "file not found" in str(info.value)


def test_missing_column_names_the_column(tmp_path: Path) -> None:
    cols = [c for c in contract.CLAIM_COLUMNS if c != "quote"]
    path = tmp_path / "claims.csv"
    path.write_text(",".join(cols) + "\n" + ",".join("x" for _ in cols) + "\n", encoding="utf-8")
    with pytest.raises(DataError) as info:
        raw_files.read_raw_claims(path)
    [problem] = info.value.problems
    assert problem.column == "quote"
    assert problem.line == 1
    assert "missing" in problem.rule


def test_multiline_field_keeps_true_line_numbers(tmp_path: Path) -> None:
    header = ",".join(contract.ARTICLE_COLUMNS)
    row = 'A9,a.txt,"two\nlines",unknown,fr,,unknown,unknown,,'
    path = tmp_path / "articles.csv"
    path.write_text(f"{header}\n{row}\n{row.replace('A9', 'A8')}\n", encoding="utf-8")
    frame = raw_files.read_raw_articles(path)
    assert list(frame[load.LINE_COLUMN]) == [2, 4]
    assert frame["title"].iloc[0] == "two\nlines"


def test_empty_cells_stay_empty_strings() -> None:
    raw = raw_files.read_raw_claims()
    assert not raw.isna().any().any()


def test_fast_path_hands_malformed_quoting_to_the_strict_reader() -> None:
    """Files over CAREFUL_READ_MAX_BYTES take Arrow's lenient parser; a stray quote must not."""
    header = list(contract.ARTICLE_COLUMNS)
    row = 'A9,a.txt,"x""y",unknown,fr,,unknown,unknown,,'
    good = (",".join(header) + "\n" + row + "\n").encode()
    frame = load._fast_read(good, header)
    assert frame is not None and frame["title"].iloc[0] == 'x"y'
    bad = good.replace(b'"x""y"', b'"x"y', 1)
    assert load._fast_read(bad, header) is None
    with pytest.raises(DataError) as info:
        load._careful_read(Path("articles.csv"), bad, header)
    assert info.value.problems[0].line == 2


def test_a_stray_quote_in_the_header_is_a_located_error_not_a_crash(tmp_path: Path) -> None:
    """A file whose first line is not CSV (a script saved as claims.csv, a stray quote in the
    header) once ended in ``internal error``: the header was read outside the error handling."""
    path = tmp_path / "claims.csv"
    path.write_text('"""Not a CSV" file\nclaim_id\n', encoding="utf-8")
    with pytest.raises(DataError) as info:
        raw_files.read_raw_csv(path, contract.CLAIM_COLUMNS, check_columns=False)
    [problem] = info.value.problems
    assert problem.line == 1
    assert problem.rule.startswith("malformed CSV (")


def test_a_header_quote_left_open_is_refused_not_a_silently_lost_row(tmp_path: Path) -> None:
    """A header whose last name opens a quote that closes at the end of line 2 once took line
    2 into the header record: the file read with that claim row gone and nothing said."""
    cols = list(contract.CLAIM_COLUMNS)
    header = ",".join(cols[:-1]) + ',"' + cols[-1]
    rows = [",".join(f"v{i}" for i in range(len(cols))) for _ in range(3)]
    path = tmp_path / "claims.csv"
    path.write_text(f'{header}\n{rows[0]}"\n{rows[1]}\n{rows[2]}\n', encoding="utf-8")
    with pytest.raises(DataError) as info:
        raw_files.read_raw_csv(path, contract.CLAIM_COLUMNS, check_columns=False)
    [problem] = info.value.problems
    assert problem.line == 1
    assert problem.rule == load.HEADER_SPANS_RULE.format(last=2)


def test_an_overlong_header_field_says_a_quote_may_be_missing(tmp_path: Path) -> None:
    path = tmp_path / "claims.csv"
    lines = "x" * 70 + "\n"  # short lines: the quote opened in the header runs past the limit
    many = lines * (load.MAX_FIELD_CHARS // len(lines) + 10)
    path.write_text('claim_id,"note\n' + many, encoding="utf-8")
    with pytest.raises(DataError) as info:
        raw_files.read_raw_csv(path, contract.CLAIM_COLUMNS, check_columns=False)
    [problem] = info.value.problems
    assert problem.line == 1
    assert "(a missing closing quote?)" in problem.rule


def test_missing_columns_can_be_left_to_validation(tmp_path: Path) -> None:
    cols = [c for c in contract.CLAIM_COLUMNS if c != "note"] + ["extra"]
    path = tmp_path / "claims.csv"
    path.write_text(",".join(cols) + "\n" + ",".join("x" for _ in cols) + "\n", encoding="utf-8")
    frame = raw_files.read_raw_csv(path, contract.CLAIM_COLUMNS, check_columns=False)
    assert "extra" in frame.columns and "note" not in frame.columns


def test_long_values_are_truncated_after_control_characters_are_made_visible() -> None:
    from troopclaims.problems import Problem

    shown = Problem("f.csv", "rule", value="a\tb" + "x" * 200).short_value()
    assert shown.startswith("a\\tb") and shown.endswith("…") and "\\u2026" not in shown


# --- CSVs as a spreadsheet saved them ---------------------------------------------------------

ARTICLE_ROW = ["A9", "a.txt", "Déploiement « confirmé »", "unknown", "fr", "", "unknown", "unknown"]
ARTICLE_ROWS = [[*ARTICLE_ROW, "", "one line"], [*ARTICLE_ROW, "", "two\nlines; with, commas"]]


def articles_bytes(
    delimiter: str = ",", newline: str = "\n", encoding: str = "utf-8", rows=ARTICLE_ROWS
) -> bytes:
    """An articles CSV as an application writes it (minimal quoting, a cell's break as LF)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator=newline)
    writer.writerow(contract.ARTICLE_COLUMNS)
    writer.writerows([r[0].replace("A9", f"A{i}"), *r[1:]] for i, r in enumerate(rows))
    return out.getvalue().encode(encoding)


def read(tmp_path: Path, data: bytes, **kwargs) -> pd.DataFrame:
    path = tmp_path / "articles.csv"
    path.write_bytes(data)
    return raw_files.read_raw_csv(path, contract.ARTICLE_COLUMNS, **kwargs)


def test_bom_and_crlf_are_read_silently_with_true_line_numbers(tmp_path: Path) -> None:
    plain = read(tmp_path, articles_bytes())
    excel = read(tmp_path, b"\xef\xbb\xbf" + articles_bytes(newline="\r\n"))
    pd.testing.assert_frame_equal(plain, excel, check_like=True)
    assert list(excel[load.LINE_COLUMN]) == [2, 3]
    assert excel["note"].iloc[1] == "two\nlines; with, commas"  # Excel's in-cell LF, kept
    assert excel.attrs["read_as"] == "UTF-8 with BOM, comma delimiter, CRLF line endings"
    assert excel.attrs["read_warnings"] == []


@pytest.mark.parametrize(
    ("delimiter", "encoding", "said"),
    [
        (";", "utf-8", ["semicolon delimiter", "';' is the delimiter"]),
        ("\t", "utf-8", ["tab delimiter", "'\\t' is the delimiter"]),
        ("|", "utf-8", ["pipe delimiter"]),
        (",", "cp1252", ["read as Windows-1252", "not UTF-8 (bytes e9 70 on line 2)"]),
        (";", "cp1252", ["Windows-1252, semicolon delimiter", "(fr)"]),
    ],
)
def test_a_detected_reading_is_a_warning_that_says_what_was_detected(
    tmp_path: Path, delimiter: str, encoding: str, said: list[str]
) -> None:
    frame = read(tmp_path, articles_bytes(delimiter, "\r\n", encoding))
    pd.testing.assert_frame_equal(frame, read(tmp_path, articles_bytes()), check_like=True)
    [warning] = [Problem(**w) for w in frame.attrs["read_warnings"]]
    assert warning.severity == "warning" and warning.line == 1
    assert warning.file.endswith("articles.csv")
    for fragment in said:
        assert fragment in warning.rule, warning.rule
    assert "kept as received" in warning.rule and "CSV UTF-8" in warning.rule


def test_classic_mac_line_endings_are_read_with_a_warning(tmp_path: Path) -> None:
    frame = read(tmp_path, articles_bytes(newline="\r").replace(b"\n", b"\r"))
    assert list(frame[load.LINE_COLUMN]) == [2, 3]
    assert frame["note"].iloc[1] == "two\nlines; with, commas"
    assert "CR line endings" in frame.attrs["read_as"]
    assert "classic Mac OS" in frame.attrs["read_warnings"][0]["rule"]


def test_a_lone_carriage_return_among_lf_lines_is_a_located_error(tmp_path: Path) -> None:
    data = articles_bytes().replace(b"one line", b"one\rline")
    with pytest.raises(DataError) as info:
        read(tmp_path, data)
    [problem] = info.value.problems
    assert problem.line == 2 and "carriage return (CR) not followed by a line feed" in problem.rule


def test_utf16_is_refused_with_how_to_save_as_utf8(tmp_path: Path) -> None:
    text = articles_bytes("\t", "\r\n").decode()
    for data in (b"\xff\xfe" + text.encode("utf-16-le"), text.encode("utf-16-be")):
        with pytest.raises(DataError) as info:
            read(tmp_path, data)
        [problem] = info.value.problems
        assert problem.line == 1 and "UTF-16" in problem.rule
        assert "CSV UTF-8 (Comma delimited)" in problem.rule and "Google Sheets" in problem.rule


def test_the_delimiter_is_the_one_that_splits_line_1_into_the_contract(tmp_path: Path) -> None:
    header = ";".join(contract.ARTICLE_COLUMNS).encode()
    # commas inside the data do not matter: line 1 decides
    body = b"A1;a.txt;Un, deux, trois;unknown;fr;;unknown;unknown;;n\n"
    frame = read(tmp_path, header + b"\n" + body)
    assert frame["title"].iloc[0] == "Un, deux, trois"
    # an unknown column with ';': the column-set rule reports it, the delimiter still stands
    path = tmp_path / "articles.csv"
    path.write_bytes(header + b";extra\n" + body.replace(b"\n", b";x\n"))
    frame = raw_files.read_raw_csv(path, contract.ARTICLE_COLUMNS, check_columns=False)
    assert "extra" in frame.columns
    # a line 1 mixing ',' and ';' cannot be told
    mixed = header.replace(b";", b",", 3)
    with pytest.raises(DataError) as info:
        read(tmp_path, mixed + b"\n" + body)
    [problem] = info.value.problems
    assert problem.line == 1 and "cannot tell the delimiter" in problem.rule


def test_a_legacy_encoding_is_tried_only_for_the_articles_languages(tmp_path: Path) -> None:
    russian = [[*ARTICLE_ROW[:2], "Статья", "unknown", "ru", *ARTICLE_ROW[5:], "", "n"]]
    data = articles_bytes(rows=russian, encoding="cp1251")
    frame = read(tmp_path, data)  # its own language column says ru: Windows-1251
    assert frame["title"].iloc[0] == "Статья"
    assert frame.attrs["read_as"].startswith("Windows-1251")
    with pytest.raises(DataError) as info:  # told the articles are French: Windows-1252 only
        read(tmp_path, data, languages=["fr"])
    [problem] = info.value.problems
    assert problem.line == 2 and "Windows-1252, the encoding the articles' language (fr)" in (
        problem.rule
    )
    assert "'Ñòàòüÿ'" in problem.rule  # what the wrong reading would have been
    with pytest.raises(DataError) as info:  # no language, no guess
        read(tmp_path, data, languages=[])
    assert "no other encoding is tried" in info.value.problems[0].rule


def test_a_claims_file_takes_the_languages_of_the_articles_it_cites(tmp_path: Path) -> None:
    claims = pd.DataFrame([dict.fromkeys(contract.CLAIM_COLUMNS, "x")])
    claims["article_id"] = "R1"
    claims["quote"] = "около 3 000 солдат"
    path = tmp_path / "claims.csv"
    path.write_bytes(claims.to_csv(index=False, lineterminator="\r\n", sep=";").encode("cp1251"))
    frame = raw_files.read_raw_csv(path, contract.CLAIM_COLUMNS, article_languages={"R1": "ru"})
    assert frame["quote"].iloc[0] == "около 3 000 солдат"
    with pytest.raises(DataError):
        raw_files.read_raw_csv(path, contract.CLAIM_COLUMNS, article_languages={"R1": "fr"})


class Untouchable(dict):
    def __getitem__(self, key):
        raise AssertionError("a UTF-8 file needs no article languages")

    __contains__ = __getitem__


def test_a_utf8_file_never_asks_for_languages(tmp_path: Path) -> None:
    path = tmp_path / "claims.csv"
    path.write_bytes(config.RAW_CLAIMS_CSV.read_bytes())
    raw_files.read_raw_csv(path, contract.CLAIM_COLUMNS, article_languages=Untouchable())


def test_mixed_encodings_are_a_located_error_naming_both_lines(tmp_path: Path) -> None:
    utf8, cp1252 = articles_bytes(), articles_bytes(encoding="cp1252")
    header, row_1, _ = cp1252.split(b"\n", 2)
    data = header + b"\n" + row_1 + b"\n" + utf8.split(b"\n", 2)[2]
    with pytest.raises(DataError) as info:
        read(tmp_path, data)
    [problem] = info.value.problems
    assert problem.line == 2 and "mixes encodings: line 3 is UTF-8" in problem.rule
    assert "\\xe9" in (problem.value or "")


def test_reading_is_the_same_in_pieces_and_on_the_fast_path(tmp_path: Path, monkeypatch) -> None:
    """Legacy checks decode in pieces; large files take Arrow's path: neither changes a value."""
    rows = [[*ARTICLE_ROW[:2], f"Déploiement {i}", *ARTICLE_ROW[3:], "", "n"] for i in range(300)]
    data = articles_bytes(";", "\r\n", "cp1252", rows)
    careful = read(tmp_path, data)
    monkeypatch.setattr(csvformat, "_CHUNK_BYTES", 500)
    assert len(list(csvformat._chunks(data))) > 10
    pieces = read(tmp_path, data)
    monkeypatch.setattr(load, "CAREFUL_READ_MAX_BYTES", 100)
    fast = read(tmp_path, b"\xef\xbb\xbf" + articles_bytes(";", "\r\n", "utf-8", rows))
    fast_legacy = read(tmp_path, data)
    for frame in (pieces, fast, fast_legacy):
        pd.testing.assert_frame_equal(frame, careful, check_like=True, check_dtype=False)
    late = data.replace(b"D\xe9ploiement 250", "Déploiement 250".encode(), 1)  # UTF-8 at line 252
    with pytest.raises(DataError) as info:
        read(tmp_path, late)
    assert "line 252 is UTF-8" in info.value.problems[0].rule


def test_fast_path_reads_other_delimiters_and_refuses_a_stray_quote() -> None:
    header = list(contract.ARTICLE_COLUMNS)
    good = (";".join(header) + '\nA9;a.txt;"x;""y";unknown;fr;;unknown;unknown;;\n').encode()
    frame = load._fast_read(good, header, ";")
    assert frame is not None and frame["title"].iloc[0] == 'x;"y'
    assert load._fast_read(good.replace(b'"x;""y"', b'"x"y', 1), header, ";") is None


@pytest.mark.parametrize(
    "data",
    [b"", b"plain", "é’한".encode(), b"\xe9", b"\xc0\xaf", b"\xed\xa0\x80", b"\xf4\x90\x80\x80",
     b"ok\xe2\x82", b"\xef\xbb\xbfbom"],
)  # fmt: skip
def test_arrow_utf8_check_agrees_with_python(data: bytes) -> None:
    try:
        data.decode("utf-8")
        python = True
    except UnicodeDecodeError:
        python = False
    assert csvformat._is_utf8(data) is python


@pytest.mark.parametrize("cell", [b'""3000', b'""y"', b'"30"00', b'x"y', b'""""3000'])
def test_fast_path_hands_every_quote_run_rfc_4180_does_not_explain_to_the_strict_reader(
    cell: bytes,
) -> None:
    """A file's verdict must not depend on its size: what the strict reader refuses below
    CAREFUL_READ_MAX_BYTES, Arrow must not read above it (an empty quoted field run into text
    was read as 3000). A quote inside an unquoted field (`x"y`, which strict csv reads as
    written) goes to the strict reader too: only it reads such a file exactly."""
    header = ["a", "figure"]
    assert load._fast_read(b"a,figure\nx," + cell + b"\n", header) is None


@pytest.mark.parametrize(
    "cell", [b'"y"', b'""', b'"he said ""hi"""', b'"a, b"', b'""""', b'"x""y"', b"plain"]
)
def test_fast_path_reads_quoting_rfc_4180_allows(cell: bytes) -> None:
    header = ["a", "figure"]
    frame = load._fast_read(b"a,figure\nx," + cell + b"\n", header)
    expected = next(csv.reader(io.StringIO(cell.decode()), strict=True))[0]
    assert frame is not None and frame["figure"].iloc[0] == expected


def _with_ghost_columns(n: int, filled: str = "") -> bytes:
    """The valid drop's claims.csv as a spreadsheet saves it with ``n`` empty columns after the
    last one used: every line ends with ``n`` more cells (``filled`` in the first row's last)."""
    lines = (Path(__file__).parent / "fixtures/drops/valid/claims.csv").read_text("utf-8")
    out = [line + "," * n for line in lines.splitlines()]
    out[1] += filled  # the last empty cell of the first row, filled
    return ("\r\n".join(out) + "\r\n").encode()


@pytest.mark.parametrize("n", [1, 2])
def test_a_spreadsheet_s_empty_trailing_columns_are_ignored_with_a_warning(n: int) -> None:
    data = _with_ghost_columns(n)
    frame = raw_files.read_raw_csv(Path("claims.csv"), contract.CLAIM_COLUMNS, data=data)
    plain = raw_files.read_raw_csv(
        Path("claims.csv"),
        contract.CLAIM_COLUMNS,
        data=(Path(__file__).parent / "fixtures/drops/valid/claims.csv").read_bytes(),
    )
    pd.testing.assert_frame_equal(frame, plain)
    [warning] = [w for w in frame.attrs["read_warnings"] if "without a name" in w["rule"]]
    assert warning["severity"] == "warning" and warning["line"] == 1
    assert f"ends with {n} column(s) without a name" in warning["rule"]


def test_a_value_in_a_column_without_a_name_is_refused_where_it_is() -> None:
    with pytest.raises(DataError) as info:
        raw_files.read_raw_csv(
            Path("claims.csv"), contract.CLAIM_COLUMNS, data=_with_ghost_columns(2, "3000")
        )
    [problem] = info.value.problems
    width = len(contract.CLAIM_COLUMNS)
    assert (problem.line, problem.column, problem.value) == (2, f"column {width + 2}", "3000")
    assert problem.rule == load.GHOST_VALUE_RULE


def test_russian_s_own_mixed_case_words_are_plausible_windows_1251(tmp_path: Path) -> None:
    """«МиГ-29» and «КамАЗ» put a capital after a small letter once: Russian spelling, not a
    misread. Korean bytes read as Windows-1251 stay refused (here by the signs Russian does not
    use, which Korean text read so is full of)."""
    title = "Истребители МиГ-29 и грузовики КамАЗ"
    russian = [[*ARTICLE_ROW[:2], title, "unknown", "ru", *ARTICLE_ROW[5:], "", "n"]]
    frame = read(tmp_path, articles_bytes(rows=russian, encoding="cp1251"))
    assert frame["title"].iloc[0] == title
    korean = [
        [*ARTICLE_ROW[:2], "북한군 러시아 파병 소식", "unknown", "ru", *ARTICLE_ROW[5:], "", "n"]
    ]
    with pytest.raises(DataError):
        read(tmp_path, articles_bytes(rows=korean, encoding="cp949"))


def test_a_repeated_header_line_is_found_beside_empty_trailing_columns() -> None:
    data = _with_ghost_columns(2)
    first, rest = data.split(b"\r\n", 1)
    with pytest.raises(DataError) as info:
        raw_files.read_raw_csv(
            Path("claims.csv"),
            contract.CLAIM_COLUMNS,
            data=first + b"\r\n" + first + b"\r\n" + rest,
        )
    assert [(p.line, p.rule) for p in info.value.problems] == [
        (2, "the header line is repeated as a data row")
    ]


class _Tracked(bytes):
    """A decoded copy whose life is counted (bytes cannot be weakly referenced)."""

    alive = 0

    def __new__(cls, value: bytes) -> _Tracked:
        cls.alive += 1
        return super().__new__(cls, value)

    def __del__(self) -> None:
        type(self).alive -= 1


def test_the_intake_holds_one_decoded_copy_at_a_time(tmp_path: Path, monkeypatch) -> None:
    """A spreadsheet's CSV (CRLF, a byte-order mark) is normalised into a copy before it is
    parsed. Decoding every file of a run before parsing any held every copy at once (a run of
    several large drops, each copied); decoded as they are parsed, one is held at a time."""
    real = csvformat.sniff

    def tracked(*args, **kwargs):
        data, dialect, warning = real(*args, **kwargs)
        return _Tracked(data), dialect, warning

    held = []
    parse = load._parse_csv

    def parsing(name, data, *args, **kwargs):
        held.append(_Tracked.alive)
        return parse(name, data, *args, **kwargs)

    monkeypatch.setattr(csvformat, "sniff", tracked)
    monkeypatch.setattr(load, "_parse_csv", parsing)
    drops = []
    for k in range(3):
        drop = tmp_path / f"drop{k}"
        shutil.copytree(Path(__file__).parent / "fixtures" / "drops" / "valid", drop)
        claims = (drop / "claims.csv").read_bytes().replace(b"T900-0", f"T90{k}-0".encode())
        (drop / "claims.csv").write_bytes(b"\xef\xbb\xbf" + claims.replace(b"\n", b"\r\n"))
        drops.append(snapshot.drop_source(drop))
    tables = load.read_tables(drops)
    assert tables.error is None and len(tables.claims) == 6
    assert held and max(held) == 1, held
