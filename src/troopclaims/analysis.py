"""The computations behind the report: plain pandas in, plain pandas out, no plotting.

Notebooks narrate and ``charts`` draws; everything a reader could dispute (which claims count as
the same, what counts as a conflict, how uncertain a date is) is decided here, once, and unit
tested on small synthetic frames as well as on the real data. Every finding keeps the claim ids
and verbatim quotes it rests on, so no sentence in the report is written by hand.
"""

from __future__ import annotations

import re

import pandas as pd

from troopclaims import contract

ESTIMATE = "troop_estimate"
RESPONSE = "response"

# Stances that doubt the deployment versus stances that take it as real. A claimant group heard on
# both sides is a conflict worth showing; every other pair (concern and demand, say) is not.
DOUBTING_STANCES = frozenset({"denial", "cannot_confirm"})
AFFIRMING_STANCES = frozenset({"confirmation", "accusation", "condemnation"})

# Half-widths of the uncertainty of a statement date, in days, by date_precision (data/README.md: a
# 'week' date is within about three days either side; a 'month' date is the month's first day).
_WEEK_HALF_WIDTH = 3

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


def _iso(value: object) -> str:
    """A date as YYYY-MM-DD, or '' when missing (tables show no 'NaT')."""
    return "" if pd.isna(value) else pd.Timestamp(value).strftime("%Y-%m-%d")


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
    normalised. The key is a readable string so tables and charts can show it as is.
    """

    def key(row: pd.Series) -> str:
        if row["kind"] == ESTIMATE:
            return f"{int(row['figure']):,} {row['unit']} · {row['category']}"
        if row["kind"] == RESPONSE:
            return f"{row['claimant_group']} · {row['category']}"
        return f"context · {row['category']}"

    if claims.empty:
        return pd.Series([], index=claims.index, dtype="string")
    return claims.apply(key, axis=1).astype("string")


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


def reference_date(
    claims: pd.DataFrame,
    override: str = "",
    group: str = "South Korea",
    kind: str = ESTIMATE,
) -> pd.Timestamp:
    """The day response lags count from.

    An ISO ``override`` wins; otherwise the earliest dated claim of ``kind`` by ``group`` (by
    default the first South Korean intelligence disclosure of a troop figure), computed from the
    data so a new drop that moves the disclosure earlier moves the reference with it.
    """
    if override:
        return pd.Timestamp(override).normalize()
    dated = claims[
        (claims["claimant_group"] == group)
        & (claims["kind"] == kind)
        & claims["statement_date"].notna()
    ]
    if dated.empty:
        raise ValueError(
            f"no dated {kind} claim by {group}: cannot compute the reference date; "
            "pass reference_date explicitly"
        )
    return pd.Timestamp(dated["statement_date"].min())


def reference_claims(
    claims: pd.DataFrame, reference: pd.Timestamp, group: str = "South Korea", kind: str = ESTIMATE
) -> list[str]:
    """Claim ids dated on the reference day by the reference group (for the chart's note)."""
    hit = claims[
        (claims["claimant_group"] == group)
        & (claims["kind"] == kind)
        & (claims["statement_date"] == reference)
    ]
    return sorted(hit["claim_id"])


def date_bounds(dates: pd.Series, precision: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Earliest and latest day each statement date can mean, from its ``date_precision``.

    'day' is exact, 'week' is ±3 days, 'month' is the whole month (the recorded date is the
    first). Charts draw the span so an inferred or coarse date does not look exact.
    """
    prec = precision.astype("string")
    low = dates.copy()
    high = dates.copy()
    week = prec == "week"
    low[week] = dates[week] - pd.Timedelta(days=_WEEK_HALF_WIDTH)
    high[week] = dates[week] + pd.Timedelta(days=_WEEK_HALF_WIDTH)
    month = prec == "month"
    low[month] = dates[month].dt.to_period("M").dt.start_time
    high[month] = dates[month].dt.to_period("M").dt.end_time.dt.normalize()
    return low, high


def response_timing(claims: pd.DataFrame, reference: pd.Timestamp) -> pd.DataFrame:
    """Dated responses as days after ``reference``, with the uncertainty of each date.

    ``lag_low``/``lag_high`` bound the lag from ``date_precision``; ``inferred`` is True when the
    article does not state the date itself (date_basis other than 'stated'); ``first`` marks each
    claimant group's earliest dated response (every claim on that day, when several tie).
    Undated responses are not here: see ``undated_responses``.
    """
    resp = responses(claims)
    resp = resp[resp["statement_date"].notna()].copy()
    low, high = date_bounds(resp["statement_date"], resp["date_precision"])
    resp["lag_days"] = (resp["statement_date"] - reference).dt.days.astype("int64")
    resp["lag_low"] = (low - reference).dt.days.astype("int64")
    resp["lag_high"] = (high - reference).dt.days.astype("int64")
    resp["inferred"] = resp["date_basis"].astype("string") != "stated"
    earliest = resp.groupby("claimant_group", observed=True)["lag_days"].transform("min")
    resp["first"] = resp["lag_days"] == earliest
    cols = [
        "claim_id",
        "article_id",
        "claimant_group",
        "claimant",
        "category",
        "statement_date",
        "date_precision",
        "date_basis",
        "lag_days",
        "lag_low",
        "lag_high",
        "inferred",
        "first",
        "quote",
    ]
    return resp[cols].sort_values(["lag_days", "claimant_group", "claim_id"]).reset_index(drop=True)


def first_responses(timing: pd.DataFrame) -> pd.DataFrame:
    """Each claimant group's first dated response: when, how long after the reference, what."""
    first = timing[timing["first"]]
    rows = []
    for group, grp in first.groupby("claimant_group", observed=True, sort=False):
        rows.append(
            {
                "claimant_group": str(group),
                "date": _iso(grp["statement_date"].iloc[0]),
                "days_after_reference": int(grp["lag_days"].iloc[0]),
                "stances": ", ".join(sorted(grp["category"].astype(str).unique())),
                "date_basis": ", ".join(sorted(grp["date_basis"].astype(str).unique())),
                "claim_ids": ", ".join(sorted(grp["claim_id"])),
            }
        )
    columns = ["claimant_group", "date", "days_after_reference", "stances", "date_basis"]
    out = pd.DataFrame(rows, columns=[*columns, "claim_ids"])
    return out.sort_values(["days_after_reference", "claimant_group"]).reset_index(drop=True)


def timing_table(timing: pd.DataFrame) -> pd.DataFrame:
    """Every dated response for reading: date, who, stance, lag, how the date is known, quote."""
    return pd.DataFrame(
        {
            "date": timing["statement_date"].map(_iso),
            "claim": timing["claim_id"],
            "group": timing["claimant_group"].astype(str),
            "claimant": timing["claimant"],
            "stance": timing["category"].astype(str),
            "days": timing["lag_days"],
            "date known": [
                f"{basis} ({precision})"
                for basis, precision in zip(
                    timing["date_basis"], timing["date_precision"], strict=True
                )
            ],
            "quote": timing["quote"],
        }
    )


# How a response's date is known: dated (statement_date, an interval from its precision), bounded
# (an earliest and/or a latest date, one side possibly open) or undated (neither).
DATED, BOUNDED, UNDATED = "dated", "bounded", "undated"
DATE_STATUSES = (DATED, BOUNDED, UNDATED)

# A note's sentences that say why a date is or is not known: these words mark them.
_DATE_REASON = re.compile(r"\bdat(?:e|ed|es|ing)?\b|undated|anchor|\bwhen\b", re.IGNORECASE)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z'‘\"(\[])")


def date_status(claims: pd.DataFrame) -> pd.Series:
    """'dated', 'bounded' or 'undated' for each claim, from the date columns alone.

    A statement date wins (its precision already makes it an interval, ``date_bounds``); else an
    earliest or a latest date (either side may be open) makes it bounded; else it is undated.
    """
    bounded = claims["earliest_date"].notna() | claims["latest_date"].notna()
    status = pd.Series(UNDATED, index=claims.index, dtype="object")
    status[bounded] = BOUNDED
    status[claims["statement_date"].notna()] = DATED
    return status


def bounded_responses(claims: pd.DataFrame, reference: pd.Timestamp) -> pd.DataFrame:
    """Responses with no statement date but an earliest and/or latest date, as lags.

    ``lag_low``/``lag_high`` are days after ``reference``, missing (<NA>) on an open side: 'on or
    after 18 October' has no upper bound, and drawing one would invent a date.
    """
    resp = responses(claims)
    resp = resp[date_status(resp) == BOUNDED].copy()
    for bound, lag in (("earliest_date", "lag_low"), ("latest_date", "lag_high")):
        resp[lag] = (resp[bound] - reference).dt.days.astype("Int64")
    cols = [
        "claim_id",
        "article_id",
        "claimant_group",
        "claimant",
        "category",
        "earliest_date",
        "earliest_basis",
        "latest_date",
        "latest_basis",
        "anchor_claim_id",
        "lag_low",
        "lag_high",
        "quote",
    ]
    order = resp["lag_low"].fillna(resp["lag_high"])
    resp = resp.assign(_order=order).sort_values(["_order", "claimant_group", "claim_id"])
    return resp[cols].reset_index(drop=True)


def bounded_table(bounded: pd.DataFrame) -> pd.DataFrame:
    """Every bounded response for reading: between which dates, how each bound is known, quote."""

    def bound(date: object, basis: object) -> str:
        return f"{_iso(date)} ({basis})" if not pd.isna(date) else "open"

    return pd.DataFrame(
        {
            "claim": bounded["claim_id"],
            "group": bounded["claimant_group"].astype(str),
            "claimant": bounded["claimant"],
            "stance": bounded["category"].astype(str),
            "on or after": [
                bound(d, b)
                for d, b in zip(bounded["earliest_date"], bounded["earliest_basis"], strict=True)
            ],
            "on or before": [
                bound(d, b)
                for d, b in zip(bounded["latest_date"], bounded["latest_basis"], strict=True)
            ],
            "anchor": bounded["anchor_claim_id"].fillna(""),
            "quote": bounded["quote"],
        }
    )


def date_reason(note: object, basis: object = "unknown") -> str:
    """Why a claim has no date, in the curator's words: the note's sentences about dating.

    The reason is read from the data (never typed here): the sentences of ``note`` that speak
    of dates, or the whole note when none does, or the date basis when there is no note.
    """
    text = "" if pd.isna(note) else str(note).strip()
    sentences = [s for s in _SENTENCE_END.split(text) if s]
    about_dates = [s for s in sentences if _DATE_REASON.search(s)]
    if about_dates:
        return " ".join(about_dates)
    return text or f"no note; date basis {basis}"


def undated_reasons(claims: pd.DataFrame) -> pd.DataFrame:
    """Responses with neither a date nor a bound, one row each, with the reason from the data.

    These cannot go on a time axis at all; listing them by group with the curator's reason is
    what keeps a group that responded from looking as if it never did.
    """
    resp = responses(claims)
    resp = resp[date_status(resp) == UNDATED]
    out = pd.DataFrame(
        {
            "claim_id": resp["claim_id"],
            "claimant_group": resp["claimant_group"].astype(str),
            "stance": resp["category"].astype(str),
            "reason": [
                date_reason(n, b) for n, b in zip(resp["note"], resp["date_basis"], strict=True)
            ],
        },
        columns=["claim_id", "claimant_group", "stance", "reason"],
    )
    return out.sort_values(["claimant_group", "claim_id"]).reset_index(drop=True)


def undated_responses(claims: pd.DataFrame) -> pd.DataFrame:
    """Responses with neither a date nor a bound, counted per claimant group with their ids.

    They cannot go on a time axis, and leaving them out silently would make a group that
    responded (undated) look as if it never did. Bounded responses are not here: they are
    drawn as intervals (``bounded_responses``).
    """
    undated = undated_reasons(claims)
    rows = [
        {
            "claimant_group": str(group),
            "n_undated": len(grp),
            "stances": ", ".join(sorted(grp["stance"].unique())),
            "claim_ids": ", ".join(sorted(grp["claim_id"])),
        }
        for group, grp in undated.groupby("claimant_group")
    ]
    out = pd.DataFrame(rows, columns=["claimant_group", "n_undated", "stances", "claim_ids"])
    return out.sort_values(["n_undated", "claimant_group"], ascending=[False, True]).reset_index(
        drop=True
    )


def date_coverage(claims: pd.DataFrame) -> pd.DataFrame:
    """How many responses are dated, bounded or neither, and their share of all responses.

    The headline of the timing section: a chart of 16 dated responses out of 60 reads very
    differently once the reader knows the other 44 exist.
    """
    status = date_status(responses(claims))
    counts = status.value_counts().reindex(list(DATE_STATUSES), fill_value=0)
    total = int(counts.sum())
    return pd.DataFrame(
        {
            "status": list(DATE_STATUSES),
            "responses": [int(n) for n in counts],
            "share": [n / total if total else 0.0 for n in counts],
        }
    )


def format_date_coverage(claims: pd.DataFrame, list_undated: bool = True) -> str:
    """The date coverage of the responses as plain text, for a terminal or a notebook print.

    One line of shares, then (``list_undated``) every response with neither a date nor a bound,
    by group, with its reason, so a summary printed by the CLI or the bench names them as the
    report does (the report shows that list as a table, hence the switch).
    """
    cov = date_coverage(claims).set_index("status")
    total = int(cov["responses"].sum())
    parts = [
        f"{label} {int(cov.at[status, 'responses'])} ({cov.at[status, 'share']:.0%})"
        for status, label in ((DATED, "dated"), (BOUNDED, "bounded"), (UNDATED, "neither"))
    ]
    lines = [f"Responses: {total}; " + ", ".join(parts) + "."]
    undated = undated_reasons(claims)
    if list_undated and len(undated):
        lines.append("Neither dated nor bounded:")
        lines += [
            f"  {row.claim_id}  {row.claimant_group}: {row.reason}" for row in undated.itertuples()
        ]
    return "\n".join(lines)


def estimate_timeline(claims: pd.DataFrame) -> pd.DataFrame:
    """Estimates with a statement date, oldest first: how the reported numbers moved."""
    est = estimates(claims)
    est = est[est["statement_date"].notna()]
    return est.sort_values(["statement_date", "figure", "claim_id"]).reset_index(drop=True)


def undated_estimates(claims: pd.DataFrame) -> pd.DataFrame:
    """Estimates the articles give no date for (shown apart, never dropped)."""
    est = estimates(claims)
    return est[est["statement_date"].isna()].reset_index(drop=True)


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
            "stated": est["statement_date"].map(_iso),
            "quote": est["quote"],
        }
    )


