"""The analysis behind the report: keys, discrepancies, response lags, first responses.

Synthetic frames pin each rule down in isolation; the real-data tests check the findings the
issue names (the 12 000 framed three ways, NATO and the US doubting then affirming, ...).
"""

from __future__ import annotations

import pandas as pd
import pytest
import raw_files

from troopclaims import contract
from troopclaims.report import analysis, response_dates
from troopclaims.store import process

ARTICLE_DEFAULTS = {
    "title": "t",
    "outlet": "unknown",
    "language": "fr",
    "published_date": "",
    "date_precision": "unknown",
    "date_basis": "unknown",
    "url": "",
    "note": "",
}
CLAIM_DEFAULTS = {
    "claimant": "someone",
    "claimant_group": "South Korea",
    "kind": "response",
    "category": "concern",
    "figure": "",
    "unit": "",
    "qualifier": "",
    "figure_as_of": "",
    "statement_date": "",
    "date_precision": "unknown",
    "date_basis": "unknown",
    "event_start": "",
    "event_end": "",
    "quote": "q",
    "note": "",
}


def claims_frame(*rows: dict) -> pd.DataFrame:
    """Processed-style claims from a few dicts, typed by the real loader and joiner."""
    raw = pd.DataFrame(
        [{**CLAIM_DEFAULTS, "article_id": r["claim_id"].split("-")[0], **r} for r in rows],
        columns=list(contract.CLAIM_COLUMNS),
        dtype="str",
    )
    arts = sorted(raw["article_id"].unique())
    articles = pd.DataFrame(
        [{"article_id": a, "file": f"{a}.txt", **ARTICLE_DEFAULTS} for a in arts],
        columns=list(contract.ARTICLE_COLUMNS),
        dtype="str",
    )
    return process.build_claims_table(process.type_claims(raw), process.type_articles(articles))


def estimate(claim_id: str, figure: int, category: str, qualifier: str = "exact", **kw) -> dict:
    """A troop-estimate row."""
    return {
        "claim_id": claim_id,
        "kind": "troop_estimate",
        "category": category,
        "figure": str(figure),
        "unit": kw.pop("unit", "soldiers"),
        "qualifier": qualifier,
        **kw,
    }


def response(claim_id: str, group: str, stance: str, date: str = "", **kw) -> dict:
    """A response row, dated to the day unless told otherwise."""
    dated = {"statement_date": date, "date_precision": "day", "date_basis": "stated"}
    return {
        "claim_id": claim_id,
        "claimant_group": group,
        "category": stance,
        **(dated if date else {}),
        **kw,
    }


@pytest.fixture(scope="module")
def real() -> pd.DataFrame:
    return process.build_claims_table(raw_files.load_claims(), raw_files.load_articles())


# --- keys and coverage ------------------------------------------------------------------------


def test_claim_keys_match_the_same_claim_across_articles() -> None:
    df = claims_frame(
        estimate("A1-01", 12000, "planned_total"),
        estimate("A2-01", 12000, "planned_total", "up_to"),
        response("A1-02", "NATO", "concern"),
        response("A2-02", "NATO", "concern"),
    )
    keys = dict(zip(df["claim_id"], analysis.claim_keys(df), strict=True))
    assert keys["A1-01"] == keys["A2-01"] == "12,000 soldiers · planned_total"
    assert keys["A1-02"] == keys["A2-02"] == "NATO · concern"


def test_corroboration_flags_single_source_keys() -> None:
    df = claims_frame(
        estimate("A1-01", 1500, "already_in_russia"),
        estimate("A2-01", 1500, "already_in_russia"),
        estimate("A2-02", 10000, "forecast"),
    )
    table = analysis.corroboration(df).set_index("key")
    assert table.loc["1,500 soldiers · already_in_russia", "n_articles"] == 2
    assert not table.loc["1,500 soldiers · already_in_russia", "single_source"]
    assert table.loc["10,000 soldiers · forecast", "single_source"]


def test_coverage_matrix_keeps_articles_without_claims_of_that_kind() -> None:
    df = claims_frame(estimate("A1-01", 1500, "deploying"), response("A2-01", "NATO", "concern"))
    matrix = analysis.coverage_matrix(df, analysis.ESTIMATE, ["A1", "A2", "A3"])
    assert list(matrix.columns) == ["A1", "A2", "A3"]
    assert matrix.loc["1,500 soldiers · deploying"].tolist() == [1, 0, 0]


