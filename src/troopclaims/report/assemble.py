"""Publish executed notebooks as one HTML and one PDF report: assembly and rendering.

``execute`` runs the notebooks into ``reports/executed/``; ``build`` here joins them into one
document (title, contents, the sections, methodology, provenance) with our own nbconvert
template, then prints it to PDF with WeasyPrint. It builds only from notebooks that all read
the current build of data/processed/ (``provenance.check_processed``), and refuses otherwise,
saying to run ``make report``.

The canonical report (``reports/report.*``) is what the notebooks' default parameters build; a
parameters file ``NAME.yaml`` builds a variant beside it, in ``reports/NAME/`` (``outputs_for``),
so a variant never replaces the canonical report. Page 1 states the parameters either way.

Every output is written to a temporary file and renamed into place, so a failed step leaves the
previous report untouched. The HTML is byte-identical between two builds of the same inputs when
``SOURCE_DATE_EPOCH`` is set: nothing in it comes from the clock, the random generator or the
execution (timings, kernel ids, cell timestamps are all left out).
"""

from __future__ import annotations

import contextlib
import html
import logging
import re
import time
import unicodedata
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from troopclaims import atomic, config
from troopclaims.errors import UsageError
from troopclaims.escaping import for_page
from troopclaims.report import fonts, provenance
from troopclaims.report.execute import ReportError

if TYPE_CHECKING:
    from nbformat import NotebookNode

TEMPLATES_DIR = config.PACKAGE_DIR / "templates"
TEMPLATE_NAME = "report"
REPORT_TITLE = "How the news reported North Korea's troop deployment to Russia (October 2024)"
PARAMETERS_TAG = "parameters"
INJECTED_TAG = "injected-parameters"
# A variant's folder name: no dot (``report.html.yaml`` would make a folder named like the
# canonical file), nothing a file system could fold together or treat specially.
VARIANT_NAME = re.compile(r"[A-Za-z0-9_-]+")


# --- Where a report goes ---------------------------------------------------------------------


@dataclass(frozen=True)
class Outputs:
    """Where one report's executed notebooks, HTML and PDF go."""

    executed_dir: Path
    html: Path
    pdf: Path


def outputs_for(params_file: Path | None) -> Outputs:
    """The canonical report's paths without a parameters file; ``reports/NAME/`` for NAME.yaml.

    Why: a variant built with other parameters must never replace the report the defaults
    build. Paths are read from ``config`` now, so a test can point them elsewhere.
    """
    if params_file is None or not str(params_file):
        return Outputs(config.EXECUTED_DIR, config.REPORT_HTML, config.REPORT_PDF)
    folder = config.REPORTS_DIR / variant_name(Path(params_file))
    return Outputs(
        folder / config.EXECUTED_DIR.name,
        folder / config.REPORT_HTML_FILE,
        folder / config.REPORT_PDF_FILE,
    )


def variant_name(params_file: Path) -> str:
    """The name of the report a parameters file builds: its stem, once it is a safe folder name.

    Refused (``UsageError``, exit 2): an empty name, a hidden one (leading dot), one holding a
    path separator or a control character, and the names of reports/'s own folders.
    """
    name = params_file.stem
    if not name:
        why = "it is empty"
    elif name.startswith("."):
        why = "it starts with a dot"
    elif "/" in name or "\\" in name:
        why = "it holds a path separator"
    elif any(unicodedata.category(c) == "Cc" for c in name):
        why = "it holds a control character"
    elif not VARIANT_NAME.fullmatch(name):
        why = "only letters, digits, '-' and '_' make a folder name every system keeps apart"
    elif name.casefold() in {n.casefold() for n in config.RESERVED_REPORT_NAMES}:
        why = f"reports/{name}/ is taken"
    else:
        return name
    raise UsageError(
        f"parameters file {str(params_file)!r}: its name cannot name a report folder under "
        f"reports/ ({why}): rename the file (letters, digits, '-', '_')"
    )


# --- Assembling one document -----------------------------------------------------------------

_HEADING = re.compile(r"^(#{1,4})\s+(.+?)\s*#*\s*$")
# Notebook numbers with a place of their own: 00 is front matter (before the contents), 90 and
# up are appendices (after methodology and provenance); the rest are the numbered sections.
FRONT_MATTER = 0
APPENDIX_FROM = 90


@dataclass(frozen=True)
class Heading:
    """A table-of-contents entry: its level (2 = section), anchor id and numbered text."""

    level: int
    anchor: str
    text: str


