"""The single whitespace normalisation, and reading French-written numbers."""

from __future__ import annotations

import pytest

from troopclaims.quotes import normalize_whitespace, numbers_in, quote_in_text


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


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("environ 12 000 soldats", {12000}),
        ("environ\u00a012\u00a0000", {12000}),
        ("environ 3.000 soldats", {3000}),
        ("1.500 soldats", {1500}),
        ("quatre brigades", {4}),
        ("un accord de 2018", {1, 2018}),
        ("du 8 au 13", {8, 13}),
    ],
)
def test_numbers_are_read_as_french_writes_them(text: str, expected: set[int]) -> None:
    assert numbers_in(text) == expected
