"""The Great Expectations suites for claims and articles, built in code.

Each expectation is paired with what a user needs when it fails: the column to name, the rule in
plain words and a severity (GX's own ``severity`` never changes ``success``, so we apply it).
Rules that span columns (a figure exactly when kind is troop_estimate, a precision that agrees
with the date) are checked on helper columns derived in ``prepare_claims`` so that GX's built-in
pair expectations can express them; the custom expectations in ``gx_custom`` cover what GX lacks
on pandas (importing this module imports them, which registers them with GX).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

import great_expectations.expectations as gxe
import pandas as pd

from troopclaims import contract
from troopclaims.checks import bans, dating, distinct, numbers, quotes
from troopclaims.checks.gx_custom import (
    ExpectColumnPairValuesQuoteInArticle,
    ExpectColumnPairValuesToBeAllowedPair,
    ExpectColumnValuesToBeIsoDate,
    ExpectColumnValuesToNotContainPattern,
    ExpectMulticolumnValuesFigureInQuote,
)

# ---------------------------------------------------------------------------------------------
# Rules: an expectation plus what to tell the user when it fails

PLAUSIBLE_SOLDIERS = (100, 100_000)
PLAUSIBLE_BRIGADES = (1, 50)


@dataclass(frozen=True)
class Rule:
    """One expectation and how to report its failures in the user's terms."""

    expectation: gxe.Expectation
    column: str | None  # the CSV column a failing row is reported under (None: table-level)
    text: str  # the rule in plain words
    severity: str = "error"
    # For rules whose message depends on the row: the prepared row -> the rule in plain words.
    explain: Callable[[pd.Series], str] | None = None

    @property
    def name(self) -> str:
        """A readable id: the GX expectation type and its column(s)."""
        exp = self.expectation
        cols = getattr(exp, "column", None)
        if cols is None and hasattr(exp, "column_A"):
            cols = f"{exp.column_A},{exp.column_B}"
        if cols is None and hasattr(exp, "column_list"):
            cols = ",".join(exp.column_list)
        return f"{exp.expectation_type}({cols or 'table'})"


FrameOrSeries = TypeVar("FrameOrSeries", pd.DataFrame, pd.Series)


def _as_objects(frame: FrameOrSeries) -> FrameOrSeries:
    """Empty cells to None, and plain Python objects instead of Arrow strings.

    GX filters every column once per metric; Arrow's ``take`` on string columns made that the
    single largest cost (4 s per 100k rows), and each article's text would be copied per row.
    pandas 3 keeps a ``str`` column Arrow-backed through ``replace``, so the columns are made
    objects first (a small drop's validation: 0.85 -> 0.71 s with ``gxrun``'s one block).
    """
    objects = frame.astype(object)
    return objects.where(objects.notna() & objects.ne(""), None)


def _present(values: pd.Series) -> pd.Series:
    return values.notna()


def _figure_where(raw: pd.DataFrame, unit: str) -> pd.Series:
    well_formed = raw["figure"].str.fullmatch(contract.FIGURE_PATTERN).fillna(False)
    valid = well_formed & (raw["unit"] == unit)
    return pd.to_numeric(raw["figure"].where(valid), errors="coerce")


# From this many claim rows, the helper columns are derived once per distinct row.
DISTINCT_FROM_ROWS = 20_000


