"""Reading figures in every contract language: digits, separators, words, scale words, Korean."""

from __future__ import annotations

import csv
import time
import unicodedata

import numpy as np
import pandas as pd
import pytest

from troopclaims import config
from troopclaims.checks.numbers import (
    figure_in_text,
    figure_not_found_message,
    figures_in_quotes,
    normalise_numbers,
    plain_figure,
    read_numbers,
    reader_for,
)
from troopclaims.contract import LANGUAGES

NBSP, NNBSP, THIN = "\u00a0", "\u202f", "\u2009"

# (language, text, figure that must be read)
FOUND = [
    # French
    ("fr", "près de douze mille soldats", 12000),
    ("fr", "trois mille soldats", 3000),
    ("fr", "environ 3.000 soldats", 3000),
    ("fr", "près de 3 000 soldats", 3000),
    ("fr", f"près de 3{NBSP}000 soldats", 3000),
    ("fr", f"près de 3{NNBSP}000 soldats", 3000),
    ("fr", f"près de 3{THIN}000 soldats", 3000),
    ("fr", "3'000 soldats", 3000),
    ("fr", "3’000 soldats", 3000),
    ("fr", "12 mille soldats", 12000),
    ("fr", "1,5 million de personnes", 1500000),
    ("fr", "quatre-vingts hommes", 80),
    ("fr", "dix-huit brigades", 18),
    ("fr", "vingt-quatre heures", 24),
    ("fr", "quatre brigades", 4),
    ("fr", "deux brigades", 2),
    ("fr", "trois brigades", 3),
    ("fr", "vingt et un soldats", 21),
    ("fr", "un million de soldats", 1000000),
    ("fr", "mille soldats", 1000),
    ("fr", "deux millions", 2000000),
    ("fr", "1 500 000 habitants", 1500000),
    ("fr", "Douze mille soldats", 12000),
    # English
    ("en", "some three-thousand troops", 3000),
    ("en", "around ten-thousand by December", 10000),
    ("en", "1,500 special forces", 1500),
    ("en", "twelve thousand troops", 12000),
    ("en", "Twelve Thousand troops", 12000),
    ("en", "1.5 million people", 1500000),
    ("fr", "1.5 million de soldats", 1500000),  # a wire's decimal point before a scale word
    ("ru", "10–12 тыс. солдат", 10000),  # a range's scale word, written once, scales both ends
    ("ru", "от 10 до 12 тысяч солдат", 10000),
    ("uk", "від 10 до 12 тисяч військових", 10000),
    ("en", "from 10 to 12 thousand troops", 10000),
    ("en", "between 10 and 12 thousand troops", 10000),
    ("de", "zwischen 10 und 12 Tausend Soldaten", 10000),
    ("fr", "de 10 à 12 mille soldats", 10000),
    ("ru", "1,5–2 тыс. солдат", 1500),
    ("ru", "около 1.5 тыс. солдат", 1500),
    ("de", "2.5 Mio. Soldaten", 2500000),
    ("en", "1,5 thousand troops", 1500),
    ("en", "a thousand troops", 1000),
    ("en", "one hundred and five soldiers", 105),
    ("en", "12K troops", 12000),
    ("en", "four brigades", 4),
    # German
    ("de", "zwölftausend Soldaten", 12000),
    ("de", "12.000 Soldaten", 12000),
    ("de", "1,5 Millionen Menschen", 1500000),
    ("de", "zwölf Tausend Soldaten", 12000),
    ("de", "12 Tausend Soldaten", 12000),
    ("de", "2 Mio. Euro", 2000000),
    ("de", "vier Brigaden", 4),
    # Russian: every case num2words writes, ё or е
    ("ru", "двенадцать тысяч солдат", 12000),
    ("ru", "около двенадцати тысяч солдат", 12000),
    ("ru", "с двенадцатью тысячами солдат", 12000),
    ("ru", "о двенадцати тысячах солдат", 12000),
    ("ru", f"12{NBSP}000 военных", 12000),
    ("ru", "12 000 военных", 12000),
    ("ru", "12.000 военных", 12000),
    ("ru", "3 тысячи солдат", 3000),
    ("ru", "2,5 тысячи солдат", 2500),
    ("ru", "12 тыс. человек", 12000),
    ("ru", "около трёх тысяч", 3000),
    ("ru", "около трех тысяч", 3000),
    ("ru", "двенадцать тысяч пятьсот", 12500),
    ("ru", "четыре бригады", 4),
    ("ru", "тысяча солдат", 1000),
    ("ru", "1,5 млн человек", 1500000),
    # Ukrainian
    ("uk", "дванадцять тисяч солдатів", 12000),
    ("uk", "близько трьох тисяч", 3000),
    ("uk", "п'ять тисяч", 5000),
    ("uk", "п’ять тисяч", 5000),
    ("uk", f"12{NBSP}000 військових", 12000),
    ("uk", "3 тисячі військових", 3000),
    # Korean
    ("ko", "1만 2천 명", 12000),
    ("ko", "1만2천 명", 12000),
    ("ko", "1만2000명", 12000),
    ("ko", "12,000명", 12000),
    ("ko", "만 이천 명", 12000),
    ("ko", "삼천여 명", 3000),
    ("ko", "3천여 명", 3000),
    ("ko", "삼천 명", 3000),
    ("ko", "1.5만 명", 15000),
    ("ko", "천만 명", 10_000_000),
    ("ko", "1억 2천만 원", 120_000_000),
    ("ko", "4개 여단", 4),
    ("ko", "2024년 10월 18일", 18),
]

