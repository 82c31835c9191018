"""The report's key findings: a few sentences written from the data, each citing its claims.

A reader who stops after page 1 should still learn what the corpus shows: the range of troop
figures and who gave them, how the same figure is framed differently, who responded first, and
how much rests on a single article. Every sentence here is composed from the typed claims (and
the computations in ``analysis``), never typed by hand, so a new data drop rewrites them; and
every sentence carries the claim ids it rests on, so a fact-checker can go straight to the quotes.
Claimants appear as the articles name them (in French), figures as ``analysis.format_figure``
writes them.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import pandas as pd

from troopclaims import contract
from troopclaims.checks import dating
from troopclaims.escaping import for_page
from troopclaims.report import analysis, response_dates

# How an editor would say each framing of a figure ("12,000 soldiers ... as the total planned").
FRAMING_PHRASES = {
    "already_in_russia": "as already in Russia",
    "deploying": "as being deployed",
    "planned_total": "as the total planned",
    "possible_total": "as a possible total",
    "forecast": "as a forecast",
}

# The same framings inside a list of figures ("10,000 soldiers expected by 2024-12").
FIGURE_PHRASES = {
    "already_in_russia": "already in Russia",
    "deploying": "being deployed",
    "planned_total": "planned in total",
    "possible_total": "as a possible total",
    "forecast": "expected",
}

# How an editor would say each stance; a stance missing here reads as its vocabulary word.
STANCE_PHRASES = {
    "summons": "summoned an envoy",
    "condemnation": "condemned the deployment",
    "denial": "denied the reports",
    "cannot_confirm": "said it could not confirm the reports",
    "confirmation": "confirmed the deployment",
    "accusation": "accused North Korea of sending troops",
    "concern": "expressed concern",
    "demand": "made demands",
    "reassurance": "said the cooperation threatened no one",
    "warning": "warned of the consequences",
    "threat_of_response": "promised a response",
    "policy_move": "weighed a change of policy",
    "support_pledge": "pledged support to Ukraine",
    "assessment": "gave an assessment",
    "consultation": "said it was in contact with partners",
    "briefing_request": "asked for a briefing",
    "call_for_deescalation": "called for de-escalation",
}

# Claimant groups that are not proper names, lower-cased inside a sentence.
COMMON_GROUPS = frozenset({"Independent experts", "Unattributed"})

# Claimants named per figure or per group before "and N others" takes over: enough to show
# the variety of names, short enough to stay one sentence.
NAMED_CLAIMANTS = 1
# Single-source examples cited per kind (the count covers the rest).
SINGLE_SOURCE_EXAMPLES = 2

# The id of the rule table in the report (set in the validation appendix's notebook): the
# verdict line links to it.
RULES_ANCHOR = "validation-rules"

# A cited claim id is written between two of these while a sentence is composed (``_ids``), so
# citations are found by what put them there, not by guessing which words look like ids: any id
# the contract allows (``contract.ID_PATTERN``, 'heldout-2024-10-de-A01-01' as much as 'A003-01')
# is collected, and no other word is. Validated data cannot hold the character (a control
# character, refused in every text column), and ``_plain`` strips it from any value anyway.
_CITE = "\x1f"
_CITED = re.compile(f"{_CITE}([^{_CITE}]*){_CITE}")
# The article's own words (a claimant as it names them, the words it attributes a quotation
# with) are written between these marks with their article's language, ``_LANG_OPEN`` fr
# ``_LANG_SEP`` words ``_LANG_CLOSE``, so the HTML can give them their ``lang`` (a screen reader
# then reads French as French); ``text`` leaves the marks out. Control characters too: validated
# data cannot hold them and ``_plain`` strips them.
_LANG_OPEN, _LANG_SEP, _LANG_CLOSE = "\x1e", "\x1d", "\x1c"
_IN_LANGUAGE = re.compile(
    f"{_LANG_OPEN}([^{_LANG_SEP}]*){_LANG_SEP}([^{_LANG_CLOSE}]*){_LANG_CLOSE}"
)
_LANG_TAG = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{1,8})*")


@dataclass(frozen=True)
class Finding:
    """One sentence of the key findings and the ids of every claim it cites.

    ``text`` cites the ids inline, in parentheses, next to what each supports; ``claim_ids``
    lists them all (sorted), so a test or a reader can check each one against the data;
    ``marked`` is ``text`` with each cited id between ``_CITE`` marks (for the HTML).

    ``facts`` holds what the sentence asserts as values (the range, the groups it names, each
    group's first day...), each beside the exact words of ``text`` that state it (keys ending
    in ``_words``). Why: ``impact`` tells a curator what a drop would change on page 1 by
    comparing the facts of two runs of these very functions, and quotes page 1's own words,
    instead of computing the findings a second way or parsing the sentences back.
    """

    topic: str
    text: str
    claim_ids: tuple[str, ...]
    marked: str = field(default="", repr=False, compare=False)
    facts: dict = field(default_factory=dict, repr=False, compare=False)


# --- Wording helpers ---------------------------------------------------------------------------


def _ids(ids: Iterable[str]) -> str:
    """Claim ids as an inline citation: '(A003-01, A004-02)', each id marked as cited."""
    return f"({_cite(ids)})"


def _cite(ids: Iterable[str]) -> str:
    """Claim ids without the parentheses ('A003-01, A004-02'), each marked as cited."""
    return ", ".join(f"{_CITE}{_plain(i)}{_CITE}" for i in sorted(set(ids)))


def _plain(value: object) -> str:
    """A value from the data as text, without the citation or language marks."""
    text = str(value)
    for mark in (_CITE, _LANG_OPEN, _LANG_SEP, _LANG_CLOSE):
        text = text.replace(mark, "")
    return text


def _series(items: Sequence[str], sep: str = ", ") -> str:
    """'a', 'a and b', 'a, b and c': how an editor joins a list in running text (``sep``
    '; ' when the items hold commas or 'and' themselves: 'a; b; and c')."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    last = f"{sep}and " if sep != ", " else " and "
    return f"{sep.join(items[:-1])}{last}{items[-1]}"


