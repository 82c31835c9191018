"""Dates derived from evidence: each claim's interval, its precision, and why.

The curator records evidence, never a conclusion: the date an article states (and how precisely),
a bound the text gives within its article, the claim this one reacts to (``anchor_claim_id``),
the quote with any weekday it names; and, in articles.csv, each article's own date. What that
evidence implies is worked out here, the same way for every claim, so no typed date can claim
more than the evidence gives, and none forgets what it gives:

- a claim's article reports nothing later than itself: its date bounds every claim from above;
- a claim that reacts to another cannot precede it: the anchor's earliest day bounds it below;
- a weekday the quote names moves each known bound to the nearest such weekday inside it
  ('Lundi' after Friday 18 October is 21 October at the earliest);
- when the two bounds meet, the claim has that day;
- a date typed to the week or month is that span, cut to what the rest allows.

Every bound carries its reason, naming the claim or article it comes from, in words a reader
can check against the articles. The stage sits after ``load`` (it needs parsed dates) and before
``expectations`` (which checks each typed value against the evidence: a contradiction is an
error, a typed bound looser than the evidence a warning that names the tighter day) and
``process`` (which writes the derived columns into ``data/processed/``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd
from babel import Locale, UnknownLocaleError

# Half-width of a 'week' date, in days (data/README.md: within about three days either side).
WEEK_HALF_WIDTH = 3

# The derived columns ``process`` writes beside the curated ones (data/README.md documents them).
DERIVED_COLUMNS: tuple[str, ...] = (
    "derived_earliest",
    "derived_latest",
    "derived_date",
    "derived_precision",
    "derived_earliest_reason",
    "derived_latest_reason",
)
# derived_precision: the typed date's own precision when one is typed and the bounds do not
# close; 'day' whenever they do; 'bounded' for an interval with at least one known side.
BOUNDED = "bounded"
DERIVED_PRECISIONS: dict[str, str] = {
    "day": "The day is known: typed to the day, or the earliest and latest possible days meet.",
    "week": "Typed to the week; drawn as that week cut to the interval the evidence allows.",
    "month": "Typed to the month; drawn as that month cut to the interval the evidence allows.",
    BOUNDED: "No day, but an earliest and/or a latest possible day (one side may be open).",
    "unknown": "Nothing the corpus says bounds the date on either side.",
}

_NAT = np.datetime64("NaT", "s")
_FIRST_DAY, _LAST_DAY = np.datetime64("0001-01-01", "s"), np.datetime64("9999-12-31", "s")


# --- Weekdays ------------------------------------------------------------------------------------


@cache
def weekday_names(language: str) -> dict[str, int]:
    """The language's weekday names (babel, CLDR wide forms, lower case) -> Python's weekday
    number (0 = Monday). Abbreviations ('mar.') are left out: they are ordinary words too."""
    try:
        locale = Locale.parse(language)
    except (ValueError, TypeError, UnknownLocaleError):
        return {}
    names: dict[str, int] = {}
    for context in ("format", "stand-alone"):
        for number, name in locale.days[context]["wide"].items():
            names[name.lower()] = number
    return names


# Ukrainian's apostrophe as CLDR writes it (U+02BC, "пʼятниця"); writers type ' or ’.
_APOSTROPHES = str.maketrans({"'": "\u02bc", "\u2019": "\u02bc"})
# Where a sentence names a day in another case than CLDR's nominative: Russian and Ukrainian
# date an event in the accusative ("в среду", "у пʼятницю"), which turns a first-declension
# (feminine) name's -а/-я into -у/-ю; the masculine and neuter names keep their form.
_FIRST_DECLENSION = {"а": "у", "я": "ю"}
_ACCUSATIVE_ENDINGS = {"ru": _FIRST_DECLENSION, "uk": _FIRST_DECLENSION}


@cache
def weekday_forms(language: str) -> dict[str, int]:
    """Every form of a weekday name a quote may use (``weekday_names`` and, in Russian and
    Ukrainian, their accusative) -> the weekday, apostrophes as CLDR writes them."""
    forms = {name.translate(_APOSTROPHES): n for name, n in weekday_names(language).items()}
    endings = _ACCUSATIVE_ENDINGS.get(language.split("_")[0].split("-")[0].lower(), {})
    for name, n in list(forms.items()):
        if name[-1:] in endings:
            forms.setdefault(name[:-1] + endings[name[-1]], n)
    return forms


@cache
def _weekday_pattern(language: str) -> re.Pattern[str] | None:
    """One alternation of the language's weekday forms, longest first, each starting a word
    ('lundis' names Monday too; 'amardi' does not): a literal alternation, linear in the text."""
    names = sorted(weekday_forms(language), key=len, reverse=True)
    if not names:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, names)) + r")")


def folded_weekdays(text: str) -> str:
    """``text`` lower-cased with apostrophes as CLDR writes them, as ``weekday_forms`` are."""
    return text.lower().translate(_APOSTROPHES)


def named_weekdays(quote: str, language: str) -> set[int]:
    """The weekdays a quote names ('Lundi, le porte-parole…' -> {0}, 'В среду…' -> {2}), as
    Python numbers."""
    pattern = _weekday_pattern(language)
    if pattern is None or not isinstance(quote, str):
        return set()
    forms = weekday_forms(language)
    return {forms[m.group(0)] for m in pattern.finditer(folded_weekdays(quote))}


def weekday_masks(quotes: pd.Series, languages: pd.Series) -> np.ndarray:
    """For each row, the weekdays its quote names as a bit mask (bit 0 = Monday), 0 for none.

    Each distinct (quote, language) is read once: a large drop repeats its quotes, and only the
    few that name a weekday go through Python at all.
    """
    out = np.zeros(len(quotes), dtype=np.int64)
    quote_codes, quote_values = pd.factorize(quotes)
    lang_codes, lang_values = pd.factorize(languages)
    present = (quote_codes >= 0) & (lang_codes >= 0)
    if not present.any():
        return out
    # One integer per (quote, language): factorizing two columns apart and combining the codes
    # costs a fraction of factorizing the pairs (1M rows: 0.4 s against 4 s).
    pair = quote_codes[present].astype(np.int64) * len(lang_values) + lang_codes[present]
    uniques, codes = np.unique(pair, return_inverse=True)
    masks = np.zeros(len(uniques), dtype=np.int64)
    for k, both in enumerate(uniques):
        quote, language = (
            quote_values[both // len(lang_values)],
            lang_values[both % len(lang_values)],
        )
        for day in named_weekdays(str(quote), str(language)):
            masks[k] |= 1 << day
    out[present] = masks[codes]
    return out


def _day_name(mask: int, language: str) -> str:
    """The weekday name(s) of ``mask`` in the quote's language, quoted ('lundi' or 'mardi')."""
    names = {n: name for name, n in weekday_names(language).items()}
    return " or ".join(f"'{names[d]}'" for d in range(7) if mask >> d & 1 and d in names)


