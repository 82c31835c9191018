"""Execute the notebooks with papermill and publish them as one HTML and one PDF report.

Two steps, so Make can rebuild only what changed: ``execute`` runs a notebook into
``reports/executed/`` (one per changed notebook, concurrently under ``make -j``), ``build`` joins
the executed notebooks into one document (title, contents, the sections, methodology,
provenance) with our own nbconvert template, then prints it to PDF with WeasyPrint.

Each executed notebook records (in its metadata, ``RECORD_KEY``) which build of data/processed/
it read: the folder and the SHA-256 of its sources.json (``manifest``). ``build`` assembles only
notebooks that all read the same build, and only while that build is still the current one and
still matches the raw data it was built from; otherwise it refuses, saying to run ``make report``.
Its provenance lists the raw files (and SHA-256) that build's sources.json records, so it names
exactly what the analysis read, never a drop that landed after the notebooks ran. The
``execute`` and ``build`` steps each take the data lock (shared) on their own, which is why
``build`` checks instead of trusting that nothing happened in between.

Every output is written to a temporary file and renamed into place, so a failed step leaves the
previous report untouched. The HTML is byte-identical between two builds of the same inputs when
``SOURCE_DATE_EPOCH`` is set: nothing in it comes from the clock, the random generator or the
execution (timings, kernel ids, cell timestamps are all left out).
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import datetime as dt
import functools
import html
import importlib.metadata
import logging
import re
import subprocess
import sys
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from troopclaims import atomic, config, fonts, manifest

if TYPE_CHECKING:
    from nbformat import NotebookNode

# jsonschema imports rfc3987_syntax when it is installed (jupyter-events pulls it in), which
# compiles a grammar for 1.2 s on every import of nbformat; the notebook schema never uses the
# 'iri' formats it serves. Declaring it absent costs nothing and saves that in every build step.
sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]

TEMPLATES_DIR = config.PACKAGE_DIR / "templates"
TEMPLATE_NAME = "report"
REPORT_TITLE = "How the news reported North Korea's troop deployment to Russia (October 2024)"
PARAMETERS_TAG = "parameters"
INJECTED_TAG = "injected-parameters"
# The parameter naming the processed data a notebook reads, and the metadata key under which an
# executed notebook records which build of it that was (``execute``; checked by ``build``).
PROCESSED_PARAM = "processed_dir"
RECORD_KEY = "troopclaims"
RUN_REPORT = (
    "run `make report` (it runs `troopclaims process`, then the notebooks again; without make: "
    "`troopclaims process`, then `troopclaims report`)"
)
# Tells the kernel to keep its start-up chatter (an unencrypted-TCP notice) out of our output.
KERNEL_ARGS = ["--IPKernelApp.log_level=CRITICAL"]
PACKAGES = (
    "troopclaims",
    "pandas",
    "numpy",
    "pyarrow",
    "matplotlib",
    "great_expectations",
    "text2num",  # the figure reader's libraries: what a quote was read as depends on them
    "num2words",
    "babel",
    "papermill",
    "nbclient",
    "nbconvert",
    "nbformat",
    "ipykernel",
    "weasyprint",
    "pydyf",
    "fonttools",  # the Hangul subset embedded in the report
    "koreanize-matplotlib",  # carries the NanumGothic font file
)


class ReportError(Exception):
    """A build step failed for a reason the user can act on; the message says which and where."""


# --- Parameters ------------------------------------------------------------------------------


def source_notebooks(notebooks_dir: Path = config.NOTEBOOKS_DIR) -> list[Path]:
    """The report's notebooks, in section order (``NN-description.ipynb``)."""
    return sorted(Path(notebooks_dir).glob("[0-9][0-9]-*.ipynb"))


def declared_parameters(notebook: Path) -> dict[str, object]:
    """The names in a notebook's ``parameters`` cell, with each default as written (source)."""
    import papermill

    return {name: spec["default"] for name, spec in papermill.inspect_notebook(notebook).items()}


