"""What ingesting a valid drop would change on page 1 of the report, said before it is ingested.

A curator who has just made a drop pass validation wants to know what it means before folding it
in: does it move the range of figures, bring a new claimant group, an earlier first response, a
second article for a figure, a new contradiction between sources? Nobody could see that until
the report was rebuilt after the ingest. So ``troopclaims validate DROP`` ends with it.

Page 1 is ``findings.key_findings`` on the processed claims. This module runs exactly that, twice:
on the dataset as it is, and on the dataset plus the drop, each built the way ``process`` builds
``data/processed/`` (``process.build_claims_table``, then a parquet round trip, as the notebook
reads it back). It then compares what the two runs' sentences assert (``Finding.facts``, filled
by the functions that compose the sentences), never the findings computed a second way, and
quotes page 1's own words: every change carries the words the rebuilt page 1 shows for it
(``Change.page_one``), which also stand in its line.

Stage: report (it runs ``findings``). Validation knows nothing of it: the command (``cli``) calls
it once ``validate`` has judged the drop valid, and hands the result to the verdict as plain data
(``ValidationReport.impact``) for the JSON and the page.
"""

from __future__ import annotations

import io
from collections.abc import Collection, Iterable
from dataclasses import dataclass

import pandas as pd

from troopclaims.intake import load
from troopclaims.report import findings
from troopclaims.report.findings import Finding
from troopclaims.store import process

# The kinds of change, in the order the lines are given (and the JSON schema's enum).
KINDS = ("range", "claimant_group", "first_response", "corroboration", "contradiction")

# Above this many claim rows in a drop, the impact is not computed, and the line says so: page 1's
# analysis (``analysis.discrepancies`` pairs claims) grows faster than the rows, and at a million
# synthetic rows it took ~220 s and 7 GB, 87% of the command (py-spy, issue 19). A curated drop
# holds tens of rows; the report built after the ingest still says what changed.
MAX_ROWS = 10_000

NO_CHANGE = (
    "impact on the key findings (page 1) if ingested: none; no figure range, claimant group, "
    "first response, single-article figure or contradiction between sources would change"
)


@dataclass(frozen=True)
class Change:
    """One thing page 1 would say differently: ``kind`` (one of ``KINDS``), the line shown
    (terminal, validation page, JSON), and the words of the rebuilt page 1 that state it, each
    quoted in the line too, so a reader (and a test) can find them in the report."""

    kind: str
    text: str
    page_one: tuple[str, ...]


@dataclass(frozen=True)
class Impact:
    """Every change a drop would make to page 1, in ``KINDS`` order."""

    changes: tuple[Change, ...]
    not_computed: str = ""  # why, when the drop was too large to compute it (``MAX_ROWS``)

    @property
    def summary(self) -> str:
        """The first line: how many changes, the one line that says there is none, or why it
        was not computed."""
        if self.not_computed:
            return f"impact on the key findings (page 1) not computed: {self.not_computed}"
        if not self.changes:
            return NO_CHANGE
        n = len(self.changes)
        return f"impact on the key findings (page 1) if ingested: {n} change{'s' * (n > 1)}"

    def lines(self) -> list[str]:
        """The summary, then one indented line per change (unescaped: the caller escapes)."""
        return lines(self.to_dict())

    def to_dict(self) -> dict:
        """The JSON form (``schemas/validation.schema.json``, ``impact``)."""
        return {
            "computed": not self.not_computed,
            "changed": bool(self.changes),
            "summary": self.summary,
            "changes": [
                {"kind": c.kind, "text": c.text, "page_one": list(c.page_one)} for c in self.changes
            ],
        }


def lines(impact: dict) -> list[str]:
    """An impact's lines from its JSON form (``Impact.to_dict``), as the terminal prints them and
    the validation page lists them: the summary, then ``kind: text`` per change, indented."""
    return [impact["summary"], *(f"  {c['kind']}: {c['text']}" for c in impact["changes"])]


# --- Page 1 before and after -------------------------------------------------------------------


