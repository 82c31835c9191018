"""Nothing from a drop reaches the terminal raw: every route goes through ``escaping``.

A drop's file names, CSV cells and article sentences are printed by validate, ingest and
new-drop. A terminal obeys what it is sent (ESC retitles the window or rewrites the screen) and
a line break inside a name forges a line of output, so each route is tried here with such a
value and the output must hold no control character but the line breaks between lines, and no
line the data wrote.
"""

from __future__ import annotations

import html
import shutil
import unicodedata
from pathlib import Path

import pandas as pd
import pytest

from troopclaims import cli, config
from troopclaims.checks import quotes
from troopclaims.escaping import for_page, for_terminal
from troopclaims.problems import Problem

VALID = Path(__file__).parent / "fixtures" / "drops" / "valid"
FORGED = "\nvalidation PASSED: 0 error(s)"
OSC_TITLE = "\x1b]0;pwned\x07"


@pytest.fixture(autouse=True)
def _summaries_to_tmp(tmp_path: Path, monkeypatch) -> None:
    """Validation summaries of test runs go to a scratch folder, not the real reports/."""
    monkeypatch.setattr(config, "VALIDATION_DIR", tmp_path / "validation")


def _hidden(text: str) -> set[str]:
    """Characters of ``text`` a terminal would act on or not show (line breaks between lines
    aside)."""
    return {c for c in text if c != "\n" and unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp")}


def _drop(tmp_path: Path, name: str = "drop") -> Path:
    drop = tmp_path / name
    shutil.copytree(VALID, drop, ignore=shutil.ignore_patterns("expected.json"))
    return drop


# --- the function ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("plain", "plain"),
        ("a\nb", "a\\nb"),
        ("\x1b[31mred", "\\x1b[31mred"),
        (OSC_TITLE, "\\x1b]0;pwned\\x07"),
        ("evil\u202etxt.exe", "evil\\u202etxt.exe"),
        ("zero\u200bwidth", "zero\\u200bwidth"),
        ("line\u2028sep", "line\\u2028sep"),
        ("tab\there", "tab\\there"),
        ("\x85next line (C1)", "\\x85next line (C1)"),
    ],
)
def test_hidden_characters_are_shown_as_their_escapes(raw: str, shown: str) -> None:
    assert for_terminal(raw) == shown
    assert not _hidden(for_terminal(raw))


def test_visible_text_in_any_script_is_kept_as_is() -> None:
    text = "12\u202f000 soldats « environ » — около 1500 военных, 1만 명 (NBSP\u00a0too)"
    assert for_terminal(text) == text
    assert for_page(text) == text


def test_a_page_keeps_its_line_breaks_and_tabs_but_no_other_control() -> None:
    assert for_page("a\tb\nc\r\n") == "a\tb\nc\r\n"
    assert for_page("bell\x07 esc\x1b") == "bell\\x07 esc\\x1b"


def test_a_multi_line_document_is_escaped_only_where_a_character_is_hidden() -> None:
    """Line breaks, tabs and French no-break spaces no longer send a document to the character
    scan: a page or JSON with paragraphs and accents takes the fast path and comes back as it
    is, and one hidden character on any line is still escaped."""
    from troopclaims import escaping
    from troopclaims.escaping import for_json

    doc = '{\n  "quote": "près de 12\u202f000 soldats",\n\t"note": "около\u00a01500"\n}\n'
    assert escaping._nothing_to_escape(doc)  # the fast path, not the scan
    assert for_json(doc) == doc
    assert for_page(doc) == doc
    assert not escaping._nothing_to_escape(doc + "\u2007")  # a figure space: scanned...
    assert for_page(doc + "\u2007") == doc + "\u2007"  # ...and kept, as it is not hidden
    bidi = doc.replace("soldats", "sol\u202edats")
    assert not escaping._nothing_to_escape(bidi)
    assert for_json(bidi) == doc.replace("soldats", "sol\\u202edats")
    assert for_page(bidi + "\x07") == doc.replace("soldats", "sol\\u202edats") + "\\x07"


