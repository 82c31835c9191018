"""Quotes compare whitespace-insensitively, through the whole validator, and never crash it.

A curator copies a quote from a browser or a PDF: no-break spaces, tabs, line breaks and double
spaces come with it. Any run of Unicode whitespace in a quote matches any run in the article
(data/README.md, curation rule 7), the figure in it is read the same way, and the problems of a
drop are reported under the drop's own file and line.
"""

from __future__ import annotations

import csv
import random
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from troopclaims.checks import quotes, validate

DROPS = Path(__file__).parent / "fixtures" / "drops"
SPACINGS = {
    "plain": " ",
    "no-break": "\u00a0",
    "narrow no-break": "\u202f",
    "tab": "\t",
    "newline": "\n",
    "CRLF inside the cell": "\r\n",
    "two spaces": "  ",
    "mixed": " \u00a0\t ",
}


def _drop_with_spacing(folder: Path, spacing: str) -> Path:
    """The valid fixture drop, every space in every quote replaced by ``spacing``."""
    shutil.copytree(DROPS / "valid", folder)
    (folder / "expected.json").unlink()
    path = folder / "claims.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    for row in rows:
        row["quote"] = row["quote"].replace(" ", spacing)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return folder


@pytest.mark.parametrize("spacing", list(SPACINGS.values()), ids=list(SPACINGS))
def test_a_drop_validates_whatever_whitespace_its_quotes_hold(tmp_path: Path, spacing) -> None:
    drop = _drop_with_spacing(tmp_path / "drop", spacing)
    report = validate.validate_sources(validate.candidate_sources(drop))
    assert report.ok, [p.format() for p in report.problems]
    assert not report.warnings


def test_a_broken_quote_in_a_drop_is_blamed_on_the_drop_line(tmp_path: Path) -> None:
    drop = _drop_with_spacing(tmp_path / "drop", "\u00a0")
    text = (drop / "claims.csv").read_text(encoding="utf-8")
    (drop / "claims.csv").write_text(text.replace("nord-coréens", "sud-coréens"), "utf-8")
    report = validate.validate_sources(validate.candidate_sources(drop))
    [problem] = [p for p in report.errors if p.column == "quote"]
    assert problem.file.endswith("drop/claims.csv") and problem.line == 2


def test_columns_concatenated_from_several_files_are_handled() -> None:
    """pandas keeps a column read from two files as two Arrow chunks (the old crash)."""
    first = pd.Series(["environ\u00a03\t000\nsoldats  nord-coréens"], dtype="str")
    second = pd.Series(["absent", None], dtype="str")
    column = pd.concat([first, second], ignore_index=True)
    texts = {"a": quotes.normalize_whitespace("environ 3 000 soldats nord-coréens")}
    found = quotes.quotes_in_articles(column, pd.Series(["a", "a", "a"]), texts)
    assert found.tolist() == [True, False, False]


def _random_text(rng: random.Random) -> str:
    alphabet = "ab é\u0301\u00a0\t\n\r\x00\x1b\u200b\u202e\ud800\U0001f600,\"'«»"
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))


def test_the_quote_check_never_raises_on_any_string() -> None:
    rng = random.Random(8)
    values: list[object] = [_random_text(rng) for _ in range(2000)]
    values += [None, np.nan, 3, "", "x" * 200_000]
    sample = "".join(str(v) for v in values[:50]).replace("\ud800", "")
    article = quotes.normalize_whitespace(sample)
    found = quotes.quotes_in_articles(
        pd.Series(values, dtype=object), pd.Series(["a"] * len(values)), {"a": article}
    )
    assert found.dtype == bool and len(found) == len(values)
    # the scalar rule agrees wherever it applies (strings Python can encode)
    for value, hit in zip(values, found, strict=True):
        if isinstance(value, str) and "\ud800" not in value:
            assert hit == quotes.quote_in_text(value, article), repr(value)


def test_the_figure_in_a_quote_is_read_whitespace_insensitively() -> None:
    from troopclaims.checks import numbers

    quote = pd.Series(["environ 3\t000\nsoldats", "environ 3\u00a0000 soldats"])
    found = numbers.figures_in_quotes(pd.Series(["3000", "3000"]), quote, pd.Series(["fr"] * 2))
    assert found.tolist() == [True, True]