def load_params(path: Path | None) -> dict:
    """Read a params YAML: top-level names apply to every notebook that declares them, and a
    top-level key named after a notebook (``03-response-timing``) holds that notebook's own.

    No file, or an empty or comment-only one (Make always passes one), means the defaults. The
    file is read once, here, so anything wrong with it (unreadable, not UTF-8, not YAML, not a
    mapping, a value papermill cannot pass on) is one ``ReportError`` naming the file.
    """
    if path is None or not str(path):
        return {}
    import yaml

    path = Path(path)
    shown = config.display_path(path)
    try:
        text = path.read_bytes().decode("utf-8")
        data = yaml.safe_load(text)
    except UnicodeDecodeError as exc:
        raise ReportError(
            f"cannot read parameters file {shown}: not UTF-8 text "
            f"(byte 0x{exc.object[exc.start]:02x} at offset {exc.start})"
        ) from None
    except (OSError, yaml.YAMLError) as exc:
        raise ReportError(f"cannot read parameters file {shown}: {exc}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ReportError(f"{shown}: expected a mapping of parameter names")
    return {str(name): _plain(value, str(name), shown) for name, value in data.items()}


def _plain(value: object, name: str, shown: str) -> object:
    """``value`` as papermill can inject it and record it (JSON types), dates as ISO strings.

    YAML reads an unquoted ``2024-10-18`` as a date, which papermill cannot store in the
    notebook's metadata; the notebooks take dates as ISO strings, so it becomes one. Anything
    else outside JSON (``!!binary``, ``!!set``) is refused by name.
    """
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if value is None or isinstance(value, str | bool | int | float):
        return value
    if isinstance(value, list):
        return [_plain(item, name, shown) for item in value]
    if isinstance(value, dict):
        return {str(k): _plain(v, f"{name}.{k}", shown) for k, v in value.items()}
    raise ReportError(
        f"{shown}: parameter {name!r} has a value of type {type(value).__name__}; "
        "use a string, number, boolean, list or mapping"
    )


def parameters_for(notebook: Path, params: dict, notebooks: Sequence[Path]) -> dict:
    """The parameters to inject into ``notebook``: global ones it declares, then its own.

    A name no notebook declares is a typo that would otherwise be ignored silently, so it fails.
    """
    stems = {nb.stem for nb in notebooks}
    declared = declared_parameters(notebook)
    every = set().union(*(declared_parameters(nb) for nb in notebooks)) if notebooks else set()
    chosen: dict = {}
    for name, value in params.items():
        if name in stems:
            if not isinstance(value, dict):
                raise ReportError(f"parameters for {name} must be a mapping of names to values")
            if name != notebook.stem:
                continue
            unknown = set(value) - set(declared)
            if unknown:
                raise ReportError(
                    f"{notebook.name} declares no parameter {', '.join(sorted(unknown))} "
                    f"(it has: {', '.join(declared)})"
                )
            chosen.update(value)
        elif name not in every:
            raise ReportError(f"no notebook declares a parameter named {name!r}")
        elif name in declared:
            chosen.setdefault(name, value)
    return chosen


# --- Executing notebooks ---------------------------------------------------------------------


def _failed_cell(source: Path, failed_source: str, cell_index: int) -> tuple[int, str]:
    """The failing cell's 1-based position in the *source* notebook and its first lines.

    papermill counts cells in the executed copy (which has an injected parameters cell), so the
    cell is found again by its code: that is the position the user sees in JupyterLab.
    """
    import nbformat

    cells = nbformat.read(source, as_version=4).cells
    match = [i for i, cell in enumerate(cells) if cell.source == failed_source]
    position = match[0] + 1 if match else cell_index + 1
    lines = [line for line in failed_source.splitlines() if line.strip()]
    shown = "\n    ".join(lines[:4]) + ("\n    ..." if len(lines) > 4 else "")
    return position, shown


def execute(notebook: Path, output: Path, parameters: dict, failed_dir: Path | None = None) -> None:
    """Run ``notebook`` with papermill into ``output``, atomically; raise ReportError on failure.

    The message names the notebook, the cell (as numbered in the source notebook) when it is
    known, and the exception, without the traceback. Whatever stops the run (an exception in a
    cell, a kernel that dies or never starts, a timeout, an unwritable output) is reported the
    same way; when a cell raised, the failed copy, traceback included, is kept in
    ``failed_dir`` for whoever needs it.

    The output records which build of processed data the notebook read (``processed_record``);
    if that build was replaced while the notebook ran, the run fails and nothing is written.
    """
    import papermill
    from papermill.exceptions import PapermillExecutionError

    warnings.filterwarnings("ignore", "The specified file", UserWarning, "papermill")
    notebook, output = Path(notebook), Path(output)
    failed_dir = Path(failed_dir) if failed_dir else output.parent / "failed"
    shown = config.display_path(notebook)
    try:
        processed = processed_dir_of(notebook, parameters)
        before = manifest.sources_digest(processed) if processed is not None else None
        with atomic.atomic_path(output) as tmp:
            try:
                papermill.execute_notebook(
                    notebook,
                    tmp,
                    parameters=parameters,
                    engine_name=_engine_name(),
                    kernel_name=config.KERNEL_NAME,
                    progress_bar=False,
                    request_save_on_cell_execute=False,
                    cwd=str(config.ROOT),
                    extra_arguments=KERNEL_ARGS,
                    shutdown_kernel="immediate",
                )
            except PapermillExecutionError as err:
                position, first = _failed_cell(notebook, err.source, err.cell_index)
                kept = failed_dir / notebook.name
                atomic.write_bytes(kept, tmp.read_bytes())
                raise ReportError(
                    f"{shown}: cell {position} failed with {err.ename}: {err.evalue}\n"
                    f"  the cell:\n    {first}\n"
                    f"  executed copy with the traceback: {config.display_path(kept)}"
                ) from None
            if processed is not None and manifest.sources_digest(processed) != before:
                raise ReportError(
                    f"{shown}: {config.display_path(processed)}/ was rebuilt while it ran (an "
                    "ingest or `troopclaims process` meanwhile), so its output mixes two builds: "
                    "run it again"
                )
            _stamp(tmp, processed_record(processed, before))
    except ReportError:
        raise
    except _CellRunError as err:
        position, first = _failed_cell(notebook, err.source, err.cell_index)
        raise ReportError(
            f"{shown}: cell {position} failed with {_describe(err.cause)}\n  the cell:\n    {first}"
        ) from None
    except Exception as err:  # every failure, whatever its type, must name its notebook
        raise ReportError(f"{shown}: failed with {_describe(err)}") from None
    (failed_dir / notebook.name).unlink(missing_ok=True)


def processed_dir_of(notebook: Path, parameters: dict) -> Path | None:
    """The processed data folder ``notebook`` reads with ``parameters`` (as the notebook resolves
    it: from the project root), or None when it declares no ``processed_dir``."""
    if PROCESSED_PARAM in parameters:
        value = parameters[PROCESSED_PARAM]
    else:
        declared = declared_parameters(notebook)
        if PROCESSED_PARAM not in declared:
            return None
        try:
            value = ast.literal_eval(str(declared[PROCESSED_PARAM]))
        except (ValueError, SyntaxError):
            raise ReportError(
                f"{config.display_path(notebook)}: the default of {PROCESSED_PARAM} is not a "
                "plain string"
            ) from None
    return config.ROOT / str(value)


def processed_record(processed: Path | None, digest: str | None) -> dict:
    """What an executed notebook records about the processed data it read: the folder and the
    SHA-256 of its sources.json at the time (both None for a notebook that reads none)."""
    return {
        "processed_dir": str(Path(processed).resolve()) if processed is not None else None,
        "sources_sha256": digest,
    }


def _stamp(path: Path, record: dict) -> None:
    """Write ``record`` into the executed notebook's metadata (``RECORD_KEY``)."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    nb.metadata[RECORD_KEY] = record
    nbformat.write(nb, path)


def _describe(err: BaseException) -> str:
    """``Type: first line of the message``: enough to act on, without a traceback."""
    lines = [line for line in str(err).splitlines() if line.strip()]
    return f"{type(err).__name__}: {lines[0] if lines else 'no message'}"


class _CellRunError(Exception):
    """An exception that stopped a notebook outside a cell's own code, with the running cell.

    A kernel that dies (``os._exit`` in a cell) or a timeout is not a cell error to papermill,
    so it carries no cell; the engine below adds it, from the cell papermill last started.
    """

    def __init__(self, cause: BaseException, cell_index: int, source: str) -> None:
        super().__init__(str(cause))
        self.cause, self.cell_index, self.source = cause, cell_index, source


@functools.cache
def _engine_name() -> str:
    """Register (once per process) papermill's nbclient engine, extended to locate failures.

    The engine is papermill's own; it only catches what escapes a run (anything that is not a
    cell's exception) and names the cell that was running, the last one papermill started.
    """
    from papermill.engines import NBClientEngine, papermill_engines

    class LocatingEngine(NBClientEngine):
        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, **kwargs):
            try:
                return super().execute_managed_notebook(nb_man, kernel_name, **kwargs)
            except Exception as err:
                started = [
                    i
                    for i, cell in enumerate(nb_man.nb.cells)
                    if cell.get("metadata", {}).get("papermill", {}).get("start_time")
                ]
                if not started:
                    raise
                cell = nb_man.nb.cells[started[-1]]
                raise _CellRunError(err, started[-1], cell.source) from err

    papermill_engines.register("troopclaims", LocatingEngine)
    return "troopclaims"


def execute_all(
    notebooks: Sequence[Path],
    executed_dir: Path,
    params: dict,
    every_notebook: Sequence[Path] | None = None,
    jobs: int = 4,
) -> list[Path]:
    """Execute several notebooks concurrently (each in its own kernel); return their outputs.

    Every notebook runs even when one fails, so one build reports every broken notebook.
    """
    from concurrent.futures import ThreadPoolExecutor

    every = list(every_notebook or notebooks)
    outputs = [Path(executed_dir) / Path(nb).name for nb in notebooks]
    plans = [parameters_for(Path(nb), params, every) for nb in notebooks]
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        futures = [
            pool.submit(execute, Path(nb), out, plan)
            for nb, out, plan in zip(notebooks, outputs, plans, strict=True)
        ]
    errors = [str(f.exception()) for f in futures if f.exception() is not None]
    if errors:
        raise ReportError("\n".join(errors))
    return outputs


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
    """The outputs a reader should see: no stderr noise, no execution counts."""
    kept = []
    for out in cell.get("outputs", []):
        if out.get("output_type") == "stream" and out.get("name") == "stderr":
            continue
        out.pop("execution_count", None)
        kept.append(out)
    return kept


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
    """
    import nbformat

    combined = nbformat.v4.new_notebook()
    toc: list[Heading] = []
    appendix_toc: list[dict] = []
    placed: list[str] = []
    used: dict[str, dict] = {}
    numbers = {"body": 0, "appendix": 0}
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
    combined.metadata["title"] = REPORT_TITLE
    combined.metadata["appendix_toc"] = appendix_toc
    combined.metadata["placed"] = placed
    return combined, toc, used


# --- Provenance ------------------------------------------------------------------------------


def input_files(raw_dir: Path, extra: Sequence[Path] = ()) -> list[dict[str, str]]:
    """Every input file with its SHA-256: the real raw files of ``raw_dir`` (drops included;
    never the hidden leftovers of an interrupted ingest, ``manifest.raw_files``), then ``extra``."""
    files = manifest.raw_files(Path(raw_dir))
    files += [Path(p) for p in extra if p and Path(p).is_file()]
    return input_files_of(files)


def _git(*args: str) -> str | None:
    """Output of a git command in the project root, or None outside a git checkout."""
    try:
        done = subprocess.run(
            ["git", *args], cwd=config.ROOT, capture_output=True, text=True, check=True
        )
    except (OSError, subprocess.CalledProcessError):
        return None
    return done.stdout.strip()


def git_state() -> dict[str, str]:
    """The commit the report was built from, and whether the work tree differed from it."""
    commit = _git("rev-parse", "HEAD")
    if commit is None:
        return {"commit": "unknown (not a git checkout)", "dirty": "unknown"}
    status = _git("status", "--porcelain", "--untracked-files=no")
    return {"commit": commit, "dirty": "yes" if status else "no"}


def build_date() -> str:
    """UTC build time, from SOURCE_DATE_EPOCH when set so rebuilds are byte-identical.

    A malformed SOURCE_DATE_EPOCH raises ``config.ConfigError`` (reported as one line).
    """
    when = config.source_date_epoch() or dt.datetime.now(tz=dt.UTC).replace(microsecond=0)
    return when.strftime("%Y-%m-%d %H:%M:%S UTC")


def package_versions() -> list[tuple[str, str]]:
    """Versions of Python and of the packages that shape the numbers and the document."""
    versions = [("python", sys.version.split()[0])]
    for name in PACKAGES:
        try:
            versions.append((name, importlib.metadata.version(name)))
        except importlib.metadata.PackageNotFoundError:
            versions.append((name, "not installed"))
    return versions


def build_inputs(data: manifest.Build | None, extra: Sequence[Path] = ()) -> list[dict[str, str]]:
    """The inputs of the processed build the notebooks read, as its sources.json records them:
    every raw file with the SHA-256 it had when processed (``check_processed`` has verified
    that data/raw/ still holds exactly these), then that sources.json itself (the SHA-256 that
    names the build), then ``extra``. None (no notebook read processed data): ``extra`` only."""
    rows = []
    if data is not None:
        for rel, digest in data.raw.items():
            path = Path(data.raw_dir or ".") / rel  # raw is empty when raw_dir is None
            size = path.stat().st_size if path.is_file() else "unknown"
            rows.append({"path": config.display_path(path), "sha256": digest, "bytes": str(size)})
        rows.append(
            {
                "path": config.display_path(data.sources),
                "sha256": data.digest,
                "bytes": str(data.size),
            }
        )
    return rows + input_files_of([Path(p) for p in extra if p and Path(p).is_file()])


def input_files_of(files: Sequence[Path]) -> list[dict[str, str]]:
    """``files`` as provenance rows: path, SHA-256 and size, read now."""
    return [
        {
            "path": config.display_path(p),
            "sha256": atomic.sha256_file(p),
            "bytes": str(Path(p).stat().st_size),
        }
        for p in files
    ]


def provenance(
    inputs: manifest.Build | Path | None, params_file: Path | None, used: dict[str, dict]
) -> dict:
    """What the report was built from: inputs, code version, environment, parameters, date.

    ``inputs`` is the processed build the notebooks read (``check_processed``; its recorded raw
    files are listed, ``build_inputs``), or None when none read any. A folder instead lists the
    real files in it now (``input_files``): only for rendering a page without a processed
    build, as the template's tests do; ``build`` always passes the build.
    """
    extra = [params_file] if params_file else []
    return {
        "inputs": (
            input_files(inputs, extra) if isinstance(inputs, Path) else build_inputs(inputs, extra)
        ),
        "git": git_state(),
        "packages": package_versions(),
        "build_date": build_date(),
        "parameters": [
            (stem, ", ".join(f"{k} = {v!r}" for k, v in sorted(vals.items())) or "defaults")
            for stem, vals in used.items()
        ],
        "epoch": "SOURCE_DATE_EPOCH" if config.source_date_epoch() else "clock",
    }


# --- HTML and PDF ----------------------------------------------------------------------------


def render_html(combined: NotebookNode, toc: list[Heading], prov: dict) -> str:
    """The whole report as one self-contained HTML page (our template, no code, no scripts).

    The page is rendered, its text checked against the report's fonts, and, when it holds
    characters of a font readers may lack (Hangul), rendered again with that font's subset
    embedded (``fonts.font_face_css``). Text no font covers fails the build, naming the
    script and what to install.
    """
    page = _render_page(combined, toc, prov, font_css="")
    try:
        font_css = fonts.font_face_css(fonts.page_text(page))
    except fonts.MissingFontError as err:
        raise ReportError(str(err)) from None
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
            "methodology": (template_dir / "methodology.md").read_text(encoding="utf-8"),
            "css": (template_dir / "report.css").read_text(encoding="utf-8"),
            "font_css": font_css,
            "provenance": prov,
        }
    }
    body, _ = exporter.from_notebook_node(combined, resources=resources)
    return body


