"""Run the expectation suites over the whole dataset (or the dataset plus a candidate drop).

Validation always sees the existing data and the candidate together, because the rules that
matter most span them: a claim_id must be unique across both, a claim may cite an article that an
earlier drop brought. Problems come back located (file, line, column, value, rule) and severity
is applied here: warnings are reported but never fail a run.
"""

from __future__ import annotations

import html
import json
import logging
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

from troopclaims import atomic, completeness, config, contract, load
from troopclaims.problems import DataError, Problem
from troopclaims.quotes import normalize_whitespace

PRINT_LIMIT_PER_RULE = 20
NARROW_BATCHES_FROM_ROWS = 20_000


@dataclass
class ExpectationOutcome:
    """One expectation's verdict, for the summary table."""

    name: str
    description: str
    table: str
    severity: str
    success: bool
    unexpected_count: int


@dataclass
class ValidationReport:
    """Everything a run found: problems (located) and each expectation's outcome.

    ``read_as`` records how each CSV's bytes were read (encoding, delimiter, line endings).
    """

    problems: list[Problem] = field(default_factory=list)
    expectations: list[ExpectationOutcome] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    read_as: dict[str, str] = field(default_factory=dict)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def ok(self) -> bool:
        return not self.errors

    def to_json(self) -> str:
        """The JSON text every copy of a verdict uses (processed/, reports/, --json)."""
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n"

    def to_dict(self) -> dict:
        """The JSON form (schema documented in README: ok, summary, expectations, problems)."""
        return {
            "ok": self.ok,
            "summary": {
                "errors": len(self.errors),
                "warnings": len(self.warnings),
                "rows": self.rows,
                "files": self.files,
                "read_as": self.read_as,
            },
            "expectations": [vars(e) for e in self.expectations],
            "problems": [p.to_dict() for p in self.problems],
        }


# ---------------------------------------------------------------------------------------------
# Great Expectations plumbing: one ephemeral context per process (its import costs seconds)

_CONTEXT = None


def _context():
    """The process-wide ephemeral GX context, progress bars off, logging quiet."""
    global _CONTEXT
    if _CONTEXT is None:
        import great_expectations as gx

        logging.getLogger("great_expectations").setLevel(logging.ERROR)
        _CONTEXT = gx.get_context(mode="ephemeral")
        _CONTEXT.variables.progress_bars = {"globally": False}
    return _CONTEXT


def _columns_of(rule) -> tuple[str, ...]:
    """The frame columns one expectation reads (none for a table-level one)."""
    exp = rule.expectation
    if getattr(exp, "column", None):
        return (exp.column,)
    if getattr(exp, "column_A", None):
        return (exp.column_A, exp.column_B)
    return tuple(getattr(exp, "column_list", None) or ())


def _run_rules(name: str, frame: pd.DataFrame, rules: list) -> list:
    """Validate ``frame`` against ``rules``; return GX results aligned to ``rules``.

    Large frames: rules are grouped by the columns they read and each group runs on a batch
    holding only those columns. GX hashes every batch and filters the whole batch for each
    column-map metric, so one wide batch cost ~40 s per million rows where narrow ones cost a
    fraction; table-level rules (the column set) see every column of a zero-row copy. Small
    frames: one batch, since each batch has a fixed cost (~25 ms) that then dominates.
    """
    if len(frame) < NARROW_BATCHES_FROM_ROWS:
        return _validate_batch(name, frame, rules)
    groups: dict[tuple[str, ...], list[int]] = {}
    for i, rule in enumerate(rules):
        groups.setdefault(_columns_of(rule), []).append(i)
    by_rule: list = [None] * len(rules)
    for n, (cols, indices) in enumerate(groups.items()):
        batch_frame = frame[list(cols)] if cols else frame.head(0)
        results = _validate_batch(f"{name}{n}", batch_frame, [rules[i] for i in indices])
        for i, res in zip(indices, results, strict=True):
            by_rule[i] = res
    return by_rule


def _validate_batch(name: str, frame: pd.DataFrame, rules: list) -> list:
    """One GX batch and suite; results come back in ``rules`` order (matched via ``meta``)."""
    import great_expectations as gx

    ctx = _context()
    source = ctx.data_sources.add_or_update_pandas("troopclaims")
    asset = source.add_dataframe_asset(name=f"{name}_{id(frame)}")
    batch = asset.add_batch_definition_whole_dataframe("all").get_batch(
        batch_parameters={"dataframe": frame}
    )
    suite = gx.ExpectationSuite(name=f"troopclaims_{name}")
    for i, rule in enumerate(rules):
        exp = rule.expectation.copy(deep=True)
        exp.meta = {"rule": i}
        suite.add_expectation(exp)
    result = batch.validate(
        suite, result_format={"result_format": "COMPLETE", "include_unexpected_rows": False}
    )
    by_rule: list = [None] * len(rules)
    for res in result.results:
        by_rule[res.expectation_config.meta["rule"]] = res
    return by_rule


