"""Figures for the notebooks and the report (matplotlib, Agg, print first; tables: ``tables``).

Every chart has a title, labelled axes, a legend and a source note naming the claims it draws;
colours come from the Okabe-Ito palette (safe for colour-blind readers) and every colour is
doubled by a marker shape or a text label, so the charts survive grey-scale printing too.
The house style (``styled``, ``new_figure``, ``source_note``, ``ids_note``, ``claim_tooltip``,
``stance_style``) lives here with the estimate and coverage charts; the response-timing chart,
the most intricate, has its own room (``timing_chart``) on the same style. Drawing is the only
concern: a chart tags its marks with ``svgout.tooltip``, and ``svgout`` turns the figure into
deterministic inline SVG (vector on paper, a <title> tooltip on each mark in a browser,
identical bytes from identical data).
"""

from __future__ import annotations

import functools
import textwrap
from collections.abc import Callable
from typing import ParamSpec

import matplotlib as mpl
import pandas as pd

mpl.use("Agg")
import matplotlib.dates as mdates
import matplotlib.pyplot as plt
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.text import Text

from troopclaims import contract
from troopclaims.checks import dating
from troopclaims.report import analysis, fonts, svgout

WIDTH_IN = 7.0  # an A4 page's text width at the report's margins

# Okabe & Ito (2008), without yellow, which vanishes on white paper.
OKABE_ITO = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"]
MARKERS = ["o", "s", "^", "D", "v", "P", "X"]

P = ParamSpec("P")

ESTIMATE_COLOURS = dict(zip(contract.CATEGORIES[analysis.ESTIMATE], OKABE_ITO, strict=False))
QUALIFIER_MARKERS = {"exact": "o", "about": "D", "up_to": "v", "at_least": "^", "nearly": "s"}
SINGLE_SOURCE_COLOUR = OKABE_ITO[1]
MULTI_SOURCE_COLOUR = OKABE_ITO[0]

STYLE = {
    "font.size": 8.5,
    "axes.titlesize": 10,
    "axes.titleweight": "bold",
    "axes.labelsize": 8.5,
    "legend.fontsize": 7.5,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": False,
    "text.parse_math": False,  # a '$' in a title or quote is text, not mathtext
    "figure.dpi": 100,
}


