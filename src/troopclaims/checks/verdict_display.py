"""How a validation verdict is shown: the CLI's lines, the JSON file, the HTML summary page, and
the report's tables read back from the JSON.

Every form lists the same problems (``ValidationReport.listed``: the first of each rule) and ends
each rule that found more with the same ``more_line``, so the terminal, the page and the report
never disagree. The page renders from ``templates/validation/page.html.j2`` with autoescape on:
a value from the data is text, never markup.
"""

from __future__ import annotations

import functools
import json
import os
import stat
import sys
from pathlib import Path

import pandas as pd

from troopclaims import atomic, config
from troopclaims.checks.verdict import RuleCount, ValidationReport
from troopclaims.escaping import for_page, for_terminal
from troopclaims.problems import DataError, Problem

TEMPLATE_DIR = config.PACKAGE_DIR / "templates" / "validation"
PAGE_TEMPLATE = "page.html.j2"


def format_lines(report: ValidationReport, limit: int | None = None) -> list[str]:
    """One line per problem listed (the first ``limit`` of each rule), a line per rule that
    found more, then the summary line."""
    shown, counts = report.listed(limit)
    lines = [p.format() for p in shown]
    lines += [more_line(c) for c in counts if c.total > c.listed]
    lines.append(summary_line(report))
    return lines


def more_line(count: RuleCount) -> str:
    """``... and K more (total T) errors for rule: R`` for a rule with unlisted problems."""
    return (
        f"... and {count.total - count.listed} more (total {count.total}) {count.severity}s "
        f"for rule: {count.rule}"
    )


def summary_line(report: ValidationReport) -> str:
    """The last line of every run: verdict and counts."""
    verdict = "PASSED" if report.ok else "FAILED"
    rows = ", ".join(f"{n} {k}" for k, n in report.rows.items()) or "no rows read"
    n_exp = len(report.expectations)
    n_fail = sum(not e.success for e in report.expectations)
    return (
        f"validation {verdict}: {report.error_count} error(s), {report.warning_count} "
        f"warning(s); {rows}; {n_exp} expectations, {n_fail} unmet"
    )


def write_json(report: ValidationReport, path: Path) -> None:
    """The result (``to_json``: every rule's count, the first problems of each listed with
    their values untruncated), written atomically over a file, or straight through a link, a
    device or a pipe a user names (``/dev/null``, a FIFO): renaming a file over those would
    replace them, for the whole machine when run as root. ``check_json_target`` refuses the
    rest (a folder, the command's own output)."""
    path = Path(path)
    mode = check_json_target(path)
    text = report.to_json()
    try:
        if mode is not None and not stat.S_ISREG(mode):  # through a link, a device, a pipe
            with path.open("w", encoding="utf-8") as out:
                out.write(text)
        else:
            atomic.write_text(path, text)
    except OSError as exc:
        raise DataError([Problem(str(path), f"--json cannot be written: {exc.strerror}")]) from None


def check_json_target(path: Path | str) -> int | None:
    """``--json``'s target before any work: its mode as it stands (a link's own: /dev/stdout),
    None when it does not exist yet; a folder, or this command's own output, is refused."""
    path = Path(path)
    try:
        mode = path.lstat().st_mode
        if stat.S_ISLNK(mode) and path.is_dir():
            mode = stat.S_IFDIR
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise DataError([Problem(str(path), f"--json cannot be written: {exc.strerror}")]) from None
    if stat.S_ISDIR(mode):
        raise DataError([Problem(str(path), "--json names a folder: give a file name")])
    if _is_own_output(path):
        rule = (
            "--json names this command's own output, where its lines (the impact of a valid "
            "drop) go too: give a file of its own"
        )
        raise DataError([Problem(str(path), rule)])
    return mode


def _is_own_output(path: Path) -> bool:
    """Whether ``path`` is the file or pipe this process's stdout writes to (``/dev/stdout``
    redirected to out.json): opened again, the JSON would be written over by the command's
    own lines, from the file's start. A terminal or /dev/null takes both harmlessly."""
    try:
        out, there = os.fstat(sys.stdout.fileno()), Path(path).stat()
    except (OSError, ValueError, AttributeError):  # no real stdout (a test's capture)
        return False
    same = (out.st_dev, out.st_ino) == (there.st_dev, there.st_ino)
    return same and not stat.S_ISCHR(out.st_mode)