# --- discrepancies ----------------------------------------------------------------------------


def _findings(df: pd.DataFrame, kind: str) -> list[set[str]]:
    evidence = analysis.discrepancies(df)
    sub = evidence[evidence["type"] == kind]
    return [set(grp["claim_id"]) for _, grp in sub.groupby("finding")]


def test_same_figure_framed_differently_is_a_framing_discrepancy() -> None:
    df = claims_frame(
        estimate("A1-01", 12000, "deploying"),
        estimate("A2-01", 12000, "planned_total"),
        estimate("A3-01", 1500, "already_in_russia"),
    )
    assert _findings(df, "framing") == [{"A1-01", "A2-01"}]


def test_same_number_in_other_units_is_not_a_discrepancy() -> None:
    df = claims_frame(
        estimate("A1-01", 4, "deploying", unit="brigades"),
        estimate("A2-01", 4, "planned_total", unit="soldiers"),
    )
    assert analysis.discrepancies(df).empty


def test_same_figure_hedged_differently_is_a_qualifier_discrepancy() -> None:
    df = claims_frame(
        estimate("A1-01", 3000, "already_in_russia", "nearly"),
        estimate("A1-02", 3000, "already_in_russia", "about"),
    )
    assert _findings(df, "qualifier") == [{"A1-01", "A1-02"}]
    assert _findings(df, "framing") == []


def test_doubting_and_affirming_stances_of_one_group_conflict() -> None:
    df = claims_frame(
        response("A1-01", "United States", "cannot_confirm", "2024-10-21"),
        response("A2-01", "United States", "confirmation", "2024-10-23"),
        response("A2-02", "United States", "concern", "2024-10-23"),
        response("A2-03", "France", "concern"),
        response("A2-04", "France", "demand"),
    )
    evidence = analysis.discrepancies(df)
    stance = evidence[evidence["type"] == "stance"]
    assert set(stance["claim_id"]) == {"A1-01", "A2-01"}  # concern is neither side
    assert list(stance["value"]) == ["cannot_confirm (2024-10-21)", "confirmation (2024-10-23)"]


def test_different_statement_dates_for_one_key() -> None:
    df = claims_frame(
        response("A1-01", "France", "concern", "2024-10-18"),
        response("A2-01", "France", "concern", "2024-10-21"),
        response("A3-01", "France", "concern"),  # undated: not a conflicting date
    )
    assert _findings(df, "date") == [{"A1-01", "A2-01"}]


def test_attribution_to_different_groups() -> None:
    df = claims_frame(
        estimate("A1-01", 1500, "already_in_russia", claimant_group="South Korea"),
        estimate("A2-01", 1500, "already_in_russia", claimant_group="Ukraine"),
    )
    assert _findings(df, "attribution") == [{"A1-01", "A2-01"}]


def test_source_errors_are_listed_with_their_note() -> None:
    df = claims_frame(
        response("A1-01", "NATO", "concern", note="[source_error] wrong attribution"),
        response("A1-02", "NATO", "concern", note="fine"),
    )
    evidence = analysis.discrepancies(df)
    errors = evidence[evidence["type"] == "source_error"]
    assert list(errors["claim_id"]) == ["A1-01"]
    assert list(errors["value"]) == ["wrong attribution"]


def test_every_evidence_row_carries_its_verbatim_quote() -> None:
    df = claims_frame(
        estimate("A1-01", 12000, "deploying", quote="déployer « 12 000 »"),
        estimate("A2-01", 12000, "planned_total", quote="prévoit 12 000"),
    )
    evidence = analysis.discrepancies(df)
    assert evidence.set_index("claim_id")["quote"].to_dict() == {
        "A1-01": "déployer « 12 000 »",
        "A2-01": "prévoit 12 000",
    }


def test_no_claims_no_discrepancies() -> None:
    df = claims_frame(response("A1-01", "NATO", "concern"))
    assert analysis.discrepancies(df.iloc[0:0]).empty
    assert analysis.discrepancy_summary(analysis.discrepancies(df)).empty


# --- timing -----------------------------------------------------------------------------------


