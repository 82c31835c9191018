"""Issue 17 item 4, sentence splitting: an abbreviation ("12 тыс.", "M.", "z. B.") no longer ends
a sentence, so a figure written with one is found; sentencex decides the dots, in bounded pieces.
"""

from __future__ import annotations

import pytest
import sentencex

from troopclaims.checks import completeness
from troopclaims.checks.quotes import normalize_whitespace

HANG = 60  # seconds: a hang, far above the bound (bench/hostile_text.py measures the bound)


def _sentences(text: str, language: str) -> list[str]:
    return [text[a:b] for a, b in completeness.sentence_spans(text, language)]


@pytest.mark.parametrize(
    ("language", "abbreviated", "written_out"),
    [
        (
            "ru",
            "По данным разведки, около 12 тыс. солдат КНДР уже в России.",
            "По данным разведки, около 12 000 солдат КНДР уже в России.",
        ),
        (
            "uk",
            "За даними розвідки, близько 12 тис. солдатів КНДР уже в Росії.",
            "За даними розвідки, близько 12 000 солдатів КНДР уже в Росії.",
        ),
    ],
)
def test_a_figure_written_with_an_abbreviation_is_one_troop_sentence(
    language: str, abbreviated: str, written_out: str
) -> None:
    """The old scan ended the sentence at "тыс." and found no troop sentence at all."""
    found = completeness.troop_sentences(abbreviated, language)
    expected = completeness.troop_sentences(written_out, language)
    assert len(found) == len(expected) == 1
    assert found[0].phrase == expected[0].phrase  # "12000 солдат", "12000 солдатів"
    assert "12000" in found[0].phrase
    assert found[0].text == abbreviated and (found[0].start, found[0].end) == (0, len(abbreviated))


def test_an_initial_does_not_end_a_sentence_even_at_the_start_of_a_line() -> None:
    text = "M. Kim a dit que 3 000 soldats sont arrivés. Ensuite rien."
    assert _sentences(text, "fr") == [
        "M. Kim a dit que 3 000 soldats sont arrivés.",
        "Ensuite rien.",
    ]
    found = completeness.troop_sentences(text, "fr")
    assert [(s.text, s.phrase) for s in found] == [
        ("M. Kim a dit que 3 000 soldats sont arrivés.", "3000 soldats")
    ]


@pytest.mark.parametrize(
    ("language", "marked"),
    [
        ("fr", "Selon M. Kim, 3 000 soldats sont là.| Puis rien."),
        ("fr", "Des chars, des obus, etc. ont été livrés avec 3 000 soldats.| Puis rien."),
        ("fr", "Il a vu 3 000 soldats, p. ex. à Koursk.| Puis rien."),
        ("fr", "Il y avait 3 000 soldats.| 12 000 autres soldats sont attendus."),
        ("fr", "Environ 3.000 soldats.| Puis rien."),
        ("en", "Dr. Kim said 10,000 troops arrived.| Then nothing."),
        ("en", "The U.S. said 10,000 troops were in Kursk.| Then nothing."),
        ("en", "Tanks, shells, etc. were sent with 3,000 troops.| Then nothing."),
        ("en", "J. Smith said 3,000 troops.| On Oct. 8 troops moved."),
        ("de", "Laut Dr. Kim sind z. B. 12.000 Soldaten angekommen.| Danach nichts."),
        ("de", "Es sind ca. 12.000 Soldaten, d. h. drei Divisionen.| Danach nichts."),
        ("de", "Am 8. Oktober kamen 3.000 Soldaten an.| Danach nichts."),
        ("de", "Rund 12 Tsd. Soldaten sind dort.| Danach nichts."),
        ("de", "Rund 1,2 Mio. Granaten und 3.000 Soldaten.| Danach nichts."),
        ("ru", "Около 1,5 млн. человек и 12 тыс. солдат КНДР.| Далее."),
        ("ru", "В 2024 г. в Россию прибыли 12 тыс. военных, т. е. три дивизии.| Далее."),
        ("ru", "По словам Д. Пескова, 12 тыс. солдат уже там.| Далее."),
        ("uk", "За словами В. Зеленського, 12 тис. солдатів уже там.| Далі."),
        ("uk", "У 2024 р. до Росії прибули 12 тис. військових.| Далі."),
        ("uk", "Близько 1,2 млн. снарядів і 12 тис. солдатів.| Далі."),
        ("ko", "북한군 1만 2천명이 러시아에 도착했다.| 다음 문장이다."),
        ("ko", "美 국방부는 약 3천명이라고 했다!| 그러나 1만 명이다?"),
    ],
)
def test_abbreviations_stay_inside_and_sentences_still_end(language: str, marked: str) -> None:
    """Each '|' marks where a sentence ends; every other '.' closes an abbreviation."""
    text = marked.replace("|", "")
    assert _sentences(text, language) == [part.strip() for part in marked.split("|")]


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        (
            "fr",
            "« Ils sont 12 000 soldats. » Puis rien.",
            ["« Ils sont 12 000 soldats. »", "Puis rien."],
        ),
        (
            "fr",
            "Il fournit des soldats à la Russie. “Le NIS a dit”, a rapporté Yonhap.",
            ["Il fournit des soldats à la Russie.", "“Le NIS a dit”, a rapporté Yonhap."],
        ),
        ("fr", "Fin. ( Et puis. ) Rien", ["Fin.", "( Et puis. )", "Rien"]),
        ("en", "It ended.  Then   more.", ["It ended.", "Then   more."]),
    ],
)
def test_quotes_and_spacing_around_an_end(language: str, text: str, expected: list[str]) -> None:
    """A closing quote standing apart ("soldats. »", French spacing) ends the sentence with it;
    quotes and brackets are the scan's business, not sentencex's (it reads them as blanks)."""
    assert _sentences(text, language) == expected


