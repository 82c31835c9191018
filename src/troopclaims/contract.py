"""The data contract: the columns of both raw CSVs and their controlled vocabularies.

One definition serves the loader (dtypes, categoricals), the expectation suite (allowed values),
the data dictionary test (every value documented) and the charts (stable category order).
Each vocabulary maps a value to the definition a curator reads before choosing it.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import NamedTuple

ARTICLE_COLUMNS: tuple[str, ...] = (
    "article_id",
    "file",
    "title",
    "outlet",
    "language",
    "published_date",
    "date_precision",
    "date_basis",
    "url",
    "note",
)

CLAIM_COLUMNS: tuple[str, ...] = (
    "claim_id",
    "article_id",
    "claimant",
    "claimant_group",
    "kind",
    "category",
    "figure",
    "unit",
    "qualifier",
    "figure_as_of",
    "statement_date",
    "date_precision",
    "date_basis",
    "event_start",
    "event_end",
    "quote",
    "note",
    # Bounds for a statement whose day cannot be fixed (statement_date empty), and the claim of
    # another article a date or bound is inferred from. Appended last, so a drop saved before
    # them needs only five empty fields added to each line.
    "earliest_date",
    "earliest_basis",
    "latest_date",
    "latest_basis",
    "anchor_claim_id",
    # The attribution as the article itself words it, when it contradicts the source the quote
    # names (A003's 'Selon les renseignements russes' before a quotation of South Korea's NIS).
    "article_attribution",
)

# The contract's versions: the columns each added to claims.csv. A file written to an earlier
# version may leave out the columns added since (they read as empty), so a curator's template
# keeps working when the contract grows; every column the file does have is checked as usual.
CONTRACT_VERSION = 3
COLUMNS_ADDED: dict[int, tuple[str, ...]] = {
    2: ("earliest_date", "earliest_basis", "latest_date", "latest_basis", "anchor_claim_id"),
    3: ("article_attribution",),
}
LATER_COLUMNS: frozenset[str] = frozenset(c for cols in COLUMNS_ADDED.values() for c in cols)


def version_of(header: Collection[str]) -> int:
    """The contract version a claims header was written to: the latest v such that the header
    has every column added up to v (1: it lacks one of version 2's). A later column without an
    earlier one (hand-added) does not raise the version: the gap decides."""
    version = 1
    for number, added in sorted(COLUMNS_ADDED.items()):
        if not set(added) <= set(header):
            break
        version = number
    return version


def columns_added_since(version: int) -> tuple[str, ...]:
    """The columns later versions than ``version`` added, in the contract's order."""
    return tuple(c for v, cols in sorted(COLUMNS_ADDED.items()) if v > version for c in cols)


def required_columns(expected: tuple[str, ...]) -> tuple[str, ...]:
    """The columns of ``expected`` every file must have: all but those added by a later
    version of the contract."""
    return tuple(c for c in expected if c not in LATER_COLUMNS)


# Optional, beside claims.csv: sentences that state a troop number on purpose left without a
# claim, each with the curator's reason (the completeness check is silent about them).
UNCLAIMED_COLUMNS: tuple[str, ...] = ("article_id", "excerpt", "reason")

CLAIMANT_GROUPS: dict[str, str] = {
    "South Korea": "The South Korean state: presidency, ministries, the National Intelligence "
    "Service (NIS), officials, and 'Séoul' used for the government.",
    "North Korea": "The North Korean state and its representatives.",
    "Russia": "The Russian state: Kremlin, ministries, ambassadors, spokespeople.",
    "United States": "The US government and its officials.",
    "NATO": "The North Atlantic Treaty Organization and its secretary general.",
    "France": "The French government and its diplomats ('Paris', the Quai d'Orsay).",
    "United Kingdom": "The British government and its ministers.",
    "Ukraine": "The Ukrainian state ('Kiev', its ministers).",
    "China": "The Chinese state.",
    "Germany": "The German state.",
    "Japan": "The Japanese state.",
    "European Union": "EU institutions and their officials.",
    "United Nations": "UN bodies and officials speaking for the UN itself (not a member state's "
    "delegate, who belongs to that state).",
    "Western countries": "A collective the article names without itemising ('les nations "
    "occidentales').",
    "Independent experts": "Analysts and think-tank researchers speaking for themselves.",
    "Unattributed": "The article's own narration, or sources that speak for no government or "
    "organisation (anonymous bloggers).",
}

KINDS: dict[str, str] = {
    "troop_estimate": "A number of North Korean troops (soldiers or brigades).",
    "response": "A stance, statement or act by a government, organisation or named person.",
    "context": "A fact the analysis needs to place the claims (a treaty, a transport window).",
}

CATEGORIES: dict[str, dict[str, str]] = {
    "troop_estimate": {
        "already_in_russia": "Troops said to be in Russia already (sent, present, training).",
        "deploying": "A deployment said to be under way, begun but not complete.",
        "planned_total": "The total North Korea is said to have decided or to plan to send.",
        "possible_total": "A total that could be sent: a possibility, not a decision.",
        "forecast": "The number expected by a given date (see figure_as_of).",
    },
    "response": {
        "summons": "Summoning an ambassador or envoy.",
        "condemnation": "Condemning, denouncing or criticising the deployment or cooperation.",
        "denial": "Denying the reports, or dismissing them as false or contradictory.",
        "cannot_confirm": "Saying the reports cannot (yet) be confirmed.",
        "confirmation": "Confirming North Korean troops are in Russia, on the speaker's authority.",
        "accusation": "Asserting North Korea sends troops or aid, without claiming verification.",
        "concern": "Expressing worry, preoccupation or alarm.",
        "demand": "Demanding an act from another party (withdrawal, respect of resolutions).",
        "reassurance": "Saying the cooperation threatens no one or is lawful.",
        "warning": "Calling the deployment a threat or danger, or warning of its consequences.",
        "threat_of_response": "Promising a response or countermeasure.",
        "policy_move": "A change of policy under consideration or taken (arms for Ukraine).",
        "support_pledge": "Pledging continued support to Ukraine.",
        "call_for_deescalation": "Calling for de-escalation or restraint.",
        "briefing_request": "Asking to be briefed on the situation.",
        "consultation": "Saying it is in contact or coordinating with partners.",
        "assessment": "Characterising what the situation means, without demand or threat.",
    },
    "context": {
        "treaty": "An agreement between the states involved (the June 2024 partnership treaty).",
        "troop_transport": "A movement of troops with its period (event_start, event_end).",
        "evidence": "Material offered as evidence: images, videos, satellite pictures.",
        "background": "Other background the analysis needs.",
    },
}

UNITS: dict[str, str] = {
    "soldiers": "Individual soldiers.",
    "brigades": "Brigades (a formation of several thousand soldiers).",
}

QUALIFIERS: dict[str, str] = {
    "exact": "The figure is stated with no hedge word (not a claim that the count is precise).",
    "about": "'environ', 'quelque': approximately.",
    "up_to": "'jusqu'à': a ceiling.",
    "at_least": "'au moins', 'plus de': a floor.",
    "nearly": "'près de', 'presque': just under.",
}

DATE_PRECISIONS: dict[str, str] = {
    "day": "The date is known to the day.",
    "week": "The date is within about three days either side of the recorded day.",
    "month": "Only the month is known; the date recorded is the month's first day.",
    "unknown": "No date is supported by the article; statement_date is empty.",
}

DATE_BASES: dict[str, str] = {
    "stated": "The article states the date (the year may be implied; note says so).",
    "inferred_weekday": "A weekday ('vendredi') resolved against a date the article "
    "establishes; note says how.",
    "inferred_context": "Derived from the article's context (same briefing, 'shortly after', an "
    "update line); note says how.",
    "article_date": "'Aujourd'hui' or similar: the article's own date.",
    "inferred_other_article": "Inferred from a dated claim of another article, named in "
    "anchor_claim_id; note says how.",
    "unknown": "No date; statement_date is empty.",
}


class Language(NamedTuple):
    """What the project knows of one language an article may be written in."""

    name: str
    # The code page a spreadsheet of the language's locale saves a plain "CSV" in (csvformat
    # tries it when a CSV is not UTF-8).
    legacy_encoding: str
    # Nouns (a regular expression, matched case-insensitively) that say a number near them
    # counts troops, for the curators' completeness check.
    troop_nouns: str


# One entry per language. How numbers are read in it comes from libraries keyed on the code
# (babel, text2num, num2words: numbers.py), its fonts from its script (fonts.py): nothing else
# to add.
LANGUAGE_SPECS: dict[str, Language] = {
    "fr": Language(
        "French", "cp1252", r"\b(?:soldats?|troupes?|brigades?|hommes|militaires|combattants?)\b"
    ),
    "en": Language(
        "English", "cp1252", r"\b(?:soldiers?|troops?|brigades?|men|personnel|fighters?|forces)\b"
    ),
    "ko": Language(
        "Korean", "cp949", r"병력|군인|병사|장병|여단|군대|(?<=\d)명|(?<=\d[ 여])명|(?<=\d여 )명"
    ),
    "ru": Language(
        "Russian", "cp1251", r"\b(?:солдат\w*|военн\w*|войск\w*|бригад\w*|бойц\w*|боец)"
    ),
    "uk": Language(
        "Ukrainian", "cp1251", r"\b(?:солдат\w*|військов\w*|бригад\w*|бійц\w*|боєць|вояк\w*)"
    ),
    "de": Language(
        "German", "cp1252", r"\b(?:Soldat\w*|Truppe\w*|Brigade\w*|Mann|Männer|Kämpfer\w*)\b"
    ),
}
LANGUAGES: dict[str, str] = {code: spec.name for code, spec in LANGUAGE_SPECS.items()}
TROOP_NOUNS: dict[str, str] = {code: spec.troop_nouns for code, spec in LANGUAGE_SPECS.items()}

# Columns typed as categoricals by the loader, with the vocabulary that fixes their categories.
CLAIM_VOCABULARIES: dict[str, dict[str, str]] = {
    "claimant_group": CLAIMANT_GROUPS,
    "kind": KINDS,
    "unit": UNITS,
    "qualifier": QUALIFIERS,
    "date_precision": DATE_PRECISIONS,
    "date_basis": DATE_BASES,
    "earliest_basis": DATE_BASES,
    "latest_basis": DATE_BASES,
}
INFERRED_OTHER_ARTICLE = "inferred_other_article"
# An article's date has no anchor column to name another article's claim.
ARTICLE_DATE_BASES: dict[str, str] = {
    k: v for k, v in DATE_BASES.items() if k != "inferred_other_article"
}
ARTICLE_VOCABULARIES: dict[str, dict[str, str]] = {
    "language": LANGUAGES,
    "date_precision": DATE_PRECISIONS,
    "date_basis": ARTICLE_DATE_BASES,
}

CLAIM_DATE_COLUMNS: tuple[str, ...] = (
    "statement_date",
    "event_start",
    "event_end",
    "earliest_date",
    "latest_date",
)
# Each bound and the column holding its basis (same vocabulary as date_basis, never 'unknown':
# an unknown bound is an empty one).
CLAIM_BOUNDS: dict[str, str] = {"earliest_date": "earliest_basis", "latest_date": "latest_basis"}
ARTICLE_DATE_COLUMNS: tuple[str, ...] = ("published_date",)

# Value formats, anchored with \A and \Z: Python's `$` also matches before a final newline, so
# a quoted "T900-01\n" would pass a `^...$` pattern.
ID_PATTERN = r"\A[A-Za-z0-9][A-Za-z0-9_.-]{0,63}\Z"
FIGURE_PATTERN = r"\A[1-9][0-9]{0,8}\Z"
FILE_PATTERN = r"\A(?!.*\.\.)[A-Za-z0-9_][A-Za-z0-9_.-]{0,200}\.txt\Z"  # no '..' anywhere
# A URL: no whitespace, and no control, bidi or zero-width character (an address that reads
# one way and points another). Python `re`, as GX's regex expectation runs it.
URL_PATTERN = (
    r"\Ahttps?://[^\s\x00-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e"
    r"\u2060-\u2064\u2066-\u2069\ufeff\U000e0000-\U000e007f]+\Z"
)

# Tag a curator put at the start of `note` when the article itself errs, before the contract had
# ``article_attribution``: still read from drops written then (a claim so tagged is a recorded
# source error), no longer written.
SOURCE_ERROR_TAG = "[source_error]"


def all_categories() -> list[str]:
    """Every category of every kind, in contract order (for one categorical dtype)."""
    return [c for per_kind in CATEGORIES.values() for c in per_kind]


# Bans (RE2, run by Arrow; ^ is the start of the value). A drop is untrusted input: its text
# reaches spreadsheets (the CSVs themselves, the report's CSV exports), a browser (the HTML
# report and validation summaries) and terminals (validation messages).
#
# A cell a spreadsheet would run as a formula (OWASP CSV injection): it starts with =, +, -, @
# or |, a tab or a carriage return, after any leading whitespace, control or invisible
# characters, or with the fullwidth (＝ ＋ － ＠ ｜) or small (﹦ ﹢ ﹣ ﹫) forms an input method
# types. A quote that starts with '-' (a dash in a list) is refused too: OWASP's remedy is a
# prefix when exporting, ours is to refuse the input, so start the quote one word later.
FORMULA_PATTERN = (
    r"^[\s\p{Z}\p{Cc}\p{Cf}]*"
    r"[\t\r=+\-@|\x{FF1D}\x{FF0B}\x{FF0D}\x{FF20}\x{FF5C}\x{FE66}\x{FE62}\x{FE63}\x{FE6B}]"
)


def _spread(word: str) -> str:
    """``word`` with any tabs or line breaks between its letters (browsers drop them in URLs)."""
    return "[\\t\\n\\r]*".join(word)


# Markup a browser would act on, not a list of dangerous tags (a list always misses one): any
# tag, end tag, comment or declaration (a letter, '/', '!' or '?' right after '<', as HTML
# reads a tag; "a < b" is text); an event-handler attribute after a quote or a space (a value
# breaking out of an attribute); a character reference (&#x61; or &colon;, which would let
# 'jav&#x61;script:' through any pattern that does not decode them: refusing them all needs no
# decoding, and prose writes the character itself); a script URL scheme, with the tabs and line
# breaks browsers ignore inside it.
MARKUP_PATTERN = "(?i)" + "|".join(
    [
        r"<[a-z!?/]",
        r"(?:^|[\s\"'])on[a-z]{3,}\s*=",
        r"&#[x0-9]|&[a-z][a-z0-9]{1,31};",
        f"(?:{_spread('javascript')}|{_spread('vbscript')})[\\t\\n\\r]*:",
        r"data:[\t\n\r]*(?:text/html|image/svg)",
    ]
)
# Names and identifiers are one line of visible text: no control character at all (C0, DEL,
# C1: tab, line break, the ESC or CSI of ANSI escape sequences), no format character (bidi
# embeddings, overrides, isolates and marks, zero-width spaces and joiners, word joiner, BOM,
# soft hyphen, tag characters) and no line or paragraph separator.
NAME_CONTROL_PATTERN = r"[\p{Cc}\p{Cf}\x{2028}\x{2029}]"
# Free text (quotes, notes) may hold tabs and line breaks, as articles do, but no other control
# character (ANSI escapes), no bidi control (text that reads one way and is stored another) and
# no zero-width character (a word that looks like another).
TEXT_CONTROL_PATTERN = (
    r"[\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F\x{061C}\x{180E}\x{200B}-\x{200F}"
    r"\x{202A}-\x{202E}\x{2060}-\x{2064}\x{2066}-\x{2069}\x{FEFF}\x{E0000}-\x{E007F}]"
)
FORMULA_RULE = (
    "text must not start with =, +, -, @, |, a tab or CR, even after spaces or in fullwidth "
    "form (a spreadsheet would run it as a formula)"
)
MARKUP_RULE = (
    "HTML or script markup is not allowed in the data: no tags ('<' then a letter, '/', '!' "
    "or '?'), on...= handlers, &#...; or &name; character references, javascript: or data: URLs"
)
NAME_CONTROL_RULE = (
    "names and identifiers must be one line of visible text: no control character (tab, line "
    "break, ANSI escape), bidi control or zero-width/invisible character"
)
TEXT_CONTROL_RULE = (
    "text must not contain control characters other than tab and line breaks (no ANSI "
    "escapes), bidi controls or zero-width/invisible characters"
)