def test_reference_date_is_the_first_dated_disclosure_unless_given() -> None:
    df = claims_frame(
        estimate("A1-01", 1500, "already_in_russia", statement_date="2024-10-20"),
        estimate("A2-01", 1500, "already_in_russia", statement_date="2024-10-18"),
        estimate(
            "A3-01",
            1500,
            "already_in_russia",
            claimant_group="Ukraine",
            statement_date="2024-10-01",
        ),
        estimate("A4-01", 1500, "already_in_russia"),
    )
    assert response_dates.reference_date(df) == pd.Timestamp("2024-10-18")
    assert response_dates.reference_date(df, "2024-10-21") == pd.Timestamp("2024-10-21")
    with pytest.raises(ValueError, match="no dated troop_estimate claim by NATO"):
        response_dates.reference_date(df, group="NATO")


def test_lags_and_their_uncertainty_follow_date_precision() -> None:
    df = claims_frame(
        response("A1-01", "NATO", "concern", "2024-10-21"),
        response(
            "A1-02",
            "France",
            "concern",
            "2024-10-23",
            date_precision="week",
            date_basis="inferred_context",
        ),
        response("A1-03", "China", "concern", "2024-11-01", date_precision="month"),
    )
    timing = response_dates.response_timing(df, pd.Timestamp("2024-10-18")).set_index("claim_id")
    assert timing.loc["A1-01", ["lag_days", "lag_low", "lag_high"]].tolist() == [3, 3, 3]
    assert timing.loc["A1-02", ["lag_days", "lag_low", "lag_high"]].tolist() == [5, 2, 8]
    assert timing.loc["A1-03", ["lag_days", "lag_low", "lag_high"]].tolist() == [14, 14, 43]
    assert timing["inferred"].to_dict() == {"A1-01": False, "A1-02": True, "A1-03": False}


def test_first_response_of_each_group_marks_ties_and_skips_undated() -> None:
    df = claims_frame(
        response("A1-01", "NATO", "cannot_confirm", "2024-10-18"),
        response("A1-02", "NATO", "consultation", "2024-10-18"),
        response("A2-01", "NATO", "condemnation", "2024-10-25"),
        response("A2-02", "Russia", "denial", "2024-10-21"),
        response("A2-03", "Russia", "denial"),
    )
    timing = response_dates.response_timing(df, pd.Timestamp("2024-10-18"))
    assert set(timing.loc[timing["first"], "claim_id"]) == {"A1-01", "A1-02", "A2-02"}
    assert "A2-03" not in set(timing["claim_id"])
    first = response_dates.first_responses(timing).set_index("claimant_group")
    assert first.loc["NATO", "claim_ids"] == "A1-01, A1-02"
    assert first.loc["Russia", "days_after_reference"] == 3


def test_the_disclosing_source_in_its_own_disclosure_is_never_a_first_response() -> None:
    day = {"statement_date": "2024-10-18", "date_precision": "day", "date_basis": "stated"}
    df = claims_frame(
        estimate("A1-01", 1500, "already_in_russia", claimant="Le NIS", **day),
        response("A1-02", "South Korea", "confirmation", "2024-10-18", claimant="le  nis"),
        response("A1-03", "South Korea", "warning", "2024-10-19", claimant="la présidence"),
        response("A2-01", "South Korea", "confirmation", "2024-10-18", claimant="Le NIS"),
    )
    timing = response_dates.response_timing(df, pd.Timestamp("2024-10-18")).set_index("claim_id")
    # Same article, day and claimant wording (case and spacing aside) as the figure: its own words.
    assert timing["own_disclosure"].to_dict() == {"A1-02": True, "A1-03": False, "A2-01": False}
    first = response_dates.first_responses(timing.reset_index()).set_index("claimant_group")
    assert first.loc["South Korea", "claim_ids"] == "A2-01"  # another article's NIS answers
    only_own = claims_frame(
        estimate("A1-01", 1500, "already_in_russia", claimant="Le NIS", **day),
        response("A1-02", "South Korea", "confirmation", "2024-10-18", claimant="Le NIS"),
        response("A1-03", "South Korea", "warning", "2024-10-19", claimant="la présidence"),
    )
    timing = response_dates.response_timing(only_own, pd.Timestamp("2024-10-18"))
    first = response_dates.first_responses(timing).set_index("claimant_group")
    assert first.loc["South Korea", "claim_ids"] == "A1-03"
    assert first.loc["South Korea", "days_after_reference"] == 1


