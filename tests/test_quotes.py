"""The single whitespace normalisation, and reading French-written numbers."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from troopclaims.checks.quotes import (
    normalize_whitespace,
    normalize_whitespace_array,
    quote_in_text,
)


def test_nbsp_and_newlines_are_forgiven() -> None:
    assert quote_in_text("environ 12 000 soldats", "comprenant environ\u00a012\u00a0000\n soldats")


@pytest.mark.parametrize(
    ("quote", "text"),
    [
        ("l'ambassadeur", "l’ambassadeur"),  # apostrophe style is not forgiven
        ("Environ", "environ"),  # nor case
        ("« fake news »", "« fake-news »"),  # punctuation
        ("", "anything"),  # an empty quote supports nothing
    ],
)
def test_nothing_else_is_forgiven(quote: str, text: str) -> None:
    assert not quote_in_text(quote, text)


def test_normalisation_collapses_every_unicode_space() -> None:
    assert normalize_whitespace("a\u202f\u2009\tb\r\nc") == "a b c"


def test_column_normalisation_agrees_with_python_for_every_whitespace_character() -> None:
    spaces = [chr(i) for i in range(0x110000) if re.match(r"\s", chr(i))]
    values = [f"a{c}{c}b" for c in spaces] + ["a b", "no-space", None]
    got = normalize_whitespace_array(pd.Series(values, dtype=object)).to_pylist()
    expected = [normalize_whitespace(v) if v is not None else None for v in values]
    assert got == expected
