"""Dates derived from evidence (issue 15): each rule of ``dating`` pinned on a small frame.

A claim's interval comes from its article's date (above), the claim it reacts to (below), a
weekday its quote names (both sides), its typed values, and closes on a day when both sides
meet; every side carries a reason naming the claim or article it comes from.
"""

from __future__ import annotations

import pandas as pd
import pytest

from troopclaims.checks import dating


def _derived(claims: list[dict], articles: list[dict]) -> tuple[pd.DataFrame, dating.Derived]:
    """``claims`` (dicts with a few cells; the rest empty) as a frame, and what dating derives."""
    columns = ("claim_id", "article_id", "statement_date", "date_precision", "date_basis",
               "earliest_date", "earliest_basis", "latest_date", "latest_basis",
               "anchor_claim_id", "quote")  # fmt: skip
    frame = pd.DataFrame(
        [{c: r.get(c, "") for c in columns} for r in claims], columns=list(columns), dtype=object
    )
    arts = pd.DataFrame(
        [
            {"published_date": "", "date_precision": "unknown", "language": "fr", **a}
            for a in articles
        ]
    )
    return frame, dating.derive(frame, arts)


def derive(claims: list[dict], articles: list[dict]) -> pd.DataFrame:
    """The derived columns of ``claims``, by claim id."""
    frame, derived = _derived(claims, articles)
    return derived.frame.set_axis(frame["claim_id"])


def day(text: str) -> pd.Timestamp:
    return pd.Timestamp(text)


ARTICLE_18 = {"article_id": "A", "published_date": "2024-10-18", "date_precision": "day"}
UNDATED = {"article_id": "B"}
NIS = {
    "claim_id": "A-01",
    "article_id": "A",
    "statement_date": "2024-10-18",
    "date_precision": "day",
    "date_basis": "stated",
    "quote": "ce vendredi 18 octobre",
}


def test_the_article_date_bounds_from_above_and_an_anchor_from_below() -> None:
    claims = [NIS, {"claim_id": "B-01", "article_id": "B", "anchor_claim_id": "A-01", "quote": "x"}]
    out = derive(claims, [ARTICLE_18, UNDATED]).loc["B-01"]
    assert out["derived_earliest"] == day("2024-10-18")
    assert pd.isna(out["derived_latest"])  # an undated article bounds nothing
    assert out["derived_precision"] == "bounded"
    assert out["derived_earliest_reason"] == "reacts to A-01, made on 2024-10-18"


def test_bounds_that_meet_give_the_day() -> None:
    """'Peu de temps après' the report of 18 October, in an article of 18 October."""
    claims = [NIS, {"claim_id": "A-02", "article_id": "A", "anchor_claim_id": "A-01", "quote": "x"}]
    out = derive(claims, [ARTICLE_18]).loc["A-02"]
    assert out["derived_date"] == out["derived_earliest"] == out["derived_latest"]
    assert out["derived_date"] == day("2024-10-18")
    assert out["derived_precision"] == "day"
    assert out["derived_latest_reason"] == "the date of its article A"


def test_a_weekday_moves_each_known_bound_to_such_a_day_inside() -> None:
    """'Lundi' after Friday 18 October: 21 October at the earliest; in an article of Thursday
    31 October, 28 October at the latest."""
    article = {"article_id": "C", "published_date": "2024-10-31", "date_precision": "day"}
    claims = [NIS, {"claim_id": "C-01", "article_id": "C", "anchor_claim_id": "A-01",
                    "quote": "Lundi, le porte-parole a dit"}]  # fmt: skip
    out = derive(claims, [ARTICLE_18, article]).loc["C-01"]
    assert (out["derived_earliest"], out["derived_latest"]) == (
        day("2024-10-21"),
        day("2024-10-28"),
    )
    assert out["derived_earliest_reason"] == (
        "the first 'lundi' on or after 2024-10-18 (reacts to A-01, made on 2024-10-18)"
    )
    assert out["derived_latest_reason"].startswith("the last 'lundi' on or before 2024-10-31")