def prepare_claims(
    raw: pd.DataFrame, articles: pd.DataFrame, today: date
) -> tuple[pd.DataFrame, distinct.DistinctRows | None]:
    """The frame GX validates: contract columns (empty -> None) plus derived helper columns,
    and, for a large drop, which of its rows each source row is (``_distinct_claims``).

    ``articles`` (the raw articles frame) gives each claim's article date (the
    after-publication rule and the derived bounds) and language (how the figure rule reads the
    quote, which weekday names it knows). ``_kind`` is ``kind`` when it is a known kind, else
    empty: the rules keyed on kind then skip a row whose kind is misspelt, which the
    vocabulary rule already reports once.
    """
    article_dates = dict(
        zip(articles["article_id"], articles["published_date"].replace("", None), strict=True)
    )
    rows = _distinct_claims(raw)
    part = raw if rows is None else raw.iloc[rows.first].reset_index(drop=True)
    df = _as_objects(part[list(contract.CLAIM_COLUMNS)])
    df["_kind"] = df["kind"].where(df["kind"].isin(list(contract.KINDS)), None)
    df["_figure_present"] = _present(df["figure"])
    df["_unit_present"] = _present(df["unit"])
    df["_qualifier_present"] = _present(df["qualifier"])
    df["_statement_date_present"] = _present(df["statement_date"])
    statement = dating.parse_dates(df["statement_date"], errors="coerce")
    df["_event_start_dt"] = dating.parse_dates(df["event_start"], errors="coerce")
    df["_event_end_dt"] = dating.parse_dates(df["event_end"], errors="coerce")
    df["_days_in_future"] = (statement - pd.Timestamp(today)).dt.days
    published = dating.parse_dates(df["article_id"].map(article_dates), errors="coerce")
    # An article dated to its week or month may be from any day of it: a claim is after its
    # article only past the last day the article's date can mean (as ``dating`` bounds it).
    article_precision = dict(zip(articles["article_id"], articles["date_precision"], strict=True))
    _, published_last = dating.precision_interval(
        published, df["article_id"].map(article_precision)
    )
    # a week or month date is after its article only when its first possible day is
    first_day, _ = dating.precision_interval(statement, df["date_precision"])
    df["_days_after_article"] = _days_after_article(statement, published_last, today, first_day)
    df["_month_precision_day"] = statement.dt.day.where(df["date_precision"] == "month")
    df["_estimate_figure"] = df["figure"].where(df["_kind"] == "troop_estimate", None)
    df["_language"] = _as_objects(
        df["article_id"].map(dict(zip(articles["article_id"], articles["language"], strict=True)))
    )
    df["_soldiers"] = _figure_where(df, "soldiers")
    df["_brigades"] = _figure_where(df, "brigades")
    _prepare_bounds(df, published_last, today)
    known = _prepare_anchors(df, statement)
    _prepare_evidence(
        df, statement, published_last, dating.derive(df, _as_objects(articles)), known
    )
    return df, rows


def _distinct_claims(raw: pd.DataFrame) -> distinct.DistinctRows | None:
    """Large drops: claims grouped on every contract column but their own ``claim_id``.

    Every helper column reads its own row, the articles, and, through ``anchor_claim_id``, the
    claim it names. A claim some anchor names stays a row of its own (its id is looked up, and
    it may sit on a loop of anchors); claims that name the same anchor with the same cells get
    the same derived values, so they are grouped like the rest. ``claim_id`` varies within a
    group: its rules (unique, well formed, present) read every row.
    """
    if len(raw) < DISTINCT_FROM_ROWS or not raw.index.is_unique:
        return None
    columns = raw[list(contract.CLAIM_COLUMNS)]
    anchors = columns["anchor_claim_id"]
    names = anchors[anchors.notna() & (anchors != "")]
    named = columns["claim_id"].isin(pd.unique(names)).to_numpy(bool)
    varying = _as_objects(columns[["claim_id"]])
    return distinct.distinct_rows(columns, varying, named)


def _flag(ok: pd.Series, applies: pd.Series | bool = True) -> pd.Series:
    """A helper column for an in-set [True] rule: True/False where the rule applies, else None
    (GX skips None), so a row is reported only by the rule that concerns it."""
    flags = ok.astype(object)
    return flags if applies is True else flags.where(applies, None)


def _days_after_article(
    when: pd.Series, published_last: pd.Series, today: date, first: pd.Series | None = None
) -> pd.Series:
    """Days from the last day the article's date can mean to ``when`` (to ``first``, the first
    day a week or month date can mean, when given); empty for a date in the future, which its
    own rule reports (a future date is after every article: one fault, one message)."""
    start = when if first is None else first
    return (start - published_last).dt.days.where(when <= pd.Timestamp(today))