def _number_headings(
    source: str, section: int | str | None, counter: list[int]
) -> tuple[str, list[Heading]]:
    """Turn a markdown cell's headings into numbered HTML headings one level down.

    A notebook's ``#`` title becomes section ``N`` (``<h2>``), its ``##`` headings ``N.k``
    (``<h3>``); the ids are ours (``s2``, ``s2-1``), so the contents can link to them. An
    appendix (``section`` a letter) is numbered ``Appendix A``, ``A.k`` (ids ``appendix-a``,
    ``appendix-a-1``); front matter (``section`` None) keeps its headings unnumbered, its title
    anchored by its words (``key-findings``), as a reader expects of a summary before the contents.
    """
    lines, found = [], []
    for line in source.splitlines():
        match = _HEADING.match(line)
        if not match:
            lines.append(line)
            continue
        depth, text = len(match.group(1)), match.group(2)
        if section is None:
            slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
            anchor, label = (slug if depth == 1 else ""), text
        elif depth == 1:
            anchor, label = (
                (f"appendix-{section.lower()}", f"Appendix {section}. {text}")
                if isinstance(section, str)
                else (f"s{section}", f"{section}. {text}")
            )
        elif depth == 2:
            counter[0] += 1
            prefix = f"appendix-{section.lower()}" if isinstance(section, str) else f"s{section}"
            anchor, label = f"{prefix}-{counter[0]}", f"{section}.{counter[0]} {text}"
        else:
            anchor, label = "", text
        tag = min(depth + 1, 6)
        attr = f' id="{anchor}"' if anchor else ""
        lines += [f"<h{tag}{attr}>{html.escape(label)}</h{tag}>", ""]
        if anchor:
            found.append(Heading(tag, anchor, label))
    return "\n".join(lines), found


def _report_outputs(cell) -> list:
    """The outputs a reader should see: no stderr noise, no execution counts.

    A result's count is blanked, not removed: nbformat requires the key on an
    ``execute_result`` (a notebook ending in a bare expression), and the exporter refuses a
    notebook without it.
    """
    kept = []
    for out in cell.get("outputs", []):
        if out.get("output_type") == "stream" and out.get("name") == "stderr":
            continue
        if out.get("output_type") == "stream":
            out["text"] = _styled_text(out.get("text", ""))
        if "execution_count" in out:
            out["execution_count"] = None
        kept.append(out)
    return kept


# An SGR sequence (colour, bold: ESC [ digits m), which nbconvert turns into styled spans; the
# bound keeps the match linear. Every other escape sequence would reach the page raw.
_SGR = re.compile(r"(\x1b\[[0-9;]{0,32}m)")


def _styled_text(text: str) -> str:
    """Printed output as the page shows it: colours kept for nbconvert to style, every other
    hidden character (an OSC title change, BEL, a bidi control) shown as its escape."""
    return "".join(piece if i % 2 else for_page(piece) for i, piece in enumerate(_SGR.split(text)))


# A figure as ``svgout.figure_html`` writes it: numbered here, in the order figures appear in the
# report, so a reader can cite "Figure 3"; its data table, if any, is also collected for the
# PDF's appendix of figure data (the HTML keeps it in the figure, collapsed).
_FIGURE_OPEN = '<figure class="tc-figure">'
_FIGURE_LABEL = '<span class="tc-fignum">Figure.</span>'
_FIGURE_TITLE = re.compile(r'<span class="tc-fignum">[^<]*</span> ([^<]*)</figcaption>')
_FIGURE_DATA = re.compile(
    r'<details class="tc-figdata"><summary>[^<]*</summary>(.*?)</details>', re.S
)
FIGURE_DATA_SUMMARY = "The data in {figure}, as a table"


def _number_figures(text: str, numbered: list[dict]) -> str:
    """Number every figure in an output's HTML after those in ``numbered``, recording each
    (number, anchor, title, data table or '') there."""
    pieces = text.split(_FIGURE_OPEN)
    for i in range(1, len(pieces)):
        n = len(numbered) + 1
        piece = pieces[i].replace(_FIGURE_LABEL, f'<span class="tc-fignum">Figure {n}.</span>', 1)
        title = _FIGURE_TITLE.search(piece)
        data = _FIGURE_DATA.search(piece)
        if data:
            summary = FIGURE_DATA_SUMMARY.format(figure=f"Figure {n}")
            piece = piece.replace(
                data.group(0),
                f'<details class="tc-figdata"><summary>{summary}</summary>{data.group(1)}'
                "</details>",
                1,
            )
        numbered.append(
            {
                "number": n,
                "anchor": f"figure-{n}",
                "title": html.unescape(title.group(1)) if title else "",
                "table": data.group(1) if data else "",
            }
        )
        pieces[i] = f'<figure class="tc-figure" id="figure-{n}">' + piece
    return "".join(pieces)