@functools.cache
def _environment():
    """The page's Jinja environment, built once: autoescape on for every template, and an
    undefined name is an error rather than an empty cell. jinja2 is imported only here."""
    import jinja2

    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        finalize=_shown,
    )
    environment.filters["one_line"] = for_terminal
    return environment


def _shown(value: object) -> object:
    """Every string the page prints, hidden characters made visible (``escaping.for_page``):
    a refused drop's values reach this page before any rule has cleaned them. A file or column
    name goes through the ``one_line`` filter (``escaping.for_terminal``) first: the page would
    keep its line break and HTML would show it as a space, so a name holding one would read as
    two words of a plain name; escaped, it reads as the terminal prints it."""
    return for_page(value) if isinstance(value, str) else value


def render_html(report: ValidationReport, title: str = "Validation summary") -> str:
    """A self-contained page (inline CSS, no scripts, no links); every value escaped."""
    shown, counts = report.listed()
    return (
        _environment()
        .get_template(PAGE_TEMPLATE)
        .render(
            title=title,
            report=report,
            summary=summary_line(report),
            problems=shown,
            more=[more_line(c) for c in counts if c.total > c.listed],
        )
    )


def write_summary(report: ValidationReport, html_path: Path, json_path: Path) -> None:
    """Write the HTML page, the JSON result and the fix list beside them, each atomically."""
    atomic.write_text(Path(html_path), render_html(report))
    write_json(report, Path(json_path))
    write_fix_list(report, fix_list_path(Path(html_path)))


# --- The fix list: every problem kept, one row each, for a spreadsheet ---------------------------

FIX_LIST_NAME = "problems.csv"  # the dataset's, beside summary.html; a drop's: <page>.problems.csv
FIX_LIST_COLUMNS = (
    "severity",
    "file",
    "line",
    "row_id",
    "column",
    "value",
    "rule",
    "what_to_do",
)
_FIX_VALUE_CHARS = 1_000  # a value as the fix list shows it (the JSON keeps it whole)
_FORMULA_STARTS = ("=", "+", "-", "@", "|", "\t", "\r", "＝", "＋", "－", "＠", "｜")
# What to do, per kind of check (the GX expectation's type, or our own check's name); a rule's
# own words say which value it wants, this says which move fixes it.
_REMEDIES = {
    "expect_column_values_to_not_be_null": "fill in this cell",
    "expect_column_values_to_be_in_set": (
        "replace the value with one the rule lists (data/README.md gives each one's meaning)"
    ),
    "expect_column_values_to_not_be_in_set": "replace the value as the rule says",
    "expect_column_values_to_be_unique": (
        "give this row an id no other row has (its article's id, then the next free number)"
    ),
    "expect_column_values_to_match_regex": "rewrite the value in the form the rule gives",
    "expect_column_values_to_not_contain_pattern": (
        "remove the character, markup or formula sign the rule names"
    ),
    "expect_column_pair_values_to_be_allowed_pair": (
        "make this cell agree with the other column the rule names"
    ),
    "expect_column_pair_values_quote_in_article": (
        "copy the words from the article exactly (only whitespace may differ)"
    ),
    "expect_multicolumn_values_figure_in_quote": (
        "make figure the number the quote writes, or quote the words that write it"
    ),
    "expect_column_values_to_be_iso_date": "write the date as YYYY-MM-DD, a day that exists",
    "expect_column_values_to_be_between": (
        "check the value against the article; keep it only if the article says so"
    ),
    "expect_column_pair_values_a_to_be_greater_than_b": "correct one of the two dates",
    "completeness": (
        "add a claim whose quote holds this figure, or a row in unclaimed.csv saying why it is "
        "not one"
    ),
    "unclaimed": "correct this unclaimed.csv row as the rule says",
    "article_text": "remove the character from the article text (copy the text again)",
    "left_behind": "nothing, if the file is not data: ingest leaves it behind",
}
_EVIDENCE_REMEDY = "correct this cell to what the evidence allows (the rule says what it gives)"
_DEFAULT_REMEDY = "change the file as the rule says"
_INFO_REMEDY = "nothing: said for the record"


def fix_list_path(html_path: Path) -> Path:
    """Where a summary page's fix list goes: beside it, named for it."""
    if html_path.name == "summary.html":
        return html_path.with_name(FIX_LIST_NAME)
    return html_path.with_name(f"{html_path.stem}.{FIX_LIST_NAME}")


def what_to_do(expectation: str | None) -> str:
    """The move that fixes a problem of this check, in a curator's words."""
    kind, _, argument = (expectation or "").partition("(")
    if kind == "expect_column_values_to_be_in_set" and argument.startswith("_"):
        return _EVIDENCE_REMEDY  # a computed flag (a date against its evidence), not a vocabulary
    return _REMEDIES.get(kind, _DEFAULT_REMEDY)


