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
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

import pandas as pd

from troopclaims import atomic, completeness, config, contract, load, snapshot
from troopclaims.problems import DataError, Problem
from troopclaims.quotes import normalize_whitespace

# Problems listed per rule, in the terminal and in the JSON and HTML summaries alike; the rest are
# only counted, so a million bad rows print about as much as twenty. When so many rules fail that
# the listing would pass LIST_LIMIT_TOTAL, each rule lists fewer (at least one). Both are read at
# call time: code may set ``validate.LIST_LIMIT_PER_RULE`` (or pass ``limit``) to list more.
LIST_LIMIT_PER_RULE = 20
LIST_LIMIT_TOTAL = 1000
NARROW_BATCHES_FROM_ROWS = 20_000

RuleKey = tuple[str, str, str]  # Problem.rule_key: (severity, expectation, rule in general words)


def _limit(limit: int | None) -> int:
    """``limit``, or the module's per-rule limit; at least 1 so every failing rule shows."""
    return max(1, LIST_LIMIT_PER_RULE if limit is None else limit)


@dataclass
class ExpectationOutcome:
    """One expectation's verdict, for the summary table."""

    name: str
    description: str
    table: str
    severity: str
    success: bool
    unexpected_count: int


@dataclass(frozen=True)
class RuleCount:
    """One rule's tally: how many problems it found (``total``), how many are listed."""

    rule: str
    expectation: str | None
    severity: str
    total: int
    listed: int


