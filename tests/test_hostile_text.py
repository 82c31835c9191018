"""Issue 16 item 1, bounded cost: hostile texts through the completeness check and the number
reader finish in linear time (``bench/hostile_text.py`` measures the 5 MB bound; these tests use
sizes at which the old quadratic or cubic code hung, under a hang limit far above the bound)."""

from __future__ import annotations

import itertools
import sys

import pandas as pd

from troopclaims.checks import completeness, numbers, quotes
from troopclaims.intake import load

HANG = 60  # seconds: the bound is 10 s at 5 MB; these inputs are at most 1 MB


def _repeat(unit: str, size: int) -> str:
    return (unit * (size // len(unit) + 1))[:size]


def test_a_megabyte_of_dots_is_one_sentence_and_no_figure(hang_guard) -> None:
    """The lazy sentence pattern backtracked quadratically on dots (40 KB took 29 s)."""
    with hang_guard(HANG):
        dots = "." * 1_000_000
        assert list(completeness.sentence_spans(dots)) == [(0, len(dots))]
        assert completeness.troop_sentences(dots, "fr") == []


def test_a_figure_in_a_long_unpunctuated_line_is_found_not_skipped(hang_guard) -> None:
    """Past MAX_SENTENCE_CHARS a sentence is read in windows: every part, none skipped."""
    half = _repeat("mot 42 chose 7 ", 500_000)
    text = f"Titre.\n{half} selon la source environ 12 000 soldats {half}"
    with hang_guard(HANG):
        found = completeness.troop_sentences(text, "fr")
    # found once, or twice when it lies where two windows overlap (one claim covers both)
    assert {(s.line, s.phrase) for s in found} == {(2, "12000 soldats")} and len(found) <= 2
    assert all(len(s.text) <= completeness.MAX_SENTENCE_CHARS for s in found)
    assert all("12 000 soldats" in s.text for s in found)


def test_windows_cover_the_text_overlap_and_stay_bounded() -> None:
    text = _repeat("ab cd ", 50_000)
    spans = list(completeness.windows(text, 3, len(text)))
    assert spans[0][0] == 3 and spans[-1][1] == len(text)
    for (a, b), (c, d) in itertools.pairwise(spans):
        assert b - a <= completeness.MAX_SENTENCE_CHARS
        assert b - c >= completeness.WINDOW_OVERLAP_CHARS // 2  # a phrase this long stays whole
        assert a < c < b < d


def test_a_run_of_number_words_is_read_in_bounded_pieces(hang_guard) -> None:
    """alpha2digit is quadratic on number words: it only ever reads bounded pieces."""
    text = _repeat("mille ", 600_000)
    with hang_guard(HANG):
        read = numbers.read_numbers(text, "fr")
        assert read and set(read) <= {1000, 10**6, 10**9, 10**12}
        assert completeness.troop_sentences(text, "fr") == []
        assert completeness.troop_phrase(text + "soldats", "fr") is not None
        assert numbers.normalise_numbers("a-" * 300_000 + "mille", "fr")  # one giant word


def test_pieces_rejoin_into_the_text() -> None:
    text = _repeat("douze mille soldats ", 5_000) + "x" * 3_000
    pieces = numbers.bounded_pieces(text)
    assert "".join(pieces) == text
    assert max(len(p) for p in pieces) <= numbers.MAX_READER_CHARS


def test_numbers_and_nouns_alternating_cost_linear_time(hang_guard) -> None:
    """Every noun was compared with every number, reading the text between: cubic time."""
    text = _repeat("12 000 soldats 3 000 troupes ", 1_000_000)
    article = completeness.ArticleText("T1", "fr", "t.txt", text)
    with hang_guard(HANG):
        found = completeness.troop_sentences(text, "fr")
        assert found and all(s.phrase in {"12000 soldats", "3000 troupes"} for s in found)
        warned, _ = completeness.check_article(article, ["12 000 soldats"], [])
    assert warned == []  # every window holds the claimed quote


def test_digits_then_nouns_and_one_digit_run(hang_guard) -> None:
    with hang_guard(HANG):
        text = _repeat("1234567 ", 500_000) + _repeat("soldats ", 500_000)
        found = completeness.troop_sentences(text, "fr")
        assert [s.phrase for s in found] == ["1234567 1234567 1234567 soldats"]  # 2 words apart
        assert completeness.troop_sentences("7" * 1_000_000, "fr") == []
        assert completeness.troop_phrase("7" * 1_000_000 + " soldats", "fr") is None


def test_an_over_long_quote_is_read_in_bounded_time(hang_guard) -> None:
    quote = _repeat("12 000 soldats 3 000 troupes ", 12_000)
    with hang_guard(HANG):
        assert completeness.troop_phrase(quote, "fr") == "12000 soldats"
        found = numbers.figures_in_quotes(pd.Series([3000]), pd.Series([quote]), pd.Series(["fr"]))
    assert found.tolist() == [True]
    assert str(quotes.MAX_QUOTE_CHARS) in quotes.QUOTE_TOO_LONG_RULE.replace(",", "")


def test_unclaimed_excerpts_found_everywhere_cost_one_search_each(hang_guard) -> None:
    """spans_of listed every occurrence of every excerpt: 'e' in 5 MB reached 1 GB."""
    text = _repeat("le soldat est là, 3 000 soldats. ", 1_000_000)
    article = completeness.ArticleText("T1", "fr", "t.txt", text)
    rows = [("T1", "e", "found everywhere")] * 200 + [("T1", "3 000 soldats", "why")] * 5
    unclaimed = pd.DataFrame(rows, columns=["article_id", "excerpt", "reason"])
    unclaimed[load.LINE_COLUMN] = [str(i + 2) for i in range(len(rows))]
    unclaimed[load.SOURCE_FILE_COLUMN] = "unclaimed.csv"
    claims = pd.DataFrame({"article_id": ["T1"], "quote": ["le soldat"]})
    with hang_guard(HANG):
        problems = completeness.check_completeness([article], claims, unclaimed)
    rules = [p.rule for p in problems]
    assert len(rules) == 200 and all("must hold the troop figure" in r for r in rules)


def test_the_whitespace_list_is_every_whitespace_character() -> None:
    every = [c for c in range(sys.maxunicode + 1) if chr(c).isspace()]
    assert completeness.WHITESPACE_CODEPOINTS.tolist() == every


def test_a_sentence_needs_its_closing_mark_after_its_first_character() -> None:
    line = ". abc. «Fin.» x…» y!)"
    spans = [line[a:b] for a, b in completeness.sentence_spans(line)]
    assert spans == [". abc.", "«Fin.»", "x…»", "y!)"]
