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