def test_what_the_fast_path_sets_aside_is_never_hidden() -> None:
    from troopclaims import escaping

    hidden = [c for c in escaping._NOT_HIDDEN if escaping._is_hidden(c)]
    assert set(hidden) <= escaping._PAGE_BREAKS  # the breaks, which both callers keep


def test_a_long_value_is_cut_before_it_is_escaped() -> None:
    shown = for_terminal("\x1b" * 5_000_000, limit=10)
    assert shown == "\\x1b" * 10 + "…"


def test_every_part_of_a_problem_is_escaped() -> None:
    line = Problem(
        f"drops/x{FORGED}/claims.csv",
        f"rule quoting a sentence {OSC_TITLE}",
        line=3,
        column=f"col{OSC_TITLE}",
        value=f"value{FORGED}",
    ).format()
    assert "\n" not in line and not _hidden(line)
    assert "x\\nvalidation PASSED" in line and "\\x1b]0;pwned\\x07" in line


# --- the routes --------------------------------------------------------------------------------


def _validate_beside_a_forging_name(tmp_path: Path, capsys) -> tuple[Path, int, object]:
    """A valid drop holding a file whose name forges a verdict line and retitles the terminal,
    validated: the drop, the exit code and what was printed."""
    drop = _drop(tmp_path)
    (drop / f"notes{FORGED}{OSC_TITLE}.txt").write_text("left behind", encoding="utf-8")
    code = cli.main(["validate", str(drop)])
    return drop, code, capsys.readouterr()


def test_a_left_behind_file_name_cannot_forge_a_line_or_reach_the_terminal(
    tmp_path: Path, capsys
) -> None:
    _, code, out = _validate_beside_a_forging_name(tmp_path, capsys)
    text = out.out + out.err
    assert code == 0, text
    assert not _hidden(text)
    verdicts = [ln for ln in text.splitlines() if ln.startswith("validation PASSED")]
    assert len(verdicts) == 1, text  # the real one: the name's own stayed inside its line
    assert "notes\\nvalidation PASSED" in text


def test_the_validation_page_shows_a_file_name_s_line_break_as_the_terminal_does(
    tmp_path: Path, capsys
) -> None:
    drop, code, _ = _validate_beside_a_forging_name(tmp_path, capsys)
    assert code == 0
    page = next((tmp_path / "validation").glob("drop-*.html")).read_text(encoding="utf-8")
    assert not _hidden(page)
    cell = f"<td>{html.escape(config.display_path(drop / 'notes'))}\\nvalidation PASSED"
    assert cell in page  # the name's line break escaped, as the terminal prints it
    assert f"<li><code>{html.escape(config.display_path(drop / 'claims.csv'))}</code></li>" in page
    assert "notes\nvalidation" not in page  # a raw break HTML would show as a space


def test_a_drop_path_with_a_line_break_is_refused_before_it_is_read(tmp_path: Path, capsys) -> None:
    drop = _drop(tmp_path, f"drop{FORGED}{OSC_TITLE}")
    code = cli.main(["validate", str(drop)])
    out = capsys.readouterr()
    text = out.out + out.err
    assert code == 2  # a usage error: the path is refused, not read
    assert not _hidden(text)
    assert not [ln for ln in text.splitlines() if ln.startswith("validation")], text
    assert "control character" in text


def test_an_article_text_holding_an_escape_sequence_is_a_located_error(
    tmp_path: Path, capsys
) -> None:
    drop = _drop(tmp_path)
    article = drop / "articles" / "900_fixture.txt"
    lines = article.read_text(encoding="utf-8").splitlines(keepends=True)
    lines.insert(1, f"Une ligne {OSC_TITLE} de plus.\n")
    article.write_text("".join(lines), encoding="utf-8")
    code = cli.main(["validate", str(drop)])
    out = capsys.readouterr()
    text = out.out + out.err
    assert code == 1
    assert not _hidden(text)
    [error] = [ln for ln in text.splitlines() if "900_fixture.txt:2:" in ln]
    assert error.startswith("ERROR") and "control characters" in error
    assert repr(for_terminal(f"{OSC_TITLE} de plus"))[1:-1] in error


