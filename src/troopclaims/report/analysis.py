"""The computations behind the report: plain pandas in, plain pandas out, no plotting.

Notebooks narrate and ``charts`` draws; everything a reader could dispute (which claims count as
the same, what counts as a conflict) is decided here, once, and unit tested on small synthetic
frames as well as on the real data. When responses came, and how certain their dates are, is
``response_dates``' concern (it builds on this module). Every finding keeps the claim ids
and verbatim quotes it rests on, so no sentence in the report is written by hand.
"""

from __future__ import annotations

import unicodedata

import pandas as pd

from troopclaims import contract
from troopclaims.checks import dating

ESTIMATE = "troop_estimate"
RESPONSE = "response"

# Stances that doubt the deployment versus stances that take it as real. A claimant group heard on
# both sides is a conflict worth showing; every other pair (concern and demand, say) is not.
DOUBTING_STANCES = frozenset({"denial", "cannot_confirm"})
AFFIRMING_STANCES = frozenset({"confirmation", "accusation", "condemnation"})

QUALIFIER_SYMBOLS = {"exact": "", "about": "≈", "up_to": "≤", "at_least": "≥", "nearly": "<"}

DISCREPANCY_TYPES: dict[str, str] = {
    "framing": "same figure, framed differently",
    "qualifier": "same figure and framing, hedged differently",
    "attribution": "same figure, attributed to different claimant groups",
    "stance": "same claimant group, doubting and affirming stances",
    "date": "same claim key, different statement dates",
    "source_error": "error recorded in the source",
}


def format_figure(figure: int, unit: str, qualifier: str | None = None) -> str:
    """'≈12,000 soldiers': the qualifier as a symbol so a chart label stays short."""
    symbol = QUALIFIER_SYMBOLS.get(qualifier or "exact", "")
    return f"{symbol}{int(figure):,} {unit}"


def iso_date(value: object) -> str:
    """A date as YYYY-MM-DD, or '' when missing: tables, tooltips and lags show no 'NaT'."""
    return "" if pd.isna(value) else pd.Timestamp(value).strftime("%Y-%m-%d")


def languages(claims: pd.DataFrame, articles: pd.DataFrame | None = None) -> dict[str, str]:
    """The language of each claim's and each article's words: claim id or article id -> its
    article's ISO 639-1 code (``article_language``, and ``language`` of ``articles``).

    Why: a table marks each quote, claimant and title with it (``tables.table(languages=...)``),
    so a screen reader reads a French quote with French rules, not the page's English.
    """
    found: dict[str, str] = {}
    if "article_language" in claims:
        for claim, article, lang in zip(
            claims["claim_id"], claims["article_id"], claims["article_language"], strict=True
        ):
            if not pd.isna(lang) and str(lang):
                found[str(claim)] = found[str(article)] = str(lang)
    if articles is not None and "language" in articles:
        for article, lang in zip(articles["article_id"], articles["language"], strict=True):
            if not pd.isna(lang) and str(lang):
                found[str(article)] = str(lang)
    return found


def estimates(claims: pd.DataFrame) -> pd.DataFrame:
    """Troop-estimate claims in article order, the rows every estimate chart starts from."""
    est = claims[claims["kind"] == ESTIMATE]
    return est.sort_values(["article_id", "claim_id"], kind="stable").reset_index(drop=True)


def responses(claims: pd.DataFrame) -> pd.DataFrame:
    """Response claims in article order."""
    resp = claims[claims["kind"] == RESPONSE]
    return resp.sort_values(["article_id", "claim_id"], kind="stable").reset_index(drop=True)


def claim_keys(claims: pd.DataFrame) -> pd.Series:
    """A key that makes the same claim in two articles compare equal.

    Estimates match on (figure, unit, framing), responses on (claimant group, stance), context on
    its category: the wording differs between articles, these fields are what the curator
    normalised. The key is a readable string so tables and charts can show it as is. Built
    from the five columns it reads, not row by row through ``apply`` (a Series per row: a
    sixth of the impact of a 10,000-row drop, cProfile).
    """

    def key(kind: str, figure: object, unit: str, category: str, group: str) -> str:
        if kind == ESTIMATE:
            return f"{int(figure):,} {unit} · {category}"
        if kind == RESPONSE:
            return f"{group} · {category}"
        return f"context · {category}"

    columns = ("kind", "figure", "unit", "category", "claimant_group")
    keys = [key(*values) for values in zip(*(claims[c].tolist() for c in columns), strict=True)]
    return pd.Series(keys, index=claims.index, dtype="string")


