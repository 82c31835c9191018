"""Response dates: when each claimant group responded, and how well that date is known.

Dating responses is its own concern because a response's date is often uncertain (inferred,
coarse, only bounded, or missing), and the report must never make it look more certain than the
articles do. Everything that decides how a date is known and how a lag is counted lives here:
``date_bounds`` turns a precision into an interval, ``date_status`` sorts responses into dated,
bounded and undated, and ``date_reason`` takes the curator's words for why a date is missing.
It builds on ``analysis`` (which selects the claims; the import never runs the other way), and
``charts`` draws what it returns. The module is not called ``timing``: that is the name the
notebooks, charts and tests give the frame ``response_timing`` returns.
"""

from __future__ import annotations

import re

import pandas as pd

from troopclaims import analysis

# Half-widths of the uncertainty of a statement date, in days, by date_precision (data/README.md: a
# 'week' date is within about three days either side; a 'month' date is the month's first day).
_WEEK_HALF_WIDTH = 3


def reference_date(
    claims: pd.DataFrame,
    override: str = "",
    group: str = "South Korea",
    kind: str = analysis.ESTIMATE,
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
    claims: pd.DataFrame,
    reference: pd.Timestamp,
    group: str = "South Korea",
    kind: str = analysis.ESTIMATE,
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
    resp = analysis.responses(claims)
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
                "date": analysis.iso_date(grp["statement_date"].iloc[0]),
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
            "date": timing["statement_date"].map(analysis.iso_date),
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
    resp = analysis.responses(claims)
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
        return f"{analysis.iso_date(date)} ({basis})" if not pd.isna(date) else "open"

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
    resp = analysis.responses(claims)
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
    status = date_status(analysis.responses(claims))
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
