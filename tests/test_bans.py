"""The bans on a drop's text hold: formulas, markup, control and invisible characters.

Each pattern is tested the way the expectation runs it (Arrow's RE2 over a column), against
the payloads issue 9 found getting through and the text a curator legitimately writes (French,
Korean, Russian, dashes inside words, '<' between numbers, '&' in names). One scratch drop,
one payload per row, then checks that validation names each row, column and rule once.
"""

from __future__ import annotations

import csv
import html
import io
import re
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pytest
import raw_files

from troopclaims import config, contract
from troopclaims.checks import validate, verdict_display

DROPS = Path(__file__).parent / "fixtures" / "drops"

FORMULAS = [
    "=1+1",
    '=HYPERLINK("http://example.invalid","x")',
    "+33 1 23 45 67 89",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "|cmd /c calc",
    "\t=1+1",
    "\tplain text after a tab",
    "\rplain text after a CR",
    " =1+1",
    "   \t @SUM(1)",
    "\u00a0=1+1",  # no-break space
    "\u3000=1+1",  # ideographic space
    "\u200b=1+1",  # zero-width space
    "\ufeff=1+1",  # BOM
    "\x07=1+1",  # a control character first
    "\n=1+1",
    "\uff1d1+1",  # fullwidth ＝
    "\uff0b1",  # ＋
    "\uff0d1",  # －
    "\uff20SUM(1)",  # ＠
    "\uff5ccmd",  # ｜
    "\ufe661+1",  # small ﹦
    " \uff1d1+1",
]
NOT_FORMULAS = [
    "le renseignement sud-coréen",
    "Le Monde | International",
    "3 000 soldats = 3 brigades",
    "a-b, c+d, e@f",
    "— un tiret cadratin",
    "– un tiret demi-cadratin",
    "−5 (U+2212 minus sign)",
    "«\u00a0profonde inquiétude\u00a0»",
    "국가정보원",
    "Министерство иностранных дел",
    "[source_error] the article misattributes the quote",
    "",
]
MARKUP = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//example.invalid/x.js>",
    "<div onmouseover=alert(1)>hover</div>",
    '<meta http-equiv="refresh" content="0;url=https://example.invalid">',
    "<meta http-equiv=refresh content=0>",
    '<link rel="stylesheet" href="https://example.invalid/x.css">',
    '<base href="https://example.invalid/">',
    '<form action="https://example.invalid"><input name=x></form>',
    "<img src=x onerror=alert(1)>",
    "<svg/onload=alert(1)>",
    "<iframe src=x></iframe>",
    "<b>bold</b>",
    "</title>",
    "<!-- a comment -->",
    "<?xml version='1.0'?>",
    'x" onmouseover="alert(1)',
    "x' onfocus='alert(1)",
    "x onclick = alert(1)",
    "jav&#x61;script:alert(1)",
    "jav&#X61script:alert(1)",
    "jav&#97;script:alert(1)",
    "&#106;avascript:alert(1)",
    "javascript&colon;alert(1)",
    "&lt;script&gt;",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "java\tscript:alert(1)",
    "java\nscript\t:alert(1)",
    "vbscript:msgbox(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "DATA:image/svg+xml,<svg onload=alert(1)>",
]
NOT_MARKUP = [
    "a < b and c > d",
    "entre 3<5 et 10 000",
    "<> not a tag",
    "AT&T and Procter & Gamble",
    "R&D; figures",
    "https://example.com/a?b=1&c=2",
    "only = one; one = 1; onze = 11",
    "a javascript library, data: the figures",
    "Le ministère a dit : « non »",
    "국정원은 3,000명이라고 밝혔다",
]
NAME_CONTROLS = [
    "\x1b[31mle Kremlin\x1b[0m",  # ANSI escape (ESC [)
    "\x9b31mle Kremlin",  # the one-byte C1 CSI
    "le\tKremlin",
    "le\nKremlin",
    "le\r\nKremlin",
    "le\x00Kremlin",
    "le\x07Kremlin",
    "le\x7fKremlin",
    "le\x85Kremlin",  # C1 next line
    "\u202eniklmerK el",  # right-to-left override
    "\u202aKremlin\u202c",
    "\u202bKremlin",
    "\u202dKremlin",
    "\u2066Kremlin\u2069",  # isolates
    "\u2067x",
    "\u2068x",
    "\u200eKremlin",  # left-to-right mark
    "\u200fKremlin",
    "\u061cKremlin",
    "Krem\u200blin",  # zero-width space
    "Krem\u200clin",  # zero-width non-joiner
    "Krem\u200dlin",  # zero-width joiner
    "Krem\u2060lin",  # word joiner
    "Krem\ufefflin",  # zero-width no-break space (BOM)
    "Krem\u00adlin",  # soft hyphen
    "Kremlin\U000e0041",  # a tag character
    "le\u2028Kremlin",  # line separator
]
NAMES = [
    "le renseignement sud-coréen",
    "l’agence de renseignement",
    "Jean-Pierre O'Neil",
    "le\u00a0Kremlin",  # no-break space: a space, not a control
    "국가정보원",
    "Министерство иностранных дел",
    "🙂 an emoji",
]
# Free text may hold tabs and line breaks (articles do); everything else in NAME_CONTROLS is
# refused there too, except the soft hyphen and the line separator (typography, not tricks).
TEXT_ALLOWED = {"le\tKremlin", "le\nKremlin", "le\r\nKremlin", "Krem\u00adlin", "le\u2028Kremlin"}
TEXT_CONTROLS = [v for v in NAME_CONTROLS if v not in TEXT_ALLOWED]