def _outcomes(
    table: str, frame: pd.DataFrame, source_frame: pd.DataFrame, rules: list, results: list
) -> tuple[list[Problem], list[ExpectationOutcome]]:
    """Turn GX results into located problems; a check that crashed is an error, never a pass."""
    problems: list[Problem] = []
    outcomes: list[ExpectationOutcome] = []
    for rule, res in zip(rules, results, strict=True):
        crashed = res is None or (res.exception_info or {}).get("raised_exception")
        detail = res.result if res is not None else {}
        indices = detail.get("unexpected_index_list") or []
        count = int(detail.get("unexpected_count") or len(indices))
        success = bool(res.success) if not crashed else False
        outcomes.append(
            ExpectationOutcome(rule.name, rule.text, table, rule.severity, success, count)
        )
        if crashed:
            msg = (res.exception_info or {}).get("exception_message") if res else "no result"
            problems.append(Problem(table, f"check {rule.name} could not run: {msg}"))
            continue
        if success:
            continue
        if rule.column is None or not indices:
            problems.append(
                Problem(
                    _files_of(source_frame),
                    rule.text,
                    severity=rule.severity,
                    expectation=rule.name,
                )
            )
            continue
        for idx in indices:
            if isinstance(idx, dict):  # some GX versions return {index-column: value}
                idx = next(iter(idx.values()))
            row = source_frame.loc[idx]
            problems.append(
                Problem(
                    file=row[load.SOURCE_FILE_COLUMN],
                    line=int(row[load.LINE_COLUMN]),
                    column=rule.column,
                    value=_cell_text(frame.at[idx, rule.column]),
                    rule=rule.explain(frame.loc[idx]) if rule.explain else rule.text,
                    severity=rule.severity,
                    expectation=rule.name,
                )
            )
    return problems, outcomes


def _cell_text(value) -> str:
    """A cell as the user typed it: empty (None/NaN/NA) is the empty string."""
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)


def _files_of(frame: pd.DataFrame) -> str:
    return ", ".join(sorted(frame[load.SOURCE_FILE_COLUMN].unique()))


# ---------------------------------------------------------------------------------------------
# The dataset's own checks, done in pandas before GX sees it


def _inspect_article_files(articles: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, str]]:
    """Check each article file safely; read the texts (as received) the text rules need.

    An unsafe name (``../../etc/passwd``) is never opened: the file-name rule reports it.
    """
    exists, utf8, texts = [], [], {}
    columns = (articles["article_id"], articles["file"], articles[load.ARTICLES_DIR_COLUMN])
    for article_id, name, folder_name in zip(*columns, strict=True):
        folder = Path(folder_name)
        safe = re.fullmatch(contract.FILE_PATTERN, name) is not None
        path = folder / name
        if not safe:
            exists.append(None)
            utf8.append(None)
            continue
        is_file = path.is_file() and not path.is_symlink()
        exists.append(is_file)
        if not is_file:
            utf8.append(None)
            continue
        text = _read_article(path)
        utf8.append(text is not None)
        if text is not None:
            texts.setdefault(article_id, text)
    checks = pd.DataFrame({"_file_exists": exists, "_file_utf8": utf8}, dtype="object")
    return checks, texts


def _read_article(path: Path) -> str | None:
    """The article's text, or None when it cannot be read, is not UTF-8, or holds NUL bytes."""
    try:
        text = path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    return None if "\x00" in text else text


def validate_frames(
    claims: pd.DataFrame,
    articles: pd.DataFrame,
    today: date | None = None,
    unclaimed: pd.DataFrame | None = None,
) -> ValidationReport:
    """Validate raw string frames (from ``load.read_sources``) with both suites, then run the
    completeness check (troop figures no claim records, unless ``unclaimed`` says why)."""
    from troopclaims import expectations as ex

    today = today or _today()
    checks, texts = _inspect_article_files(articles)
    art_frame = ex.prepare_articles(articles, checks)
    art_rules = ex.articles_rules()
    dates = dict(
        zip(articles["article_id"], articles["published_date"].replace("", None), strict=True)
    )
    languages = dict(zip(articles["article_id"], articles["language"], strict=True))
    claim_frame = ex.prepare_claims(claims, dates, today, languages)
    known_ids = sorted({a for a in articles["article_id"] if a})
    normalised = {a: normalize_whitespace(t) for a, t in texts.items()}
    claim_rules = ex.claims_rules(known_ids, normalised)
    art_problems, art_outcomes = _outcomes(
        "articles", art_frame, articles, art_rules, _run_rules("articles", art_frame, art_rules)
    )
    cl_problems, cl_outcomes = _outcomes(
        "claims", claim_frame, claims, claim_rules, _run_rules("claims", claim_frame, claim_rules)
    )
    if unclaimed is None:
        unclaimed = completeness.empty_unclaimed()
    found = completeness.check_completeness(
        completeness.article_texts(articles, texts), claims, unclaimed
    )
    problems = sorted(art_problems + cl_problems + found, key=_problem_order)
    files = sorted(set(claims[load.SOURCE_FILE_COLUMN]) | set(articles[load.SOURCE_FILE_COLUMN]))
    return ValidationReport(
        problems,
        art_outcomes + cl_outcomes,
        {"claims": len(claims), "articles": len(articles)},
        files,
    )