def _group(name: object) -> str:
    """A claimant group as running text names it: 'the United States', but 'France'."""
    name = str(name)
    if name in COMMON_GROUPS:
        return name[0].lower() + name[1:]
    return f"the {name}" if name.startswith(("United ", "European ")) else name


def _quoted(name: object, lang: object = "") -> str:
    """A claimant as the article names it, in quotation marks (the French stays French), marked
    with the article's language ``lang`` when known (the HTML gives it as ``lang``)."""
    words = _plain(name)
    lang = "" if pd.isna(lang) else _plain(lang)
    if lang and _LANG_TAG.fullmatch(lang):
        words = f"{_LANG_OPEN}{lang}{_LANG_SEP}{words}{_LANG_CLOSE}"
    return f"“{words}”"


def _language(rows: pd.DataFrame) -> str:
    """The language of ``rows``' first article ('' when the claims do not carry it)."""
    if "article_language" not in rows or rows.empty:
        return ""
    lang = rows["article_language"].iloc[0]
    return "" if pd.isna(lang) else str(lang)


def _claimants(rows: pd.DataFrame, limit: int = NAMED_CLAIMANTS) -> str:
    """The distinct claimants of ``rows`` as quoted, the first ``limit`` named, the rest counted
    as other wordings (two that differ only by an apostrophe or case are one wording)."""
    first: dict[str, tuple[str, str]] = {}
    ordered = rows.sort_values("claim_id")
    langs = ordered["article_language"] if "article_language" in ordered else [""] * len(ordered)
    for claimant, lang in zip(ordered["claimant"], langs, strict=True):
        first.setdefault(analysis.wording(claimant), (str(claimant), lang))
    names = list(first.values())
    shown = [_quoted(n, lang) for n, lang in names[:limit]]
    if len(names) > limit:
        rest = len(names) - limit
        shown.append(f"{rest} other wording{'s' if rest > 1 else ''}")
    return _series(shown)


def _groups(rows: pd.DataFrame) -> list[str]:
    """Claimant groups of ``rows``, most claims first (ties by name)."""
    counts = rows["claimant_group"].astype(str).value_counts()
    return sorted(counts.index, key=lambda g: (-counts[g], g))


def _day(value: object) -> str:
    """'18 October 2024'."""
    day = pd.Timestamp(value)
    return f"{day.day} {day:%B %Y}"


def _figure(row: pd.Series) -> str:
    """A claim's figure as the report writes it ('≈12,000 soldiers')."""
    return analysis.format_figure(row["figure"], row["unit"], row["qualifier"])


def _finding(topic: str, marked: str, facts: dict | None = None) -> Finding:
    """A Finding whose cited ids are read back from the marks ``_ids`` put in its text, so the
    two cannot disagree; each must be an id the contract allows."""
    cited = _CITED.findall(marked)
    bad = [i for i in cited if not re.fullmatch(contract.ID_PATTERN, i)]
    if bad:
        raise ValueError(f"not a claim id the contract allows: {bad}")
    return Finding(topic, _unmarked(marked), tuple(sorted(set(cited))), marked, facts or {})