def _prepare_bounds(df: pd.DataFrame, published_last: pd.Series, today: date) -> None:
    """Helper columns for the earliest/latest bounds: parsed dates, their distance to today and
    to the last day the article's date can mean, a basis given exactly with its date, bounds
    only beside an empty statement_date (a fixed date and its precision already say when)."""
    statement_present = df["_statement_date_present"]
    for bound, basis in contract.CLAIM_BOUNDS.items():
        when = dating.parse_dates(df[bound], errors="coerce")
        present = _present(df[bound])
        df[f"_{bound}_dt"] = when
        df[f"_{bound}_days_in_future"] = (when - pd.Timestamp(today)).dt.days
        df[f"_{bound}_days_after_article"] = _days_after_article(when, published_last, today)
        df[f"_{basis}_with_date"] = _flag(present == _present(df[basis]))
        df[f"_{bound}_alone"] = _flag(~(present & statement_present))


def _prepare_anchors(df: pd.DataFrame, statement: pd.Series) -> pd.Series:
    """Helper columns for anchor_claim_id, looked up among every claim validated together (the
    existing data and the candidate drop): required with an inferred_other_article basis, and
    naming a claim that exists; returns where it does (what the anchor gives is
    ``_prepare_evidence``'s)."""
    other = contract.INFERRED_OTHER_ARTICLE
    basis_cols = ("date_basis", *contract.CLAIM_BOUNDS.values())
    uses = pd.concat([df[c] == other for c in basis_cols], axis=1).any(axis=1)
    anchor = df["anchor_claim_id"]
    present = _present(anchor)
    df["_anchor_required"] = _flag(~(uses & ~present))
    # Looked up for the rows that name an anchor only (few, usually none): looking up every row
    # cost 5-6 s at 1M rows, all of it for empty cells.
    named = anchor[present]
    known = pd.Series(False, index=df.index)
    if not named.empty:
        ids = df["claim_id"][df["claim_id"].isin(named.unique()) & df["claim_id"].notna()]
        known[present] = named.isin(set(ids)).to_numpy(dtype=bool)
    df["_anchor_known"] = _flag(known, present)
    # A day inferred from an anchor or from the weekday itself must be a weekday the quote
    # names; a week or a month date is a span, which the rule does not judge (a month date is
    # the 1st by its own rule, whatever the quote's weekday).
    inferred = ((df["date_basis"] == other) & present) | (df["date_basis"] == "inferred_weekday")
    df["_weekday_ok"] = _weekday_flags(df, statement, inferred & (df["date_precision"] == "day"))
    return known


def _prepare_evidence(
    df: pd.DataFrame,
    statement: pd.Series,
    published: pd.Series,
    derived: dating.Derived,
    known: pd.Series,
) -> None:
    """Helper columns that hold each typed date against what the evidence alone gives
    (``dating``: the article's date, the anchor, the weekday): a typed value outside it is an
    error, a typed bound looser than it a warning naming the tighter day. ``published`` is the
    last day the article's date can mean, as for the 'after its article' rules: a date past it
    has that rule's message, any date before it this one's."""
    low, high = derived.evidence_earliest, derived.evidence_latest
    df["_anchor_bounds"] = _flag(derived.anchor_earliest.notna(), known & ~derived.anchor_loop)
    df["_anchor_no_loop"] = _flag(~derived.anchor_loop, known)
    s_low, s_high = dating.precision_interval(statement, df["date_precision"])
    day = (df["date_precision"] == "day").to_numpy(bool)
    # A typed day must lie inside; a week or month must at least meet the interval.
    start, end = s_low.where(~day, statement), s_high.where(~day, statement)
    inside = ~((low.notna() & (end < low)) | (high.notna() & (start > high)))
    if day.any():
        inside[day] = ~((low.notna() & (statement < low)) | (high.notna() & (statement > high)))[
            day
        ]
    # A date after its article's own date has a rule of its own (one fault, one message): a
    # week or month date only when its first possible day is (as that rule judges it).
    after_article = (s_low > published).to_numpy(bool)
    applies = statement.notna() & (low.notna() | high.notna()) & ~after_article
    df["_statement_date_in_evidence"] = _flag(inside, applies)
    # A bound beside a statement_date has its own rule ("must be empty"): one fault, one message.
    beside = df["_statement_date_present"].astype(bool).to_numpy()
    earliest = df["_earliest_date_dt"].where(~beside)
    latest = df["_latest_date_dt"].where(~beside)
    after = (earliest > published).to_numpy(bool)
    df["_earliest_date_in_evidence"] = _flag(
        ~(earliest > high), earliest.notna() & high.notna() & ~after
    )
    before_earliest = (latest < earliest).to_numpy(bool)  # its own rule: one fault, one message
    df["_latest_date_in_evidence"] = _flag(
        ~(latest < low), latest.notna() & low.notna() & ~before_earliest
    )
    df["_earliest_not_looser"] = _flag(~(earliest < low), earliest.notna() & low.notna())
    not_after_article = ~(latest > published)  # after it: an error of its own
    applies = latest.notna() & high.notna() & not_after_article
    df["_latest_not_looser"] = _flag(~(latest > high), applies)
    # What the messages quote (only where a rule applies: few rows, usually none).
    for side, values, reasons in (
        ("earliest", low, derived.evidence_earliest_reason),
        ("latest", high, derived.evidence_latest_reason),
    ):
        df[f"_evidence_{side}"] = values
        df[f"_evidence_{side}_reason"] = reasons