# (language, text, figure that must NOT be read)
NOT_FOUND = [
    ("fr", "quatre-vingts hommes", 4),
    ("fr", "quatre-vingts hommes", 20),
    ("fr", "dix-huit brigades", 10),
    ("fr", "dix-huit brigades", 8),
    ("fr", "vingt-quatre heures", 20),
    ("fr", "vingt-quatre heures", 4),
    ("fr", "12 mille soldats", 12),
    ("fr", "12 mille soldats", 1000),
    ("fr", "1,5 million", 1),
    ("fr", "1,5 million", 5),
    ("fr", "1,5 million", 1000000),
    ("fr", "12,000 soldats", 12),  # a wire's thousands, not a decimal 12 (test_number_forms)
    ("fr", "un total de 12 000 soldats", 1),  # an article, not a count
    ("fr", "une prévision", 1),
    ("fr", "la seconde vague", 2),  # ordinals are not counts
    ("fr", "le dixième jour", 10),
    ("fr", "des millions de personnes", 1000000),
    ("fr", "2,5 km", 2),
    ("fr", "près de douze mille soldats", 12),
    ("en", "1.5 million", 1),
    ("en", "1.5 million", 5),
    # a decimal in the other convention before a scale word is one number, never 5 scaled
    ("fr", "1.5 million de soldats", 5000000),
    ("fr", "1.5 million de soldats", 1),
    ("ru", "10–12 тыс. солдат", 10),
    ("en", "from 12 to 10 thousand troops", 12000),  # not a range: the first is the larger
    ("en", "Phase 3 – 12 thousand troops", 3000),  # a spaced dash or a bare "to": no range
    ("en", "a ratio of 1 to 10 thousand", 1000),
    ("ru", "Су-25 – 300 тыс. рублей", 25000),
    ("ru", "Су-25–300 тыс. рублей", 25000),  # a name's number is no lower end
    ("ru", "10 тыс. – 12 тыс. солдат", 10000000),  # each end with its own scale word
    ("ru", "около 1.5 тыс. солдат", 5000),
    ("de", "2.5 Mio. Soldaten", 5000000),
    ("en", "1,5 thousand troops", 5000),
    ("en", "a second wave", 2),
    ("en", "thousands of troops", 1000),
    ("en", "one of them", 1),
    ("en", "twelve thousand troops", 12),
    ("de", "zwölftausend Soldaten", 12),
    ("de", "ein Soldat", 1),
    ("de", "1,5 Millionen", 1),
    ("ru", "двенадцать тысяч", 12),
    ("ru", "один из них", 1),
    ("ru", "несколько тысяч", 1000),  # "тысяч" alone is "thousands"
    ("ru", "2,5 тысячи", 2),
    ("uk", "дванадцять тисяч", 12),
    ("ko", "1만 2천 명", 1),
    ("ko", "1만 2천 명", 2),
    ("ko", "1만 2천 명", 10000),
    ("ko", "백악관은", 100),  # the White House
    ("ko", "만나서", 10000),  # to meet
    ("ko", "입장을 천명했다", 1000),  # declared
    ("ko", "이번에", 2),  # this time
    ("ko", "3년 만에", 10000),  # after three years
    ("ko", "수천 명", 1000),  # thousands
]


@pytest.mark.parametrize(("language", "text", "figure"), FOUND)
def test_figure_is_found(language: str, text: str, figure: int) -> None:
    assert figure_in_text(figure, text, language), read_numbers(text, language)


