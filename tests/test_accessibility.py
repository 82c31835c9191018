"""The report is usable with a screen reader, and in print: what issue 20 asked, checked.

Figures are numbered ``<figure>``s with a ``<figcaption>``, each chart described in words from
its data, with its data as a table where the report has none beside it; the marks' tooltips stay
in the accessibility tree (the <svg> is a labelled group, each mark an image named by its
<title>); every quote, claimant and title carries its article's ``lang``; the PDF is tagged. Then
axe-core (pinned in tests/a11y/package-lock.json, installed by ``make test``: ``npm ci``) runs
in a real headless Chromium (Debian's ``chromium`` and ``chromium-driver``, driven by selenium)
on the report the suite already builds (``test_report.fixture_report``), and must find no
serious or critical violation.

Without the browser or axe-core the browser test is skipped on a workstation, with how to
install them; under ``CI=true`` it fails instead, so CI can never pass without running it.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import tempfile
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import matplotlib as mpl
import pandas as pd
import pypdf
import pytest
from test_report import KOREAN_QUOTE, RUSSIAN_QUOTE, fixture_report

from troopclaims import config
from troopclaims.report import analysis, charts, findings, svgout, tables
from troopclaims.report import assemble as report

# Every test of the fixture report on one xdist worker (make test's --dist loadgroup): the
# report is built once per process (``fixture_report``), so once, not once per worker.
pytestmark = pytest.mark.xdist_group("fixture-report")

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
A11Y_DIR = Path(__file__).parent / "a11y"
AXE_JS = A11Y_DIR / "node_modules" / "axe-core" / "axe.min.js"
AXE_VERSION = json.loads((A11Y_DIR / "package.json").read_text())["dependencies"]["axe-core"]
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)
FAILING_IMPACTS = {"serious", "critical"}
INSTALL = (
    "install them with `apt-get install -y chromium chromium-driver` (Debian) and "
    "`make test`, which first runs `npm ci` in tests/a11y/ for axe-core (or run it there)"
)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The report test_report.py builds on the fixture data, built once per test process."""
    return fixture_report(tmp_path_factory)


@pytest.fixture(scope="module")
def html(built: dict) -> str:
    return built["html"].read_text(encoding="utf-8")


# --- Figures ---------------------------------------------------------------------------------


VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


class _Page(HTMLParser):
    """What these tests read from the page: figures, elements by id, language spans."""

    def __init__(self) -> None:
        super().__init__()
        self.figures: list[dict] = []  # each: id, caption, svg attributes, details present
        self.ids: dict[str, str] = {}  # id -> its text
        self.open_ids: list[tuple[str, int]] = []
        self.depth = 0
        self.in_caption = False
        self.lang_texts: list[tuple[str, str]] = []  # (lang, text) of each span with a lang
        self.lang_open: list[tuple[str, int]] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = dict(attrs)
        if tag in VOID:
            return
        self.depth += 1
        if tag == "figure" and "tc-figure" in (a.get("class") or ""):
            self.figures.append({"id": a.get("id"), "caption": "", "svg": None, "details": ""})
        elif tag == "figcaption":
            self.in_caption = True
        elif tag == "svg" and self.figures and self.figures[-1]["svg"] is None:
            self.figures[-1]["svg"] = a
        elif tag == "summary" and self.figures:
            self.figures[-1]["details"] = "summary"
        if a.get("id"):
            self.ids[a["id"]] = ""
            self.open_ids.append((a["id"], self.depth))
        if tag == "span" and a.get("lang"):
            self.lang_texts.append((a["lang"], ""))
            self.lang_open.append((a["lang"], self.depth))

    def handle_startendtag(self, tag: str, attrs: list) -> None:
        pass  # <path/>, <use/>: no text, no language

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        if tag == "figcaption":
            self.in_caption = False
        self.open_ids = [(i, d) for i, d in self.open_ids if d < self.depth]
        self.lang_open = [(lang, d) for lang, d in self.lang_open if d < self.depth]
        self.depth -= 1

    def handle_data(self, data: str) -> None:
        if self.in_caption and self.figures:
            self.figures[-1]["caption"] += data
        for i, _ in self.open_ids:
            self.ids[i] += data
        if self.lang_open:
            lang, text = self.lang_texts[-1]
            self.lang_texts[-1] = (lang, text + data)


