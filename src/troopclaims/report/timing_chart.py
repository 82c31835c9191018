"""The response-timing chart: a lane per group, dated marks, bounded bands, the rest counted.

It is the largest and most intricate figure (lanes, sub-rows, dodging, open-sided intervals, a
second panel), and it draws one concern: ``response_dates``. It has its own room so that
``charts`` stays the house style and the simpler figures; it uses the house style from
``charts`` (``styled``, ``new_figure``, ``source_note``, ``ids_note``, ``claim_tooltip``,
``stance_style``) and tags its marks for ``svgout``, so it looks and behaves like the others.
"""

from __future__ import annotations

import textwrap

import matplotlib as mpl
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from troopclaims import contract
from troopclaims.report import analysis, charts, svgout
from troopclaims.report.response_dates import BOUNDED, DATED

# Heights of a lane's sub-rows, in inches: the tallest mark on the sub-row and a little air. A
# first-response ring is 0.16 in across, a marker 0.09 in, a bounded band and its caps 0.08 in.
# Tight enough that the real corpus (34 bounded responses) fits an A4 page.
RING_ROW_IN, MARK_ROW_IN, BAND_ROW_IN = 0.18, 0.14, 0.09
LANE_PAD_IN = 0.05  # above and below each lane's sub-rows
MARK_RADIUS_IN = 0.1  # half the widest mark (the first-response ring) plus air, for dodging
MAIN_AXIS_SHARE = 4 / 5.2  # the lanes' share of the axes' width (width_ratios 4:1, wspace)
TIMING_LEFT, TIMING_RIGHT = 0.2, 0.98


