"""The printed report's layout, checked on WeasyPrint's own layout boxes (no pixels).

What a reader of the PDF relies on: the key findings come before the contents and the appendix
after methodology and provenance (in the HTML and the PDF alike), a heading never ends a page
without what it introduces, and a long unbroken token (a URL, a 60-character id) in a table
wraps instead of running off the page.
"""

from __future__ import annotations

import base64
import io
import re
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from PIL import Image
from test_notebooks import SMALL

from troopclaims.report import assemble as report
from troopclaims.report import provenance

LONG_TOKEN = "x" * 120 + "-" + "y" * 79  # 200 characters, no space to break at


def _executed(folder: Path, name: str, cells: list) -> Path:
    """An executed notebook holding ``cells``, as ``combine`` reads it."""
    nb = nbformat.v4.new_notebook(cells=cells)
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


def _output_cell(data: dict, metadata: dict | None = None) -> nbformat.NotebookNode:
    """A code cell with one display output, as a notebook's ``display()`` leaves it."""
    cell = nbformat.v4.new_code_cell("pass")
    cell.outputs = [nbformat.v4.new_output("display_data", data=data, metadata=metadata or {})]
    return cell


def _page(paths: list[Path]) -> str:
    """The report page for these executed notebooks, through ``combine`` and our template."""
    combined, toc, used = report.combine(paths)
    return report.render_html(combined, toc, provenance.collect(SMALL / "raw", None, used))


def _document(page: str):
    """WeasyPrint's laid-out document for ``page`` (what ``write_pdf`` prints)."""
    import weasyprint

    return weasyprint.HTML(string=page).render()


def _boxes(box):
    """Every box under ``box``, depth first."""
    yield box
    for child in getattr(box, "children", []) or []:
        yield from _boxes(child)


def _page_of(document, element_id: str) -> int:
    """The index of the page holding the element whose id is ``element_id``."""
    for number, page in enumerate(document.pages):
        for box in _boxes(page._page_box):
            if box.element is not None and box.element.get("id") == element_id:
                return number
    raise AssertionError(f"no box with id {element_id!r}")


def test_a_long_unbroken_token_in_a_table_stays_within_the_page(tmp_path: Path) -> None:
    table = pd.DataFrame(
        {"claim": ["A001-01"], "url": [f"https://example.org/{LONG_TOKEN}"], "quote": ["q"]}
    ).to_html(index=False)
    path = _executed(tmp_path, "01-t.ipynb", [_output_cell({"text/html": table})])
    document = _document(_page([path]))
    found = False
    for page in document.pages:
        body = page._page_box
        right = body.content_box_x() + body.width  # the page's text block, inside its margins
        for box in _boxes(body):
            if getattr(box, "text", None) and "xxxx" in box.text:
                found = True
            if box.element_tag in {"table", "td", "th"} or getattr(box, "text", None):
                assert box.position_x + box.margin_width() <= right + 0.5, (
                    f"{box.element_tag} {getattr(box, 'text', '')[:20]!r} ends at "
                    f"{box.position_x + box.margin_width():.0f}px, page text ends at {right:.0f}px"
                )
    assert found, "the token is not in the laid-out page"


def _png(width: int = 600, height: int = 500) -> str:
    """A plain PNG, base64, as a chart output carries it."""
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), "white").save(buffer, format="PNG")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


@pytest.mark.parametrize("filler", [20, 30, 40, 50])
def test_a_heading_is_never_left_at_the_foot_of_a_page_without_its_chart(
    tmp_path: Path, filler: int
) -> None:
    """Text that fills the page down to where a heading still fits but its chart does not:
    the heading must go to the next page with the chart (ids ``s1-1``, the chart's cell)."""
    text = "\n\n".join(f"Paragraph {i} of text before the heading." for i in range(filler))
    cells = [
        nbformat.v4.new_markdown_cell(f"# Section\n\n{text}"),
        nbformat.v4.new_markdown_cell("## The chart\n\nWhat the chart shows."),
        _output_cell({"image/png": _png()}, {"image/png": {"width": 600}}),
    ]
    path = _executed(tmp_path, "01-t.ipynb", cells)
    page = _page([path]).replace("<img ", '<img id="chart" ', 1)
    document = _document(page)
    assert _page_of(document, "s1-1") == _page_of(document, "chart")


def test_front_matter_precedes_the_contents_and_appendices_follow_provenance(
    tmp_path: Path,
) -> None:
    """00 is front matter (unnumbered, before the contents), 90+ an appendix (lettered, after
    methodology and provenance); the sections between are numbered from 1, in both formats."""
    paths = [
        _executed(tmp_path, "00-front.ipynb", [nbformat.v4.new_markdown_cell("# Key findings")]),
        _executed(tmp_path, "02-body.ipynb", [nbformat.v4.new_markdown_cell("# Body\n\n## Sub")]),
        _executed(tmp_path, "90-appendix-x.ipynb", [nbformat.v4.new_markdown_cell("# X\n\n## R")]),
    ]
    page = _page(paths)
    order = [
        '<h2 id="key-findings">Key findings</h2>',
        '<h2 class="toc-title">Contents</h2>',
        '<h2 id="s1">1. Body</h2>',
        '<h3 id="s1-1">1.1 Sub</h3>',
        '<h2 id="s2">2. Methodology and limitations</h2>',
        '<h2 id="s3">3. Provenance</h2>',
        '<h2 id="appendix-a">Appendix A. X</h2>',
        '<h3 id="appendix-a-1">A.1 R</h3>',
    ]
    positions = [page.find(tag) for tag in order]
    assert -1 not in positions, [t for t, p in zip(order, positions, strict=True) if p == -1]
    assert positions == sorted(positions)
    contents = page[re.search(r"<nav[^>]*>", page).start() : page.find("</nav>")]
    assert re.findall(r'href="#([^"]+)"', contents) == [
        "s1",
        "s1-1",
        "s2",
        "s3",
        "appendix-a",
        "appendix-a-1",
    ]
    document = _document(page)
    pages = [_page_of(document, anchor) for anchor in ("key-findings", "s1", "s3", "appendix-a")]
    assert pages[0] == 0 and pages == sorted(pages)


def test_without_front_matter_or_appendix_the_layout_is_unchanged(tmp_path: Path) -> None:
    path = _executed(tmp_path, "01-a.ipynb", [nbformat.v4.new_markdown_cell("# A")])
    page = _page([path])
    assert page.find('class="toc-title"') < page.find('id="s1"') < page.find('id="s2"')
    assert page.find('id="s2"') < page.find('id="s3"')  # methodology, then provenance
    assert "appendix" not in page.lower()


def test_a_notebook_ending_in_a_bare_expression_renders(tmp_path: Path) -> None:
    """A cell whose last line is an expression leaves an ``execute_result``: it must reach the
    page like a displayed output (it once stopped the build with a schema error)."""
    cell = nbformat.v4.new_code_cell("claims")
    cell.outputs = [
        nbformat.v4.new_output(
            "execute_result", data={"text/plain": "BARE-EXPRESSION-RESULT"}, execution_count=3
        )
    ]
    page = _page([_executed(tmp_path, "01-t.ipynb", [cell])])
    assert "BARE-EXPRESSION-RESULT" in page