def _unmarked(marked: str) -> str:
    """Composed words as the reader sees them: the article's words without their language
    marks, the ids without their citation marks (a fact's words are then found in ``text``)."""
    return _IN_LANGUAGE.sub(lambda m: m.group(2), marked).replace(_CITE, "")


# --- The findings ------------------------------------------------------------------------------


def estimate_range(claims: pd.DataFrame) -> list[Finding]:
    """The lowest and highest troop figure, who gave each, and what lies between.

    Compared within the unit most estimates use (soldiers); figures in another unit (brigades)
    are mentioned beside it rather than ranked against it.
    """
    est = analysis.estimates(claims)
    if est.empty:
        return []
    unit = est["unit"].astype(str).value_counts().idxmax()
    main = est[est["unit"].astype(str) == unit]
    figures = sorted(main["figure"].astype(int).unique())
    low, high = figures[0], figures[-1]
    groups = _groups(est)
    source = (
        f"all attributed to {_group(groups[0])}"
        if len(groups) == 1
        else f"attributed to {_series([_group(g) for g in groups])}"
    )
    facts = {"range": (str(unit), int(low), int(high)), "groups": tuple(groups)}
    facts["groups_words"] = source
    n_main = main["article_id"].nunique()
    others = _other_unit_count(est, unit)
    if low == high:
        # Every estimate in the main unit: those in another unit are counted and given below.
        rows = main[main["figure"] == low]
        facts["range_words"] = f"gives {analysis.format_figure(low, unit)}"
        every = "The only troop estimate" if len(main) == 1 else "Every troop estimate"
        text = (
            f"{every} in {unit} in the {n_main} article{'s' if n_main > 1 else ''}{others} "
            f"gives {analysis.format_figure(low, unit)} ({source}), from {_claimants(rows)} "
            f"{_ids(rows['claim_id'])}."
        )
        found = [_finding("range", text, facts)]
        other = _other_units(est, unit)
        if other:
            found.append(
                _finding("range", f"The articles also report, in other units, {_series(other)}.")
            )
        return found
    low_rows, high_rows = main[main["figure"] == low], main[main["figure"] == high]
    low_text = analysis.format_figure(low, unit).removesuffix(f" {unit}")
    facts["range_words"] = f"range from {low_text} to {analysis.format_figure(high, unit)}"
    text = (
        f"Reported troop numbers range from {low_text} to "
        f"{analysis.format_figure(high, unit)} across {len(main)} estimates in {unit} in "
        f"{n_main} article{'s' if n_main > 1 else ''}{others}, {source}: the lowest from "
        f"{_claimants(low_rows)} {_ids(low_rows['claim_id'])}, the highest from "
        f"{_claimants(high_rows)} {_ids(high_rows['claim_id'])}."
    )
    found = [_finding("range", text, facts)]
    between, other = _between(main, low, high), _other_units(est, unit)
    parts = [f"between them, {_series(between)}"] if between else []
    if other:
        parts.append(f"in other units, {_series(other)}")
    if parts:
        text = f"The articles also report, {'; and '.join(parts)}."
        found.append(_finding("range", text))
    return found


def _other_unit_count(est: pd.DataFrame, unit: str) -> str:
    """' (and 2 more in brigades)': the estimates the range leaves out, counted by unit."""
    other = est[est["unit"].astype(str) != unit]["unit"].astype(str).value_counts()
    if other.empty:
        return ""
    return f" (and {_series([f'{n} more in {u}' for u, n in other.sort_index().items()])})"


def _between(main: pd.DataFrame, low: int, high: int) -> list[str]:
    """'≈3,000 soldiers already in Russia (A001-03)' for each figure strictly inside the range."""
    inside = main[(main["figure"] > low) & (main["figure"] < high)]
    return _figure_clauses(inside)


def _other_units(est: pd.DataFrame, unit: str) -> list[str]:
    """The same clauses for figures in another unit than the range's."""
    return _figure_clauses(est[est["unit"].astype(str) != unit])


