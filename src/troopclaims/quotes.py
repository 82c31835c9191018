"""How a quote is matched against its article, and how French numbers are read from it.

GUIDE.md allows one normalisation and no other: every run of Unicode whitespace (no-break spaces
included) becomes one space. Typographic apostrophes, quotation marks and case are NOT forgiven,
because a quote that needs them changed is no longer verbatim.
"""

from __future__ import annotations

import re

_WHITESPACE = re.compile(r"\s+")
# "12 000", "12 000" (NBSP), "3.000", "1.500", "12000", "4"; a group separator must be followed by
# exactly three digits, so "1.5" or "2018." are not read as thousands.
_NUMBER = re.compile(
    r"(?<![\d.,])\d{1,3}(?:[ \u00a0\u202f.]\d{3})+(?![\d,]|\.\d)|(?<![\d.,])\d+(?![\d])"
)
_WORDS = {
    "un": 1,
    "une": 1,
    "deux": 2,
    "trois": 3,
    "quatre": 4,
    "cinq": 5,
    "six": 6,
    "sept": 7,
    "huit": 8,
    "neuf": 9,
    "dix": 10,
    "onze": 11,
    "douze": 12,
    "quinze": 15,
    "vingt": 20,
}
_WORD = re.compile(r"\b(" + "|".join(_WORDS) + r")\b", re.IGNORECASE)


def normalize_whitespace(text: str) -> str:
    """Collapse every run of Unicode whitespace into one ASCII space (and nothing else)."""
    return _WHITESPACE.sub(" ", text)


def quote_in_text(quote: str, text: str) -> bool:
    """True when the whitespace-normalised quote is a substring of the normalised text."""
    needle = normalize_whitespace(quote).strip()
    return bool(needle) and needle in normalize_whitespace(text)


def numbers_in(text: str) -> set[int]:
    """Every number a French text writes, digits or small number words ('quatre' = 4).

    Spaces and dots between groups of three digits are thousands separators here ("3.000" is
    three thousand), as the articles write them.
    """
    found = {int(re.sub(r"[ \u00a0\u202f.]", "", m.group())) for m in _NUMBER.finditer(text)}
    found |= {_WORDS[m.group(1).lower()] for m in _WORD.finditer(text)}
    return found
