"""How a quote is matched against its article (figures in quotes: ``numbers``).

The data contract (data/README.md, "Curation rules") allows one normalisation and no other:
every run of Unicode whitespace (no-break spaces included) becomes one space; both sides are
compared in Unicode NFC (canonically equal text). Typographic apostrophes, quotation marks and
case are NOT forgiven, because a quote that needs them changed is no longer verbatim.
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

_WHITESPACE = re.compile(r"\s+")
# The longest quote a claim may have (the curated quotes' longest has 243 characters): a quote
# is the words that state a claim, not a passage. Past it the quote is refused, located (a GX
# rule in ``expectations``); the other checks still read it, in bounded pieces, so a refused
# quote costs linear time like any other text (issue 16).
MAX_QUOTE_CHARS = 2_000
QUOTE_TOO_LONG_RULE = (
    f"quote is longer than {MAX_QUOTE_CHARS:,} characters: quote the words that state the claim, "
    "not a passage"
)


def normalize_whitespace(text: str) -> str:
    """Collapse every run of Unicode whitespace into one ASCII space, in Unicode NFC.

    NFC forgives nothing a reader could see: it only makes one spelling of the same characters
    (a Korean text saved decomposed by macOS, an 'é' typed as e + accent) compare equal.
    """
    return _WHITESPACE.sub(" ", unicodedata.normalize("NFC", text))


def quote_in_text(quote: str, text: str) -> bool:
    """True when the whitespace-normalised quote is a substring of the normalised text.

    The one-quote form of ``quotes_in_articles``, which validation uses: both go through the
    same code, so the tests of this function test the validator's rule.
    """
    found = quotes_in_articles(
        pd.Series([quote], dtype=object),
        pd.Series(["a"], dtype=object),
        {"a": normalize_whitespace(text)},
    )
    return bool(found[0])


# ---------------------------------------------------------------------------------------------
# Column-at-a-time versions (Arrow compute, RE2) for validation at a million rows, where a
# per-row Python loop costs ~4 s per million quotes. tests/test_quotes.py checks that the
# whitespace rule agrees with the scalar version for every Unicode whitespace character.

# RE2's \s is ASCII-only; this class is exactly what Python's str \s matches.
_WHITESPACE_RE2 = r"[\t\n\x{0B}\f\r\x{1C}-\x{1F}\x{85}\p{Z}]+"
# Any whitespace but the plain space, or two spaces in a row: the rows normalising would change.
_NEEDS_NORMALISING_RE2 = (
    r"[\t\n\x{0B}\f\r\x{1C}-\x{1F}\x{85}\x{A0}\x{1680}\x{2000}-\x{200A}\x{2028}\x{2029}"
    r"\x{202F}\x{205F}\x{3000}]|  "
)


def normalize_whitespace_array(values: pd.Series) -> pa.Array:
    """``normalize_whitespace`` over a whole column (nulls stay null).

    RE2's replace is slow (2 s per million quotes) while its match is fast, so only the rows
    that hold something other than single spaces are rewritten.
    """
    arr = pa.array(_nfc(values), type=pa.large_string(), from_pandas=True)
    if isinstance(arr, pa.ChunkedArray):  # a column concatenated from several files
        arr = arr.combine_chunks()
    needs = pc.fill_null(pc.match_substring_regex(arr, _NEEDS_NORMALISING_RE2), False)
    if not pc.any(needs).as_py():
        return arr
    fixed = pc.replace_substring_regex(pc.filter(arr, needs), _WHITESPACE_RE2, " ")
    return pc.replace_with_mask(arr, needs, fixed)


def _nfc(values: pd.Series) -> pd.Series:
    """``values`` in Unicode NFC, checking each distinct value once.

    Arrow's utf8_normalize costs ~4 s per million quotes; most values are already NFC and a
    column repeats values, so only the distinct values that are not NFC are rewritten.
    """
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    fixed = {i: _comparable(v) for i, v in enumerate(uniques) if _needs_fixing(v)}
    if not fixed:
        return values
    out = values.astype(object).copy()
    for i, v in fixed.items():
        out[codes == i] = v
    return out


def _needs_fixing(value: object) -> bool:
    """Not a string Arrow can hold as it is: not NFC, not a string, or a lone surrogate."""
    if not isinstance(value, str):
        return True
    try:
        return not unicodedata.is_normalized("NFC", value.encode("utf-8").decode("utf-8"))
    except UnicodeEncodeError:
        return True


def _comparable(value: object) -> str | None:
    """The value as NFC text that can be compared; a lone surrogate (no decoded file holds
    one) is spelled out, so it can neither crash the check nor match an article."""
    if not isinstance(value, str):
        return None
    text = value.encode("utf-8", "backslashreplace").decode("utf-8")
    return unicodedata.normalize("NFC", text)


def quotes_in_articles(
    quotes: pd.Series, article_ids: pd.Series, normalised_texts: dict[str, str]
) -> np.ndarray:
    """Row-wise: is the normalised quote non-empty and inside its article's normalised text?

    ``normalised_texts`` holds each article's text normalised once (not once per claim). A
    missing quote, or an article absent from ``normalised_texts``, gives False. Each distinct
    (quote, article) pair is checked once: a million rows repeat a few thousand quotes, and
    turning every row into a Python string cost ~300 MB at the benchmark's million rows.
    """
    q_codes, q_uniques = pd.factorize(pd.Series(quotes, copy=False), use_na_sentinel=True)
    a_codes, a_uniques = pd.factorize(pd.Series(article_ids, copy=False), use_na_sentinel=True)
    width = len(a_uniques) + 1  # codes run from -1 (missing) to len - 1
    pairs, row_pair = np.unique(
        q_codes.astype(np.int64) * width + (a_codes + 1), return_inverse=True
    )
    needles = pc.utf8_trim_whitespace(
        normalize_whitespace_array(pd.Series(np.asarray(q_uniques, dtype=object)))
    ).to_pylist()
    texts = [normalised_texts.get(a) if isinstance(a, str) else None for a in a_uniques]
    found = np.array(
        [
            _pair_found(needles, texts, q, a)
            for q, a in zip(pairs // width, pairs % width - 1, strict=True)
        ],
        dtype=bool,
    )
    return found[row_pair.reshape(-1)]


def _pair_found(needles: list, texts: list, quote: int, article: int) -> bool:
    """One distinct pair: codes -1 stand for a missing quote or article."""
    if quote < 0 or article < 0 or not needles[quote] or texts[article] is None:
        return False
    return needles[quote] in texts[article]