def processed_claims(raw_claims: pd.DataFrame, raw_articles: pd.DataFrame) -> pd.DataFrame:
    """The claims table ``process`` would write for these validated raw frames, as the page-1
    notebook reads it back (through parquet, so every dtype is the one the report sees)."""
    table = process.build_claims_table(
        process.type_claims(raw_claims), process.type_articles(raw_articles)
    )
    buffer = io.BytesIO()
    table.to_parquet(buffer, index=False)
    return pd.read_parquet(io.BytesIO(buffer.getvalue()))


def brought_by(frame: pd.DataFrame, files: Collection[str]) -> pd.Series:
    """Which rows of a validated raw frame ``files`` (display paths) brought: validation reads
    the dataset and the drop into one frame, each row naming its file."""
    return frame[load.SOURCE_FILE_COLUMN].isin(list(files))


def drop_impact(
    raw_claims: pd.DataFrame, raw_articles: pd.DataFrame, drop_files: Collection[str]
) -> Impact:
    """What page 1 would say differently once the drop whose files are ``drop_files`` (display
    paths, as ``load.SOURCE_FILE_COLUMN`` holds them) is ingested, from the frames validation
    read (the dataset and the drop together, already judged valid)."""
    new_claims = brought_by(raw_claims, drop_files)
    if (rows := int(new_claims.sum())) > MAX_ROWS:
        return Impact(
            (),
            f"the drop brings {rows:,} claim rows, above {MAX_ROWS:,} (page 1's analysis is not "
            "linear in rows); the report built after the ingest shows what changed",
        )
    new_articles = brought_by(raw_articles, drop_files)
    before = findings.key_findings(
        processed_claims(raw_claims[~new_claims], raw_articles[~new_articles])
    )
    after = findings.key_findings(processed_claims(raw_claims, raw_articles))
    return compare(before, after, set(raw_claims.loc[new_claims, "claim_id"].astype(str)))


def compare(before: list[Finding], after: list[Finding], drop_ids: Collection[str]) -> Impact:
    """The changes from one page 1 (``before``) to the next (``after``); ``drop_ids`` are the
    drop's claims (a figure's single-article status is said for the figures they touch)."""
    old, new = facts(before), facts(after)
    changes = [
        *_range_changes(old, new),
        *_group_changes(old, new),
        *_first_response_changes(old, new),
        *_corroboration_changes(old, new, set(drop_ids)),
        *_contradiction_changes(old, new),
    ]
    return Impact(tuple(changes))


def facts(found: Iterable[Finding]) -> dict:
    """The facts of every sentence of a page 1 in one mapping (a fact split over sentences, as
    the first responses over 'came on' and 'Then', is merged; a repeated one, as the doubting
    groups, is kept as a list)."""
    merged: dict = {"doubting_and_confirming": {}, "misattributed": {}, "firsts": {}}
    for finding in found:
        for key, value in finding.facts.items():
            if key == "firsts":
                merged["firsts"].update(value)
            elif key in ("doubting_and_confirming", "misattributed"):
                merged[key][value] = finding.facts["words"]
            elif key != "words":
                merged[key] = value
    return merged


# --- Each kind of change -----------------------------------------------------------------------


def _quoted(words: str) -> str:
    """Page 1's words as a line quotes them."""
    return f"“{words}”"


def _range_changes(old: dict, new: dict) -> list[Change]:
    """The range of troop figures in the main unit, and the troops said to be already in Russia
    over time: said when their values change (not when only a claim id is added)."""
    found = []
    if "range" in new and old.get("range") != new["range"]:
        was = f", was {_quoted(old['range_words'])}" if "range" in old else " (no range before)"
        words = new["range_words"]
        found.append(Change("range", f"troop numbers {_quoted(words)}{was}", (words,)))
    if "trend" in new and old.get("trend") != new["trend"]:
        was = f", was {_quoted(old['trend_words'])}" if "trend" in old else ""
        words = new["trend_words"]
        text = f"the troops said to be already in Russia {_quoted(words)}{was}"
        found.append(Change("range", text, (words,)))
    return found