def write_pdf(html_text: str, target: Path) -> None:
    """Print the HTML to PDF with WeasyPrint (system Pango, nothing downloaded).

    The fetcher accepts inline ``data:`` URLs only and fails on anything else, so a stray
    external reference breaks the build instead of reaching for the network.
    """
    with warnings.catch_warnings():  # a notice that libharfbuzz-subset is absent (fonttools used)
        warnings.simplefilter("ignore", DeprecationWarning)
        import weasyprint
        from weasyprint.urls import URLFetcher

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    fetcher = URLFetcher(allowed_protocols={"data"}, fail_on_errors=True)
    weasyprint.HTML(string=html_text, url_fetcher=fetcher).write_pdf(target)


def check_processed(executed: Sequence[Path], raw_dir: Path) -> manifest.Build | None:
    """The processed build every executed notebook read, once it is known to be current.

    Refused (``ReportError`` naming what to run): a notebook that records no build (executed
    by hand or by an older troopclaims), notebooks that read different builds, a build that has
    been replaced since they ran (an ingest or ``troopclaims process`` in between: its
    sources.json's SHA-256 differs), one that no longer matches data/raw/ (a drop landed since:
    ``manifest.stale_reasons``), and one built from another raw folder than ``raw_dir`` (the
    folder whose lock the command holds). Processed data written straight from frames (the
    tests' fixtures) records no raw folder and is checked only against its own files.
    Returns None when no notebook reads processed data.
    """
    import nbformat

    read: dict[tuple[str, str | None], list[str]] = {}
    for path in executed:
        record = nbformat.read(path, as_version=4).metadata.get(RECORD_KEY)
        shown = config.display_path(path)
        if not isinstance(record, dict) or "processed_dir" not in record:
            raise ReportError(
                f"{shown} does not record which processed data it read (executed by hand or "
                f"by an older troopclaims): {RUN_REPORT}"
            )
        if record["processed_dir"] is not None:
            key = (record["processed_dir"], record.get("sources_sha256"))
            read.setdefault(key, []).append(shown)
    if not read:
        return None
    if len(read) > 1:
        builds = "; ".join(
            f"{', '.join(names)} read {config.display_path(Path(folder))}/ "
            f"(sources.json {(digest or 'missing')[:12]})"
            for (folder, digest), names in sorted(read.items())
        )
        raise ReportError(f"the notebooks read different processed data ({builds}): {RUN_REPORT}")
    ((folder, digest),) = read
    out_dir = Path(folder)
    shown = config.display_path(out_dir)
    reasons = manifest.stale_reasons(out_dir)
    if reasons:
        raise ReportError(
            f"{shown}/, which the notebooks read, is out of date ({'; '.join(reasons)}): "
            f"{RUN_REPORT}"
        )
    try:
        data = manifest.read_build(out_dir)
    except manifest.StaleProcessedError as err:  # replaced since stale_reasons read it
        raise ReportError(f"{err}; then the notebooks again: {RUN_REPORT}") from None
    if data.digest != digest:
        raise ReportError(
            f"{shown}/ was rebuilt after the notebooks ran (an ingest or `troopclaims process` "
            f"in between): they read the build whose sources.json has SHA-256 "
            f"{(digest or 'none')[:12]}, the current one has {data.digest[:12]}: {RUN_REPORT}"
        )
    if data.raw_dir is not None and data.raw_dir.resolve() != Path(raw_dir).resolve():
        raise ReportError(
            f"{shown}/ was built from {config.display_path(data.raw_dir)}/, not from "
            f"{config.display_path(Path(raw_dir))}/ (--raw-dir): build with the raw folder the "
            "notebooks' data came from"
        )
    return data