def test_offsets_locate_each_sentence_in_the_normalised_text() -> None:
    text = (
        "Titre.\n\nSelon M. Kim,  environ 3 000\u00a0soldats sont là.   Le 2 novembre, rien.\n"
        "По данным разведки, около 12 тыс. солдат КНДР уже в России. Конец."
    )
    normalised = normalize_whitespace(text)
    for language, line in (("fr", 3), ("ru", 4)):
        found = [s for s in completeness.troop_sentences(text, language) if s.line == line]
        assert len(found) == 1
        sentence = found[0]
        assert normalised[sentence.start : sentence.end].strip() == sentence.text
    fr = completeness.troop_sentences(text, "fr")
    assert [s.text for s in fr] == ["Selon M. Kim, environ 3 000 soldats sont là."]


def test_sentencex_s_sentences_join_back_into_its_text() -> None:
    """``_sentencex_ends`` reads where sentencex ends each sentence from their lengths."""
    texts = {
        "fr": "M. Kim a dit. « Oui. » Env. 3 000 soldats, etc. Puis rien...  Fin",
        "en": "Dr. Kim said 10,000 troops. The U.S. agreed! Did it? Yes.",
        "de": "Laut Dr. Kim sind z. B. 12.000 Soldaten da. Am 8. Oktober nicht.",
        "ru": "Около 12 тыс. солдат. По словам Д. Пескова, т. е. Кремля.",
        "uk": "Близько 12 тис. солдатів. За словами В. Зеленського.",
        "ko": "북한군 1만 2천명이 도착했다. 다음 문장이다. 끝",
    }
    for language, text in texts.items():
        for piece in (text, text.translate(completeness._BLANKED)):
            assert "".join(sentencex.segment(language, piece)) == piece


def test_sentencex_reads_bounded_pieces_only(monkeypatch, hang_guard) -> None:
    """sentencex is quadratic on unbalanced quotes ('« a. ' repeated, 640 KB: 78 s): it is
    given pieces of a bounded size, whatever the line's length, and no quotes at all."""
    sizes: list[int] = []
    real = sentencex.segment

    def spy(language: str, text: str) -> list[str]:
        sizes.append(len(text))
        assert not set(text) & set(completeness._QUOTES)
        return real(language, text)

    monkeypatch.setattr(sentencex, "segment", spy)
    line = "« Kim a dit. " * 20_000 + "Environ 3 000 soldats."
    with hang_guard(HANG):
        spans = list(completeness.sentence_spans(line, "fr"))
    assert len(spans) == 20_001
    assert sizes and max(sizes) <= completeness._PIECE_CHARS + 2 * completeness._CONTEXT_CHARS + 50


