"""Response dates: when each claimant group responded, and how well that date is known.

Dating responses is its own concern because a response's date is often uncertain (inferred,
coarse, only bounded, or missing), and the report must never make it look more certain than the
articles do. The interval each claim can have is derived from evidence by ``dating`` (and
written into the processed claims as ``derived_*``); here it becomes lags: ``date_status``
sorts responses into dated, bounded and undated, and ``date_reason`` gives the curator's words
for why a date is missing.
It builds on ``analysis`` (which selects the claims; the import never runs the other way), and
``charts`` draws what it returns. The module is not called ``timing``: that is the name the
notebooks, charts and tests give the frame ``response_timing`` returns.
"""

from __future__ import annotations

import pandas as pd

from troopclaims.checks import dating
from troopclaims.report import analysis


def reference_date(
    claims: pd.DataFrame,
    override: str = "",
    group: str = "South Korea",
    kind: str = analysis.ESTIMATE,
) -> pd.Timestamp:
    """The day response lags count from.

    An ISO ``override`` wins; otherwise the earliest claim of ``kind`` by ``group`` dated to
    the day (by default the first South Korean intelligence disclosure of a troop figure, as
    page 1 dates it: a date typed to the week or month is a span, not a day), computed from the
    data so a new drop that moves the disclosure earlier moves the reference with it.
    """
    if override:
        return pd.Timestamp(override).normalize()
    dated = analysis.to_the_day(
        claims[(claims["claimant_group"] == group) & (claims["kind"] == kind)]
    )
    if dated.empty:
        raise ValueError(
            f"no dated {kind} claim by {group} (dated to the day): cannot compute the reference "
            "date; pass reference_date explicitly"
        )
    return pd.Timestamp(dated["derived_date"].min())


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
        & (claims["derived_date"] == reference)
    ]
    return sorted(hit["claim_id"])


def response_timing(claims: pd.DataFrame, reference: pd.Timestamp) -> pd.DataFrame:
    """Dated responses as days after ``reference``, with the uncertainty of each date.

    A response is dated when it has a day (``derived_date``: typed, or the day its derived
    bounds close on). ``lag_low``/``lag_high`` are its derived interval (a week-precision date
    cut to what its article's date allows), ``date_known`` says how in words; ``inferred`` is
    True when the article does not state the day itself; ``own_disclosure`` marks the disclosing
    source's own words in its disclosure (``part_of_disclosure``), which answer nothing and so
    are never a group's first response; ``first`` marks each claimant group's earliest dated
    response (every claim on that day, when several tie). Undated responses are not here: see
    ``bounded_responses`` and ``undated_responses``.
    """
    resp = analysis.responses(claims)
    resp = resp[resp["derived_date"].notna()].copy()
    resp["lag_days"] = (resp["derived_date"] - reference).dt.days.astype("int64")
    resp["lag_low"] = (resp["derived_earliest"] - reference).dt.days.astype("int64")
    resp["lag_high"] = (resp["derived_latest"] - reference).dt.days.astype("int64")
    resp["inferred"] = resp["date_basis"].astype("string") != "stated"
    resp["date_known"] = date_known(resp)
    resp["own_disclosure"] = part_of_disclosure(resp, disclosure(claims))
    answering = resp["lag_days"].where(~resp["own_disclosure"])
    earliest = answering.groupby(resp["claimant_group"], observed=True).transform("min")
    resp["first"] = answering == earliest
    cols = [
        "claim_id",
        "article_id",
        "claimant_group",
        "claimant",
        "category",
        "derived_date",
        "derived_precision",
        "date_basis",
        "date_known",
        "lag_days",
        "lag_low",
        "lag_high",
        "inferred",
        "own_disclosure",
        "first",
        "quote",
    ]
    return resp[cols].sort_values(["lag_days", "claimant_group", "claim_id"]).reset_index(drop=True)


def date_known(claims: pd.DataFrame) -> pd.Series:
    """How each claim's date is known, in words with the reason for each bound (``dating``):
    what the report's tables and tooltips show beside a date or an interval."""
    columns = ("derived_earliest", "derived_earliest_reason", "derived_latest",
               "derived_latest_reason")  # fmt: skip
    return pd.Series(
        [dating.describe(*row) for row in zip(*(claims[c] for c in columns), strict=True)],
        index=claims.index,
        dtype=object,
    )