def build(
    executed: Sequence[Path],
    html_path: Path = config.REPORT_HTML,
    pdf_path: Path = config.REPORT_PDF,
    raw_dir: Path = config.RAW_DIR,
    params_file: Path | None = None,
) -> tuple[Path, Path]:
    """Join the executed notebooks into the HTML and PDF report, replacing both together.

    First ``check_processed``: the notebooks must all have read the current build of processed
    data, still matching ``raw_dir``; the provenance lists that build's inputs.
    """
    missing = [config.display_path(p) for p in executed if not Path(p).is_file()]
    if missing:
        raise ReportError(f"executed notebook missing: {', '.join(missing)} (run execute first)")
    data = check_processed(executed, raw_dir)
    combined, toc, used = combine(executed)
    html_text = render_html(combined, toc, provenance(data, params_file, used))
    with contextlib.ExitStack() as stack:  # renamed in reverse: the PDF, then the HTML
        tmp_html = stack.enter_context(atomic.atomic_path(Path(html_path)))
        stack.push(atomic.kill_point_on_success("report-renames"))  # crash tests only
        tmp_pdf = stack.enter_context(atomic.atomic_path(Path(pdf_path)))
        tmp_html.write_text(html_text, encoding="utf-8")
        write_pdf(html_text, tmp_pdf)
    return Path(html_path), Path(pdf_path)


