"""The curated claims: every quote verbatim, figures that match their quotes, honest dates.

Each check is parametrized by claim id so a failure names the claim to fix.
"""

from __future__ import annotations

import pandas as pd
import pytest
import raw_files

from troopclaims import config, contract
from troopclaims.checks import dating, numbers, quotes
from troopclaims.store import process

RAW_CLAIMS = raw_files.read_raw_claims()
RAW_ARTICLES = raw_files.read_raw_articles()
TEXTS = {
    row.article_id: (config.RAW_ARTICLES_DIR / row.file).read_text(encoding="utf-8")
    for row in RAW_ARTICLES.itertuples()
}
LANGUAGES = dict(zip(RAW_ARTICLES["article_id"], RAW_ARTICLES["language"], strict=True))
ROWS = list(RAW_CLAIMS.itertuples(index=False))
IDS = [r.claim_id for r in ROWS]


@pytest.mark.parametrize("claim", ROWS, ids=IDS)
def test_quote_is_verbatim_in_its_article(claim) -> None:
    assert quotes.quote_in_text(claim.quote, TEXTS[claim.article_id]), (
        f"{claim.claim_id}: quote not found verbatim in {claim.article_id}"
    )


@pytest.mark.parametrize(
    "claim",
    [r for r in ROWS if r.kind == "troop_estimate"],
    ids=[r.claim_id for r in ROWS if r.kind == "troop_estimate"],
)
def test_estimate_figure_is_written_in_its_quote(claim) -> None:
    language = LANGUAGES[claim.article_id]
    assert numbers.figure_in_text(int(claim.figure), claim.quote, language), claim.claim_id


def _inferred(claim) -> bool:
    bases = (claim.date_basis, claim.earliest_basis, claim.latest_basis)
    return any(b.startswith("inferred") or b == "article_date" for b in bases)


@pytest.mark.parametrize(
    "claim", [r for r in ROWS if _inferred(r)], ids=[r.claim_id for r in ROWS if _inferred(r)]
)
def test_every_inferred_date_says_how(claim) -> None:
    assert len(claim.note) > 20, f"{claim.claim_id}: inferred date without an explanation in note"


ANCHORED = [r for r in ROWS if r.anchor_claim_id]
BY_ID = {r.claim_id: r for r in ROWS}


@pytest.mark.parametrize("claim", ANCHORED, ids=[r.claim_id for r in ANCHORED])
def test_every_anchor_names_a_claim_that_bounds_it_and_the_note_says_why(claim) -> None:
    anchor = BY_ID[claim.anchor_claim_id]
    assert anchor.claim_id != claim.claim_id
    assert anchor.statement_date or anchor.anchor_claim_id, (
        f"{claim.claim_id}: anchor bounds nothing"
    )
    assert claim.anchor_claim_id in claim.note, f"{claim.claim_id}: note does not name its anchor"


def _derived() -> pd.DataFrame:
    """The claims with the intervals the evidence gives (``dating``), by claim id."""
    typed = process.type_claims(RAW_CLAIMS)
    return dating.with_derived(typed, process.type_articles(RAW_ARTICLES)).set_index("claim_id")


DERIVED = _derived()


def _interval(claim_id: str) -> tuple[str, str, str]:
    """(earliest, latest, day) of a claim as ISO text, '' where open or unknown."""
    row = DERIVED.loc[claim_id]
    cols = ("derived_earliest", "derived_latest", "derived_date")
    return tuple("" if pd.isna(row[c]) else str(row[c].date()) for c in cols)


def test_bounds_are_only_on_claims_without_a_date() -> None:
    bounded = RAW_CLAIMS[(RAW_CLAIMS["earliest_date"] != "") | (RAW_CLAIMS["latest_date"] != "")]
    assert (bounded["statement_date"] == "").all()
    assert (bounded["date_precision"] == "unknown").all()


