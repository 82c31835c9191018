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
from dataclasses import dataclass

import pandas as pd

from troopclaims import analysis, response_dates

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
    "cannot_confirm": "could not confirm the reports",
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
    "consultation": "consulted allies",
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

_CLAIM_ID = re.compile(r"\b[A-Z]\d+-\d+\b")


@dataclass(frozen=True)
class Finding:
    """One sentence of the key findings and the ids of every claim it cites.

    ``text`` cites the ids inline, in parentheses, next to what each supports; ``claim_ids``
    lists them all (sorted), so a test or a reader can check each one against the data.
    """

    topic: str
    text: str
    claim_ids: tuple[str, ...]


# --- Wording helpers ---------------------------------------------------------------------------


def _ids(ids: Iterable[str]) -> str:
    """Claim ids as an inline citation: '(A003-01, A004-02)'."""
    return f"({', '.join(sorted(set(ids)))})"


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


def _quoted(name: object) -> str:
    """A claimant as the article names it, in quotation marks (the French stays French)."""
    return f"“{name}”"


def _claimants(rows: pd.DataFrame, limit: int = NAMED_CLAIMANTS) -> str:
    """The distinct claimants of ``rows`` as quoted, the first ``limit`` named, the rest counted."""
    names = list(dict.fromkeys(str(c) for c in rows.sort_values("claim_id")["claimant"]))
    shown = [_quoted(n) for n in names[:limit]]
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


def _finding(topic: str, text: str) -> Finding:
    """A Finding whose cited ids are read back from its text, so the two cannot disagree."""
    return Finding(topic, text, tuple(sorted(set(_CLAIM_ID.findall(text)))))


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
    n_articles = est["article_id"].nunique()
    if low == high:
        rows = main[main["figure"] == low]
        text = (
            f"Every troop estimate in the {n_articles} article{'s' if n_articles > 1 else ''} "
            f"gives {analysis.format_figure(low, unit)} ({source}), from {_claimants(rows)} "
            f"{_ids(rows['claim_id'])}."
        )
        return [_finding("range", text)]
    low_rows, high_rows = main[main["figure"] == low], main[main["figure"] == high]
    low_text = analysis.format_figure(low, unit).removesuffix(f" {unit}")
    text = (
        f"Reported troop numbers range from {low_text} to "
        f"{analysis.format_figure(high, unit)} across {len(est)} estimates in {n_articles} "
        f"article{'s' if n_articles > 1 else ''}, {source}: the lowest from "
        f"{_claimants(low_rows)} {_ids(low_rows['claim_id'])}, the highest from "
        f"{_claimants(high_rows)} {_ids(high_rows['claim_id'])}."
    )
    found = [_finding("range", text)]
    between, other = _between(main, low, high), _other_units(est, unit)
    parts = [f"between them, {_series(between)}"] if between else []
    if other:
        parts.append(f"in other units, {_series(other)}")
    if parts:
        text = f"The articles also report, {'; and '.join(parts)}."
        found.append(_finding("range", text))
    return found


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
    for (_, _, category), grp in rows.groupby(
        ["figure", "unit", "category"], observed=True, sort=True
    ):
        shown = _series(list(dict.fromkeys(_figure(r) for _, r in grp.iterrows())))
        framing = FIGURE_PHRASES.get(str(category), f"as {category}")
        as_of = [str(v) for v in grp["figure_as_of"].dropna() if str(v)]
        when = f" by {as_of[0]}" if as_of else ""
        clauses.append(f"{shown} {framing}{when} {_ids(grp['claim_id'])}")
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
    order = evidence.groupby("finding")["claim_id"].count().sort_values(ascending=False)
    for number in order.index:
        grp = evidence[evidence["finding"] == number]
        ways = []
        for value, sub in grp.groupby("value", sort=False):
            ways.append((len(sub), f"{FRAMING_PHRASES.get(value, value)} {_ids(sub['claim_id'])}"))
        ways.sort(key=lambda w: -w[0])
        parts.append(f"{grp['subject'].iloc[0]} {_series([w for _, w in ways])}")
    lead = "The same figure is framed differently from one report to another: "
    if len(parts) == 1:
        lead = "The same figure is framed differently from one report to another, "
    return [_finding("framing", f"{lead}{'; '.join(parts)}.")]