@pytest.mark.parametrize(("language", "text", "figure"), NOT_FOUND)
def test_figure_that_is_not_there_is_not_found(language: str, text: str, figure: int) -> None:
    assert not figure_in_text(figure, text, language), read_numbers(text, language)


@pytest.mark.parametrize(
    ("language", "text", "numbers"),
    [
        ("fr", "quatre brigades, comprenant environ 12 000 soldats", [4, 12000]),
        (
            "fr",
            "un total de 12 000 soldats, une prévision, vingt et un, un million",
            [12000, 21, 1000000],
        ),
        ("fr", "le 18.10.2024", [18, 10, 2024]),
        ("en", "In 2024, 300 troops", [2024, 300]),
        ("en", "1.5 million and 2.5", [1500000]),  # a decimal alone is not a whole number
        ("de", "am 18. Oktober 2024", [18, 2024]),
        ("ru", "двадцать один, два три", [21, 2, 3]),
        ("ko", "1만 2천 명과 3천여 명", [12000, 3000]),
        ("ko", "만", []),  # one syllable alone is not read
    ],
)
def test_numbers_are_read_in_order(language: str, text: str, numbers: list[int]) -> None:
    assert read_numbers(text, language) == numbers


@pytest.mark.parametrize(
    ("language", "text", "normalised"),
    [
        ("fr", "près de douze mille soldats", "près de 12000 soldats"),
        (
            "fr",
            f"environ 12{NBSP}000 soldats et 3.000 autres",
            "environ 12000 soldats et 3000 autres",
        ),
        ("fr", "1,5 million et 2,5 km", "1500000 et 2.5 km"),
        ("en", "some three-thousand troops", "some 3000 troops"),
        ("ru", "около двенадцати тысяч солдат", "около 12000 солдат"),
        ("ko", "1만 2천 명", "12000 명"),
        ("ko", "12,000명", "12000명"),
    ],
)
def test_normalise_numbers_writes_plain_ascii_digits(
    language: str, text: str, normalised: str
) -> None:
    assert normalise_numbers(text, language) == normalised


def test_digits_glued_to_letters_are_read() -> None:
    """Counters glue to digits (12,000명, 5km); an ordinal suffix ("10th") is read too."""
    assert read_numbers("12,000명", "ko") == [12000]
    assert read_numbers("the 10th brigade, 5km", "en") == [10, 5]


def test_korean_decomposed_text_is_read_as_composed() -> None:
    composed = "만 이천 명"
    decomposed = unicodedata.normalize("NFD", composed)
    assert decomposed != composed
    assert read_numbers(decomposed, "ko") == [12000]
    assert figure_in_text(3000, unicodedata.normalize("NFD", "삼천여 명"), "ko")


def test_unknown_language_reads_digits_only() -> None:
    assert reader_for("xx") == "digits"
    assert read_numbers("12,000 and 12.000 and 1.5 and douze mille", "xx") == [12000, 12000]
    assert read_numbers("12 000", "") == [12000]


@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_every_contract_language_reads_words(language: str) -> None:
    """Adding a language to the contract must bring a word reader (or fail here)."""
    assert reader_for(language) != "digits"


def test_a_language_text2num_or_num2words_covers_needs_no_code() -> None:
    """Spanish (text2num) and Polish (num2words lexicon) are read without a line of their own."""
    assert read_numbers("doce mil soldados", "es") == [12000]
    assert read_numbers("dwanaście tysięcy żołnierzy", "pl") == [12000]


@pytest.mark.parametrize(
    "text",
    ["", " ", "\x00", "1" * 5000, "٣٠٠٠ جندي", "１２,０００", "-", "'''", "만만만", "12 тыс"],
)
@pytest.mark.parametrize("language", [*sorted(LANGUAGES), "xx", "", "../etc", "fr\n"])
def test_never_raises(text: str, language: str) -> None:
    assert isinstance(read_numbers(text, language), list)
    assert isinstance(normalise_numbers(text, language), str)


def test_other_unicode_digits_are_read() -> None:
    assert read_numbers("٣٠٠٠", "xx") == [3000]
    assert read_numbers("１２ ０００", "fr") == [12000]


