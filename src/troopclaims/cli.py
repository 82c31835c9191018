"""The ``troopclaims`` command: the stages of the data flow as subcommands, in one parser.

Bad input is the user's to fix, so it ends in located messages and exit code 1, never a
traceback: every such error is a ``TroopclaimsError``, turned into its message and its exit code
by the one handler in ``main``. Exit 2 is for usage errors (argparse's convention, a malformed
setting: ``ConfigError``) and for internal errors, whose traceback ``--debug`` (or
TROOPCLAIMS_DEBUG=1) shows.

The modules a command needs are imported inside it: ``report`` and ``new-drop`` never import
pandas or Great Expectations, so Make can call ``troopclaims report execute`` at no extra cost.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from troopclaims import atomic, config
from troopclaims.checks.verdict import ValidationReport
from troopclaims.errors import TroopclaimsError
from troopclaims.escaping import for_terminal
from troopclaims.problems import FIX_LIST_CAP, DataError, Problem

if TYPE_CHECKING:  # annotations only: pandas is imported by the commands that need it
    import pandas as pd

    from troopclaims.intake.snapshot import Source

DATASET_SUMMARY = ("summary.html", "result.json")
# What a Ctrl-C leaves, per command, when the command did not say more (ingest always does, and
# process does once it writes: ``atomic.Interrupted``).
_INTERRUPTED = {
    "validate": "(validation only reads data/, which is unchanged; a summary is written whole or "
    "not at all)",
    "process": "before data/processed/ was written: it is unchanged",
    # ingest reports its own state; outside it only a refusal's summary is written
    "ingest": "after the drop was refused: data/ is unchanged",
    "new-drop": "(the drop folder was created whole or not at all)",
    "draft": "(claims.draft.csv is the previous or the new version, never half-written)",
    "report": "(report.html and report.pdf are each the previous or the new version, never "
    "half-written; run `make report` to bring both up to date)",
}
# An error's message as printed: each line escaped (``escaping``), and bounded, so an error that
# quotes a large input (a notebook's cell, a parameters file) cannot flood the terminal.
_MAX_ERROR_LINES = 60
_MAX_ERROR_LINE_CHARS = 400
# What a command that failed with a TroopclaimsError left as it was (each writes atomically).
_UNCHANGED = {
    "report": "report not updated: the previous report.html/report.pdf are intact.",
    "new-drop": "no drop folder was created.",
}


def _print_lines(report: ValidationReport, notes_only: bool = False) -> None:
    """A run's problems, one located line each, then its verdict line; ``notes_only``: its
    warnings and notes without the verdict (a run that succeeded says what it did instead).

    On stderr, for every command: what the data is told (diagnostics) never mixes with what a
    command did or wrote (stdout), so ``validate DROP > log`` keeps the paths and a terminal
    still shows every fault."""
    from troopclaims.checks import verdict_display

    lines = verdict_display.format_lines(report)
    for line in lines[:-1] if notes_only else lines:
        print(for_terminal(line), file=sys.stderr)


def _write_summary(report: ValidationReport, html_name: str, json_name: str) -> None:
    """Every run leaves its summary page under reports/validation/ (a log Make doesn't track)."""
    from troopclaims.checks import verdict_display

    out = config.VALIDATION_DIR
    html_path, json_path = out / html_name, out / json_name
    verdict_display.write_summary(report, html_path, json_path)
    _prune_history(out, config.VALIDATION_HISTORY)
    fixes = verdict_display.fix_list_path(html_path)
    also = f" (every problem: {config.display_path(fixes)})" if report.problems else ""
    print(f"validation summary: {config.display_path(html_path)}{also}")


def _prune_history(folder: Path, keep: int) -> None:
    """Keep the newest ``keep`` candidate-drop summaries (page, JSON, fix list); the dataset's
    stays."""
    from troopclaims.checks import verdict_display

    pages = sorted(folder.glob("drop-*.html"), key=lambda p: p.stat().st_mtime, reverse=True)
    for page in pages[keep:]:
        page.unlink(missing_ok=True)
        page.with_suffix(".json").unlink(missing_ok=True)
        verdict_display.fix_list_path(page).unlink(missing_ok=True)


def _drop_stem(path: Path) -> str:
    """A file-name stem for a candidate's summary page, unique per folder (not per name); the
    name is cut to 64 characters, so any name the system allows gives a file name it allows."""
    resolved = path.resolve()
    stem = "".join(c if c.isalnum() or c in "-_." else "_" for c in resolved.name[:64])
    digest = hashlib.sha256(str(resolved).encode("utf-8")).hexdigest()[:8]
    return f"drop-{stem or 'input'}-{digest}"


def cmd_validate(args: argparse.Namespace) -> int:
    """Validate the dataset, or the dataset plus a candidate drop / claims CSV."""
    from troopclaims.checks import verdict_display
    from troopclaims.store import newdrop

    newdrop.refuse_control_characters({"DROP": args.path, "JSON": args.json})
    if args.json:
        _refuse_under_data(args.json, "--json writes its result outside data/")
        verdict_display.check_json_target(args.json)  # a folder, this command's own output
    try:
        report, names = _validation(args.path)
    except DataError as refused:  # refused before validation: the JSON still says so
        if args.json and refused.listed_as_validation:
            found = ValidationReport(problems=refused.problems, unlisted=refused.unlisted)
            verdict_display.write_json(found, Path(args.json))
            refused.add_note(f"full result: {for_terminal(args.json)}")
        raise
    _print_lines(report)
    if args.json:
        verdict_display.write_json(report, Path(args.json))
        print(f"full result: {for_terminal(args.json)}")
    _write_summary(report, *names)
    if report.impact is not None:  # last, on stdout: what the valid drop would mean
        from troopclaims.report import impact

        for line in impact.lines(report.impact):
            print(for_terminal(line))
    return 0 if report.ok else 1


def _validation(drop: str | None) -> tuple[ValidationReport, tuple[str, str]]:
    """The verdict on the dataset (``drop`` None) or on a drop with it, scoped to the drop, and
    the names of its summary page and JSON; ``DataError`` when the drop is refused unread.

    A valid drop's verdict carries its impact on the report's page 1 (``_impact``)."""
    from troopclaims.checks import validate
    from troopclaims.intake import snapshot

    if drop is None:
        return validate.validate_sources(snapshot.dataset_sources()), DATASET_SUMMARY
    path = Path(drop)
    if not path.exists():
        raise DataError([Problem(str(path), "no such file or folder")])
    sources = validate.candidate_sources(path)
    report, claims, articles = validate.read_and_validate(sources, release=True)
    if sources == snapshot.dataset_sources():
        return report, DATASET_SUMMARY
    stem = _drop_stem(path)
    scoped = report.scoped(config.display_path(path))
    if scoped.ok:
        scoped.impact = _impact(claims, articles, sources[-1])
    return scoped, (f"{stem}.html", f"{stem}.json")


def _impact(claims: pd.DataFrame, articles: pd.DataFrame, drop: Source) -> dict:
    """What ingesting the valid ``drop`` (a ``snapshot.Source``) would change on page 1, from the
    frames validation judged (``impact``: the report stage, so imported here, at the top)."""
    from troopclaims.report import impact

    files = [config.display_path(f) for f in (drop.claims_csv, drop.articles_csv) if f]
    return impact.drop_impact(claims, articles, files).to_dict()


def cmd_process(args: argparse.Namespace) -> int:
    """Validate the whole dataset, then write data/processed/ with its verdict (or nothing)."""
    from troopclaims.store import process

    report = process.validate_and_build()
    _write_summary(report, *DATASET_SUMMARY)
    if not report.ok:
        _print_lines(report)
        print("data/processed/ was not changed.", file=sys.stderr)
        return 1
    _print_lines(report)
    written = "tables as parquet and CSV, datapackage.json, validation"
    print(f"wrote {config.display_path(config.PROCESSED_DIR)}/ ({written})")
    _print_date_coverage()
    return 0


def _print_date_coverage() -> None:
    """How many responses the timing chart can place (dated, bounded) and which it cannot, with
    the reasons: the summary a curator checks after each change of dates, without the report."""
    from troopclaims.report import response_dates
    from troopclaims.store import process

    claims, _ = process.read_processed()
    print(response_dates.format_date_coverage(claims))


def cmd_ingest(args: argparse.Namespace) -> int:
    """Validate a drop against the dataset and fold it in, or change nothing."""
    from troopclaims.store import ingest, newdrop

    newdrop.refuse_control_characters({"DROP": args.path})
    path = Path(args.path)
    try:
        result = ingest.ingest(path)
    except ingest.IngestRefusedError as refused:  # its summary page too; ``main`` prints it
        stem = _drop_stem(path)
        refused.report = refused.report.scoped(config.display_path(path))
        _write_summary(refused.report, f"{stem}.html", f"{stem}.json")
        refused.add_note("nothing was ingested; data/ is unchanged.")
        raise
    try:
        _write_summary(result.report, *DATASET_SUMMARY)
    except KeyboardInterrupt:
        raise atomic.Interrupted(
            f"after {result.name} was ingested: data/raw/drops/{result.name} and data/processed/ "
            "are complete; only the validation summary may be missing"
        ) from None
    _print_lines(result.report.scoped(config.display_path(result.target)), notes_only=True)
    for name in result.ignored:
        print(
            f"WARNING: not part of the drop contract, not copied: {for_terminal(name)}",
            file=sys.stderr,
        )
    target = for_terminal(config.display_path(result.target))
    print(
        f"ingested {for_terminal(result.name)}: {result.claims_added} claims, "
        f"{result.articles_added} articles -> {target}; data/processed/ rebuilt"
    )
    return 0


def cmd_new_drop(args: argparse.Namespace) -> int:
    """Create a drop folder from article texts, then print what the curator fills in."""
    from troopclaims.store import newdrop

    drop = newdrop.new_drop(args.name, [Path(a) for a in args.articles], args.into)
    for line in newdrop.describe(drop):
        print(for_terminal(line))
    if args.draft:  # imported only here: new-drop alone stays free of pandas
        _print_draft(drop.folder)
    return 0


def cmd_draft(args: argparse.Namespace) -> int:
    """Write claims.draft.csv beside a drop's claims.csv: draft rows for the curator to review."""
    from troopclaims.store import newdrop

    newdrop.refuse_control_characters({"DROP": args.path})
    path = Path(args.path)
    if not path.is_dir() or path.is_symlink():
        raise DataError([Problem(str(path), "a draft needs a drop folder (not a file or a link)")])
    _refuse_under_data(path, "a draft is written in a drop folder outside data/, before ingest")
    _print_draft(path)
    return 0


def _refuse_under_data(path: Path | str, rule: str) -> None:
    """Refuse to write at ``path`` inside data/: a file there would change data/raw/ behind
    ingest's back (processed data then no longer matches it) or overwrite a curated file."""
    if config.inside_data(path):
        raise DataError(
            [Problem(str(path), f"{rule}: data/ is written only by ingest and process")]
        )


def _print_draft(folder: Path) -> None:
    """Draft the drop's claims and say what was written, every line escaped."""
    from troopclaims.store import draft

    target, result = draft.draft_drop(folder)
    for line in draft.describe(target, result):
        print(for_terminal(line))


# --- report: execute the notebooks, build the HTML and PDF ------------------------------------


def _add_report_parser(sub: argparse._SubParsersAction) -> None:
    """``troopclaims report [execute|build]``: both steps in order when no step is given.

    Without --params the canonical report is built (reports/report.*, from the notebooks'
    defaults); with --params NAME.yaml a variant, in reports/NAME/ (``assemble.outputs_for``).
    Path options default to those, read when the command runs.
    """
    p = sub.add_parser(
        "report",
        help="execute the notebooks and build reports/report.html and report.pdf "
        "(--params NAME.yaml: reports/NAME/)",
    )
    p.add_argument("--params", type=Path, help="YAML of parameters: a variant in reports/NAME/")
    p.set_defaults(func=cmd_report)
    steps = p.add_subparsers(dest="step")
    run = steps.add_parser("execute", help="run notebooks with papermill into reports/executed/")
    run.add_argument("notebooks", nargs="+", type=Path, help="source notebooks to execute")
    run.add_argument("--params", type=Path, default=argparse.SUPPRESS, help=_PARAMS_HELP)
    run.add_argument("--executed-dir", type=Path)
    run.add_argument(
        "--jobs",
        type=int,
        default=None,
        help="kernels run at once, each running its share of the "
        "notebooks one after the other (default: one per CPU core)",
    )
    bld = steps.add_parser("build", help="join executed notebooks into report.html and report.pdf")
    bld.add_argument("--executed-dir", type=Path)
    bld.add_argument("--notebooks-dir", type=Path)
    bld.add_argument("--params", type=Path, default=argparse.SUPPRESS, help=_PARAMS_HELP)
    bld.add_argument("--html", type=Path)
    bld.add_argument("--pdf", type=Path)
    bld.add_argument("--raw-dir", type=Path)


_PARAMS_HELP = "YAML of parameters (global or per notebook); outputs default to reports/NAME/"


def cmd_report(args: argparse.Namespace) -> int:
    """Execute and/or build the report (``args.step``), under the shared data lock."""
    from troopclaims import progress
    from troopclaims.report import assemble, execute

    def executed(out: Path, seconds: float) -> None:
        progress.finished(f"executed {config.display_path(out)}", seconds)

    def built(stage: str, seconds: float) -> None:
        progress.finished(f"report: {stage}", seconds)

    # A malformed value fails now, in one line: the build date needs it, and IPython's
    # kernel parses it too (its banner), failing to start with a 60 s timeout instead.
    config.source_date_epoch()
    params_arg = args.params
    outputs = assemble.outputs_for(params_arg)
    params = execute.read_params(params_arg)
    params_file = Path(params_arg) if params else None  # listed in provenance if it says something
    raw_dir = Path(getattr(args, "raw_dir", None) or config.RAW_DIR)
    with atomic.locked(raw_dir, exclusive=False):  # no ingest adds a drop meanwhile
        atomic.remove_leftovers(raw_dir / config.DROPS_FOLDER)  # those of a killed ingest
        executed_dir = Path(getattr(args, "executed_dir", None) or outputs.executed_dir)
        html_out = getattr(args, "html", None) or outputs.html
        pdf_out = getattr(args, "pdf", None) or outputs.pdf
        for out in (executed_dir, html_out, pdf_out):
            _refuse_under_data(out, "the report's outputs are written outside data/")
        if args.step == "execute":
            every = execute.source_notebooks()
            execute.execute_all(args.notebooks, executed_dir, params, every, args.jobs, executed)
            return 0
        notebooks = execute.source_notebooks(getattr(args, "notebooks_dir", None))
        if args.step is None:
            execute.execute_all(notebooks, executed_dir, params, notebooks, on_done=executed)
        html_path, pdf_path = assemble.build(
            [executed_dir / nb.name for nb in notebooks],
            html_out,
            pdf_out,
            raw_dir,
            params_file,
            built,
        )
    print(f"wrote {config.display_path(html_path)} and {config.display_path(pdf_path)}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (separate so tests and docs can inspect it)."""
    parser = argparse.ArgumentParser(
        prog="troopclaims",
        description="Validate, ingest, process and report the troopclaims dataset.",
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks of internal errors")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("validate", help="check the dataset, or a drop folder / claims CSV with it")
    p.add_argument("path", nargs="?", help="a drop folder or a claims CSV (default: the dataset)")
    p.add_argument(
        "--json",
        metavar="FILE",
        help=f"also write the result as JSON: every problem found (up to {FIX_LIST_CAP:,}; the "
        "summary's 'complete' says whether all are listed)",
    )
    p.set_defaults(func=cmd_validate)
    p = sub.add_parser("process", help="validate the dataset and write data/processed/")
    p.set_defaults(func=cmd_process)
    p = sub.add_parser("ingest", help="validate a drop folder and fold it into data/raw/drops/")
    p.add_argument("path", help="the drop folder")
    p.set_defaults(func=cmd_ingest)
    p = sub.add_parser(
        "new-drop", help="start a drop folder from article texts (articles.csv, claims.csv to fill)"
    )
    p.add_argument("name", metavar="NAME", help="the drop's name (letters, digits, '-', '_', '.')")
    p.add_argument("articles", metavar="ARTICLE.txt", nargs="+", help="article texts (UTF-8)")
    p.add_argument(
        "--into",
        metavar="DIR",
        help=f"the folder to create NAME in (default: {config.DROPS_FOLDER}/ here)",
    )
    p.add_argument(
        "--draft",
        action="store_true",
        help="also write claims.draft.csv: a draft row per troop figure of the articles whose "
        "language is known (see `troopclaims draft`)",
    )
    p.set_defaults(func=cmd_new_drop)
    p = sub.add_parser(
        "draft",
        help="write claims.draft.csv beside a drop's claims.csv: one draft row per troop figure "
        "no claim covers yet, never ingested",
    )
    p.add_argument("path", metavar="DROP", help="the drop folder")
    p.set_defaults(func=cmd_draft)
    _add_report_parser(sub)
    return parser


# A command imports a large heap of long-lived objects (GX, pandas, pyarrow, WeasyPrint) and
# frees its data by reference counting, yet at Python's default thresholds the cyclic collector
# walks that heap again and again: 0.87 s of a cold small validation (a ``gc.callbacks`` timer).
# With a young generation of 50,000 objects instead of 700 the same command takes 0.3 s less,
# and WeasyPrint's PDF about 15% less CPU; cyclic garbage is still collected, later.
GC_THRESHOLDS = (50_000, 20, 10)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: run a subcommand; a ``TroopclaimsError`` becomes its message and exit code.

    The collector's thresholds hold for the command only: a caller in the same process (a
    test, a notebook) gets its own back when the command returns.
    """
    previous = gc.get_threshold()
    gc.set_threshold(*GC_THRESHOLDS)
    try:
        return _run(argv)
    finally:
        gc.set_threshold(*previous)


def _run(argv: Sequence[str] | None) -> int:
    """Parse and run one command, answering each kind of failure as ``main`` promises."""
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except TroopclaimsError as err:
        _print_error(err)
        if args.command in _UNCHANGED:
            print(_UNCHANGED[args.command], file=sys.stderr)
        return err.exit_code
    except KeyboardInterrupt as exc:
        state = exc.state if isinstance(exc, atomic.Interrupted) else _INTERRUPTED[args.command]
        print(f"interrupted {state}", file=sys.stderr)
        return 130
    except Exception as exc:
        if args.debug or os.environ.get("TROOPCLAIMS_DEBUG"):
            raise
        print(
            f"internal error: {type(exc).__name__}: {for_terminal(exc, _MAX_ERROR_LINE_CHARS)} "
            "(run with --debug for the traceback, and please report it)",
            file=sys.stderr,
        )
        return 2


def _print_error(err: TroopclaimsError) -> None:
    """The error as the user reads it, on stderr: a data error as a validation run lists its
    problems (each located, per-rule counts, the verdict line), any other as ``ERROR`` lines;
    then the notes added on its way up (what state it left)."""
    if isinstance(err, DataError) and err.listed_as_validation:
        report = getattr(err, "report", None) or ValidationReport(
            problems=err.problems, unlisted=err.unlisted
        )
        _print_lines(report)
    elif isinstance(err, DataError):  # its message is already its problems, one a line
        for line in str(err).splitlines():
            print(for_terminal(line), file=sys.stderr)
    else:
        lines = str(err).splitlines()
        for line in lines[:_MAX_ERROR_LINES]:
            line = for_terminal(line, _MAX_ERROR_LINE_CHARS)
            print(line if line.startswith(" ") else f"ERROR {line}", file=sys.stderr)
        if len(lines) > _MAX_ERROR_LINES:
            print(f"ERROR ... and {len(lines) - _MAX_ERROR_LINES:,} more lines", file=sys.stderr)
    for note in getattr(err, "__notes__", ()):
        print(for_terminal(note), file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