def test_the_undated_articles_are_bounded_by_the_nis_statement_of_18_october() -> None:
    """A000 and A004 report reactions to the NIS statement A003 dates to Friday 18 October
    2024, A002 reactions to the intelligence statements its denial of 21 October follows: each
    response they report names that statement as its anchor, and the code derives 'on or after
    18 October' (no upper bound: those articles are undated), never a day the articles do not
    give. No bound is typed: the anchor is the evidence."""
    nis = BY_ID["A003-03"]
    assert (nis.statement_date, nis.date_basis) == ("2024-10-18", "stated")
    rows = RAW_CLAIMS[RAW_CLAIMS["article_id"].isin(["A000", "A002", "A004"])]
    responses = rows[rows["kind"] == "response"].set_index("claim_id")
    anchored = responses[responses["anchor_claim_id"] != ""]
    assert set(anchored.index) == {
        *(f"A000-{n:02}" for n in (3, 4, 5, 6, 7, 8, 12, 13, 14)),
        *(f"A002-{n:02}" for n in (4, 5, 6, 7, 8, 9)),
        *(f"A004-{n:02}" for n in range(5, 19)),
    }
    assert (anchored["earliest_date"] == "").all()
    assert set(anchored["anchor_claim_id"]) == {"A003-03", "A003-20", "A000-12"}
    for claim_id in anchored.index.drop(["A000-12", "A000-13"]):
        assert _interval(claim_id) == ("2024-10-18", "", ""), claim_id
    # Only A002's own denial is dated; 'Lundi' in A000 is a Monday on or after Friday 18
    # October (21 October at the earliest), and which Monday is unsaid.
    assert list(responses.index[responses["statement_date"] != ""]) == ["A002-01"]
    assert _interval("A000-12") == _interval("A000-13") == ("2024-10-21", "", "")
    assert "lundi" in DERIVED.loc["A000-12", "derived_earliest_reason"]
    assert _interval("A000-11") == ("", "", "")  # 'précédemment', undated article: nothing


def test_responses_in_the_dated_articles_are_bounded_by_their_article() -> None:
    """The audit's rows: the article's own date bounds every claim it reports from above;
    'Peu de temps après' the NIS report, in the article of 18 October, is 18 October."""
    for claim_id in ("A003-07", "A003-23", "A003-13", "A003-14", "A003-16", "A003-17", "A003-18"):
        assert _interval(claim_id) == ("2024-10-18", "2024-10-18", "2024-10-18"), claim_id
    for claim_id in ("A003-15", "A003-21", "A003-22"):
        assert _interval(claim_id) == ("", "2024-10-18", ""), claim_id
    for claim_id in ("A001-08", "A001-09", "A001-10", "A001-11", "A001-19", "A001-20"):
        assert _interval(claim_id) == ("", "2024-10-23", ""), claim_id
    for claim_id in ("A001-14", "A001-15", "A001-16", "A001-17"):  # Cronin: only 'on or before'
        assert _interval(claim_id) == ("", "2024-10-23", ""), claim_id
        assert BY_ID[claim_id].statement_date == ""
    # A week-precision date is cut to its article's date, never drawn past it.
    assert _interval("A001-13") == ("2024-10-19", "2024-10-23", "2024-10-22")


def test_the_intelligence_statements_a002_reports_precede_its_denial() -> None:
    """'Ces dénégations font suite aux déclarations des services de renseignement'."""
    for claim_id in ("A002-02", "A002-03", "A002-10"):
        claim = BY_ID[claim_id]
        assert (claim.latest_date, claim.latest_basis) == ("2024-10-21", "inferred_context")
        assert claim.statement_date == claim.earliest_date == ""


def test_how_many_responses_have_a_date_a_bound_or_neither() -> None:
    responses = DERIVED[DERIVED["kind"] == "response"]
    dated = responses["derived_date"].notna()
    bounded = ~dated & (responses["derived_earliest"].notna() | responses["derived_latest"].notna())
    assert (len(responses), dated.sum(), bounded.sum()) == (61, 18, 42)
    assert set(responses.index[~dated & ~bounded]) == {"A000-11"}