def corroboration(claims: pd.DataFrame) -> pd.DataFrame:
    """One row per claim key: how many articles report it, which, and with which claim ids.

    ``single_source`` flags what rests on one article only, the first thing a sceptical reader
    wants to know.
    """
    df = claims.assign(key=claim_keys(claims))
    rows = []
    for (kind, key), grp in df.groupby(["kind", "key"], observed=True, sort=False):
        arts = sorted(grp["article_id"].unique())
        rows.append(
            {
                "kind": str(kind),
                "key": key,
                "n_articles": len(arts),
                "n_claims": len(grp),
                "articles": ", ".join(arts),
                "claim_ids": ", ".join(sorted(grp["claim_id"])),
                "single_source": len(arts) == 1,
            }
        )
    out = pd.DataFrame(
        rows,
        columns=[
            "kind",
            "key",
            "n_articles",
            "n_claims",
            "articles",
            "claim_ids",
            "single_source",
        ],
    )
    kind_order = {k: i for i, k in enumerate(contract.KINDS)}
    out["_kind"] = out["kind"].map(kind_order)
    out = out.sort_values(["_kind", "n_articles", "key"], ascending=[True, False, True])
    return out.drop(columns="_kind").reset_index(drop=True)


def coverage_matrix(claims: pd.DataFrame, kind: str, articles: list[str]) -> pd.DataFrame:
    """Claims per (key, article) for one kind: rows are keys, columns every article given.

    Articles come from the caller (the articles table) so an article with no claim of this kind
    still shows as an empty column instead of disappearing.
    """
    df = claims[claims["kind"] == kind]
    df = df.assign(key=claim_keys(df))
    matrix = pd.crosstab(df["key"], df["article_id"]) if not df.empty else pd.DataFrame()
    matrix = matrix.reindex(columns=articles, fill_value=0).fillna(0).astype(int)
    order = (matrix > 0).sum(axis=1).sort_values(ascending=False, kind="stable")
    matrix = matrix.loc[sorted(matrix.index, key=lambda k: (-order[k], k))]
    matrix.index.name = "key"
    matrix.columns.name = "article_id"
    return matrix


def estimate_timeline(claims: pd.DataFrame) -> pd.DataFrame:
    """Estimates with a day (``derived_date``: typed, or where the evidence closes on one),
    oldest first: how the reported numbers moved."""
    est = estimates(claims)
    est = est[est["derived_date"].notna()]
    return est.sort_values(["derived_date", "figure", "claim_id"]).reset_index(drop=True)


def undated_estimates(claims: pd.DataFrame) -> pd.DataFrame:
    """Estimates with no day (shown apart, never dropped), with what bounds them, if anything:
    ``bound`` is 'on or before 2024-10-21' for an estimate its article's evidence bounds, ''
    for one nothing bounds, so a bounded figure never reads as wholly undated."""
    est = estimates(claims)
    est = est[est["derived_date"].isna()].reset_index(drop=True)
    est["bound"] = [
        dating.interval_words(low, high)
        for low, high in zip(est["derived_earliest"], est["derived_latest"], strict=True)
    ]
    return est


def estimates_table(claims: pd.DataFrame) -> pd.DataFrame:
    """Every estimate with its framing and wording, for the table beside the chart."""
    est = estimates(claims)
    return pd.DataFrame(
        {
            "claim": est["claim_id"],
            "claimant": est["claimant"],
            "figure": [
                format_figure(f, u, q)
                for f, u, q in zip(est["figure"], est["unit"], est["qualifier"], strict=True)
            ],
            "framing": est["category"].astype(str),
            "as of": est["figure_as_of"].fillna(""),
            "when": [
                iso_date(d) or dating.interval_words(low, high) or "undated"
                for d, low, high in zip(
                    est["derived_date"], est["derived_earliest"], est["derived_latest"], strict=True
                )
            ],
            "quote": est["quote"],
        }
    )