def _weekday_flags(df: pd.DataFrame, statement: pd.Series, applies: pd.Series) -> pd.Series:
    """True/False where a date inferred from an anchor meets a quote naming a weekday: the
    date's weekday must be one the quote names. Looped over the few rows concerned only."""
    out = pd.Series(None, index=df.index, dtype=object)
    rows = applies & statement.notna() & df["quote"].notna()
    for i in df.index[rows.to_numpy()]:
        named = dating.named_weekdays(df.at[i, "quote"], df.at[i, "_language"] or "")
        if named:
            out.at[i] = statement.at[i].weekday() in named
    return out


def _text_rules(
    free_text: tuple[str, ...] = (), names: tuple[str, ...] = (), other: tuple[str, ...] = ()
) -> list[Rule]:
    """The bans on text columns a spreadsheet or a browser may open (see the patterns above).

    Every column gets the formula and markup bans; ``names`` (claimant, title, outlet) also
    the one-line visible-text rule, ``free_text`` (quote, note) the control-character rule
    that allows tabs and line breaks; ``other`` columns have a format of their own (url)
    that already refuses control characters, so a fault there is reported once.
    """
    rules = []
    for kind, columns in (("name", names), ("free_text", free_text), ("other", other)):
        for col in columns:
            rules += [
                Rule(ExpectColumnValuesToNotContainPattern(column=col, regex=regex), col, text)
                for regex, text in bans.bans(kind)
            ]
    return rules


def _presence_rule(flag: str, column: str, vocab: dict[str, str], what: str) -> Rule:
    """Precision/basis must be 'unknown' exactly when the date is empty."""
    pairs = [(True, v) for v in vocab if v != "unknown"] + [(False, "unknown")]
    return Rule(
        ExpectColumnPairValuesToBeAllowedPair(
            column_A=flag,
            column_B=column,
            value_pairs_set=pairs,
            ignore_row_if="either_value_is_missing",
        ),
        column,
        f"must be 'unknown' exactly when {what} is empty",
    )


REQUIRED_HINTS = {"outlet": " (write 'unknown' for an unknown outlet)"}


def columns_rule(expected: tuple[str, ...]) -> Rule:
    """The exact column set, checked per file on a zero-row frame of that file's own header."""
    return Rule(
        gxe.ExpectTableColumnsToMatchSet(column_set=list(expected), exact_match=True),
        None,
        "the columns must be exactly those of the data contract (see data/README.md)",
    )


