"""Charts are titled, labelled, sourced, print-sharp and byte-stable; tables escape the data."""

from __future__ import annotations

import struct
import warnings
from pathlib import Path

import matplotlib as mpl
import pandas as pd
import pytest
from matplotlib.figure import Figure

from troopclaims import analysis, charts, contract, fonts, load, process, tables


@pytest.fixture(scope="module")
def data() -> tuple[pd.DataFrame, pd.DataFrame]:
    claims, articles = load.load_claims(), load.load_articles()
    return process.build_claims_table(claims, articles), process.build_articles_table(
        claims, articles
    )


def _all_charts(claims: pd.DataFrame, articles: pd.DataFrame) -> dict[str, Figure]:
    ref = analysis.reference_date(claims)
    ids = list(articles["article_id"])
    return {
        "by_source": charts.estimates_by_source(claims, articles),
        "over_time": charts.estimates_over_time(claims),
        "timing": charts.response_timing(
            analysis.response_timing(claims, ref), analysis.undated_responses(claims), ref, "ref"
        ),
        "coverage": charts.coverage(
            analysis.coverage_matrix(claims, analysis.RESPONSE, ids), "Coverage"
        ),
    }


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
    assert "undated" in text
    assert "A000-01" in text and "A003-03" in text  # brigade figures, named in the note
    mpl.pyplot.close(fig)
    ref = analysis.reference_date(claims)
    undated = analysis.undated_responses(claims)
    fig = charts.response_timing(analysis.response_timing(claims, ref), undated, ref, "ref")
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert set(undated["claimant_group"]) <= set(labels)  # groups with only undated responses
    mpl.pyplot.close(fig)


def test_png_is_200_dpi_at_the_report_width_and_byte_stable(data) -> None:
    claims, articles = data
    first = charts.png_bytes(charts.estimates_by_source(claims, articles))
    second = charts.png_bytes(charts.estimates_by_source(claims, articles))
    assert first == second
    width = struct.unpack(">I", first[16:20])[0]
    assert width == round(charts.WIDTH_IN * charts.DPI)
    assert b"pHYs" in first
    mpl.pyplot.close("all")


def test_a_dollar_sign_in_data_is_not_mathtext() -> None:
    fig = charts.coverage(
        pd.DataFrame({"A1": [1]}, index=pd.Index(["$x$ · concern"], name="key")), "T"
    )
    charts.png_bytes(fig)  # would raise or render math with parse_math on
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


def test_show_and_table_save_files_when_asked(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr("IPython.display.display", lambda obj: None)
    fig = charts.coverage(pd.DataFrame({"A1": [1]}, index=pd.Index(["k"], name="key")), "T")
    charts.show(fig, "cov", tmp_path)
    tables.table(pd.DataFrame({"a": [1]}), "tab", tmp_path)
    assert (tmp_path / "cov.png").read_bytes().startswith(b"\x89PNG")
    assert (tmp_path / "tab.csv").read_text() == "a\n1\n"


HANGUL_KEYS = pd.Index(["3,000 soldiers · 북한군 파병", "Russia · denial · Кремль"], name="key")


def test_a_hangul_label_is_drawn_without_a_missing_glyph() -> None:
    fig = charts.coverage(pd.DataFrame({"A902": [1, 1]}, index=HANGUL_KEYS), "국정원 발표")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib warns "Glyph ... missing from font(s)"
        fig.canvas.draw()
        data = charts.png_bytes(fig)
    assert data.startswith(b"\x89PNG")
    assert list(fonts.chart_families()) == ["DejaVu Sans", "NanumGothic"]
    assert fig.texts[0].get_fontfamily() == ["DejaVu Sans", "NanumGothic"]
    mpl.pyplot.close(fig)


def test_latin_only_charts_are_byte_identical_with_the_fallback_font(data, monkeypatch) -> None:
    """Naming NanumGothic after DejaVu Sans changes no byte of a chart without Hangul."""
    with_fallback = {k: charts.png_bytes(f) for k, f in _all_charts(*data).items()}
    monkeypatch.setattr(fonts, "chart_families", lambda: ("sans-serif",))  # matplotlib's default
    assert {k: charts.png_bytes(f) for k, f in _all_charts(*data).items()} == with_fallback
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
        charts.png_bytes(fig)
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
        statement_date=pd.NaT,  # every estimate in the undated panel
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