def hits(pattern: str, values: list[str]) -> list[bool]:
    """Which values contain ``pattern``, as ExpectColumnValuesToNotContainPattern tests them."""
    arr = pa.array(values, type=pa.large_string())
    return pc.fill_null(pc.match_substring_regex(arr, pattern), False).to_pylist()


@pytest.mark.parametrize(
    ("pattern", "bad", "good"),
    [
        (contract.FORMULA_PATTERN, FORMULAS, NOT_FORMULAS + NOT_MARKUP + NAMES),
        (contract.MARKUP_PATTERN, MARKUP, NOT_MARKUP + NOT_FORMULAS + NAMES),
        (contract.NAME_CONTROL_PATTERN, NAME_CONTROLS, NAMES + NOT_FORMULAS + NOT_MARKUP),
        (contract.TEXT_CONTROL_PATTERN, TEXT_CONTROLS, [*TEXT_ALLOWED, *NAMES, *NOT_FORMULAS]),
    ],
    ids=["formula", "markup", "name-control", "text-control"],
)
def test_pattern_refuses_every_payload_and_no_plain_text(
    pattern: str, bad: list[str], good: list[str]
) -> None:
    missed = [v for v, hit in zip(bad, hits(pattern, bad), strict=True) if not hit]
    assert missed == []
    refused = [v for v, hit in zip(good, hits(pattern, good), strict=True) if hit]
    assert refused == []


def test_the_real_dataset_holds_nothing_the_bans_refuse() -> None:
    claims = raw_files.read_raw_claims(config.RAW_CLAIMS_CSV)
    articles = raw_files.read_raw_articles(config.RAW_ARTICLES_CSV)
    for frame, columns in ((claims, ("claimant", "quote", "note")), (articles, ("title", "note"))):
        for col in columns:
            values = frame[col].fillna("").astype(str).tolist()
            for pattern in (
                contract.FORMULA_PATTERN,
                contract.MARKUP_PATTERN,
                contract.TEXT_CONTROL_PATTERN,
            ):
                assert not any(hits(pattern, values)), (col, pattern)


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://www.example.com/a/b?c=1&d=2#e", True),
        ("https://кремль.рф/путь", True),
        ("https://exa\u200bmple.com", False),
        ("https://example.com/\u202egpj.exe", False),
        ("https://example.com/\x1b[31m", False),
        ("https://example.com/\x85", False),
        ("https://example.com/a b", False),
        ("javascript:alert(1)", False),
    ],
)
def test_url_pattern_refuses_invisible_and_control_characters(url: str, ok: bool) -> None:
    assert (re.fullmatch(contract.URL_PATTERN, url) is not None) is ok


# --- the rules in a real validation: each payload row is named once, by the right rule ------

VALID = DROPS / "valid"
CLAIM_PAYLOADS = {  # column -> (value, fragment of the one rule it breaks)
    "claimant": [
        (" =1+1", "formula"),
        ("\uff20SUM(1)", "formula"),
        ("|cmd", "formula"),
        ("<div onmouseover=alert(1)>x</div>", "markup"),
        ("\x1b[31mle porte-parole\x1b[0m", "one line of visible text"),
        ("le porte\u200b-parole", "one line of visible text"),
        ("le porte-parole\u202e", "one line of visible text"),
        ("le\tporte-parole", "one line of visible text"),
    ],
    "note": [
        ("\t=1+1", "formula"),
        ("\u3000\uff1d1+1", "formula"),
        ('" onmouseover="alert(1)', "markup"),
        ("jav&#x61;script:alert(1)", "markup"),
        ("<meta http-equiv=refresh content=0>", "markup"),
        ("a note\x1b[2J", "control characters other than tab"),
        ("a note \u2066hidden\u2069", "control characters other than tab"),
        ("a note\nover two lines\twith a tab", None),  # allowed
    ],
}
ARTICLE_PAYLOADS = {
    "title": [
        ("<link rel=stylesheet href=x>", "markup"),
        ("Titre\u200d", "one line of visible text"),
        ("Titre\nsur deux lignes", "one line of visible text"),
        ("－1", "formula"),
    ],
    "outlet": [
        ("\u202eLe Monde", "one line of visible text"),
        ("<base href=https://example.invalid/>", "markup"),
    ],
    "note": [
        ("&colon; &Tab;", "markup"),
        ("a note\x9b", "control characters other than tab"),
    ],
    "url": [
        ("https://exa\u200bmple.com", "url must start with http"),
        ("https://example.com/<script>", "markup"),
    ],
}


