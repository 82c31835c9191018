"""Charts are titled, labelled, sourced, print-sharp and byte-stable; tables escape the data."""

from __future__ import annotations

import re
import warnings
import xml.etree.ElementTree as ET
from pathlib import Path

import matplotlib as mpl
import pandas as pd
import pytest
import raw_files
from matplotlib.figure import Figure
from matplotlib.text import Text

from troopclaims import contract
from troopclaims.report import analysis, charts, fonts, response_dates, svgout, tables, timing_chart
from troopclaims.store import process


@pytest.fixture(scope="module")
def data() -> tuple[pd.DataFrame, pd.DataFrame]:
    claims, articles = raw_files.load_claims(), raw_files.load_articles()
    return process.build_claims_table(claims, articles), process.build_articles_table(
        claims, articles
    )


def _all_charts(claims: pd.DataFrame, articles: pd.DataFrame) -> dict[str, Figure]:
    ref = response_dates.reference_date(claims)
    ids = list(articles["article_id"])
    return {
        "by_source": charts.estimates_by_source(claims, articles),
        "over_time": charts.estimates_over_time(claims),
        "timing": _timing_chart(claims, ref),
        "coverage": charts.coverage(
            analysis.coverage_matrix(claims, analysis.RESPONSE, ids), "Coverage"
        ),
    }


def _timing_chart(claims: pd.DataFrame, ref: pd.Timestamp) -> Figure:
    """The timing chart as the notebook draws it."""
    return timing_chart.response_timing(
        response_dates.response_timing(claims, ref),
        response_dates.bounded_responses(claims, ref),
        response_dates.undated_reasons(claims),
        ref,
        "ref",
    )


def _texts(fig: Figure) -> str:
    return " ".join(t.get_text() for t in fig.findobj(mpl.text.Text))


def test_every_chart_has_title_axis_labels_legend_and_source_note(data) -> None:
    claims, articles = data
    for name, fig in _all_charts(claims, articles).items():
        assert fig.get_suptitle(), name
        axes = fig.axes
        assert any(ax.get_xlabel() or ax.get_xticklabels() for ax in axes), name
        assert any(ax.get_ylabel() or ax.get_yticklabels() for ax in axes), name
        assert fig.legends or any(ax.get_legend() for ax in axes), name
        assert "Source: troopclaims" in _texts(fig), name
        assert fig.get_figwidth() == pytest.approx(charts.WIDTH_IN)
        mpl.pyplot.close(fig)


def test_source_notes_name_the_claims_drawn(data) -> None:
    claims, articles = data
    fig = charts.estimates_by_source(claims, articles)
    text = _texts(fig)
    for claim_id in analysis.estimates(claims)["claim_id"]:
        assert claim_id in text
    mpl.pyplot.close(fig)


def test_undated_and_other_units_are_shown_not_dropped(data) -> None:
    claims, _ = data
    fig = charts.estimates_over_time(claims)
    text = _texts(fig)
    assert "no day" in text
    assert "A000-01" in text and "A003-03" in text  # brigade figures, named in the note
    mpl.pyplot.close(fig)
    fig = _timing_chart(claims, response_dates.reference_date(claims))
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    responded = set(analysis.responses(claims)["claimant_group"].astype(str))
    assert set(labels) == responded  # every group with a response has a lane, undated or not
    mpl.pyplot.close(fig)