def _page(html: str) -> _Page:
    parser = _Page()
    parser.feed(html)
    return parser


@pytest.mark.slow
def test_figures_are_numbered_with_captions_and_described_in_words(html: str) -> None:
    page = _page(html)
    assert len(page.figures) == 5  # estimates x2, timing, coverage x2
    for n, figure in enumerate(page.figures, start=1):
        assert figure["id"] == f"figure-{n}"
        assert re.fullmatch(rf"Figure {n}\. \S.*", figure["caption"].strip()), figure["caption"]
        svg = figure["svg"]
        assert svg["role"] == "group"  # not "img": that would hide the marks from AT
        described = page.ids[svg["aria-describedby"]]
        assert len(described) > 40, described  # a sentence or more, composed from the data
    # the charts with no table of their own beside them carry theirs (issue 20: 1.2, 3.1, 3.2)
    assert [bool(f["details"]) for f in page.figures] == [False, True, False, True, True]
    assert html.count("<svg ") == len(re.findall(r"<svg [^>]*aria-describedby=", html))
    assert 'role="img"' in html  # the marks, each named by its <title>
    assert not re.search(r'<svg [^>]*role="img"', html)


@pytest.mark.slow
def test_the_figure_data_is_an_appendix_in_print_and_collapsed_on_screen(
    built: dict, html: str
) -> None:
    assert html.count('<details class="tc-figdata">') == 3
    section = re.search(r'<section class="figure-data print-only">(.*?)</section>', html, re.S)
    assert section and section.group(1).count("<table") == 3
    assert re.search(r'<li class="toc-2 print-only"><a href="#appendix-b">', html)
    pages = [" ".join(p.extract_text().split()) for p in pypdf.PdfReader(built["pdf"]).pages]
    title = "Appendix B. Data behind the figures"
    start = max(i for i, text in enumerate(pages) if title in text)  # after the contents
    assert start > 2 and "Validation summary" not in " ".join(pages[start:])  # the last one
    for number in (2, 4, 5):
        assert f"Figure {number}." in " ".join(pages[start:]), number
    assert "The data in Figure" not in " ".join(pages)  # the collapsed tables are not printed


@pytest.mark.slow
def test_every_table_header_cell_names_its_column(html: str) -> None:
    """A header cell with no text is announced as nothing: each column of each table says what
    it holds (the validation overview's first column had a blank header)."""
    assert re.findall(r"<th[^>]*>\s*</th>", html) == []
    assert re.search(r"<th[^>]*>summary</th>\s*<th[^>]*>value</th>", html)  # the overview


@pytest.mark.slow
def test_every_quote_claimant_and_title_carries_its_articles_language(html: str) -> None:
    spans = _page(html).lang_texts
    by_lang = {lang for lang, _ in spans}
    assert {"fr", "ko", "ru"} <= by_lang
    shown = {text for _, text in spans}
    assert any(KOREAN_QUOTE in text for lang, text in spans if lang == "ko"), shown
    assert any(RUSSIAN_QUOTE in text for lang, text in spans if lang == "ru")
    # no quote cell without its language: each <td> holding a quote opens with a lang span
    for table in re.findall(r'<table[^>]*class="dataframe tc-table".*?</table>', html, re.S):
        headers = re.findall(r"<th[^>]*>(.*?)</th>", table.split("</thead>")[0], re.S)
        if "quote" not in headers:
            continue
        column = headers.index("quote")
        for row in re.findall(r"<tr>(.*?)</tr>", table.split("</thead>")[1], re.S):
            cell = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)[column]
            assert cell.startswith('<span lang="'), cell[:80]


@pytest.mark.slow
def test_the_pdf_is_tagged(built: dict) -> None:
    root = pypdf.PdfReader(built["pdf"]).trailer["/Root"]
    assert root["/MarkInfo"]["/Marked"]
    assert "/StructTreeRoot" in root
    assert str(root["/Lang"]) == "en"