def _figure_clauses(rows: pd.DataFrame) -> list[str]:
    """One clause per (figure, unit, framing): the figures as written, the framing, the ids."""
    clauses = []
    # Each "as of" date apart: claims of one figure and framing may date it differently.
    as_of = rows["figure_as_of"].astype("string").fillna("")
    for (_, _, category, when), grp in rows.assign(_as_of=as_of).groupby(
        ["figure", "unit", "category", "_as_of"], observed=True, sort=True
    ):
        shown = _series(list(dict.fromkeys(_figure(r) for _, r in grp.iterrows())))
        framing = FIGURE_PHRASES.get(str(category), f"as {category}")
        by = f" by {when}" if when else ""
        clauses.append(f"{shown} {framing}{by} {_ids(grp['claim_id'])}")
    return clauses


def framing(claims: pd.DataFrame) -> list[Finding]:
    """The same figure framed differently (``analysis.discrepancies``, type 'framing').

    One sentence for all such figures, the most-reported figure first: this is the discrepancy
    a reader of any single article cannot see.
    """
    evidence = analysis.discrepancies(claims)
    evidence = evidence[evidence["type"] == "framing"]
    if evidence.empty:
        return []
    parts = []
    facts: dict = {"framings": {}, "framings_words": {}}
    order = evidence.groupby("finding")["claim_id"].count().sort_values(ascending=False)
    for number in order.index:
        grp = evidence[evidence["finding"] == number]
        ways = []
        for value, sub in grp.groupby("value", sort=False):
            ways.append((len(sub), f"{FRAMING_PHRASES.get(value, value)} {_ids(sub['claim_id'])}"))
        ways.sort(key=lambda w: -w[0])
        subject = str(grp["subject"].iloc[0])
        parts.append(f"{subject} {_series([w for _, w in ways])}")
        facts["framings"][subject] = frozenset(grp["value"].astype(str))
        facts["framings_words"][subject] = _unmarked(parts[-1])
    lead = "The same figure is framed differently from one report to another: "
    if len(parts) == 1:
        lead = "The same figure is framed differently from one report to another, "
    return [_finding("framing", f"{lead}{'; '.join(parts)}.", facts)]


# The stances that doubt the reports and the one that confirms them, for the sentence that puts a
# group's doubt beside its confirmation.
DOUBTING = ("cannot_confirm", "denial")
CONFIRMING = ("confirmation",)


def _when(row: pd.Series) -> str:
    """When a claim was made, as far as its derived dates say: 'on 23 October 2024', 'around 22
    October 2024 (to the week)', 'on or after 18 October 2024, day unknown', 'undated'."""
    day, low, high = row["derived_date"], row["derived_earliest"], row["derived_latest"]
    precision = str(row["derived_precision"])
    if not pd.isna(day):
        return (
            f"on {_day(day)}" if precision == "day" else f"around {_day(day)} (to the {precision})"
        )
    bound = dating.interval_words(low, high, _day)
    return f"{bound}, day unknown" if bound else "undated"


def first_responses(claims: pd.DataFrame) -> list[Finding]:
    """Who responded first and when, among responses dated to the day; then who followed, and
    how many responses the order leaves out (dated only roughly, only bounded, or undated).

    A response the disclosing source makes in its own disclosure is not a response to it: it is
    named apart. The day is the day of the first *dated* figure: an undated article may report
    an earlier one, so the sentence claims no more than that.
    """
    resp = analysis.responses(claims)
    disclosure = response_dates.disclosure(claims)
    own = response_dates.part_of_disclosure(resp, disclosure)
    resp, own_rows = resp[~own], resp[own]
    dated = analysis.to_the_day(resp)
    if dated.empty:
        if resp.empty:
            return []
        text = (
            f"None of the {len(resp)} responses carries a day the articles support, so no "
            f"order of response can be given {_ids(resp['claim_id'])}."
        )
        return [_finding("timing", text)]
    first_day = dated["derived_date"].min()
    on_first = dated[dated["derived_date"] == first_day]
    groups = _by_group(on_first)
    clauses = [_group_clause(group, grp) for group, grp in groups]
    plural = "s" if len(on_first) > 1 else ""
    sentences = [
        f"The first response{plural} dated to the day came on {_day(first_day)}"
        f"{_disclosure_clause(disclosure, first_day)}: {_series(clauses, '; ')}"
    ]
    came = f"came on {_day(first_day)}"
    facts = [
        {
            "firsts": {
                group: (first_day, _day(first_day), (came, _unmarked(clause)))
                for (group, _), clause in zip(groups, clauses, strict=True)
            }
        }
    ]
    first_groups = set(on_first["claimant_group"].astype(str))
    later = dated[~dated["claimant_group"].astype(str).isin(first_groups)]
    if not later.empty:
        firsts = later[
            later["derived_date"]
            == later.groupby("claimant_group", observed=True)["derived_date"].transform("min")
        ]
        followers = sorted(_by_group(firsts), key=lambda g: (g[1]["derived_date"].iloc[0], g[0]))
        follow = [
            f"{_group_clause(group, grp)} on {_day(grp['derived_date'].iloc[0])}"
            for group, grp in followers
        ]
        sentences.append(f"Then {_series(follow, '; ')}")
        then: dict = {}
        for (group, grp), words in zip(followers, follow, strict=True):
            day = grp["derived_date"].iloc[0]
            then[group] = (day, _day(day), (_unmarked(words),))
        facts.append({"firsts": then})
    outside = _outside_the_order(resp, len(resp) + len(own_rows))
    if outside:  # said where the order is given: these responses are outside it
        sentences[-1] += f"; {outside}"
    if not own_rows.empty:
        sentences.insert(1, _own_sentence(own_rows))
        facts.insert(1, {})
    found = [
        _finding("timing", f"{text}.", fact) for text, fact in zip(sentences, facts, strict=True)
    ]
    return found + _first_day_sources(claims, on_first, first_day)