def test_svg_is_vector_at_the_report_width_and_byte_stable(data) -> None:
    claims, articles = data
    for name in ("by_source", "timing"):
        first = svgout.svg_bytes(_all_charts(claims, articles)[name])
        second = svgout.svg_bytes(_all_charts(claims, articles)[name])
        assert first == second, name
        root = ET.fromstring(first)
        assert root.get("width") == str(round(charts.WIDTH_IN * svgout.CSS_PX_PER_IN))
        # a labelled group, not an image: an image's children (the marks' tooltips) would be
        # hidden from screen readers; its <desc> is the chart's description in words
        assert root.get("role") == "group"
        fig = _all_charts(claims, articles)[name]
        assert root[0].tag == f"{{{svgout.SVG_NS}}}title" and root[0].text == fig.get_suptitle()
        assert root[1].tag == f"{{{svgout.SVG_NS}}}desc" and root[1].text == (
            svgout.description(fig)
        )
        assert not root.findall(f".//{{{svgout.SVG_NS}}}image")  # nothing rasterised
        texts = root.findall(f".//{{{svgout.SVG_NS}}}text")  # text stays text: selectable
        assert texts and all(
            re.search(r"font-family: 'DejaVu Sans', [^;]*, sans-serif(;|$)", t.get("style"))
            for t in texts
        )
        mpl.pyplot.close("all")


def test_a_dollar_sign_in_data_is_not_mathtext() -> None:
    fig = charts.coverage(
        pd.DataFrame({"A1": [1]}, index=pd.Index(["$x$ · concern"], name="key")), "T"
    )
    svgout.svg_bytes(fig)  # would raise or render math with parse_math on
    assert "$x$ · concern" in _texts(fig)
    mpl.pyplot.close(fig)


def test_every_stance_has_its_own_colour_and_marker() -> None:
    styles = [charts.stance_style(s) for s in contract.CATEGORIES[analysis.RESPONSE]]
    assert len(set(styles)) == len(styles)
    assert all(colour in charts.OKABE_ITO for colour, _ in styles)


def test_table_escapes_markup_and_keeps_long_quotes(monkeypatch) -> None:
    shown = []
    monkeypatch.setattr("IPython.display.display", shown.append)
    quote = "<script>alert('x')</script> " + "mot " * 100
    tables.table(pd.DataFrame({"claim": ["A1-01"], "quote": [quote]}))
    html = shown[0].data
    assert "<script>" not in html
    assert "&lt;script&gt;alert" in html
    assert "mot " * 99 + "mot</td>" in html  # not truncated to pandas' display width
    assert "min-width: 36%" in html


def test_a_korean_word_in_a_table_is_kept_on_one_line(monkeypatch) -> None:
    """Line breaking may split Hangul between any two syllables ('2000' / '명'): each word that
    holds Hangul is one unbreakable span, the characters unchanged and still escaped."""
    shown = []
    monkeypatch.setattr("IPython.display.display", shown.append)
    quote = "북한군 1만 2000명이 <b>러시아</b> & NIS"
    tables.table(pd.DataFrame({"claim": ["K1-01"], "quote": [quote]}))
    html = shown[0].data
    nobr = '<span style="white-space: nowrap">'
    assert f"{nobr}북한군</span> {nobr}1만</span> {nobr}2000명이</span>" in html
    assert f"{nobr}&lt;b&gt;러시아&lt;/b&gt;</span> &amp; NIS" in html
    assert "<b>" not in html
    assert tables.cell_html("plain text") == "plain text"
    assert nobr not in tables.cell_html("가" * 40)  # a run too long for a cell may still break


