"""The ``troopclaims`` command: the stages of the data flow as subcommands.

Bad input is the user's to fix, so it ends in a located message and exit code 1, never a
traceback; exit 2 is kept for usage errors (argparse's convention).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from troopclaims import config, load, process
from troopclaims.problems import DataError


def _print_problems(err: DataError) -> None:
    for problem in err.problems:
        print(problem.format(), file=sys.stderr)
    n_err = sum(p.severity == "error" for p in err.problems)
    print(f"{n_err} error(s): nothing was written.", file=sys.stderr)


def cmd_process(args: argparse.Namespace) -> int:
    """Load and type the raw data, then write data/processed/ atomically."""
    claims = load.load_claims(config.RAW_CLAIMS_CSV)
    articles = load.load_articles(config.RAW_ARTICLES_CSV)
    paths = process.write_processed(claims, articles)
    for path in paths:
        print(f"wrote {load.display_path(path)}")
    print(f"{len(claims)} claims from {len(articles)} articles")
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
        description="Validate, process and report the troopclaims dataset.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("process", help="load the raw CSVs and write data/processed/")
    p.set_defaults(func=cmd_process)
    _add_report_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: run a subcommand, turning data errors into messages and exit code 1."""
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except DataError as err:
        _print_problems(err)
        return 1


if __name__ == "__main__":
    sys.exit(main())
