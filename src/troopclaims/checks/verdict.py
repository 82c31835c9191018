"""A validation run's verdict: each expectation's outcome, the problems found, counted per rule.

The model every stage shares and every output is drawn from (the CLI's lines, the JSON file, the
HTML page, the report's tables): it knows nothing of Great Expectations, of files or of markup,
so whoever only reads or shows a verdict imports neither. Bad input can be large, so problems are
listed only up to a bound per rule and the rest counted (``listed``, ``bound``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace

from troopclaims.escaping import for_json
from troopclaims.problems import FIX_LIST_CAP, BoundedProblems, Problem, RuleKey

# Problems listed per rule in the terminal and on the summary page; the rest are only counted
# there, so a million bad rows print about as much as twenty. When so many rules fail that the
# listing would pass LIST_LIMIT_TOTAL, each rule lists fewer (at least one). Both are read at
# call time: code may set ``verdict.LIST_LIMIT_PER_RULE`` (or pass ``limit``) to list more.
# The fix list (the JSON result, problems.csv) lists every problem kept: ``FIX_LIST_CAP``.
LIST_LIMIT_PER_RULE = 20
LIST_LIMIT_TOTAL = 1000


def list_limit(limit: int | None) -> int:
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
    (``to_dict``; ``verdict_display``'s lines and page) lists the first ``LIST_LIMIT_PER_RULE`` of
    each rule in ``problems``' order, with each rule's total. ``errors``/``warnings`` are the listed
    ones; ``error_count``/``warning_count`` the totals. ``read_as`` records how each CSV's bytes
    were read (encoding, delimiter, line endings). ``impact`` is what ingesting a valid drop
    would change on the report's page 1 (``impact.Impact.to_dict``), set by the command that
    computed it and None otherwise: plain data here, so the verdict's outputs show it without
    this stage importing the report's.
    """

    problems: list[Problem] = field(default_factory=list)
    expectations: list[ExpectationOutcome] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    read_as: dict[str, str] = field(default_factory=dict)
    unlisted: dict[RuleKey, int] = field(default_factory=dict)
    impact: dict | None = None

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    def _found(self, severity: str | None) -> int:
        """Problems found of one severity (None: any), the listed ones and the counted ones (a
        rule key's first part is its severity): the one count behind the three totals."""
        listed = sum(1 for p in self.problems if severity in (None, p.severity))
        return listed + sum(n for k, n in self.unlisted.items() if severity in (None, k[0]))

    @property
    def error_count(self) -> int:
        """Every error found, listed or not."""
        return self._found("error")

    @property
    def warning_count(self) -> int:
        """Every warning found, listed or not."""
        return self._found("warning")

    @property
    def found_count(self) -> int:
        """Every problem found, listed or not, whatever its severity (infos included)."""
        return self._found(None)

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    def per_rule_limit(self, limit: int | None = None) -> int:
        """How many problems each rule lists: ``limit`` (default ``LIST_LIMIT_PER_RULE``), fewer
        when that many for every failing rule would pass ``LIST_LIMIT_TOTAL``; at least 1."""
        rules = len({p.rule_key for p in self.problems} | set(self.unlisted))
        return max(1, min(list_limit(limit), LIST_LIMIT_TOTAL // max(rules, 1)))

    def kept_per_rule(self) -> int:
        """How many problems each rule keeps for the fix list: all of them while the run's
        total stays within ``FIX_LIST_CAP``, else the rule's share of it (at least as many as
        the terminal lists)."""
        found = self.found_count
        if found <= FIX_LIST_CAP:
            return max(found, 1)
        rules = len({p.rule_key for p in self.problems} | set(self.unlisted))
        return max(list_limit(None), FIX_LIST_CAP // max(rules, 1))

    def listed(self, limit: int | None = None) -> tuple[list[Problem], list[RuleCount]]:
        """The first ``per_rule_limit(limit)`` problems of each rule (in order), and every rule's
        tally (in the order of its first problem)."""
        return self._first(self.per_rule_limit(limit))

    def _first(self, limit: int) -> tuple[list[Problem], list[RuleCount]]:
        """The first ``limit`` problems of each rule, and every rule's tally."""
        bounded = BoundedProblems(limit)
        for p in self.problems:
            bounded.add(p)
        shown, seen = bounded.items, bounded.seen
        for key in self.unlisted:
            seen.setdefault(key, 0)
        counts = []
        for (severity, expectation, rule), n in seen.items():
            total = n + self.unlisted.get((severity, expectation, rule), 0)
            counts.append(RuleCount(rule, expectation or None, severity, total, min(n, limit)))
        return shown, counts

    def bound(self, limit: int | None = None) -> ValidationReport:
        """Keep only the problems of the fix list (``kept_per_rule`` of each rule, or ``limit``),
        counting the others in ``unlisted``."""
        shown, counts = self._first(limit or self.kept_per_rule())
        self.problems = shown
        self.unlisted = {
            (c.severity, c.expectation or "", c.rule): c.total - c.listed
            for c in counts
            if c.total > c.listed
        }
        return self

    def scoped(self, location: str) -> ValidationReport:
        """The report of one drop: errors wherever they are (any of them refuses the drop), and
        the warnings and notes of the files at ``location`` (a display path: a drop's folder or
        a claims CSV) only. A dataset's own warnings were said when it was ingested, and stay on
        its summary page; repeated under every later drop they would bury the drop's own. A copy:
        the dataset-wide report stays whole. Counts of unlisted problems (past the fix list's
        cap) carry no file, so only the errors among them are kept."""
        inside = location.rstrip("/") + "/"

        def ours(p: Problem) -> bool:
            return p.severity == "error" or p.file == location or p.file.startswith(inside)

        return replace(
            self,
            problems=[p for p in self.problems if ours(p)],
            unlisted={k: n for k, n in self.unlisted.items() if k[0] == "error"},
        )

    def fix_list(self) -> list[Problem]:
        """The problems the JSON lists (the fix list), as objects."""
        return self._first(self.kept_per_rule())[0]

    def to_json(self, limit: int | None = None) -> str:
        """The JSON text every copy of a verdict uses (processed/, reports/, --json)."""
        return for_json(json.dumps(self.to_dict(limit), indent=2, ensure_ascii=False)) + "\n"

    def to_dict(self, limit: int | None = None) -> dict:
        """The JSON form (schema in README: ok, summary, expectations, problem_counts, problems;
        and ``impact`` for a valid drop whose impact was computed).

        ``problems`` is the fix list: every problem kept (``kept_per_rule``; or the first
        ``limit`` of each rule when given); ``problem_counts`` holds every rule that found any,
        with its ``total`` and how many are ``listed``; the summary's ``errors`` and
        ``warnings`` are totals, ``complete`` says whether every problem found is listed.
        """
        per_rule = limit or self.kept_per_rule()
        shown, counts = self._first(per_rule)
        impact = {} if self.impact is None else {"impact": self.impact}
        return {
            "ok": self.ok,
            "summary": {
                "errors": self.error_count,
                "warnings": self.warning_count,
                "infos": self.found_count - self.error_count - self.warning_count,
                "listed": len(shown),
                "complete": len(shown) == self.found_count,
                "found": self.found_count,
                "listed_per_rule": per_rule,
                "rows": self.rows,
                "files": self.files,
                "read_as": self.read_as,
            },
            "expectations": [vars(e) for e in self.expectations],
            "problem_counts": [vars(c) for c in counts],
            "problems": [p.to_dict() for p in shown],
            **impact,
        }


def add_counts(*counts: dict[RuleKey, int]) -> dict[RuleKey, int]:
    """Per-rule counts summed (two tables may share a rule: the formula ban on ``note``)."""
    out: dict[RuleKey, int] = {}
    for each in counts:
        for key, n in each.items():
            out[key] = out.get(key, 0) + n
    return out
