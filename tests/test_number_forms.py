"""Figures as the press writes them (issue 17, item 3): halves, abbreviated and vague scale
words, Korean units alone, the French adjective "neuf", a wire's "12,000" in a French text.

Each form has its own test with the exact numbers read from a press sentence, and the forms
that look like them but are not figures have theirs."""

from __future__ import annotations

import time

import pytest

from troopclaims.checks.numbers import normalise_numbers, read_numbers

# ---------------------------------------------------------------------------------------------
# Russian and Ukrainian: полтора / півтора (one and a half), before a scale word.


def test_russian_poltory_tysyachi_is_fifteen_hundred() -> None:
    assert read_numbers("в Курскую область прибыли полторы тысячи военных", "ru") == [1500]


def test_russian_genitive_polutora_tysyach_is_fifteen_hundred() -> None:
    assert read_numbers("около полутора тысяч военных КНДР", "ru") == [1500]


def test_russian_instrumental_polutora_tysyachami() -> None:
    assert read_numbers("с полутора тысячами солдат", "ru") == [1500]


def test_russian_poltora_milliona_is_one_and_a_half_million() -> None:
    assert read_numbers("полтора миллиона беженцев", "ru") == [1_500_000]


def test_russian_poltory_with_the_abbreviated_thousand() -> None:
    assert read_numbers("полторы тыс. человек", "ru") == [1500]


def test_russian_half_prefix_pol() -> None:
    assert read_numbers("полмиллиона снарядов", "ru") == [500_000]


def test_russian_poltory_alone_is_no_figure() -> None:
    """'полторы недели' is a week and a half: no scale word follows, nothing is read."""
    assert read_numbers("через полторы недели", "ru") == []
    assert read_numbers("полтора года назад", "ru") == []


def test_russian_word_starting_like_pol_is_no_half() -> None:
    assert read_numbers("политика тысяч людей", "ru") == []


def test_ukrainian_pivtory_tysyachi_is_fifteen_hundred() -> None:
    assert read_numbers("близько півтори тисячі військових", "uk") == [1500]


def test_ukrainian_pivtory_with_genitive_plural_tysyach() -> None:
    assert read_numbers("понад півтори тисяч військових", "uk") == [1500]


def test_ukrainian_pivtora_milyona() -> None:
    assert read_numbers("півтора мільйона людей", "uk") == [1_500_000]


def test_ukrainian_pivtora_alone_is_no_figure() -> None:
    assert read_numbers("півтора року тому", "uk") == []


# ---------------------------------------------------------------------------------------------
# German: eineinhalb / anderthalb, glued to the scale word or apart.


def test_german_eineinhalbtausend() -> None:
    assert read_numbers("rund eineinhalbtausend Soldaten", "de") == [1500]


def test_german_anderthalbtausend() -> None:
    assert read_numbers("Anderthalbtausend Soldaten wurden verlegt", "de") == [1500]


def test_german_eineinhalb_tausend_apart() -> None:
    assert read_numbers("etwa eineinhalb Tausend Soldaten", "de") == [1500]


def test_german_anderthalb_tausend_apart() -> None:
    assert read_numbers("anderthalb Tausend Soldaten", "de") == [1500]


def test_german_zweieinhalb_millionen_from_num2words_cardinal() -> None:
    assert read_numbers("zweieinhalb Millionen Menschen", "de") == [2_500_000]


def test_german_eine_halbe_million() -> None:
    assert read_numbers("eine halbe Million Granaten", "de") == [500_000]


def test_german_anderthalb_alone_is_no_figure() -> None:
    assert read_numbers("nach anderthalb Jahren", "de") == []


# ---------------------------------------------------------------------------------------------
# English halves; vague plurals.


def test_english_half_a_million() -> None:
    assert read_numbers("half a million shells", "en") == [500_000]


def test_english_one_and_a_half_million() -> None:
    assert read_numbers("one and a half million people fled", "en") == [1_500_000]


def test_english_two_and_a_half_thousand_from_num2words_cardinal() -> None:
    assert read_numbers("two and a half thousand troops", "en") == [2500]


def test_english_and_a_half_after_another_number_invents_no_half() -> None:
    """Only the listed halves are read: no 500000 or 1500000 is made up from a piece."""
    assert read_numbers("2 and a half million people", "en") == [2, 1_000_000]
    assert 1_500_000 not in read_numbers("twenty-one and a half million", "en")


def test_a_half_matched_through_an_odd_case_rule_reads_nothing_and_never_raises() -> None:
    """re matches the long s "ſ" to "s" without regard to case; no such scale word is listed."""
    assert read_numbers("eineinhalb Tauſend Soldaten", "de") == []
    assert read_numbers("ПОЛТОРЫ ТЫСЯЧИ", "ru") == [1500]


def test_english_half_a_dozen_is_no_figure() -> None:
    assert read_numbers("half a dozen brigades", "en") == []


def test_english_tens_of_thousands_is_no_exact_figure() -> None:
    """A vague quantity: neither 10 nor a thousand nor an invented 10,000."""
    assert read_numbers("tens of thousands of troops", "en") == []
    assert read_numbers("Tens of thousands of North Korean soldiers", "en") == []


def test_english_ten_thousand_is_still_read() -> None:
    assert read_numbers("ten thousand troops", "en") == [10000]


def test_french_plurals_num2words_writes_are_still_numbers() -> None:
    """'cents' and 'vingts' end in s but are how num2words writes 200 and 80."""
    assert read_numbers("deux cents soldats", "fr") == [200]
    assert read_numbers("quatre vingts soldats", "fr") == [80]