@dataclass
class ValidationReport:
    """Everything a run found: problems (located) and each expectation's outcome.

    ``problems`` are the problems listed; ``unlisted`` counts, per rule (``Problem.rule_key``),
    those found but not kept, so a million bad rows never become a million objects. Every output
    (``format_lines``, ``to_dict``, ``render_html``) lists the first ``LIST_LIMIT_PER_RULE`` of each
    rule in ``problems``' order, with each rule's total. ``errors``/``warnings`` are the listed
    ones; ``error_count``/``warning_count`` the totals. ``read_as`` records how each CSV's bytes
    were read (encoding, delimiter, line endings).
    """

    problems: list[Problem] = field(default_factory=list)
    expectations: list[ExpectationOutcome] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    read_as: dict[str, str] = field(default_factory=dict)
    unlisted: dict[RuleKey, int] = field(default_factory=dict)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def error_count(self) -> int:
        """Every error found, listed or not."""
        return len(self.errors) + sum(n for k, n in self.unlisted.items() if k[0] == "error")

    @property
    def warning_count(self) -> int:
        """Every warning found, listed or not."""
        return len(self.warnings) + sum(n for k, n in self.unlisted.items() if k[0] == "warning")

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    def per_rule_limit(self, limit: int | None = None) -> int:
        """How many problems each rule lists: ``limit`` (default ``LIST_LIMIT_PER_RULE``), fewer
        when that many for every failing rule would pass ``LIST_LIMIT_TOTAL``; at least 1."""
        rules = len({p.rule_key for p in self.problems} | set(self.unlisted))
        return max(1, min(_limit(limit), LIST_LIMIT_TOTAL // max(rules, 1)))

    def listed(self, limit: int | None = None) -> tuple[list[Problem], list[RuleCount]]:
        """The first ``per_rule_limit(limit)`` problems of each rule (in order), and every rule's
        tally (in the order of its first problem)."""
        limit = self.per_rule_limit(limit)
        shown: list[Problem] = []
        seen: dict[RuleKey, int] = {}
        for p in self.problems:
            key = p.rule_key
            seen[key] = seen.get(key, 0) + 1
            if seen[key] <= limit:
                shown.append(p)
        for key in self.unlisted:
            seen.setdefault(key, 0)
        counts = []
        for (severity, expectation, rule), n in seen.items():
            total = n + self.unlisted.get((severity, expectation, rule), 0)
            counts.append(RuleCount(rule, expectation or None, severity, total, min(n, limit)))
        return shown, counts

    def bound(self, limit: int | None = None) -> ValidationReport:
        """Keep only the problems listed (``listed``), counting the others in ``unlisted``."""
        shown, counts = self.listed(limit)
        self.problems = shown
        self.unlisted = {
            (c.severity, c.expectation or "", c.rule): c.total - c.listed
            for c in counts
            if c.total > c.listed
        }
        return self

    def to_json(self, limit: int | None = None) -> str:
        """The JSON text every copy of a verdict uses (processed/, reports/, --json)."""
        return json.dumps(self.to_dict(limit), indent=2, ensure_ascii=False) + "\n"

    def to_dict(self, limit: int | None = None) -> dict:
        """The JSON form (schema in README: ok, summary, expectations, problem_counts, problems).

        ``problems`` lists the first ``limit`` problems of each rule; ``problem_counts`` holds
        every rule that found any, with its ``total`` and how many are ``listed``; the summary's
        ``errors`` and ``warnings`` are totals.
        """
        shown, counts = self.listed(limit)
        return {
            "ok": self.ok,
            "summary": {
                "errors": self.error_count,
                "warnings": self.warning_count,
                "listed": len(shown),
                "listed_per_rule": self.per_rule_limit(limit),
                "rows": self.rows,
                "files": self.files,
                "read_as": self.read_as,
            },
            "expectations": [vars(e) for e in self.expectations],
            "problem_counts": [vars(c) for c in counts],
            "problems": [p.to_dict() for p in shown],
        }


def _add_counts(*counts: dict[RuleKey, int]) -> dict[RuleKey, int]:
    """Per-rule counts summed (two tables may share a rule: the formula ban on ``note``)."""
    out: dict[RuleKey, int] = {}
    for each in counts:
        for key, n in each.items():
            out[key] = out.get(key, 0) + n
    return out


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


def _run_rules(name: str, frame: pd.DataFrame, rules: list, limit: int | None = None) -> list:
    """Validate ``frame`` against ``rules``; return GX results aligned to ``rules``, each with
    its count of failing rows and the first ``limit`` of their indices (``_validate_batch``).

    Large frames: rules are grouped by the columns they read and each group runs on a batch
    holding only those columns. GX hashes every batch and filters the whole batch for each
    column-map metric, so one wide batch cost ~40 s per million rows where narrow ones cost a
    fraction; table-level rules (the column set) see every column of a zero-row copy. Small
    frames: one batch, since each batch has a fixed cost (~25 ms) that then dominates.
    """
    if len(frame) < NARROW_BATCHES_FROM_ROWS:
        return _validate_batch(name, frame, rules, limit)
    groups: dict[tuple[str, ...], list[int]] = {}
    for i, rule in enumerate(rules):
        groups.setdefault(_columns_of(rule), []).append(i)
    by_rule: list = [None] * len(rules)
    for n, (cols, indices) in enumerate(groups.items()):
        batch_frame = frame[list(cols)] if cols else frame.head(0)
        results = _validate_batch(f"{name}{n}", batch_frame, [rules[i] for i in indices], limit)
        for i, res in zip(indices, results, strict=True):
            by_rule[i] = res
    return by_rule


def _validate_batch(name: str, frame: pd.DataFrame, rules: list, limit: int | None = None) -> list:
    """One GX batch and suite; results come back in ``rules`` order (matched via ``meta``).

    GX's SUMMARY format: each result holds ``unexpected_count`` and only the first ``limit``
    failing rows (``partial_unexpected_index_list``). COMPLETE returned every failing index and
    an index query string holding them all (a million-entry list per broken rule); the query is
    off here too.
    """
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
        suite,
        result_format={
            "result_format": "SUMMARY",
            "partial_unexpected_count": _limit(limit),
            "include_unexpected_rows": False,
            "return_unexpected_index_query": False,
        },
    )
    by_rule: list = [None] * len(rules)
    for res in result.results:
        by_rule[res.expectation_config.meta["rule"]] = res
    return by_rule


def _outcomes(
    table: str,
    frame: pd.DataFrame,
    source_frame: pd.DataFrame,
    rules: list,
    results: list,
    limit: int | None = None,
) -> tuple[list[Problem], list[ExpectationOutcome], dict[RuleKey, int]]:
    """Turn GX results into located problems; a check that crashed is an error, never a pass.

    Only the first ``limit`` failing rows of each rule become problems (located in a few
    vectorised lookups, explained one by one); the rest are counted in the returned per-rule
    ``unlisted`` counts.
    """
    problems: list[Problem] = []
    outcomes: list[ExpectationOutcome] = []
    unlisted: dict[RuleKey, int] = {}
    limit = _limit(limit)
    for rule, res in zip(rules, results, strict=True):
        crashed = res is None or (res.exception_info or {}).get("raised_exception")
        detail = res.result if res is not None else {}
        indices = detail.get("partial_unexpected_index_list") or []
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
        found = _located(rule, frame, source_frame, indices[:limit])
        problems += found
        if count > len(found):
            key = found[0].rule_key
            unlisted[key] = unlisted.get(key, 0) + count - len(found)
    return problems, outcomes, unlisted


def _located(rule, frame: pd.DataFrame, source_frame: pd.DataFrame, indices: list) -> list[Problem]:
    """The problems of one rule at these row labels: file, line, the cell, the rule's words."""
    # some GX versions return {index-column: value}
    labels = [next(iter(i.values())) if isinstance(i, dict) else i for i in indices]
    where = source_frame.loc[labels, [load.SOURCE_FILE_COLUMN, load.LINE_COLUMN]]
    rows = frame.loc[labels]
    return [
        Problem(
            file=file,
            line=int(line),
            column=rule.column,
            value=_cell_text(row[rule.column]),
            rule=rule.explain(row) if rule.explain else rule.text,
            severity=rule.severity,
            expectation=rule.name,
            counted_as=rule.text if rule.explain else None,
        )
        for file, line, (_, row) in zip(
            where[load.SOURCE_FILE_COLUMN], where[load.LINE_COLUMN], rows.iterrows(), strict=True
        )
    ]


def _cell_text(value) -> str:
    """A cell as the user typed it: empty (None/NaN/NA) is the empty string."""
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)


