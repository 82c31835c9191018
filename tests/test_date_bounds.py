"""Date bounds and anchors (issue 11, item 2): what a curator may infer from another article.

A drop of two invented articles: T900 (dated 2024-10-24) reports a statement made 'Mardi'
(T900-02, 2024-10-22); T901 (undated) reports a summons 'En réaction' to it (bounded below by
T900-02) and a denial made 'Lundi' (dated by T900-02 to the following Monday). The valid drop
passes; each broken drop changes one or two cells and must get exactly one error, located by
file, line, column and value, with the rule in words.
"""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pandas as pd
import pytest
import raw_files

from troopclaims import cli, config, contract
from troopclaims.checks import dating, validate
from troopclaims.store import process

VALID = Path(__file__).parent / "fixtures" / "drops" / "valid"
T901_TEXT = (
    "Article de test inventé pour la suite de tests de troopclaims (aucune source réelle).\n\n"
    "En réaction, le ministère a convoqué l'ambassadeur. Lundi, le porte-parole a démenti ces "
    "informations.\n"
)
T901 = {
    "article_id": "T901",
    "file": "901_fixture.txt",
    "title": "Article de test sans date (inventé)",
    "outlet": "unknown",
    "language": "fr",
    "published_date": "",
    "date_precision": "unknown",
    "date_basis": "unknown",
    "url": "",
    "note": "Invented for the test suite; not a real article. No date.",
}
SUMMONS = {  # line 4 of claims.csv
    "claim_id": "T901-01",
    "article_id": "T901",
    "claimant": "le ministère",
    "claimant_group": "South Korea",
    "kind": "response",
    "category": "summons",
    "date_precision": "unknown",
    "date_basis": "unknown",
    "quote": "En réaction, le ministère a convoqué l'ambassadeur.",
    "note": "'En réaction' to the Japanese concern of T900-02 (2024-10-22): on or after it.",
    "earliest_date": "2024-10-22",
    "earliest_basis": "inferred_other_article",
    "anchor_claim_id": "T900-02",
}
DENIAL = {  # line 5
    "claim_id": "T901-02",
    "article_id": "T901",
    "claimant": "le porte-parole",
    "claimant_group": "Russia",
    "kind": "response",
    "category": "denial",
    "statement_date": "2024-10-28",
    "date_precision": "day",
    "date_basis": "inferred_other_article",
    "quote": "Lundi, le porte-parole a démenti ces informations.",
    "note": "'Lundi': the Monday after T900-02 (Tuesday 2024-10-22).",
    "anchor_claim_id": "T900-02",
}
LINES = {"T900-01": 2, "T900-02": 3, "T901-01": 4, "T901-02": 5}


@pytest.fixture(autouse=True)
def _summaries_to_tmp(tmp_path: Path, monkeypatch) -> None:
    """Validation summaries of test runs go to a scratch folder, not the real reports/."""
    monkeypatch.setattr(config, "VALIDATION_DIR", tmp_path / "validation")