@charts.styled
def response_timing(
    timing: pd.DataFrame,
    bounded: pd.DataFrame,
    undated: pd.DataFrame,
    reference: pd.Timestamp,
    reference_label: str,
) -> Figure:
    """Every claimant group that responded gets a lane: dated marks, bounded intervals, the rest
    counted beside it.

    Colour and shape give the stance; a hollow marker means the article does not state the day
    (the curator inferred it, or the evidence closes on it: ``dating``); a thin line spans the
    interval a coarse date can have (a week or a month, cut to what the evidence allows, so it
    never runs past the article's own date: ``lag_low``/``lag_high``); a black ring marks each
    group's first dated response. A response known only to lie between two dates is a wide
    pale band with end caps; an open side runs to the axis edge as an arrow. Every mark's
    tooltip says how its date is known, with the reason for each side (``date_known``). Marks
    that would overlap are dodged onto sub-rows of their lane. The right panel counts the
    responses with neither date nor bound (the report lists them with reasons), so no group
    disappears.
    """
    groups = _group_order(timing, bounded, undated)
    x_lo, x_hi = _lag_limits(timing, bounded)
    days_per_in = (x_hi - x_lo) / (charts.WIDTH_IN * (TIMING_RIGHT - TIMING_LEFT) * MAIN_AXIS_SHARE)
    marks = _lane_marks(timing, bounded, x_lo, x_hi, MARK_RADIUS_IN * days_per_in)
    lanes, ys = _lanes(marks, groups)
    note = _timing_note(timing, bounded, undated)
    note_in = 0.6 + 0.11 * len(textwrap.wrap(note, width=135))
    handles = _timing_handles(timing, bounded)
    top_in = 0.45 + 0.17 * -(-len(handles) // 4) + 0.1
    lanes_in = sum(height for _y, height in lanes.values())
    height = top_in + lanes_in + note_in
    fig, (ax, ax_u) = charts.new_figure(height, ncols=2, sharey=True, width_ratios=[4, 1])
    for mark, y in zip(marks.itertuples(), ys, strict=True):
        if mark.kind == DATED:
            _response_point(ax, timing.loc[mark.index], y)
        else:
            _bounded_interval(ax, bounded.loc[mark.index], y, x_lo, x_hi)
    _lag_axes(ax, lanes, reference, reference_label, x_lo, x_hi)
    _undated_counts(ax_u, undated, lanes)
    fig.legend(
        handles=handles,
        loc="upper center",
        ncols=4,
        frameon=False,
        bbox_to_anchor=(0.5, 1 - 0.4 / height),
        fontsize=7,
    )
    fig.suptitle("Response timing: who responded how, and how soon", x=0.01, ha="left")
    charts.source_note(fig, note)
    fig.subplots_adjust(top=1 - top_in / height, left=TIMING_LEFT, right=TIMING_RIGHT, wspace=0.05)
    svgout.describe(fig, timing_description(timing, bounded, undated, reference, reference_label))
    return fig


def timing_description(
    timing: pd.DataFrame,
    bounded: pd.DataFrame,
    undated: pd.DataFrame,
    reference: pd.Timestamp,
    reference_label: str,
) -> str:
    """The response-timing chart in words: day 0, how many groups, how many responses dated,
    bounded or neither, and the earliest and latest dated response with group and stance."""
    groups = {str(g) for frame in (timing, bounded, undated) for g in frame["claimant_group"]}
    parts = [
        f"Responses of {len(groups)} claimant group{'s' if len(groups) != 1 else ''}, in days "
        f"from day 0, {reference:%Y-%m-%d} ({reference_label}): {len(timing)} dated, "
        f"{len(bounded)} known only between bounds, {len(undated)} neither dated nor bounded "
        "(counted beside their group's lane)."
    ]
    if len(timing):
        order = timing.sort_values(["lag_days", "claim_id"], kind="stable")
        for word, row in (("earliest", order.iloc[0]), ("latest", order.iloc[-1])):
            parts.append(
                f"The {word} dated response: {row['claimant_group']}, "
                f"{str(row['category']).replace('_', ' ')}, day {int(row['lag_days'])} "
                f"({row['claim_id']})."
            )
    return " ".join(parts)


def _timing_note(timing: pd.DataFrame, bounded: pd.DataFrame, undated: pd.DataFrame) -> str:
    """The timing chart's source note: how to read it and every claim id, by how it is dated."""
    return (
        "Source: troopclaims curated claims (response rows); dates derived from the evidence "
        "(typed dates, article dates, the claim a response reacts to, a weekday its quote "
        "names). Filled marker: day stated in the article; hollow: inferred or derived. Line: "
        "the span of a week or month date, cut to the evidence (never past its article's "
        "date). Band: a date known only to lie between bounds (an arrow: no bound that side). "
        f"Dated: {charts.ids_note(list(timing['claim_id']))}. "
        f"Bounded: {charts.ids_note(list(bounded['claim_id'])) or 'none'}. Neither (counted "
        "right, listed with reasons in the report): "
        f"{charts.ids_note(list(undated['claim_id'])) or 'none'}."
    )


def _group_order(timing: pd.DataFrame, bounded: pd.DataFrame, undated: pd.DataFrame) -> list[str]:
    """Claimant groups top to bottom: by earliest placed response, then undated-only, by name.

    Ordering by the first response (a date, else a bound) makes the chart read as a sequence of
    reactions; groups with undated responses only go last, so no group with a response is left
    off.
    """
    first = pd.concat(
        [
            timing.groupby("claimant_group", observed=True)["lag_days"].min(),
            bounded.assign(at=bounded["lag_low"].fillna(bounded["lag_high"]).astype("float"))
            .groupby("claimant_group", observed=True)["at"]
            .min(),
        ]
    )
    first.index = first.index.astype(str)
    first = first.groupby(level=0).min()
    placed = sorted(first.index, key=lambda g: (first[g], g))
    return placed + sorted(set(undated["claimant_group"].astype(str)) - set(placed))


def _lag_limits(timing: pd.DataFrame, bounded: pd.DataFrame) -> tuple[float, float]:
    """The x range in days: every date and bound, day 0, and room for open-ended arrows."""
    finite = [0, *timing["lag_low"], *timing["lag_high"]]
    finite += [int(v) for v in (*bounded["lag_low"], *bounded["lag_high"]) if not pd.isna(v)]
    lo, hi = min(finite) - 0.8, max(finite) + 0.8
    if bounded["lag_high"].isna().any():
        hi += 1.5  # an open upper side needs room to read as an arrow past the last date
    if bounded["lag_low"].isna().any():
        lo -= 1.5
    return lo, hi


def _lane_marks(
    timing: pd.DataFrame, bounded: pd.DataFrame, x_lo: float, x_hi: float, radius: float
) -> pd.DataFrame:
    """Every mark to draw with its lane, x extent (days, marker size included) and sub-row.

    Within a lane, marks are taken left to right and each goes on the first sub-row where it
    overlaps nothing already placed (interval packing), so two responses on one day sit one
    above the other instead of on top of each other.
    """
    rows = [
        (
            DATED,
            i,
            str(r.claimant_group),
            r.claim_id,
            min(r.lag_low, r.lag_days - radius),
            max(r.lag_high, r.lag_days + radius),
            RING_ROW_IN if r.first else MARK_ROW_IN,
        )
        for i, r in zip(timing.index, timing.itertuples(), strict=True)
    ]
    rows += [
        (
            BOUNDED,
            i,
            str(r.claimant_group),
            r.claim_id,
            x_lo if pd.isna(r.lag_low) else int(r.lag_low) - radius,
            x_hi if pd.isna(r.lag_high) else int(r.lag_high) + radius,
            BAND_ROW_IN,
        )
        for i, r in zip(bounded.index, bounded.itertuples(), strict=True)
    ]
    columns = ["kind", "index", "group", "claim_id", "x0", "x1", "height"]
    marks = pd.DataFrame(rows, columns=columns)
    marks = marks.sort_values(["group", "x0", "x1", "claim_id"]).reset_index(drop=True)
    subrows = []
    ends: dict[str, list[float]] = {}  # per lane, the right end of each sub-row so far
    for mark in marks.itertuples():
        lane = ends.setdefault(mark.group, [])
        free = [k for k, end in enumerate(lane) if end < mark.x0]
        k = free[0] if free else len(lane)
        lane[k : k + 1] = [mark.x1]
        subrows.append(k)
    return marks.assign(subrow=subrows)


def _lanes(
    marks: pd.DataFrame, groups: list[str]
) -> tuple[dict[str, tuple[float, float]], list[float]]:
    """Each group's lane as (top, height) in inches from the top, and each mark's y centre.

    A sub-row is as tall as its tallest mark (a ringed first response needs more room than a
    band), so a lane of many bounded bands stays compact; a group with no mark (undated only)
    gets a lane one band high.
    """
    rows = marks.groupby(["group", "subrow"])["height"].max() if len(marks) else pd.Series()
    lanes, centres, top = {}, {}, 0.0
    for group in groups:
        y = top + LANE_PAD_IN
        heights = rows[group] if group in rows.index.get_level_values(0) else pd.Series()
        for subrow, height in heights.items():
            centres[(group, subrow)] = y + height / 2
            y += height
        height = 2 * LANE_PAD_IN + max(float(heights.sum()), BAND_ROW_IN)
        lanes[group] = (top, height)
        top += height
    return lanes, [centres[(m.group, m.subrow)] for m in marks.itertuples()]


def _response_point(ax, row: pd.Series, y: float) -> None:
    """One dated response: a span for a coarse date, a ring if first, hollow if inferred.

    The span (a week or month date's derived interval, ``lag_low`` to ``lag_high``: already cut
    to what the evidence allows, so never past the article's date) is drawn under the marker;
    the marker itself sits at the date's best guess, so precision shows without hiding the
    point. Marker and span carry the claim's tooltip in the SVG (``svgout.svg_bytes``).
    """
    colour, marker = charts.stance_style(str(row["category"]))
    tip = charts.claim_tooltip(row, _dated_when(row))
    if row["lag_high"] > row["lag_low"]:
        span = ax.hlines(y, row["lag_low"], row["lag_high"], color=colour, linewidth=1.2, alpha=0.7)
        svgout.tooltip(span, f"span-{row['claim_id']}", tip)
    if row["first"]:
        ax.scatter(row["lag_days"], y, s=130, facecolor="none", edgecolor="black", lw=1.0)
    point = ax.scatter(
        row["lag_days"],
        y,
        s=40,
        marker=marker,
        facecolor="white" if row["inferred"] else colour,
        edgecolor=colour,
        linewidth=1.4,
        zorder=3,
    )
    svgout.tooltip(point, f"claim-{row['claim_id']}", tip)


def _dated_when(row: pd.Series) -> str:
    """A dated mark's tooltip line: the day, its precision and basis, the lag (and the span a
    week or month date can have, cut by the evidence), then how the date is known, with the
    reason for each side ('on 2024-10-18: ... reacts to A003-01, made on 2024-10-18; ...')."""
    low, high, lag = int(row["lag_low"]), int(row["lag_high"]), int(row["lag_days"])
    span = f" (between day {low} and day {high})" if high > low else ""
    basis = charts.basis_words(row["date_basis"], has_day=True)
    return (
        f"{analysis.iso_date(row['derived_date'])} ({row['derived_precision']}, {basis}), "
        f"day {lag}{span}\nhow the date is known: {row['date_known']}"
    )


def _bounded_interval(ax, row: pd.Series, y: float, x_lo: float, x_hi: float) -> None:
    """One bounded response: a pale band between its bounds, capped where a bound is known.

    An open side runs to the axis edge and ends in an arrowhead, so 'on or after 18 October'
    never reads as 'between 18 and 25 October'. A hollow stance marker sits on the known
    bound (the earliest when both are known): the band is where the date may be.
    """
    colour, marker = charts.stance_style(str(row["category"]))
    low, high = row["lag_low"], row["lag_high"]
    x0 = x_lo if pd.isna(low) else float(low)
    x1 = x_hi if pd.isna(high) else float(high)
    (band,) = ax.plot(
        [x0, x1], [y, y], color=colour, linewidth=4, alpha=0.3, solid_capstyle="butt", zorder=2
    )
    for value, edge, arrow in ((low, x_lo, "<"), (high, x_hi, ">")):
        if pd.isna(value):
            ax.scatter(edge, y, s=35, marker=arrow, color=colour, lw=0, zorder=2)
        else:
            ax.scatter(float(value), y, s=30, marker="|", color=colour, lw=1.4, zorder=2)
    anchor = float(low) if not pd.isna(low) else float(high)
    ax.scatter(
        anchor, y, s=26, marker=marker, facecolor="white", edgecolor=colour, lw=1.1, zorder=3
    )
    svgout.tooltip(band, f"bound-{row['claim_id']}", charts.claim_tooltip(row, _bounded_when(row)))


def _bounded_when(row: pd.Series) -> str:
    """A bounded mark's tooltip line: the days it lies between (an open side said so), then
    each side with its reason, which names the claim or article the bound comes from
    ('on or after 2024-10-21: the first 'lundi' on or after 2024-10-18 (reacts to A003-03,
    made on 2024-10-18)')."""
    low, high = row["lag_low"], row["lag_high"]
    after = "open" if pd.isna(low) else f"day {int(low)}"
    before = "open" if pd.isna(high) else f"day {int(high)}"
    return f"no day; from {after} to {before}\nhow the date is known: {row['date_known']}"


def _lag_axes(
    ax,
    lanes: dict[str, tuple[float, float]],
    reference: pd.Timestamp,
    label: str,
    x_lo: float,
    x_hi: float,
) -> None:
    """Day 0 as a dashed line, one tick per day, a lane per group separated by faint rules.

    The x label names the reference event and its date, since every lag is counted from it;
    the range always includes day 0, even when every response came later.
    """
    ax.axvline(0, color="#888888", linewidth=0.8, ls="--")
    centres = [top + height / 2 for top, height in lanes.values()]
    ax.set_yticks(centres, list(lanes))
    bottom = sum(height for _top, height in lanes.values())
    ax.set_ylim(max(bottom, BAND_ROW_IN), 0)
    ax.set_xlabel(f"days after {reference:%d %b %Y} ({label})")
    ax.set_xlim(x_lo, x_hi)
    step = max(1, round((x_hi - x_lo) / 25))  # a tick a day, fewer when the range is long
    ax.xaxis.set_major_locator(mpl.ticker.MultipleLocator(step))
    for top, _height in list(lanes.values())[1:]:
        ax.axhline(top, color="#e4e4e4", linewidth=0.6, zorder=0)


def _undated_counts(ax, undated: pd.DataFrame, lanes: dict[str, tuple[float, float]]) -> None:
    """The right panel: on each group's lane, how many of its responses have neither date nor
    bound, with their ids and reasons as a tooltip.

    They cannot sit on a time axis, but dropping them would understate a group's reaction; a
    count on its lane keeps them in the picture, and the report lists them with reasons.
    """
    ax.set_xlabel("neither dated\nnor bounded")  # below, level with the day axis' label
    ax.set_xlim(0, 1)
    ax.set_xticks([])
    ax.spines["bottom"].set_visible(False)
    ax.tick_params(axis="y", length=0)
    by_group = dict(list(undated.groupby(undated["claimant_group"].astype(str))))
    for i, (group, (top, height)) in enumerate(lanes.items()):
        grp = by_group.get(group)
        if grp is None:
            continue
        text = ax.text(
            0.08, top + height / 2, f"{len(grp)} undated", va="center", fontsize=7, color="#333"
        )
        tip = "\n".join(f"{r.claim_id} ({r.claimant}): {r.reason}" for r in grp.itertuples())
        svgout.tooltip(text, f"undated-{i}", f"{group}, neither dated nor bounded:\n{tip}")


def _timing_handles(timing: pd.DataFrame, bounded: pd.DataFrame) -> list[Line2D]:
    """Legend entries: the stances drawn (contract order), then the conventions in use.

    A convention is explained only when the chart uses it (an 'open side' entry on a chart
    with no bounded response would send the reader looking for one).
    """
    drawn = set(timing["category"].astype(str)) | set(bounded["category"].astype(str))
    stances = [s for s in contract.CATEGORIES[analysis.RESPONSE] if s in drawn]
    handles = []
    for stance in stances:
        colour, marker = charts.stance_style(stance)
        handles.append(Line2D([], [], ls="", marker=marker, color=colour, label=stance))
    grey = {"color": "#555555", "mec": "#555555"}
    band = {**grey, "lw": 4, "alpha": 0.3}
    used = [
        (
            len(timing),
            Line2D(
                [], [], ls="", marker="o", mfc="white", **grey, label="date inferred or derived"
            ),
        ),
        (
            len(timing),
            Line2D(
                [], [], ls="", marker="o", mfc="none", mec="black", ms=10, label="first response"
            ),
        ),
        (
            (timing["lag_high"] > timing["lag_low"]).any(),
            Line2D([], [], color="#555555", lw=1.2, label="date precision (week, month)"),
        ),
        (
            bounded[["lag_low", "lag_high"]].notna().all(axis=1).any(),
            Line2D([], [], marker="|", ms=7, **band, label="bounded: between two dates"),
        ),
        (
            bounded[["lag_low", "lag_high"]].isna().any(axis=1).any(),
            Line2D(
                [],
                [],
                marker=">",
                mfc="#555555",
                ms=5,
                **band,
                label="bounded, open side: arrow to the edge",
            ),
        ),
    ]
    return [*handles, *(handle for shown, handle in used if shown)]