# --- Discrepancies ---------------------------------------------------------------------------


def _evidence(finding: int, kind: str, subject: str, grp: pd.DataFrame, value: pd.Series) -> list:
    """One evidence row per claim of a finding: the claim, its value and its verbatim quote.

    Only the three columns read are walked: a tuple of every column per row was 30% of the
    impact of a 10,000-row drop (cProfile)."""
    return [
        {
            "finding": finding,
            "type": kind,
            "subject": subject,
            "claim_id": claim_id,
            "article_id": article_id,
            "value": val,
            "quote": quote,
        }
        for claim_id, article_id, quote, val in zip(
            grp["claim_id"], grp["article_id"], grp["quote"], value, strict=True
        )
    ]


def _varying(df: pd.DataFrame, by: list[str], column: str) -> list[tuple[tuple, pd.DataFrame]]:
    """Groups of ``df`` by ``by`` in which ``column`` takes more than one value."""
    out = []
    for key, grp in df.groupby(by, observed=True, sort=True):
        if grp[column].astype("string").nunique(dropna=True) > 1:
            out.append((key if isinstance(key, tuple) else (key,), grp.sort_values("claim_id")))
    return out


def _figure_findings(est: pd.DataFrame) -> list[tuple[str, str, pd.DataFrame, pd.Series]]:
    """Framing, qualifier and attribution differences for the same reported figure."""
    found = []
    for (fig, unit), grp in _varying(est, ["figure", "unit"], "category"):
        found.append(("framing", f"{int(fig):,} {unit}", grp, grp["category"].astype(str)))
    for (fig, unit, cat), grp in _varying(est, ["figure", "unit", "category"], "qualifier"):
        found.append(
            ("qualifier", f"{int(fig):,} {unit} · {cat}", grp, grp["qualifier"].astype(str))
        )
    for (fig, unit), grp in _varying(est, ["figure", "unit"], "claimant_group"):
        found.append(
            ("attribution", f"{int(fig):,} {unit}", grp, grp["claimant_group"].astype(str))
        )
    return found


def _stance_findings(resp: pd.DataFrame) -> list[tuple[str, str, pd.DataFrame, pd.Series]]:
    """Claimant groups heard both doubting and affirming the deployment."""
    found = []
    for group, grp in resp.groupby("claimant_group", observed=True, sort=True):
        cats = set(grp["category"].astype(str))
        if cats & DOUBTING_STANCES and cats & AFFIRMING_STANCES:
            both = grp[grp["category"].astype(str).isin(DOUBTING_STANCES | AFFIRMING_STANCES)]
            both = both.sort_values(["derived_date", "claim_id"], na_position="last")
            value = [
                f"{cat} ({iso_date(d) or dating.interval_words(low, high) or 'undated'})"
                for cat, d, low, high in zip(
                    both["category"],
                    both["derived_date"],
                    both["derived_earliest"],
                    both["derived_latest"],
                    strict=True,
                )
            ]
            found.append(("stance", str(group), both, pd.Series(value, index=both.index)))
    return found


def _date_findings(claims: pd.DataFrame) -> list[tuple[str, str, pd.DataFrame, pd.Series]]:
    """Keys (same figure framing, or same group and stance) stated on different days."""
    keyed = claims[claims["kind"] != "context"]
    keyed = keyed[keyed["derived_date"].notna()].assign(key=claim_keys(keyed))
    return [
        ("date", key, grp, grp["derived_date"].map(iso_date))
        for (key,), grp in _varying(keyed, ["key"], "derived_date")
    ]


def _source_error_findings(claims: pd.DataFrame) -> list[tuple[str, str, pd.DataFrame, pd.Series]]:
    """Claims whose article errs in its own attribution (``source_error``): one finding per
    claim, valued with the article's words against the claimant its quote names (or, for a drop
    written before ``article_attribution``, the tagged note)."""
    tagged = claims[claims["source_error"].fillna(False).astype(bool)]
    return [
        (
            "source_error",
            row.claim_id,
            tagged.loc[[idx]],
            pd.Series([_source_error_value(row)], index=[idx]),
        )
        for idx, row in zip(
            tagged.index,
            tagged[["claim_id", "claimant", "note", "article_attribution"]].itertuples(),
            strict=True,
        )
    ]


