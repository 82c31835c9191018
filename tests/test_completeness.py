"""The curators' completeness check: a troop figure an article states but no claim records."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from troopclaims import cli, config, contract
from troopclaims.checks import completeness, validate
from troopclaims.intake import snapshot

DROPS = Path(__file__).parent / "fixtures" / "drops"
SKIPPED = (DROPS / "valid" / "articles" / "900_fixture.txt").read_text(encoding="utf-8") + (
    "\nUn second contingent de quatre brigades partirait en novembre, selon la même source.\n"
)


@pytest.mark.parametrize(
    ("language", "sentence", "phrase"),
    [
        ("fr", "environ 3 000 soldats nord-coréens seraient arrivés", "3000 soldats"),
        ("fr", "un contingent de quatre brigades partirait", "4 brigades"),
        ("fr", "près de douze mille soldats", "12000 soldats"),
        ("en", "some three-thousand troops arrived", "3000 troops"),
        ("en", "1,500 special forces had moved", "1500 special forces"),
        ("de", "zwölftausend Soldaten", "12000 Soldaten"),
        ("ru", "около 12 000 северокорейских солдат", "12000 северокорейских солдат"),
        ("uk", "дванадцять тисяч солдатів", "12000 солдатів"),
        ("ko", "북한군 1만 2천명이 러시아에", "12000명"),
    ],
)
def test_a_number_near_a_troop_noun_is_found(language: str, sentence: str, phrase: str) -> None:
    assert completeness.troop_phrase(sentence, language) == phrase


@pytest.mark.parametrize(
    ("language", "sentence"),
    [
        ("fr", "En 2024, les soldats nord-coréens sont arrivés."),  # a year, not a count
        ("fr", "Les soldats sont arrivés à Vladivostok."),  # no number
        ("fr", "Le traité signé par les 2 dirigeants en juin prévoit une aide mutuelle."),
        ("en", "Russia said 3 times that no troops were there, 40 days before the vote."),
    ],
)
def test_no_troop_number_is_invented(language: str, sentence: str) -> None:
    assert completeness.troop_phrase(sentence, language) is None


def test_sentences_are_located_by_line_and_numbers_with_dots_stay_whole() -> None:
    found = completeness.troop_sentences(SKIPPED, "fr")
    assert [(s.line, s.phrase) for s in found] == [(3, "3000 soldats"), (5, "4 brigades")]
    assert found[1].text.startswith("Un second contingent")
    dotted = completeness.troop_sentences("Environ 3.000 soldats. Puis rien.", "fr")
    assert [s.text for s in dotted] == ["Environ 3.000 soldats."]


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_a_sentence_is_located_on_its_line_whatever_the_line_endings(newline: str) -> None:
    text = newline.join(["Titre", "", "Intro.", "3 000 soldats sont partis.", ""])
    [found] = completeness.troop_sentences(text, "fr")
    assert (found.line, found.text) == (4, "3 000 soldats sont partis.")


def test_a_digit_run_past_python_s_int_limit_is_no_crash_and_no_figure() -> None:
    """int() of more than 4,300 digits raises ValueError; such a run was an 'internal error'
    (exit 2) from an article, a quote or an unclaimed excerpt. It is no troop figure."""
    long_run = "7" * 5000
    text = f"Il y a {long_run} soldats.\nPuis 1500 soldats, et {long_run}0 militaires."
    found = completeness.troop_sentences(text, "fr")
    assert [(s.line, s.phrase) for s in found] == [(2, "1500 soldats")]
    assert completeness.troop_phrase(f"0{long_run} soldats", "fr") is None


def test_the_curated_articles_give_no_uncovered_warning(capsys) -> None:
    assert cli.main(["validate"]) == 0
    out = "".join(capsys.readouterr())
    assert "no claim's quote covers" not in out


def _drop(tmp_path: Path) -> Path:
    drop = tmp_path / "skipper"
    shutil.copytree(DROPS / "valid", drop)
    (drop / "expected.json").unlink()
    (drop / "articles" / "900_fixture.txt").write_text(SKIPPED, encoding="utf-8")
    return drop


@pytest.fixture(autouse=True)
def _summaries_to_tmp(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(config, "VALIDATION_DIR", tmp_path / "summaries")


def test_a_skipped_figure_sentence_is_a_located_warning(tmp_path: Path, capsys) -> None:
    drop = _drop(tmp_path)
    assert cli.main(["validate", str(drop)]) == 0  # a warning never fails a run
    out = "".join(capsys.readouterr())
    warning = next(line for line in out.splitlines() if "no claim's quote covers" in line)
    assert warning.startswith(f"WARNING {config.display_path(drop)}/articles/900_fixture.txt:5:")
    assert "'4 brigades'" in warning
    assert "Un second contingent de quatre brigades partirait en novembre" in warning
    assert "1 warning(s)" in out


def _write_unclaimed(drop: Path, rows: list[tuple[str, str, str]]) -> None:
    frame = pd.DataFrame(rows, columns=["article_id", "excerpt", "reason"])
    frame.to_csv(drop / "unclaimed.csv", index=False, lineterminator="\n")


def test_a_reason_in_unclaimed_csv_silences_the_warning(tmp_path: Path, capsys) -> None:
    drop = _drop(tmp_path)
    _write_unclaimed(
        drop, [("T900", "quatre brigades partirait", "A plan the source does not attribute.")]
    )
    assert cli.main(["validate", str(drop)]) == 0
    out = "".join(capsys.readouterr())
    assert "no claim's quote covers" not in out
    assert "0 warning(s)" in out


@pytest.mark.parametrize(
    ("row", "column", "fragment", "code"),
    [
        (("T900", "quatre brigades partirait", " "), "reason", "reason is required", 1),
        (("T900", "cinq brigades", "why"), "excerpt", "not found verbatim", 1),
        (("T999", "quatre brigades", "why"), "article_id", "must name an article", 1),
        (("T900", "environ 3 000 soldats", "stale"), "excerpt", "silences nothing", 0),
        (("T900", "e", "a letter found everywhere"), "excerpt", "must hold the troop figure", 1),
        (("T900", "quatre brigades", "=HYPERLINK(1)"), "reason", "formula", 1),
        (("T900", "quatre brigades", "<b>x</b>"), "reason", "markup", 1),
    ],
)
def test_unclaimed_rows_are_checked(
    tmp_path: Path, capsys, row: tuple, column: str, fragment: str, code: int
) -> None:
    drop = _drop(tmp_path)
    _write_unclaimed(drop, [row])
    assert cli.main(["validate", str(drop)]) == code
    out = capsys.readouterr()
    line = next(x for x in (out.out + out.err).splitlines() if fragment in x)
    assert f"{config.display_path(drop)}/unclaimed.csv:2: column '{column}'" in line


def test_an_unclaimed_csv_travels_with_its_drop(scratch_root: Path, monkeypatch) -> None:
    from troopclaims.store import ingest

    drop = _drop(scratch_root.parent)
    _write_unclaimed(drop, [("T900", "quatre brigades", "Not attributed to anyone.")])
    monkeypatch.setattr(config, "RAW_DIR", scratch_root / "data" / "raw")
    result = ingest.ingest(drop, scratch_root / "data" / "raw", scratch_root / "data" / "processed")
    assert (result.target / "unclaimed.csv").read_bytes() == (drop / "unclaimed.csv").read_bytes()
    report = validate.validate_sources(snapshot.dataset_sources(scratch_root / "data" / "raw"))
    assert not [p for p in report.warnings if p.expectation == "completeness"]


def test_a_short_quote_found_everywhere_covers_no_troop_sentence() -> None:
    """Only a quote (or excerpt) that itself states the troop number covers its sentence."""
    article = completeness.ArticleText("T1", "fr", "t.txt", SKIPPED)
    claims_quotes = ["e", "de quatre brigades partirait"]
    warned, _ = completeness.check_article(article, claims_quotes[:1], [])
    assert [p.line for p in warned] == [3, 5]
    warned, _ = completeness.check_article(article, claims_quotes, [])
    assert [p.line for p in warned] == [3]


@pytest.mark.parametrize(
    ("language", "sentence", "phrase"),
    [
        ("en", "Russia moved 2000 troops", "2000 troops"),  # a year-like count, right before
        ("fr", "Le 2 novembre, des soldats sont partis.", None),  # a date, not a count
        ("en", "On Oct. 8 troops moved.", None),
        ("ko", "10월 3일 병력 1만 2천명", "병력 12000"),
        ("ru", "около двенадцати тысяч военных", "12000 военных"),
        ("de", "2 Mannheimer Bürger", None),
        # beside a month name, a number that cannot be a day, or after a closed date, counts
        ("fr", "Pyongyang a envoyé en octobre 12 000 soldats en Russie.", "12000 soldats"),
        ("fr", "Le 18 octobre, 12 000 soldats ont quitté la Corée du Nord.", "12000 soldats"),
        ("fr", "Le 18 octobre, 20 soldats ont quitté la Corée du Nord.", "20 soldats"),
        ("fr", "Fin août 1 500 soldats sont partis.", "1500 soldats"),
        ("en", "In October 12,000 troops were sent.", "12000 troops"),
        ("de", "Am 18. Oktober 12.000 Soldaten.", "12000 Soldaten"),
        ("ko", "10월 1만2천 명이 파병됐다.", "12000 명"),
    ],
)
def test_dates_and_years_are_not_counts_but_counts_are(language, sentence, phrase) -> None:
    assert completeness.troop_phrase(sentence, language) == phrase


def test_an_unclaimed_csv_not_in_utf8_is_read_from_the_snapshot_and_says_how(
    tmp_path: Path, capsys, monkeypatch
) -> None:
    """Windows-1252 (the French article's language suggests it), guessed from the articles as
    the snapshot read them, with its warning and its read_as kept like claims.csv's."""
    drop = _drop(tmp_path)
    row = "T900,quatre brigades partirait,Un plan que la source n'attribue à personne.\n"
    (drop / "unclaimed.csv").write_bytes(f"article_id,excerpt,reason\n{row}".encode("cp1252"))
    real = Path.read_bytes

    def no_second_read(self: Path) -> bytes:  # articles.csv is read once, by the snapshot
        assert self.name != "articles.csv", f"{self} read again by path"
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", no_second_read)
    out_json = tmp_path / "result.json"
    assert cli.main(["validate", str(drop), "--json", str(out_json)]) == 0
    out = "".join(capsys.readouterr())
    shown = f"{config.display_path(drop)}/unclaimed.csv"
    read_as = "Windows-1252, comma delimiter, LF line endings"
    assert f"WARNING {shown}:1: read as {read_as}" in out
    assert "no claim's quote covers" not in out  # the row was read, and silences the sentence
    result = json.loads(out_json.read_text(encoding="utf-8"))
    assert result["summary"]["read_as"][shown] == read_as


def test_a_header_only_unclaimed_csv_is_valid(tmp_path: Path, capsys) -> None:
    """A curator who cleared every row leaves a header: zero rows, not an error."""
    drop = _drop(tmp_path)
    (drop / "unclaimed.csv").write_text("article_id,excerpt,reason\n", encoding="utf-8")
    assert cli.main(["validate", str(drop)]) == 0
    out = capsys.readouterr()
    assert "ERROR" not in out.out + out.err
    assert "no claim's quote covers" in out.out + out.err  # nothing silences the sentence any more


@pytest.mark.parametrize("code", sorted(contract.LANGUAGE_SPECS))
def test_a_language_is_one_contract_entry_that_every_stage_reads(code: str) -> None:
    """Adding a language is one LANGUAGE_SPECS entry: nouns, encoding, vocabulary agree."""
    import re

    from troopclaims.intake import csvformat

    spec = contract.LANGUAGE_SPECS[code]
    assert re.compile(spec.troop_nouns, re.IGNORECASE).pattern
    assert csvformat.LANGUAGE_ENCODINGS[code] in csvformat.ENCODING_NAMES
    assert contract.LANGUAGES[code] == spec.name