def _own_sentence(own: pd.DataFrame) -> str:
    """'“Le Service …” confirming the deployment in its own report (A003-20) is part of that
    disclosure, not a response to it': the source's words about its own report, set apart."""
    stances = _series(
        [
            STANCE_PHRASES.get(str(c), str(c).replace("_", " "))
            for c in sorted(own["category"].astype(str).unique())
        ]
    )
    return (
        f"That {_claimants(own)} {stances} in its own report {_ids(own['claim_id'])} is part "
        "of that disclosure, not a response to it"
    )


def _first_day_sources(
    claims: pd.DataFrame, on_first: pd.DataFrame, first_day: pd.Timestamp
) -> list[Finding]:
    """Which articles the first day's responses rest on, and how those articles are dated: when
    one article carries them all, and its own date is inferred, the whole order rests on it."""
    ids = sorted(on_first["article_id"].astype(str).unique())
    bases = {
        str(a): str(b)
        for a, b in zip(claims["article_id"], claims["article_date_basis"], strict=True)
    }
    dates = [f"{a}, {_article_date_words(bases.get(a, 'unknown'))}" for a in ids]
    if len(ids) == 1:
        words = f"Every response dated {_day(first_day)} rests on one article, {dates[0]}"
    else:
        words = (
            f"The responses dated {_day(first_day)} rest on {len(ids)} articles: "
            f"{_series(dates, '; ')}"
        )
    facts = {"first_day_sources": (first_day, tuple(ids)), "first_day_words": _unmarked(words)}
    return [_finding("evidence", f"{words} {_ids(on_first['claim_id'])}.", facts)]


def _article_date_words(basis: str) -> str:
    """How an article's own date is known, for the sentence above."""
    if basis == "stated":
        return "whose date it states"
    if basis in ("", "unknown", "nan", "<NA>"):
        return "which carries no date"
    return f"whose own date is itself inferred ({basis}), not stated"


def _outside_the_order(resp: pd.DataFrame, total: int) -> str:
    """The responses the order above leaves out, as a clause: those dated only to a week or a
    month, those only bounded (on or after a day, on or before one, or between two) and those
    with neither date nor bound, so a reader knows how much of the record the order covers."""
    status = response_dates.date_status(resp)
    rough = int(((status == response_dates.DATED) & (resp["derived_precision"] != "day")).sum())
    bounded = status == response_dates.BOUNDED
    low, high = resp["derived_earliest"].notna(), resp["derived_latest"].notna()
    after, before, between = (
        int((bounded & low & ~high).sum()),
        int((bounded & high & ~low).sum()),
        int((bounded & low & high).sum()),
    )
    undated = int((status == response_dates.UNDATED).sum())
    placed = (
        (rough, "dated only to the week or the month"),
        (after, "known only to fall on or after a day"),
        (before, "known only to fall on or before a day"),
        (between, "known only to fall between two days"),
    )
    counts = [(n, f"is {w}", f"are {w}") for n, w in placed]
    none = "no date or bound the articles support"
    counts.append((undated, f"has {none}", f"have {none}"))
    parts = [(n, one, many) for n, one, many in counts if n]
    if not parts:
        return ""
    left_out = sum(n for n, _, _ in parts)
    shown = [
        f"{n}{f' of the {total} responses' if k == 0 else ''} {one if n == 1 else many}"
        for k, (n, one, many) in enumerate(parts)
    ]
    they = "it" if left_out == 1 else "they"
    return f"{_series(shown)}, so {they} cannot be placed in this order"


