"""The key findings on page 1: written from the data, every sentence citing claims that exist.

The real data pins the findings the issue names (the range of figures and who gave them, the
same 12,000 framed several ways, who responded first, what is single-source); a small synthetic
frame shows the sentences follow the data rather than being typed for it.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest
import raw_files
from test_analysis import claims_frame, estimate, response

from troopclaims.report import analysis, findings
from troopclaims.store import process


@pytest.fixture(scope="module")
def real() -> pd.DataFrame:
    return process.build_claims_table(raw_files.load_claims(), raw_files.load_articles())


@pytest.fixture(scope="module")
def synthetic() -> pd.DataFrame:
    """Another story entirely: US and Japanese figures, Japan responding first."""
    return claims_frame(
        estimate(
            "B1-01",
            500,
            "already_in_russia",
            claimant="le Pentagone",
            claimant_group="United States",
        ),
        estimate(
            "B1-02",
            8000,
            "deploying",
            "about",
            claimant="le Pentagone",
            claimant_group="United States",
        ),
        estimate("B2-01", 8000, "planned_total", claimant="Tokyo", claimant_group="Japan"),
        response("B2-02", "Japan", "concern", "2024-11-02", claimant="le gouvernement japonais"),
        response("B1-03", "NATO", "denial", "2024-11-05", claimant="l'Alliance"),
        response("B1-04", "China", "call_for_deescalation", claimant="Pékin"),
    )


def _check_citations(found: list[findings.Finding], claims: pd.DataFrame) -> None:
    """No sentence without claim ids; every id cited exists; the text cites exactly those."""
    known = set(claims["claim_id"])
    for f in found:
        assert f.claim_ids, f"no claim cited: {f.text}"
        assert set(f.claim_ids) <= known, f"unknown ids in: {f.text}"
        assert set(re.findall(r"\b[A-Z]\d+-\d+\b", f.text)) == set(f.claim_ids)


def test_real_findings_are_four_to_eight_sentences_each_citing_existing_claims(real) -> None:
    found = findings.key_findings(real)
    assert 4 <= len(found) <= 12
    _check_citations(found, real)
    topics = {f.topic for f in found}
    assert {"range", "in_russia", "framing", "timing", "evidence", "doubt_and_confirmation",
            "attribution", "single_source"} <= topics  # fmt: skip


def test_real_range_names_the_lowest_and_highest_figure_and_who_gave_them(real) -> None:
    text = findings.estimate_range(real)[0].text
    assert text.startswith("Reported troop numbers range from 1,500 to 12,000 soldiers")
    assert "all attributed to South Korea" in text
    assert "A003-01" in text and "A000-02" in text  # a 1,500 and a 12,000 claim
    assert "“les rapports sud-coréens”" in text  # the claimant as the article names it


def test_real_framing_shows_the_same_12000_framed_several_ways(real) -> None:
    (sentence,) = findings.framing(real)
    text = sentence.text
    assert "12,000 soldiers as the total planned (A002-02, A003-02, A003-04, A004-01)" in text
    assert "as being deployed (A000-02)" in text
    assert "as a possible total (A001-05)" in text


def test_real_first_responses_come_from_the_responses_dated_to_the_day(real) -> None:
    first, own, *rest = findings.first_responses(real)
    resp = analysis.responses(real)
    to_the_day = resp[resp["derived_precision"] == "day"]
    earliest = to_the_day["derived_date"].min()
    assert f"came on {earliest.day} {earliest:%B %Y}" in first.text
    assert "the day of South Korea's first dated troop figure" in first.text
    assert (
        "NATO (“Mark Rutte, secrétaire général de l’OTAN”) said it could not confirm" in first.text
    )
    assert "South Korea (“la présidence sud-coréenne”)" in first.text  # 18 October, derived
    assert "in contact with partners" in first.text and "consulted allies" not in first.text
    assert own.claim_ids == ("A003-20",) and "not a response to it" in own.text
    assert "A003-20" not in first.claim_ids
    # the order itself names only responses dated to the day
    rough = resp[resp["derived_precision"].isin(["week", "month"])]["claim_id"]
    assert not set(rough) & {i for f in [first, *rest] for i in f.claim_ids}
    last = [f for f in rest if f.topic == "timing"][-1].text
    assert f"1 of the {len(resp)} responses is dated only to the week or the month" in last
    assert "1 has no date or bound the articles support, so they cannot" in last


def test_real_single_source_counts_match_the_corroboration_table(real) -> None:
    (sentence,) = [f for f in findings.single_source(real) if f.topic == "single_source"]
    table = analysis.corroboration(real)
    est = table[table["kind"] == analysis.ESTIMATE]
    resp = table[table["kind"] == analysis.RESPONSE]
    assert f"{est['single_source'].sum()} of the {len(est)} distinct troop figures" in sentence.text
    assert f"{resp['single_source'].sum()} of the {len(resp)} distinct responses" in sentence.text


def test_synthetic_data_gives_its_own_findings(real, synthetic) -> None:
    found = findings.key_findings(synthetic)
    _check_citations(found, synthetic)
    texts = [f.text for f in found]
    assert texts[0].startswith("Reported troop numbers range from 500 to 8,000 soldiers")
    assert "attributed to the United States and Japan" in texts[0]
    assert any(
        "8,000 soldiers as being deployed (B1-02) and as the total planned (B2-01)" in t
        for t in texts
    )
    timing = [f.text for f in found if f.topic == "timing"]
    assert timing[0].startswith(
        "The first response dated to the day came on 2 November 2024: Japan"
    )
    assert "NATO (“l'Alliance”) denied the reports (B1-03) on 5 November 2024" in timing[-1]
    assert "1 of the 3 responses has no date or bound" in timing[-1]
    assert not set(texts) & {f.text for f in findings.key_findings(real)}


def test_topics_without_data_are_left_out_and_undated_responses_still_cite_ids() -> None:
    only_undated = claims_frame(response("C1-01", "China", "concern"))
    found = findings.key_findings(only_undated)
    assert [f.topic for f in found] == ["timing"]
    assert found[0].claim_ids == ("C1-01",)
    assert findings.key_findings(claims_frame(response("C1-01", "China", "concern"))[:0]) == []


def test_verdict_says_all_passed_or_names_what_failed() -> None:
    rows = {"summary": {"rows": {"claims": 10, "articles": 2}}}
    ok = {"name": "a", "description": "claim_id is required", "severity": "error", "success": True}
    assert findings.validation_verdict({**rows, "expectations": [ok, ok]}) == (
        "Validation: 2 rules on 10 claims and 2 articles, all passed."
    )
    bad = {**ok, "description": "figure is plausible", "success": False, "unexpected_count": 3}
    verdict = findings.validation_verdict({**rows, "expectations": [ok, bad]})
    assert verdict.startswith("Validation: 2 rules on 10 claims and 2 articles; 1 not met:")
    assert "figure is plausible (error, 3 rows)" in verdict
    assert "no validation result" in findings.validation_verdict(None)


def test_html_escapes_the_data_and_links_the_verdict_to_the_rule_table() -> None:
    claims = claims_frame(
        response("D1-01", "NATO", "concern", "2024-10-18", claimant="<b>Rutte</b> & co")
    )
    page = findings.findings_html(findings.key_findings(claims), "Validation: ok.")
    assert "&lt;b&gt;Rutte&lt;/b&gt; &amp; co" in page and "<b>" not in page
    assert '<span class="claim-id">D1-01</span>' in page
    assert f'href="#{findings.RULES_ANCHOR}"' in page


def _doubt_text(*rows: dict) -> str:
    [found] = [
        f for f in findings.key_findings(claims_frame(*rows)) if f.topic == "doubt_and_confirmation"
    ]
    return found.text


def test_an_undated_confirmation_leaves_the_order_of_doubt_and_confirmation_open() -> None:
    """A claim with no date and no bound could fall on either side: pandas' min and max skip it,
    the order must not."""
    doubt = response("X1-01", "United States", "cannot_confirm", "2024-10-18")
    confirmed = response("X2-01", "United States", "confirmation", "2024-10-23")
    undated = response("X3-01", "United States", "confirmation")
    assert _doubt_text(doubt, confirmed).endswith("the doubt came first, the confirmation later.")
    assert _doubt_text(doubt, confirmed, undated).endswith("cannot tell which came first.")
    undated_doubt = response("X3-02", "United States", "denial")
    assert _doubt_text(doubt, confirmed, undated_doubt).endswith("cannot tell which came first.")


def test_one_figure_in_the_main_unit_keeps_the_estimates_in_other_units() -> None:
    found = findings.key_findings(
        claims_frame(
            estimate("Y1-01", 12000, "planned_total"),
            estimate("Y2-01", 12000, "deploying", "up_to"),
            estimate("Y2-02", 4, "deploying", unit="brigades"),
            response("Y2-03", "NATO", "concern", "2024-10-20"),
        )
    )
    ranges = [f.text for f in found if f.topic == "range"]
    assert ranges[0].startswith(
        "Every troop estimate in soldiers in the 2 articles (and 1 more in brigades) gives "
        "12,000 soldiers"
    )
    assert (
        ranges[1] == "The articles also report, in other units, 4 brigades being deployed (Y2-02)."
    )


DATED = {"statement_date": "2024-10-18", "date_precision": "day", "date_basis": "stated"}


def test_estimates_without_responses_give_findings_without_a_timing_sentence() -> None:
    found = findings.key_findings(
        claims_frame(
            estimate("Z1-01", 1500, "deploying", **DATED),  # a disclosure, and no response to it
            estimate("Z2-01", 3000, "deploying"),
        )
    )
    assert found and "timing" not in {f.topic for f in found}
    assert found[0].text.startswith("Reported troop numbers range from 1,500 to 3,000 soldiers")


def test_figures_dated_to_different_as_of_dates_are_given_each_with_its_own() -> None:
    found = findings.key_findings(
        claims_frame(
            estimate("W1-01", 1500, "deploying"),
            estimate("W1-02", 10000, "forecast", figure_as_of="2024-12"),
            estimate("W2-01", 10000, "forecast", figure_as_of="2025-03"),
            estimate("W2-02", 12000, "planned_total"),
        )
    )
    [between] = [f.text for f in found if f.text.startswith("The articles also report")]
    assert "10,000 soldiers expected by 2024-12 (W1-02)" in between
    assert "10,000 soldiers expected by 2025-03 (W2-01)" in between