def test_show_and_table_save_files_when_asked(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr("IPython.display.display", lambda obj: None)
    fig = charts.coverage(pd.DataFrame({"A1": [1]}, index=pd.Index(["k"], name="key")), "T")
    svgout.show(fig, "cov", tmp_path)
    tables.table(pd.DataFrame({"a": [1]}), "tab", tmp_path)
    assert (tmp_path / "cov.svg").read_bytes().startswith(b"<svg ")
    assert (tmp_path / "tab.csv").read_text() == "a\n1\n"


HANGUL_KEYS = pd.Index(["3,000 soldiers · 북한군 파병", "Russia · denial · Кремль"], name="key")


def test_a_hangul_label_is_drawn_without_a_missing_glyph() -> None:
    fig = charts.coverage(pd.DataFrame({"A902": [1, 1]}, index=HANGUL_KEYS), "국정원 발표")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib warns "Glyph ... missing from font(s)"
        fig.canvas.draw()
        data = svgout.svg_bytes(fig)
    assert data.startswith(b"<svg ")
    assert list(fonts.chart_families()) == ["DejaVu Sans", "NanumGothic"]
    assert fig.texts[0].get_fontfamily() == ["DejaVu Sans", "NanumGothic"]
    mpl.pyplot.close(fig)


def test_latin_only_charts_are_byte_identical_with_the_fallback_font(data, monkeypatch) -> None:
    """Naming NanumGothic after DejaVu Sans changes no byte of a chart without Hangul, but the
    font list each text names (the page's fallback order)."""

    def layout(svg: bytes) -> bytes:  # without the font lists, nor the ids hashed from them
        return re.sub(rb"font-family: [^;\"]*|c[0-9a-f]{8}-", b"", svg)

    with_fallback = {k: layout(svgout.svg_bytes(f)) for k, f in _all_charts(*data).items()}
    monkeypatch.setattr(fonts, "chart_families", lambda: ("sans-serif",))  # matplotlib's default
    assert {k: layout(svgout.svg_bytes(f)) for k, f in _all_charts(*data).items()} == with_fallback
    mpl.pyplot.close("all")


@pytest.fixture
def no_hangul_font(monkeypatch: pytest.MonkeyPatch):
    """The report's fonts as on a machine without NanumGothic."""
    missing = fonts.ReportFont(
        "NanumGothic", ("Hangul",), ("/nonexistent/NanumGothic.ttf",), fonts.NANUM_INSTALL, True
    )
    monkeypatch.setattr(fonts, "REPORT_FONTS", (fonts.DEJAVU_SANS, missing))
    fonts.chart_families.cache_clear()
    yield
    fonts.chart_families.cache_clear()


def test_a_hangul_label_without_a_hangul_font_is_an_error_naming_the_package(
    no_hangul_font,
) -> None:
    fig = charts.coverage(pd.DataFrame({"A902": [1, 1]}, index=HANGUL_KEYS), "Coverage")
    with pytest.raises(fonts.MissingFontError) as info:
        svgout.svg_bytes(fig)
    message = str(info.value)
    assert message.startswith("no font for the Hangul text in the chart: 북 (U+BD81)")
    assert "install koreanize-matplotlib (PyPI, in requirements.lock)" in message
    assert "Debian's fonts-nanum" in message
    mpl.pyplot.close(fig)


def test_a_drops_long_article_ids_fit_inside_the_estimate_charts(data) -> None:
    """new-drop names articles like 'intl-demo-A01': labels must not be cut at the edge."""
    claims, articles = data
    long_ids = {a: f"intl-demo-{a}" for a in articles["article_id"]}
    claims = claims.assign(
        article_id=claims["article_id"].map(long_ids),
        claim_id=claims["claim_id"].map(lambda c: f"intl-demo-{c}"),
        statement_date=pd.NaT,
        derived_date=pd.NaT,  # every estimate in the 'no day' panel, each with its bound
    )
    articles = articles.assign(article_id=articles["article_id"].map(long_ids))
    for fig in (charts.estimates_by_source(claims, articles), charts.estimates_over_time(claims)):
        renderer = fig.canvas.get_renderer()
        width = fig.get_figwidth() * fig.dpi
        texts = [t for ax in fig.axes for t in (*ax.get_yticklabels(), *ax.texts)]
        for text in texts:
            if not text.get_text() or not text.get_visible():
                continue
            box = text.get_window_extent(renderer)
            assert box.x0 >= 0 and box.x1 <= width, text.get_text()


# --- the timing chart's data: lanes, marks, intervals, tooltips ---------------------------------

HOSTILE_QUOTE = "<script>alert('x')</script> & \"co\" ]]> " + "long " * 80


@pytest.fixture
def timing_claims() -> pd.DataFrame:
    """Three South Korean responses on day 0 (two of one stance), a week-precision date, a
    bounded group (open above), a group bounded on both sides, an undated-only group."""
    from test_analysis import response, with_bounds

    return with_bounds(
        [
            response("A1-01", "South Korea", "summons", "2024-10-18", quote=HOSTILE_QUOTE),
            response("A1-02", "South Korea", "summons", "2024-10-18"),
            response("A1-03", "South Korea", "concern", "2024-10-18"),
            response("A1-04", "South Korea", "demand", "2024-10-20", date_precision="week"),
            response("A2-01", "Russia", "denial"),
            response("A2-02", "Russia", "denial"),
            response("A2-03", "Ukraine", "accusation"),
            response("A2-04", "China", "concern", note="Not dated in the article."),
        ],
        {
            "A2-01": ("2024-10-18", "", "A1-01"),
            "A2-02": ("2024-10-18", "", "A1-01"),
            "A2-03": ("2024-10-19", "2024-10-21", ""),
        },
    )


def _timing_parts(claims: pd.DataFrame) -> tuple:
    ref = pd.Timestamp("2024-10-18")
    timing = response_dates.response_timing(claims, ref)
    bounded = response_dates.bounded_responses(claims, ref)
    undated = response_dates.undated_reasons(claims)
    fig = timing_chart.response_timing(timing, bounded, undated, ref, "ref")
    return timing, bounded, undated, fig


def _gids(fig: Figure, prefix: str) -> list:
    return [a for a in fig.findobj(lambda a: (a.get_gid() or "").startswith(prefix))]


def _extent(ax, artist, renderer) -> mpl.transforms.Bbox:
    """A mark's display extent: a scatter marker's size around its point, a band's width."""
    px = ax.figure.dpi / 72
    if isinstance(artist, mpl.collections.PathCollection):
        (x, y) = ax.transData.transform(artist.get_offsets()[0])
        half = artist.get_sizes()[0] ** 0.5 * px / 2  # s is the marker's area in pt²
        return mpl.transforms.Bbox.from_extents(x - half, y - half, x + half, y + half)
    (x0, x1), (y, _) = artist.get_xdata(), artist.get_ydata()
    (x0, y0), (x1, _) = ax.transData.transform([(x0, y), (x1, y)])
    half = artist.get_linewidth() * px / 2
    return mpl.transforms.Bbox.from_extents(x0, y0 - half, x1, y0 + half)


def test_every_dated_response_is_drawn_once_and_every_bounded_one_as_an_interval(
    timing_claims: pd.DataFrame,
) -> None:
    timing, bounded, _, fig = _timing_parts(timing_claims)
    ax = fig.axes[0]
    drawn = sorted(a.get_gid().removeprefix("claim-") for a in _gids(fig, "claim-"))
    assert drawn == sorted(timing["claim_id"])  # each exactly once
    bands = {a.get_gid().removeprefix("bound-"): a for a in _gids(fig, "bound-")}
    assert sorted(bands) == sorted(bounded["claim_id"]) == ["A2-01", "A2-02", "A2-03"]
    _, x_hi = ax.get_xlim()
    assert list(bands["A2-03"].get_xdata()) == [1, 3]  # between two dates
    assert list(bands["A2-01"].get_xdata()) == [0, x_hi]  # open above: to the axis edge
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert "bounded: between two dates" in legend
    assert "bounded, open side: arrow to the edge" in legend
    mpl.pyplot.close(fig)


def test_every_group_with_a_response_has_a_lane_and_undated_ones_are_counted_on_it(
    timing_claims: pd.DataFrame,
) -> None:
    *_, undated, fig = _timing_parts(timing_claims)
    ax, ax_u = fig.axes
    lanes = {t.get_text(): y for t, y in zip(ax.get_yticklabels(), ax.get_yticks(), strict=True)}
    assert set(lanes) == {"South Korea", "Russia", "Ukraine", "China"}
    counts = {t.get_position()[1]: t.get_text() for t in ax_u.texts}
    assert counts == {lanes["China"]: "1 undated"}
    assert undated.set_index("claim_id").loc["A2-04", "reason"] == "Not dated in the article."
    mpl.pyplot.close(fig)


def test_marks_within_a_lane_do_not_overlap(timing_claims: pd.DataFrame) -> None:
    *_, fig = _timing_parts(timing_claims)
    ax = fig.axes[0]
    renderer = fig.canvas.get_renderer()
    marks = [_extent(ax, a, renderer) for a in (*_gids(fig, "claim-"), *_gids(fig, "bound-"))]
    assert len(marks) == 7
    for i, one in enumerate(marks):
        for other in marks[i + 1 :]:
            assert not one.overlaps(other), (one, other)
    mpl.pyplot.close(fig)


def test_real_timing_marks_do_not_overlap(data) -> None:
    """South Korea's day-0 responses used to be drawn on top of each other."""
    claims, _ = data
    fig = _timing_chart(claims, response_dates.reference_date(claims))
    ax = fig.axes[0]
    renderer = fig.canvas.get_renderer()
    marks = [_extent(ax, a, renderer) for a in (*_gids(fig, "claim-"), *_gids(fig, "bound-"))]
    for i, one in enumerate(marks):
        assert not any(one.overlaps(other) for other in marks[i + 1 :])
    mpl.pyplot.close(fig)


def test_every_svg_mark_has_an_escaped_tooltip_naming_its_claim(
    timing_claims: pd.DataFrame,
) -> None:
    timing, bounded, _, fig = _timing_parts(timing_claims)
    svg = svgout.svg_bytes(fig)
    assert b"<script" not in svg and b"&lt;script&gt;alert('x')&lt;/script&gt; &amp;" in svg
    root = ET.fromstring(svg)
    titles = {}
    for group in root.iter(f"{{{svgout.SVG_NS}}}g"):
        first = group[0] if len(group) else None
        if first is not None and first.tag == f"{{{svgout.SVG_NS}}}title":
            titles[group.get("id").split("-", 1)[1]] = first.text
    for claim_id in timing["claim_id"]:
        assert titles[f"claim-{claim_id}"].startswith(f"{claim_id} · someone (South Korea)")
    for claim_id in bounded["claim_id"]:
        assert titles[f"bound-{claim_id}"].startswith(claim_id)
    assert "2024-10-18 (day, date stated), day 0\n" in titles["claim-A1-02"]
    assert "how the date is known: on 2024-10-18: statement_date as typed" in titles["claim-A1-02"]
    # a week date: its span, cut to what the evidence allows, with the reason for each side
    assert "(week, date stated), day 2 (between day -1 and day 5)" in titles["claim-A1-04"]
    assert titles["span-A1-04"] == titles["claim-A1-04"]  # the span is the claim too
    # open above: the side known, with its reason naming the claim it reacts to
    assert "no day; from day 0 to open\n" in titles["bound-A2-01"]
    assert "on or after 2024-10-18: reacts to A1-01, made on 2024-10-18" in titles["bound-A2-01"]
    # both sides known: each with its own reason
    assert "no day; from day 1 to day 3\n" in titles["bound-A2-03"]
    assert "on or after 2024-10-19: earliest_date as typed" in titles["bound-A2-03"]
    assert "on or before 2024-10-21: latest_date as typed" in titles["bound-A2-03"]
    assert HOSTILE_QUOTE[:40] in titles["claim-A1-01"]  # the text itself, unchanged
    assert len(titles["claim-A1-01"]) < 400  # the quote shortened
    assert "A2-04 (someone): Not dated in the article." in titles["undated-3"]
    ids = [el.get("id") for el in root.iter() if el.get("id")]
    assert len(ids) == len(set(ids))
    assert svgout.svg_bytes(_timing_parts(timing_claims)[-1]) == svg
    mpl.pyplot.close("all")


def _text_boxes(fig: Figure) -> list[tuple[str, mpl.transforms.Bbox]]:
    """Every visible label drawn inside an axes (annotations, texts), with its display extent."""
    renderer = fig.canvas.get_renderer()
    return [
        (t.get_text(), t.get_window_extent(renderer))
        for ax in fig.axes
        for t in ax.texts
        if t.get_text() and t.get_visible()
    ]


def test_labels_inside_every_chart_do_not_collide(data) -> None:
    claims, articles = data
    figs = _all_charts(claims, articles)
    for name in ("by_source", "over_time", "coverage", "timing"):
        boxes = _text_boxes(figs[name])
        assert boxes, name
        for i, (text, box) in enumerate(boxes):
            clash = [other for other, b in boxes[i + 1 :] if box.overlaps(b)]
            assert not clash, (name, text, clash)
    mpl.pyplot.close("all")


def test_no_legend_covers_an_axes_its_title_or_its_tick_labels(data) -> None:
    claims, articles = data
    for name, fig in _all_charts(claims, articles).items():
        renderer = fig.canvas.get_renderer()
        for legend in fig.legends + [ax.get_legend() for ax in fig.axes if ax.get_legend()]:
            box = legend.get_window_extent(renderer)
            for ax in fig.axes:
                own = ax.get_tightbbox(renderer, bbox_extra_artists=[])  # axis, title, ticks
                assert not box.overlaps(own), (name, ax.get_title())
    mpl.pyplot.close("all")


def test_every_estimate_marker_has_a_tooltip_naming_its_claim(data) -> None:
    claims, articles = data
    svg = svgout.svg_bytes(charts.estimates_by_source(claims, articles))
    root = ET.fromstring(svg)
    titles = {
        g.get("id").split("-", 1)[1]: g[0].text
        for g in root.iter(f"{{{svgout.SVG_NS}}}g")
        if len(g) and g[0].tag == f"{{{svgout.SVG_NS}}}title"
    }
    for row in analysis.estimates(claims).itertuples():
        title = titles[f"claim-{row.claim_id}"]
        assert title.startswith(f"{row.claim_id} · {row.claimant}")
        assert charts.basis_words(row.date_basis, not pd.isna(row.derived_date)) in title
        assert row.quote[:30] in title
    assert "no date or bound: nothing in the corpus dates it" in titles["claim-A000-02"]
    mpl.pyplot.close("all")


# --- dates derived from evidence: spans cut at the article's date, reasons, bounds ------------


def _svg_titles(fig: Figure) -> dict[str, str]:
    """Each tooltip of the chart's SVG by its mark's gid ('claim-A001-13', 'bound-A000-12')."""
    root = ET.fromstring(svgout.svg_bytes(fig))
    return {
        g.get("id").split("-", 1)[1]: g[0].text
        for g in root.iter(f"{{{svgout.SVG_NS}}}g")
        if len(g) and g[0].tag == f"{{{svgout.SVG_NS}}}title"
    }


def _right_end(artist) -> float:
    """The right end, in days, of a dated mark's span (LineCollection) or a bounded band."""
    if isinstance(artist, mpl.collections.LineCollection):
        return max(x for segment in artist.get_segments() for x, _y in segment)
    return max(artist.get_xdata())


def test_no_span_or_band_runs_past_its_articles_date(data) -> None:
    """A001's responses (A001-13 a week date, A001-14..17 bounded by the article) are dated no
    later than A001's own day, 2024-10-23: day 5 after the reference, 2024-10-18."""
    claims, _ = data
    ref = response_dates.reference_date(claims)
    assert ref == pd.Timestamp("2024-10-18")
    timing = response_dates.response_timing(claims, ref).set_index("claim_id")
    week = timing.loc["A001-13"]
    assert week["derived_precision"] == "week" and week["lag_low"] < week["lag_high"] == 5
    assert week["lag_low"] <= week["lag_days"] <= week["lag_high"]
    fig = _timing_chart(claims, ref)
    ids = [f"A001-{n}" for n in range(13, 18)]
    marks = {
        a.get_gid().split("-", 1)[1]: a
        for prefix in ("span-", "bound-")
        for a in _gids(fig, prefix)
        if a.get_gid().split("-", 1)[1] in ids
    }
    assert sorted(marks) == ids  # A001-13's span and the four bands
    assert {claim_id: _right_end(mark) for claim_id, mark in marks.items()} == dict.fromkeys(ids, 5)
    mpl.pyplot.close(fig)


def test_a_bounded_marks_tooltip_gives_its_reason(data) -> None:
    """A000-12 ('Lundi, ...') reacts to A003-03 (18 October): on or after Monday 21 October."""
    claims, _ = data
    fig = _timing_chart(claims, response_dates.reference_date(claims))
    title = _svg_titles(fig)["bound-A000-12"]
    assert "on or after 2024-10-21: the first 'lundi' on or after 2024-10-18" in title
    assert "reacts to A003-03, made on 2024-10-18" in title
    assert "no day; from day 3 to open" in title
    dated = _svg_titles(fig)["claim-A003-07"]  # the day where its interval closes, and why
    assert "2024-10-18 (day, derived from the evidence), day 0" in dated
    assert "reacts to A003-01, made on 2024-10-18" in dated
    assert "the date of its article A003" in dated
    mpl.pyplot.close("all")


def test_an_estimate_with_no_day_shows_its_bound(data) -> None:
    """A002-02 and A002-03 have no day but are on or before 2024-10-21: the 'no day' panel
    says so beside their ids, and their tooltips give the reason."""
    claims, _ = data
    fig = charts.estimates_over_time(claims)
    svg = svgout.svg_bytes(fig)
    root = ET.fromstring(svg)
    texts = " ".join("".join(t.itertext()) for t in root.iter(f"{{{svgout.SVG_NS}}}text"))
    assert "A002-02 ≤ 21 Oct" in texts and "A002-03 ≤ 21 Oct" in texts
    assert "A000-02 ≤" not in texts and "A000-02 ≥" not in texts  # nothing bounds it
    titles = _svg_titles(fig)
    assert "on or before 2024-10-21: latest_date as typed" in titles["claim-A002-02"]
    dated = titles["claim-A003-02"]  # a dated estimate's tooltip: its day and why
    assert "on 2024-10-18:" in dated and "the date of its article A003" in dated
    mpl.pyplot.close("all")


def test_a_bound_label_is_short_and_says_which_side() -> None:
    day = pd.Timestamp
    assert charts._bound_label(pd.NaT, day("2024-10-21")) == "≤ 21 Oct"
    assert charts._bound_label(day("2024-10-18"), pd.NaT) == "≥ 18 Oct"
    assert charts._bound_label(day("2024-10-18"), day("2024-10-21")) == "18–21 Oct"
    assert charts._bound_label(day("2024-09-30"), day("2024-10-02")) == "30 Sep–2 Oct"
    assert charts._bound_label(pd.NaT, pd.NaT) == ""


def test_ids_with_bounds_pack_into_the_panels_lines() -> None:
    bounds = ["", "≤ 21 Oct", ""]
    assert charts._packed(["A000-02", "A002-02", "A004-01"], 22, bounds) == [
        "A000-02",
        "A002-02 ≤ 21 Oct",
        "A004-01",
    ]
    assert charts._packed(["A004-02", "A004-03"], 22) == ["A004-02, A004-03"]
    # too long for one line with its bound: the bound goes under its id, on a line of its own
    assert charts._packed(["oct-b-A01-01", "oct-b-A01-02"], 16, ["≥ 18 Oct", ""]) == [
        "oct-b-A01-01",
        "  ≥ 18 Oct",
        "oct-b-A01-02",
    ]


def test_an_id_longer_than_the_panel_line_breaks_at_a_hyphen() -> None:
    """new-drop's 'heldout-2024-10-ko-A01-01' (25 characters) was cut at the figure's edge."""
    assert charts._packed(["heldout-2024-10-ko-A01-01", "A000-02"], 22, ["≤ 25 Oct", ""]) == [
        "heldout-2024-10-ko-",
        "A01-01 ≤ 25 Oct",
        "A000-02",
    ]
    assert charts._split_long_id("A000-02", 22) == ("", "A000-02")
    assert charts._split_long_id("heldout-2024-10-A000-02", 22) == ("heldout-2024-10-", "A000-02")
    assert charts._split_long_id("x" * 30, 22) == ("", "x" * 30)  # no hyphen: left whole


def test_long_ids_on_the_timeline_neither_collide_nor_leave_the_axes(data) -> None:
    """Dated estimates under long drop ids: each label is measured and moved until it overlaps
    no other and stays inside the axes (fixed offsets drew one label over another)."""
    claims, _ = data
    long_claims = claims.assign(claim_id=claims["claim_id"].map(lambda c: f"heldout-2024-10-{c}"))
    fig = charts.estimates_over_time(long_claims)
    renderer = fig.canvas.get_renderer()
    ax = fig.axes[0]
    frame = ax.get_window_extent(renderer)
    boxes = []
    for t in ax.texts:
        if t.get_text():
            if hasattr(t, "update_positions"):  # an annotation: place it as drawing would
                t.update_positions(renderer)
            boxes.append((t.get_text(), Text.get_window_extent(t, renderer)))  # no leader line
    labels = [(text, box) for text, box in boxes if "heldout-2024-10-" in text]
    assert len(labels) >= 4
    for i, (text, box) in enumerate(boxes):
        assert not [o for o, b in boxes[i + 1 :] if box.overlaps(b)], text
    for text, box in labels:
        assert frame.x0 <= box.x0 and box.x1 <= frame.x1, text
    mpl.pyplot.close(fig)


def test_a_table_escapes_its_headers_and_cells_that_are_not_strings(monkeypatch) -> None:
    """pandas' own escaping is off (for the Korean spans): every header and every cell that is
    not a number goes through the one escaping function instead."""
    shown = []
    monkeypatch.setattr("IPython.display.display", shown.append)
    frame = pd.DataFrame({"<img src=x onerror=alert(1)>": [["<b>"]], "n": [3], "gap": [None]})
    tables.table(frame)
    html = shown[0].data
    assert "<img" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<b>" not in html and "&lt;b&gt;" in html
    assert "<td>3</td>" in html


def test_the_description_names_every_figure_tied_for_the_most_articles() -> None:
    """Two figures each in three articles: the description must not pick one silently."""
    from test_analysis import claims_frame, estimate

    rows = [estimate(f"V{a}-01", 12000, "planned_total") for a in (1, 2, 3)]
    rows += [estimate(f"V{a}-02", 1500, "already_in_russia") for a in (1, 2, 3)]
    rows.append(estimate("V4-01", 3000, "deploying"))
    claims = claims_frame(*rows)
    text = charts.by_source_description(analysis.estimates(claims), ["V1", "V2", "V3", "V4"])
    assert (
        "The figures the most articles report, 3 articles each, are 12,000 soldiers "
        "(V1, V2, V3), framed as planned total; and 1,500 soldiers (V1, V2, V3), framed as "
        "already in russia." in text
    )
    one = charts.by_source_description(analysis.estimates(claims_frame(*rows[:4])), ["V1"])
    assert "The figure the most articles report is 12,000 soldiers (3 articles: V1, V2, V3)" in one


def test_the_highest_figure_is_said_on_the_first_day_it_is_stated() -> None:
    """12,000 stated on 18 October, again on 23 October: the description must not make the
    23rd look like the day the peak appeared."""
    from test_analysis import claims_frame, estimate

    day = {"date_precision": "day", "date_basis": "stated"}
    claims = claims_frame(
        estimate("U1-01", 1500, "already_in_russia", statement_date="2024-10-18", **day),
        estimate("U1-02", 12000, "planned_total", statement_date="2024-10-18", **day),
        estimate("U2-01", 12000, "planned_total", statement_date="2024-10-23", **day),
    )
    est = analysis.estimates(claims)
    dated = est[est["derived_date"].notna()]
    text = charts.over_time_description(dated, dated.iloc[:0], dated.iloc[:0])
    assert "The highest: 12,000 soldiers (planned total), first stated on 18 October 2024" in text
    assert "The lowest: 1,500 soldiers (already in russia), first stated on 18 October" in text
