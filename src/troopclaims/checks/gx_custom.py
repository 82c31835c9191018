"""The expectations Great Expectations lacks on pandas, as custom GX expectations.

GX 1.x checks one column or a pair against fixed values; our rules need a real calendar date, a
quote found verbatim in its article, a figure written in its quote (in the article's language),
a pattern a cell must not hold and an allowed pair of values. Each is a metric provider (the
vectorised check) and the expectation that names it. Kept apart from ``expectations`` (which
rules exist and what they tell the user) because this is GX plumbing that changes only with GX.

Importing this module registers them: it must be imported before any suite that uses them is
built or loaded, or GX silently drops them (``expectations`` imports it).
"""

from __future__ import annotations

from typing import Literal

import pandas as pd
from great_expectations.execution_engine import PandasExecutionEngine
from great_expectations.expectations.expectation import (
    ColumnMapExpectation,
    ColumnPairMapExpectation,
    MulticolumnMapExpectation,
)
from great_expectations.expectations.metrics.map_metric_provider import (
    ColumnMapMetricProvider,
    ColumnPairMapMetricProvider,
    MulticolumnMapMetricProvider,
    column_condition_partial,
    column_pair_condition_partial,
    multicolumn_condition_partial,
)

from troopclaims.checks import bans, numbers, quotes


class ColumnValuesIsoDate(ColumnMapMetricProvider):
    """Metric: the value is a real calendar date written YYYY-MM-DD (or YYYY-MM if allowed)."""

    condition_metric_name = "column_values.troopclaims_iso_date"
    condition_value_keys = ("allow_month",)

    @column_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column: pd.Series, allow_month: bool = False, **kwargs) -> pd.Series:
        text = column.astype("str")  # Arrow-backed: .str methods run in C++, not per row
        day_form = text.str.fullmatch(r"\d{4}-\d{2}-\d{2}").fillna(False).astype(bool)
        full = pd.to_datetime(text.where(day_form), format="%Y-%m-%d", errors="coerce")
        ok = full.notna()
        if allow_month:
            month_form = text.str.fullmatch(r"\d{4}-\d{2}").fillna(False).astype(bool)
            month = pd.to_datetime(text.where(month_form), format="%Y-%m", errors="coerce")
            ok |= month.notna()
        return ok


class ExpectColumnValuesToBeIsoDate(ColumnMapExpectation):
    """Expect ISO dates that exist on the calendar: '2024-13-01' matches a regex but is no date."""

    allow_month: bool = False
    map_metric = "column_values.troopclaims_iso_date"
    success_keys = ("allow_month", "mostly")


PAIR_DOMAIN_KEYS = (
    "batch_id",
    "table",
    "column_A",
    "column_B",
    "row_condition",
    "condition_parser",
    "ignore_row_if",
)


class ColumnPairValuesQuoteInArticle(ColumnPairMapMetricProvider):
    """Metric: column_A (a quote) occurs in the text of the article named by column_B.

    The texts travel as a value key (article_id -> whitespace-normalised text, normalised once
    per article), not as a column: GX hashes every batch's columns, and a 5 kB text repeated on
    every row made that hashing the largest cost of a run.
    """

    condition_metric_name = "column_pair_values.troopclaims_quote_in_article"
    condition_domain_keys = PAIR_DOMAIN_KEYS
    condition_value_keys = ("article_texts",)

    @column_pair_condition_partial(engine=PandasExecutionEngine)
    def _pandas(
        cls,
        column_A: pd.Series,
        column_B: pd.Series,
        article_texts: dict,
        **kwargs,
    ) -> pd.Series:
        found = quotes.quotes_in_articles(column_A, column_B, article_texts)
        unreadable = ~column_B.isin(list(article_texts)).to_numpy()  # the file rules' finding
        return pd.Series(found | unreadable, index=column_A.index)