def test_a_table_marks_the_articles_words_with_their_language() -> None:
    frame = pd.DataFrame(
        {
            "claim": ["K1-01", "R1-01", "X1-01", "F1-01"],
            "claimant": ["국정원", "Кремль", "unattributed", "<b>Kremlin</b>"],
            "figure": [1, 2, 3, 4],
            "quote": ["북한군 3,000명", "ложь", "bad code", "« la <i>Corée</i> »"],
        }
    )
    langs = {"K1-01": "ko", "R1-01": "ru", "X1-01": 'fr" onload="x', "F1-01": "fr"}
    page = tables.table_html(frame, langs)
    nobr = '<span style="white-space: nowrap">'
    assert f'<span lang="ko">{nobr}북한군</span> {nobr}3,000명</span></span>' in page
    assert '<span lang="ru">Кремль</span>' in page and '<span lang="ru">ложь</span>' in page
    assert "<td>unattributed</td>" in page  # the curator's word, English
    assert "<td>bad code</td>" in page and "onload" not in page  # not a language tag: none
    assert '<span lang="fr">&lt;b&gt;Kremlin&lt;/b&gt;</span>' in page  # still escaped
    assert "<td>1</td>" in page  # other columns untouched
    assert tables.table_html(frame) == tables.table_html(frame, {})  # no languages: no spans


def test_a_findings_quoted_words_carry_their_language_and_the_text_stays_plain() -> None:
    claims = pd.DataFrame(
        {
            "claim_id": ["A1-01", "A1-02"],
            "article_id": ["A1", "A1"],
            "claimant": ["Le <Kremlin>", "Кремль"],
            "article_language": ["fr", "ru"],
        }
    )
    quoted = findings._claimants(claims, limit=2)
    marked = f"{quoted} {findings._ids(claims['claim_id'])}."
    found = findings._finding("test", marked)
    assert found.text == "“Le <Kremlin>” and “Кремль” (A1-01, A1-02)."
    page = findings.findings_html([found], "Validation: ok.")
    assert '“<span lang="fr">Le &lt;Kremlin&gt;</span>”' in page
    assert '“<span lang="ru">Кремль</span>”' in page
    assert '<span class="claim-id">A1-01</span>' in page


def test_languages_map_claims_and_articles() -> None:
    claims = pd.DataFrame({"claim_id": ["A1-01"], "article_id": ["A1"], "article_language": ["uk"]})
    articles = pd.DataFrame({"article_id": ["A1", "A2"], "language": ["uk", "de"]})
    assert analysis.languages(claims, articles) == {"A1-01": "uk", "A1": "uk", "A2": "de"}


def test_a_figure_is_a_captioned_group_whose_marks_keep_their_tooltips() -> None:
    matrix = pd.DataFrame(
        {"A1": [1, 0], "A2": [2, 1]}, index=pd.Index(["k1 · x", "k2 · y"], name="key")
    )
    fig = charts.coverage(matrix, "Coverage <test>")
    assert svgout.description(fig) == (
        "2 claim keys across 2 articles: 1 reported by one article only, 1 by two or more. "
        "Most widely reported: k1 · x (2 articles)."
    )
    mark = fig.axes[0].collections[0]
    svgout.tooltip(mark, "claim-A1-01", "A1-01 · someone")
    page = svgout.figure_html(fig)
    assert page.startswith('<figure class="tc-figure">\n<figcaption>')
    assert '<span class="tc-fignum">Figure.</span> Coverage &lt;test&gt;</figcaption>' in page
    svg = ET.fromstring(re.search(r"<svg .*</svg>", page, re.S).group(0))
    desc_id = svg.get("aria-describedby")
    assert f'<p class="tc-figdesc" id="{desc_id}">2 claim keys' in page
    marks = [el for el in svg.iter() if el.get("role") == "img"]
    assert len(marks) == 1 and marks[0][0].text == "A1-01 · someone"
    assert '<details class="tc-figdata"><summary>' in page and "<td>k2 · y</td>" in page
    mpl.pyplot.close("all")