def _cell(value: object) -> str:
    """A fix-list cell: escaped to one visible line (``for_terminal``), cut, and never a formula
    (a leading ' is OWASP's remedy: a spreadsheet shows the text, hides the mark)."""
    text = "" if value is None else for_terminal(value, _FIX_VALUE_CHARS)
    return "'" + text if text.lstrip(" ").startswith(_FORMULA_STARTS) else text


def fix_list_rows(report: ValidationReport) -> list[list[str]]:
    """One row per problem kept, in the order the run found them (file, then line)."""
    rows = []
    for p in report.fix_list():
        rows.append(
            [
                p.severity,
                _cell(p.file),
                "" if p.line is None else str(p.line),
                _cell(p.row_id),
                _cell(p.column),
                _cell(p.value),
                _cell(p.rule),
                _INFO_REMEDY if p.severity == "info" else what_to_do(p.expectation),
            ]
        )
    return rows


def write_fix_list(report: ValidationReport, path: Path) -> None:
    """``problems.csv``: every problem the JSON lists, UTF-8 with a BOM (so Excel and
    LibreOffice open it as UTF-8 on a double click), comma-delimited, CRLF."""
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(FIX_LIST_COLUMNS)
    writer.writerows(fix_list_rows(report))
    atomic.write_bytes(Path(path), out.getvalue().encode("utf-8-sig"))


# --- The verdict in the report: read back from the JSON that process wrote ----------------------


def read_validation_result(path: Path) -> dict | None:
    """The validation verdict ``troopclaims process`` writes beside the processed data
    (``data/processed/validation.json``), or None when absent.

    Absent is not an error here: a report built from data processed before validation existed
    says so plainly instead of failing.
    """
    path = Path(path)
    if not path.is_file():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def _expectations_table(expectations: list[dict]) -> pd.DataFrame:
    """Expectations for reading: unmet ones first, the checked column instead of GX's name.

    GX names ('expect_column_values_to_match_regex(article_id)') are long unbreakable words that
    overflow a printed page; the column in the parentheses and the rule in words say the same.
    """
    df = pd.DataFrame(
        expectations,
        columns=["table", "name", "description", "severity", "success", "unexpected_count"],
    )
    out = pd.DataFrame(
        {
            "table": df["table"].astype("string").fillna(""),
            "column": df["name"].str.extract(r"\(([^()]*)\)\s*$", expand=False).fillna(""),
            "rule": df["description"],
            "severity": df["severity"],
            "result": df["success"].map({True: "passed", False: "FAILED"}),
            "rows failing": df["unexpected_count"],
        }
    )
    order = out["result"].eq("passed").astype(int) * 2 + out["severity"].ne("error").astype(int)
    return out.iloc[order.argsort(kind="stable")].reset_index(drop=True)


def validation_tables(result: dict) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(overview, expectations, problems) frames from a validation result, for display.

    A result lists only the first problems of each rule (``summary.listed_per_rule``) and counts
    every rule's total in ``problem_counts``; when some went unlisted the overview says how many
    are shown. Results written before that (every problem listed) read the same.
    """
    summary = result.get("summary", {})
    rows = summary.get("rows", {})
    counts = [
        ("data valid", "yes" if result.get("ok") else "no"),
        ("errors", summary.get("errors", 0)),
        ("warnings", summary.get("warnings", 0)),
    ]
    found = summary.get("found", summary.get("errors", 0) + summary.get("warnings", 0))
    listed = summary.get("listed", found)
    if listed < found and "listed_per_rule" in summary:
        per_rule = summary["listed_per_rule"]
        counts.append(("problems listed", f"{listed} of {found} (the first {per_rule} per rule)"))
    overview = pd.DataFrame(
        [
            *counts,
            ("claims rows", rows.get("claims", "")),
            ("articles rows", rows.get("articles", "")),
            ("files checked", len(summary.get("files", []))),
        ],
        columns=["summary", "value"],  # a named header: a screen reader announces it
    )
    expectations = _expectations_table(result.get("expectations", []))
    problems = pd.DataFrame(
        result.get("problems", []),
        columns=["file", "line", "column", "value", "rule", "severity", "expectation"],
    )
    problems["line"] = problems["line"].astype("Int64")
    return overview, expectations, problems.fillna({"column": "", "value": "", "expectation": ""})
