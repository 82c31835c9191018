"""The HTML report shows every hostile value as text: data changes no markup of the page.

Validation refuses these payloads in a drop (tests/test_bans.py); this is the second line: were
one to reach the report (a value the bans do not know, a file name, a parameter), the report
must still escape it. The page is built the way ``make report`` builds it, cheaply: the
notebooks' own display helpers (``tables.table``, ``svgout.show``) produce the outputs, IPython's
formatter turns them into notebook outputs as a kernel would, and ``report.combine`` and
``report.render_html`` make the page. The same page is built with plain text in place of every
payload: both must have exactly the same tags and attribute names.
"""

from __future__ import annotations

import re
import unicodedata
from html.parser import HTMLParser
from pathlib import Path

import matplotlib.pyplot as plt
import nbformat
import pandas as pd
import pytest
from test_bans import FORMULAS, MARKUP, NAME_CONTROLS

from troopclaims.escaping import for_page
from troopclaims.report import assemble as report
from troopclaims.report import provenance, svgout, tables

ANSI = ["\x1b[31m", "\x1b[1;4m", "\x1b]8;;https://example.invalid\x1b\\", "\x1b[2J", "\x1b[0m"]
# What a payload could be, were it in a cell, a printed line, a chart title, a file name or
# a parameter: every markup payload, every formula, every control or invisible character
# (but the small form ﹦, which no report font draws: the build refuses it, naming it).
CELLS = [*MARKUP, *(f for f in FORMULAS if "\ufe66" not in f), *NAME_CONTROLS]


def printed(lines: list[str]) -> list[str]:
    """Lines a notebook prints: as they are, then the first few again inside ANSI escapes."""
    return lines + [f"{code}{line}" for code, line in zip(ANSI, lines, strict=False)]


TITLE = " ".join([*MARKUP[:3], 'T" onerror="alert(1)', "T' onload='alert(1)"])
FILE_NAMES = [m.replace("/", "_") for m in MARKUP[:8]]  # a file name holds no '/'
PARAMETER = '<img src=x onerror=alert(1)> " onmouseover="alert(1)'


class _Page(HTMLParser):
    """The page's markup (tags with their attributes, comments) and its text."""

    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.comments: list[str] = []
        self.text: list[str] = []
        self.preformatted: list[str] = []  # printed output (stdout), inside <pre>
        self.svg_titles: list[str] = []  # the <title> of each chart's <svg>
        self._pre = 0
        self._last = ""  # the previous start tag: a <title> right after <svg> names the chart
        self._svg_title = False
        self.feed(page)
        self.close()

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.tags.append((tag, dict(attrs)))
        self._pre += tag == "pre"
        self._svg_title = tag == "title" and self._last == "svg"
        self._last = tag

    def handle_startendtag(self, tag: str, attrs: list) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        self._pre -= tag == "pre" and self._pre > 0

    def handle_comment(self, data: str) -> None:
        self.comments.append(data)

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._svg_title:
            self.svg_titles.append(data)
            self._svg_title = False
        if self._pre:
            self.preformatted.append(data)

    def shape(self) -> set[tuple[str, tuple[str, ...]]]:
        return {(tag, tuple(sorted(attrs))) for tag, attrs in self.tags}


def _visible(text: str) -> str:
    """``text`` without whitespace, or the '\\t' pandas writes for it, to compare cells."""
    return re.sub(r"\s+|\\[tnr]", "", text)


def _outputs(monkeypatch: pytest.MonkeyPatch, cells: list[str], title: str) -> list:
    """The notebook outputs the report's helpers make for ``cells`` and a chart titled ``title``."""
    import IPython.display
    from IPython.core.formatters import DisplayFormatter

    shown: list = []
    monkeypatch.setattr(IPython.display, "display", lambda *objs, **kw: shown.extend(objs))
    tables.table(pd.DataFrame({"claimant": cells, "quote": list(reversed(cells))}))
    fig, ax = plt.subplots(figsize=(2, 1))
    ax.plot([0, 1], [0, 1])
    fig.suptitle(title)
    svgout.show(fig)
    formatter = DisplayFormatter()
    outputs = []
    for obj in shown:
        data, metadata = formatter.format(obj)
        outputs.append(nbformat.v4.new_output("display_data", data=data, metadata=metadata))
    return outputs


