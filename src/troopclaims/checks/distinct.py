"""Distinct rows: a rule that reads one row at a time is judged once per distinct row.

A large drop repeats the same cells on many rows (a million claims cite a few hundred quotes,
categories and dates), and every per-row cost (the helper columns, Great Expectations' metrics,
its hashing of each batch) grows with the rows it is given. Grouping is exact: each column is
factorised (a hash table that compares values, not a hash of them, so no crafted collision can
merge two different rows), and the columns' codes are combined into one code per row.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

# Rows are grouped only when the distinct rows are at most this share of them: below it, the
# grouping costs more than it saves.
DISTINCT_SHARE = 0.25

# What pandas infers for an object column whose non-null values are all of one kind.
_ONE_KIND = frozenset({"string", "boolean", "integer", "floating", "empty"})


@dataclass(frozen=True)
class DistinctRows:
    """Which distinct row stands for each row of a frame.

    ``codes[p]`` is the distinct row of the frame's row at position ``p`` (distinct rows are
    numbered in order of first appearance), ``first[c]`` the position of distinct row ``c``'s
    first row. ``varying`` holds, for every row, the columns left out of the grouping (the
    row's own id): they differ within a distinct row.
    """

    codes: np.ndarray
    first: np.ndarray
    varying: pd.DataFrame

    @property
    def count(self) -> int:
        return len(self.first)

    def rows_of(self, distinct_labels: list, limit: int) -> tuple[int, list]:
        """The rows held by these distinct rows (labels ``0..count-1``): how many, and the
        index labels of the first ``limit`` of them in frame order."""
        chosen = np.zeros(self.count, dtype=bool)
        chosen[np.asarray(distinct_labels, dtype=np.int64)] = True
        rows = np.flatnonzero(chosen[self.codes])
        return len(rows), self.varying.index[rows[:limit]].tolist()


def exact_codes(values: pd.Series) -> np.ndarray | None:
    """Each value's code among the column's distinct values, or None when coding would merge
    values a rule tells apart: Python's equality makes ``True == 1 == 1.0``, and pandas'
    factorize folds ``None`` and ``NaN`` into one value, so an object column holding more than
    one type of value, or both kinds of null, is not coded."""
    if values.dtype == object:
        # one kind of value in C, every row looked at (the uniques would already be merged)
        if pd.api.types.infer_dtype(values, skipna=True) not in _ONE_KIND:
            return None
        nulls = int(values.isna().sum())
        if nulls and int((values.to_numpy() == None).sum()) not in (0, nulls):  # noqa: E711
            return None
    codes, _ = pd.factorize(values, use_na_sentinel=False)
    return codes


def combined_codes(per_column: Iterable[np.ndarray | None]) -> np.ndarray | None:
    """One code per row for the combination of several columns' codes (first appearance
    order), or None when a column could not be coded."""
    combined = None
    for one in per_column:
        if one is None:
            return None
        if combined is None:
            combined = one
        else:  # pairs of codes, renumbered, so the next product stays below rows squared
            combined, _ = pd.factorize(combined.astype(np.int64) * (int(one.max()) + 1) + one)
    return combined


def grouped(codes: np.ndarray | None, varying: pd.DataFrame) -> DistinctRows | None:
    """The rows grouped by their ``codes`` (numbered in order of first appearance), or None
    when there is nothing to group or the groups are too many to gain (``DISTINCT_SHARE``)."""
    if codes is None or not len(codes) or int(codes.max()) + 1 > len(codes) * DISTINCT_SHARE:
        return None
    _, first = np.unique(codes, return_index=True)
    return DistinctRows(codes, first, varying)


def distinct_rows(
    frame: pd.DataFrame, varying: pd.DataFrame, singles: np.ndarray
) -> DistinctRows | None:
    """Group ``frame``'s rows on every column but ``varying``'s (which holds those columns'
    values for every row, as the rules read them); a row where ``singles`` is True stays
    alone (a row others refer to by its id, or that refers to another). None when the rows
    are too varied to gain (``DISTINCT_SHARE``) or a column cannot be coded."""
    keys = [c for c in frame.columns if c not in varying.columns]
    codes = combined_codes(exact_codes(frame[c]) for c in keys)
    if codes is not None and len(codes) and singles.any():
        codes = codes.astype(np.int64)
        codes[singles] = int(codes.max()) + 1 + np.arange(int(singles.sum()))
        codes, _ = pd.factorize(codes)
    return grouped(codes, varying)
