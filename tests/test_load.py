"""The loader types the data and says clearly which file or column is wrong."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from troopclaims import contract, load
from troopclaims.problems import DataError


def test_claims_are_typed() -> None:
    claims = load.load_claims()
    assert str(claims["figure"].dtype) == "Int64"
    assert isinstance(claims["kind"].dtype, pd.CategoricalDtype)
    assert list(claims["kind"].cat.categories) == list(contract.KINDS)
    assert pd.api.types.is_datetime64_any_dtype(claims["statement_date"])
    est = claims[claims["kind"] == "troop_estimate"]
    assert est["figure"].notna().all()
    assert claims.loc[claims["kind"] != "troop_estimate", "figure"].isna().all()


def test_articles_are_typed() -> None:
    articles = load.load_articles()
    assert pd.api.types.is_datetime64_any_dtype(articles["published_date"])
    assert (articles["outlet"] == "unknown").all()


def test_missing_file_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(DataError) as info:
        load.read_raw_claims(tmp_path / "nope.csv")
    assert "nope.csv" in str(info.value)
    assert "file not found" in str(info.value)


def test_missing_column_names_the_column(tmp_path: Path) -> None:
    cols = [c for c in contract.CLAIM_COLUMNS if c != "quote"]
    path = tmp_path / "claims.csv"
    path.write_text(",".join(cols) + "\n" + ",".join("x" for _ in cols) + "\n", encoding="utf-8")
    with pytest.raises(DataError) as info:
        load.read_raw_claims(path)
    [problem] = info.value.problems
    assert problem.column == "quote"
    assert problem.line == 1
    assert "missing" in problem.rule


def test_multiline_field_keeps_true_line_numbers(tmp_path: Path) -> None:
    header = ",".join(contract.ARTICLE_COLUMNS)
    row = 'A9,a.txt,"two\nlines",unknown,fr,,unknown,unknown,,'
    path = tmp_path / "articles.csv"
    path.write_text(f"{header}\n{row}\n{row.replace('A9', 'A8')}\n", encoding="utf-8")
    frame = load.read_raw_articles(path)
    assert list(frame[load.LINE_COLUMN]) == [2, 4]
    assert frame["title"].iloc[0] == "two\nlines"


def test_empty_cells_stay_empty_strings() -> None:
    raw = load.read_raw_claims()
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


def test_missing_columns_can_be_left_to_validation(tmp_path: Path) -> None:
    cols = [c for c in contract.CLAIM_COLUMNS if c != "note"] + ["extra"]
    path = tmp_path / "claims.csv"
    path.write_text(",".join(cols) + "\n" + ",".join("x" for _ in cols) + "\n", encoding="utf-8")
    frame = load.read_raw_csv(path, contract.CLAIM_COLUMNS, check_columns=False)
    assert "extra" in frame.columns and "note" not in frame.columns


def test_long_values_are_truncated_after_control_characters_are_made_visible() -> None:
    from troopclaims.problems import Problem

    shown = Problem("f.csv", "rule", value="a\tb" + "x" * 200).short_value()
    assert shown.startswith("a\\tb") and shown.endswith("…") and "\\u2026" not in shown
