"""The ``troopclaims`` command: the stages of the data flow as subcommands.

Bad input is the user's to fix, so it ends in located messages and exit code 1, never a
traceback. Exit 2 is for usage errors (argparse's convention) and for internal errors, whose
traceback ``--debug`` (or TROOPCLAIMS_DEBUG=1) shows.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from troopclaims import atomic, config, ingest, load, newdrop, process, validate, verdict_display
from troopclaims.problems import DataError, Problem
from troopclaims.verdict import ValidationReport

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
    "report": "(report.html and report.pdf are each the previous or the new version, never "
    "half-written; run `make report` to bring both up to date)",
}


def _print_lines(report: ValidationReport, stream=None) -> None:
    for line in verdict_display.format_lines(report):
        print(line, file=stream or sys.stdout)


def _write_summary(report: ValidationReport, html_name: str, json_name: str) -> None:
    """Every run leaves its summary page under reports/validation/ (a log Make doesn't track)."""
    out = config.VALIDATION_DIR
    html_path, json_path = out / html_name, out / json_name
    verdict_display.write_summary(report, html_path, json_path)
    _prune_history(out, config.VALIDATION_HISTORY)
    print(f"validation summary: {config.display_path(html_path)}")


def _prune_history(folder: Path, keep: int) -> None:
    """Keep the newest ``keep`` candidate-drop summaries (page + JSON); the dataset's stays."""
    pages = sorted(folder.glob("drop-*.html"), key=lambda p: p.stat().st_mtime, reverse=True)
    for page in pages[keep:]:
        page.unlink(missing_ok=True)
        page.with_suffix(".json").unlink(missing_ok=True)


def _drop_stem(path: Path) -> str:
    """A file-name stem for a candidate's summary page, unique per folder (not per name); the
    name is cut to 64 characters, so any name the system allows gives a file name it allows."""
    resolved = path.resolve()
    stem = "".join(c if c.isalnum() or c in "-_." else "_" for c in resolved.name[:64])
    digest = hashlib.sha256(str(resolved).encode("utf-8")).hexdigest()[:8]
    return f"drop-{stem or 'input'}-{digest}"


def cmd_validate(args: argparse.Namespace) -> int:
    """Validate the dataset, or the dataset plus a candidate drop / claims CSV."""
    if args.path is None:
        sources = load.dataset_sources()
        names = DATASET_SUMMARY
    else:
        path = Path(args.path)
        if not path.exists():
            raise DataError([Problem(str(path), "no such file or folder")])
        sources = validate.candidate_sources(path)
        in_dataset = sources == load.dataset_sources()
        stem = _drop_stem(path)
        names = DATASET_SUMMARY if in_dataset else (f"{stem}.html", f"{stem}.json")
    report = validate.validate_sources(sources)
    _print_lines(report)
    if args.json:
        verdict_display.write_json(report, Path(args.json))
        print(f"full result: {args.json}")
    _write_summary(report, *names)
    return 0 if report.ok else 1


def cmd_process(args: argparse.Namespace) -> int:
    """Validate the whole dataset, then write data/processed/ with its verdict (or nothing)."""
    report = process.validate_and_build()
    _write_summary(report, *DATASET_SUMMARY)
    if not report.ok:
        _print_lines(report, sys.stderr)
        print("data/processed/ was not changed.", file=sys.stderr)
        return 1
    print(verdict_display.summary_line(report))
    print(f"wrote {config.display_path(config.PROCESSED_DIR)}/ (claims, articles, validation)")
    return 0


def cmd_ingest(args: argparse.Namespace) -> int:
    """Validate a drop against the dataset and fold it in, or change nothing."""
    path = Path(args.path)
    try:
        result = ingest.ingest(path)
    except ingest.IngestRefusedError as refused:
        _print_lines(refused.report, sys.stderr)
        print("nothing was ingested; data/ is unchanged.", file=sys.stderr)
        stem = _drop_stem(path)
        _write_summary(refused.report, f"{stem}.html", f"{stem}.json")
        return 1
    try:
        _write_summary(result.report, *DATASET_SUMMARY)
    except KeyboardInterrupt:
        raise atomic.Interrupted(
            f"after {result.name} was ingested: data/raw/drops/{result.name} and data/processed/ "
            "are complete; only the validation summary may be missing"
        ) from None
    for name in result.ignored:
        print(f"WARNING: not part of the drop contract, not copied: {name}")
    print(
        f"ingested {result.name}: {result.claims_added} claims, {result.articles_added} "
        f"articles -> {config.display_path(result.target)}; data/processed/ rebuilt"
    )
    return 0


def cmd_new_drop(args: argparse.Namespace) -> int:
    """Create a drop folder from article texts, then print what the curator fills in."""
    try:
        drop = newdrop.new_drop(args.name, [Path(a) for a in args.articles], args.into)
    except newdrop.NewDropError as err:
        for problem in err.problems:
            print(problem.format(), file=sys.stderr)
        print("no drop folder was created.", file=sys.stderr)
        return 1
    for line in newdrop.describe(drop):
        print(line)
    return 0


def _add_report_parser(sub: argparse._SubParsersAction) -> None:
    """``troopclaims report [execute|build]``: its options and messages live in ``report``."""
    from troopclaims import report

    p = sub.add_parser(
        "report", help="execute the notebooks and build reports/report.html and report.pdf"
    )
    report.add_arguments(p)
    p.set_defaults(func=report.run_command)


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
    p.add_argument("--json", metavar="FILE", help="also write the full result as JSON")
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
        help=f"the folder to create NAME in (default: {newdrop.DEFAULT_PARENT}/ here)",
    )
    p.set_defaults(func=cmd_new_drop)
    _add_report_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: run a subcommand; data errors become messages and exit code 1."""
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except DataError as err:
        report = ValidationReport(problems=err.problems, unlisted=err.unlisted)
        _print_lines(report, sys.stderr)
        return 1
    except config.ConfigError as err:
        print(f"ERROR: {err}", file=sys.stderr)
        return 2
    except atomic.LockTimeoutError as err:
        print(f"ERROR: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt as exc:
        state = exc.state if isinstance(exc, atomic.Interrupted) else _INTERRUPTED[args.command]
        print(f"interrupted {state}", file=sys.stderr)
        return 130
    except Exception as exc:
        if args.debug or os.environ.get("TROOPCLAIMS_DEBUG"):
            raise
        print(
            f"internal error: {type(exc).__name__}: {exc} (run with --debug for the "
            "traceback, and please report it)",
            file=sys.stderr,
        )
        return 2


if __name__ == "__main__":
    sys.exit(main())