def _table_rules(
    id_column: str,
    required: tuple[str, ...],
    vocabularies: dict[str, dict[str, str]],
    text: dict[str, tuple[str, ...]],
) -> list[Rule]:
    """The rules both CSVs share: a unique well-formed id, required cells, controlled
    vocabularies, and the bans on text (``text``: ``_text_rules``' arguments). Ids are
    letters, digits, '-', '_' and '.' (``contract.ID_PATTERN``): no control or invisible
    character can hide in one."""
    rules = [
        Rule(
            gxe.ExpectColumnValuesToBeUnique(column=id_column),
            id_column,
            f"{id_column} must be unique across the whole dataset (existing data and drops)",
        ),
        Rule(
            gxe.ExpectColumnValuesToMatchRegex(column=id_column, regex=contract.ID_PATTERN),
            id_column,
            f"{id_column} must be letters, digits, '-', '_' or '.' (at most 64)",
        ),
    ]
    rules += [
        Rule(
            gxe.ExpectColumnValuesToNotBeNull(column=col),
            col,
            f"{col} is required{REQUIRED_HINTS.get(col, '')}",
        )
        for col in required
    ]
    rules += [
        Rule(
            gxe.ExpectColumnValuesToBeInSet(column=col, value_set=list(vocab)),
            col,
            f"{col} must be one of: {', '.join(vocab)}",
        )
        for col, vocab in vocabularies.items()
    ]
    return rules + _text_rules(**text)


def claims_rules(article_ids: list[str], article_texts: dict[str, str]) -> list[Rule]:
    """Every row rule for the claims CSV (the suite is built from these).

    ``article_ids`` are every known article; ``article_texts`` maps those whose file could be
    read to their normalised text. A claim whose article file is missing or unreadable is not
    quote-checked: the articles rules report that file once, not once per claim.
    """
    rules = _table_rules(
        id_column="claim_id",
        required=(
            "claim_id",
            "article_id",
            "claimant",
            "claimant_group",
            "kind",
            "category",
            "quote",
            "date_precision",
            "date_basis",
        ),
        vocabularies=contract.CLAIM_VOCABULARIES,
        text={"names": ("claimant", "article_attribution"), "free_text": ("quote", "note")},
    )
    return [
        *rules,
        *_claim_link_rules(article_ids, article_texts),
        *_figure_rules(),
        *_claim_date_rules(),
    ]


ARTICLE_LINK_RULE = "article_id must name an article in articles.csv (existing or the drop's)"


def _claim_link_rules(article_ids: list[str], article_texts: dict[str, str]) -> list[Rule]:
    """What ties a claim to its article and its kind: the article exists, the quote is in it."""
    kind_category = [(k, c) for k, cats in contract.CATEGORIES.items() for c in cats]
    return [
        Rule(
            gxe.ExpectColumnValuesToBeInSet(column="article_id", value_set=article_ids),
            "article_id",
            ARTICLE_LINK_RULE,
        ),
        Rule(
            ExpectColumnPairValuesToBeAllowedPair(
                column_A="_kind",
                column_B="category",
                value_pairs_set=kind_category,
                ignore_row_if="either_value_is_missing",
            ),
            "category",
            "category is not valid for this kind (see data/README.md)",
        ),
        Rule(
            gxe.ExpectColumnValueLengthsToBeBetween(
                column="quote", max_value=quotes.MAX_QUOTE_CHARS
            ),
            "quote",
            quotes.QUOTE_TOO_LONG_RULE,
        ),
        Rule(
            ExpectColumnPairValuesQuoteInArticle(
                column_A="quote",
                column_B="article_id",
                article_texts=article_texts,
                ignore_row_if="either_value_is_missing",
            ),
            "quote",
            "quote not found verbatim in its article (only whitespace may differ)",
        ),
        Rule(
            ExpectColumnPairValuesQuoteInArticle(
                column_A="article_attribution",
                column_B="article_id",
                article_texts=article_texts,
                ignore_row_if="either_value_is_missing",
            ),
            "article_attribution",
            "article_attribution not found verbatim in its article (copy the article's own "
            "words; only whitespace may differ)",
        ),
    ]


def _figure_not_found(row: pd.Series) -> str:
    """The figure rule's message for one row: which numbers the quote does write."""
    return numbers.figure_not_found_message(row["_estimate_figure"], row["quote"], row["_language"])


