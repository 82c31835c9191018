"""Charts as deterministic inline SVG with <title> tooltips: how a figure leaves matplotlib.

Drawing (``charts``) and output are separate concerns: a chart decides what to show, this module
decides how it reaches the page. ``tooltip`` tags a mark while the chart is drawn; ``svg_bytes``
writes the figure as SVG with its text as text in the page's fonts, a <title> on every tagged
mark (the browser's own tooltip, no script), ids prefixed by a content hash so several charts
share a page, and no date or random salt, so identical data gives identical bytes; a character
no chart font has raises ``fonts.MissingFontError`` instead of printing a box. ``show`` puts the
SVG inline in a notebook (an <img> would lose the tooltips) and saves it atomically when asked,
as a numbered ``<figure>``: caption, the chart, a description of what it shows in words
(``describe``) and, where the report has no table of its own beside it, its data (``data``).

Accessibility: the root <svg> is a group (``role="group"``) named by its <title> and described
by the figure's visible description (``aria-describedby``; a <desc> when saved alone), not an
``img``: an image's children are presentational, so ``role="img"`` hid every mark's tooltip
from screen readers. Each mark with a tooltip is itself an image (``role="img"``) named by its
<title>, so a screen reader lists and reads the marks as a browser shows them on hover.
"""

from __future__ import annotations

import contextlib
import hashlib
import html
import io
import re
import warnings
import weakref
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib as mpl

mpl.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.artist import Artist
from matplotlib.figure import Figure

from troopclaims import atomic
from troopclaims.escaping import for_page
from troopclaims.report import fonts

if TYPE_CHECKING:
    import pandas as pd

CSS_PX_PER_IN = 96  # how browsers and WeasyPrint size an <img width=...>
SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
# Text stays text ('none'), set in the page's fonts (``_page_fonts``): as glyph outlines the
# report's five charts cost WeasyPrint 4 s more per PDF (9.8 -> 5.9 s build step, measured) and
# 470 kB more HTML, and a reader could not select or search a claim id in a chart. matplotlib
# lays the text out with DejaVu Sans, the report's own font, so the page draws it the same. A
# fixed hash salt and no date keep the bytes identical from identical data.
SVG_RC = {"svg.fonttype": "none", "svg.hashsalt": "troopclaims"}
_FONT_FAMILY = re.compile(r"font-family:\s*([^;]+)")
SVG_METADATA = {"Date": None, "Creator": None, "Format": None, "Type": None}
_URL_REF = re.compile(r"url\(#([^)]+)\)")

_TOOLTIPS: weakref.WeakKeyDictionary[Figure, dict[str, str]] = weakref.WeakKeyDictionary()
_DESCRIPTIONS: weakref.WeakKeyDictionary[Figure, str] = weakref.WeakKeyDictionary()
_DATA: weakref.WeakKeyDictionary[Figure, pd.DataFrame] = weakref.WeakKeyDictionary()


def tooltip(artist: Artist, gid: str, text: str) -> None:
    """Give ``artist`` the id ``gid`` and a tooltip: ``svg_bytes`` writes ``text`` as its <title>.

    A <title> is the SVG's own tooltip: a browser shows it on hover with no script, and screen
    readers read it. The artist must already be on a figure (drawn by an Axes method).
    """
    artist.set_gid(gid)
    _TOOLTIPS.setdefault(artist.get_figure(root=True), {})[gid] = text


def describe(fig: Figure, text: str) -> None:
    """Say in words what ``fig`` shows (composed from its data by the chart, never typed): the
    figure's visible description, and its <svg>'s accessible description."""
    _DESCRIPTIONS[fig] = text


def description(fig: Figure) -> str:
    """What ``describe`` recorded for ``fig`` ('' when nothing was)."""
    return _DESCRIPTIONS.get(fig, "")


def data(fig: Figure, frame: pd.DataFrame) -> None:
    """The data ``fig`` draws, as a table: shown with the figure (collapsed in HTML, in an
    appendix in the PDF). Only for a chart the report has no table of its own beside."""
    _DATA[fig] = frame


def data_of(fig: Figure) -> pd.DataFrame | None:
    """What ``data`` recorded for ``fig``, if anything."""
    return _DATA.get(fig)