def first_responses(claims: pd.DataFrame) -> list[Finding]:
    """Who responded first and when, from the dated responses; then who followed, and how
    many responses no date supports (they cannot be ordered, so the reader should know)."""
    resp = analysis.responses(claims)
    # Only a day can be ordered by day: a response dated to the week ('shortly after') could be
    # days before or after one dated to that day, so it is counted with those outside the order.
    dated = resp[resp["statement_date"].notna() & (resp["date_precision"] == "day")]
    if dated.empty:
        if resp.empty:
            return []
        text = (
            f"None of the {len(resp)} responses carries a date the articles support, so no "
            f"order of response can be given {_ids(resp['claim_id'])}."
        )
        return [_finding("timing", text)]
    first_day = dated["statement_date"].min()
    on_first = dated[dated["statement_date"] == first_day]
    clauses = [_group_clause(group, grp) for group, grp in _by_group(on_first)]
    same_day = _disclosure_clause(claims, first_day)
    plural = "s" if len(on_first) > 1 else ""
    sentences = [
        f"The first dated response{plural} came on {_day(first_day)}{same_day}: "
        f"{_series(clauses, '; ')}"
    ]
    first_groups = set(on_first["claimant_group"].astype(str))
    later = dated[~dated["claimant_group"].astype(str).isin(first_groups)]
    if not later.empty:
        firsts = later[
            later["statement_date"]
            == later.groupby("claimant_group", observed=True)["statement_date"].transform("min")
        ]
        follow = [
            f"{_group_clause(group, grp)} on {_day(grp['statement_date'].iloc[0])}"
            for group, grp in sorted(
                _by_group(firsts), key=lambda g: (g[1]["statement_date"].iloc[0], g[0])
            )
        ]
        sentences.append(f"Then {_series(follow, '; ')}")
    outside = _outside_the_order(resp)
    if outside:  # said where the order is given: these responses are outside it
        sentences[-1] += f"; {outside}"
    return [_finding("timing", f"{text}.") for text in sentences]


def _outside_the_order(resp: pd.DataFrame) -> str:
    """The responses the order above leaves out, as a clause: those dated only to a week or a
    month, those only bounded (a date range from the corpus, drawn as intervals in the timing
    chart) and those with neither date nor bound, so a reader knows how much of the record the
    order covers."""
    status = response_dates.date_status(resp)
    counts = status.value_counts()
    rough = int(((status == response_dates.DATED) & (resp["date_precision"] != "day")).sum())
    bounded = int(counts.get(response_dates.BOUNDED, 0))
    undated = int(counts.get(response_dates.UNDATED, 0))
    parts = []
    if rough:
        parts.append(
            f"{rough} of the {len(resp)} responses {'is' if rough == 1 else 'are'} dated only to "
            "the week or the month"
        )
        bounded_of = ""
    else:
        bounded_of = f" of the {len(resp)} responses"
    if bounded:
        parts.append(
            f"{bounded}{bounded_of} {'is' if bounded == 1 else 'are'} known only to fall within "
            "a range of dates"
        )
    if undated:
        of_all = "" if bounded or rough else f" of the {len(resp)} responses"
        parts.append(
            f"{undated}{of_all} {'has' if undated == 1 else 'have'} no date the articles support"
        )
    if not parts:
        return ""
    they = "it" if rough + bounded + undated == 1 else "they"
    return f"{_series(parts)}, so {they} cannot be placed in this order"


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


def _disclosure_clause(claims: pd.DataFrame, day: pd.Timestamp) -> str:
    """', the day the first troop figure was disclosed (ids)' when estimates are dated that day."""
    est = analysis.estimates(claims)
    dated = est[est["statement_date"].notna()]
    if dated.empty or dated["statement_date"].min() != day:
        return ""
    disclosed = dated[dated["statement_date"] == day]
    groups = _series([_group(g) for g in _groups(disclosed)])
    return f", the day {groups} first gave a troop figure {_ids(disclosed['claim_id'])}"


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
    widest = est[est["n_articles"] == est["n_articles"].max()] if not est.empty else est
    if not widest.empty and int(widest["n_articles"].iloc[0]) > 1:
        n = int(widest["n_articles"].iloc[0])
        items = [f"{_key_phrase(claims, row)} {_ids(_split(row))}" for _, row in widest.iterrows()]
        found.append(
            _finding(
                "corroboration",
                f"The most widely reported figure{'s are' if len(items) > 1 else ' is'} "
                f"{_series(items)}, each in {n} articles, though the articles may all rely "
                "on the same original source.",
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
        text = f"Much rests on a single article: {'; and '.join(parts)}."
        found.append(_finding("single_source", text))
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
        *framing(claims),
        *first_responses(claims),
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
    items = "\n".join(f"<li>{_mark_ids(html.escape(f.text))}</li>" for f in findings)
    link = f'<a href="#{html.escape(rules_anchor)}">the full rule table in the appendix</a>'
    return (
        f'<div class="key-findings">\n<ul class="findings">\n{items}\n</ul>\n'
        f'<p class="verdict">{html.escape(verdict)} See {link}.</p>\n</div>'
    )


def _mark_ids(text: str) -> str:
    """Wrap each claim id of escaped ``text`` in a span (ids contain nothing to escape)."""
    return _CLAIM_ID.sub(lambda m: f'<span class="claim-id">{m.group(0)}</span>', text)