def test_undated_responses_are_counted_per_group() -> None:
    df = claims_frame(
        response("A1-01", "Russia", "denial"),
        response("A1-02", "Russia", "reassurance"),
        response("A1-03", "NATO", "concern", "2024-10-18"),
    )
    undated = response_dates.undated_responses(df)
    assert undated.to_dict("records") == [
        {
            "claimant_group": "Russia",
            "n_undated": 2,
            "claimants": "someone",
            "stances": "denial, reassurance",
            "claim_ids": "A1-01, A1-02",
        }
    ]


def with_bounds(rows: list[dict], bounds: dict[str, tuple[str, str, str]]) -> pd.DataFrame:
    """``claims_frame`` of ``rows`` with earliest/latest dates (claim id -> (earliest, latest,
    anchor); '' leaves a side open), typed by the real loader like any other column."""
    bounded = []
    for row in rows:
        earliest, latest, anchor = bounds.get(row["claim_id"], ("", "", ""))
        bound = {"anchor_claim_id": anchor}
        if earliest:
            basis = "inferred_other_article" if anchor else "inferred_context"
            bound |= {"earliest_date": earliest, "earliest_basis": basis}
        if latest:
            bound |= {"latest_date": latest, "latest_basis": "article_date"}
        bounded.append({**row, **bound})
    return claims_frame(*bounded)


def test_each_response_is_dated_bounded_or_undated() -> None:
    df = with_bounds(
        [
            response("A1-01", "NATO", "concern", "2024-10-18"),
            response("A2-01", "Russia", "denial"),
            response("A2-02", "Russia", "reassurance"),
            response("A2-03", "China", "concern"),
            response("A2-04", "France", "concern"),
            estimate("A2-05", 1500, "already_in_russia"),
        ],
        {
            "A2-01": ("2024-10-18", "", "A1-01"),  # on or after: open above
            "A2-02": ("2024-10-18", "2024-10-23", "A1-01"),
            "A2-03": ("", "2024-10-23", ""),  # on or before: open below
        },
    )
    status = response_dates.date_status(df).set_axis(df["claim_id"]).to_dict()
    assert status == {
        "A1-01": "dated",
        "A2-01": "bounded",
        "A2-02": "bounded",
        "A2-03": "bounded",
        "A2-04": "undated",
        "A2-05": "undated",
    }
    bounded = response_dates.bounded_responses(df, pd.Timestamp("2024-10-18")).set_index("claim_id")
    assert bounded.loc["A2-01", "lag_low"] == 0 and pd.isna(bounded.loc["A2-01", "lag_high"])
    assert bounded.loc["A2-02", ["lag_low", "lag_high"]].tolist() == [0, 5]
    assert pd.isna(bounded.loc["A2-03", "lag_low"]) and bounded.loc["A2-03", "lag_high"] == 5
    assert bounded.loc["A2-01", "anchor_claim_id"] == "A1-01"
    assert "A1-01" not in bounded.index and "A2-04" not in bounded.index
    coverage = response_dates.date_coverage(df).set_index("status")  # responses only, not A2-05
    assert coverage["responses"].to_dict() == {"dated": 1, "bounded": 3, "undated": 1}
    assert coverage["share"].sum() == pytest.approx(1.0)


def test_undated_responses_carry_the_reason_from_their_note() -> None:
    df = with_bounds(
        [
            response("A1-01", "Russia", "denial", note="Posted on X. 'Lundi' cannot be anchored."),
            response("A1-02", "Ukraine", "accusation", note="Background narration. Not dated."),
            response("A1-03", "China", "concern", note="Spelled oddly."),
            response("A1-04", "China", "warning"),
            response("A1-05", "France", "concern"),
        ],
        {"A1-05": ("2024-10-18", "", "")},
    )
    reasons = response_dates.undated_reasons(df).set_index("claim_id")
    assert reasons["reason"].to_dict() == {  # the curator's note whole (issue 15)
        "A1-01": "Posted on X. 'Lundi' cannot be anchored.",
        "A1-02": "Background narration. Not dated.",
        "A1-03": "Spelled oddly.",
        "A1-04": response_dates.NO_NOTE,
    }
    assert reasons.loc["A1-02", "claimant_group"] == "Ukraine"
    assert reasons.loc["A1-02", "claimant"] == "someone"  # the name is never lost
    counted = response_dates.undated_responses(df).set_index("claimant_group")["n_undated"]
    assert counted.to_dict() == {"China": 2, "Russia": 1, "Ukraine": 1}  # France is bounded
    text = response_dates.format_date_coverage(df)
    assert text.splitlines()[0] == "Responses: 5; dated 0 (0%), bounded 1 (20%), neither 4 (80%)."
    assert (
        "  A1-01  Russia (someone): Posted on X. 'Lundi' cannot be anchored." in text.splitlines()
    )
    assert "A1-05" not in text