def _shift_to_weekday(days: np.ndarray, masks: np.ndarray, step: int) -> np.ndarray:
    """Each date moved by ``step`` (+1 forward, -1 back) to the nearest day, itself included,
    whose weekday is in its mask; NaT and empty masks stay as they are."""
    out = days.copy()
    rows = np.flatnonzero(~np.isnat(days) & (masks != 0))  # the few quotes naming a weekday
    if not len(rows):
        return out
    start, mask = days[rows], masks[rows]
    weekday = (start.astype("datetime64[D]").astype(np.int64) + 3) % 7  # 1970-01-01: Thursday
    moved = np.zeros(len(rows), dtype=bool)
    for k in range(7):
        target = start + np.timedelta64(step * k, "D")
        hit = ~moved & ((mask >> ((weekday + step * k) % 7)) & 1).astype(bool)
        hit &= (target >= _FIRST_DAY) & (target <= _LAST_DAY)  # ISO dates: years 1 to 9999
        out[rows[hit]] = target[hit]
        moved |= hit
    return out


# --- Intervals from typed values ---------------------------------------------------------------


def precision_interval(dates: pd.Series, precision: pd.Series) -> tuple[pd.Series, pd.Series]:
    """The first and last day a typed date can mean by its precision: 'day' exact, 'week' ±3
    days, 'month' the whole month (the recorded date is the first); unknown precision: the day.
    """
    prec = precision.astype("string")
    low = dates.copy()
    high = dates.copy()
    week = (prec == "week").fillna(False).to_numpy(bool)
    low[week] = dates[week] - pd.Timedelta(days=WEEK_HALF_WIDTH)
    high[week] = dates[week] + pd.Timedelta(days=WEEK_HALF_WIDTH)
    month = (prec == "month").fillna(False).to_numpy(bool)
    low[month] = dates[month].dt.to_period("M").dt.start_time
    high[month] = dates[month].dt.to_period("M").dt.end_time.dt.normalize()
    return low, high


