"""Page 1, checked sentence by sentence against a second computation from the raw CSVs.

A journalist takes the key findings on page 1 (``findings.key_findings``) at their word, so each
generated sentence is checked here against the same fact computed a second, independent way:
straight from ``data/raw/claims.csv`` and ``data/raw/articles.csv`` read with the csv module,
with the date rules of ``data/README.md`` written out again below. Nothing of troopclaims'
own dating, analysis, response-date or findings code computes an expected value; troopclaims is
only asked for the sentences. A sentence whose numbers, dates, names or claim ids are wrong fails
its test, and a new sentence nobody checks fails ``test_every_sentence_is_checked``.
"""

from __future__ import annotations

import calendar
import csv
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
import raw_files

from troopclaims import config
from troopclaims.report import findings
from troopclaims.store import manifest, process

RAW = config.RAW_DIR

# Each check below claims the sentences it reads by one of these patterns (matched at the start
# of the text); every page-1 sentence must be claimed by exactly one.
SENTENCES = {
    "range": r"Reported troop numbers range from ",
    "between": r"The articles also report, ",
    "in_russia": r"The troops said to be already in Russia went from ",
    "framing": r"The same figure is framed differently",
    "first_responses": r"The first responses? dated to the day came on ",
    "own_report": r"That “[^”]+” .* in its own report ",
    "then": r"Then ",
    "evidence": r"(Every response dated .* rests on one article|The responses dated .* rest on)",
    "doubt_and_confirmation": r"(The )?[A-Z][\w ]* both .* and confirmed the deployment ",
    "attribution": r"Article \S+ introduces a quotation with ",
    "corroboration": r"The most widely reported figures? ",
    "single_source": r"Much rests on a single article: ",
}

# What each framing or stance is called in a sentence: a word any correct wording must hold.
FRAMING_WORDS = {
    "already_in_russia": ("already in Russia",),
    "deploying": ("deployed",),
    "planned_total": ("planned",),
    "possible_total": ("possible total",),
    "forecast": ("expected", "forecast"),
}
STANCE_WORDS = {
    "summons": "summon",
    "condemnation": "condemn",
    "denial": "denied",
    "cannot_confirm": "could not confirm",
    "confirmation": "confirmed",
    "accusation": "accused",
    "concern": "concern",
    "demand": "demand",
    "reassurance": "threatened no one",
    "warning": "warned",
    "threat_of_response": "promised a response",
    "policy_move": "policy",
    "support_pledge": "pledged support",
    "call_for_deescalation": "de-escalation",
    "briefing_request": "briefing",
    "consultation": "in contact",
    "assessment": "assessment",
}
# The report's notation for a qualifier, in front of the figure (its legend: ≈ about, ≤ up to,
# ≥ at least, < nearly; nothing for a figure stated without a hedge).
QUALIFIER_MARKS = {"exact": "", "about": "≈", "up_to": "≤", "at_least": "≥", "nearly": "<"}
WEEKDAYS = {
    "lundi": 0,
    "mardi": 1,
    "mercredi": 2,
    "jeudi": 3,
    "vendredi": 4,
    "samedi": 5,
    "dimanche": 6,
}

ID = r"[A-Z]\d{3}-\d{2}"
CITATION = re.compile(rf"\(({ID}(?:, {ID})*)\)")


# --- The raw data, read a second way -----------------------------------------------------------


@dataclass(frozen=True)
class When:
    """A claim's date interval as the README derives it; ``day`` with its precision when the
    claim has a day (typed, or closed by the evidence)."""

    earliest: date | None
    latest: date | None
    day: date | None
    precision: str | None

    @property
    def to_the_day(self) -> bool:
        return self.day is not None and self.precision == "day"


