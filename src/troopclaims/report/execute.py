"""Run the report's notebooks with papermill: their parameters, their execution, their record.

``execute`` runs one notebook into ``reports/executed/`` (``execute_all``: several at once, each
sharing a few kernels); ``report`` then joins the executed notebooks into the HTML and PDF report.

Parameters come from a YAML file (``load_params``): top-level names apply to every notebook that
declares them, a key named after a notebook holds that notebook's own, and a name no notebook
declares is refused (``parameters_for``).

Each executed notebook records (in its metadata, ``RECORD_KEY``) which build of data/processed/
it read: the folder and the SHA-256 of its sources.json (``manifest``). ``report.build`` checks
that every notebook read the same, still current build (``provenance.check_processed``).

A failure names the notebook and the cell (as numbered in the source notebook) and the
exception, without the traceback: ``ReportError``. The output is written to a temporary file
and renamed into place, so a failed run leaves the previous executed notebook untouched, and
nothing of the execution (timings, kernel ids, cell timestamps) reaches the report.
"""

from __future__ import annotations

import ast
import datetime as dt
import functools
import time
import unicodedata
import warnings
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import NoReturn

from troopclaims import atomic, config
from troopclaims.errors import TroopclaimsError, UsageError
from troopclaims.escaping import for_terminal
from troopclaims.store import manifest

# The parameter naming the processed data a notebook reads, and the metadata key under which an
# executed notebook records which build of it that was (``execute``; checked by ``build``).
PROCESSED_PARAM = "processed_dir"
RECORD_KEY = "troopclaims"
# Tells the kernel to keep its start-up chatter (an unencrypted-TCP notice) out of our output.
KERNEL_ARGS = ["--IPKernelApp.log_level=CRITICAL"]


class ReportError(TroopclaimsError):
    """A report step failed for a reason the user can act on; the message says which and where."""


# --- Parameters ------------------------------------------------------------------------------