def _figure_rules() -> list[Rule]:
    """A figure, its unit and qualifier exactly on troop estimates; well-formed and plausible."""
    rules = [
        Rule(
            gxe.ExpectColumnValuesToMatchRegex(column="figure", regex=contract.FIGURE_PATTERN),
            "figure",
            "figure must be a positive whole number in digits only: 3000, not '3.000' or '3 000'",
        ),
        Rule(
            ExpectMulticolumnValuesFigureInQuote(
                column_list=["_estimate_figure", "quote", "_language"]
            ),
            "figure",
            "figure is not written in its quote (the quote must support the number)",
            explain=_figure_not_found,
        ),
        Rule(
            ExpectColumnValuesToBeIsoDate(column="figure_as_of", allow_month=True),
            "figure_as_of",
            "figure_as_of must be a real date written YYYY-MM or YYYY-MM-DD",
        ),
    ]
    for unit, (low, high) in (("soldiers", PLAUSIBLE_SOLDIERS), ("brigades", PLAUSIBLE_BRIGADES)):
        rules.append(
            Rule(
                gxe.ExpectColumnValuesToBeBetween(column=f"_{unit}", min_value=low, max_value=high),
                "figure",
                f"{unit} outside the plausible range {low:,}–{high:,}: check for a typo",
                "warning",
            )
        )
    pairs = [("troop_estimate", True), ("response", False), ("context", False)]
    for col in ("figure", "unit", "qualifier"):
        rules.append(
            Rule(
                ExpectColumnPairValuesToBeAllowedPair(
                    column_A="_kind",
                    column_B=f"_{col}_present",
                    value_pairs_set=pairs,
                    ignore_row_if="either_value_is_missing",
                ),
                col,
                f"{col} is required when kind is troop_estimate and must be empty otherwise",
            )
        )
    return rules


def _claim_date_rules() -> list[Rule]:
    """Real ISO dates, a precision and basis that agree with them, and a sane order in time."""
    iso_rules = [
        Rule(
            ExpectColumnValuesToBeIsoDate(column=col),
            col,
            f"{col} must be a real date written YYYY-MM-DD",
        )
        for col in contract.CLAIM_DATE_COLUMNS
    ]
    return [
        *iso_rules,
        _presence_rule(
            "_statement_date_present", "date_precision", contract.DATE_PRECISIONS, "statement_date"
        ),
        _presence_rule(
            "_statement_date_present", "date_basis", contract.DATE_BASES, "statement_date"
        ),
        Rule(
            gxe.ExpectColumnValuesToBeInSet(column="_month_precision_day", value_set=[1]),
            "statement_date",
            "with date_precision 'month' the date must be the month's first day (YYYY-MM-01)",
        ),
        Rule(
            gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A="_event_end_dt",
                column_B="_event_start_dt",
                or_equal=True,
                ignore_row_if="either_value_is_missing",
            ),
            "event_end",
            "event_end must not be before event_start",
        ),
        Rule(
            gxe.ExpectColumnValuesToBeBetween(column="_days_in_future", max_value=0),
            "statement_date",
            "statement_date is in the future",
        ),
        Rule(
            gxe.ExpectColumnValuesToBeBetween(column="_days_after_article", max_value=0),
            "statement_date",
            "statement_date is after its article's published_date (an article reports nothing "
            "later than itself)",
        ),
        *_bound_rules(),
        *_anchor_rules(),
        *_evidence_rules(),
    ]


def _true(column: str) -> gxe.Expectation:
    """An in-set [True] expectation on a ``_flag`` helper column (None rows are skipped)."""
    return gxe.ExpectColumnValuesToBeInSet(column=column, value_set=[True])