def test_anchors_are_followed_along_a_chain() -> None:
    claims = [
        {"claim_id": "B-02", "article_id": "B", "anchor_claim_id": "B-01", "quote": "x"},
        {"claim_id": "B-01", "article_id": "B", "anchor_claim_id": "A-01", "quote": "Lundi"},
        NIS,
    ]
    out = derive(claims, [ARTICLE_18, UNDATED])
    assert out.loc["B-02", "derived_earliest"] == day("2024-10-21")
    assert (
        out.loc["B-02", "derived_earliest_reason"] == "reacts to B-01, made on or after 2024-10-21"
    )


def test_a_week_date_is_cut_to_its_article_date() -> None:
    week = {"statement_date": "2024-10-17", "date_precision": "week"}
    claims = [{"claim_id": "A-03", "article_id": "A", "date_basis": "inferred_context", **week}]
    out = derive(claims, [ARTICLE_18]).loc["A-03"]
    assert (out["derived_earliest"], out["derived_latest"]) == (
        day("2024-10-14"),
        day("2024-10-18"),
    )
    assert (out["derived_date"], out["derived_precision"]) == (day("2024-10-17"), "week")
    assert out["derived_earliest_reason"] == "statement_date as typed (inferred_context, week)"


def test_a_month_date_spans_its_month() -> None:
    claims = [{"claim_id": "B-03", "article_id": "B", "statement_date": "2024-10-01",
               "date_precision": "month", "date_basis": "stated", "quote": "x"}]  # fmt: skip
    out = derive(claims, [UNDATED]).loc["B-03"]
    assert (out["derived_earliest"], out["derived_latest"]) == (
        day("2024-10-01"),
        day("2024-10-31"),
    )


def test_a_typed_day_is_not_moved_by_a_weekday() -> None:
    """A day the curator typed is checked by its own rule, never shifted."""
    claims = [{"claim_id": "B-04", "article_id": "B", "statement_date": "2024-10-22",
               "date_precision": "day", "date_basis": "stated", "quote": "Lundi"}]  # fmt: skip
    assert derive(claims, [UNDATED]).loc["B-04", "derived_date"] == day("2024-10-22")


def test_nothing_known_stays_unknown_and_a_loop_adds_nothing() -> None:
    claims = [
        {"claim_id": "B-05", "article_id": "B", "anchor_claim_id": "B-06", "quote": "x"},
        {"claim_id": "B-06", "article_id": "B", "anchor_claim_id": "B-05", "quote": "x"},
        {"claim_id": "B-07", "article_id": "B", "anchor_claim_id": "Z-99", "quote": "x"},
    ]
    out = derive(claims, [UNDATED])
    assert (out["derived_precision"] == "unknown").all()
    assert out[["derived_earliest", "derived_latest", "derived_date"]].isna().all().all()
    assert dating.describe(pd.NaT, None, pd.NaT, None).startswith("no date or bound")


@pytest.mark.parametrize("far", ["2999-01-01", "9999-12-31", "0001-01-01"])
def test_dates_far_from_today_derive_without_overflow(far: str) -> None:
    """A drop's typed date may be any real date: deriving must not crash on it (the future-date
    rule reports it)."""
    claims = [{"claim_id": "B-08", "article_id": "B", "earliest_date": far,
               "earliest_basis": "inferred_context", "quote": "Lundi"}]  # fmt: skip
    out = derive(claims, [UNDATED]).loc["B-08"]
    assert dating.iso(out["derived_earliest"])[:4] == far[:4]


def test_only_the_claims_on_a_loop_are_on_it_not_those_reacting_to_one() -> None:
    claims = [
        {"claim_id": "B-05", "article_id": "B", "anchor_claim_id": "B-06", "quote": "x"},
        {"claim_id": "B-06", "article_id": "B", "anchor_claim_id": "B-05", "quote": "x"},
        {"claim_id": "B-07", "article_id": "B", "anchor_claim_id": "B-05", "quote": "x"},
        {"claim_id": "B-08", "article_id": "B", "anchor_claim_id": "B-07", "quote": "x"},
        {"claim_id": "B-09", "article_id": "B", "anchor_claim_id": "B-09", "quote": "x"},
    ]
    frame, derived = _derived(claims, [UNDATED])
    loop = derived.anchor_loop
    assert dict(zip(frame["claim_id"], loop, strict=True)) == {
        "B-05": True, "B-06": True, "B-07": False, "B-08": False, "B-09": True,
    }  # fmt: skip