def parse_dates(values: pd.Series, errors: str = "raise") -> pd.Series:
    """ISO dates (YYYY-MM-DD) to datetime64; empty cells become NaT.

    ``errors="raise"`` for typing validated data (a failure there is a bug, not bad input);
    ``"coerce"`` for validation's helper columns, where an invalid date is a rule's business.
    Only the distinct values are parsed: a column holds few dates, and pandas parses a value
    that fails (2024-02-30) slowly, about 5 µs each, so a million broken rows cost 5 s a column.
    """
    codes, distinct = pd.factorize(values.replace("", pd.NA))
    parsed = pd.to_datetime(pd.Series(distinct, dtype=object), format="%Y-%m-%d", errors=errors)
    if not len(parsed):
        return pd.to_datetime(values.replace("", pd.NA), format="%Y-%m-%d", errors=errors)
    days = parsed.to_numpy().take(codes)
    days[codes < 0] = np.datetime64("NaT")
    return pd.Series(days, index=values.index, name=values.name)


def _is_dates(values: pd.Series) -> bool:
    return pd.api.types.is_datetime64_any_dtype(values)


def _as_dates(values: pd.Series) -> pd.Series:
    """Datetimes (ns) from typed datetimes or ISO strings; what does not parse is NaT (an
    invalid date is the validation rules' business, not the derivation's)."""
    if pd.api.types.is_datetime64_any_dtype(values):
        return values.astype("datetime64[s]")
    text = values.astype(object).where(values.notna(), None)
    return parse_dates(text, errors="coerce").astype("datetime64[s]")


def iso(value: object) -> str:
    """A day as ISO text ('2024-10-18'), as the reasons and messages write it."""
    return str(pd.Timestamp(value).date())


# --- The derivation ------------------------------------------------------------------------------


@dataclass
class _Side:
    """One side (earliest or latest) of every row's interval: the day and its reason."""

    day: np.ndarray  # datetime64[s], NaT when open
    reason: np.ndarray  # object: str where day is known, else None

    def tighten(self, day: np.ndarray, reason: np.ndarray, later: bool) -> None:
        """Keep the tighter of the two days (the later earliest, the earlier latest); on a tie
        the reason already held stays (rules are applied most telling first)."""
        known = ~np.isnat(day)
        better = known & (np.isnat(self.day) | ((day > self.day) if later else (day < self.day)))
        self.day = np.where(better, day, self.day)
        self.reason = np.where(better, reason, self.reason)


def _per_article(claims: pd.DataFrame, articles: pd.DataFrame) -> tuple[np.ndarray, ...]:
    """Per claim, from its article: the last day the article can be from (its date, to the end
    of the date's precision), the reason naming it (an article reports nothing later than
    itself), and its language. Claims are matched to articles once, by code, not per column."""
    art = articles.drop_duplicates("article_id").set_index("article_id")
    published = _as_dates(art["published_date"])
    _, high = precision_interval(published, art["date_precision"].astype(object))
    codes, ids = pd.factorize(claims["article_id"])
    found = art.index.get_indexer(ids)  # -1: an article the data does not know
    n = len(art)  # each per-article array gets one empty slot at n: unknown articles take it
    at = np.append(np.where(found >= 0, found, n), n)[codes]  # a missing id's code -1: slot n
    day = np.append(high.to_numpy("datetime64[s]"), _NAT)[at]
    reasons = [f"the date of its article {a}" for a in art.index]
    reason = np.array([*reasons, None], dtype=object)[at]
    reason = np.where(np.isnat(day), None, reason)
    language = np.append(art["language"].to_numpy(object), None)[at]
    return day, reason.astype(object), language.astype(object)


@dataclass
class Derived:
    """What the evidence gives each claim (index aligned with the claims), in two layers: the
    interval from evidence alone (``evidence_*``: article date, anchor, weekday), against which
    typed values are checked, and the final interval (``frame``: that evidence cut by the typed
    values, in ``DERIVED_COLUMNS``, built when asked: validation needs only the evidence)."""

    parts: tuple
    evidence_earliest: pd.Series
    evidence_latest: pd.Series
    evidence_earliest_reason: pd.Series
    evidence_latest_reason: pd.Series
    anchor_loop: pd.Series  # True where following anchor_claim_id leads back to the claim
    anchor_earliest: pd.Series  # the anchor's own derived earliest day (NaT: none)

    @property
    def frame(self) -> pd.DataFrame:
        """The ``DERIVED_COLUMNS`` (see ``_derived_frame``)."""
        return _derived_frame(*self.parts)