def source_notebooks(notebooks_dir: Path | None = None) -> list[Path]:
    """The report's notebooks (of ``config.NOTEBOOKS_DIR`` unless given), in section order
    (``NN-description.ipynb``)."""
    return sorted(Path(notebooks_dir or config.NOTEBOOKS_DIR).glob("[0-9][0-9]-*.ipynb"))


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

    The file comes from a user and its values are pasted into every notebook, so its cost is
    bounded before anything is built from it (``_check_events``): YAML's aliases let a few
    hundred bytes expand to gigabytes ("billion laughs") or to a cycle, so an alias or anchor is
    refused, not expanded; sizes, node counts, depth and scalar lengths have limits.
    """
    if path is None or not str(path):
        return {}
    import yaml

    path = Path(path)
    shown = config.display_path(path) if not _has_control(str(path)) else repr(str(path))
    text = _read_params_text(path, shown)
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: same rules
    try:
        _check_events(yaml.parse(text, Loader=loader), shown)
        data = yaml.load(text, Loader=loader)  # a safe loader; no alias reaches it
    except yaml.YAMLError as exc:
        raise ReportError(
            f"cannot read parameters file {shown}: {for_terminal(exc, MAX_ECHO_CHARS)}"
        ) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ReportError(f"{shown}: expected a mapping of parameter names")
    return {str(name): _plain(value, str(name), shown) for name, value in data.items()}


# Bounds on a parameters file: a real one is a handful of lines, so each limit is far above use
# and far below what could cost time or memory (papermill writes every value into 5 notebooks).
MAX_PARAMS_BYTES = 64 * 1024
MAX_PARAM_NODES = 1_000  # scalars, lists and mappings, keys included
MAX_PARAM_DEPTH = 8  # nested lists / mappings
MAX_PARAM_CHARS = 4_096  # one scalar (key or value); also below int()'s 4,300-digit limit
# What an error message quotes of a user's input (a value, a cell's line, an exception).
MAX_ECHO_CHARS = 300
# Parameters that name a file or folder: checked by ``check_paths``.
PATH_SUFFIXES = ("_dir", "_path", "_file")


def _has_control(text: str) -> bool:
    """Whether ``text`` holds a control character (a line break pasted into a path, an ESC)."""
    return any(unicodedata.category(c) == "Cc" for c in text)


def _read_params_text(path: Path, shown: str) -> str:
    """The file's text, read without following it into a FIFO or a device and without reading
    more than ``MAX_PARAMS_BYTES`` (+1, to tell a file at the limit from a longer one)."""
    import os
    import stat

    if _has_control(str(path)):
        raise UsageError(
            f"PARAMS {shown} holds a control character (line break, tab, escape...): give the "
            "path on one line, as plain text"
        )
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        with os.fdopen(fd, "rb") as fh:
            if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
                raise ReportError(f"parameters file {shown} is not a regular file")
            data = fh.read(MAX_PARAMS_BYTES + 1)
    except OSError as exc:
        raise ReportError(f"cannot read parameters file {shown}: {exc.strerror}") from None
    if len(data) > MAX_PARAMS_BYTES:
        raise ReportError(
            f"parameters file {shown} is over {MAX_PARAMS_BYTES:,} bytes: a parameters file "
            "holds a few names and values"
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ReportError(
            f"cannot read parameters file {shown}: not UTF-8 text "
            f"(byte 0x{exc.object[exc.start]:02x} at offset {exc.start})"
        ) from None


def _check_events(events: Iterable, shown: str) -> None:
    """Refuse, from YAML's event stream (linear in the file, nothing built yet), what would make
    loading it costly: an alias or anchor, too many nodes, too deep a nesting, too long a scalar.

    Why events: composing the document is where an alias expands (``_plain`` would copy a
    ``&a [*b, *b]`` chain into 4.9 GB) or loops (a recursive alias); the parser only reports
    it, one event per node, so the refusal costs no more than reading the file.
    """
    import yaml

    depth = nodes = 0
    for event in events:
        line = event.start_mark.line + 1
        if isinstance(event, yaml.AliasEvent):
            _refuse(shown, line, f"holds the alias *{event.anchor}", refused=True)
        if isinstance(event, yaml.NodeEvent) and event.anchor is not None:
            _refuse(shown, line, f"holds the anchor &{event.anchor}", refused=True)
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_PARAM_DEPTH:
                _refuse(shown, line, f"nests deeper than {MAX_PARAM_DEPTH} levels")
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
        if isinstance(event, yaml.NodeEvent):
            nodes += 1
            if nodes > MAX_PARAM_NODES:
                _refuse(shown, line, f"holds more than {MAX_PARAM_NODES:,} values")
        if isinstance(event, yaml.ScalarEvent) and len(event.value) > MAX_PARAM_CHARS:
            _refuse(
                shown,
                line,
                f"holds a value of {len(event.value):,} characters, over {MAX_PARAM_CHARS:,}",
            )


def _refuse(shown: str, line: int, what: str, refused: bool = False) -> NoReturn:
    """One located refusal of a parameters file: file, line, what it holds, and the rule
    (``refused``: the rule on anchors and aliases, else the one on sizes)."""
    rule = (
        "YAML anchors and aliases are refused, not expanded (a few bytes of them can expand "
        "to gigabytes, or loop): write each value out"
        if refused
        else "a parameters file holds a few plain names and values"
    )
    raise ReportError(f"{shown}, line {line}: {what}; {rule}")


# Bidi embeddings, overrides and isolates: they reorder what a reader sees around them. The
# marks a script needs (RLM, LRM, ZWJ, ZWNJ, a soft hyphen) are text and pass.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _hidden(char: str) -> bool:
    """A control character other than a line break or a tab, or a bidi control."""
    return (unicodedata.category(char) == "Cc" and char not in "\n\t") or char in _BIDI_CONTROLS


def _plain(value: object, name: str, shown: str) -> object:
    """``value`` as papermill can inject it and record it (JSON types), dates as ISO strings.

    YAML reads an unquoted ``2024-10-18`` as a date, which papermill cannot store in the
    notebook's metadata; the notebooks take dates as ISO strings, so it becomes one. Anything
    else outside JSON (``!!binary``, ``!!set``) is refused by name. (Depth and size were bounded
    by ``_check_events``: the recursion is at most ``MAX_PARAM_DEPTH`` deep.)
    """
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, str) and any(_hidden(c) for c in value):
        # drawn into charts by matplotlib, which no escaping reaches: a BEL breaks the SVG, a
        # bidi override reorders a label
        raise ReportError(
            f"{shown}: parameter {for_terminal(repr(name), MAX_ECHO_CHARS)} holds a control or "
            f"bidi control character: {for_terminal(value, MAX_ECHO_CHARS)}"
        )
    if value is None or isinstance(value, str | bool | int | float):
        return value
    if isinstance(value, list):
        return [_plain(item, name, shown) for item in value]
    if isinstance(value, dict):
        return {str(k): _plain(v, f"{name}.{k}", shown) for k, v in value.items()}
    raise ReportError(
        f"{shown}: parameter {for_terminal(repr(name), MAX_ECHO_CHARS)} has a value of type "
        f"{type(value).__name__}; use a string, number, boolean, list or mapping"
    )


def check_paths(params: dict, shown: str = "parameters") -> None:
    """Refuse a path parameter (``*_dir``, ``*_path``, ``*_file``; global or a notebook's own)
    that leads into data/raw/ or out of the project.

    Why: notebooks write figures and tables into ``output_dir``; pointed at data/raw/ they
    wrote files the next ``make report`` adopted as raw inputs, into sources.json and the
    report's provenance. Paths are resolved as the notebooks resolve them (from the project
    root), ``..`` and symlinks included, so no spelling leads around the rule.
    """
    for name, value in _path_params(params):
        if value == "":
            continue  # not set: the notebook's default
        if not isinstance(value, str):
            raise ReportError(f"{shown}: parameter {name!r} names a path: give it as a string")
        _check_path(name, value, shown)


def _path_params(params: dict) -> list[tuple[str, object]]:
    """``(name, value)`` of every path parameter: global ones and those under a notebook's key."""
    found = []
    for name, value in params.items():
        if isinstance(value, dict):
            found += [(f"{name}.{k}", v) for k, v in value.items() if k.endswith(PATH_SUFFIXES)]
        elif name.endswith(PATH_SUFFIXES):
            found.append((name, value))
    return found