def _by_group(rows: pd.DataFrame) -> list[tuple[str, pd.DataFrame]]:
    """``rows`` split by claimant group, most claims first (ties by name)."""
    return [(g, rows[rows["claimant_group"].astype(str) == g]) for g in _groups(rows)]


def _group_clause(group: str, rows: pd.DataFrame) -> str:
    """'NATO's “Mark Rutte, ...” could not confirm the reports (A003-08)': who, what, ids."""
    stances = []
    for category, sub in rows.groupby("category", observed=True, sort=True):
        phrase = STANCE_PHRASES.get(str(category), str(category).replace("_", " "))
        stances.append(f"{phrase} {_ids(sub['claim_id'])}")
    return f"{_group(group)} ({_claimants(rows, 1)}) {_series(stances)}"


def _disclosure_clause(disclosure: pd.DataFrame, day: pd.Timestamp) -> str:
    """', the day of South Korea's first dated troop figure (ids)' when the first dated figure
    falls on that day (only the first *dated* one: an undated article may hold an earlier)."""
    if disclosure.empty or disclosure["derived_date"].iloc[0] != day:
        return ""
    groups = _series([_group(g) for g in _groups(disclosure)])
    return f", the day of {groups}'s first dated troop figure {_ids(disclosure['claim_id'])}"


def in_russia_over_time(claims: pd.DataFrame) -> list[Finding]:
    """How the number of troops said to be already in Russia moved, from the first day such a
    figure is dated to the last, citing both ends and counting the figures with no day."""
    est = analysis.estimates(claims)
    if est.empty:
        return []
    unit = est["unit"].astype(str).value_counts().idxmax()
    there = est[(est["category"].astype(str) == "already_in_russia") & (est["unit"] == unit)]
    dated = analysis.to_the_day(there)
    if dated["derived_date"].nunique() < 2:
        return []
    first, last = dated["derived_date"].min(), dated["derived_date"].max()
    ends = [dated[dated["derived_date"] == d] for d in (first, last)]
    words = [
        _series(list(dict.fromkeys(_figure(r) for _, r in rows.sort_values("claim_id").iterrows())))
        for rows in ends
    ]
    text = (
        f"The troops said to be already in Russia went from {words[0]} on {_day(first)} "
        f"{_ids(ends[0]['claim_id'])} to {words[1]} on {_day(last)} {_ids(ends[1]['claim_id'])}"
    )
    facts = {
        "trend": (words[0], _day(first), words[1], _day(last)),
        "trend_words": _unmarked(text.removeprefix("The troops said to be already in Russia ")),
    }
    rough = there[there["derived_date"].notna() & ~there.index.isin(dated.index)]
    if not rough.empty:
        text += (
            f"; {len(rough)} more {'are' if len(rough) > 1 else 'is'} dated only to the week or "
            f"the month {_ids(rough['claim_id'])}"
        )
    no_day = there[there["derived_date"].isna()]
    if not no_day.empty:
        text += (
            f"; {len(no_day)} more such figure{'s' if len(no_day) > 1 else ''} "
            f"({_series(list(dict.fromkeys(_figure(r) for _, r in no_day.iterrows())))}) "
            f"{'have' if len(no_day) > 1 else 'has'} no day {_ids(no_day['claim_id'])}"
        )
    return [_finding("in_russia", f"{text}.", facts)]


def doubt_and_confirmation(claims: pd.DataFrame) -> list[Finding]:
    """A claimant group heard both doubting the reports and confirming them, side by side with
    what the data says about when each was said, and whether that orders them."""
    resp = analysis.responses(claims)
    found = []
    for group, grp in _by_group(resp):
        doubt = grp[grp["category"].astype(str).isin(DOUBTING)]
        confirm = grp[grp["category"].astype(str).isin(CONFIRMING)]
        if doubt.empty or confirm.empty:
            continue
        sides = [_stance_side(doubt), _stance_side(confirm)]
        order = _order_words(doubt, confirm)
        name = _group(group)
        text = f"{name[0].upper()}{name[1:]} both {sides[0]} and {sides[1]}: {order}."
        facts = {"doubting_and_confirming": str(group), "words": _unmarked(text)}
        found.append(_finding("doubt_and_confirmation", text, facts))
    return found