def derive(claims: pd.DataFrame, articles: pd.DataFrame) -> Derived:
    """Each claim's earliest and latest possible day, its day when they meet, its precision and
    the reason for each bound, from ``claims`` (the contract's date columns, ``anchor_claim_id``,
    ``quote``; strings or typed) and ``articles`` (``published_date``, ``date_precision``,
    ``language``).

    Anchors are followed level by level (a claim is derived after the claim it reacts to), so a
    chain of reactions carries its bound along; an anchor that names no claim adds nothing (its
    rule reports it), and claims on a loop of anchors get no anchor bound (``anchor_loop``).
    A contradiction (earliest after latest) is left in place for validation to report.
    """
    n = len(claims)
    index = claims.index
    # Columns are read as they come (Arrow strings or objects): a million strings converted to
    # Python objects cost seconds and hundreds of MB, so only the few rows that need text are.
    statement = _as_dates(claims["statement_date"])
    precision = claims["date_precision"]
    s_low, s_high = precision_interval(statement, precision)
    typed_day = (~np.isnat(statement.to_numpy())) & (precision == "day").fillna(False).to_numpy(
        bool
    )
    art_end, art_reason, lang = _per_article(claims, articles)
    language = pd.Series(lang, index=index, dtype=object)
    masks = weekday_masks(claims["quote"], language)
    masks[typed_day] = 0  # a day the curator typed is checked by its own rule, not moved

    # Typed values, as one interval with reasons.
    statement_reason = _typed_reasons(claims, statement, "statement_date", "date_basis")
    earliest, latest = _as_dates(claims["earliest_date"]), _as_dates(claims["latest_date"])
    typed_low = _Side(s_low.to_numpy(), statement_reason.copy())
    typed_low.tighten(
        earliest.to_numpy(),
        _typed_reasons(claims, earliest, "earliest_date", "earliest_basis"),
        later=True,
    )
    typed_high = _Side(s_high.to_numpy(), statement_reason.copy())
    typed_high.tighten(
        latest.to_numpy(),
        _typed_reasons(claims, latest, "latest_date", "latest_basis"),
        later=False,
    )

    anchor = claims["anchor_claim_id"]
    anchor = anchor.where(anchor.notna() & (anchor != ""), None).to_numpy(object)
    anchor_row = _anchor_rows(claims["claim_id"], anchor)

    ev_low = _Side(np.full(n, _NAT), np.full(n, None, dtype=object))
    ev_high = _Side(art_end.copy(), art_reason.copy())
    final_low = _Side(np.full(n, _NAT), np.full(n, None, dtype=object))
    final_high = _Side(np.full(n, _NAT), np.full(n, None, dtype=object))
    anchor_earliest = np.full(n, _NAT)

    done = np.zeros(n, dtype=bool)
    ready = np.isnan(anchor_row)
    while ready.any():
        rows = np.flatnonzero(ready)
        _derive_rows(
            rows, anchor_row, anchor, final_low, masks, language,
            ev_low, ev_high, typed_low, typed_high, final_high, anchor_earliest,
        )  # fmt: skip
        done[rows] = True
        waiting = ~done & ~np.isnan(anchor_row)
        ready = np.zeros(n, dtype=bool)
        ready[waiting] = done[anchor_row[waiting].astype(np.int64)]
    stuck = ~done  # on a loop of anchors, or anchoring into one
    loop = _on_a_loop(anchor_row, stuck)
    if stuck.any():  # no anchor bound, the rest as usual; the loop rule reports the loop's own
        rows = np.flatnonzero(stuck)
        no_anchor = anchor_row.copy()
        no_anchor[rows] = np.nan
        _derive_rows(
            rows, no_anchor, anchor, final_low, masks, language,
            ev_low, ev_high, typed_low, typed_high, final_high, anchor_earliest,
        )  # fmt: skip

    return Derived(
        parts=(index, statement, precision, final_low, final_high),
        evidence_earliest=pd.Series(ev_low.day, index=index),
        evidence_latest=pd.Series(ev_high.day, index=index),
        evidence_earliest_reason=pd.Series(ev_low.reason, index=index, dtype=object),
        evidence_latest_reason=pd.Series(ev_high.reason, index=index, dtype=object),
        anchor_loop=pd.Series(loop, index=index),
        anchor_earliest=pd.Series(anchor_earliest, index=index),
    )