def _check_path(name: str, value: str, shown: str) -> None:
    """Refuse one path parameter outside the project (or reports/) or at or under data/raw/,
    and an output folder (``output*``) anywhere under data/ (data/processed/ is the package
    ``process`` writes whole: a report's figures there would be shipped as data)."""
    path = Path(value)
    quoted = for_terminal(repr(value), MAX_ECHO_CHARS)
    try:
        resolved = (path if path.is_absolute() else config.ROOT / path).resolve()
    except (ValueError, OSError) as exc:  # a NUL byte, a name too long for the system
        raise ReportError(
            f"{shown}: parameter {name} = {quoted}: not a usable path ({exc})"
        ) from None
    raw = config.RAW_DIR.resolve()
    inside = (config.ROOT.resolve(), config.REPORTS_DIR.resolve())
    output = name.rsplit(".", 1)[-1].startswith("output")
    if resolved == raw or resolved.is_relative_to(raw):
        why = (
            "it leads into data/raw/, which only `troopclaims ingest` writes (files written "
            "there would be taken for raw data)"
        )
    elif output and config.inside_data(resolved):
        why = (
            "an output folder under data/, which only ingest and process write (give a folder "
            "under reports/)"
        )
    elif not any(resolved.is_relative_to(folder) for folder in inside):
        why = "it leads out of the project: give a folder inside it (reports/... for outputs)"
    else:
        return
    raise ReportError(f"{shown}: parameter {name} = {quoted}: {why}")


def read_params(path: Path | None) -> dict:
    """``load_params`` for a user's file, its path parameters checked (``check_paths``): what
    the command line reads."""
    params = load_params(path)
    if params:
        check_paths(params, config.display_path(Path(path)))
    return params


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
            value = {} if value is None else value  # a section of comments only: its defaults
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
    # A cell's line may carry a whole parameter value (papermill's injected cell): each is cut.
    shown = "\n    ".join(for_terminal(line, MAX_ECHO_CHARS) for line in lines[:4])
    return position, shown + ("\n    ..." if len(lines) > 4 else "")