@contextlib.contextmanager
def _glyphs_checked(fig: Figure) -> Iterator[None]:
    """Saving ``fig`` raises ``fonts.MissingFontError`` for a character no chart font has.

    matplotlib would draw a box and warn; the error names the script and the package to install.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("error", r"Glyph \d+ .* missing from font", UserWarning)
        try:
            yield
        except UserWarning as warning:
            if fonts.glyph_of_warning(str(warning)) is None:
                raise
            raise fonts.MissingFontError(_missing_glyphs(fig, str(warning))) from None


def svg_bytes(fig: Figure, describedby: str = "") -> bytes:
    """The figure as an SVG: vector in the PDF, a <title> tooltip on every mark in the HTML.

    Every id in the file is prefixed with a hash of its content, so several charts inlined in
    one page never share an id; the root is a group (``role="group"``) with the chart's title
    as <title> (its accessible name), its description (``describe``) as <desc>, and a width and
    height in CSS pixels at the figure's physical size; every mark with a tooltip is an image
    named by its <title>. ``describedby`` names the element of the page that describes it (the
    figure's visible description). Tooltip text is set as element text, so the XML writer
    escapes whatever a quote holds.
    """
    root, _prefix = _svg_tree(fig)
    if describedby:
        root.set("aria-describedby", describedby)
    return ET.tostring(root, encoding="unicode").encode("utf-8")


def _svg_tree(fig: Figure) -> tuple[ET.Element, str]:
    """The figure's SVG tree (``svg_bytes``) and the prefix of its ids."""
    buf = io.BytesIO()
    with mpl.rc_context(SVG_RC), _glyphs_checked(fig):
        fig.savefig(buf, format="svg", metadata=SVG_METADATA, facecolor="white")
    raw = buf.getvalue()
    ET.register_namespace("", SVG_NS)
    ET.register_namespace("xlink", XLINK_NS)
    root = ET.fromstring(raw)
    prefix = "c" + hashlib.sha256(raw).hexdigest()[:8] + "-"
    _prefix_ids(root, prefix)
    _page_fonts(root)
    by_id = {el.get("id"): el for el in root.iter() if el.get("id")}
    for gid, text in sorted(_TOOLTIPS.get(fig, {}).items()):
        if prefix + gid in by_id:
            _add_title(by_id[prefix + gid], text)
            by_id[prefix + gid].set("role", "img")
    if description(fig):
        desc = ET.Element(f"{{{SVG_NS}}}desc")
        desc.text = for_page(description(fig))
        root.insert(0, desc)
    _add_title(root, fig.get_suptitle() or "chart")
    root.set("role", "group")
    root.set("width", str(round(fig.get_figwidth() * CSS_PX_PER_IN)))
    root.set("height", str(round(fig.get_figheight() * CSS_PX_PER_IN)))
    return root, prefix


def _prefix_ids(root: ET.Element, prefix: str) -> None:
    """Prefix every id of the tree and every reference to one (href, url(#...))."""
    href = f"{{{XLINK_NS}}}href"
    for el in root.iter():
        for name, value in el.attrib.items():
            if name == "id":
                el.set(name, prefix + value)
            elif name in (href, "href") and value.startswith("#"):
                el.set(name, "#" + prefix + value[1:])
            elif "url(#" in value:
                el.set(name, _URL_REF.sub(lambda m: f"url(#{prefix}{m.group(1)})", value))


def _page_fonts(root: ET.Element) -> None:
    """Name, in every text's font list, each embedded font by the name the page gives its subset
    (``fonts.font_face_css``: Hangul would otherwise find no font in a reader's browser), and
    end the list with the generic sans-serif for a reader without DejaVu Sans."""
    names = {f.family: f.css_family for f in fonts.REPORT_FONTS}

    def families(match: re.Match) -> str:
        listed = [name.strip().strip("'\"") for name in match.group(1).split(",")]
        page = [names.get(name, name) for name in listed if name != "sans-serif"]
        return "font-family: " + ", ".join([*(f"'{n}'" for n in page), "sans-serif"])

    for el in root.iter():
        style = el.get("style")
        if style and "font-family" in style:
            el.set("style", _FONT_FAMILY.sub(families, style))


def _add_title(el: ET.Element, text: str) -> None:
    """Insert ``text`` as ``el``'s first child <title> (SVG wants it first to name ``el``)."""
    title = ET.Element(f"{{{SVG_NS}}}title")
    title.text = for_page(text)  # XML forbids most control characters; none reaches a page raw
    el.insert(0, title)


def _missing_glyphs(fig: Figure, warning: str) -> str:
    """What matplotlib could not draw, for the whole figure, as ``fonts`` words it."""
    text = "\n".join(t.get_text() for t in fig.findobj(mpl.text.Text))
    families = fig.texts[0].get_fontfamily() if fig.texts else fonts.chart_families()
    files = fonts.chart_font_files(families)
    try:
        fonts.assign(text, files, where="the chart")
    except fonts.MissingFontError as err:
        return str(err)
    glyph = fonts.glyph_of_warning(warning) or "?"
    return fonts.missing_message(glyph, text, [f for f, _ in files], "the chart")


FIGURE_LABEL = "Figure."  # the report numbers it ('Figure 3.'), in the order figures appear


def show(fig: Figure, name: str = "", output_dir: str | Path = "") -> None:
    """Display ``fig`` as a figure with inline SVG in a notebook and close it; save it as
    ``name``.svg if asked.

    Shown as HTML holding the <svg> element, not as an image/svg+xml output: nbconvert turns
    the latter into an <img> (and JupyterLab too), where tooltips do not work. Inline, the
    report's HTML shows each mark's <title> on hover and WeasyPrint draws the chart as vector.
    """
    from IPython.display import HTML, display

    display(HTML(figure_html(fig, name, output_dir)))


def figure_html(fig: Figure, name: str = "", output_dir: str | Path = "") -> str:
    """``fig`` as the report shows it, and close it: a ``<figure>`` whose ``<figcaption>`` the
    report numbers, the chart, the description (``describe``) the chart points its
    ``aria-describedby`` at, and its data (``data``) as a table in a ``<details>``."""
    root, prefix = _svg_tree(fig)
    title = for_page(fig.get_suptitle() or "chart")
    text, frame = description(fig), data_of(fig)
    plt.close(fig)
    if output_dir and name:
        svg = ET.tostring(root, encoding="unicode").encode("utf-8")
        atomic.write_bytes(Path(output_dir) / f"{name}.svg", svg)
    parts = [
        '<figure class="tc-figure">',
        f'<figcaption><span class="tc-fignum">{FIGURE_LABEL}</span> {html.escape(title)}'
        "</figcaption>",
    ]
    if text:
        root.set("aria-describedby", f"{prefix}description")
    parts.append(f'<div class="tc-chart">{ET.tostring(root, encoding="unicode")}</div>')
    if text:
        parts.append(
            f'<p class="tc-figdesc" id="{prefix}description">{html.escape(for_page(text))}</p>'
        )
    if frame is not None:
        from troopclaims.report import tables

        parts.append(
            '<details class="tc-figdata"><summary>The data in this figure, as a table</summary>'
            f"{tables.table_html(frame)}</details>"
        )
    parts.append("</figure>")
    return "\n".join(parts)
