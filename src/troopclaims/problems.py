"""The one shape every data problem takes, from a bad byte to a failed expectation.

Users fix data, not code: each problem names the file, the CSV line, the column, the offending
value and the rule in plain words, so the CLI can print it without a traceback and the JSON and
HTML summaries can list it. ``severity`` is ours to apply: GX's own severity never fails a run.

Bad input can be large (a million rows, each breaking a rule), so problems are counted per rule
and only the first few of each rule are listed: ``rule_key`` is the rule a problem counts under.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Literal

from troopclaims.errors import TroopclaimsError
from troopclaims.escaping import for_terminal

Severity = Literal["error", "warning", "info"]  # info: for the record, counts as neither
MAX_VALUE_CHARS = 80
MAX_NAME_CHARS = 300  # a file or column name as printed (a path may be long, a name is not)
MAX_RULE_CHARS = 600  # a rule as printed, with the sentence a completeness warning quotes
MESSAGE_LIMIT = 20  # problems spelt out in a DataError's message (all stay in .problems)
# Problems a run keeps for its fix list (the JSON result, problems.csv): every one it finds, up
# to this many in all. A million broken rows would otherwise be a million objects; 100,000 is
# a fix list no curator exhausts in one sitting and about 30 MB of JSON. Past it, each rule keeps
# its share and the result says, per rule, how many it found and how many it lists.
FIX_LIST_CAP = 100_000


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input, located as precisely as the input allows."""

    file: str
    rule: str
    line: int | None = None
    column: str | None = None
    value: str | None = None
    severity: Severity = "error"
    expectation: str | None = None
    row_id: str | None = None  # the row's own id (claim_id, article_id): a curator's handle
    # The rule in general words when ``rule`` is worded for this one row (the figure rule names
    # the numbers its quote holds): the problem is counted and listed under it. Not in to_dict.
    counted_as: str | None = field(default=None, compare=False, repr=False)

    @property
    def rule_key(self) -> tuple[str, str, str]:
        """(severity, expectation, rule in general words): the rule this problem counts under."""
        return (self.severity, self.expectation or "", self.counted_as or self.rule)

    def short_value(self) -> str | None:
        """The value as printed: truncated, control characters made visible."""
        if self.value is None:
            return None
        return for_terminal(self.value, MAX_VALUE_CHARS)

    def format(self) -> str:
        """``file:line: column 'x': value 'v': rule`` — the one-line form the CLI prints.

        Every part may come from a drop (a file name, a header cell, a value, the sentence a
        completeness warning quotes), so each is escaped and bounded: one problem is one line.
        """
        file = for_terminal(self.file, MAX_NAME_CHARS)
        where = file if self.line is None else f"{file}:{self.line}"
        parts = [f"{self.severity.upper()} {where}"]
        if self.column is not None:
            parts.append(f"column {for_terminal(self.column, MAX_NAME_CHARS)!r}")
        shown = self.short_value()
        if shown is not None:
            parts.append(f"value {shown!r}")
        parts.append(for_terminal(self.rule, MAX_RULE_CHARS))
        return ": ".join(parts)

    def to_dict(self) -> dict:
        """JSON-ready form (full value, not truncated)."""
        out = asdict(self)
        del out["counted_as"]
        return out


RuleKey = tuple[str, str, str]


class DataError(TroopclaimsError):
    """Raised when input cannot be read at all; carries the problems found so far.

    ``unlisted`` counts, per rule (``Problem.rule_key``), problems found but not kept (a
    million malformed rows keep ``MESSAGE_LIMIT`` of each rule: see ``BoundedProblems``).
    The command line lists them as a validation run does (``listed_as_validation``), with the
    verdict line, unless a subclass's problems are not the data's (new-drop's).
    """

    listed_as_validation = True

    def __init__(self, problems: list[Problem], unlisted: dict[RuleKey, int] | None = None):
        shown = [p.format() for p in problems[:MESSAGE_LIMIT]]
        more = len(problems) - len(shown) + sum((unlisted or {}).values())
        if more:
            shown.append(f"... and {more} more")
        super().__init__("\n".join(shown))
        self.problems = problems
        self.unlisted = dict(unlisted or {})


class BoundedProblems:
    """Problems collected as a reader finds them, at most ``limit`` per rule; the rest counted.

    Why: a malformed million-row file must cost a bounded fix list, not a million objects.
    ``limit=None`` keeps every problem added (they were bounded where they were found) and only
    sums the counts of those left out.
    """

    def __init__(self, limit: int | None = FIX_LIST_CAP):
        self.limit = limit
        self.items: list[Problem] = []
        self.unlisted: dict[RuleKey, int] = {}
        self._seen: dict[RuleKey, int] = {}

    def add(self, problem: Problem) -> None:
        """Keep ``problem`` if its rule has room, else count it."""
        key = problem.rule_key
        self._seen[key] = self._seen.get(key, 0) + 1
        if self.limit is None or self._seen[key] <= self.limit:
            self.items.append(problem)
        else:
            self.count(key, 1)

    def count(self, key: RuleKey, n: int) -> None:
        """Count ``n`` more problems of rule ``key`` found but not kept (by another reader's
        bound, or past the fix list's cap)."""
        if n:
            self.unlisted[key] = self.unlisted.get(key, 0) + n

    @property
    def seen(self) -> dict[RuleKey, int]:
        """How many problems of each rule were added, in the order of each rule's first."""
        return dict(self._seen)

    def __bool__(self) -> bool:
        return bool(self.items)

    def error(self) -> DataError:
        """The ``DataError`` that reports what was collected."""
        return DataError(self.items, self.unlisted)