def first_responses(timing: pd.DataFrame) -> pd.DataFrame:
    """Each claimant group's first dated response: when, how long after the reference, what."""
    first = timing[timing["first"]]
    rows = []
    for group, grp in first.groupby("claimant_group", observed=True, sort=False):
        rows.append(
            {
                "claimant_group": str(group),
                "date": _first_date(grp),
                "days_after_reference": int(grp["lag_days"].iloc[0]),
                "stances": ", ".join(sorted(grp["category"].astype(str).unique())),
                "date_basis": ", ".join(sorted(grp["date_basis"].astype(str).unique())),
                "claim_ids": ", ".join(sorted(grp["claim_id"])),
            }
        )
    columns = ["claimant_group", "date", "days_after_reference", "stances", "date_basis"]
    out = pd.DataFrame(rows, columns=[*columns, "claim_ids"])
    return out.sort_values(["days_after_reference", "claimant_group"]).reset_index(drop=True)


def _first_date(grp: pd.DataFrame) -> str:
    """'2024-10-22', or '2024-10-22 (to the week)' when the first response's date is a span:
    page 1 orders only responses dated to the day, and a reader of this table must see why."""
    day = analysis.iso_date(grp["derived_date"].iloc[0])
    spans = sorted(set(grp["derived_precision"].astype(str)) - {"day"})
    return f"{day} (to the {' or '.join(spans)})" if spans else day


def timing_table(timing: pd.DataFrame) -> pd.DataFrame:
    """Every dated response for reading: date, who, stance, lag, how the date is known, quote."""
    return pd.DataFrame(
        {
            "date": timing["derived_date"].map(analysis.iso_date),
            "claim": timing["claim_id"],
            "group": timing["claimant_group"].astype(str),
            "claimant": timing["claimant"],
            "stance": timing["category"].astype(str),
            "days": timing["lag_days"],
            "how the date is known": timing["date_known"],
            "quote": timing["quote"],
        }
    )


# How a response's date is known: dated (a day, typed or where its derived bounds meet; a week or
# month date is an interval around it), bounded (an earliest and/or a latest possible day, one
# side possibly open) or undated (neither).
DATED, BOUNDED, UNDATED = "dated", "bounded", "undated"
DATE_STATUSES = (DATED, BOUNDED, UNDATED)


def date_status(claims: pd.DataFrame) -> pd.Series:
    """'dated', 'bounded' or 'undated' for each claim, from its derived dates (``dating``).

    A day wins (its precision already makes it an interval); else an earliest or a latest
    possible day (either side may be open) makes it bounded; else it is undated.
    """
    bounded = claims["derived_earliest"].notna() | claims["derived_latest"].notna()
    status = pd.Series(UNDATED, index=claims.index, dtype="object")
    status[bounded] = BOUNDED
    status[claims["derived_date"].notna()] = DATED
    return status


def bounded_responses(claims: pd.DataFrame, reference: pd.Timestamp) -> pd.DataFrame:
    """Responses with no day but an earliest and/or latest possible day, as lags.

    ``lag_low``/``lag_high`` are days after ``reference``, missing (<NA>) on an open side: 'on or
    after 18 October' in an undated article has no upper bound, and drawing one would invent a
    date. ``date_known`` gives each side with its reason.
    """
    resp = analysis.responses(claims)
    resp = resp[date_status(resp) == BOUNDED].copy()
    for bound, lag in (("derived_earliest", "lag_low"), ("derived_latest", "lag_high")):
        resp[lag] = (resp[bound] - reference).dt.days.astype("Int64")
    resp["date_known"] = date_known(resp)
    cols = [
        "claim_id",
        "article_id",
        "claimant_group",
        "claimant",
        "category",
        "derived_earliest",
        "derived_earliest_reason",
        "derived_latest",
        "derived_latest_reason",
        "anchor_claim_id",
        "date_known",
        "lag_low",
        "lag_high",
        "quote",
    ]
    order = resp["lag_low"].fillna(resp["lag_high"])
    resp = resp.assign(_order=order).sort_values(["_order", "claimant_group", "claim_id"])
    return resp[cols].reset_index(drop=True)