# ---------------------------------------------------------------------------------------------
# Abbreviated and plural scale words after digits.


def test_french_milliers_after_digits() -> None:
    assert read_numbers("12 milliers de soldats nord-coréens", "fr") == [12000]


def test_french_milliers_alone_is_no_figure() -> None:
    assert read_numbers("des milliers de soldats", "fr") == []


def test_english_lowercase_k() -> None:
    assert read_numbers("some 12k troops", "en") == [12000]


def test_english_lowercase_m_is_not_a_million() -> None:
    assert read_numbers("a 12m wall", "en") == [12]


def test_german_tsd_with_dot() -> None:
    assert read_numbers("rund 12 Tsd. Soldaten", "de") == [12000]
    assert normalise_numbers("rund 12 Tsd. Soldaten", "de") == "rund 12000 Soldaten"


def test_german_tsd_without_dot() -> None:
    assert read_numbers("rund 12 Tsd Soldaten", "de") == [12000]


def test_german_tsd_not_after_a_number_reads_nothing() -> None:
    assert read_numbers("Tsd. Soldaten", "de") == []


# ---------------------------------------------------------------------------------------------
# Korean: a unit syllable alone before people counted.


def test_korean_man_myeong_without_a_digit() -> None:
    assert read_numbers("북한군 만 명", "ko") == [10000]


def test_korean_man_myeong_with_particle_and_yeo() -> None:
    assert read_numbers("북한군 만 명의 병력", "ko") == [10000]
    assert read_numbers("북한군 만여 명", "ko") == [10000]
    assert read_numbers("병력 천 명가량", "ko") == [1000]


def test_korean_digits_and_units_still_read() -> None:
    assert read_numbers("1만 2000명", "ko") == [12000]
    assert read_numbers("1만 2천 명", "ko") == [12000]


def test_korean_lone_syllable_without_people_is_no_figure() -> None:
    assert read_numbers("3년 만에", "ko") == [3]  # "after three years"
    assert read_numbers("만 명령", "ko") == []  # 명령: an order
    assert read_numbers("만 개", "ko") == []


def test_korean_vague_su_man_is_no_figure() -> None:
    """수 만 명, 몇 천 명: tens of thousands, a few thousand."""
    assert read_numbers("수 만 명", "ko") == []
    assert read_numbers("몇 천 명", "ko") == []
    assert read_numbers("수만 명", "ko") == []


# ---------------------------------------------------------------------------------------------
# French "neuf": the adjective (new) after its noun, the number before what it counts.


def test_french_neuf_adjective_after_its_noun() -> None:
    assert read_numbers("un char neuf", "fr") == []
    assert read_numbers("du matériel neuf, livré mardi", "fr") == []
    assert read_numbers("un char neuf de 60 tonnes", "fr") == [60]


def test_french_neuf_adjective_inflected_is_never_a_number() -> None:
    assert read_numbers("des chars neufs", "fr") == []
    assert read_numbers("une voiture neuve", "fr") == []


def test_french_neuf_mille_soldats() -> None:
    assert read_numbers("neuf mille soldats", "fr") == [9000]


def test_french_neuf_soldats() -> None:
    assert read_numbers("neuf soldats", "fr") == [9]
    assert read_numbers("les frappes ont tué neuf soldats", "fr") == [9]
    assert read_numbers("ils étaient neuf.", "fr") == [9]


def test_french_dix_neuf_is_nineteen() -> None:
    assert read_numbers("dix-neuf soldats", "fr") == [19]


# ---------------------------------------------------------------------------------------------
# A decimal mark before exactly three digits: thousands.


def test_french_comma_before_three_digits_is_a_thousands_group() -> None:
    assert read_numbers("environ 12,000 soldats", "fr") == [12000]


def test_french_comma_twice_is_thousands_groups() -> None:
    assert read_numbers("12,000,000 habitants", "fr") == [12_000_000]


def test_french_decimal_before_a_scale_word_stays_decimal() -> None:
    assert read_numbers("1,5 million de personnes", "fr") == [1_500_000]
    assert read_numbers("1,500 million de personnes", "fr") == [1_500_000]


def test_french_decimal_with_other_than_three_digits_stays_decimal() -> None:
    assert read_numbers("2,5 km", "fr") == []
    assert normalise_numbers("2,5 km", "fr") == "2.5 km"
    assert read_numbers("0,125 km", "fr") == []


def test_german_decimal_after_a_group_separator_stays_decimal() -> None:
    assert read_numbers("1.234,567 km", "de") == []


def test_english_point_before_three_digits_is_a_thousands_group() -> None:
    assert read_numbers("12.000 troops", "en") == [12000]


# ---------------------------------------------------------------------------------------------
# Cost stays linear on texts made of the new forms.


@pytest.mark.parametrize(
    ("language", "unit"),
    [
        ("ru", "полторы "),
        ("ru", "пол"),
        ("en", "one and a half "),
        ("de", "eineinhalb "),
        ("ko", "수 만 "),
        ("fr", "char neuf "),
        ("fr", "1,000,"),
    ],
)
def test_new_forms_cost_linear_time(language: str, unit: str) -> None:
    """Doubling a text of the new forms at most about doubles the time to read it."""

    def seconds(size: int) -> float:
        text = unit * (size // len(unit)) + "x"
        started = time.perf_counter()
        read_numbers(text, language)
        return time.perf_counter() - started

    seconds(1000)  # the language's vocabulary, once
    small, large = min(seconds(20_000) for _ in range(2)), min(seconds(80_000) for _ in range(2))
    assert large < 4 * small * 2.5 + 0.05, (small, large)