def _group_changes(old: dict, new: dict) -> list[Change]:
    """Claimant groups page 1 names where it did not: among those the troop figures are
    attributed to, and among the groups whose responses are dated to the day."""
    found = []
    for group in new.get("groups", ()):
        if group not in old.get("groups", ()):
            words = new["groups_words"]
            text = f"{group} now gives troop figures: page 1 says they are {_quoted(words)}"
            found.append(Change("claimant_group", text, (words,)))
    for group, (_, day, words) in new["firsts"].items():
        if group not in old["firsts"]:
            shown = "; ".join(_quoted(w) for w in words)
            text = f"{group} first responds on {day}, a response dated to the day: {shown}"
            found.append(Change("claimant_group", text, tuple(words)))
    return found


def _first_response_changes(old: dict, new: dict) -> list[Change]:
    """A group's first response dated to the day that moves (earlier, as a drop's new claims
    make it; later only if the disclosure it answers moved)."""
    found = []
    for group, (when, day, words) in new["firsts"].items():
        if group in old["firsts"] and old["firsts"][group][0] != when:
            way = "earlier" if when < old["firsts"][group][0] else "later"
            shown = "; ".join(_quoted(w) for w in words)
            text = (
                f"{group}'s first response dated to the day moves {way}, to {day} "
                f"(was {old['firsts'][group][1]}): {shown}"
            )
            found.append(Change("first_response", text, tuple(words)))
    return found


def _corroboration_changes(old: dict, new: dict, drop_ids: set[str]) -> list[Change]:
    """The drop's troop figures (figure and framing) that now rest on more than one article,
    those that still rest on one, the articles the first day's responses rest on, and the most
    widely reported figure, each when it changes.

    Page 1 names two single-article figures as examples and counts the rest: the count is the
    page-1 words these lines cite (the coverage chart of section 3 shows every figure)."""
    before, after = old.get("figures", {}), new.get("figures", {})
    several, single = [], []
    for phrase, (n, ids) in after.items():
        if not drop_ids & set(ids):
            continue
        was = before.get(phrase, (0, ()))[0]
        known = f"was {was}" if was else "new"
        if n > 1 and n > was:
            several.append(f"{phrase} ({n} articles, {known})")
        elif n == 1:
            single.append(f"{phrase} ({', '.join(ids)}, {known})")
    count = new.get("single_words")
    counted = f"; page 1 counts {_quoted(count)} on a single article" if count else ""
    shown = (count,) if count else ()
    found = []
    if several:
        text = f"now on more than one article: {'; '.join(several)}{counted}"
        found.append(Change("corroboration", text, shown))
    if single:
        text = f"still on one article: {'; '.join(single)}{counted}"
        found.append(Change("corroboration", text, shown))
    if "first_day_sources" in new and new["first_day_sources"] != old.get("first_day_sources"):
        # the articles the first day's responses rest on, and how each article is dated
        words = new["first_day_words"]
        was = f", was {_quoted(old['first_day_words'])}" if "first_day_words" in old else ""
        found.append(Change("corroboration", f"first responses: {_quoted(words)}{was}", (words,)))
    if "widest" in new and new.get("widest_words") != old.get("widest_words"):
        words = new["widest_words"]
        was = f", was {_quoted(old['widest_words'])}" if "widest_words" in old else ""
        text = f"most widely reported: {_quoted(words)}{was}"
        found.append(Change("corroboration", text, (words,)))
    return found


def _contradiction_changes(old: dict, new: dict) -> list[Change]:
    """New contradictions between sources page 1 states: a figure framed one more way, a
    claimant group now heard both doubting and confirming, an article that attributes a
    quotation to another source than the quotation names."""
    found = []
    before = old.get("framings", {})
    for subject, ways in new.get("framings", {}).items():
        added = ways - before.get(subject, frozenset())
        if not added:
            continue
        words = new["framings_words"][subject]
        if subject in before:
            phrases = ", ".join(sorted(findings.FRAMING_PHRASES.get(w, f"as {w}") for w in added))
            text = f"{subject} now also framed {phrases}: {_quoted(words)}"
        else:
            text = f"{subject} is now framed differently by different reports: {_quoted(words)}"
        found.append(Change("contradiction", text, (words,)))
    for key in ("doubting_and_confirming", "misattributed"):
        for fact, words in new[key].items():
            if fact not in old[key]:
                found.append(Change("contradiction", _quoted(words), (words,)))
    return found