# --- Command line ----------------------------------------------------------------------------


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``troopclaims report`` options (shared with ``python -m troopclaims.report``)."""
    sub = parser.add_subparsers(dest="step")
    run = sub.add_parser("execute", help="run notebooks with papermill into reports/executed/")
    run.add_argument("notebooks", nargs="+", type=Path, help="source notebooks to execute")
    run.add_argument("--params", type=Path, help="YAML of parameters (global or per notebook)")
    run.add_argument("--executed-dir", type=Path, default=config.EXECUTED_DIR)
    run.add_argument(
        "--jobs", type=int, default=4, help="notebooks executed at once (measured: 4 beats 2)"
    )
    bld = sub.add_parser("build", help="join executed notebooks into report.html and report.pdf")
    bld.add_argument("--executed-dir", type=Path, default=config.EXECUTED_DIR)
    bld.add_argument("--notebooks-dir", type=Path, default=config.NOTEBOOKS_DIR)
    bld.add_argument("--params", type=Path, help="parameters file, listed in provenance")
    bld.add_argument("--html", type=Path, default=config.REPORT_HTML)
    bld.add_argument("--pdf", type=Path, default=config.REPORT_PDF)
    bld.add_argument("--raw-dir", type=Path, default=config.RAW_DIR)


@contextlib.contextmanager
def _errors_to_messages() -> Iterator[None]:
    """Turn build failures into ``ERROR ...`` lines and exit status 1 (no traceback wall)."""
    try:
        yield
    except (ReportError, config.ConfigError, atomic.LockTimeoutError) as err:
        for line in str(err).splitlines():
            print(f"ERROR {line}" if not line.startswith(" ") else line, file=sys.stderr)
        print(
            "report not updated: the previous report.html/report.pdf are intact.", file=sys.stderr
        )
        raise SystemExit(1) from None


def run_command(args: argparse.Namespace) -> int:
    """Dispatch ``report execute``, ``report build``, or both in order when no step is given."""
    with _errors_to_messages():
        step = getattr(args, "step", None)
        # A malformed value fails now, in one line: the build date needs it, and IPython's
        # kernel parses it too (its banner), failing to start with a 60 s timeout instead.
        config.source_date_epoch()
        params_arg = getattr(args, "params", None)
        params = load_params(params_arg)
        params_file = (
            Path(params_arg) if params else None
        )  # provenance lists it when it says something
        raw_dir = Path(getattr(args, "raw_dir", config.RAW_DIR))
        with atomic.locked(raw_dir, exclusive=False):  # no ingest adds a drop meanwhile
            atomic.remove_leftovers(raw_dir / "drops")  # those of a killed ingest
            return _run_step(args, step, params, params_file, raw_dir)


def _run_step(
    args: argparse.Namespace,
    step: str | None,
    params: dict,
    params_file: Path | None,
    raw_dir: Path,
) -> int:
    """Execute and/or build, as ``step`` says (run under the shared data lock)."""
    if step == "execute":
        outputs = execute_all(
            args.notebooks, args.executed_dir, params, source_notebooks(), args.jobs
        )
        for out in outputs:
            print(f"executed {config.display_path(out)}")
        return 0
    notebooks = source_notebooks(getattr(args, "notebooks_dir", config.NOTEBOOKS_DIR))
    executed_dir = getattr(args, "executed_dir", config.EXECUTED_DIR)
    if step is None:
        execute_all(notebooks, executed_dir, params, notebooks)
    executed = [Path(executed_dir) / nb.name for nb in notebooks]
    html_path, pdf_path = build(
        executed,
        getattr(args, "html", config.REPORT_HTML),
        getattr(args, "pdf", config.REPORT_PDF),
        raw_dir,
        params_file,
    )
    print(f"wrote {config.display_path(html_path)} and {config.display_path(pdf_path)}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m troopclaims.report``: the same as ``troopclaims report``."""
    parser = argparse.ArgumentParser(prog="troopclaims report", description=__doc__)
    add_arguments(parser)
    args = parser.parse_args(argv)
    return run_command(args)


if __name__ == "__main__":
    sys.exit(main())