def _page(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    values: list[str],
    title: str,
    files: list[str],
    parameter: str,
) -> str:
    """The report page of one notebook showing ``values`` in a table and printed."""
    outputs = _outputs(monkeypatch, values, title)
    text = "\n".join(printed(values[: len(MARKUP)]))
    outputs.append(nbformat.v4.new_output("stream", name="stdout", text=text))
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_markdown_cell("# Data\n\nEvery value below comes from a drop."),
            nbformat.v4.new_code_cell("tables.table(claims)", outputs=outputs),
        ]
    )
    nb.metadata["papermill"] = {"parameters": {"reference_label": parameter}}
    executed = tmp_path / "executed" / "01-data.ipynb"
    executed.parent.mkdir(parents=True)
    nbformat.write(nb, executed)
    raw = tmp_path / "raw"
    raw.mkdir()
    for name in files:
        (raw / f"{name}.txt").write_text("x", encoding="utf-8")
    combined, toc, used = report.combine([executed])
    return report.render_html(combined, toc, provenance.collect(raw, None, used))


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> tuple[_Page, _Page]:
    """The page with every payload, and the same page with plain text in their place."""
    with pytest.MonkeyPatch.context() as mp:
        hostile = _page(tmp_path_factory.mktemp("hostile"), mp, CELLS, TITLE, FILE_NAMES, PARAMETER)
        plain = _page(
            tmp_path_factory.mktemp("plain"),
            mp,
            [f"text {i}" for i in range(len(CELLS))],
            "A title",
            [f"file {i}" for i in range(len(FILE_NAMES))],
            "plain",
        )
    return _Page(hostile), _Page(plain)


def test_payloads_add_no_tag_attribute_or_comment(pages: tuple[_Page, _Page]) -> None:
    hostile, plain = pages
    assert hostile.shape() == plain.shape()
    assert hostile.comments == plain.comments
    assert not [(t, a) for t, attrs in hostile.tags for a in attrs if a.startswith("on")]
    assert not [t for t, _ in hostile.tags if t in ("script", "iframe", "base", "form", "link")]
    metas = [attrs for tag, attrs in hostile.tags if tag == "meta"]
    assert all(set(m) <= {"charset", "name", "content"} for m in metas)
    assert all("http-equiv" not in m for m in metas)
    for _, attrs in hostile.tags:
        for name in ("href", "src", "action"):
            value = (attrs.get(name) or "").strip().lower()
            assert not value.startswith(("javascript", "vbscript", "data:text")), value


def test_every_payload_is_shown_as_text(pages: tuple[_Page, _Page]) -> None:
    hostile, _ = pages
    text = "".join(hostile.text)
    cells = _visible(text)
    for value in CELLS:  # table cells (pandas shows a tab as '\\t' and trims the ends)
        assert _visible(for_page(value)) in cells, repr(value)
    assert [v for v in CELLS if for_page(v) != v]  # some cells hold hidden characters...
    raw = {c for c in text if c not in "\t\n\r" and unicodedata.category(c) in ("Cc", "Cf")}
    assert not raw  # ...and none reaches the page raw: each is shown as its escape
    shown = "".join(hostile.preformatted)
    assert all(value in shown for value in MARKUP)  # printed lines
    assert all(f"{name}.txt" in text for name in FILE_NAMES)  # provenance: input files
    assert repr(PARAMETER) in text  # provenance: notebook parameters
    assert "jav&#x61;script:alert(1)" in text  # the reference shown, not decoded
    assert hostile.svg_titles == [TITLE]  # the chart's <title>, as text: it opens no tag


def test_ansi_escapes_in_printed_output_become_styling_or_nothing(
    pages: tuple[_Page, _Page],
) -> None:
    hostile, _ = pages
    shown = "".join(hostile.preformatted)
    assert "\x1b[" not in shown  # SGR sequences are styling; others (OSC) stay inert text
    assert any(attrs.get("class") == "ansi-red-fg" for tag, attrs in hostile.tags if tag == "span")
