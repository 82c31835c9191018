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
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache, cached_property, lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from babel import Locale, UnknownLocaleError

from troopclaims import config, contract, load, numbers
from troopclaims.load import ARTICLES_DIR_COLUMN, LINE_COLUMN, SOURCE_FILE_COLUMN
from troopclaims.problems import DataError, Problem
from troopclaims.quotes import normalize_whitespace

# A number and its troop noun may be this many words apart ("12 000 soldats", "quatre
# brigades", "10,000 North Korean troops", "병력 1만 2천명").
MAX_WORDS_BETWEEN = 2
# A number after its noun is a count only right after it ("войска численностью 12 тысяч"):
# "troops were there, 40 days" is not.
MAX_WORDS_AFTER_NOUN = 1
# A sentence ends at . ! ? or … (with any closing quotes) followed by whitespace or the line's
# end, so "3.000" and "1,5" stay whole. Abbreviations ("M. Kim") split a sentence in two, which
# at worst makes a warning quote half a sentence.
_TERMINATORS = frozenset(".!?…")
_CLOSERS = '»"”’)]'
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


def sentence_spans(line: str) -> Iterator[tuple[int, int]]:
    """The (start, end) of each sentence of one line, in one pass over its words.

    A sentence starts at a non-space character and ends after the first later word whose end,
    past any closing quotes, is one of . ! ? …, or at the line's end (trailing spaces included).
    A scan rather than a regular expression: the lazy pattern it replaces backtracked
    quadratically on a run of dots not followed by a space (40 KB of '.' took 29 s).
    """
    start = None
    for word in _WORD.finditer(line):
        if start is None:
            start = word.start()
        body = word.group().rstrip(_CLOSERS)
        # the closing mark may not be the sentence's first character (". abc" is one sentence)
        if body and body[-1] in _TERMINATORS and word.start() + len(body) - 1 > start:
            yield start, word.end()
            start = None
    if start is not None:
        yield start, len(line)


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

    def around(self, at: int) -> list[str]:
        """The word from ``at`` to its end, the next word, and the previous (or the part of
        the word before ``at``): what says whether the number at ``at`` is a date."""
        k = bisect.bisect_right(self.starts, at) - 1  # the word holding ``at``
        after = [self.text[at : self.ends[k]]]
        if k + 1 < len(self.starts):
            after.append(self.text[self.starts[k + 1] : self.ends[k + 1]])
        if at > self.starts[k]:
            before = [self.text[self.starts[k] : at]]
        else:
            before = [self.text[self.starts[k - 1] : self.ends[k - 1]]] if k > 0 else []
        return [*after, *before]


def _is_day(words: _Words, number: re.Match[str], language: str) -> bool:
    """'le 2 novembre', 'Oct. 8', '10월': a day or month of a date, not a count."""
    months = _month_names(language)
    return any(w.lower().strip(".,;:()") in months for w in words.around(number.start()))


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
    whichever splitter finds the sentences.
    """
    nouns = _noun_pattern(language)
    if nouns is None:
        return []
    text = unicodedata.normalize("NFC", text)
    offsets = _normalised_offsets(text)
    out = []
    line_start = 0
    for line_no, line in enumerate(text.split("\n"), start=1):
        for sentence_start, sentence_end in sentence_spans(line):
            for start, end in windows(line, sentence_start, sentence_end):
                phrase = _phrase_in(line[start:end], language)
                if phrase is None:
                    continue
                out.append(
                    Sentence(
                        line_no,
                        int(offsets[line_start + start]),
                        int(offsets[line_start + end]),
                        _WHITESPACE.sub(" ", line[start:end]).strip(),
                        phrase,
                    )
                )
        line_start += len(line) + 1
    return out


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
    sentences = troop_sentences(article.text, language)
    if not sentences:
        return [], set()
    claimed = _Marks(sentences)
    for needle in {_needle(q) for q in set(quotes) if troop_phrase(q, language)}:
        claimed.mark_overlapped(needle, normalised)
    uncovered = [s for s, covered in zip(sentences, claimed.marked, strict=True) if not covered]
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


_BANS = (
    (contract.FORMULA_PATTERN, contract.FORMULA_RULE),
    (contract.MARKUP_PATTERN, contract.MARKUP_RULE),
    (contract.TEXT_CONTROL_PATTERN, contract.TEXT_CONTROL_RULE),
)


def _banned(row: dict) -> list[tuple[str, str]]:
    """The contract's bans on free text, for the row's excerpt and reason (a spreadsheet opens
    unclaimed.csv too): (column, rule) for each ban a cell breaks."""
    out = []
    for col in ("excerpt", "reason"):
        value = pa.array([row[col]], type=pa.large_string())
        out += [
            (col, rule)
            for pattern, rule in _BANS
            if pc.any(pc.match_substring_regex(value, pattern)).as_py()
        ]
    return out


def article_texts(articles: pd.DataFrame, texts: dict[str, str]) -> list[ArticleText]:
    """The check's view of the articles frame (``load.read_sources``) and their raw texts."""
    out = []
    for row in articles.to_dict("records"):
        text = texts.get(row["article_id"])
        if text is None:
            continue
        file = config.display_path(Path(row[ARTICLES_DIR_COLUMN]) / row["file"])
        out.append(ArticleText(row["article_id"], row["language"], file, text))
    return out


def unclaimed_path(source: load.Source) -> Path | None:
    """Where ``source`` keeps its unclaimed.csv: in its folder beside claims.csv, if its
    snapshot found one there (a lone claims CSV given as a file carries none)."""
    if source.folder is None:
        return None
    path = source.folder / config.UNCLAIMED_FILE
    return path if load.read_source(source).files.entry(path) is not None else None


def empty_unclaimed() -> pd.DataFrame:
    """No unclaimed rows, with the columns ``check_completeness`` reads."""
    columns = [*contract.UNCLAIMED_COLUMNS, LINE_COLUMN, SOURCE_FILE_COLUMN]
    return pd.DataFrame(columns=columns, dtype="str")


def read_unclaimed(sources: list[load.Source]) -> tuple[pd.DataFrame, list[Problem]]:
    """Every source's unclaimed.csv rows (file and line kept), and the problems reading them.

    The bytes are those the source's snapshot read (once, safely; ingest writes those same
    bytes), like claims.csv's. A file that is not UTF-8 takes its encoding candidates from the
    articles its rows name, among every source's articles.csv as the snapshots read them; what
    was detected is a warning among the problems, and the frame's ``attrs["read_as"]`` says how
    each file was read (for the report's ``read_as``). A header alone is no error: a curator may
    clear every row.
    """
    sources = [load.read_source(s) for s in sources]
    known = load.article_languages(sources)
    frames, problems, read_as = [], [], {}
    for source in sources:
        path = unclaimed_path(source)
        if path is None:
            continue
        try:
            frame = load.read_raw_csv(
                path,
                contract.UNCLAIMED_COLUMNS,
                article_languages=known,
                data=source.files.data(path),
                allow_empty=True,
            )
        except DataError as err:
            problems += err.problems
            continue
        name = config.display_path(path)
        read_as[name] = frame.attrs["read_as"]
        problems += [Problem(**w) for w in frame.attrs["read_warnings"]]
        frame.attrs = {}
        frame[SOURCE_FILE_COLUMN] = name
        if len(frame):
            frames.append(frame)
    out = pd.concat(frames, ignore_index=True) if frames else empty_unclaimed()
    out.attrs["read_as"] = read_as
    return out, problems
