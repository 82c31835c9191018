"""Draft claims for the curator: ``troopclaims draft DROP`` writes ``claims.draft.csv``.

Curating is the real cost of a drop (issue 21), yet the project already reads most of a troop
estimate from its text: the completeness check finds every sentence where a number stands near
a troop noun (``completeness``), the number reader knows the figure in six languages
(``numbers``), the quote rule knows what a verbatim span is (``quotes``). The draft puts those
together, one row per troop figure of each troop sentence that no claim (nor an unclaimed.csv
excerpt) covers yet, in the contract's columns plus ``draft_note``. It decides a cell only when
a rule decides it, and leaves it empty otherwise, with the reason in ``draft_note``:

- ``claim_id`` continues the article's ``<article_id>-NN`` sequence in the drop's claims.csv;
- ``quote``: the shortest clause holding the figure and its troop noun, verbatim (``clauses``),
  cut as the curators of data/raw/ cut theirs (``quote_clauses``, ``_quote_span``): a phrase of
  what the force comprises or where it is stays with its clause ("quatre brigades, comprenant
  environ 12 000 soldats, y compris des forces spéciales"), and so does a lead word that dates
  it ("Actuellement, …") or a governing clause that names the day ("ont rapporté mercredi
  qu'…"); an attribution, a purpose clause and a trailing predicate stay out; a whole sentence
  keeps its final mark, a part of one has none;
- ``figure``/``unit``: as ``completeness.troop_phrase`` and ``numbers`` read them; a whole
  number of 100 or more in the same sentence with no troop noun beside it ("une prévision de
  10 000 d'ici décembre") is drafted too, with the unit of the troop figure before it in the
  sentence (an elided noun), or none;
- ``qualifier``: the hedge words of the language right before (or, in Korean, after) the figure
  (``HEDGES``); no hedge word is ``exact``, as the contract defines it;
- ``claimant``: only from an attribution the language marks ("selon X", "according to X",
  "laut X", "по данным X", "X에 따르면": ``ATTRIBUTIONS``);
- dates only by the contract's rule 5 (data/README.md): "aujourd'hui" is the article's date,
  a weekday resolves against an article dated to the day, and a sentence naming no date in an
  undated article is ``unknown``.

A draft is never data: validate and ingest neither read claims.draft.csv nor list it as left
behind (``snapshot``), and ingest does not copy it. The curator moves reviewed rows into
claims.csv, where every rule applies.

**Clause boundaries and attribution: why rules, not a library.** Compared (issue 21, measured
here on the example drops; installed outside the project): kiwipiepy 0.24 (Korean morphology;
its model is 105 MB plus a 40 MB library, 1.7 s to load, 8 s for 400 KB, so over the 10 s bound
on 5 MB) tags the quotative ending "-다고" that ends a reported clause, which the rule below
finds from the text alone; razdel 0.5 (Russian) and SoMaJo 2.5 (German) split tokens and
sentences only, which sentencex already does; spaCy and stanza need model downloads (refused by
the brief). German and Russian require a comma before every subordinate clause ("dass", "что",
"который"), so punctuation is their clause boundary; French and English mark a complement
clause by "que"/"that" without a comma, hence the few complementizers of ``COMPLEMENTIZERS``.
Of the project's own dependencies (requirements.lock), none parses or tags any of the six
languages: babel (CLDR: list patterns, month and weekday names) and sentencex (sentence
boundaries) are all there is, and both are used. So every table here is hand-written, with the
reason beside it; the "and" of the coordinate "et que" comes from CLDR's list patterns (babel),
the weekdays of a governing clause from ``dating`` (CLDR's names). Each step is a single pass
without backtracking, over sentences the completeness check already bounded
(``MAX_SENTENCE_CHARS``), and at most ``MAX_ROWS_PER_SENTENCE`` figures are drafted per
sentence, so cost is linear.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from functools import cache
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
from babel import Locale, UnknownLocaleError

from troopclaims import atomic, config, contract
from troopclaims.checks import completeness, dating, numbers, quotes
from troopclaims.intake import load, snapshot
from troopclaims.problems import DataError, Problem

DRAFT_NOTE_COLUMN = "draft_note"
DRAFT_COLUMNS: tuple[str, ...] = (*contract.CLAIM_COLUMNS, DRAFT_NOTE_COLUMN)
# A sentence is at most completeness.MAX_SENTENCE_CHARS long; drafting past this many figures
# in one would cost without bound on a hostile line of "1 soldat, 2 soldats, ..." and helps
# no curator: the note says the rest were not drafted.
MAX_ROWS_PER_SENTENCE = 12
# A whole number without a troop noun beside it is drafted only from this value up: smaller
# ones in a troop sentence are days, distances, counts of bases.
MIN_NOUNLESS_FIGURE = 100
# The longest claimant an attribution may give: past it the words are a clause, not a name.
MAX_CLAIMANT_CHARS = 120
_MAX_CLAUSES_JOINED = 3  # a figure and its noun across at most this many clauses

_BRIGADE = re.compile(r"brigad|бригад|여단", re.IGNORECASE)
# Punctuation that bounds a clause inside a sentence. A comma between digits groups them
# ("1,500"); a dash bounds only with a space before it ("Kim – ", not "nord-coréens").
_PUNCT = re.compile(r"[;:()\[\]«»“”„\"]|,(?!\d)|(?<!\d),|(?<=\s)[–—-](?=\s)")
_FINAL = ".!?…"
_STRIP = " \t,;:–—-" + _FINAL
_OPENERS_CLOSERS = '«»“”„"()[]'
_APOSTROPHES = str.maketrans({"’": "'", "ʼ": "'"})

# Words that open a complement clause without a comma (French, English: "a affirmé que 1 500
# soldats..."): the clause starts after them. German and Russian put a comma before theirs,
# which the punctuation already bounds; they are listed for the clause without one ("und dass").
COMPLEMENTIZERS: dict[str, tuple[str, ...]] = {
    "fr": ("que", "qu'"),
    "en": ("that",),
    "de": ("dass",),
    "ru": ("что", "чтобы"),
    "uk": ("що", "щоб"),
}
# Korean ends a reported clause with a quotative ending glued to its verb ("있다고 밝혔다"):
# the clause ends with the verb's "다" and the "고" goes with the reporting verb.
# A purpose clause opens with its own words ("pour soutenir la Russie", "in order to"): French
# "pour"/"afin de" only before an infinitive (-er, -ir, -re, -oir), not before a noun ("pour la
# Russie"). German "um" and Russian "чтобы" follow a comma, which bounds them already.
PURPOSE: dict[str, str] = {
    "fr": r"\b(?:pour|afin\s+de|afin\s+d['’])\s*(?=\w+(?:er|ir|re|oir)\b)",
    "en": r"\bin\s+order\s+to\b",
}
_KOREAN_QUOTATIVE = re.compile(r"(?<=[다라냐자])고(?=\s)")

# Hedge words (casefolded, apostrophes as "'") right before the figure, per language, mapped to
# the contract's qualifiers (contract.QUALIFIERS defines them with the French words).
HEDGES: dict[str, dict[str, str]] = {
    "fr": {
        **dict.fromkeys(("environ", "quelque", "autour de", "de l'ordre de"), "about"),
        "jusqu'à": "up_to",
        **dict.fromkeys(("au moins", "plus de", "au minimum"), "at_least"),
        **dict.fromkeys(("près de", "presque", "quasiment"), "nearly"),
    },
    "en": {
        **dict.fromkeys(("about", "around", "some", "roughly", "approximately"), "about"),
        **dict.fromkeys(("up to", "as many as"), "up_to"),
        **dict.fromkeys(("at least", "more than", "over"), "at_least"),
        **dict.fromkeys(("nearly", "almost", "close to"), "nearly"),
    },
    "de": {
        **dict.fromkeys(("rund", "etwa", "ungefähr", "circa", "ca.", "zirka"), "about"),
        "bis zu": "up_to",
        **dict.fromkeys(("mindestens", "mehr als", "über"), "at_least"),
        **dict.fromkeys(("fast", "beinahe", "knapp"), "nearly"),
    },
    "ru": {
        **dict.fromkeys(("около", "примерно", "порядка", "приблизительно"), "about"),
        "до": "up_to",
        **dict.fromkeys(("не менее", "более", "свыше", "больше"), "at_least"),
        "почти": "nearly",
    },
    "uk": {
        **dict.fromkeys(("близько", "приблизно", "орієнтовно"), "about"),
        "до": "up_to",
        **dict.fromkeys(("щонайменше", "понад", "більше"), "at_least"),
        "майже": "nearly",
    },
    "ko": {"약": "about", "최대": "up_to", "최소": "at_least", "거의": "nearly"},
}
# Korean hedges after the number ("3천여 명", "1만 명 가량", "1만 명 이상", "1만 명까지").
_KOREAN_AFTER: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\A여"), "about"),
    (re.compile(r"\A\s?명?\s?(?:가량|정도|쯤|안팎|내외)"), "about"),
    (re.compile(r"\A\s?명?\s?이상"), "at_least"),
    (re.compile(r"\A\s?명?\s?까지"), "up_to"),
)

# Attributions the language marks, as (words before the source, words after it). The source runs
# from the marker to the next clause boundary (a comma in every one of these languages), or,
# for a marker after it (German "zufolge", Korean "에 따르면"), from the clause's start.
ATTRIBUTIONS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "fr": (("selon", "d'après"), ()),
    "en": (("according to",), ()),
    "de": (("laut", "nach Angaben"), ("zufolge",)),
    "ru": (
        (
            "по данным",
            "по словам",
            "по информации",
            "по сведениям",
            "по оценкам",
            "как сообщил",
            "как сообщила",
            "как сообщили",
        ),
        (),
    ),
    "uk": (("за даними", "за словами", "за інформацією", "за оцінками"), ()),
    "ko": ((), ("에 따르면",)),
}
# "selon lesquelles", "according to them": a pronoun is no source.
_NOT_A_SOURCE = re.compile(
    r"\A(?:lequel|laquelle|lesquels|lesquelles|qui|moi|lui|elle|eux|elles|nous|vous|"
    r"them|him|her|us|ihm|ihr|ihnen|ему|ей|ним|ней|нему|ним|них)\b",
    re.IGNORECASE,
)
# "Today" in each language: the article's own date (rule 5, basis article_date). CLDR's relative
# day names are not in babel's data, so hand-written.
TODAY: dict[str, tuple[str, ...]] = {
    "fr": ("aujourd'hui",),
    "en": ("today",),
    "de": ("heute",),
    "ru": ("сегодня",),
    "uk": ("сьогодні",),
    "ko": ("오늘",),
}
# Words that only say when. A lead phrase made of one of them (or of one weekday, or "today") and
# set off by a comma ("Actuellement, 1 500 soldats…", "Lundi, le porte-parole…") dates what its
# clause states: curators keep it in the quote, as they keep every word a claim's date rests on
# (the contract's rule 3 reads a weekday from the quote), so it is no clause of its own.
NOW: dict[str, tuple[str, ...]] = {
    "fr": ("actuellement", "désormais", "maintenant", "à présent"),
    "en": ("currently", "now", "at present"),
    "de": ("derzeit", "zurzeit", "aktuell", "inzwischen", "mittlerweile", "jetzt"),
    "ru": ("сейчас", "теперь", "в настоящее время"),
    "uk": ("зараз", "наразі", "тепер"),
    "ko": ("현재", "지금"),
}
# Words that open a phrase describing the noun before it, not a clause of its own (no subject, no
# finite verb). What the force comprises ("quatre brigades, comprenant environ 12 000 soldats, y
# compris des forces spéciales", "dont", "including", "darunter", "в том числе": ``COMPRISING``)
# and where the place it names lies ("à Vladivostok, dans l'Extrême-Orient russe", "la base
# d'Oussouriisk, située près de Vladivostok": ``LOCATING``) are part of what the figure states
# (data/README.md rule 1 quotes the first with both its figures), so after a comma such a phrase
# stays in the quote of the clause it hangs on. A locating phrase that holds a number of its own
# is that number's clause, with the place first ("По данным разведки, в Россию уже отправлены
# около 3000 военных"), and is left alone. A phrase opened by anything else is left out: another
# predicate ("prêts à être déployés"), another figure ("avec une prévision de 10 000"), a
# reporting clause ("sagte ein Abgeordneter"). Korean puts a noun's modifiers before it, so it
# has no such phrase.
COMPRISING: dict[str, tuple[str, ...]] = {
    "fr": ("dont", "y compris", "comprenant", "notamment", "parmi lesquels", "parmi lesquelles"),
    "en": ("including", "among them", "of whom"),
    "de": ("darunter", "einschließlich", "inklusive"),
    "ru": ("в том числе", "включая", "из них", "среди них"),
    "uk": ("у тому числі", "в тому числі", "включно з", "з них", "серед них"),
}
LOCATING: dict[str, tuple[str, ...]] = {
    "fr": (
        *("dans", "à", "au", "aux", "près de", "non loin de"),
        *("situé", "située", "situés", "situées", "stationné", "stationnés", "stationnées"),
    ),
    "en": ("in", "near", "located", "stationed", "based"),
    "de": ("in", "im", "nahe", "bei", "unweit"),
    "ru": ("в", "во", "на", "под", "близ"),
    "uk": ("в", "у", "на", "під", "біля"),
}
# Korean conjunctive adverbs at a sentence's start ("또 북한군 2개 여단이…": "also") tie it to the
# sentence before; they are no part of the claim, and Korean sets them off by a space only.
_KOREAN_CONNECTIVE = re.compile(r"\A\s*(?:또한|또|그리고|한편|아울러|이어)(?=\s)")


@dataclass(frozen=True)
class Figure:
    """One troop figure of a sentence: its value, unit ('' when no troop noun stands beside it),
    the span of its quote in the sentence, and the text before / after the number in its
    clause."""

    value: int
    unit: str
    start: int
    end: int
    before: str
    after: str
    # the unit is read from the troop figure before it in the sentence (``_elided_units``)
    elided: bool = False


@dataclass
class DraftArticle:
    """What the draft needs of one article of the drop."""

    article_id: str
    language: str
    file: str
    text: str
    published_date: str = ""
    date_precision: str = ""
    quotes: list[str] = field(default_factory=list)
    excerpts: list[str] = field(default_factory=list)
    claim_ids: list[str] = field(default_factory=list)
    checked: completeness.ArticleText | None = field(default=None, repr=False)


@dataclass
class Draft:
    """A drop's draft: the rows, and one line per article the draft could not read."""

    rows: list[dict[str, str]]
    skipped: list[str]