def _files_of(frame: pd.DataFrame) -> str:
    return ", ".join(sorted(frame[load.SOURCE_FILE_COLUMN].unique()))


# ---------------------------------------------------------------------------------------------
# The dataset's own checks, done in pandas before GX sees it


def _inspect_article_files(articles: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, str]]:
    """Check each article file from its snapshot (``load.ARTICLE_TEXT_COLUMN``): present,
    readable as UTF-8 text; and return the texts (as received) the text rules need.

    Nothing is opened here: the snapshot read each text once, safely. A name that is not a
    plain file name (``../../etc/passwd``) was never opened: the file-name rule reports it. A
    text the snapshot refused (a link, a FIFO, over the size limit) is reported at its own path
    (``read_and_validate``), so its row's rules stay silent: one fault, one message.
    """
    exists, utf8, texts = [], [], {}
    columns = (articles["article_id"], articles["file"], articles[load.ARTICLE_TEXT_COLUMN])
    for article_id, name, entry in zip(*columns, strict=True):
        safe = re.fullmatch(contract.FILE_PATTERN, name) is not None
        if not safe or (entry is not None and entry.problem is not None):
            exists.append(None)
            utf8.append(None)
            continue
        exists.append(entry is not None)
        if entry is None:
            utf8.append(None)
            continue
        text = _read_article(entry)
        utf8.append(text is not None)
        if text is not None:
            texts.setdefault(article_id, text)
    checks = pd.DataFrame({"_file_exists": exists, "_file_utf8": utf8}, dtype="object")
    return checks, texts


def _read_article(entry: snapshot.Entry) -> str | None:
    """The article's text, or None when it could not be read, is not UTF-8, or holds NUL bytes."""
    if entry.data is None:
        return None
    try:
        text = entry.data.decode("utf-8")
    except UnicodeDecodeError:
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
    art_problems, art_outcomes, art_unlisted = _outcomes(
        "articles", art_frame, articles, art_rules, _run_rules("articles", art_frame, art_rules)
    )
    cl_problems, cl_outcomes, cl_unlisted = _outcomes(
        "claims", claim_frame, claims, claim_rules, _run_rules("claims", claim_frame, claim_rules)
    )
    if unclaimed is None:
        unclaimed = completeness.empty_unclaimed()
    found = completeness.check_completeness(
        completeness.article_texts(articles, texts), claims, unclaimed
    )
    found = [_counted_as_completeness(p) for p in found]
    problems = sorted(art_problems + cl_problems + found, key=_problem_order)
    files = sorted(set(claims[load.SOURCE_FILE_COLUMN]) | set(articles[load.SOURCE_FILE_COLUMN]))
    return ValidationReport(
        problems,
        art_outcomes + cl_outcomes,
        {"claims": len(claims), "articles": len(articles)},
        files,
        unlisted=_add_counts(art_unlisted, cl_unlisted),
    ).bound()