def _stance_side(rows: pd.DataFrame) -> str:
    """'could not confirm the reports (“Robert Wood, …”, on or after 18 October 2024, day
    unknown: A002-06)': one stance of a group, each claim with its claimant and when."""
    phrase = _series(
        [STANCE_PHRASES.get(c, c) for c in sorted(rows["category"].astype(str).unique())]
    )
    each = [
        f"{_cite([r['claim_id']])}: {_quoted(r['claimant'], r.get('article_language', ''))}, "
        f"{_when(r)}"
        for _, r in rows.sort_values("claim_id").iterrows()
    ]
    return f"{phrase} ({'; '.join(each)})"


def _order_words(doubt: pd.DataFrame, confirm: pd.DataFrame) -> str:
    """Whether the dates order the doubt and the confirmation, and which way."""
    if _all_before(doubt, confirm):
        return "the doubt came first, the confirmation later"
    if _all_before(confirm, doubt):
        return "the confirmation came first, the doubt later"
    return "the dates the articles support cannot tell which came first"


def _all_before(first: pd.DataFrame, then: pd.DataFrame) -> bool:
    """Whether every claim of ``first`` ends before any claim of ``then`` can begin. A claim
    without the bound that matters (no latest day for ``first``, no earliest for ``then``) could
    fall anywhere on that side, so it orders nothing: pandas' min and max skip it silently."""
    ends, starts = first["derived_latest"], then["derived_earliest"]
    return bool(ends.notna().all() and starts.notna().all() and ends.max() < starts.min())


def source_attribution(claims: pd.DataFrame) -> list[Finding]:
    """An article that attributes what it quotes to another source than the quotation itself
    names (``article_attribution``): the reader of that article alone is misled."""
    if "article_attribution" not in claims:
        return []
    given = claims[claims["article_attribution"].fillna("").astype(str) != ""]
    found = []
    for (article, words), grp in given.groupby(["article_id", "article_attribution"], sort=True):
        text = (
            f"Article {_plain(article)} introduces a quotation with "
            f"{_quoted(words, _language(grp))}, though "
            f"the quotation itself names {_claimants(grp)} as its source; the claims follow the "
            f"quotation {_ids(grp['claim_id'])}."
        )
        facts = {"misattributed": (str(article), str(words)), "words": _unmarked(text)}
        found.append(_finding("attribution", text, facts))
    return found


def single_source(claims: pd.DataFrame) -> list[Finding]:
    """What is corroborated by several articles and what rests on one (``analysis.corroboration``).

    Corroboration here is the weak kind (several outlets repeating one source): the sentence
    says how many articles, not that the claim is true.
    """
    if claims["article_id"].nunique() < 2:  # one article: everything is single-source, trivially
        return []
    table = analysis.corroboration(claims)
    table = table[table["kind"].isin([analysis.ESTIMATE, analysis.RESPONSE])]
    if table.empty:
        return []
    found = []
    est = table[table["kind"] == analysis.ESTIMATE]
    facts: dict = {
        "figures": {
            _key_phrase(claims, row): (int(row["n_articles"]), tuple(_split(row)))
            for _, row in est.iterrows()
        }
    }
    widest = est[est["n_articles"] == est["n_articles"].max()] if not est.empty else est
    if not widest.empty and int(widest["n_articles"].iloc[0]) > 1:
        n = int(widest["n_articles"].iloc[0])
        items = [f"{_key_phrase(claims, row)} {_ids(_split(row))}" for _, row in widest.iterrows()]
        facts["widest"] = tuple(_key_phrase(claims, row) for _, row in widest.iterrows())
        facts["widest_words"] = _unmarked(f"{_series(items)}, each in {n} articles")
        found.append(
            _finding(
                "corroboration",
                f"The most widely reported figure{'s are' if len(items) > 1 else ' is'} "
                f"{_series(items)}, each in {n} articles, though the articles may all rely "
                "on the same original source.",
                facts,
            )
        )
    single = table[table["single_source"]]
    if not single.empty:
        parts = []
        for kind, label in (
            (analysis.ESTIMATE, "troop figures (figure and framing)"),
            (analysis.RESPONSE, "responses (claimant group and stance)"),
        ):
            of_kind, alone = table[table["kind"] == kind], single[single["kind"] == kind]
            if alone.empty:
                continue
            examples = [
                f"{_key_phrase(claims, row)} {_ids(_split(row))}"
                for _, row in alone.head(SINGLE_SOURCE_EXAMPLES).iterrows()
            ]
            more = ", such as" if len(alone) > len(examples) else ":"
            parts.append(
                f"{len(alone)} of the {len(of_kind)} distinct {label}{more} " + _series(examples)
            )
            if kind == analysis.ESTIMATE:
                facts["single_words"] = f"{len(alone)} of the {len(of_kind)} distinct {label}"
        text = f"Much rests on a single article: {'; and '.join(parts)}."
        found.append(_finding("single_source", text, facts))
    return found