# --- validation result ------------------------------------------------------------------------


# --- the real data: the findings the issue names -----------------------------------------------


def _summary(real: pd.DataFrame) -> pd.DataFrame:
    return analysis.discrepancy_summary(analysis.discrepancies(real)).set_index("subject")


def test_real_12000_is_framed_three_ways(real: pd.DataFrame) -> None:
    row = _summary(real).loc["12,000 soldiers"]
    assert row["what differs"] == (
        "deploying (A000-02); possible_total (A001-05); "
        "planned_total (A002-02, A003-02, A003-04, A004-01)"
    )
    assert "deploying (A000-01); planned_total (A003-03)" in _summary(real).loc["4 brigades"].values


def test_real_qualifier_and_stance_conflicts(real: pd.DataFrame) -> None:
    summary = _summary(real)
    assert summary.loc["3,000 soldiers · already_in_russia", "what differs"] == (
        "nearly (A001-01); about (A001-03)"
    )
    assert "cannot_confirm (2024-10-18) (A003-08)" in summary.loc["NATO", "what differs"]
    assert "condemnation (on or after 2024-10-18) (A004-10)" in summary.loc["NATO", "what differs"]
    us = summary.loc["United States", "what differs"]
    assert "cannot_confirm" in us and "(A002-06)" in us
    assert "confirmation (2024-10-23) (A001-06)" in us
    assert {"A003-03", "A003-04"} <= set(summary.index)  # the recorded source errors


def test_real_reference_is_the_18_october_disclosure(real: pd.DataFrame) -> None:
    ref = response_dates.reference_date(real)
    assert ref == pd.Timestamp("2024-10-18")
    assert response_dates.reference_claims(real, ref)[0] == "A003-01"
    timing = response_dates.response_timing(real, ref)
    first = response_dates.first_responses(timing).set_index("claimant_group")
    assert first.loc["NATO", "claim_ids"].startswith("A003-08")  # cannot_confirm, 18 October
    assert first.loc["North Korea", "days_after_reference"] == 3
    # The NIS confirming its own report (A003-20) is part of the disclosure, as on page 1.
    assert first.loc["South Korea", "claim_ids"] == "A003-07, A003-23"
    n_responses = int((real["kind"] == "response").sum())
    bounded = response_dates.bounded_responses(real, ref)
    undated = response_dates.undated_responses(real)["n_undated"].sum()
    assert len(timing) + len(bounded) + undated == n_responses  # each once: dated, bounded or not
    coverage = response_dates.date_coverage(real).set_index("status")["responses"]
    assert coverage.to_dict() == {"dated": len(timing), "bounded": len(bounded), "undated": undated}


def test_day_zero_and_first_responses_never_take_a_week_for_a_day() -> None:
    """Page 1 dates the disclosure to the day; Day 0 must be the same day, and a group whose
    first response is dated only to the week says so in the table."""
    week = {"date_precision": "week", "date_basis": "stated"}
    df = claims_frame(
        estimate("B1-01", 1500, "already_in_russia", statement_date="2024-10-14", **week),
        estimate("B2-01", 1500, "already_in_russia", statement_date="2024-10-18"),
        response("B2-02", "NATO", "concern", "2024-10-21"),
        response("B1-02", "Germany", "concern", statement_date="2024-10-22", **week),
    )
    reference = response_dates.reference_date(df)
    assert reference == pd.Timestamp("2024-10-18")
    assert response_dates.disclosure(df)["derived_date"].iloc[0] == reference
    table = response_dates.first_responses(response_dates.response_timing(df, reference))
    dates = dict(zip(table["claimant_group"], table["date"], strict=True))
    assert dates == {"NATO": "2024-10-21", "Germany": "2024-10-22 (to the week)"}