def test_the_re_read_of_a003_dates_the_presidency_by_its_evidence() -> None:
    for claim_id in ("A003-07", "A003-23"):  # 'Peu de temps après' the NIS report (A003-01)
        claim = BY_ID[claim_id]
        assert (claim.statement_date, claim.anchor_claim_id) == ("", "A003-01")
    accusation = BY_ID["A003-23"]
    assert (accusation.claimant_group, accusation.kind, accusation.category) == (
        "South Korea",
        "response",
        "accusation",
    )
    assert "se traduit par des déploiements de troupes" in accusation.quote


def test_claim_ids_are_unique_and_prefixed_by_article() -> None:
    assert RAW_CLAIMS["claim_id"].is_unique
    assert (RAW_CLAIMS["claim_id"].str.split("-").str[0] == RAW_CLAIMS["article_id"]).all()


def test_every_article_has_claims_of_each_main_kind() -> None:
    counts = RAW_CLAIMS.groupby(["article_id", "kind"]).size().unstack(fill_value=0)
    assert (counts["troop_estimate"] > 0).all()
    assert (counts["response"] > 0).all()


def test_dataset_holds_the_figures_the_articles_report() -> None:
    """A spot check of the corpus a second reader would look for first."""
    est = RAW_CLAIMS[RAW_CLAIMS["kind"] == "troop_estimate"]
    figures = set(zip(est["article_id"], est["figure"].astype(int), est["unit"], strict=True))
    expected = {
        ("A000", 4, "brigades"),
        ("A000", 12000, "soldiers"),
        ("A001", 3000, "soldiers"),
        ("A001", 10000, "soldiers"),
        ("A001", 12000, "soldiers"),
        ("A002", 12000, "soldiers"),
        ("A002", 1500, "soldiers"),
        ("A003", 1500, "soldiers"),
        ("A003", 12000, "soldiers"),
        ("A003", 4, "brigades"),
        ("A004", 12000, "soldiers"),
        ("A004", 1500, "soldiers"),
    }
    assert figures == expected


def test_no_claim_quotes_a_teaser_or_navigation_line() -> None:
    for marker in (
        "Trinity Audio",
        "PREV ",
        "NEXT ",
        "abonnez-vous",
        "Advertisement",
        "Google News",
    ):
        assert not RAW_CLAIMS["quote"].str.contains(marker, regex=False).any(), marker


def test_the_mistranslated_attribution_is_recorded_not_fixed() -> None:
    recorded = RAW_CLAIMS[RAW_CLAIMS["article_attribution"] != ""]
    assert set(recorded["claim_id"]) == {"A003-03", "A003-04"}
    assert (recorded["claimant_group"] == "South Korea").all()
    assert (recorded["article_attribution"] == "Selon les renseignements russes").all()
    for attribution in recorded["article_attribution"]:
        assert quotes.quote_in_text(attribution, TEXTS["A003"])
    assert not RAW_CLAIMS["note"].str.startswith(contract.SOURCE_ERROR_TAG).any()


def test_undated_articles_give_no_statement_dates() -> None:
    undated = RAW_ARTICLES.loc[RAW_ARTICLES["published_date"] == "", "article_id"]
    rows = RAW_CLAIMS[RAW_CLAIMS["article_id"].isin(undated)]
    # A002 states its event date in full; A000 and A004 support no date at all.
    no_anchor = rows[rows["article_id"].isin(["A000", "A004"])]
    assert (no_anchor["statement_date"] == "").all()
    assert (no_anchor["date_precision"] == "unknown").all()


def test_site_date_header_is_not_taken_as_publication_date() -> None:
    a001 = RAW_ARTICLES.set_index("article_id").loc["A001"]
    assert a001["published_date"] == "2024-10-23"
    assert a001["date_basis"] == "inferred_context"
    assert "novembre 25" in a001["note"]


def test_dates_parse_and_agree_with_their_precision() -> None:
    typed = process.type_claims(RAW_CLAIMS)
    undated = typed["statement_date"].isna()
    assert (typed.loc[undated, "date_precision"] == "unknown").all()
    assert (typed.loc[~undated, "date_precision"] != "unknown").all()
    has_both = typed["event_start"].notna() & typed["event_end"].notna()
    assert (typed.loc[has_both, "event_start"] <= typed.loc[has_both, "event_end"]).all()
    assert typed["statement_date"].max() <= pd.Timestamp("2024-10-31")