def _split(row: pd.Series) -> list[str]:
    """The claim ids of a corroboration row."""
    return [i for i in str(row["claim_ids"]).split(", ") if i]


def _key_phrase(claims: pd.DataFrame, row: pd.Series) -> str:
    """A corroboration key in words: '12,000 soldiers as the total planned', 'China's call for
    de-escalation' (read from its first claim: the key's fields are equal across its claims)."""
    first = claims[claims["claim_id"] == _split(row)[0]].iloc[0]
    if row["kind"] == analysis.ESTIMATE:
        figure = analysis.format_figure(first["figure"], first["unit"])
        return f"{figure} {FRAMING_PHRASES.get(str(first['category']), str(first['category']))}"
    phrase = STANCE_PHRASES.get(str(first["category"]), str(first["category"]).replace("_", " "))
    return f"{_group(first['claimant_group'])} {phrase}"


def key_findings(claims: pd.DataFrame) -> list[Finding]:
    """The key findings in reading order: figures, framing, timing, corroboration.

    A topic with nothing to say (no framing discrepancy, no dated response) is left out
    rather than stated as an absence, except undated responses, which are counted.
    """
    return [
        *estimate_range(claims),
        *in_russia_over_time(claims),
        *framing(claims),
        *first_responses(claims),
        *doubt_and_confirmation(claims),
        *source_attribution(claims),
        *single_source(claims),
    ]


# --- Validation verdict ------------------------------------------------------------------------


def validation_verdict(result: dict | None) -> str:
    """The validation result in one line: rules, rows, and all passed or which failed.

    ``result`` is ``verdict_display.read_validation_result``'s; None (no verdict recorded) says so,
    because a report must not look validated when it was not.
    """
    if result is None:
        return "Validation: no validation result was recorded for this data."
    rules = result.get("expectations", [])
    rows = result.get("summary", {}).get("rows", {})
    scope = (
        f"{len(rules)} rules on {rows.get('claims', '?')} claims and "
        f"{rows.get('articles', '?')} articles"
    )
    failed = [r for r in rules if not r.get("success", False)]
    if not failed:
        return f"Validation: {scope}, all passed."
    shown = [
        f"{r.get('description') or r.get('name')} ({r.get('severity', 'error')}, "
        f"{r.get('unexpected_count') or 0} rows)"
        for r in failed
    ]
    return f"Validation: {scope}; {len(failed)} not met: {'; '.join(shown)}."


# --- Rendering ---------------------------------------------------------------------------------


def findings_html(
    findings: Sequence[Finding], verdict: str, rules_anchor: str = RULES_ANCHOR
) -> str:
    """The key findings as HTML for the report: a list of sentences, then the verdict line
    linking to the rule table (``rules_anchor``, an id in the appendix).

    Every value is escaped (claimants and quotes are data); claim ids are set apart so the eye
    can skip or find them.
    """
    items = "\n".join(f"<li>{_mark_ids(f.marked or f.text)}</li>" for f in findings)
    link = f'<a href="#{html.escape(rules_anchor)}">the full rule table in the appendix</a>'
    return (
        f'<div class="key-findings">\n<ul class="findings">\n{items}\n</ul>\n'
        f'<p class="verdict">{html.escape(for_page(verdict))} See {link}.</p>\n</div>'
    )


def _mark_ids(marked: str) -> str:
    """Escape ``marked`` piece by piece and wrap each cited claim id in a span.

    The pieces are escaped apart because the cite marks are control characters themselves:
    escaping the whole would turn them into visible escapes before they could be found.
    """
    parts = marked.split(_CITE)
    return "".join(
        f'<span class="claim-id">{_escaped(part)}</span>' if index % 2 else _escaped(part)
        for index, part in enumerate(parts)
    )


def _escaped(part: str) -> str:
    """A piece of a finding escaped, the article's words in a span with their ``lang``."""
    pieces = _IN_LANGUAGE.split(part)  # text, lang, words, text, lang, words, ..., text
    out = []
    for index, piece in enumerate(pieces):
        if index % 3 == 0:
            out.append(html.escape(for_page(piece)))
        elif index % 3 == 2:
            out.append(f'<span lang="{pieces[index - 1]}">{html.escape(for_page(piece))}</span>')
    return "".join(out)