# --- Clauses -------------------------------------------------------------------------------


@cache
def _conjunction(language: str) -> str:
    """The language's "and" as CLDR's list pattern writes it ("{0} et {1}"): it joins a
    coordinate complement clause ("et que")."""
    try:
        pattern = Locale.parse(language).list_patterns["standard"]["2"]
    except (ValueError, KeyError, UnknownLocaleError):
        return ""
    return pattern.replace("{0}", "").replace("{1}", "").strip()


@cache
def _complementizer_pattern(language: str) -> re.Pattern[str] | None:
    """Complementizers as whole words, optionally after "and": one pass, no backtracking."""
    words = COMPLEMENTIZERS.get(language)
    if not words:
        return None
    alternatives = "|".join(re.escape(w).replace("'", "['’]") for w in words)
    conj = _conjunction(language)
    lead = rf"(?:\b{re.escape(conj)}\s+)?" if conj else ""
    return re.compile(rf"{lead}\b(?:{alternatives})(?:(?<=['’])|\b)\s*", re.IGNORECASE)


@cache
def _purpose(language: str) -> re.Pattern[str]:
    return re.compile(PURPOSE[language], re.IGNORECASE)


def clauses(sentence: str, language: str) -> list[tuple[int, int]]:
    """The (start, end) of each clause of ``sentence``, boundaries and spaces left out.

    A clause ends at punctuation inside the sentence (``_PUNCT``), after an attribution marked
    after its source ("X에 따르면": a connective ending, "X zufolge"), before a complementizer
    (``COMPLEMENTIZERS``, with a preceding "and") and a purpose clause (``PURPOSE``: its words
    open the next clause), and in Korean after a quotative ending's verb; the sentence's final
    mark belongs to none. A Korean sentence's leading conjunctive adverb ("또") and a German
    attribution that opens a clause without a comma ("Laut dem Geheimdienst sind…",
    ``_german_attribution_cuts``) are clauses of their own. One pass per kind of boundary.
    """
    cuts: list[tuple[int, int]] = [(m.start(), m.end()) for m in _PUNCT.finditer(sentence)]
    pattern = _complementizer_pattern(language)
    if pattern is not None:
        cuts += [(m.start(), m.end()) for m in pattern.finditer(sentence)]
    if language in PURPOSE:
        cuts += [(m.start(), m.start()) for m in _purpose(language).finditer(sentence)]
    if language == "ko":
        cuts += [(m.start(), m.end()) for m in _KOREAN_QUOTATIVE.finditer(sentence)]
        cuts += [(m.start(), m.end()) for m in _KOREAN_CONNECTIVE.finditer(sentence)]
    after = _attribution_patterns(language)[1]
    if after is not None:  # "X에 따르면", "X zufolge": the attribution ends its own clause
        cuts += [(m.end(), m.end()) for m in after.finditer(sentence)]
    out = _segments(sentence, cuts)
    if language == "de":
        out = _segments(sentence, cuts + _german_attribution_cuts(sentence, out))
    return out