def _read(name: str) -> list[dict[str, str]]:
    with (RAW / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _date(text: str) -> date | None:
    return date.fromisoformat(text) if text else None


def _later(a: date | None, b: date | None) -> date | None:
    return max(d for d in (a, b) if d) if a or b else None


def _sooner(a: date | None, b: date | None) -> date | None:
    return min(d for d in (a, b) if d) if a or b else None


def derive_dates(claims: dict[str, dict], articles: dict[str, dict]) -> dict[str, When]:
    """Every claim's interval: typed date and bounds, capped by its article's date, raised to
    its anchor's earliest day, then moved to the weekday its quote names."""
    done: dict[str, When] = {}

    def derive(claim_id: str) -> When:
        if claim_id in done:
            return done[claim_id]
        row = claims[claim_id]
        typed, precision = _date(row["statement_date"]), row["date_precision"]
        low = high = None
        if typed and precision == "day":
            low = high = typed
        elif typed and precision == "week":
            low, high = typed - timedelta(days=3), typed + timedelta(days=3)
        elif typed and precision == "month":
            last = calendar.monthrange(typed.year, typed.month)[1]
            low, high = typed.replace(day=1), typed.replace(day=last)
        low = _later(low, _date(row["earliest_date"]))
        high = _sooner(high, _date(row["latest_date"]))
        high = _sooner(high, _date(articles[row["article_id"]]["published_date"]))
        if row["anchor_claim_id"]:
            low = _later(low, derive(row["anchor_claim_id"]).earliest)
        if not (typed and precision == "day"):
            for word, weekday in WEEKDAYS.items():
                if re.search(rf"\b{word}\b", row["quote"], re.IGNORECASE):
                    low = low and low + timedelta(days=(weekday - low.weekday()) % 7)
                    high = high and high - timedelta(days=(high.weekday() - weekday) % 7)
        if typed:
            when = When(low, high, typed, precision)
        elif low and high and low == high:
            when = When(low, high, low, "day")
        else:
            when = When(low, high, None, None)
        done[claim_id] = when
        return when

    return {claim_id: derive(claim_id) for claim_id in claims}


@dataclass(frozen=True)
class Raw:
    claims: dict[str, dict]
    articles: dict[str, dict]
    when: dict[str, When]

    def kind(self, kind: str) -> list[dict]:
        return [c for c in self.claims.values() if c["kind"] == kind]

    @property
    def estimates(self) -> list[dict]:
        return self.kind("troop_estimate")

    @property
    def responses(self) -> list[dict]:
        return self.kind("response")

    def main_unit(self) -> str:
        return Counter(c["unit"] for c in self.estimates).most_common(1)[0][0]


@pytest.fixture(scope="module")
def raw() -> Raw:
    claims = {c["claim_id"]: c for c in _read("claims.csv")}
    articles = {a["article_id"]: a for a in _read("articles.csv")}
    return Raw(claims, articles, derive_dates(claims, articles))


@pytest.fixture(scope="module")
def page_one(raw: Raw) -> list[findings.Finding]:
    """The sentences as the report writes them: from data/processed/ when it is current, else
    built in memory from the same raw files, as `troopclaims process` would."""
    try:
        claims, _ = process.read_processed()
    except (FileNotFoundError, manifest.StaleProcessedError):
        claims = process.build_claims_table(raw_files.load_claims(), raw_files.load_articles())
    # The second computation reads the founding curation only: a drop folded in would make it
    # check another data set than the page.
    assert set(claims["claim_id"]) == set(raw.claims), "processed claims are not claims.csv"
    return findings.key_findings(claims)


# --- Reading the sentences ---------------------------------------------------------------------


def sentences(page: list[findings.Finding], name: str) -> list[findings.Finding]:
    return [f for f in page if re.match(SENTENCES[name], f.text)]


def sentence(page: list[findings.Finding], name: str) -> findings.Finding:
    found = sentences(page, name)
    assert len(found) == 1, f"expected one {name!r} sentence, got {[f.text for f in found]}"
    return found[0]


def citations(text: str) -> list[tuple[str, set[str]]]:
    """Each inline citation '(A003-01, A003-05)' with the words since the previous one."""
    out, start = [], 0
    for match in CITATION.finditer(text):
        out.append((text[start : match.start()], set(match.group(1).split(", "))))
        start = match.end()
    return out


def ids(text: str) -> set[str]:
    return set(re.findall(ID, text))


def unquoted(text: str) -> str:
    """The sentence without the claimants it quotes (their French words are not its words)."""
    return re.sub(r"“[^”]*”", "“”", text)


def wording(name: str) -> str:
    """A claimant's wording as a reader compares it: apostrophe, case and spacing aside."""
    return " ".join(name.replace("’", "'").split()).casefold()


def said(day: date) -> str:
    return f"{day.day} {calendar.month_name[day.month]} {day.year}"


def states_figure(text: str, claim: dict, qualified: bool = True) -> bool:
    """Whether ``text`` writes the claim's figure ('≈3,000 soldiers'), with its qualifier's
    mark when ``qualified`` (an exact figure then stands without one)."""
    number = f"{int(claim['figure']):,} {claim['unit']}"
    if not qualified:
        return re.search(rf"(?<![\d,]){re.escape(number)}", text) is not None
    mark = QUALIFIER_MARKS[claim["qualifier"]]
    return re.search(rf"(?<![\d,≈≤≥<]){re.escape(mark + number)}", text) is not None


def names_framing(text: str, category: str) -> bool:
    return any(word in text for word in FRAMING_WORDS[category])


def assert_stances(text: str, raw: Raw) -> None:
    """Each citation in ``text`` follows words naming its claims' stance."""
    for words, cited in citations(text):
        for claim_id in cited:
            stance = raw.claims[claim_id]["category"]
            assert STANCE_WORDS[stance] in unquoted(words), f"{claim_id} is {stance}: {text}"


def group_clauses(text: str) -> dict[str, str]:
    """'France (“…”) expressed concern (…); and the United States (“…”) …' split per group
    (keyed by the group's name casefolded: 'independent experts' is not a proper name)."""
    clauses = {}
    for part in re.split(r"; (?:and )?", text):
        match = re.match(r"(?:and )?(?:the )?(\w[\w ]*?) \(“", part)
        if match:
            clauses[match.group(1).casefold()] = part
    return clauses


# --- Facts both computations share the definition of -------------------------------------------


def first_disclosure(raw: Raw) -> list[dict]:
    """The estimates dated to the day on the first day any estimate is."""
    dated = [c for c in raw.estimates if raw.when[c["claim_id"]].to_the_day]
    first = min(raw.when[c["claim_id"]].day for c in dated)
    return [c for c in dated if raw.when[c["claim_id"]].day == first]


def own_report(raw: Raw) -> list[dict]:
    """Responses the disclosing source makes in its own report: same article, day, wording."""
    own = {
        (c["article_id"], raw.when[c["claim_id"]].day, wording(c["claimant"]))
        for c in first_disclosure(raw)
    }
    return [
        r
        for r in raw.responses
        if (r["article_id"], raw.when[r["claim_id"]].day, wording(r["claimant"])) in own
    ]


def responses_after_disclosure(raw: Raw) -> list[dict]:
    own = {r["claim_id"] for r in own_report(raw)}
    return [r for r in raw.responses if r["claim_id"] not in own]


def first_day_responses(raw: Raw) -> tuple[date, list[dict]]:
    dated = [r for r in responses_after_disclosure(raw) if raw.when[r["claim_id"]].to_the_day]
    first = min(raw.when[r["claim_id"]].day for r in dated)
    return first, [r for r in dated if raw.when[r["claim_id"]].day == first]


def by(rows: list[dict], *fields: str) -> dict[tuple, list[dict]]:
    grouped = defaultdict(list)
    for row in rows:
        grouped[tuple(row[f] for f in fields)].append(row)
    return dict(grouped)


def claim_ids(rows: list[dict]) -> set[str]:
    return {r["claim_id"] for r in rows}


# --- One test per statement --------------------------------------------------------------------


def test_range_of_figures(raw: Raw, page_one) -> None:
    """Lowest and highest figure in the main unit, how many estimates and articles, the other
    units counted, who gave them, and the wordings and ids at each end."""
    found = sentence(page_one, "range")
    text = found.text
    unit = raw.main_unit()
    main = [c for c in raw.estimates if c["unit"] == unit]
    figures = [int(c["figure"]) for c in main]
    low, high = min(figures), max(figures)
    n_articles = len({c["article_id"] for c in main})
    assert f"from {low:,} to {high:,} {unit}" in text
    assert f"across {len(main)} estimates in {unit} in {n_articles} articles" in text
    others = Counter(c["unit"] for c in raw.estimates if c["unit"] != unit)
    assert len(re.findall(r"\d+ more in \w+", text)) == len(others)
    for other, n in others.items():
        assert f"{n} more in {other}" in text
    groups = {c["claimant_group"] for c in raw.estimates}
    if len(groups) == 1:
        assert f"all attributed to {groups.pop()}" in text
    else:
        assert all(g in text for g in groups)
    low_part, high_part = text.split("the highest from")
    assert "the lowest from" in low_part
    for part, figure in ((low_part.split("the lowest from")[1], low), (high_part, high)):
        end = [c for c in main if int(c["figure"]) == figure]
        [(words, cited)] = citations(part)
        assert cited == claim_ids(end)
        quoted = re.findall(r"“([^”]*)”", words)
        assert len(quoted) == 1 and wording(quoted[0]) in {wording(c["claimant"]) for c in end}
        others_n = len({wording(c["claimant"]) for c in end}) - 1
        other_words = re.search(r"(\d+) other wordings?", words)
        assert (int(other_words.group(1)) if other_words else 0) == others_n, words
    assert set(found.claim_ids) == claim_ids([c for c in main if int(c["figure"]) in (low, high)])


def test_figures_between_and_in_other_units(raw: Raw, page_one) -> None:
    """Every main-unit figure strictly inside the range, and every figure in another unit, each
    with its framing and ids."""
    text = sentence(page_one, "between").text
    unit = raw.main_unit()
    figures = [int(c["figure"]) for c in raw.estimates if c["unit"] == unit]
    low, high = min(figures), max(figures)
    inside = [c for c in raw.estimates if c["unit"] == unit and low < int(c["figure"]) < high]
    other = [c for c in raw.estimates if c["unit"] != unit]
    between_part, _, other_part = text.partition("in other units")
    for part, rows in ((between_part, inside), (other_part, other)):
        expected = by(rows, "figure", "unit", "category", "figure_as_of")
        cited = citations(part)
        assert [c for _, c in cited] and sorted(map(sorted, (c for _, c in cited))) == sorted(
            sorted(claim_ids(g)) for g in expected.values()
        )
        for words, group_ids in cited:
            group = [raw.claims[i] for i in group_ids]
            assert all(states_figure(words, c) for c in group), words
            assert names_framing(words, group[0]["category"]), words
            for as_of in {c["figure_as_of"] for c in group if c["figure_as_of"]}:
                assert as_of in words
    assert set(sentence(page_one, "between").claim_ids) == claim_ids(inside + other)


def test_troops_already_in_russia_over_time(raw: Raw, page_one) -> None:
    """First and last day an 'already in Russia' figure is dated to, the figures and ids on each,
    and the ones with no day."""
    found = sentence(page_one, "in_russia")
    unit = raw.main_unit()
    there = [c for c in raw.estimates if c["category"] == "already_in_russia" and c["unit"] == unit]
    dated = [c for c in there if raw.when[c["claim_id"]].to_the_day]
    days = sorted({raw.when[c["claim_id"]].day for c in dated})
    first, last = days[0], days[-1]
    on = {d: [c for c in dated if raw.when[c["claim_id"]].day == d] for d in (first, last)}
    no_day = [c for c in there if raw.when[c["claim_id"]].day is None]
    cited = citations(found.text)
    assert len(cited) == (3 if no_day else 2)
    for (words, group_ids), day in zip(cited, (first, last), strict=False):
        assert group_ids == claim_ids(on[day])
        assert f"on {said(day)}" in words
        assert all(states_figure(words, c) for c in on[day]), words
    if no_day:
        words, group_ids = cited[2]
        assert group_ids == claim_ids(no_day)
        assert f"{len(no_day)} more" in words and "no day" in words
        assert all(states_figure(words, c) for c in no_day), words
    assert set(found.claim_ids) == claim_ids(on[first] + on[last] + no_day)


def test_same_figure_framed_differently(raw: Raw, page_one) -> None:
    """Each figure reported under several framings, with the ids per framing."""
    found = sentence(page_one, "framing")
    framings = {
        key: by(rows, "category")
        for key, rows in by(raw.estimates, "figure", "unit").items()
        if len(by(rows, "category")) > 1
    }
    body = re.split(r"another[:,] ", found.text, maxsplit=1)[1]
    parts = body.rstrip(".").split("; ")
    assert len(parts) == len(framings)
    for (figure, unit), per_framing in framings.items():
        [part] = [p for p in parts if p.startswith(f"{int(figure):,} {unit} ")]
        cited = citations(part)
        assert len(cited) == len(per_framing)
        for words, group_ids in cited:
            [category] = {raw.claims[i]["category"] for i in group_ids}
            assert group_ids == claim_ids(per_framing[(category,)])
            assert names_framing(words, category), words
    assert set(found.claim_ids) == {
        i for per in framings.values() for rows in per.values() for i in claim_ids(rows)
    }


def test_first_responses(raw: Raw, page_one) -> None:
    """The first day a response is dated to (the source's own words set aside), who responded
    that day with which ids and stances, and that it is the day of the first dated figure."""
    found = sentence(page_one, "first_responses")
    text = found.text
    first, on_first = first_day_responses(raw)
    disclosure = first_disclosure(raw)
    disclosed_on = raw.when[disclosure[0]["claim_id"]].day
    assert re.match(rf"The first responses? dated to the day came on {said(first)}\b", text)
    head, _, clauses = text.partition(": ")
    if disclosed_on == first:
        assert "first dated troop figure" in head
        [(words, cited)] = citations(head)
        assert cited == claim_ids(disclosure)
        assert all(g in words for g in {c["claimant_group"] for c in disclosure})
    else:
        assert "first dated troop figure" not in head
    expected = by(on_first, "claimant_group")
    clause = group_clauses(clauses)
    assert set(clause) == {g.casefold() for (g,) in expected}
    for (group,), rows in expected.items():
        words = clause[group.casefold()]
        assert ids(words) == claim_ids(rows), group
        [quoted] = re.findall(r"“([^”]*)”", words)
        assert wording(quoted) in {wording(r["claimant"]) for r in rows}
        assert_stances(words, raw)
    cited_figures = disclosure if disclosed_on == first else []
    assert set(found.claim_ids) == claim_ids(on_first + cited_figures)


def test_source_own_report_set_apart(raw: Raw, page_one) -> None:
    """The responses the disclosing source makes in its own report, named apart."""
    own = own_report(raw)
    found = sentences(page_one, "own_report")
    if not own:
        assert not found
        return
    [found] = found
    assert set(found.claim_ids) == ids(found.text) == claim_ids(own)
    quoted = re.findall(r"“([^”]*)”", found.text)
    assert {wording(q) for q in quoted} == {wording(r["claimant"]) for r in own}
    words = unquoted(found.text)
    assert all(STANCE_WORDS[r["category"]] in words for r in own)


def _status_counts(raw: Raw, rows: list[dict]) -> dict[str, int]:
    counts = Counter()
    for row in rows:
        when = raw.when[row["claim_id"]]
        if when.day is not None:
            counts["dated only to the week or the month"] += when.precision != "day"
        elif when.earliest and when.latest:
            counts["known only to fall between two days"] += 1
        elif when.earliest:
            counts["known only to fall on or after a day"] += 1
        elif when.latest:
            counts["known only to fall on or before a day"] += 1
        else:
            counts["no date or bound the articles support"] += 1
    return counts


def test_then_the_other_groups_and_what_is_left_out(raw: Raw, page_one) -> None:
    """Each other group's first day-dated response in date order, and the counts of responses
    the order cannot place, out of all responses."""
    found = sentence(page_one, "then")
    text = found.text
    _, on_first = first_day_responses(raw)
    first_groups = {r["claimant_group"] for r in on_first}
    dated = [
        r
        for r in responses_after_disclosure(raw)
        if raw.when[r["claim_id"]].to_the_day and r["claimant_group"] not in first_groups
    ]
    firsts = []
    for (group,), rows in by(dated, "claimant_group").items():
        day = min(raw.when[r["claim_id"]].day for r in rows)
        firsts.append((day, group, [r for r in rows if raw.when[r["claim_id"]].day == day]))
    firsts.sort(key=lambda f: (f[0], f[1]))
    clause = group_clauses(text.removeprefix("Then "))
    assert list(clause) == [group.casefold() for _, group, _ in firsts]
    for day, group, rows in firsts:
        words = clause[group.casefold()]
        assert ids(words) == claim_ids(rows), group
        assert f"on {said(day)}" in words
        [quoted] = re.findall(r"“([^”]*)”", words)
        assert wording(quoted) in {wording(r["claimant"]) for r in rows}
        assert_stances(words, raw)
    counts = _status_counts(raw, responses_after_disclosure(raw))
    for words in (
        "dated only to the week or the month",
        "known only to fall on or after a day",
        "known only to fall on or before a day",
        "known only to fall between two days",
        "no date or bound the articles support",
    ):
        verb = "(?:has|have)" if words.startswith("no date") else "(?:is|are)"
        stated = re.search(rf"(\d+)(?: of the \d+ responses)? {verb} {words}", text)
        assert (int(stated.group(1)) if stated else 0) == counts[words], words
    assert f"of the {len(raw.responses)} responses" in text
    assert set(found.claim_ids) == {i for _, _, rows in firsts for i in claim_ids(rows)}


def test_first_day_rests_on_its_articles(raw: Raw, page_one) -> None:
    """The articles the first day's responses come from, and how each article is dated."""
    found = sentence(page_one, "evidence")
    first, on_first = first_day_responses(raw)
    articles = sorted({r["article_id"] for r in on_first})
    assert said(first) in found.text
    assert ("one article" in found.text) == (len(articles) == 1)
    for article in articles:
        basis = raw.articles[article]["date_basis"]
        [stated] = re.findall(rf"{article}, (.*?)(?:; |\({ID})", found.text)
        if basis == "stated":
            assert "states" in stated
        elif basis == "unknown":
            assert "no date" in stated
        else:
            assert basis in stated and "inferred" in stated and "not stated" in stated
    assert ids(found.text) == set(found.claim_ids) == claim_ids(on_first)


def _when_said(when: When) -> str:
    if when.day is not None:
        if when.precision == "day":
            return f"on {said(when.day)}"
        return f"around {said(when.day)} (to the {when.precision})"
    if when.earliest and when.latest:
        return f"between {said(when.earliest)} and {said(when.latest)}, day unknown"
    if when.earliest:
        return f"on or after {said(when.earliest)}, day unknown"
    if when.latest:
        return f"on or before {said(when.latest)}, day unknown"
    return "undated"


def test_doubt_beside_confirmation(raw: Raw, page_one) -> None:
    """A group heard both doubting and confirming: who said each, when, and whether the dates
    order them."""
    found = sentences(page_one, "doubt_and_confirmation")
    expected = {}
    for (group,), rows in by(raw.responses, "claimant_group").items():
        doubt = [r for r in rows if r["category"] in ("cannot_confirm", "denial")]
        confirm = [r for r in rows if r["category"] == "confirmation"]
        if doubt and confirm:
            expected[group] = (doubt, confirm)
    assert len(found) == len(expected)
    for group, (doubt, confirm) in expected.items():
        [f] = [f for f in found if re.match(rf"(The )?{group} both ", f.text, re.IGNORECASE)]
        assert set(f.claim_ids) == ids(f.text) == claim_ids(doubt + confirm)
        doubt_words, confirm_words = f.text.split(" and confirmed the deployment ", 1)
        for rows, words in ((doubt, doubt_words), (confirm, confirm_words)):
            for r in rows:
                when = _when_said(raw.when[r["claim_id"]])
                assert f"{r['claim_id']}: “{r['claimant']}”, {when}" in words, r["claim_id"]
            assert all(STANCE_WORDS[r["category"]] in unquoted(f.text) for r in rows)
        doubt_ends = [raw.when[r["claim_id"]].latest for r in doubt]
        confirm_starts = [raw.when[r["claim_id"]].earliest for r in confirm]
        confirm_ends = [raw.when[r["claim_id"]].latest for r in confirm]
        doubt_starts = [raw.when[r["claim_id"]].earliest for r in doubt]
        if all(doubt_ends) and all(confirm_starts) and max(doubt_ends) < min(confirm_starts):
            assert "the doubt came first" in f.text
        elif all(confirm_ends) and all(doubt_starts) and max(confirm_ends) < min(doubt_starts):
            assert "the confirmation came first" in f.text
        else:
            assert "cannot tell which came first" in f.text


def test_attribution_contradicted_by_the_quotation(raw: Raw, page_one) -> None:
    """Every article_attribution: the article, its words, the claimant the quotation names."""
    found = sentences(page_one, "attribution")
    given = by(
        [c for c in raw.claims.values() if c["article_attribution"]],
        "article_id",
        "article_attribution",
    )
    assert len(found) == len(given)
    for (article, words), rows in given.items():
        [f] = [f for f in found if f.text.startswith(f"Article {article} ")]
        assert f"“{words}”" in f.text
        names = re.findall(r"“([^”]*)”", f.text.split(f"“{words}”", 1)[1])
        assert {wording(n) for n in names} <= {wording(c["claimant"]) for c in rows}
        assert wording(names[0]) in {wording(c["claimant"]) for c in rows}
        assert set(f.claim_ids) == ids(f.text) == claim_ids(rows)


def _articles_per_estimate(raw: Raw) -> dict[tuple, list[dict]]:
    return by(raw.estimates, "figure", "unit", "category")


def test_most_widely_reported_figures(raw: Raw, page_one) -> None:
    """The figures and framings reported in the most articles, with the count and ids."""
    found = sentence(page_one, "corroboration")
    keys = _articles_per_estimate(raw)
    reach = {key: len({c["article_id"] for c in rows}) for key, rows in keys.items()}
    most = max(reach.values())
    widest = [rows for key, rows in keys.items() if reach[key] == most]
    assert most > 1
    assert f"in {most} articles" in found.text
    cited = citations(found.text)
    assert sorted(sorted(c) for _, c in cited) == sorted(sorted(claim_ids(r)) for r in widest)
    for words, group_ids in cited:
        claim = raw.claims[min(group_ids)]
        assert states_figure(words, claim, qualified=False), words
        assert names_framing(words, claim["category"]), words
    assert set(found.claim_ids) == {i for rows in widest for i in claim_ids(rows)}


def test_what_rests_on_a_single_article(raw: Raw, page_one) -> None:
    """How many distinct figure keys and response keys appear in only one article, out of how
    many; each example cited is one of them, with all its claims."""
    found = sentence(page_one, "single_source")
    text = found.text
    estimate_keys = _articles_per_estimate(raw)
    response_keys = by(raw.responses, "claimant_group", "category")
    singles = {}
    for label, keys in (("troop figures", estimate_keys), ("responses", response_keys)):
        alone = {k: rows for k, rows in keys.items() if len({r["article_id"] for r in rows}) == 1}
        singles.update(alone)
        stated = re.search(rf"(\d+) of the (\d+) distinct {label}", text)
        assert stated, label
        assert (int(stated.group(1)), int(stated.group(2))) == (len(alone), len(keys)), label
    single_ids = {frozenset(claim_ids(rows)): rows for rows in singles.values()}
    for words, group_ids in citations(text):
        assert frozenset(group_ids) in single_ids, group_ids
        claim = single_ids[frozenset(group_ids)][0]
        if claim["kind"] == "troop_estimate":
            assert states_figure(words, claim, qualified=False), words
            assert names_framing(words, claim["category"]), words
        else:
            assert claim["claimant_group"] in words
            assert STANCE_WORDS[claim["category"]] in words, words


def test_every_sentence_is_checked(page_one) -> None:
    """Each page-1 sentence is read by exactly one check above: a new sentence needs its test."""
    for f in page_one:
        claimed = [name for name, pattern in SENTENCES.items() if re.match(pattern, f.text)]
        assert len(claimed) == 1, f"checked by {claimed or 'no test'}: {f.text}"