def _bound_rules() -> list[Rule]:
    """earliest/latest bounds: dated with a basis (never 'unknown'), in order, not in the
    future nor after the article's own date, and only where statement_date is empty."""
    rules = []
    for bound, basis in contract.CLAIM_BOUNDS.items():
        rules += [
            Rule(
                _true(f"_{basis}_with_date"),
                basis,
                f"{basis} is required exactly when {bound} is given (both empty when "
                "nothing bounds the date)",
            ),
            Rule(
                gxe.ExpectColumnValuesToNotBeInSet(column=basis, value_set=["unknown"]),
                basis,
                f"{basis} must not be 'unknown': a bound that is not known is left empty "
                f"({bound} and {basis} both)",
            ),
            Rule(
                _true(f"_{bound}_alone"),
                bound,
                f"{bound} must be empty when statement_date is given (the date and its "
                "precision already say when)",
            ),
            Rule(
                gxe.ExpectColumnValuesToBeBetween(column=f"_{bound}_days_in_future", max_value=0),
                bound,
                f"{bound} is in the future",
            ),
            Rule(
                gxe.ExpectColumnValuesToBeBetween(
                    column=f"_{bound}_days_after_article", max_value=0
                ),
                bound,
                f"{bound} is after its article's published_date (an article reports nothing "
                "later than itself)",
            ),
        ]
    rules.append(
        Rule(
            gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A="_latest_date_dt",
                column_B="_earliest_date_dt",
                or_equal=True,
                ignore_row_if="either_value_is_missing",
            ),
            "latest_date",
            "latest_date must not be before earliest_date",
        )
    )
    return rules


def _weekday_message(row: pd.Series) -> str:
    """The weekday rule's message for one row: the day the quote names, the day of the date."""
    language = row["_language"] or ""
    named = dating.named_weekdays(row["quote"], language)
    names = {n: name for name, n in dating.weekday_names(language).items()}
    said = " or ".join(f"'{names[n]}'" for n in sorted(named))
    actual = pd.Timestamp(row["statement_date"]).weekday()
    anchor = row["anchor_claim_id"]
    source = f"inferred from {anchor}" if isinstance(anchor, str) and anchor else "inferred_weekday"
    return (
        f"the quote names {said} but statement_date {row['statement_date']} is a "
        f"'{names[actual]}' ({source})"
    )


WEEKDAY_RULE = (
    "a weekday named in the quote must be the weekday of the statement_date inferred from "
    "the anchor or the weekday (date_precision 'day')"
)


def _evidence_side(row: pd.Series, side: str) -> str:
    """'on or after 2024-10-21 (the quote names ...)': one side of what the evidence gives."""
    words = "on or after" if side == "earliest" else "on or before"
    return f"{words} {dating.iso(row[f'_evidence_{side}'])} ({row[f'_evidence_{side}_reason']})"


def _evidence_interval(row: pd.Series) -> str:
    """Both known sides of what the evidence gives, for a typed date that falls outside."""
    sides = [s for s in ("earliest", "latest") if not pd.isna(row[f"_evidence_{s}"])]
    return " and ".join(_evidence_side(row, s) for s in sides)


def _outside_message(column: str) -> Callable[[pd.Series], str]:
    """The message for a typed date that contradicts the evidence, naming what it gives."""

    def explain(row: pd.Series) -> str:
        return f"{column} contradicts the evidence, which gives {_evidence_interval(row)}"

    return explain


def _looser_message(side: str) -> Callable[[pd.Series], str]:
    """The message for a typed bound looser than the evidence, naming the tighter day."""

    def explain(row: pd.Series) -> str:
        return (
            f"{side}_date is looser than the evidence, which gives {_evidence_side(row, side)}: "
            f"write {dating.iso(row[f'_evidence_{side}'])}, or leave {side}_date empty (the "
            "code derives it)"
        )

    return explain


def _anchor_rules() -> list[Rule]:
    """anchor_claim_id: required with an inferred_other_article basis; names a claim that
    exists, bounds something, and does not lead back to the claim itself."""
    other = contract.INFERRED_OTHER_ARTICLE
    return [
        Rule(
            _true("_anchor_required"),
            "anchor_claim_id",
            f"anchor_claim_id is required when date_basis, earliest_basis or latest_basis is "
            f"'{other}' (name the claim the date is inferred from)",
        ),
        Rule(
            _true("_anchor_known"),
            "anchor_claim_id",
            "anchor_claim_id must name a claim in the dataset (existing data or the drop)",
        ),
        Rule(
            _true("_anchor_no_loop"),
            "anchor_claim_id",
            "anchor_claim_id must not lead back to the claim itself (a claim cannot react to "
            "itself, directly or through others)",
        ),
        Rule(
            _true("_anchor_bounds"),
            "anchor_claim_id",
            "anchor_claim_id must name a claim whose day or earliest day is known (an undated, "
            "unbounded claim bounds nothing)",
        ),
        Rule(_true("_weekday_ok"), "statement_date", WEEKDAY_RULE, explain=_weekday_message),
    ]


