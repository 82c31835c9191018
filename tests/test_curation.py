"""The curated claims: every quote verbatim, figures that match their quotes, honest dates.

Each check is parametrized by claim id so a failure names the claim to fix.
"""

from __future__ import annotations

import pandas as pd
import pytest

from troopclaims import config, contract, load, numbers, quotes

RAW_CLAIMS = load.read_raw_claims()
RAW_ARTICLES = load.read_raw_articles()
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


@pytest.mark.parametrize(
    "claim",
    [r for r in ROWS if r.date_basis.startswith("inferred") or r.date_basis == "article_date"],
    ids=[
        r.claim_id
        for r in ROWS
        if r.date_basis.startswith("inferred") or r.date_basis == "article_date"
    ],
)
def test_every_inferred_date_says_how(claim) -> None:
    assert len(claim.note) > 20, f"{claim.claim_id}: inferred date without an explanation in note"


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
    tagged = RAW_CLAIMS[RAW_CLAIMS["note"].str.startswith(contract.SOURCE_ERROR_TAG)]
    assert set(tagged["claim_id"]) == {"A003-03", "A003-04"}
    assert (tagged["claimant_group"] == "South Korea").all()
    assert tagged["note"].str.contains("renseignements russes").all()


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
    typed = load.type_claims(RAW_CLAIMS)
    undated = typed["statement_date"].isna()
    assert (typed.loc[undated, "date_precision"] == "unknown").all()
    assert (typed.loc[~undated, "date_precision"] != "unknown").all()
    has_both = typed["event_start"].notna() & typed["event_end"].notna()
    assert (typed.loc[has_both, "event_start"] <= typed.loc[has_both, "event_end"]).all()
    assert typed["statement_date"].max() <= pd.Timestamp("2024-10-31")