def _part(path: Path) -> str:
    """Where a notebook goes: ``front`` (numbered 00: before the contents, unnumbered),
    ``appendix`` (90 and up: after methodology and provenance, lettered), else ``body``."""
    number = int(Path(path).name[:2]) if Path(path).name[:2].isdigit() else 1
    return "front" if number == FRONT_MATTER else "appendix" if number >= APPENDIX_FROM else "body"


def combine(executed: Sequence[Path]) -> tuple[NotebookNode, list[Heading], dict[str, dict]]:
    """One notebook holding every section's cells, its contents, and each notebook's parameters.

    Parameter cells (the defaults and papermill's injected ones) are left out: the provenance
    section lists the values used instead. Cell metadata is cleared so execution timestamps
    never reach the HTML; the only metadata kept is ours: ``place_before`` on the cell before
    which the template puts the contents (the first after the front matter) or the methodology
    and provenance (the first of the appendices). The contents list the numbered sections
    (``toc``); the appendices' headings are in the notebook's ``appendix_toc`` metadata, and
    ``placed`` says what the cells placed (the template puts the rest where it always did).
    Figures are numbered in the order they appear (``_number_figures``); the data tables of
    those that carry one go to ``figure_data``, the last appendix, which only print shows (on
    screen each table is in its figure, collapsed).
    """
    import nbformat

    combined = nbformat.v4.new_notebook()
    toc: list[Heading] = []
    appendix_toc: list[dict] = []
    placed: list[str] = []
    used: dict[str, dict] = {}
    numbers = {"body": 0, "appendix": 0}
    figures: list[dict] = []
    front_seen = False
    for path in executed:
        part = _part(path)
        section: int | str | None = None
        if part != "front":
            numbers[part] += 1
            section = numbers[part] if part == "body" else chr(ord("A") + numbers[part] - 1)
        nb = nbformat.read(path, as_version=4)
        used[Path(path).stem] = dict(nb.metadata.get("papermill", {}).get("parameters", {}))
        counter = [0]
        for cell in nb.cells:
            tags = set(cell.get("metadata", {}).get("tags", []))
            if tags & {PARAMETERS_TAG, INJECTED_TAG}:
                continue
            cell.metadata = {}
            if cell.cell_type == "markdown":
                cell.source, found = _number_headings(cell.source, section, counter)
                if part == "body":
                    toc += found
                elif part == "appendix":
                    appendix_toc += [vars(h) for h in found]
            elif cell.cell_type == "code":
                cell.outputs = _report_outputs(cell)
                for out in cell.outputs:
                    shown = out.get("data", {}).get("text/html")
                    if shown and _FIGURE_OPEN in "".join(shown):
                        out["data"]["text/html"] = _number_figures("".join(shown), figures)
                cell.execution_count = None
                if not cell.outputs:
                    continue
            before = []
            if part != "front" and front_seen and "contents" not in placed:
                before.append("contents")
            if part == "appendix" and "back_matter" not in placed:
                before.append("back_matter")
            if before:
                cell.metadata["place_before"] = before
                placed += before
            combined.cells.append(cell)
            front_seen = front_seen or part == "front"
    figure_data = [f for f in figures if f["table"]]
    if figure_data:  # the PDF's appendix of figure data: the next letter after the notebooks'
        letter = chr(ord("A") + numbers["appendix"])
        title = f"Appendix {letter}. Data behind the figures"
        anchor = f"appendix-{letter.lower()}"
        appendix_toc.append({**vars(Heading(2, anchor, title)), "print_only": True})
        combined.metadata["figure_data"] = {
            "anchor": anchor,
            "title": title,
            "figures": figure_data,
        }
    combined.metadata["title"] = REPORT_TITLE
    combined.metadata["appendix_toc"] = appendix_toc
    combined.metadata["placed"] = placed
    return combined, toc, used


# --- HTML and PDF ----------------------------------------------------------------------------


def render_html(combined: NotebookNode, toc: list[Heading], prov: dict) -> str:
    """The whole report as one self-contained HTML page (our template, no code, no scripts).

    The page is rendered, its text checked against the report's fonts, and, when it holds
    characters of a font readers may lack (Hangul), rendered again with that font's subset
    embedded (``fonts.font_face_css``). Text no font covers fails the build, naming the
    script and what to install.
    """
    page = _render_page(combined, toc, prov, font_css="")
    font_css = fonts.font_face_css(fonts.page_text(page))  # fonts.MissingFontError: not covered
    return _render_page(combined, toc, prov, font_css) if font_css else page