def test_figures_are_numbered_in_the_order_they_appear(tmp_path: Path) -> None:
    import nbformat

    def figure(title: str, data: bool) -> str:
        fig = charts.coverage(pd.DataFrame({"A1": [1]}, index=pd.Index(["k"])), title)
        if not data:
            svgout._DATA.pop(fig, None)
        return svgout.figure_html(fig)

    cells = [nbformat.v4.new_markdown_cell("# One")]
    for title, data in (("First", True), ("Second", False), ("Third", True)):
        cell = nbformat.v4.new_code_cell("pass")
        cell.outputs = [
            nbformat.v4.new_output("display_data", data={"text/html": figure(title, data)})
        ]
        cells.append(cell)
    path = tmp_path / "01-one.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=cells), path)
    combined, _, _ = report.combine([path])
    shown = "".join(o["data"]["text/html"] for c in combined.cells for o in c.get("outputs", []))
    captions = re.findall(r'<span class="tc-fignum">([^<]*)</span> (\w+)', shown)
    assert captions == [("Figure 1.", "First"), ("Figure 2.", "Second"), ("Figure 3.", "Third")]
    assert "The data in Figure 3, as a table" in shown
    data = combined.metadata["figure_data"]
    assert data["title"] == "Appendix A. Data behind the figures"
    assert [(f["number"], f["title"]) for f in data["figures"]] == [(1, "First"), (3, "Third")]
    mpl.pyplot.close("all")


# --- axe-core in a real browser ------------------------------------------------------------


def _missing_tools() -> list[str]:
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    if not AXE_JS.exists():
        missing.append(f"{AXE_JS.relative_to(config.ROOT)} (axe-core {AXE_VERSION})")
    return missing


@pytest.fixture(scope="module")
def axe_browser():
    """A headless Chromium driven by selenium through Debian's chromedriver (named, so
    selenium-manager never downloads one), with a fresh profile and no background network."""
    missing = _missing_tools()
    if missing:
        message = f"the accessibility check needs {', '.join(missing)}: {INSTALL}"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    with tempfile.TemporaryDirectory(prefix="troopclaims-chromium-") as profile:
        options = Options()
        options.binary_location = str(CHROMIUM)
        for flag in (*CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--window-size=1100,1400"):
            options.add_argument(flag)
        driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
        try:
            driver.set_script_timeout(120)
            yield driver
        finally:
            driver.quit()


def _axe(driver, page: Path) -> dict:
    """axe-core's results for ``page`` (violations only), as axe.run returns them."""
    driver.get(page.resolve().as_uri())
    driver.execute_script(AXE_JS.read_text(encoding="utf-8"))
    return driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']})"
        "  .then(r => done({version: axe.version, violations: r.violations}))"
        "  .catch(e => done({error: String(e)}));"
    )


@pytest.mark.slow
def test_axe_core_finds_no_serious_or_critical_violation(axe_browser, built: dict) -> None:
    results = _axe(axe_browser, built["html"])
    assert "error" not in results, results.get("error")
    assert results["version"] == AXE_VERSION
    serious = [v for v in results["violations"] if v["impact"] in FAILING_IMPACTS]
    assert not serious, "\n".join(
        f"{v['impact']} {v['id']}: {v['help']} ({len(v['nodes'])} elements, first: "
        f"{v['nodes'][0]['target']})"
        for v in serious
    )


def test_axe_core_is_pinned_and_installed_from_the_lock() -> None:
    lock = json.loads((A11Y_DIR / "package-lock.json").read_text())
    assert lock["packages"]["node_modules/axe-core"]["version"] == AXE_VERSION
    assert lock["packages"]["node_modules/axe-core"]["integrity"].startswith("sha512-")
    assert re.fullmatch(r"\d+\.\d+\.\d+", AXE_VERSION)  # an exact pin, not a range
    makefile = (config.ROOT / "Makefile").read_text()
    assert "npm ci" in makefile
    ignored = subprocess.run(
        ["git", "check-ignore", "-q", str(A11Y_DIR / "node_modules" / "x")],
        cwd=config.ROOT,
        check=False,
    )
    assert ignored.returncode == 0  # node_modules stays out of the repository