def stance_style(stance: str) -> tuple[str, str]:
    """A fixed (colour, marker) per response stance, in contract order.

    Seventeen stances outnumber any colour-blind-safe palette, so colour repeats every seven
    stances and the marker changes: every stance keeps one distinct pair across all builds.
    """
    order = list(contract.CATEGORIES[analysis.RESPONSE])
    i = order.index(stance) if stance in order else len(order)
    return OKABE_ITO[i % len(OKABE_ITO)], MARKERS[(i // len(OKABE_ITO)) % len(MARKERS)]


def styled(chart: Callable[P, Figure]) -> Callable[P, Figure]:
    """Run a chart function under the house style, in the report's fonts.

    rcParams are read when each artist is created, not when the figure is, so the whole
    function (not just ``plt.subplots``) must run inside the context. ``font.family`` lists
    the report's fonts (DejaVu Sans, then NanumGothic when installed): matplotlib draws each
    character with the first that has it, so a Hangul label is set in NanumGothic.
    """

    @functools.wraps(chart)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> Figure:
        with mpl.rc_context({**STYLE, "font.family": list(fonts.chart_families())}):
            return chart(*args, **kwargs)

    return wrapper


def new_figure(height_in: float, **kwargs) -> tuple[Figure, object]:
    """A figure at the report's width (call inside a ``styled`` chart)."""
    return plt.subplots(figsize=(WIDTH_IN, height_in), **kwargs)


def source_note(fig: Figure, text: str, axis_in: float = 0.45) -> None:
    """The small print under a chart: where the data comes from, which claims it draws.

    The bottom margin grows with the note's wrapped lines (a bigger drop names more claims),
    leaving ``axis_in`` inches for the x axis, so note and axis label never overlap.
    """
    wrapped = textwrap.fill(text, width=135)  # 6.5 pt across 7 in
    fig.text(0.01, 0.005, wrapped, fontsize=6.5, color="#444444", va="bottom", ha="left")
    lines = wrapped.count("\n") + 1
    fig.subplots_adjust(bottom=min(0.45, (0.15 + axis_in + 0.11 * lines) / fig.get_figheight()))


def ids_note(ids: list[str], limit: int = 60) -> str:
    """Claim ids for a source note, shortened past ``limit`` so a big drop stays legible."""
    ids = sorted(ids)
    if len(ids) <= limit:
        return ", ".join(ids)
    return ", ".join(ids[:limit]) + f" and {len(ids) - limit} more"


QUOTE_CHARS = 180  # a tooltip's quote, shortened at a word


def claim_tooltip(row: pd.Series | dict, when: str) -> str:
    """A mark's tooltip: claim id, claimant, stance, date and how it is known, the quote."""
    quote = textwrap.shorten(str(row["quote"]), QUOTE_CHARS, placeholder=" …")
    who = f"{row['claimant']} ({row['claimant_group']}), {row['category']}"
    return f"{row['claim_id']} · {who}\n{when}\n«{quote}»"


def basis_words(basis: object, has_day: bool) -> str:
    """How the curator established a date, for a tooltip: 'date stated', 'date inferred_weekday';
    for a day no date was typed for (basis 'unknown'), 'derived from the evidence'; '' when
    there is neither (the tooltip's 'how the date is known' says the rest)."""
    text = "" if pd.isna(basis) else str(basis)
    if text and text != "unknown":
        return f"date {text}"
    return "derived from the evidence" if has_day else ""


def _dodge(n: int, step: float) -> list[float]:
    """Offsets that spread ``n`` points centred on 0, so equal values stay visible."""
    return [(i - (n - 1) / 2) * step for i in range(n)]


# --- 1. Troop estimates by source ------------------------------------------------------------


@styled
def estimates_by_source(claims: pd.DataFrame, articles: pd.DataFrame) -> Figure:
    """Every troop figure each article reports, coloured by framing, shaped by qualifier.

    One row per article and one column per figure value: points in the same column are the same
    number, so agreement reads vertically and different framings show as different colours.
    """
    est = analysis.estimates(claims)
    art_ids = list(articles["article_id"])
    units = [u for u in contract.UNITS if (est["unit"] == u).any()] or ["soldiers"]
    ratios = [4 if u == "soldiers" else 1.3 for u in units]
    height = 1.0 + 0.55 * max(len(art_ids), 1) + 0.9
    fig, axes = new_figure(height, ncols=len(units), sharey=True, width_ratios=ratios)
    axes = [axes] if len(units) == 1 else list(axes)
    for ax, unit in zip(axes, units, strict=True):
        sub = est[est["unit"] == unit]
        _by_source_points(ax, sub, art_ids)
        _figure_axis(ax, sub, unit)
    axes[0].set_yticks(range(len(art_ids)), art_ids)
    axes[0].set_ylim(len(art_ids) - 0.5, -0.5)
    axes[0].set_ylabel("article")
    handles = _estimate_handles(est)
    _estimate_legend(fig, handles, ncols=min(len(handles), 5), top=0.93)
    fig.suptitle(
        "Troop estimates by source: the same figures, framed differently", x=0.01, ha="left"
    )
    source_note(
        fig,
        "Source: troopclaims curated claims (troop_estimate rows); labels are claim numbers "
        f"within each article. Claims: {ids_note(list(est['claim_id']))}.",
    )
    top = max(0.72, 1 - 1.35 / height)  # the legend keeps its inches as articles add rows
    left = _left_for_tick_labels(fig, axes[0], 0.09)
    fig.subplots_adjust(top=top, left=left, right=0.98, wspace=0.08)
    svgout.describe(fig, by_source_description(est, art_ids))
    return fig


def _count(n: int, noun: str, plural: str = "") -> str:
    """'1 article', '3 articles'."""
    return f"{n:,} {noun if n == 1 else plural or noun + 's'}"


def _words(value: object) -> str:
    """A controlled value as words: 'already_in_russia' -> 'already in russia'."""
    return str(value).replace("_", " ")


def _joined(items: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def by_source_description(est: pd.DataFrame, art_ids: list[str]) -> str:
    """The estimates-by-source chart in words: how many estimates from how many articles, the
    range of figures per unit, the figure most articles report and how they frame it."""
    if est.empty:
        return "No article reports a troop estimate."
    reporting = sorted(set(est["article_id"].astype(str)))
    parts = [
        f"{_count(len(est), 'troop estimate')} from {len(reporting)} of "
        f"{_count(len(art_ids), 'article')}."
    ]
    for unit in [u for u in contract.UNITS if (est["unit"] == u).any()]:
        values = sorted(int(v) for v in est.loc[est["unit"] == unit, "figure"].unique())
        if len(values) > 1:
            parts.append(
                f"In {unit}: {len(values)} different figures, {values[0]:,} to {values[-1]:,}."
            )
        else:
            parts.append(f"In {unit}: one figure, {values[0]:,}.")
    spread = est.groupby(["figure", "unit"], observed=True)["article_id"].nunique()
    n = int(spread.max())
    widest = sorted((key for key, count in spread.items() if count == n), key=lambda k: -k[0])
    said = []  # a tie names every figure at the top, the highest first
    for figure, unit in widest:
        rows = est[(est["figure"] == figure) & (est["unit"] == unit)]
        framings = _joined([_words(c) for c in dict.fromkeys(rows["category"].astype(str))])
        said.append(
            (f"{int(figure):,} {unit}", ", ".join(sorted(set(rows["article_id"]))), framings)
        )
    if len(said) == 1:
        [(figure, ids, framings)] = said
        parts.append(
            f"The figure the most articles report is {figure} ({_count(n, 'article')}: {ids}), "
            f"framed as {framings}."
        )
    else:
        items = [f"{figure} ({ids}), framed as {framings}" for figure, ids, framings in said]
        each = "; ".join(items[:-1]) + "; and " + items[-1]  # a framing may hold an "and"
        parts.append(
            f"The figures the most articles report, {_count(n, 'article')} each, are {each}."
        )
    missing = [a for a in art_ids if a not in reporting]
    if missing:
        parts.append(f"No estimate in {', '.join(missing)}.")
    return " ".join(parts)


def _left_for_tick_labels(fig: Figure, ax, minimum: float) -> float:
    """A left margin wide enough for ``ax``'s y tick labels and label (a drop's article ids,
    such as new-drop's ``oct-b-A01``, are longer than ``A000``), never below ``minimum``."""
    renderer = fig.canvas.get_renderer()
    widths = [t.get_window_extent(renderer).width for t in ax.get_yticklabels()]
    label_in = max(widths, default=0) / fig.dpi + 0.3  # tick, padding and the axis label
    return max(minimum, label_in / fig.get_figwidth())


def _by_source_points(ax, sub: pd.DataFrame, art_ids: list[str]) -> None:
    """One unit's estimates, one row per article, each labelled with its claim number.

    Estimates of one figure in one article are dodged around its row, far enough apart that
    their labels (the claim's number within its article, as the source note explains) do not
    collide; different figures sit at different x and need no dodge.
    """
    for art_pos, art in enumerate(art_ids):
        rows = sub[sub["article_id"] == art]
        offsets = pd.Series(0.0, index=rows.index)
        for _figure, same in rows.groupby("figure", sort=False):
            offsets[same.index] = _dodge(len(same), 0.24)
        for off, row in zip(offsets, rows.itertuples(), strict=True):
            y = art_pos + off
            _estimate_point(ax, row.figure, y, row)
            ax.annotate(
                row.claim_id.split("-")[-1],
                (row.figure, y),
                xytext=(5, 0),
                textcoords="offset points",
                va="center",
                fontsize=6,
                color="#333333",
            )


def _figure_axis(ax, sub: pd.DataFrame, unit: str) -> None:
    """A figure axis whose ticks are exactly the figures reported, each with a guide line.

    Ticks at the reported values (not round numbers) let a reader match a column of points to
    its figure; the brigades panel gets one unit of room, as its values are small.
    """
    for value in sorted(sub["figure"].dropna().unique()):
        ax.axvline(value, color="#cccccc", linewidth=0.6, zorder=1)
    values = sorted(int(v) for v in sub["figure"].dropna().unique())
    ax.set_xticks(values, [f"{v:,}" for v in values], rotation=0)
    top = max(values) if values else 1
    ax.set_xlim(0, top * 1.15 + (1 if unit == "brigades" else 0))
    ax.set_xlabel(f"figure reported ({unit})")
    ax.tick_params(axis="x", labelsize=7)


# --- 2. Estimates over time ------------------------------------------------------------------


def _timeline_label(grp: pd.DataFrame) -> str:
    """'South Korea: nearly/about 3,000 (A001-01, A001-03)' for points that share a place."""
    hedges = [q.replace("_", " ") for q in grp["qualifier"].astype(str) if q != "exact"]
    hedge = "/".join(dict.fromkeys(hedges))
    who = "/".join(dict.fromkeys(grp["claimant_group"].astype(str)))
    ids = ", ".join(grp["claim_id"])
    return f"{who}: {hedge + ' ' if hedge else ''}{int(grp['figure'].iloc[0]):,} ({ids})"


def _estimate_handles(est: pd.DataFrame) -> list[Line2D]:
    """Legend entries for the framings (colour) and qualifiers (shape) present in ``est``."""
    framing = [
        Line2D([], [], ls="", marker="o", color=ESTIMATE_COLOURS[c], label=c.replace("_", " "))
        for c in contract.CATEGORIES[analysis.ESTIMATE]
        if (est["category"] == c).any()
    ]
    hedges = [
        Line2D([], [], ls="", marker=m, color="#555555", label=q.replace("_", " "))
        for q, m in QUALIFIER_MARKERS.items()
        if (est["qualifier"] == q).any()
    ]
    return framing + hedges


def _estimate_legend(fig: Figure, handles: list[Line2D], ncols: int, top: float) -> None:
    """The framing/qualifier legend across the top of an estimates chart.

    Both estimate charts use one encoding (colour = framing, shape = qualifier), so they share
    one legend, titled with that key, placed under the title at height ``top``.
    """
    fig.legend(
        handles=handles,
        loc="upper center",
        ncols=ncols,
        bbox_to_anchor=(0.5, top),
        frameon=False,
        title="colour: framing   shape: qualifier",
        title_fontsize=7.5,
    )


def _estimate_point(ax, x: float, y: float, row) -> None:
    """One estimate: colour for its framing, shape for its qualifier, the claim as tooltip."""
    point = ax.scatter(
        x,
        y,
        s=40,
        color=ESTIMATE_COLOURS[row.category],
        marker=QUALIFIER_MARKERS[row.qualifier],
        edgecolor="white",
        linewidth=0.5,
        zorder=3,
    )
    fields = row._asdict()
    basis = basis_words(row.date_basis, not pd.isna(row.derived_date))
    # the claim's basis, said as the claim's: in brackets after "the date of its article A003"
    # it read as the article's ("date stated" of an article whose date is inferred)
    whose = f"; the claim's {basis}" if basis.startswith("date ") else f"; {basis}"
    when = f"{_known(row)}{whose if basis else ''}"
    figure = analysis.format_figure(row.figure, row.unit, row.qualifier)
    svgout.tooltip(point, f"claim-{row.claim_id}", claim_tooltip(fields, f"{figure}; {when}"))


def _known(row) -> str:
    """How an estimate's date is known, in words with the reason for each side (``dating``):
    'on 2024-10-18: ...', 'on or before 2024-10-21: latest_date as typed (...)', or that
    nothing dates it."""
    return dating.describe(
        row.derived_earliest,
        row.derived_earliest_reason,
        row.derived_latest,
        row.derived_latest_reason,
    )


@styled
def estimates_over_time(claims: pd.DataFrame) -> Figure:
    """Soldier figures by the day they were stated, those with no day in their own panel.

    The day is ``derived_date``: typed by the curator, or where the evidence closes on one
    (``dating``). An estimate with no day keeps whatever bounds it: its label in the 'no day'
    panel says so ('≤ 21 Oct'), and its tooltip gives each side with its reason. A forecast
    ('10,000 by December') points right to the month it refers to, which may lie far beyond
    the statements; brigade figures are another unit, so the note names them instead of
    putting them on the soldiers axis.
    """
    est = analysis.estimates(claims)
    dated = analysis.estimate_timeline(claims)
    undated = analysis.undated_estimates(claims)
    soldiers_dated = dated[dated["unit"] == "soldiers"]
    soldiers_undated = undated[undated["unit"] == "soldiers"]
    fig, (ax, ax_u) = new_figure(4.8, ncols=2, sharey=True, width_ratios=[3.4, 1.4])
    x_lo, x_hi = _day_limits(soldiers_dated["derived_date"])
    labels = _timeline_points(ax, soldiers_dated, x_lo, x_hi)
    _timeline_axes(ax, soldiers_dated, soldiers_undated, x_lo, x_hi)
    _undated_strip(ax_u, soldiers_undated)
    _estimate_legend(fig, _estimate_handles(est), ncols=5, top=0.935)
    fig.suptitle("Estimates over time: what was reported when, and by whom", x=0.01, ha="left")
    source_note(
        fig,
        "Source: troopclaims curated claims (troop_estimate rows). x is the day a figure was "
        "stated, typed or derived from evidence; not the date it refers to. No day: estimates "
        "whose evidence gives no single day; a bound beside an id ('≤ 21 Oct': on or before, "
        "'≥': on or after) is what the evidence allows, and the tooltip gives its reason."
        f"{_other_units_note(est[est['unit'] != 'soldiers'])}",
    )
    fig.subplots_adjust(top=0.74, left=0.1, right=0.98, wspace=0.05)
    _place_labels(fig, ax, labels, (x_lo + x_hi) / 2)
    other = est[est["unit"] != "soldiers"]
    svgout.describe(fig, over_time_description(soldiers_dated, soldiers_undated, other))
    svgout.data(fig, over_time_data(soldiers_dated, soldiers_undated))
    return fig


def _day_words(value: object) -> str:
    """'18 October 2024'."""
    day = pd.Timestamp(value)
    return f"{day.day} {day:%B %Y}"


def over_time_description(dated: pd.DataFrame, undated: pd.DataFrame, other: pd.DataFrame) -> str:
    """The estimates-over-time chart in words: how many soldier figures on how many days, the
    lowest and highest with their day and source, those with no day, the other units."""
    parts = []
    if dated.empty:
        parts.append("No soldier figure has a day.")
    else:
        days = sorted(dated["derived_date"].unique())
        span = (
            f"from {_day_words(days[0])} to {_day_words(days[-1])}"
            if len(days) > 1
            else f"on {_day_words(days[0])}"
        )
        parts.append(
            f"{_count(len(dated), 'soldier figure')} placed on {_count(len(days), 'day')}, {span}."
        )
        for word, row in (  # each on the first day it is stated
            ("lowest", dated.sort_values(["figure", "derived_date"]).iloc[0]),
            (
                "highest",
                dated.sort_values(["figure", "derived_date"], ascending=[False, True]).iloc[0],
            ),
        ):
            figure = analysis.format_figure(row["figure"], row["unit"], row["qualifier"])
            parts.append(
                f"The {word}: {figure} ({_words(row['category'])}), first stated on "
                f"{_day_words(row['derived_date'])} by "
                f"{row['claimant_group']} ({row['claim_id']})."
            )
    if len(undated):
        bounded = int(
            (undated["derived_earliest"].notna() | undated["derived_latest"].notna()).sum()
        )
        parts.append(
            f"{_count(len(undated), 'soldier figure')} with no single day "
            f"{'sits' if len(undated) == 1 else 'sit'} in the 'no day' panel"
            f"{f', {bounded} of them with a bound' if bounded else ''}."
        )
    if len(other):
        parts.append(
            f"{_count(len(other), 'estimate')} in another unit (brigades) not plotted: "
            f"{ids_note(list(other['claim_id']))}."
        )
    return " ".join(parts)


def over_time_data(dated: pd.DataFrame, undated: pd.DataFrame) -> pd.DataFrame:
    """One row per soldier figure the chart draws: the day it was stated (or, with no day, the
    bound the evidence gives), the figure, its framing, who stated it, the claim."""
    rows = pd.concat([dated, undated], ignore_index=True)
    return pd.DataFrame(
        {
            "day stated": [
                analysis.iso_date(d) or f"no day ({dating.interval_words(lo, hi) or 'unbounded'})"
                for d, lo, hi in zip(
                    rows["derived_date"],
                    rows["derived_earliest"],
                    rows["derived_latest"],
                    strict=True,
                )
            ],
            "figure": [
                analysis.format_figure(f, u, q)
                for f, u, q in zip(rows["figure"], rows["unit"], rows["qualifier"], strict=True)
            ],
            "framing": [_words(c) for c in rows["category"]],
            "claimant group": rows["claimant_group"].astype(str),
            "claim": rows["claim_id"],
        }
    )


def _stacked(label: str) -> str:
    """A timeline label on several lines: who and the figure, then each claim id on its own
    ('South Korea: 1,500\n(heldout-2024-10-A003-01,\nheldout-2024-10-A003-05)')."""
    return label.replace(" (", "\n(", 1).replace(", ", ",\n")


def _day_limits(days: pd.Series) -> tuple[float, float]:
    """The timeline's x range in matplotlib date numbers: the days drawn plus margins.

    The right margin is wider so the last day's labels and the forecast arrows (which end at
    the right edge) have room; with no dated estimate the range is an arbitrary unit.
    """
    x_lo = mdates.date2num(days.min()) - 1.5 if len(days) else 0
    x_hi = mdates.date2num(days.max()) + 2.5 if len(days) else 1
    return x_lo, x_hi


def _timeline_points(
    ax, dated: pd.DataFrame, x_lo: float, x_hi: float
) -> list[tuple[str, float, int]]:
    """Every dated soldier figure; returns one label (text, x, figure) per (day, figure,
    framing) group of points, placed once the figure's layout is final (``_place_labels``).

    Points that share a day, figure and framing are dodged and labelled once (who, hedge,
    claim ids), so a figure relayed by three articles reads as one statement, not three.
    """
    groups = dated.groupby(["derived_date", "figure", "category"], observed=True)
    labels = []
    for (day, _fig, _cat), grp in groups:
        x0 = mdates.date2num(day)
        for off, row in zip(_dodge(len(grp), 0.3), grp.itertuples(), strict=True):
            _estimate_point(ax, x0 + off, row.figure, row)
        for row in grp.drop_duplicates("figure_as_of").itertuples():  # one arrow per target
            _forecast_arrow(ax, row, x0, x_hi)
        labels.append((_timeline_label(grp), x0, int(grp["figure"].iloc[0])))
    return labels


# Where a label may go from its points, in points: above, below, then further up and down.
_LABEL_RISES = (7, -12, *(r for k in range(1, 8) for r in (7 + 12 * k, -12 - 12 * k)))
_LEADER = {"arrowstyle": "-", "color": "#999999", "lw": 0.5, "shrinkA": 0, "shrinkB": 4}


def _place_labels(fig: Figure, ax, labels: list[tuple[str, float, int]], middle: float) -> None:
    """Each label beside its points, where it overlaps no label placed before it and stays
    inside the axes: on the side facing the middle first (text runs towards the free space),
    above, then below, then further away; on the other side only when that side has no room.

    Why measured, not fixed offsets: a drop's long ids (heldout-2024-10-ko-A01-01) make a
    label wider than the days between two groups, and fixed offsets drew one over another.
    """
    renderer = fig.canvas.get_renderer()
    frame = ax.get_window_extent(renderer)
    placed: list = []
    for text, x0, figure in labels:
        toward = x0 <= middle  # left half: run right
        places = [
            (shown, right, rise)
            for shown in (text, _stacked(text))  # one line, else the ids one under another
            for right in (toward, not toward)
            for rise in _LABEL_RISES
        ]
        for shown, right, rise in places:
            label = ax.annotate(
                shown,
                (x0, figure),
                xytext=(6 if right else -6, rise),
                textcoords="offset points",
                ha="left" if right else "right",
                fontsize=6.5,
                color="#222222",
                # a label moved away from its points keeps a thin line back to them
                arrowprops=_LEADER if abs(rise) > 12 else None,
            )
            label.update_positions(renderer)  # what Annotation's own extent does first
            box = Text.get_window_extent(label, renderer)  # the text, not its leader line
            inside = frame.x0 + 2 <= box.x0 and box.x1 <= frame.x1 - 2
            inside = inside and frame.y0 <= box.y0 and box.y1 <= frame.y1
            if inside and not any(box.overlaps(other) for other in placed):
                placed.append(box)
                break
            label.remove()
        else:  # nowhere free: the preferred place, overlapping (never dropped)
            label = ax.annotate(
                _stacked(text), (x0, figure), xytext=(6 if toward else -6, 7),
                textcoords="offset points", ha="left" if toward else "right", fontsize=6.5,
                color="#222222",
            )  # fmt: skip
            placed.append(label.get_window_extent(renderer))


def _forecast_arrow(ax, row, x0: float, x_hi: float) -> None:
    """For a forecast, a dashed arrow to the right edge naming the date it refers to.

    The date a forecast refers to ('2024-12') may lie far beyond the statements; pointing at
    it from the edge keeps the axis on the statement dates instead of stretching it.
    """
    if row.category == "forecast" and not pd.isna(row.figure_as_of):
        ax.annotate(
            f"for {row.figure_as_of}",
            xy=(x_hi, row.figure),
            xytext=(x0 + 0.5, row.figure),
            va="center",
            fontsize=6.5,
            color=ESTIMATE_COLOURS[row.category],
            arrowprops={"arrowstyle": "->", "ls": "--", "color": "#888888"},
        )


def _timeline_axes(
    ax, dated: pd.DataFrame, undated: pd.DataFrame, x_lo: float, x_hi: float
) -> None:
    """Day ticks, thousands-separated soldiers, and a y range shared with the 'no day' panel.

    The y limit covers figures with no day too (the panels share y), so such a figure higher
    than every dated one is not cut off.
    """
    ax.set_xlim(x_lo, x_hi)
    ax.xaxis.set_major_locator(mdates.DayLocator())
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%d\n%b"))
    ax.set_xlabel("day the figure was stated")
    ax.set_ylabel("soldiers")
    ax.yaxis.set_major_formatter(mpl.ticker.FuncFormatter(lambda v, _p: f"{int(v):,}"))
    figures = pd.concat([dated["figure"], undated["figure"]]).dropna()
    ax.set_ylim(0, (int(figures.max()) if len(figures) else 1) * 1.12)
    if dated.empty:
        ax.text(0.5, 0.5, "no estimate with a day", transform=ax.transAxes, ha="center")


def _other_units_note(other_units: pd.DataFrame) -> str:
    """The source note's sentence naming estimates in units the soldiers axis cannot show.

    A brigade is not a number of soldiers; leaving such claims off the axis silently would hide
    them, so the note lists their ids.
    """
    if not len(other_units):
        return ""
    return (
        " Brigade figures are another unit and not plotted: "
        f"{ids_note(list(other_units['claim_id']))}."
    )


UNDATED_LABEL_CHARS = 22  # what fits right of the points in the 'no day' panel, at 5.5 pt


def _packed(ids: list[str], width: int, bounds: list[str] | None = None) -> list[str]:
    """Ids joined with ', ' into lines of at most ``width`` characters (one id may exceed it):
    two of A000-01's length a line, one of a long drop id such as oct-b-A01-01.

    Each id is followed by its bound, if any ('A002-02 ≤ 21 Oct'); where the pair is too long
    for a line, the bound goes on a line of its own under its id, joined to nothing else.
    """
    lines: list[list[str]] = []
    closed = True  # the last line takes no more ids (a bound alone on its line)
    for claim_id, bound in zip(ids, bounds or [""] * len(ids), strict=True):
        head, claim_id = _split_long_id(claim_id, width)
        if head:  # a long drop id (heldout-2024-10-ko-A01-01): its head on a line of its own
            lines.append([head])
            closed = True
        label = f"{claim_id} {bound}" if bound else claim_id
        parts = [claim_id, f"  {bound}"] if bound and len(label) > width else [label]
        if not closed and len(", ".join([*lines[-1], parts[0]])) <= width:
            lines[-1].append(parts[0])
        else:
            lines.append([parts[0]])
        closed = len(parts) > 1
        if closed:
            lines.append([parts[1]])
    return [", ".join(line) for line in lines]


def _split_long_id(claim_id: str, width: int) -> tuple[str, str]:
    """('heldout-2024-10-ko-', 'A01-01') for an id longer than ``width``: cut after its last
    hyphen that keeps the head within the width (no cut without one), so the panel never
    clips an id at the figure's edge."""
    if len(claim_id) <= width:
        return "", claim_id
    last = claim_id.rfind("-")
    cut = claim_id.rfind("-", 0, last)  # before the article's own id and number: 'A01-01'
    if not 0 < cut < width:
        cut = claim_id.rfind("-", 0, width)
    return (claim_id[: cut + 1], claim_id[cut + 1 :]) if cut > 0 else ("", claim_id)


def _short_day(value: object) -> str:
    """'21 Oct': a bound as the panel's label gives it (the tooltip has the ISO date)."""
    day = pd.Timestamp(value)
    return f"{day.day} {day:%b}"


def _bound_label(low: object, high: object) -> str:
    """A 'no day' estimate's bound, short: '≤ 21 Oct', '≥ 18 Oct', '18–21 Oct' (or '30 Sep–2
    Oct'), or '' when nothing bounds it."""
    if not pd.isna(low) and not pd.isna(high):
        low, high = pd.Timestamp(low), pd.Timestamp(high)
        if low == high:
            return _short_day(low)
        start = str(low.day) if low.to_period("M") == high.to_period("M") else _short_day(low)
        return f"{start}–{_short_day(high)}"
    if not pd.isna(low):
        return f"≥ {_short_day(low)}"
    return f"≤ {_short_day(high)}" if not pd.isna(high) else ""


def _undated_strip(ax, undated: pd.DataFrame) -> None:
    """The 'no day' panel: one row of points per figure, labelled with claim ids, each with its
    bound when the evidence gives one ('A002-02 ≤ 21 Oct'), so a bounded figure never reads
    as wholly undated."""
    ax.set_title("no day", fontsize=8.5, fontweight="normal")
    ax.set_xticks([])
    ax.spines["bottom"].set_visible(False)
    ax.set_xlim(-1, 1)
    for _fig, grp in undated.groupby("figure", sort=True):
        for off, row in zip(_dodge(len(grp), 0.2), grp.itertuples(), strict=True):
            _estimate_point(ax, off - 0.45, row.figure, row)
        bounds = list(map(_bound_label, grp["derived_earliest"], grp["derived_latest"]))
        lines = _packed(list(grp["claim_id"]), UNDATED_LABEL_CHARS, bounds)
        ax.annotate(
            "\n".join(lines),
            (-0.05 + 0.1 * (len(grp) > 3), grp["figure"].iloc[0]),
            xytext=(0, 0),
            textcoords="offset points",
            va="center",
            fontsize=5.5,
            color="#222222",
        )
    if undated.empty:
        ax.text(0, 0.5, "none", transform=ax.get_xaxis_transform(), ha="center")


# --- 3. Coverage -----------------------------------------------------------------------------


@styled
def coverage(matrix: pd.DataFrame, title: str) -> Figure:
    """Which claim keys each article reports; single-source keys stand out in vermilion.

    Rows are claim keys (see ``analysis.claim_keys``), columns articles, a dot's number the
    claims behind it; the right margin says how many articles carry the key.
    """
    n_rows = max(len(matrix), 1)
    height = 1.2 + 0.22 * n_rows + 0.3
    fig, ax = new_figure(height)
    n_sources = (matrix > 0).sum(axis=1)
    for i, key in enumerate(matrix.index):
        colour = SINGLE_SOURCE_COLOUR if n_sources[key] == 1 else MULTI_SOURCE_COLOUR
        for j, art in enumerate(matrix.columns):
            n = int(matrix.at[key, art])
            if n:
                ax.scatter(j, i, s=60 + 30 * (n - 1), color=colour, zorder=3)
                if n > 1:
                    ax.text(j, i, str(n), ha="center", va="center", fontsize=6, color="white")
        ax.text(
            len(matrix.columns) - 0.4,
            i,
            f"{n_sources[key]} article{'s' if n_sources[key] != 1 else ''}",
            va="center",
            fontsize=7,
            color=colour,
        )
    ax.set_xticks(range(len(matrix.columns)), list(matrix.columns))
    ax.xaxis.tick_top()
    ax.xaxis.set_label_position("top")
    ax.set_xlabel("article reporting the claim", fontsize=8)
    ax.set_yticks(range(len(matrix)), list(matrix.index))
    ax.set_ylabel("claim key", fontsize=8)
    ax.set_xlim(-0.6, len(matrix.columns) + 0.4)
    ax.set_ylim(n_rows - 0.5, -0.5)
    ax.spines[["left", "bottom"]].set_visible(False)
    ax.tick_params(length=0)
    for j in range(len(matrix.columns)):
        ax.axvline(j, color="#eeeeee", linewidth=0.6, zorder=0)
    handles = [
        Line2D([], [], ls="", marker="o", color=SINGLE_SOURCE_COLOUR, label="one article only"),
        Line2D([], [], ls="", marker="o", color=MULTI_SOURCE_COLOUR, label="two or more articles"),
    ]
    ax.legend(
        handles=handles,
        loc="lower right",
        bbox_to_anchor=(1.0, 1.0 + 0.45 / height),
        ncols=2,
        frameon=False,
    )
    fig.suptitle(title, x=0.01, ha="left")
    source_note(
        fig,
        "Source: troopclaims curated claims. A row is a claim key: figure, unit and framing for "
        "estimates; claimant group and stance for responses. A number in a dot counts claims "
        "of that article with that key.",
        axis_in=0.05,
    )
    fig.subplots_adjust(top=1 - 1.0 / height, left=0.36, right=0.9)
    svgout.describe(fig, coverage_description(matrix))
    svgout.data(fig, coverage_data(matrix))
    return fig


MOST_REPORTED = 3  # claim keys a coverage description names as the most widely reported


def coverage_description(matrix: pd.DataFrame) -> str:
    """The coverage chart in words: how many claim keys across how many articles, how many
    rest on one article only, the most widely reported keys, the articles with none."""
    if matrix.empty:
        return "No claim of this kind."
    n_sources = (matrix > 0).sum(axis=1)
    single = int((n_sources == 1).sum())
    parts = [
        f"{_count(len(matrix), 'claim key')} across {_count(len(matrix.columns), 'article')}: "
        f"{single} reported by one article only, {len(matrix) - single} by two or more."
    ]
    widest = n_sources[n_sources > 1].sort_values(ascending=False, kind="stable")
    if len(widest):
        named = [
            f"{key} ({_count(int(n), 'article')})" for key, n in widest[:MOST_REPORTED].items()
        ]
        parts.append(f"Most widely reported: {'; '.join(named)}.")
    silent = [str(a) for a in matrix.columns if not matrix[a].any()]
    if silent:
        parts.append(f"No such claim in {', '.join(silent)}.")
    return " ".join(parts)


def coverage_data(matrix: pd.DataFrame) -> pd.DataFrame:
    """The coverage matrix as a table: a row per claim key, the claims each article reports
    with it (blank for none), and how many articles carry it."""
    table = matrix.astype(int).astype(object).where(matrix > 0, "")
    table.insert(0, "claim key", [str(k) for k in matrix.index])
    table["articles"] = list((matrix > 0).sum(axis=1))
    table.columns = [str(c) for c in table.columns]
    return table.reset_index(drop=True)