def test_real_corpus_figures_are_found_in_their_quotes() -> None:
    with (config.RAW_DIR / "claims.csv").open(encoding="utf-8", newline="") as f:
        estimates = [r for r in csv.DictReader(f) if r["kind"] == "troop_estimate"]
    assert estimates
    missing = [
        (r["claim_id"], r["figure"], read_numbers(r["quote"], "fr"))
        for r in estimates
        if not figure_in_text(int(r["figure"]), r["quote"], "fr")
    ]
    assert missing == []


def test_message_lists_the_numbers_found() -> None:
    message = figure_not_found_message(1200, "quatre brigades de 12 000 soldats", "fr")
    assert "1200" in message and "4, 12000" in message
    assert "none" in figure_not_found_message(5, "aucun chiffre", "fr")
    assert "none" in figure_not_found_message(5, None, "fr")


@pytest.mark.parametrize(
    ("value", "figure"),
    [
        ("3000", 3000),
        (3000, 3000),
        (3000.0, 3000),
        (np.int64(4), 4),
        ("0", None),
        ("-5", None),
        ("3.000", None),
        (" 3000", None),
        ("abc", None),
        (None, None),
        (float("nan"), None),
        (pd.NA, None),
        (True, None),
        (2.5, None),
        ("9" * 50, None),
    ],
)
def test_plain_figure(value: object, figure: int | None) -> None:
    assert plain_figure(value) == figure


def _claims_frame() -> pd.DataFrame:
    with (config.RAW_DIR / "claims.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    frame = pd.DataFrame(rows)
    frame["language"] = "fr"
    return frame


def test_vectorised_agrees_with_scalar() -> None:
    cases = FOUND + NOT_FOUND
    figures = pd.Series(
        [str(f) for _, _, f in cases] + [None, "abc", np.nan, "12000", "12000"], dtype=object
    )
    quotes = pd.Series([t for _, t, _ in cases] + ["x", "x", "x", None, "12 000"], dtype=object)
    languages = pd.Series(
        [lang for lang, _, _ in cases] + ["fr", "fr", "fr", "fr", None], dtype=object
    )
    got = figures_in_quotes(figures, quotes, languages)
    expected = [figure_in_text(f, t, lang) for lang, t, f in cases] + [
        True,
        True,
        True,
        False,
        True,
    ]
    assert got.tolist() == expected


def test_vectorised_on_the_real_claims_with_pandas_dtypes() -> None:
    frame = _claims_frame()
    figures = pd.to_numeric(frame["figure"].replace("", None), errors="coerce").astype("Int64")
    quotes = frame["quote"].astype("string")
    languages = frame["language"].astype("category")
    got = figures_in_quotes(figures, quotes, languages)
    assert got.all()
    assert got.dtype == bool and got.shape == (len(frame),)


def test_vectorised_is_fast_on_a_million_rows() -> None:
    frame = _claims_frame()
    repeat = 1_000_000 // len(frame) + 1
    figures = pd.Series(np.tile(frame["figure"].to_numpy(object), repeat)[:1_000_000])
    quotes = pd.Series(np.tile(frame["quote"].to_numpy(object), repeat)[:1_000_000])
    languages = pd.Series(["fr"] * 1_000_000, dtype=object)
    figures_in_quotes(figures.head(1000), quotes.head(1000), languages.head(1000))  # warm caches
    started = time.perf_counter()
    got = figures_in_quotes(figures, quotes, languages)
    elapsed = time.perf_counter() - started
    assert got.all()
    assert elapsed < 2.0, f"{elapsed:.2f} s for a million rows"


def test_vectorised_never_raises_on_odd_cells() -> None:
    figures = pd.Series([None, np.nan, [1, 2], {"a": 1}, 3000, "3000", b"3000", pd.NA, "3000"])
    quotes = pd.Series([[1], None, "x", 3, "3 000", "trois mille", "x", None, None])
    languages = pd.Series(["fr", None, np.nan, 5, "fr", "fr", "fr", pd.NA, "fr"])
    got = figures_in_quotes(figures, quotes, languages)
    # Missing or odd figures are another rule's; a missing quote holds no figure.
    assert got.tolist() == [True, True, True, True, True, True, True, True, False]


def test_vectorised_ignores_the_index_and_handles_empty_columns() -> None:
    figures = pd.Series(["12000", "4"], index=[10, 3])
    quotes = pd.Series(["douze mille", "trois"], index=[10, 3])
    languages = pd.Series(["fr", "fr"], index=[10, 3])
    assert figures_in_quotes(figures, quotes, languages).tolist() == [True, False]
    empty = pd.Series([], dtype=object)
    assert figures_in_quotes(empty, empty, empty).tolist() == []