def _segments(sentence: str, cuts: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The trimmed spans between the cuts (each a (start, end) of boundary text)."""
    out, pos = [], 0
    for start, end in [*sorted(cuts), (len(sentence), len(sentence))]:
        if start > pos:
            span = _trimmed(sentence, pos, start)
            if span is not None:
                out.append(span)
        pos = max(pos, end)
    return out


def _german_attribution_cuts(sentence: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """German fronts "Laut X" / "Nach Angaben X" before the finite verb without a comma ("Laut
    dem Geheimdienst sind bereits…"): the attribution fills the clause's first position (the
    Vorfeld) and the statement starts with the verb after it. Where a clause opens with such a
    marker, it ends with the source's noun phrase (``_german_noun_phrase_end``), as "X zufolge"
    ends with its marker; an attribution inside a clause ("Es sind laut Berichten…") is left."""
    before = _attribution_patterns("de")[0]
    if before is None:
        return []
    out = []
    for start, end in spans:
        marker = before.match(sentence, start, end)
        if marker is None:
            continue
        cut = marker.end() + _german_noun_phrase_end(sentence[marker.end() : end])
        if cut < end:
            out.append((cut, cut))
    return out


def _opens_with(words: tuple[str, ...]) -> re.Pattern[str] | None:
    """Any of ``words`` at a text's start, as whole words (apostrophes as either form)."""
    if not words:
        return None
    ordered = sorted(words, key=len, reverse=True)
    alternatives = "|".join(re.escape(w).replace("'", "['’]") for w in ordered)
    return re.compile(rf"(?:{alternatives})(?!\w)", re.IGNORECASE)


@cache
def _comprising_pattern(language: str) -> re.Pattern[str] | None:
    """``COMPRISING`` of the language at a phrase's start, made once per language."""
    return _opens_with(COMPRISING.get(language, ()))


@cache
def _locating_pattern(language: str) -> re.Pattern[str] | None:
    """``LOCATING`` of the language at a phrase's start, made once per language."""
    return _opens_with(LOCATING.get(language, ()))


def _attached(sentence: str, span: tuple[int, int], language: str) -> bool:
    """Does the phrase at ``span`` hang on the clause before it (``COMPRISING``, ``LOCATING``)?"""
    comprising, locating = _comprising_pattern(language), _locating_pattern(language)
    if comprising is not None and comprising.match(sentence, *span):
        return True
    if locating is None or not locating.match(sentence, *span):
        return False
    text = numbers.normalise_numbers(sentence[span[0] : span[1]], language)
    return not any(c.isdigit() for c in text)


def _dates_only(text: str, language: str) -> bool:
    """Is ``text`` only a word of when ("Actuellement", "Aujourd'hui", one weekday: ``NOW``)?"""
    folded = text.translate(_APOSTROPHES).casefold().strip()
    if folded in NOW.get(language, ()) or folded in TODAY.get(language, ()):
        return True
    return " " not in folded and bool(dating.named_weekdays(folded, language))


def quote_clauses(sentence: str, language: str) -> list[tuple[int, int]]:
    """The clauses a quote is cut from: ``clauses`` with the phrases that are no clause of their
    own joined to the clause they hang on, across a plain comma: a phrase of what the force
    comprises or where its place lies (``_attached``) to the clause before it, and a sentence's
    lead phrase that only dates it (``NOW``, "today", a weekday) to the clause after it. One
    pass over the clauses."""
    spans = clauses(sentence, language)
    out: list[tuple[int, int]] = []
    for span in spans:
        if out and sentence[out[-1][1] : span[0]].strip() == ",":
            lead = len(out) == 1 and out[0] == spans[0] and not sentence[: out[0][0]].strip()
            if _attached(sentence, span, language) or (
                lead and _dates_only(sentence[out[0][0] : out[0][1]], language)
            ):
                out[-1] = (out[-1][0], span[1])
                continue
        out.append(span)
    return out


def _trimmed(text: str, start: int, end: int) -> tuple[int, int] | None:
    """``(start, end)`` without the spaces and final marks at either side; None if empty."""
    while start < end and text[start] in _STRIP + _OPENERS_CLOSERS:
        start += 1
    while end > start and text[end - 1] in _STRIP + _OPENERS_CLOSERS:
        end -= 1
    return (start, end) if start < end else None


# --- Figures -------------------------------------------------------------------------------


def _phrases(text: str, language: str) -> Iterator[tuple[str, str, int]]:
    """Each troop phrase of ``text`` (completeness's reading), in order: (the normalised text,
    the phrase, where it starts in it). Each phrase is looked for after the one before."""
    norm = numbers.normalise_numbers(text, language)
    pos = 0
    while pos < len(norm):
        # The first from the text itself: its digits decide what may be a year ("2000 weitere
        # Kämpfer" is a count when written "zweitausend"); the next ones from the rest of the
        # digits text, where the phrase before ends.
        phrase = completeness.troop_phrase(norm[pos:] if pos else text, language)
        if phrase is None:
            return
        at = norm.find(phrase, pos)
        if at < 0:
            return
        yield norm, phrase, at
        pos = at + len(phrase)


_LEADING_DIGITS = re.compile(r"\A\d+")
_DIGIT_RUN = re.compile(r"\d+")
_TRAILING_DIGITS = re.compile(r"\d+\Z")


def _counts(phrase: str, run: re.Match[str]) -> bool:
    """Whether a digit run may count troops: at least 2, and not glued to a letter (an
    ordinal, "1st", "2nd", a name, "G7")."""
    glued = (
        phrase[run.end() : run.end() + 1].isalpha()
        or phrase[run.start() - 1 : run.start()].isalpha()
    )
    return int(run.group()) >= 2 and not glued


def _figure_of(norm: str, phrase: str, at: int, span: tuple[int, int]) -> Figure | None:
    """The figure a phrase states ("12000 soldats", "войска численностью 12000")."""
    lead = _LEADING_DIGITS.match(phrase)
    if lead:
        # the number nearest the noun counts it: "10 to 12000 troops" states 12,000 troops
        # (the completeness check's phrase runs from the earliest number that may count it)
        counts = [m for m in _DIGIT_RUN.finditer(phrase) if _counts(phrase, m)]
        last = counts[-1] if counts else lead  # "12000 1st Army soldiers": 1st is no count
        value, number_at, number_end = int(last.group()), at + last.start(), at + last.end()
        noun = phrase[last.end() :]
    else:
        trail = _TRAILING_DIGITS.search(phrase)
        if trail is None:
            return None
        value, number_at, number_end = int(trail.group()), at + trail.start(), at + len(phrase)
        noun = phrase[: trail.start()]
    unit = "brigades" if _BRIGADE.search(noun) else "soldiers"
    return Figure(value, unit, *span, norm[:number_at], norm[number_end:])


def figures(sentence: str, language: str, limit: int = MAX_ROWS_PER_SENTENCE) -> list[Figure]:
    """Every troop figure of one sentence (the first ``limit`` + 1), each with its shortest
    clause, in order.

    A figure and its noun in one clause (``quote_clauses``) take that clause; a pair that only a
    run of clauses holds ("troops, about 3000") takes the shortest run. Then the whole numbers of
    100 or more that no troop noun counts (not a possible year), with their own clause, and the
    unit of the troop figure before them if any (``_elided_units``). Each quote then takes the
    clause that governs it when that one dates it, and a whole sentence its final mark
    (``_quote_span``). Reading stops past ``limit``: a sentence is read a bounded number of times.
    """
    spans = quote_clauses(sentence, language)
    found = _clause_figures(sentence, spans, language, limit)
    return [_quote_span(sentence, spans, f, language) for f in _elided_units(found)]


def _clause_figures(
    sentence: str, spans: list[tuple[int, int]], language: str, limit: int
) -> list[Figure]:
    """``figures`` before ``_elided_units`` and ``_quote_span``: each with its clause."""
    found: list[Figure] = []
    for span in spans:
        for norm, phrase, at in _phrases(sentence[span[0] : span[1]], language):
            figure = _figure_of(norm, phrase, at, span)
            if figure is not None:
                found.append(figure)
            if len(found) > limit:
                return found
    seen = [f.value for f in found]
    for norm, phrase, at in _phrases(sentence, language):  # pairs across a clause boundary
        figure = _figure_of(norm, phrase, at, (0, len(sentence)))
        if figure is None:
            continue
        if figure.value in seen:
            seen.remove(figure.value)
            continue
        joined = _joined_span(sentence, spans, figure.value, language)
        if joined is not None:
            found.append(_refound(sentence, joined, figure.value, figure.unit, language))
        if len(found) > limit:
            return found
    stated = {f.value for f in found}
    for span in spans:
        found += _nounless(sentence, span, stated, language)
        if len(found) > limit:
            break
    found.sort(key=lambda f: (f.start, f.end, len(f.before)))
    return found


def _elided_units(found: list[Figure]) -> list[Figure]:
    """A bare number after a troop figure in the same sentence counts what that figure counts:
    its noun is elided ("près de 3 000 soldats…, avec une prévision de 10 000") or taken up by a
    pronoun ("1 500 soldats… et que Pyongyang prévoit d'en déployer 12 000", "ce nombre pourrait
    atteindre 10.000"). Such a figure takes the unit of the nearest troop figure before it, and
    its note says so; one before any troop figure keeps no unit. ``found`` is in sentence order.
    """
    out, unit = [], ""
    for figure in found:
        if figure.unit:
            unit = figure.unit
        elif unit:
            figure = replace(figure, unit=unit, elided=True)
        out.append(figure)
    return out


def _quote_span(
    sentence: str, spans: list[tuple[int, int]], figure: Figure, language: str
) -> Figure:
    """The figure with its quote's span: its clause, with two widenings a curator makes.

    - A clause opened by a complementizer ("ont rapporté mercredi qu'environ 3.000 soldats…")
      takes the clause that governs it when that clause names the day of the statement (a
      weekday, "today"): the contract's rule 3 dates a claim by the weekday its quote names, so
      the words that date it go in. A governing clause naming no day stays out.
    - A quote that is the whole sentence keeps its final mark ("Actuellement, 1 500 soldats
      militaires s'entraînent déjà en Russie."); a part of a sentence has none.
    """
    start, end = figure.start, figure.end
    at = next((i for i, span in enumerate(spans) if span[0] == start), 0)
    complementizer = _complementizer_pattern(language)
    if at > 0 and complementizer is not None:
        governing = spans[at - 1]
        gap = sentence[governing[1] : start].strip(" ,")
        text = sentence[governing[0] : governing[1]]
        if complementizer.fullmatch(gap) and (
            dating.named_weekdays(text, language) or _words_named(text, TODAY.get(language, ()))
        ):
            start = governing[0]
    rest = sentence[end:].strip()
    if rest and not sentence[:start].strip() and all(c in _FINAL for c in rest):
        end = len(sentence.rstrip())
    return replace(figure, start=start, end=end)


def _joined_span(
    sentence: str, spans: list[tuple[int, int]], value: int, language: str
) -> tuple[int, int] | None:
    """The shortest run of consecutive clauses whose text states ``value`` as a troop figure:
    runs of two, then three, among those whose first or last clause writes the number."""
    holding = [
        i
        for i, (s, e) in enumerate(spans)
        if numbers.figure_in_text(value, sentence[s:e], language)
    ]
    for size in range(2, _MAX_CLAUSES_JOINED + 1):
        for i in holding:
            for first in (i, i - size + 1):
                last = first + size - 1
                if first < 0 or last >= len(spans):
                    continue
                start, end = spans[first][0], spans[last][1]
                if any(f[1] == value for f in _values(sentence[start:end], language)):
                    return start, end
    return None


def _values(text: str, language: str) -> list[tuple[str, int]]:
    """(phrase, figure) of each troop phrase of ``text``."""
    out = []
    for norm, phrase, at in _phrases(text, language):
        figure = _figure_of(norm, phrase, at, (0, len(text)))
        if figure is not None:
            out.append((phrase, figure.value))
    return out


def _refound(sentence: str, span: tuple[int, int], value: int, unit: str, language: str) -> Figure:
    """``value`` in the clause run ``span``, with the text around its number there."""
    norm = numbers.normalise_numbers(sentence[span[0] : span[1]], language)
    at = _number_at(norm, value)
    return Figure(value, unit, *span, norm[:at], norm[at + len(str(value)) :])


def _number_at(norm: str, value: int) -> int:
    """Where ``value`` is written as a whole digit run in normalised text (0 if nowhere)."""
    for run in re.finditer(r"\d+", norm):
        if run.group() == str(value):
            return run.start()
    return 0


def _nounless(
    sentence: str, span: tuple[int, int], stated: set[int], language: str
) -> list[Figure]:
    """Whole numbers of ``MIN_NOUNLESS_FIGURE`` or more in a clause of a troop sentence that no
    troop noun counts ("une prévision de 10 000 d'ici décembre", "d'en déployer 12 000"): a
    curator records them (rule 1); years alone (1900-2100) are left out."""
    norm = numbers.normalise_numbers(sentence[span[0] : span[1]], language)
    out = []
    for run in re.finditer(r"(?<![\d.])\d+(?![\d.])", norm):
        value = int(run.group()) if len(run.group()) <= 12 else 0
        if value < MIN_NOUNLESS_FIGURE or value in stated or 1900 <= value <= 2100:
            continue
        out.append(Figure(value, "", *span, norm[: run.start()], norm[run.end() :]))
    return out


# --- Cells ---------------------------------------------------------------------------------


def qualifier(figure: Figure, language: str) -> str:
    """The contract's qualifier from the words right before the figure (Korean: also after);
    'exact' when none of the language's hedge words stands there ('' for a language without
    a table)."""
    hedges = HEDGES.get(language)
    if hedges is None:
        return ""
    before = figure.before.translate(_APOSTROPHES).casefold().rstrip()
    for words, value in sorted(hedges.items(), key=lambda kv: -len(kv[0])):
        if before.endswith(words) and (
            len(before) == len(words) or not before[-len(words) - 1].isalnum()
        ):
            return value
    if language == "ko":
        for pattern, value in _KOREAN_AFTER:
            if pattern.match(figure.after):
                return value
    return "exact"


@cache
def _attribution_patterns(language: str) -> tuple[re.Pattern[str] | None, re.Pattern[str] | None]:
    """Markers before the source ("selon X"), markers after it ("X에 따르면")."""
    before, after = ATTRIBUTIONS.get(language, ((), ()))

    def words(items: tuple[str, ...], lead: str, tail: str) -> re.Pattern[str] | None:
        if not items:
            return None
        alternatives = "|".join(re.escape(w).replace("'", "['’]") for w in items)
        return re.compile(rf"{lead}(?:{alternatives}){tail}", re.IGNORECASE)

    # a marker before the source is a whole word: "laut" is not "Lautsprecher" or "lauten"
    return words(before, r"(?<!\w)", r"(?!\w)"), words(after, "", "")


def _attributing_part(sentence: str, figure: Figure) -> str:
    """The part of the sentence an attribution in it may cover for this figure: between the
    semicolons around it ("Kim said 3,000 left; according to Seoul, 1,500 more": Seoul's is
    the 1,500 only)."""
    start = sentence.rfind(";", 0, figure.start) + 1
    end = sentence.find(";", figure.end)
    return sentence[start : end if end >= 0 else len(sentence)]


_GROUPING = " ,.\u00a0\u202f"


def _count_at(sentence: str, start: int, end: int) -> int | None:
    """Where the first number that counts something starts in ``sentence[start:end]``: a
    number not glued to a letter ("G7") and not followed by a capitalised word ("38 North" is
    a name); "Seoul 3,000 troops" counts at "3,000". Each digit run is looked at once."""
    for run in _DIGIT_RUN.finditer(sentence, start, end):
        if run.start() > 0 and sentence[run.start() - 1].isalnum():
            continue
        j = run.end()
        while j + 1 < end and sentence[j] in _GROUPING and sentence[j + 1].isdigit():
            j += 1
            while j < end and sentence[j].isdigit():
                j += 1
        k = j
        while k < end and sentence[k].isspace():
            k += 1
        named = k > j and k < end and sentence[k].isupper()  # "38 North"
        if not named and not sentence[j : j + 1].isalpha():
            return run.start()
    return None


def claimant(sentence: str, language: str) -> str:
    """The source an attribution the language marks names, or '' (none, or no plain name).

    A source ends at its clause, and before a number that counts something (``_count_at``):
    without the comma ("Selon Séoul 3 000 soldats…") the source is the words before the
    figure, never the figure's own clause; a name's digits ("38 North", "G7") stay."""
    before, after = _attribution_patterns(language)
    spans = clauses(sentence, language)
    if before is not None:
        marker = before.search(sentence)
        if marker is not None:
            end = next((e for s, e in spans if s <= marker.end() < e + 1), len(sentence))
            count = _count_at(sentence, marker.end(), end)
            end = end if count is None else count
            return _source(_german_noun_phrase(sentence[marker.end() : end], language))
    if after is not None:
        marker = after.search(sentence)
        if marker is not None:
            start = max((s for s, _ in spans if s < marker.start()), default=0)
            return _source(sentence[start : marker.start()])
    return ""


# German articles and determiners: a lowercase word after one of them (or after an adjective that
# follows one) is still inside the noun phrase ("dem südkoreanischen Geheimdienst").
_GERMAN_DETERMINERS = frozenset(
    [
        "der",
        "die",
        "das",
        "des",
        "dem",
        "den",
        "ein",
        "eine",
        "einer",
        "eines",
        "einem",
        "einen",
        "aus",
        "von",
        "vom",
    ]
)


def _german_noun_phrase(words: str, language: str) -> str:
    """German "laut X" has no comma after X: the finite verb follows it ("Laut dem
    Geheimdienst sind ..."). X is ``words`` up to ``_german_noun_phrase_end``. Other languages:
    unchanged."""
    if language != "de":
        return words
    return " ".join(words[: _german_noun_phrase_end(words)].split())


def _german_noun_phrase_end(words: str) -> int:
    """Where the noun phrase that opens ``words`` ends. Nouns are capitalised in German, so it
    ends before the first lowercase word after a noun that no determiner introduces."""
    end = 0
    noun_seen = after_determiner = False
    for match in re.finditer(r"\S+", words):
        word = match.group()
        lower = word[:1].islower()
        if lower and noun_seen and word not in _GERMAN_DETERMINERS:
            break
        end = match.end()
        after_determiner = word in _GERMAN_DETERMINERS or (lower and after_determiner)
        noun_seen = noun_seen or not lower
        if not lower:
            noun_seen, after_determiner = True, False
    return end


def _source(words: str) -> str:
    words = words.strip(_STRIP + _OPENERS_CLOSERS)
    if not words or len(words) > MAX_CLAIMANT_CHARS or _NOT_A_SOURCE.match(words):
        return ""
    return words


def _words_named(sentence: str, words: tuple[str, ...]) -> bool:
    folded = sentence.translate(_APOSTROPHES).casefold()
    return any(re.search(rf"(?<!\w){re.escape(w)}(?!\w)", folded) for w in words)


def _names_a_date(sentence: str, language: str) -> bool:
    """Does the sentence name a day or month (a weekday, a month name, a date in digits, Korean
    월/일 after a digit)? Then an undated article's claim may still be dated by the curator."""
    return bool(dating.named_weekdays(sentence, language)) or _calendar_date(sentence, language)


def _calendar_date(sentence: str, language: str) -> bool:
    """Does the sentence name a date of the calendar: a month name, a date in digits
    ("18/10/2024", "18.10.2024", "2024-10-18"), Korean 월/일 after a digit?"""
    if _words_named(sentence, _months(language)) or _DIGIT_DATE.search(sentence):
        return True
    return language == "ko" and _KOREAN_DAY.search(sentence) is not None


def _days_of_month(sentence: str, language: str) -> set[int] | None:
    """The days of a month the sentence names ("18 octobre", "October 18", "18. Oktober",
    "18일"), None when it names none; a date in digits ("18/10/2024": day or month first?)
    names one the rule cannot read: an empty set. A month alone ("d'ici décembre") dates a
    forecast, not the claim."""
    if _DIGIT_DATE.search(sentence):
        return set()
    if language == "ko":
        days = {int(m.group(1)) for m in _KOREAN_DAY_NUMBER.finditer(sentence)}
    else:
        pattern = _day_and_month(language)
        found = pattern.finditer(sentence.casefold()) if pattern is not None else ()
        days = {int(m.group("a") or m.group("b")) for m in found}
    return days or None


@cache
def _day_and_month(language: str) -> re.Pattern[str] | None:
    """A day number (1-2 digits) beside a month name, either side: literal alternations."""
    months = sorted(_months(language), key=len, reverse=True)
    if not months:
        return None
    names = "|".join(map(re.escape, months))
    return re.compile(
        rf"(?<!\d)(?P<a>\d{{1,2}})\.?\s(?:{names})(?!\w)"
        rf"|(?<!\w)(?:{names})\.?\s(?P<b>\d{{1,2}})(?!\d)"
    )


_KOREAN_DAY_NUMBER = re.compile(r"(?<!\d)(\d{1,2})\s?일(?!\w)")
_KOREAN_DAY = re.compile(r"\d\s?(?:월|일)(?!\w)")
# Bounded repetitions only: constant time at each start.
_DIGIT_DATE = re.compile(r"(?<!\d)(?:\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[./]\d{1,2}[./]\d{2,4})(?!\d)")
# A weekday said to be the last or the next one: the rule's "latest on or before the article's
# date" would give the article's own day for "vendredi dernier" in a Friday's paper, and a past
# day for "next Monday".
_RELATIVE = {
    "en": r"(?:last|next|coming)(?!\w)",
    "fr": r"derni[eè]r|prochain",
    "de": r"letzt|vergangen|nächst|kommend",
    "ru": r"прошл|следующ|будущ",
    "uk": r"минул|наступн",
    "ko": r"지난|다음",
}


@cache
def _relative_pattern(language: str) -> re.Pattern[str] | None:
    """A 'last' or 'next' word right beside a weekday name, either side ("vendredi dernier",
    "last Friday", "в прошлую пятницу", "지난 금요일"): literal alternations."""
    words = _RELATIVE.get(language.split("_")[0])
    days = sorted(dating.weekday_forms(language), key=len, reverse=True)
    if words is None or not days:
        return None
    names = "|".join(map(re.escape, days))
    return re.compile(
        rf"(?<!\w)(?:{words})\w*\s(?:{names})(?!\w)|(?<!\w)(?:{names})\s(?:{words})",
        re.IGNORECASE,
    )


def _relative_weekday(sentence: str, language: str) -> bool:
    pattern = _relative_pattern(language)
    return pattern is not None and pattern.search(dating.folded_weekdays(sentence)) is not None


@cache
def _months(language: str) -> tuple[str, ...]:
    """The language's month names, every form and width CLDR has (babel), casefolded."""
    try:
        locale = Locale.parse(language)
    except (ValueError, UnknownLocaleError):
        return ()
    return tuple(
        {
            name.casefold().rstrip(".")
            for context in ("format", "stand-alone")
            for width in ("wide", "abbreviated")
            for name in locale.months[context][width].values()
        }
    )


def _real_day(text: str) -> date | None:
    """The day ``text`` names, or None when it names none (2024-10-32): the draft resolves
    nothing against a date validation refuses."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def dates(sentence: str, article: DraftArticle) -> tuple[dict[str, str], str]:
    """statement_date, date_precision, date_basis by the contract's rule 5, and why (or why not).

    'aujourd'hui' takes the article's date; one weekday named resolves against an article dated
    to the day (the latest such day on or before it); an undated article whose sentence names
    no date gives 'unknown'. Anything else (a stated date, a context) is the curator's reading.
    """
    language = article.language
    dated = article.published_date and article.date_precision == "day"
    day = _real_day(article.published_date) if dated else None
    if dated and day is None:
        why = f"date: the article's published_date {article.published_date!r} is not a real date"
        return {}, f"{why} (validation says so): the curator's reading, once it is fixed"
    if dated and _words_named(sentence, TODAY.get(language, ())):
        cells = {"statement_date": article.published_date, "date_precision": "day"}
        return {**cells, "date_basis": "article_date"}, "date: 'today' is the article's date"
    weekdays = dating.named_weekdays(sentence, language)
    if dated and len(weekdays) == 1 and _relative_weekday(sentence, language):
        why = "date: the weekday is 'last' or 'next' one, which the rule does not resolve: check"
        return {}, why
    if day is not None and len(weekdays) == 1:
        (weekday,) = weekdays
        resolved = day - timedelta(days=(day.weekday() - weekday) % 7)
        named = _days_of_month(sentence, language)
        if named is not None and resolved.day not in named:
            # "On Friday, October 18" in a Friday 25 October paper: the date it names
            why = "date: the sentence names a calendar date the weekday rule does not give: check"
            return {}, why
        cells = {"statement_date": resolved.isoformat(), "date_precision": "day"}
        why = (
            f"date: the weekday named, resolved against the article's date "
            f"{article.published_date} (the latest such day on or before it): check"
        )
        return {**cells, "date_basis": "inferred_weekday"}, why
    if not article.published_date and not _names_a_date(sentence, language):
        cells = {"date_precision": "unknown", "date_basis": "unknown"}
        why = "date: the article is undated and the sentence names no date (unknown, rule 5)"
        return cells, why
    return {}, "date: no rule dates it (stated or inferred_context is the curator's reading)"


# --- Rows ----------------------------------------------------------------------------------


def _next_numbers(article: DraftArticle) -> Iterator[str]:
    """The article's next claim ids, after the highest ``<article_id>-NN`` already used."""
    pattern = re.compile(rf"{re.escape(article.article_id)}-(\d+)\Z")
    used = [m.group(1) for m in map(pattern.match, article.claim_ids) if m]
    width = max([2, *map(len, used)])
    n = max((int(u) for u in used), default=0)
    while True:
        n += 1
        claim_id = f"{article.article_id}-{n:0{width}d}"
        # "" when the article id leaves no room: the curator names the claim (64 at most)
        yield claim_id if re.fullmatch(contract.ID_PATTERN, claim_id) else ""


def article_rows(article: DraftArticle) -> list[dict[str, str]]:
    """The draft rows of one article: every figure of every troop sentence not yet covered."""
    text = article_text(article)
    uncovered = completeness.uncovered_sentences(text, article.quotes)
    if not uncovered:
        return []
    quiet = completeness.silenced_by(uncovered, text, article.excerpts)
    ids = _next_numbers(article)
    rows = []
    for sentence, silenced in zip(uncovered, quiet, strict=True):
        if silenced:
            continue
        found = figures(sentence.text, article.language, MAX_ROWS_PER_SENTENCE)
        extra = len(found) - MAX_ROWS_PER_SENTENCE
        for figure in found[:MAX_ROWS_PER_SENTENCE]:
            row = _row(sentence, figure, article)
            if extra > 0:
                row[DRAFT_NOTE_COLUMN] += f"; {extra} more figures in this sentence not drafted"
            row["claim_id"] = next(ids)
            if not row["claim_id"]:
                row[DRAFT_NOTE_COLUMN] += (
                    f"; claim_id: {article.article_id}-NN would pass 64 characters; name it"
                )
            rows.append(row)
    return rows


def article_text(article: DraftArticle) -> completeness.ArticleText:
    """The completeness check's view of the article, made once: it normalises the text once."""
    if article.checked is None:
        article.checked = completeness.ArticleText(
            article.article_id, article.language, article.file, article.text
        )
    return article.checked


def _row(located: completeness.Sentence, figure: Figure, article: DraftArticle) -> dict[str, str]:
    """One draft row: the cells a rule decides, and why each other one is empty."""
    language = article.language
    sentence = located.text
    row = dict.fromkeys(DRAFT_COLUMNS, "")
    notes = ["draft: review every cell, then move the row into claims.csv"]
    quote = sentence[figure.start : figure.end]
    if _quote_ok(quote, figure.value, article, (located.start, located.end)):
        row["quote"] = quote
    else:
        notes.append("quote: no clause passes the quote rule with this figure; copy it by hand")
    row.update(article_id=article.article_id, kind="troop_estimate", figure=str(figure.value))
    if figure.unit:
        row["unit"] = figure.unit
        if figure.elided:
            notes.append(
                "unit: no troop noun beside this figure; read as counting what the troop figure "
                "before it in the sentence counts (an elided noun, 'd'en déployer 12 000'): check"
            )
    else:
        notes.append(
            "unit: no troop noun beside this figure (soldiers or brigades?); check it counts troops"
        )
    row["qualifier"] = qualifier(figure, language)
    who = claimant(_attributing_part(sentence, figure), language)
    row["claimant"] = who
    if not who:
        notes.append("claimant: no attribution the language marks ('selon X') in the sentence")
    notes.append("claimant_group, category, figure_as_of: the curator's reading")
    cells, why = dates(sentence, article)
    row.update(cells)
    notes.append(why)
    row[DRAFT_NOTE_COLUMN] = "; ".join(notes)
    return row


def _quote_ok(quote: str, figure: int, article: DraftArticle, span: tuple[int, int]) -> bool:
    """The project's own rules on a quote: verbatim in the article (``quotes``), holding its
    figure (``numbers``), no formula start or markup (``contract``'s bans).

    ``span`` is the sentence's place in the normalised article: the quote, cut from that
    sentence, is looked for there, not from the article's start (once per row, a 4 MB article
    of 8,000 troop sentences cost 9 s in this search alone, growing with the square).
    """
    if not quote or len(quote) > quotes.MAX_QUOTE_CHARS:
        return False
    # quotes.quote_in_text's rule, against the article normalised once
    if quotes.normalize_whitespace(quote) not in article_text(article).normalised[slice(*span)]:
        return False
    if not numbers.figure_in_text(figure, quotes.normalize_whitespace(quote), article.language):
        return False
    value = pa.array([quote], type=pa.large_string())
    return not any(pc.any(pc.match_substring_regex(value, pattern)).as_py() for pattern in _BANS)


# The contract's bans on free text (RE2, as validation runs them).
_BANS = (contract.FORMULA_PATTERN, contract.MARKUP_PATTERN, contract.TEXT_CONTROL_PATTERN)


# --- The drop ------------------------------------------------------------------------------


def read_drop(folder: Path) -> list[DraftArticle]:
    """The drop's own articles with their texts, and each one's claims and unclaimed excerpts,
    read as validation reads them (``load``: one safe snapshot, a spreadsheet's encoding)."""
    source = snapshot.read_source(snapshot.drop_source(folder))
    if source.folder is None or source.articles_csv is None:
        raise DataError(
            [Problem(str(folder), "a draft needs a drop folder with articles.csv and articles/")]
        )
    tables = load.read_tables([source])
    if tables.error is not None:
        raise tables.error
    claims, articles, unclaimed = tables.claims, tables.articles, tables.unclaimed
    out = []
    for row in articles.to_dict("records"):
        entry = row[load.ARTICLE_TEXT_COLUMN]
        text = entry.data.decode("utf-8", "replace") if entry is not None and entry.data else ""
        mine = claims[claims["article_id"] == row["article_id"]]
        excerpts = unclaimed[unclaimed["article_id"] == row["article_id"]]["excerpt"]
        out.append(
            DraftArticle(
                row["article_id"],
                row["language"].strip(),
                row[load.TEXT_FILE_COLUMN],
                text,
                row["published_date"].strip(),
                row["date_precision"].strip(),
                [q for q in mine["quote"] if q],
                list(excerpts),
                list(mine["claim_id"]),
            )
        )
    return out


def draft(articles: list[DraftArticle]) -> Draft:
    """Every article's draft rows; an article the draft cannot read is named with the reason."""
    rows: list[dict[str, str]] = []
    skipped = []
    for article in articles:
        if article.language not in contract.LANGUAGES:
            skipped.append(
                f"{article.article_id}: language {article.language!r} in articles.csv is not a "
                "contract language: fill it in, then draft again"
            )
            continue
        if not article.text:
            skipped.append(f"{article.article_id}: its text {article.file} could not be read")
            continue
        rows += article_rows(article)
    return Draft(rows, skipped)


def csv_text(rows: list[dict[str, str]]) -> str:
    """The draft as the contract's CSV form: UTF-8, LF, RFC 4180 quoting, ``DRAFT_COLUMNS``."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(DRAFT_COLUMNS), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def draft_drop(folder: Path | str) -> tuple[Path, Draft]:
    """Write ``claims.draft.csv`` beside the drop's claims.csv, atomically; what was drafted."""
    folder = Path(folder)
    result = draft(read_drop(folder))
    target = folder / config.DRAFT_FILE
    atomic.write_text(target, csv_text(result.rows))
    return target, result


def describe(target: Path, result: Draft) -> list[str]:
    """What the command prints (the caller escapes each line): the file, the rows per article,
    the articles skipped, and the next step."""
    per: dict[str, int] = {}
    for row in result.rows:
        per[row["article_id"]] = per.get(row["article_id"], 0) + 1
    counts = ", ".join(f"{a}: {n}" for a, n in per.items()) or "no troop figure left uncovered"
    lines = [f"wrote {config.display_path(target)}: {len(result.rows)} draft row(s) ({counts})"]
    lines += [f"  not drafted: {line}" for line in result.skipped]
    if result.rows:
        lines.append(
            "  review each row (draft_note says what is left to decide), move the reviewed rows "
            f"into {config.CLAIMS_FILE} without the draft_note column, then validate"
        )
    return lines
