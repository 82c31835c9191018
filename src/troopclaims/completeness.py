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

import re
import unicodedata
from dataclasses import dataclass
from functools import cache, cached_property
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
_SENTENCE = re.compile(r"\S.*?(?:[.!?…]+[»\"”’)\]]*(?=\s|$)|$)")
_WHITESPACE = re.compile(r"\s+")
_DIGITS = re.compile(r"\d+")
_WORD = re.compile(r"\S+")
UNCOVERED_RULE = (
    "this sentence states a number of troops that no claim's quote covers: record it as a "
    "claim, or say why not in unclaimed.csv (data/README.md)"
)


@dataclass(frozen=True)
class Sentence:
    """A flagged sentence: where it is (1-based line, span in the normalised text) and why."""

    line: int
    start: int
    end: int
    text: str
    phrase: str  # the number and its noun, numbers as digits ("12000 soldats")


def _normalised_with_offsets(text: str) -> tuple[str, np.ndarray]:
    """The whitespace-normalised text, and for each original offset its normalised offset.

    Each run of whitespace keeps one character, so an offset moves back by the number of
    characters dropped before it.
    """
    dropped = np.zeros(len(text) + 1, dtype=np.int64)
    for run in _WHITESPACE.finditer(text):
        dropped[run.start() + 1 : run.end()] = 1
    return _WHITESPACE.sub(" ", text), np.arange(len(text) + 1) - np.cumsum(dropped)


@cache
def _noun_pattern(language: str) -> re.Pattern[str] | None:
    nouns = contract.TROOP_NOUNS.get(language)
    return re.compile(nouns, re.IGNORECASE) if nouns else None


def _is_year(value: int, sentence: str) -> bool:
    """Could this number be a year ('en 2024')? A plain 4-digit 1900-2100 written alone."""
    alone = rf"(?<!\d)(?<!\d[.,\s]){value}(?!\d|[.,\s]\d)"  # not inside "12 2024" or "2024.5"
    return 1900 <= value <= 2100 and re.search(alone, sentence) is not None


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


def _is_day(text: str, number: re.Match[str], language: str) -> bool:
    """'le 2 novembre', 'Oct. 8', '10월': a day or month of a date, not a count."""
    after = text[number.start() :].split()
    before = text[: number.start()].split()[-1:]
    words = [*after[:2], *before]  # the number's own token ("10월"), the next and the previous
    months = _month_names(language)
    return any(w.lower().strip(".,;:()") in months for w in words)


_MAX_FIGURE_DIGITS = 30  # no troop figure is longer; int() of a longer run is never needed


def _digit_run_value(run: str) -> int | None:
    """A digit run's value, or None when it is too long to be a figure: the length is read as
    text first, because int() of 4,301 digits or more raises (CPython's conversion limit) and
    costs quadratic time below it."""
    digits = run.lstrip("0") or "0"
    return int(digits) if len(digits) <= _MAX_FIGURE_DIGITS else None


def troop_phrase(sentence: str, language: str) -> str | None:
    """The first 'number near a troop noun' in ``sentence``, numbers as digits; None if none."""
    nouns = _noun_pattern(language)
    if nouns is None:
        return None
    text = numbers.normalise_numbers(sentence, language)
    found = [
        m
        for m in _DIGITS.finditer(text)
        if (_digit_run_value(m.group()) or 0) >= 2 and not _is_day(text, m, language)
    ]
    if not found:
        return None
    for noun in nouns.finditer(text):
        for num in found:
            lo, hi = sorted((num, noun), key=lambda m: m.start())
            gap = _WORD.findall(text[lo.end() : hi.start()])
            most = MAX_WORDS_BETWEEN if lo is num else MAX_WORDS_AFTER_NOUN
            # "2000 soldats" counts, "en 2024, les soldats" does not
            if _is_year(_digit_run_value(num.group()) or 0, sentence):
                most = 0 if lo is num else -1
            if hi.start() >= lo.end() and len(gap) <= most:
                return text[lo.start() : hi.end()]
    return None


def troop_sentences(text: str, language: str) -> list[Sentence]:
    """Every sentence of an article that states a number of troops, located."""
    text = unicodedata.normalize("NFC", text)
    _, offsets = _normalised_with_offsets(text)
    out = []
    line_start = 0
    for line_no, line in enumerate(text.split("\n"), start=1):
        for match in _SENTENCE.finditer(line):
            phrase = troop_phrase(match.group(), language)
            if phrase is None:
                continue
            start, end = line_start + match.start(), line_start + match.end()
            out.append(
                Sentence(
                    line_no,
                    int(offsets[start]),
                    int(offsets[end]),
                    _WHITESPACE.sub(" ", match.group()).strip(),
                    phrase,
                )
            )
        line_start += len(line) + 1
    return out


def spans_of(needle: str, haystack: str) -> list[tuple[int, int]]:
    """Every occurrence of the normalised ``needle`` in the normalised ``haystack``."""
    needle = normalize_whitespace(needle).strip()
    spans, at = [], haystack.find(needle) if needle else -1
    while at >= 0:
        spans.append((at, at + len(needle)))
        at = haystack.find(needle, at + 1)
    return spans


def _overlaps(sentence: Sentence, spans: list[tuple[int, int]]) -> bool:
    return any(start < sentence.end and sentence.start < end for start, end in spans)


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
    claimed = [
        span for q in set(quotes) if troop_phrase(q, language) for span in spans_of(q, normalised)
    ]
    excerpt_spans = [spans_of(e, normalised) if troop_phrase(e, language) else [] for e in excerpts]
    problems, used = [], set()
    for sentence in troop_sentences(article.text, article.language):
        if _overlaps(sentence, claimed):
            continue
        silencing = {i for i, spans in enumerate(excerpt_spans) if _overlaps(sentence, spans)}
        if silencing:
            used |= silencing
            continue
        problems.append(
            Problem(
                article.file,
                f"{UNCOVERED_RULE}: “{sentence.text}”",
                line=sentence.line,
                value=sentence.phrase,
                severity="warning",
                expectation="completeness",
            )
        )
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
    if not spans_of(row["excerpt"], article.normalised):
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