class ExpectColumnPairValuesQuoteInArticle(ColumnPairMapExpectation):
    """Expect every quote verbatim in its article: only whitespace runs and NFC forgiven."""

    article_texts: dict
    ignore_row_if: Literal["both_values_are_missing", "either_value_is_missing", "neither"] = (
        "both_values_are_missing"
    )
    map_metric = "column_pair_values.troopclaims_quote_in_article"
    success_keys = ("column_A", "column_B", "article_texts", "ignore_row_if", "mostly")


class MulticolumnValuesFigureInQuote(MulticolumnMapMetricProvider):
    """Metric: the figure (1st column) is a number the quote (2nd) writes in its language (3rd).

    The language decides how the quote is read ("1,500" is 1500 in English, 1.5 in French).
    """

    condition_metric_name = "multicolumn_values.troopclaims_figure_in_quote"
    condition_domain_keys = ("batch_id", "table", "column_list", "row_condition",
                             "condition_parser", "ignore_row_if")  # fmt: skip
    condition_value_keys = ()

    @multicolumn_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column_list: pd.DataFrame, **kwargs) -> pd.Series:
        figure, quote, language = (column_list.iloc[:, i] for i in range(3))
        found = numbers.figures_in_quotes(figure, quote, language)  # bad figure: its own rule
        return pd.Series(found, index=column_list.index)


class ExpectMulticolumnValuesFigureInQuote(MulticolumnMapExpectation):
    """Expect a troop figure written in its own quote ('3.000', 'douze mille', '1,500')."""

    ignore_row_if: Literal["all_values_are_missing", "any_value_is_missing", "never"] = (
        "any_value_is_missing"
    )
    map_metric = "multicolumn_values.troopclaims_figure_in_quote"
    success_keys = ("column_list", "ignore_row_if", "mostly")


class ColumnValuesNotContainPattern(ColumnMapMetricProvider):
    """Metric: the value does not contain a match of ``regex`` (RE2 syntax, run by Arrow).

    GX's ExpectColumnValuesToNotMatchRegex runs Python's ``re`` once per row on pandas (about
    0.6 s per million values and rule; six text rules made it 4 s of a 1M-row run).
    """

    condition_metric_name = "column_values.troopclaims_not_contain_pattern"
    condition_value_keys = ("regex",)

    @column_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column: pd.Series, regex: str, **kwargs) -> pd.Series:
        return pd.Series(~bans.contains(column, regex), index=column.index)


class ExpectColumnValuesToNotContainPattern(ColumnMapExpectation):
    """Expect no value to contain the (RE2) pattern: formulas, markup."""

    regex: str
    map_metric = "column_values.troopclaims_not_contain_pattern"
    success_keys = ("regex", "mostly")


class ColumnPairValuesAllowedPair(ColumnPairMapMetricProvider):
    """Metric: (column_A, column_B) is one of the allowed pairs, vectorised.

    GX's own ExpectColumnPairValuesToBeInSet walks pandas rows one by one (iterrows): about
    50 s per 100k rows here, which would blow the 1M-rows-in-20-s budget on its own.
    """

    condition_metric_name = "column_pair_values.troopclaims_allowed_pair"
    condition_domain_keys = PAIR_DOMAIN_KEYS
    condition_value_keys = ("value_pairs_set",)

    @column_pair_condition_partial(engine=PandasExecutionEngine)
    def _pandas(
        cls,
        column_A: pd.Series,
        column_B: pd.Series,
        value_pairs_set: list,
        **kwargs,
    ) -> pd.Series:
        allowed = {f"{a}\x1f{b}" for a, b in value_pairs_set}
        keys = column_A.astype(str) + "\x1f" + column_B.astype(str)
        return keys.isin(allowed).astype(bool)


class ExpectColumnPairValuesToBeAllowedPair(ColumnPairMapExpectation):
    """Expect each (column_A, column_B) pair in ``value_pairs_set`` (e.g. kind -> category)."""

    value_pairs_set: list
    ignore_row_if: Literal["both_values_are_missing", "either_value_is_missing", "neither"] = (
        "both_values_are_missing"
    )
    map_metric = "column_pair_values.troopclaims_allowed_pair"
    success_keys = ("column_A", "column_B", "value_pairs_set", "ignore_row_if", "mostly")
