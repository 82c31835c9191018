"""Run the expectation suites over the whole dataset (or the dataset plus a candidate drop).

Validation always sees the existing data and the candidate together, because the rules that
matter most span them: a claim_id must be unique across both, a claim may cite an article that an
earlier drop brought. Problems come back located (file, line, column, value, rule) and severity
is applied here: warnings are reported but never fail a run.

This module decides what is read and judged together; ``gxrun`` runs the rules, ``verdict`` holds
what a run found and ``verdict_display`` shows it (lines, JSON, HTML page, report tables).
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from troopclaims import config, contract
from troopclaims.checks import completeness, gxrun
from troopclaims.checks.quotes import normalize_whitespace
from troopclaims.checks.verdict import ExpectationOutcome, ValidationReport, add_counts
from troopclaims.intake import load, snapshot
from troopclaims.problems import Problem

# ---------------------------------------------------------------------------------------------
# The dataset's own checks, done in pandas before GX sees it


def _inspect_article_files(
    articles: pd.DataFrame,
) -> tuple[pd.DataFrame, dict[str, str], list[Problem]]:
    """Check each article file from its snapshot (``load.ARTICLE_TEXT_COLUMN``): present,
    readable as UTF-8 text, free of hidden control characters; and return the texts (as
    received) the text rules need, with a located problem per text that holds such a character.

    Nothing is opened here: the snapshot read each text once, safely. A name that is not a
    plain file name (``../../etc/passwd``) was never opened: the file-name rule reports it. A
    text the snapshot refused (a link, a FIFO, over the size limit) is reported at its own path
    (``read_and_validate``), so its row's rules stay silent: one fault, one message.
    """
    exists, utf8, texts, problems = [], [], {}, []
    columns = (
        articles["article_id"],
        articles["file"],
        articles[load.ARTICLE_TEXT_COLUMN],
        articles[load.TEXT_FILE_COLUMN],
    )
    for article_id, name, entry, shown in zip(*columns, strict=True):
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
        if text is not None and article_id not in texts:
            texts[article_id] = text
            problems += [p for p in [_hidden_character(shown, entry.data)] if p is not None]
    checks = pd.DataFrame({"_file_exists": exists, "_file_utf8": utf8}, dtype="object")
    return checks, texts, problems


ARTICLE_CONTROL_RULE = (
    "an article text must not contain control characters other than tab and line breaks "
    "(no ANSI escapes), bidi controls or zero-width/invisible characters: they would reach the "
    "terminal and the report raw; remove them from the text"
)
_CONTEXT_CHARS = 40  # of the line around a hidden character, in the message


def _hidden_character(shown: str, data: bytes) -> Problem | None:
    """The first character of an article text that the contract bans in free text (the CSVs'
    own rule, ``contract.TEXT_CONTROL_PATTERN``), located by line, with the text around it.

    Why: the sentences of an article are printed by the completeness check and published in the
    report, so a text may carry no more than a CSV cell may. A UTF-8 byte order mark at the very
    start is how some editors save text, not content: it is allowed there. RE2 (pyarrow) scans
    the bytes once, whatever they hold.
    """
    start = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    found = pc.find_substring_regex(
        pa.array([data[start:]], type=pa.large_binary()).cast(pa.large_string()),
        contract.TEXT_CONTROL_PATTERN,
    )[0].as_py()
    if found == -1:
        return None
    offset = start + found
    line_start = data.rfind(b"\n", 0, offset) + 1
    before = data[max(line_start, offset - _CONTEXT_CHARS * 4) : offset].decode("utf-8", "ignore")
    after = data[offset : offset + _CONTEXT_CHARS * 4].decode("utf-8", "ignore").split("\n")[0]
    return Problem(
        shown,
        ARTICLE_CONTROL_RULE,
        line=data.count(b"\n", 0, offset) + 1,
        value=before[-_CONTEXT_CHARS:] + after[: _CONTEXT_CHARS + 1],
        expectation="article_text",
    )


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
    """Validate raw string frames (from ``load.read_tables``) with both suites, then run the
    completeness check (troop figures no claim records, unless ``unclaimed`` says why)."""
    from troopclaims.checks import expectations as ex

    today = today or _today()
    checks, texts, text_problems = _inspect_article_files(articles)
    art_frame = ex.prepare_articles(articles, checks)
    art_rules = ex.articles_rules()
    claim_frame, claim_rows = ex.prepare_claims(claims, articles, today)
    known_ids = sorted({a for a in articles["article_id"] if a})
    normalised = {a: normalize_whitespace(t) for a, t in texts.items()}
    claim_rules = ex.claims_rules(known_ids, normalised)
    art_problems, art_outcomes, art_unlisted = gxrun.check(
        "articles", art_frame, articles, art_rules
    )
    cl_problems, cl_outcomes, cl_unlisted = gxrun.check(
        "claims", claim_frame, claims, claim_rules, claim_rows
    )
    if unclaimed is None:
        unclaimed = load.empty_unclaimed()
    found = completeness.check_completeness(
        completeness.article_texts(articles, texts), claims, unclaimed
    )
    found = [_counted_as_completeness(p) for p in found]
    problems = sorted(art_problems + cl_problems + text_problems + found, key=_problem_order)
    files = sorted(set(claims[load.SOURCE_FILE_COLUMN]) | set(articles[load.SOURCE_FILE_COLUMN]))
    return ValidationReport(
        problems,
        art_outcomes + cl_outcomes,
        {"claims": len(claims), "articles": len(articles)},
        files,
        unlisted=add_counts(art_unlisted, cl_unlisted),
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


def validate_sources(sources: list[snapshot.Source], today: date | None = None) -> ValidationReport:
    """Read and validate ``sources`` together; unreadable files become problems, not crashes."""
    return read_and_validate(sources, today)[0]


def read_and_validate(
    sources: list[snapshot.Source], today: date | None = None, release: bool = False
) -> tuple[ValidationReport, pd.DataFrame | None, pd.DataFrame | None]:
    """The report, and the raw (claims, articles) frames it judged when they could be read.

    Returned together so that processing types the very frames that were validated, instead
    of reading every file a second time. The column set of every file is checked (a GX rule on
    a zero-row frame of the file's own header), and the row rules run on the columns each file
    does have: a header fault never hides a row fault (``_not_hidden``).

    Everything is read first, once, into one value (``load.read_tables``, which ``release``
    is handed to); the checks then start from it and never call back into reading. Article
    texts a snapshot refused (a link, a FIFO, over the size limit), and any link, FIFO, device
    or socket anywhere in a source's folder, are errors at their own path; a drop's files
    outside the contract are warnings (ingest leaves them behind).
    """
    tables = load.read_tables(sources, release=release)
    if tables.error is not None:
        problems = sorted(_once(tables.refused + tables.error.problems), key=_problem_order)
        report = ValidationReport(
            problems=problems,
            files=tables.files,
            read_as=tables.read_as,
            unlisted=tables.error.unlisted,
        )
        return report, None, None
    header_problems, outcomes = _check_columns(tables.headers["claims"], tables.headers["articles"])
    report = validate_frames(tables.claims, tables.articles, today, tables.unclaimed)
    report.expectations = outcomes + report.expectations
    row_problems = report.problems
    if header_problems:
        row_problems = _not_hidden(row_problems, _missing_columns(header_problems))
    found = tables.warnings + tables.refused + tables.unclaimed_problems
    report.problems = sorted(found + header_problems + row_problems, key=_problem_order)
    report.read_as = tables.read_as
    return report, tables.claims, tables.articles


def _missing_columns(header_problems: list[Problem]) -> dict[str, set[str]]:
    """file -> the contract columns its header lacks (read as empty for the row rules)."""
    missing: dict[str, set[str]] = {}
    for p in header_problems:
        if p.rule == load.MISSING_COLUMN and p.column:
            missing.setdefault(p.file, set()).add(p.column)
    return missing


def _not_hidden(problems: list[Problem], missing: dict[str, set[str]]) -> list[Problem]:
    """The row problems a missing column does not explain.

    A column absent from a file's header reads as empty, so every rule that reads it would
    fault each row for what is one fault of the header (already reported). Those are left out:
    a problem at such a column, or of an expectation over it (its helper columns are named for
    it: ``_unit_present`` for ``unit``). Without a quote or an article id the completeness check
    has nothing to compare with, so its warnings go too. What remains are the faults of the
    columns the file does have, all reported in this one run.
    """
    from troopclaims.checks.expectations import ARTICLE_LINK_RULE  # GX is loaded by now

    absent = set().union(*missing.values()) if missing else set()
    blind = bool(absent & {"quote", "article_id"})
    unlinked = "article_id" in absent  # no article has an id: no claim can name one
    kept = []
    for p in problems:
        gone = missing.get(p.file, set())
        if p.rule_key[2] == completeness.UNCOVERED_RULE and blind:
            continue
        if unlinked and p.column == "article_id" and p.rule == ARTICLE_LINK_RULE:
            continue
        if p.column in gone or any(_reads(p.expectation or "", col) for col in gone):
            continue
        kept.append(p)
    return kept


def _reads(expectation: str, column: str) -> bool:
    """Does the expectation named ``expectation`` ('kind(col_a,col_b)') read ``column``, by
    itself or through a helper column named for it (``_unit_present`` for ``unit``)?

    Whole names only: ``figure_as_of`` is not ``figure``, and a helper is credited to the
    longest contract column its name holds (``_figure_as_of_dt`` reads ``figure_as_of``), so a
    missing ``figure`` hides no fault of ``figure_as_of``."""
    _, _, argument = expectation.partition("(")
    return any(column in _sources(name.strip()) for name in argument.rstrip(")").split(","))


_CONTRACT_COLUMNS = frozenset(contract.CLAIM_COLUMNS) | frozenset(contract.ARTICLE_COLUMNS)


def _sources(name: str) -> set[str]:
    """The contract columns an argument of a rule stands for: itself, or for a helper column
    (a leading '_') the longest contract columns its words hold."""
    if not name.startswith("_"):
        return {name}
    words = name.strip("_").split("_")
    held = {
        c
        for c in _CONTRACT_COLUMNS
        for i in range(len(words))
        if words[i : i + len(c.split("_"))] == c.split("_")
    }
    return {c for c in held if not any(c != o and f"_{c}_" in f"_{o}_" for o in held)}


def _once(problems: list[Problem]) -> list[Problem]:
    """Each problem once: a folder refused is also the reason each of its files is missing."""
    return list(dict.fromkeys(problems))


def _check_columns(
    claim_headers: dict[str, list[str]], article_headers: dict[str, list[str]]
) -> tuple[list[Problem], list[ExpectationOutcome]]:
    """Run the column-set rule on each file's header; one problem per missing/unknown column."""
    from troopclaims.checks import expectations as ex

    problems: list[Problem] = []
    outcomes: list[ExpectationOutcome] = []
    for table, headers, expected in (
        ("claims", claim_headers, contract.CLAIM_COLUMNS),
        ("articles", article_headers, contract.ARTICLE_COLUMNS),
    ):
        rule = ex.columns_rule(expected)
        for file, header in headers.items():
            success, mismatched = gxrun.check_header(f"{table}_columns", rule, header)
            outcomes.append(
                ExpectationOutcome(
                    rule.name, rule.text, table, rule.severity, success, 0 if success else 1
                )
            )
            for key, text in (
                ("unexpected", load.UNKNOWN_COLUMN),
                ("missing", load.MISSING_COLUMN),
            ):
                problems += [
                    Problem(file, text, line=1, column=col, expectation=rule.name)
                    for col in mismatched.get(key) or []
                ]
            if not success and not mismatched:
                problems.append(Problem(file, rule.text, line=1, expectation=rule.name))
    return problems, outcomes


def candidate_sources(path: Path, raw_dir: Path | None = None) -> list[snapshot.Source]:
    """The existing dataset plus ``path`` (a drop folder or claims CSV), unless already in it;
    the candidate and the dataset are read (once: validation uses what was read).

    ``DataError`` when the drop is refused before validation (``snapshot.read_candidate``: a link, a
    special file, a name that could not become data/raw/drops/<name>, a name or a claims.csv
    already ingested): the very check ``ingest`` makes.
    """
    raw_dir = Path(raw_dir or config.RAW_DIR)
    existing = snapshot.dataset_sources(raw_dir)
    path = Path(path)
    if not path.is_symlink():
        target = path.resolve()
        for src in existing:
            if target in (src.claims_csv.resolve(), src.claims_csv.parent.resolve()):
                return existing
    dataset, candidate = snapshot.read_candidate(path, raw_dir, allow_csv=True)
    return [*dataset, candidate]