def bounded_table(bounded: pd.DataFrame) -> pd.DataFrame:
    """Every bounded response for reading: between which days, why each side, the quote."""

    def side(date: object, reason: object) -> str:
        return f"{analysis.iso_date(date)}: {reason}" if not pd.isna(date) else "open"

    return pd.DataFrame(
        {
            "claim": bounded["claim_id"],
            "group": bounded["claimant_group"].astype(str),
            "claimant": bounded["claimant"],
            "stance": bounded["category"].astype(str),
            "on or after": [
                side(d, r)
                for d, r in zip(
                    bounded["derived_earliest"], bounded["derived_earliest_reason"], strict=True
                )
            ],
            "on or before": [
                side(d, r)
                for d, r in zip(
                    bounded["derived_latest"], bounded["derived_latest_reason"], strict=True
                )
            ],
            "quote": bounded["quote"],
        }
    )


def undated_reasons(claims: pd.DataFrame) -> pd.DataFrame:
    """Responses with neither a date nor a bound, one row each: who (group and claimant, as the
    article names them), the stance, and the curator's note whole as the reason.

    These cannot go on a time axis at all; listing each with its claimant and the curator's
    reason is what keeps a group that responded, and the person who spoke, from vanishing.
    """
    resp = analysis.responses(claims)
    resp = resp[date_status(resp) == UNDATED]
    out = pd.DataFrame(
        {
            "claim_id": resp["claim_id"],
            "claimant_group": resp["claimant_group"].astype(str),
            "claimant": resp["claimant"].astype(str),
            "stance": resp["category"].astype(str),
            "reason": [
                str(n).strip() if not pd.isna(n) and str(n).strip() else NO_NOTE
                for n in resp["note"]
            ],
        },
        columns=["claim_id", "claimant_group", "claimant", "stance", "reason"],
    )
    return out.sort_values(["claimant_group", "claim_id"]).reset_index(drop=True)


# The reason shown for an undated response whose curator left no note.
NO_NOTE = "no curator's note; nothing in the corpus dates or bounds it"


def undated_responses(claims: pd.DataFrame) -> pd.DataFrame:
    """Responses with neither a date nor a bound, counted per claimant group, with the
    claimants' names and the ids.

    They cannot go on a time axis, and leaving them out silently would make a group that
    responded (undated) look as if it never did. Bounded responses are not here: they are
    drawn as intervals (``bounded_responses``).
    """
    undated = undated_reasons(claims)
    rows = [
        {
            "claimant_group": str(group),
            "n_undated": len(grp),
            "claimants": "; ".join(dict.fromkeys(grp["claimant"])),
            "stances": ", ".join(sorted(grp["stance"].unique())),
            "claim_ids": ", ".join(sorted(grp["claim_id"])),
        }
        for group, grp in undated.groupby("claimant_group")
    ]
    columns = ["claimant_group", "n_undated", "claimants", "stances", "claim_ids"]
    out = pd.DataFrame(rows, columns=columns)
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
            f"  {row.claim_id}  {row.claimant_group} ({row.claimant}): {row.reason}"
            for row in undated.itertuples()
        ]
    return "\n".join(lines)


def disclosure(claims: pd.DataFrame) -> pd.DataFrame:
    """The troop estimates dated to the day on the earliest such day: the first disclosure of a
    figure that the data can date (an undated article may report an earlier one)."""
    dated = analysis.to_the_day(analysis.estimates(claims))
    if dated.empty:
        return dated
    return dated[dated["derived_date"] == dated["derived_date"].min()]


def part_of_disclosure(resp: pd.DataFrame, disclosed: pd.DataFrame) -> pd.Series:
    """Responses made by the disclosing source itself, in the same article on the same day
    (the same claimant wording): the source's words about its own report, not a response to it
    (A003-20: the NIS presents its detection as confirming the deployment)."""
    if disclosed.empty:
        return pd.Series(False, index=resp.index)
    own = {
        (a, d, analysis.wording(c))
        for a, d, c in zip(
            disclosed["article_id"],
            disclosed["derived_date"],
            disclosed["claimant"],
            strict=True,
        )
    }
    keys = zip(resp["article_id"], resp["derived_date"], resp["claimant"], strict=True)
    flags = [(a, d, analysis.wording(c)) in own for a, d, c in keys]
    return pd.Series(flags, index=resp.index, dtype=bool)  # a mask even when there is no row