def execute(
    notebook: Path,
    output: Path,
    parameters: dict,
    failed_dir: Path | None = None,
    kernel: SharedKernel | None = None,
) -> None:
    """Run ``notebook`` with papermill into ``output``, atomically; raise ReportError on failure.

    The message names the notebook, the cell (as numbered in the source notebook) when it is
    known, and the exception, without the traceback. Whatever stops the run (an exception in a
    cell, a kernel that dies or never starts, a timeout, an unwritable output) is reported the
    same way; when a cell raised, the failed copy, traceback included, is kept in
    ``failed_dir`` for whoever needs it.

    The output records which build of processed data the notebook read (``processed_record``);
    if that build was replaced while the notebook ran, the run fails and nothing is written.
    ``kernel``: run in that shared kernel (``execute_all``) rather than in a kernel of its own.
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
        shared = {"km": kernel.fresh()} if kernel is not None else {}
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
                    **shared,
                )
            except PapermillExecutionError as err:
                position, first = _failed_cell(notebook, err.source, err.cell_index)
                kept = failed_dir / notebook.name
                atomic.write_bytes(kept, tmp.read_bytes())
                raise ReportError(
                    f"{shown}: cell {position} failed with {err.ename}: "
                    f"{for_terminal(err.evalue, MAX_ECHO_CHARS)}\n"
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
    first = for_terminal(lines[0], MAX_ECHO_CHARS) if lines else "no message"
    return f"{type(err).__name__}: {first}"


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


class SharedKernel:
    """One kernel that runs several notebooks one after the other, each in a fresh namespace.

    A kernel's start and its imports (pandas, matplotlib) were most of what a short notebook
    cost: five notebooks in five kernels spent ~6.5 s of CPU on them. Sharing keeps what is
    shared anyway (imported modules) and nothing a notebook defines: ``%reset -f`` empties the
    namespace before each notebook, so one that uses a name it never defined still fails, as
    it would in JupyterLab. A kernel that died is replaced, so it sinks only its own notebook.
    """

    def __init__(self) -> None:
        self.km = None

    def fresh(self):
        """The kernel manager, its kernel alive and its namespace empty (started if need be)."""
        from jupyter_core.utils import run_sync

        if self.km is not None and run_sync(self.km.is_alive)():
            self._reset()
        else:
            self.close()
            self._start()
        return self.km

    def _start(self) -> None:
        from jupyter_client.manager import AsyncKernelManager  # nbclient's own default
        from jupyter_core.utils import run_sync

        km = AsyncKernelManager(kernel_name=config.KERNEL_NAME)
        run_sync(km.start_kernel)(cwd=str(config.ROOT), extra_arguments=KERNEL_ARGS)
        self.km = km

    def _reset(self) -> None:
        import nbformat
        from nbclient import NotebookClient

        # Figures a failed cell left open live in pyplot, not in the namespace: closed too.
        cell = nbformat.v4.new_code_cell(
            "%reset -f\nimport matplotlib.pyplot as _plt\n_plt.close('all')\n%reset -f"
        )
        client = NotebookClient(nbformat.v4.new_notebook(cells=[cell]), km=self.km)
        client.execute()
        client.kc.stop_channels()  # a client per reset: its sockets are not left open

    def close(self) -> None:
        """Shut the kernel down (now: nothing of it is kept)."""
        from jupyter_core.utils import run_sync

        if self.km is not None and self.km.has_kernel:
            run_sync(self.km.shutdown_kernel)(now=True)
        self.km = None


def execute_all(
    notebooks: Sequence[Path],
    executed_dir: Path,
    params: dict,
    every_notebook: Sequence[Path] | None = None,
    jobs: int | None = None,
    on_done: Callable[[Path, float], None] | None = None,
) -> list[Path]:
    """Execute several notebooks on ``jobs`` shared kernels at once (default: one per CPU core,
    never more than notebooks); return their outputs.

    Every notebook runs even when one fails, so one build reports every broken notebook, in
    the notebooks' order. ``on_done(output, seconds)`` is called as each one succeeds (from
    its kernel's thread), so a build of a minute says what it has done meanwhile.
    """
    import os
    from concurrent.futures import ThreadPoolExecutor

    every = list(every_notebook or notebooks)
    outputs = [Path(executed_dir) / Path(nb).name for nb in notebooks]
    plans = [parameters_for(Path(nb), params, every) for nb in notebooks]
    runs = list(zip((Path(nb) for nb in notebooks), outputs, plans, strict=True))
    kernels = max(1, min(len(runs), jobs or os.cpu_count() or 1))
    with ThreadPoolExecutor(max_workers=kernels) as pool:
        failures = pool.map(
            _run_in_one_kernel, [runs[i::kernels] for i in range(kernels)], [on_done] * kernels
        )
    errors = sorted((runs.index(run), message) for group in failures for run, message in group)
    if errors:
        raise ReportError("\n".join(message for _, message in errors))
    return outputs


def _run_in_one_kernel(
    runs: list[tuple[Path, Path, dict]], on_done: Callable[[Path, float], None] | None = None
) -> list[tuple[tuple, str]]:
    """Run ``runs`` one after the other on one shared kernel; return each failure's message.
    The first notebook's time includes the kernel's start."""
    kernel = SharedKernel()
    failures = []
    try:
        for run in runs:
            start = time.perf_counter()
            try:
                execute(*run, kernel=kernel)
            except ReportError as err:
                failures.append((run, str(err)))
                continue
            if on_done is not None:
                on_done(run[1], time.perf_counter() - start)
    finally:
        kernel.close()
    return failures