def _on_a_loop(anchor_row: np.ndarray, stuck: np.ndarray) -> np.ndarray:
    """Which of the ``stuck`` claims lie on a loop of anchors, not merely anchor into one: a
    claim that reacts to a loop does not lead back to itself. Every stuck claim's anchor is
    stuck too; following anchors as many steps as there are claims (by doubling: log steps)
    lands only on loops, and on every claim of each loop."""
    n = len(stuck)
    out = np.zeros(n, dtype=bool)
    if not stuck.any():
        return out
    follow = np.arange(n)
    follow[stuck] = anchor_row[stuck].astype(np.int64)
    for _ in range(max(1, int(n).bit_length())):
        follow = follow[follow]
    out[follow[stuck]] = True
    return out


def _anchor_rows(ids: pd.Series, anchor: np.ndarray) -> np.ndarray:
    """The row of each claim's anchor (its first row, when an id repeats: the uniqueness rule
    reports that), NaN for no anchor or an unknown one. Only the ids named as anchors are
    looked up: a million claims name a few."""
    out = np.full(len(ids), np.nan)
    named = np.flatnonzero(pd.notna(anchor))
    if not len(named):
        return out
    rows = np.flatnonzero(ids.isin(pd.unique(anchor[named])).fillna(False).to_numpy(bool))
    first: dict = {}
    for row, claim_id in zip(rows, ids.iloc[rows], strict=True):
        first.setdefault(claim_id, row)
    out[named] = [first.get(a, np.nan) for a in anchor[named]]
    return out


def _typed_reasons(claims: pd.DataFrame, dates: pd.Series, column: str, basis: str) -> np.ndarray:
    """'statement_date as typed (inferred_context, week)': the reason a typed value gives, with
    how the curator established it (and, for a statement date, its precision)."""
    known = ~np.isnat(dates.to_numpy())
    out = np.full(len(dates), None, dtype=object)
    if not known.any():
        return out
    how = claims[basis][known].astype(object).to_numpy()
    prec = (
        claims["date_precision"][known].astype(object).to_numpy()
        if column == "statement_date"
        else np.full(len(how), None, dtype=object)
    )
    said: dict[tuple, str] = {}  # one string per (basis, precision), shared by its rows
    for key in set(zip(how, prec, strict=True)):
        b, p = key
        said[key] = f"{column} as typed ({b}, {p})" if p is not None else f"{column} as typed ({b})"
    out[known] = [said[key] for key in zip(how, prec, strict=True)]
    return out


def _derive_rows(
    rows: np.ndarray,
    anchor_row: np.ndarray,
    anchor: np.ndarray,
    final_low: _Side,
    masks: np.ndarray,
    language: pd.Series,
    ev_low: _Side,
    ev_high: _Side,
    typed_low: _Side,
    typed_high: _Side,
    final_high: _Side,
    anchor_earliest: np.ndarray,
) -> None:
    """Derive ``rows`` (whose anchors, if any, are derived already), in place."""
    has_anchor = ~np.isnan(anchor_row[rows])
    with_anchor = rows[has_anchor]
    if len(with_anchor):
        source = anchor_row[with_anchor].astype(np.int64)
        day = final_low.day[source]
        anchor_earliest[with_anchor] = day
        closed = final_low.day[source] == final_high.day[source]
        said: dict[tuple, str] = {}  # one string per (anchor, day, closed): shared, built once
        reason = np.full(len(with_anchor), None, dtype=object)
        for k, key in enumerate(zip(anchor[with_anchor], day, closed, strict=True)):
            if np.isnat(key[1]):
                continue
            if key not in said:
                a, d, c = key
                said[key] = f"reacts to {a}, made {'on' if c else 'on or after'} {iso(d)}"
            reason[k] = said[key]
        ev_low.day[with_anchor] = day
        ev_low.reason[with_anchor] = reason
    # The weekday the quote names, on the evidence alone (against which typed values are
    # checked), then on the final interval (evidence cut by the typed values).
    lang = language.to_numpy(object)
    for side, step in ((ev_low, 1), (ev_high, -1)):
        _weekday(side, rows, masks, lang, step)
    low = _Side(ev_low.day[rows].copy(), ev_low.reason[rows].copy())
    low.tighten(typed_low.day[rows], typed_low.reason[rows], later=True)
    high = _Side(ev_high.day[rows].copy(), ev_high.reason[rows].copy())
    high.tighten(typed_high.day[rows], typed_high.reason[rows], later=False)
    final_low.day[rows], final_low.reason[rows] = low.day, low.reason
    final_high.day[rows], final_high.reason[rows] = high.day, high.reason
    for side, step in ((final_low, 1), (final_high, -1)):
        _weekday(side, rows, masks, lang, step)


