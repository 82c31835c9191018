"""The contract's bans on text, in one place: which patterns a column of each kind must not
contain, and the one test of values against a pattern.

A spreadsheet or a browser may open any text a drop brings, so formulas and markup are banned
from every text column, and hidden control characters from names and free text
(``contract``'s patterns and rules). Great Expectations applies them to claims.csv and
articles.csv (``expectations``' text rules, through
``gx_custom.ExpectColumnValuesToNotContainPattern``); the completeness check applies the same
bans, through the same test, to unclaimed.csv's excerpt and reason.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from troopclaims import contract

Kind = Literal["name", "free_text", "other"]
_EVERY_COLUMN = (
    (contract.FORMULA_PATTERN, contract.FORMULA_RULE),
    (contract.MARKUP_PATTERN, contract.MARKUP_RULE),
)
_BY_KIND: dict[str, tuple[tuple[str, str], ...]] = {
    # one visible line: claimant, title, outlet
    "name": ((contract.NAME_CONTROL_PATTERN, contract.NAME_CONTROL_RULE),),
    # tabs and line breaks allowed: quote, note, an excerpt, a reason
    "free_text": ((contract.TEXT_CONTROL_PATTERN, contract.TEXT_CONTROL_RULE),),
    # a format of its own (url) already refuses control characters: a fault is reported once
    "other": (),
}


def bans(kind: Kind) -> tuple[tuple[str, str], ...]:
    """The (pattern, rule) pairs a column of this kind must not match, in the order they are
    reported: the formula and markup bans, then the kind's control-character rule."""
    return _EVERY_COLUMN + _BY_KIND[kind]


def contains(values: Iterable[str | None], regex: str) -> np.ndarray:
    """For each value, whether it holds a match of ``regex`` (RE2, run by Arrow: linear in the
    text, vectorised); a missing value holds none. Python's ``re`` per value cost 0.6 s per
    million values and rule."""
    arr = pa.array(values, type=pa.large_string(), from_pandas=True)
    return pc.fill_null(pc.match_substring_regex(arr, regex), False).to_numpy(zero_copy_only=False)