def _csv(columns, rows: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    writer.writerows({c: r.get(c, "") for c in columns} for r in rows)
    return out.getvalue()


def make_drop(tmp_path: Path, changes: dict[str, dict[str, str]] | None = None) -> Path:
    """The valid drop plus T901 and its two claims, with ``changes`` (claim id -> cells)."""
    drop = tmp_path / "bounds"
    shutil.copytree(VALID, drop)
    (drop / "articles" / T901["file"]).write_text(T901_TEXT, encoding="utf-8")
    with (drop / "articles.csv").open("a", encoding="utf-8", newline="") as out:
        out.write(_csv(contract.ARTICLE_COLUMNS, [T901]).split("\n", 1)[1])
    with (drop / "claims.csv").open(encoding="utf-8", newline="") as src:
        rows = list(csv.DictReader(src))
    rows += [dict(SUMMONS), dict(DENIAL)]
    for row in rows:
        row.update((changes or {}).get(row["claim_id"], {}))
    (drop / "claims.csv").write_text(_csv(contract.CLAIM_COLUMNS, rows), encoding="utf-8")
    return drop


def errors_of(drop: Path) -> list:
    return validate.validate_sources(validate.candidate_sources(drop)).errors


def test_valid_bounds_and_anchors_pass(tmp_path: Path) -> None:
    assert errors_of(make_drop(tmp_path)) == []


def test_an_anchor_may_be_a_claim_of_the_existing_dataset(tmp_path: Path) -> None:
    """A002-01 is the North Korean denial at the UN session of Monday 21 October 2024."""
    changes = {"T901-01": {"earliest_date": "2024-10-21", "anchor_claim_id": "A002-01"}}
    assert errors_of(make_drop(tmp_path, changes)) == []


def test_the_validated_bounds_are_typed_as_dates(tmp_path: Path) -> None:
    claims = raw_files.read_raw_claims(make_drop(tmp_path) / "claims.csv")
    typed = process.type_claims(claims).set_index("claim_id")
    assert typed.loc["T901-01", "earliest_date"] == pd.Timestamp("2024-10-22")
    assert typed.loc["T901-01", "earliest_basis"] == "inferred_other_article"
    assert typed.loc["T901-02", "anchor_claim_id"] == "T900-02"


# claim id, cells changed, then the one error: column, value, a fragment of the rule
BROKEN = {
    "bound_not_a_date": (
        "T901-01",
        {"earliest_date": "2024-10-32"},
        "earliest_date",
        "2024-10-32",
        "earliest_date must be a real date written YYYY-MM-DD",
    ),
    "bound_in_future": (
        "T901-01",
        {
            "earliest_date": "2999-01-01",
            "earliest_basis": "inferred_context",
            "anchor_claim_id": "",
        },
        "earliest_date",
        "2999-01-01",
        "earliest_date is in the future",
    ),
    "bound_after_article": (
        "T900-01",
        {"latest_date": "2024-10-25", "latest_basis": "inferred_context"},
        "latest_date",
        "2024-10-25",
        "latest_date is after its article's published_date",
    ),
    "basis_without_date": (
        "T901-01",
        {"earliest_date": ""},
        "earliest_basis",
        "inferred_other_article",
        "earliest_basis is required exactly when earliest_date is given",
    ),
    "date_without_basis": (
        "T901-01",
        {"earliest_basis": "", "anchor_claim_id": ""},
        "earliest_basis",
        "",
        "earliest_basis is required exactly when earliest_date is given",
    ),
    "basis_unknown": (
        "T901-01",
        {"earliest_basis": "unknown", "anchor_claim_id": ""},
        "earliest_basis",
        "unknown",
        "earliest_basis must not be 'unknown'",
    ),
    "basis_not_in_vocabulary": (
        "T901-01",
        {"earliest_basis": "guessed", "anchor_claim_id": ""},
        "earliest_basis",
        "guessed",
        "earliest_basis must be one of",
    ),
    "latest_before_earliest": (
        "T901-01",
        {"latest_date": "2024-10-21", "latest_basis": "inferred_context"},
        "latest_date",
        "2024-10-21",
        "latest_date must not be before earliest_date",
    ),
    "bound_beside_statement_date": (
        "T901-02",
        {"earliest_date": "2024-10-22", "earliest_basis": "inferred_context"},
        "earliest_date",
        "2024-10-22",
        "earliest_date must be empty when statement_date is given",
    ),
    "anchor_missing": (
        "T901-01",
        {"anchor_claim_id": ""},
        "anchor_claim_id",
        "",
        "anchor_claim_id is required when date_basis, earliest_basis or latest_basis",
    ),
    "anchor_unknown": (
        "T901-01",
        {"anchor_claim_id": "T999-01"},
        "anchor_claim_id",
        "T999-01",
        "anchor_claim_id must name a claim in the dataset",
    ),
    "anchor_undated": (
        "T901-01",
        {"anchor_claim_id": "T900-01"},
        "anchor_claim_id",
        "T900-01",
        "anchor_claim_id must name a claim whose day or earliest day is known",
    ),
    "statement_before_anchor": (
        "T901-02",
        {"statement_date": "2024-10-21"},  # a Monday, as the quote says, but before T900-02
        "statement_date",
        "2024-10-21",
        "statement_date contradicts the evidence, which gives on or after 2024-10-22 (reacts "
        "to T900-02, made on 2024-10-22)",
    ),
    "latest_contradicts_the_anchor": (
        "T901-01",
        {
            "earliest_date": "",
            "earliest_basis": "",
            "latest_date": "2024-10-21",
            "latest_basis": "inferred_context",
        },
        "latest_date",
        "2024-10-21",
        "latest_date contradicts the evidence, which gives on or after 2024-10-22 (reacts to "
        "T900-02, made on 2024-10-22)",
    ),
    "anchor_loops_back": (
        "T901-01",
        {"anchor_claim_id": "T901-01"},
        "anchor_claim_id",
        "T901-01",
        "anchor_claim_id must not lead back to the claim itself",
    ),
    "weekday_mismatch": (
        "T901-02",
        {"statement_date": "2024-10-29"},
        "statement_date",
        "2024-10-29",
        "the quote names 'lundi' but statement_date 2024-10-29 is a 'mardi' (inferred from "
        "T900-02)",
    ),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_broken_bound_or_anchor_is_located(case: str, tmp_path: Path) -> None:
    claim_id, cells, column, value, rule = BROKEN[case]
    drop = make_drop(tmp_path, {claim_id: cells})
    errors = errors_of(drop)
    assert len(errors) == 1, [p.format() for p in errors]
    [problem] = errors
    assert problem.file == config.display_path(drop / "claims.csv")
    assert problem.line == LINES[claim_id]
    assert problem.column == column
    assert problem.value == value
    assert rule in problem.rule


def test_an_anchor_in_the_same_article_bounds_the_claim(tmp_path: Path) -> None:
    """'Peu de temps après' a claim of the same article: the anchor may be in it (issue 15)."""
    changes = {"T901-01": {"earliest_date": "", "earliest_basis": "", "anchor_claim_id": "T901-02"}}
    drop = make_drop(tmp_path, changes)
    assert errors_of(drop) == []
    claims = process.type_claims(raw_files.read_raw_claims(drop / "claims.csv"))
    articles = process.type_articles(raw_files.read_raw_articles(drop / "articles.csv"))
    derived = dating.with_derived(claims, articles).set_index("claim_id")
    assert derived.loc["T901-01", "derived_earliest"] == pd.Timestamp("2024-10-28")
    assert (
        derived.loc["T901-01", "derived_earliest_reason"] == "reacts to T901-02, made on 2024-10-28"
    )


def test_a_typed_bound_looser_than_the_evidence_is_a_warning_naming_the_tighter_day(
    tmp_path: Path,
) -> None:
    """'Lundi' after Tuesday 22 October is 28 October at the earliest: a typed earliest_date of
    22 October (the anchor's own day, as contract version 2 asked) is looser than that."""
    changes = {
        "T901-02": {
            "statement_date": "",
            "date_precision": "unknown",
            "date_basis": "unknown",
            "earliest_date": "2024-10-22",
            "earliest_basis": "inferred_other_article",
        }
    }
    report = validate.validate_sources(validate.candidate_sources(make_drop(tmp_path, changes)))
    assert report.errors == []
    [warning] = [p for p in report.problems if p.column == "earliest_date"]
    assert (warning.line, warning.value, warning.severity) == (5, "2024-10-22", "warning")
    assert "write 2024-10-28" in warning.rule
    assert "the first 'lundi' on or after 2024-10-22" in warning.rule


def test_the_cli_prints_the_located_message(tmp_path: Path, capsys) -> None:
    drop = make_drop(tmp_path, {"T901-02": {"statement_date": "2024-10-29"}})
    assert cli.main(["validate", str(drop)]) == 1
    out = "".join(capsys.readouterr())
    where = f"ERROR {config.display_path(drop / 'claims.csv')}:5: column 'statement_date'"
    assert f"{where}: value '2024-10-29': the quote names 'lundi'" in out
    assert "Traceback" not in out


@pytest.mark.parametrize(
    ("quote", "language", "expected"),
    [
        ("Lundi, le porte-parole a affirmé", "fr", {0}),
        ("a déclaré vendredi Paris", "fr", {4}),
        ("mercredi ou jeudi", "fr", {2, 3}),
        ("On Monday the spokesman said", "en", {0}),
        ("les lundis", "fr", {0}),
        ("sans jour nommé", "fr", set()),
        ("amardi", "fr", set()),  # a name inside a word is not a day
        # the accusative that dates an event, and the apostrophes writers type
        ("В среду министр заявил", "ru", {2}),
        ("в пятницу и в субботу", "ru", {4, 5}),
        ("в воскресенье", "ru", {6}),
        ("у п'ятницю", "uk", {4}),
        ("у середу і в неділю", "uk", {2, 6}),
        ("П’ятниця", "uk", {4}),
    ],
)
def test_weekday_names_come_from_the_language(quote: str, language: str, expected: set) -> None:
    assert dating.named_weekdays(quote, language) == expected


def _dated_to_october(drop: Path) -> Path:
    """The drop with its article T900 typed to the month of October 2024 (its first day)."""
    articles = drop / "articles.csv"
    text = articles.read_text(encoding="utf-8")
    assert "2024-10-24,day,stated," in text
    articles.write_text(text.replace("2024-10-24,day,stated,", "2024-10-01,month,stated,"), "utf-8")
    return drop


def test_an_article_dated_to_its_month_may_report_any_day_of_that_month(tmp_path: Path) -> None:
    """An article typed to the month (recorded on its first day) may be from its last day: a
    claim of that month is not after it, one of the next month is."""
    report = validate.validate_sources(
        validate.candidate_sources(_dated_to_october(make_drop(tmp_path)))
    )
    after = [p for p in report.problems if "after its article's published_date" in p.rule]
    assert after == []  # T900-02 on 22 October, T901's anchor on it: all within October
    late = {"T900-01": {"latest_date": "2024-11-02", "latest_basis": "inferred_context"}}
    [error] = errors_of(_dated_to_october(make_drop(tmp_path / "late", late)))
    assert (error.column, error.value) == ("latest_date", "2024-11-02")
    assert "latest_date is after its article's published_date" in error.rule
    # a date inside the article's month is still held against the rest of the evidence: the
    # anchor A002-01 was made on 21 October
    early = {
        "T900-02": {
            "statement_date": "2024-10-20",
            "date_basis": "stated",
            "anchor_claim_id": "A002-01",
            "note": "reacts to A002-01",
        }
    }
    [error] = errors_of(_dated_to_october(make_drop(tmp_path / "early", early)))
    assert (error.column, error.value) == ("statement_date", "2024-10-20")
    assert "statement_date contradicts the evidence" in error.rule


def test_an_article_dated_to_its_month_is_recorded_on_the_month_s_first_day(
    tmp_path: Path,
) -> None:
    """The dictionary's month rule covers both CSVs: an article's month date on its 15th is the
    same fault as a claim's."""
    drop = make_drop(tmp_path)
    articles = drop / "articles.csv"
    text = articles.read_text(encoding="utf-8")
    articles.write_text(text.replace("2024-10-24,day,stated,", "2024-10-15,month,stated,"), "utf-8")
    [error] = errors_of(drop)
    assert (error.file.endswith("articles.csv"), error.line, error.column, error.value) == (
        True,
        2,
        "published_date",
        "2024-10-15",
    )
    assert "the month's first day" in error.rule


def test_a_day_resolved_from_a_weekday_must_be_that_weekday_and_a_span_is_not_judged(
    tmp_path: Path,
) -> None:
    """T900-02's quote is dated by its 'Mardi': 23 October (a Wednesday) contradicts it. A week
    or a month date is a span (a month's is its 1st), which the weekday rule does not judge."""
    quote = {"quote": "Mardi, le porte-parole du ministère japonais des Affaires étrangères"}
    wrong = {"T900-02": {"statement_date": "2024-10-23", **quote}}
    [error] = errors_of(make_drop(tmp_path / "wrong", wrong))
    assert (error.column, error.value) == ("statement_date", "2024-10-23")
    assert error.rule.endswith("is a 'mercredi' (inferred_weekday)")
    month = {"T900-02": {"statement_date": "2024-10-01", "date_precision": "month", **quote}}
    assert errors_of(make_drop(tmp_path / "month", month)) == []


def test_a_bound_beside_a_statement_date_is_one_fault_with_one_message(tmp_path: Path) -> None:
    """'must be empty' is the fault; a warning advising a tighter day for the same cell would
    contradict it."""
    drop = tmp_path / "beside"
    shutil.copytree(VALID, drop)
    with (drop / "claims.csv").open(encoding="utf-8", newline="") as src:
        rows = list(csv.DictReader(src))
    rows[1].update(
        earliest_date="2024-10-01", earliest_basis="stated", latest_date="2024-10-30",
        latest_basis="stated", anchor_claim_id="A003-03",  # the anchor gives a lower bound
    )  # fmt: skip
    (drop / "claims.csv").write_text(_csv(contract.CLAIM_COLUMNS, rows), encoding="utf-8")
    report = validate.validate_sources(validate.candidate_sources(drop))
    about = [p for p in report.problems if p.column in ("earliest_date", "latest_date")]
    assert {p.severity for p in about} == {"error"}  # no advice to write a tighter day
    assert any("earliest_date must be empty when statement_date" in p.rule for p in about)


def _japan_in_the_week_of(day: str) -> dict[str, dict[str, str]]:
    """T900-02 (Japan's concern, article of 24 October) dated to the week of ``day``."""
    cells = {"statement_date": day, "date_precision": "week", "date_basis": "inferred_context"}
    return {"T900-02": cells}


def test_a_statement_date_after_its_article_is_an_error_not_a_published_contradiction(
    tmp_path: Path,
) -> None:
    """An article reports nothing later than itself: a typed statement_date after its article's
    last possible day is outside the evidence, an error like a bound there (data/README.md). As
    a warning it was let through, and processing then published derived_earliest (the typed
    day) after derived_latest (the article's day), with a derived_date of the article's day
    that neither the article nor the curator gave."""
    late = {"T900-02": {"statement_date": "2024-10-26", "date_basis": "stated"}}
    [error] = errors_of(make_drop(tmp_path, late))
    assert (error.column, error.value) == ("statement_date", "2024-10-26")
    assert "statement_date is after its article's published_date" in error.rule
    # the article's own day is not after it
    same = {"T900-02": {"statement_date": "2024-10-24", "date_basis": "stated"}}
    assert errors_of(make_drop(tmp_path / "same", same)) == []
    # a week or a month that begins by the article's day may be of the article's days: the
    # week of 25 October (22-28) meets an article of the 24th, and derivation cuts it to 22-24
    week = _japan_in_the_week_of("2024-10-25")
    assert errors_of(make_drop(tmp_path / "week", week)) == []
    later = _japan_in_the_week_of("2024-10-29")
    [error] = errors_of(make_drop(tmp_path / "later", later))  # 26 October on: all after it
    assert "statement_date is after its article's published_date" in error.rule
    # and such a week is still held against the rest of the evidence: 'Mardi' in the quote
    # puts the statement on 22 October at the latest, which the week of 26 (23-29) misses
    tuesday = _japan_in_the_week_of("2024-10-26")
    tuesday["T900-02"]["quote"] = (
        "Mardi, le porte-parole du ministère japonais des Affaires étrangères"
    )
    found = errors_of(make_drop(tmp_path / "tuesday", tuesday))
    [error] = [e for e in found if e.line == LINES["T900-02"]]
    assert (error.column, error.value) == ("statement_date", "2024-10-26")
    assert "contradicts the evidence" in error.rule and "2024-10-22" in error.rule
    # a day in the future is after every article: its own rule says so, once
    future = {"T900-01": {"latest_date": "2099-01-01", "latest_basis": "inferred_context"}}
    [error] = errors_of(make_drop(tmp_path / "future", future))
    assert error.rule == "latest_date is in the future"