def _problem_order(p: Problem) -> tuple:
    return (p.file, p.line or 0, p.column or "", p.rule)


def _today() -> date:
    """Today, by the clock, for the future-date rule.

    Deliberately not SOURCE_DATE_EPOCH: that pins the report's build date for byte-identical
    rebuilds, and is often older than the data (a pinned 2023 epoch would call every 2024
    statement 'in the future'). Once a date has passed, the rule's verdict no longer changes.
    """
    return date.today()


def validate_sources(sources: list[load.Source], today: date | None = None) -> ValidationReport:
    """Read and validate ``sources`` together; unreadable files become problems, not crashes."""
    return read_and_validate(sources, today)[0]


def read_and_validate(
    sources: list[load.Source], today: date | None = None
) -> tuple[ValidationReport, pd.DataFrame | None, pd.DataFrame | None]:
    """The report, and the raw (claims, articles) frames it judged when they could be read.

    Returned together so that processing types the very frames that were validated, instead
    of reading every file a second time. The column set of every file is checked first (a GX
    rule on a zero-row frame of the file's own header); row rules only run when every file has
    the contract's columns.
    """
    files = [config.display_path(s.claims_csv) for s in sources]
    try:
        claims, articles = load.read_sources(sources, check_columns=False)
    except DataError as err:
        read_as = getattr(err, "read_as", {})
        return ValidationReport(problems=err.problems, files=files, read_as=read_as), None, None
    read_as = claims.attrs["read_as"]
    read_warnings = [Problem(**w) for w in claims.attrs["read_warnings"]]
    problems, outcomes = _check_columns(claims.attrs["headers"], articles.attrs["headers"])
    if problems:
        problems = sorted(read_warnings + problems, key=_problem_order)
        report = ValidationReport(problems, outcomes, files=files, read_as=read_as)
        return report, claims, articles
    unclaimed, unreadable = completeness.read_unclaimed(sources)
    report = validate_frames(claims, articles, today, unclaimed)
    report.expectations = outcomes + report.expectations
    report.problems = sorted(read_warnings + unreadable + report.problems, key=_problem_order)
    report.read_as = read_as
    return report, claims, articles


def _check_columns(
    claim_headers: dict[str, list[str]], article_headers: dict[str, list[str]]
) -> tuple[list[Problem], list[ExpectationOutcome]]:
    """Run the column-set rule on each file's header; one problem per missing/unknown column."""
    from troopclaims import expectations as ex

    problems: list[Problem] = []
    outcomes: list[ExpectationOutcome] = []
    for table, headers, expected in (
        ("claims", claim_headers, contract.CLAIM_COLUMNS),
        ("articles", article_headers, contract.ARTICLE_COLUMNS),
    ):
        rule = ex.columns_rule(expected)
        for file, header in headers.items():
            [res] = _validate_batch(f"{table}_columns", pd.DataFrame(columns=header), [rule])
            outcomes.append(
                ExpectationOutcome(
                    rule.name,
                    rule.text,
                    table,
                    rule.severity,
                    bool(res.success),
                    0 if res.success else 1,
                )
            )
            mismatched = (res.result.get("details") or {}).get("mismatched") or {}
            for key, text in (
                ("unexpected", load.UNKNOWN_COLUMN),
                ("missing", load.MISSING_COLUMN),
            ):
                problems += [
                    Problem(file, text, line=1, column=col, expectation=rule.name)
                    for col in mismatched.get(key) or []
                ]
            if not res.success and not mismatched:
                problems.append(Problem(file, rule.text, line=1, expectation=rule.name))
    return problems, outcomes