def _csv(columns: tuple[str, ...], rows: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def test_each_payload_is_one_located_error_naming_its_rule(tmp_path: Path) -> None:
    drop = tmp_path / "payloads"
    shutil.copytree(VALID, drop, ignore=shutil.ignore_patterns("expected.json"))
    [template] = [
        r for r in csv.DictReader(io.StringIO((VALID / "claims.csv").read_text("utf-8")))
    ][1:]
    [article] = list(csv.DictReader(io.StringIO((VALID / "articles.csv").read_text("utf-8"))))
    expected: dict[tuple[str, int], tuple[str, str | None]] = {}
    claims, articles = [], []
    for file, rows, base, payloads in (
        ("claims.csv", claims, template, CLAIM_PAYLOADS),
        ("articles.csv", articles, article, ARTICLE_PAYLOADS),
    ):
        line = 2  # the CSV line a row starts on (a value with a line break spans two)
        for col, cases in payloads.items():
            for value, rule in cases:
                n = len(rows)  # ids T900-10, T900-11...; articles T900 (the claims'), T901...
                ids = {"claim_id": f"T900-{n + 10}"} if file == "claims.csv" else {}
                ids |= {"article_id": f"T9{n:02d}"} if file == "articles.csv" else {}
                rows.append(dict(base, **ids, **{col: value}))
                expected[(file, line)] = (col, rule)
                line += 1 + value.count("\n")
    (drop / "claims.csv").write_text(_csv(contract.CLAIM_COLUMNS, claims), encoding="utf-8")
    (drop / "articles.csv").write_text(_csv(contract.ARTICLE_COLUMNS, articles), "utf-8")

    report = validate.validate_sources(validate.candidate_sources(drop))
    found: dict[tuple[str, int], list[tuple[str, str]]] = {}
    for p in report.errors:
        found.setdefault((Path(p.file).name, p.line), []).append((p.column, p.rule))
    for (file, line), (col, rule) in expected.items():
        got = found.pop((file, line), [])
        if rule is None:
            assert got == [], (file, line)
        else:
            assert len(got) == 1 and got[0][0] == col and rule in got[0][1], (file, line, got)
    assert found == {}

    # What the user then reads: terminal lines with every control character made visible, and
    # a summary page where each payload is text.
    assert all(line.isprintable() for line in verdict_display.format_lines(report))
    page = verdict_display.render_html(report)
    markup = [v for cases in (CLAIM_PAYLOADS | ARTICLE_PAYLOADS).values() for v, r in cases]
    for value in (v for v in markup if v.isprintable()):
        assert html.escape(value) in page, value
    assert re.findall(r"<(?:meta|script|div|link|base)\b[^>]*", page) == ['<meta charset="utf-8"']


def test_one_table_of_bans_serves_gx_and_the_unclaimed_check() -> None:
    """The bans GX applies to a claim's quote and the ones the completeness check applies to an
    unclaimed excerpt come from the one table (``bans.bans``) and the one test
    (``bans.contains``): a value that breaks a ban breaks it on both routes."""
    from troopclaims.checks import bans, completeness, expectations

    quote_rules = [
        (r.expectation.regex, r.text)
        for r in expectations.claims_rules([], {})
        if r.column == "quote" and hasattr(r.expectation, "regex")
    ]
    assert tuple(quote_rules) == bans.bans("free_text")
    assert bans.bans("name")[:2] == bans.bans("other") == bans.bans("free_text")[:2]
    for bad, rule in (
        ("=HYPERLINK(1)", contract.FORMULA_RULE),
        ("<script>x</script>", contract.MARKUP_RULE),
        ("a\x1b[31m b", contract.TEXT_CONTROL_RULE),
    ):
        row = {"excerpt": "fine", "reason": bad}
        assert completeness._banned(row) == [("reason", rule)]
        pattern = dict((r, p) for p, r in bans.bans("free_text"))[rule]
        assert bans.contains(["fine", bad, None], pattern).tolist() == [False, True, False]