def test_hostile_lines_of_dots_and_abbreviations_finish(hang_guard) -> None:
    dots = "." * 40_000
    with hang_guard(HANG):
        assert list(completeness.sentence_spans(dots, "fr")) == [(0, len(dots))]
        initials = "M. " * 300_000
        assert list(completeness.sentence_spans(initials, "fr")) == [(0, len(initials) - 1)]
        dense = "“. " * 300_000  # open dots closer than prose has them: the scan's ends stand
        assert len(list(completeness.sentence_spans(dense, "fr"))) > 299_000
        assert completeness.troop_sentences("Kim. " * 200_000 + "3 000 soldats.", "fr")


def test_a_panic_or_a_lone_surrogate_in_sentencex_leaves_the_scan_s_ends(monkeypatch) -> None:
    """sentencex 1.0.32 panics on a '.' after a multi-byte space: every space reaches it as
    ' '; should it panic anyway (pyo3's PanicException is a BaseException), or refuse a lone
    surrogate, the check goes on with the scan's ends."""
    # sentencex 1.0.32 given "A\u00a0." (or "Y\x85.") panics; here the piece holds it
    text = "Le plan A\u00a0. Il y a env. 3 000 soldats. Fin."
    assert _sentences(text, "fr") == ["Le plan A\u00a0.", "Il y a env. 3 000 soldats.", "Fin."]
    assert _sentences("Plan Y\x85. Близько 12 тис. Солдатів. Далі.", "uk") == [
        "Plan Y\x85.",
        "Близько 12 тис. Солдатів.",
        "Далі.",
    ]
    assert _sentences("Ab\ud800. Cd.", "fr") == ["Ab\ud800.", "Cd."]

    class PanicException(BaseException):
        pass

    def panics(language: str, text: str) -> list[str]:
        raise PanicException("byte index is not a char boundary")

    monkeypatch.setattr(sentencex, "segment", panics)
    assert _sentences("Selon Dr. Kim, 3 000 soldats. Fin.", "fr") == [
        "Selon Dr.",
        "Kim, 3 000 soldats.",
        "Fin.",
    ]


def test_without_a_language_the_splitter_reads_english_rules() -> None:
    text = "Dr. Kim said so. Then nothing."
    assert list(completeness.sentence_spans(text)) == list(completeness.sentence_spans(text, "en"))
    assert _sentences(text, "en") == ["Dr. Kim said so.", "Then nothing."]
    assert _sentences(text, "xx") == _sentences(text, "en")  # an unknown language: its fallback


def test_dense_dots_are_not_put_to_sentencex(monkeypatch) -> None:
    """Open dots closer than prose has them (1 in 8 characters): sentencex's cost grows with the
    sentences it finds, so it is not asked, and the scan's ends stand."""
    calls = []
    real = sentencex.segment
    monkeypatch.setattr(
        sentencex, "segment", lambda lang, text: calls.append(text) or real(lang, text)
    )
    line = "Kim. " * 20_000
    assert len(list(completeness.sentence_spans(line, "fr"))) == 20_000
    assert sum(len(text) for text in calls) < 3 * completeness._PIECE_CHARS  # the last piece


@pytest.mark.parametrize(
    ("language", "text", "phrase"),
    [
        ("ko", "국정원에 따르면 북한군 삼천명이 도착했다. 다음.", "3000명"),
        ("fr", "Selon la source, douze mille soldats. Fin.", "12000 soldats"),
        ("ru", "Около двенадцати тысяч военных. Далее.", "12000 военных"),
    ],
)
def test_lines_and_sentences_without_a_noun_are_skipped_not_those_with_one(
    language: str, text: str, phrase: str
) -> None:
    """Only a line or sentence without a troop noun's letters is skipped: Korean "명" counts a
    number only once it is read ("삼천명"), so its letters, not the pattern, decide."""
    assert [s.phrase for s in completeness.troop_sentences(text, language)] == [phrase]
    assert completeness._noun_letters("ko").search("삼천명")
    assert completeness.troop_sentences("Kim. " * 1000, language) == []