def candidate_sources(path: Path, raw_dir: Path | None = None) -> list[load.Source]:
    """The existing dataset plus ``path`` (a drop folder or claims CSV), unless already in it."""
    existing = load.dataset_sources(raw_dir)
    target = Path(path).resolve()
    for src in existing:
        if target in (src.claims_csv.resolve(), src.claims_csv.parent.resolve()):
            return existing
    return [*existing, load.drop_source(Path(path))]


# ---------------------------------------------------------------------------------------------
# Output: the lines the CLI prints, the JSON file and the self-contained HTML summary


def format_lines(report: ValidationReport, limit: int = PRINT_LIMIT_PER_RULE) -> list[str]:
    """One line per problem (at most ``limit`` per rule), then the summary line."""
    lines, shown = [], {}
    for p in report.problems:
        key = (p.expectation, p.rule, p.file)
        shown[key] = shown.get(key, 0) + 1
        if shown[key] <= limit:
            lines.append(p.format())
    for (_, rule, file), n in shown.items():
        if n > limit:
            lines.append(f"... {n - limit} more in {file}: {rule} (see --json for all)")
    lines.append(summary_line(report))
    return lines


def summary_line(report: ValidationReport) -> str:
    """The last line of every run: verdict and counts."""
    verdict = "PASSED" if report.ok else "FAILED"
    rows = ", ".join(f"{n} {k}" for k, n in report.rows.items()) or "no rows read"
    n_exp = len(report.expectations)
    n_fail = sum(not e.success for e in report.expectations)
    return (
        f"validation {verdict}: {len(report.errors)} error(s), {len(report.warnings)} "
        f"warning(s); {rows}; {n_exp} expectations, {n_fail} unmet"
    )


def write_json(report: ValidationReport, path: Path) -> None:
    """The full result (every problem, untruncated), written atomically."""
    atomic.write_text(Path(path), report.to_json())


_CSS = """
body{font-family:DejaVu Sans,Helvetica,Arial,sans-serif;margin:2em;color:#222;max-width:75em}
h1{font-size:1.5em} table{border-collapse:collapse;width:100%;font-size:.85em;
table-layout:fixed;word-wrap:break-word} th,td{border:1px solid #ccc;padding:.3em .5em;
text-align:left;vertical-align:top} th{background:#eee} .error{color:#a00;font-weight:bold}
.warning{color:#a60} .ok{color:#070;font-weight:bold} code{font-size:.95em}
"""


def render_html(report: ValidationReport, title: str = "Validation summary") -> str:
    """A self-contained page (inline CSS, no scripts, no links); every value escaped."""
    e = html.escape
    verdict = '<span class="ok">PASSED</span>' if report.ok else '<span class="error">FAILED</span>'
    exp_rows = "".join(
        f"<tr><td>{e(x.table)}</td><td>{e(x.description)}</td><td>{e(x.severity)}</td>"
        f'<td class="{"ok" if x.success else x.severity}">{"met" if x.success else "unmet"}'
        f"</td><td>{x.unexpected_count}</td></tr>"
        for x in report.expectations
    )
    prob_rows = "".join(
        f'<tr><td class="{e(p.severity)}">{e(p.severity)}</td><td>{e(p.file)}</td>'
        f"<td>{p.line or ''}</td><td>{e(p.column or '')}</td><td><code>{e(p.short_value() or '')}"
        f"</code></td><td>{e(p.rule)}</td></tr>"
        for p in report.problems[:1000]
    )
    more = (
        f"<p>{len(report.problems) - 1000} more problems in the JSON result.</p>"
        if len(report.problems) > 1000
        else ""
    )
    files = "".join(f"<li><code>{e(f)}</code></li>" for f in report.files)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{e(title)}</title>
<style>{_CSS}</style></head><body>
<h1>{e(title)}: {verdict}</h1>
<p>{e(summary_line(report))}</p>
<h2>Files</h2><ul>{files}</ul>
<h2>Problems</h2>
{"<p>None.</p>" if not report.problems else ""}
{
        '<table><thead><tr><th style="width:6%">severity</th><th style="width:20%">file</th>'
        '<th style="width:5%">line</th><th style="width:12%">column</th><th style="width:22%">value'
        "</th><th>rule</th></tr></thead><tbody>" + prob_rows + "</tbody></table>"
        if report.problems
        else ""
    }{more}
<h2>Expectations</h2>
<table><thead><tr><th style="width:8%">table</th><th>rule</th><th style="width:8%">severity</th>
<th style="width:8%">result</th><th style="width:10%">failing rows</th></tr></thead>
<tbody>{exp_rows}</tbody></table>
</body></html>
"""


def write_summary(report: ValidationReport, html_path: Path, json_path: Path) -> None:
    """Write the HTML page and the JSON result, each atomically."""
    atomic.write_text(Path(html_path), render_html(report))
    write_json(report, Path(json_path))