def _counted_as_completeness(p: Problem) -> Problem:
    """A completeness warning quotes its sentence; it counts under the rule without it."""
    if p.rule.startswith(completeness.UNCOVERED_RULE) and p.rule != completeness.UNCOVERED_RULE:
        return replace(p, counted_as=completeness.UNCOVERED_RULE)
    return p


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

    Each source is read once (``load.read_source``, unless the caller already did, as ingest
    does to write the very bytes judged here); article texts its snapshot refused (a link, a
    FIFO, over the size limit), and any link, FIFO, device or socket anywhere in a source's
    folder, are errors at their own path; a drop's files outside the contract are warnings
    (ingest leaves them behind).
    """
    sources = [load.read_source(s) for s in sources]
    refused = load.refused_files(sources) + load.left_behind(sources)
    files = [config.display_path(s.claims_csv) for s in sources]
    try:
        claims, articles = load.read_sources(sources, check_columns=False)
    except DataError as err:
        read_as = getattr(err, "read_as", {})
        problems = sorted(_once(refused + err.problems), key=_problem_order)
        report = ValidationReport(
            problems=problems, files=files, read_as=read_as, unlisted=err.unlisted
        )
        return report, None, None
    read_as = claims.attrs["read_as"]
    read_warnings = [Problem(**w) for w in claims.attrs["read_warnings"]]
    problems, outcomes = _check_columns(claims.attrs["headers"], articles.attrs["headers"])
    if problems:
        problems = sorted(read_warnings + refused + problems, key=_problem_order)
        report = ValidationReport(problems, outcomes, files=files, read_as=read_as)
        return report, claims, articles
    unclaimed, unreadable = completeness.read_unclaimed(sources)
    report = validate_frames(claims, articles, today, unclaimed)
    report.expectations = outcomes + report.expectations
    found = read_warnings + refused + unreadable + report.problems
    report.problems = sorted(found, key=_problem_order)
    report.read_as = {**read_as, **unclaimed.attrs.get("read_as", {})}
    return report, claims, articles


def _once(problems: list[Problem]) -> list[Problem]:
    """Each problem once: a folder refused is also the reason each of its files is missing."""
    return list(dict.fromkeys(problems))


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
    """The existing dataset plus ``path`` (a drop folder or claims CSV), unless already in it;
    the candidate and the dataset are read (once: validation uses what was read).

    ``DataError`` when the drop is refused before validation (``load.read_candidate``: a link, a
    special file, a name that could not become data/raw/drops/<name>, a name or a claims.csv
    already ingested): the very check ``ingest`` makes.
    """
    raw_dir = Path(raw_dir or config.RAW_DIR)
    existing = load.dataset_sources(raw_dir)
    path = Path(path)
    if not path.is_symlink():
        target = path.resolve()
        for src in existing:
            if target in (src.claims_csv.resolve(), src.claims_csv.parent.resolve()):
                return existing
    dataset, candidate = load.read_candidate(path, raw_dir, allow_csv=True)
    return [*dataset, candidate]


# ---------------------------------------------------------------------------------------------
# Output: the lines the CLI prints, the JSON file and the self-contained HTML summary


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
    their values untruncated), written atomically."""
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
    shown, counts = report.listed()
    prob_rows = "".join(
        f'<tr><td class="{e(p.severity)}">{e(p.severity)}</td><td>{e(p.file)}</td>'
        f"<td>{p.line or ''}</td><td>{e(p.column or '')}</td><td><code>{e(p.short_value() or '')}"
        f"</code></td><td>{e(p.rule)}</td></tr>"
        for p in shown
    )
    more = "".join(f"<p>{e(more_line(c))}</p>" for c in counts if c.total > c.listed)
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