# --- Discrepancies ---------------------------------------------------------------------------


def _evidence(finding: int, kind: str, subject: str, grp: pd.DataFrame, value: pd.Series) -> list:
    """One evidence row per claim of a finding: the claim, its value and its verbatim quote."""
    return [
        {
            "finding": finding,
            "type": kind,
            "subject": subject,
            "claim_id": row.claim_id,
            "article_id": row.article_id,
            "value": val,
            "quote": row.quote,
        }
        for row, val in zip(grp.itertuples(), value, strict=True)
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
            both = both.sort_values(["statement_date", "claim_id"], na_position="last")
            value = [
                f"{cat} ({_iso(d) or 'undated'})"
                for cat, d in zip(both["category"], both["statement_date"], strict=True)
            ]
            found.append(("stance", str(group), both, pd.Series(value, index=both.index)))
    return found


def _date_findings(claims: pd.DataFrame) -> list[tuple[str, str, pd.DataFrame, pd.Series]]:
    """Keys (same figure framing, or same group and stance) stated on different days."""
    keyed = claims[claims["kind"] != "context"]
    keyed = keyed[keyed["statement_date"].notna()].assign(key=claim_keys(keyed))
    return [
        ("date", key, grp, grp["statement_date"].map(_iso))
        for (key,), grp in _varying(keyed, ["key"], "statement_date")
    ]


def _source_error_findings(claims: pd.DataFrame) -> list[tuple[str, str, pd.DataFrame, pd.Series]]:
    """Claims the curator tagged [source_error]: one finding per claim, the note as value."""
    tagged = claims[claims["note"].fillna("").str.startswith(contract.SOURCE_ERROR_TAG)]
    return [
        (
            "source_error",
            row.claim_id,
            tagged.loc[[idx]],
            pd.Series([row.note.removeprefix(contract.SOURCE_ERROR_TAG).strip()], index=[idx]),
        )
        for idx, row in zip(tagged.index, tagged.itertuples(), strict=True)
    ]


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
    dated = claims.groupby("article_id")["has_statement_date"].sum()
    columns = ["article_id", "title", "published_date", "n_troop_estimate", "n_response"]
    out = articles[[*columns, "n_context"]]
    out = out.assign(
        published_date=out["published_date"].map(_iso),
        n_dated=out["article_id"].map(dated).fillna(0).astype(int),
    )
    return out.rename(
        columns={
            "article_id": "article",
            "published_date": "published",
            "n_troop_estimate": "estimates",
            "n_response": "responses",
            "n_context": "context",
            "n_dated": "claims with a date",
        }
    )