def _evidence_rules() -> list[Rule]:
    """Typed dates held against what the evidence alone gives (``dating``): outside it is an
    error; a typed bound looser than it a warning naming the tighter day."""
    outside = (
        "{} contradicts the evidence (its article's date, its anchor, the weekday its quote names)"
    )
    rules = [
        Rule(
            _true(f"_{column}_in_evidence"),
            column,
            outside.format(column),
            explain=_outside_message(column),
        )
        for column in ("statement_date", "earliest_date", "latest_date")
    ]
    rules += [
        Rule(
            _true(f"_{side}_not_looser"),
            f"{side}_date",
            f"{side}_date is looser than the evidence gives (write the tighter day, or leave it "
            "empty: the code derives it)",
            "warning",
            explain=_looser_message(side),
        )
        for side in ("earliest", "latest")
    ]
    return rules


def prepare_articles(raw: pd.DataFrame, file_checks: pd.DataFrame) -> pd.DataFrame:
    """The articles frame GX validates; ``file_checks`` holds ``_file_exists``/``_file_utf8``."""
    df = _as_objects(raw[list(contract.ARTICLE_COLUMNS)])
    df["_published_date_present"] = _present(df["published_date"])
    published = dating.parse_dates(df["published_date"], errors="coerce")
    df["_month_precision_day"] = published.dt.day.where(df["date_precision"] == "month")
    df["_file_exists"] = file_checks["_file_exists"].to_numpy()
    df["_file_utf8"] = file_checks["_file_utf8"].to_numpy()
    return df


def articles_rules() -> list[Rule]:
    """Every row rule for the articles CSV."""
    rules = _table_rules(
        id_column="article_id",
        required=("article_id", "file", "outlet", "language", "date_precision", "date_basis"),
        vocabularies=contract.ARTICLE_VOCABULARIES,
        text={"names": ("title", "outlet"), "free_text": ("note",), "other": ("url",)},
    )
    rules += [
        Rule(
            gxe.ExpectColumnValuesToMatchRegex(column="file", regex=contract.FILE_PATTERN),
            "file",
            "file must be a plain file name ending in .txt: no folder, no '/', '\\' or '..'",
        ),
        Rule(
            gxe.ExpectColumnValuesToBeInSet(column="_file_exists", value_set=[True]),
            "file",
            "article file does not exist in the articles/ folder beside this CSV",
        ),
        Rule(
            gxe.ExpectColumnValuesToBeInSet(column="_file_utf8", value_set=[True]),
            "file",
            "article file cannot be read as UTF-8 text (unreadable, not UTF-8, or NUL bytes)",
        ),
        Rule(
            ExpectColumnValuesToBeIsoDate(column="published_date"),
            "published_date",
            "published_date must be a real date written YYYY-MM-DD",
        ),
        Rule(  # as for a claim's date: the dictionary's rule covers both CSVs
            gxe.ExpectColumnValuesToBeInSet(column="_month_precision_day", value_set=[1]),
            "published_date",
            "with date_precision 'month' the date must be the month's first day (YYYY-MM-01)",
        ),
        _presence_rule(
            "_published_date_present", "date_precision", contract.DATE_PRECISIONS, "published_date"
        ),
        _presence_rule(
            "_published_date_present", "date_basis", contract.DATE_BASES, "published_date"
        ),
        Rule(
            gxe.ExpectColumnValuesToMatchRegex(column="url", regex=contract.URL_PATTERN),
            "url",
            "url must start with http:// or https:// and contain no spaces, control, bidi or "
            "zero-width characters",
        ),
    ]
    return rules