def test_an_over_long_quote_is_a_located_refusal_that_names_the_bound(
    tmp_path: Path, capsys
) -> None:
    """A quote is the words that state a claim: one of 2,001 characters (found verbatim in its
    article, so only the length rule can refuse it) is an error at its line and column."""
    drop = _drop(tmp_path)
    article = drop / "articles" / "900_fixture.txt"
    passage = ("Environ 12 000 soldats sont arrivés. " * 60)[: quotes.MAX_QUOTE_CHARS + 1]
    article.write_text(article.read_text(encoding="utf-8") + f"\n{passage}\n", encoding="utf-8")
    claims = pd.read_csv(drop / "claims.csv", dtype=str, keep_default_na=False)
    row = claims.iloc[[0]].copy()
    row["claim_id"], row["quote"] = "T900-09", passage
    pd.concat([claims, row]).to_csv(drop / "claims.csv", index=False, lineterminator="\n")
    line = len(claims) + 2
    code = cli.main(["validate", str(drop)])
    out = capsys.readouterr()
    text = out.out + out.err
    assert code == 1, text
    [error] = [ln for ln in text.splitlines() if quotes.QUOTE_TOO_LONG_RULE in ln]
    assert error.startswith("ERROR") and f"claims.csv:{line}:" in error and "quote" in error
    ok = pd.concat([claims, row.assign(quote=passage[: quotes.MAX_QUOTE_CHARS])])
    ok.to_csv(drop / "claims.csv", index=False, lineterminator="\n")
    cli.main(["validate", str(drop)])
    text = "".join(capsys.readouterr())
    assert quotes.QUOTE_TOO_LONG_RULE not in text  # the bound is inclusive
    assert f"claims.csv:{line}: column 'figure'" in text  # while the row rules still ran


def test_an_article_text_saved_with_a_byte_order_mark_is_accepted(tmp_path: Path, capsys) -> None:
    drop = _drop(tmp_path)
    article = drop / "articles" / "900_fixture.txt"
    article.write_bytes(b"\xef\xbb\xbf" + article.read_bytes())
    code = cli.main(["validate", str(drop)])
    out = capsys.readouterr()
    assert code == 0, out.out + out.err


def test_an_error_message_is_bounded_and_escaped(capsys, monkeypatch) -> None:
    from troopclaims.errors import TroopclaimsError

    def boom(args) -> int:
        raise TroopclaimsError(
            "\n".join(f"line {i} {OSC_TITLE}" + "x" * 10_000 for i in range(999))
        )

    monkeypatch.setattr(cli, "cmd_process", boom)
    code = cli.main(["process"])
    err = capsys.readouterr().err
    assert code == 1
    assert not _hidden(err)
    assert len(err) < 100_000 and "more lines" in err


def test_the_json_result_holds_no_hidden_character_yet_the_same_data(
    tmp_path: Path, capsys
) -> None:
    import json

    drop = _drop(tmp_path)
    claims = drop / "claims.csv"
    text = claims.read_text(encoding="utf-8")
    claims.write_text(text.replace("du ministère", "du minis\x85tère\u202e", 1), "utf-8")
    result = tmp_path / "result.json"
    assert cli.main(["validate", "--json", str(result), str(drop)]) == 1
    capsys.readouterr()
    document = result.read_text(encoding="utf-8")
    assert not _hidden(document.replace("\r", ""))
    values = [p["value"] for p in json.loads(document)["problems"]]
    assert any("minis\x85tère\u202e" in (v or "") for v in values)  # the data, unchanged