def _source_error_value(row) -> str:
    """'the article writes “Selon …” where its quote names “…”', or the tagged note."""
    attribution = "" if pd.isna(row.article_attribution) else str(row.article_attribution)
    if attribution:
        return f"the article writes “{attribution}” where its quote names “{row.claimant}”"
    return str(row.note).removeprefix(contract.SOURCE_ERROR_TAG).strip()


def discrepancies(claims: pd.DataFrame) -> pd.DataFrame:
    """Every discrepancy between or within sources, one evidence row per claim involved.

    Columns: ``finding`` (number), ``type`` (a key of ``DISCREPANCY_TYPES``), ``subject`` (what
    the claims share), ``claim_id``, ``article_id``, ``value`` (what differs), ``quote``
    (verbatim). Computed only from the curated fields, so adding a drop updates the table.
    """
    est, resp = estimates(claims), responses(claims)
    findings = [
        *_figure_findings(est),
        *_stance_findings(resp),
        *_date_findings(claims),
        *_source_error_findings(claims),
    ]
    rows = []
    for number, (kind, subject, grp, value) in enumerate(findings, start=1):
        rows.extend(_evidence(number, kind, subject, grp, value))
    columns = ["finding", "type", "subject", "claim_id", "article_id", "value", "quote"]
    return pd.DataFrame(rows, columns=columns)


def evidence_table(evidence: pd.DataFrame) -> pd.DataFrame:
    """The evidence rows for reading: finding number, claim, what it says, and its quote.

    Type and subject are in the summary table already; dropping them leaves the page width to
    the quotes.
    """
    return evidence[["finding", "claim_id", "value", "quote"]].rename(
        columns={"claim_id": "claim", "value": "says"}
    )


def discrepancy_summary(evidence: pd.DataFrame) -> pd.DataFrame:
    """One line per finding: what differs, with the claim ids behind each value."""
    rows = []
    for finding, grp in evidence.groupby("finding", sort=True):
        parts = []
        for value, sub in grp.groupby("value", sort=False):
            parts.append(f"{value} ({', '.join(sub['claim_id'])})")
        rows.append(
            {
                "finding": int(finding),
                "type": DISCREPANCY_TYPES[grp["type"].iloc[0]],
                "subject": grp["subject"].iloc[0],
                "articles": ", ".join(sorted(grp["article_id"].unique())),
                "what differs": "; ".join(parts),
            }
        )
    return pd.DataFrame(rows, columns=["finding", "type", "subject", "articles", "what differs"])


def dataset_overview(claims: pd.DataFrame, articles: pd.DataFrame) -> pd.DataFrame:
    """Each article (its title, so 'A003' means something) with its claims per kind and dated."""
    dated = (
        claims.assign(_dated=claims["derived_date"].notna()).groupby("article_id")["_dated"].sum()
    )
    columns = ["article_id", "title", "published_date", "n_troop_estimate", "n_response"]
    out = articles[[*columns, "n_context"]]
    out = out.assign(
        published_date=out["published_date"].map(iso_date),
        n_dated=out["article_id"].map(dated).fillna(0).astype(int),
    )
    return out.rename(
        columns={
            "article_id": "article",
            "published_date": "published",
            "n_troop_estimate": "estimates",
            "n_response": "responses",
            "n_context": "context",
            "n_dated": "claims dated (stated or derived)",
        }
    )


def wording(name: object) -> str:
    """A claimant's wording compared as a reader would: the same words with another apostrophe
    (’ or '), case or spacing is the same wording."""
    text = unicodedata.normalize("NFKC", str(name))
    for apostrophe in "’‘ʼ`´":
        text = text.replace(apostrophe, "'")
    return " ".join(text.split()).casefold()


def to_the_day(rows: pd.DataFrame) -> pd.DataFrame:
    """The rows whose day is known (derived precision 'day'): only these can be ordered by day."""
    return rows[rows["derived_date"].notna() & (rows["derived_precision"] == "day")]