def _render_page(combined: NotebookNode, toc: list[Heading], prov: dict, font_css: str) -> str:
    """The page from our template, with ``font_css`` (``@font-face`` rules) before our CSS."""
    from nbconvert import HTMLExporter

    template_dir = TEMPLATES_DIR / TEMPLATE_NAME
    section = max((int(h.anchor[1:].split("-")[0]) for h in toc if h.level == 2), default=0)
    exporter = HTMLExporter(
        template_name=TEMPLATE_NAME,
        extra_template_basedirs=[str(TEMPLATES_DIR)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        anchor_link_text="",
    )
    resources = {
        "report": {
            "title": REPORT_TITLE,
            "toc": toc,
            "methodology_section": section + 1,
            "provenance_section": section + 2,
            "methodology": (template_dir / "methodology.md")
            .read_text(encoding="utf-8")
            .replace("{{ sample }}", prov["sample"]),
            "css": (template_dir / "report.css").read_text(encoding="utf-8"),
            "font_css": font_css,
            "provenance": prov,
        }
    }
    body, _ = exporter.from_notebook_node(combined, resources=resources)
    return body


# A tagged PDF (a structure tree: headings, paragraphs, lists, tables, figures, reading order)
# lets a screen reader and reflow read the PDF as the HTML reads; WeasyPrint's ``pdf_tags``.
PDF_OPTIONS = {"pdf_tags": True}


def write_pdf(html_text: str, target: Path) -> None:
    """Print the HTML to a tagged PDF with WeasyPrint (system Pango, nothing downloaded).

    The fetcher accepts inline ``data:`` URLs only and fails on anything else, so a stray
    external reference breaks the build instead of reaching for the network.
    """
    with warnings.catch_warnings():  # a notice that libharfbuzz-subset is absent (fonttools used)
        warnings.simplefilter("ignore", DeprecationWarning)
        import weasyprint
        from weasyprint.urls import URLFetcher

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    fetcher = URLFetcher(allowed_protocols={"data"}, fail_on_errors=True)
    weasyprint.HTML(string=html_text, url_fetcher=fetcher).write_pdf(target, **PDF_OPTIONS)


def build(
    executed: Sequence[Path],
    html_path: Path | None = None,
    pdf_path: Path | None = None,
    raw_dir: Path | None = None,
    params_file: Path | None = None,
    on_done: Callable[[str, float], None] | None = None,
) -> tuple[Path, Path]:
    """Join the executed notebooks into the HTML and PDF report, replacing both together.

    First ``provenance.check_processed``: the notebooks must all have read the current build of
    processed data, still matching ``raw_dir``; the provenance lists that build's inputs. The
    paths default to the canonical report's and data/raw/ (``config``, read now).
    ``on_done(stage, seconds)`` is told each stage as it ends (the PDF alone takes seconds).
    """
    clock = _Stages(on_done)
    html_path = Path(html_path or config.REPORT_HTML)
    pdf_path = Path(pdf_path or config.REPORT_PDF)
    raw_dir = Path(raw_dir or config.RAW_DIR)
    missing = [config.display_path(p) for p in executed if not Path(p).is_file()]
    if missing:
        raise ReportError(f"executed notebook missing: {', '.join(missing)} (run execute first)")
    data = provenance.check_processed(executed, raw_dir)
    combined, toc, used = combine(executed)
    html_text = render_html(combined, toc, provenance.collect(data, params_file, used))
    clock.done("checked the data and joined the notebooks into HTML")
    with contextlib.ExitStack() as stack:  # renamed in reverse: the PDF, then the HTML
        tmp_html = stack.enter_context(atomic.atomic_path(html_path))
        stack.push(atomic.kill_point_on_success("report-renames"))  # crash tests only
        tmp_pdf = stack.enter_context(atomic.atomic_path(pdf_path))
        tmp_html.write_text(html_text, encoding="utf-8")
        write_pdf(html_text, tmp_pdf)
    clock.done("wrote the PDF")
    return html_path, pdf_path


class _Stages:
    """Times the stages of one build for ``on_done``: each stage from the end of the last."""

    def __init__(self, on_done: Callable[[str, float], None] | None) -> None:
        self.on_done = on_done
        self.start = time.perf_counter()

    def done(self, stage: str) -> None:
        now = time.perf_counter()
        if self.on_done is not None:
            self.on_done(stage, now - self.start)
        self.start = now