def _weekday(side: _Side, rows: np.ndarray, masks: np.ndarray, lang: np.ndarray, step: int) -> None:
    """Move ``side``'s days of ``rows`` to the nearest weekday their quote names (forward for an
    earliest day, back for a latest), saying so in the reason when the day moves."""
    day = side.day[rows]
    moved = _shift_to_weekday(day, masks[rows], step)
    changed = np.flatnonzero((moved != day) & ~np.isnat(day))
    if not len(changed):
        return
    which, where = ("first", "on or after") if step > 0 else ("last", "on or before")
    for k in changed:
        row = rows[k]
        names = _day_name(int(masks[row]), str(lang[row]))
        side.reason[row] = f"the {which} {names} {where} {iso(day[k])} ({side.reason[row]})"
    side.day[rows] = moved


def _derived_frame(
    index: pd.Index, statement: pd.Series, precision: pd.Series, low: _Side, high: _Side
) -> pd.DataFrame:
    """The ``DERIVED_COLUMNS``: interval, the day (closed interval, else the typed date kept
    inside the interval), precision and reasons."""
    closed = ~np.isnat(low.day) & (low.day == high.day)
    typed = ~np.isnat(statement.to_numpy())
    point = statement.to_numpy()
    point = np.where(~np.isnat(low.day) & (point < low.day), low.day, point)
    point = np.where(~np.isnat(high.day) & (point > high.day), high.day, point)
    day = np.where(closed, low.day, np.where(typed, point, _NAT))
    prec = np.where(
        closed,
        "day",
        np.where(
            typed,
            precision.fillna("day").astype(str).to_numpy(),
            np.where(~np.isnat(low.day) | ~np.isnat(high.day), BOUNDED, "unknown"),
        ),
    )
    return pd.DataFrame(
        {
            "derived_earliest": pd.Series(low.day, index=index, dtype="datetime64[s]"),
            "derived_latest": pd.Series(high.day, index=index, dtype="datetime64[s]"),
            "derived_date": pd.Series(day, index=index, dtype="datetime64[s]"),
            "derived_precision": pd.Series(prec, index=index, dtype="string"),
            "derived_earliest_reason": pd.Series(low.reason, index=index, dtype="string"),
            "derived_latest_reason": pd.Series(high.reason, index=index, dtype="string"),
        },
        index=index,
    )


def with_derived(claims: pd.DataFrame, articles: pd.DataFrame) -> pd.DataFrame:
    """``claims`` with the ``DERIVED_COLUMNS`` added (replacing any already there)."""
    base = claims.drop(columns=[c for c in DERIVED_COLUMNS if c in claims.columns])
    return pd.concat([base, derive(base, articles).frame], axis=1)


def interval_words(earliest: object, latest: object, day: Callable[[object], str] = iso) -> str:
    """A claim's possible days without their reasons: 'on or after 2024-10-18', 'on or before
    2024-10-21', 'between 2024-10-18 and 2024-10-21', or '' when both sides are open (``day``
    writes each date: ISO by default, '18 October 2024' in a sentence)."""
    if not pd.isna(earliest) and not pd.isna(latest):
        return f"between {day(earliest)} and {day(latest)}"
    if not pd.isna(earliest):
        return f"on or after {day(earliest)}"
    return f"on or before {day(latest)}" if not pd.isna(latest) else ""


def describe(
    earliest: object, earliest_reason: object, latest: object, latest_reason: object
) -> str:
    """A derived interval in words, each side with its reason ('on or after 2024-10-21: first
    'lundi' on or after ...; on or before 2024-10-23: the date of its article A001'); the day
    itself when both sides meet; 'no date or bound' when neither side is known."""
    low, high = (None if pd.isna(d) else iso(d) for d in (earliest, latest))
    if low and low == high:
        if str(earliest_reason) == str(latest_reason):
            return f"on {low}: {earliest_reason}"
        return f"on {low}: on or after it, {earliest_reason}; on or before it, {latest_reason}"
    parts = []
    if low:
        parts.append(f"on or after {low}: {earliest_reason}")
    if high:
        parts.append(f"on or before {high}: {latest_reason}")
    return "; ".join(parts) if parts else "no date or bound: nothing in the corpus dates it"
