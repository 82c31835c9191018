"""Issue 17 item 1: a contract that grows keeps every older template working.

Drops written to version 1 of the contract (before the date-bound columns and
``article_attribution``) validate and ingest in the three forms curators send: UTF-8 from a
script, French Excel (Windows-1252, ';', CRLF) and Russian Excel (Windows-1251, ';', CRLF),
each built by tests/fixtures/examples/build_examples.py. One info line says which version the
file was written to; nothing else changes. And a header fault (a misspelt or missing column)
never hides the faults of the rows: every located fault is reported in one run.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest
import warm_cli

from troopclaims import cli, config, contract
from troopclaims.intake import load
from troopclaims.store import process

EXAMPLES = Path(__file__).parent / "fixtures" / "examples"
OLD_DROPS = {
    "v1-script": {"V001-01", "V001-02", "V001-03", "V002-01"},
    "v1-french-excel": {"G001-01"},
    "v1-russian-excel": {"R001-01", "R001-02"},
}
VALID = Path(__file__).parent / "fixtures" / "drops" / "valid"


@pytest.fixture(autouse=True)
def _summaries_to_tmp(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(config, "VALIDATION_DIR", tmp_path / "validation")


def _run(*args: str, root: Path) -> subprocess.CompletedProcess:
    """The command in a fresh process (warm-started: tests/warm_cli.py), in a scratch project."""
    return warm_cli.in_project(*args, root=root)


def test_the_version_of_a_header_is_the_latest_whose_columns_it_has() -> None:
    v1 = [c for c in contract.CLAIM_COLUMNS if c not in contract.LATER_COLUMNS]
    assert contract.version_of(v1) == 1
    assert contract.version_of([*v1, *contract.COLUMNS_ADDED[2]]) == 2
    assert contract.version_of(contract.CLAIM_COLUMNS) == contract.CONTRACT_VERSION
    # a version-3 column without version 2's: still version 1 (the first gap decides)
    assert contract.version_of([*v1, "article_attribution"]) == 1
    assert contract.columns_added_since(contract.CONTRACT_VERSION) == ()
    assert contract.columns_added_since(1) == tuple(
        c for c in contract.CLAIM_COLUMNS if c in contract.LATER_COLUMNS
    )


def test_the_example_drops_are_written_to_version_one() -> None:
    """The fixtures are what they claim: no later column, and the encodings of their names."""
    for name, encoding in (
        ("v1-script", "utf-8"),
        ("v1-french-excel", "cp1252"),
        ("v1-russian-excel", "cp1251"),
    ):
        raw = (EXAMPLES / name / "claims.csv").read_bytes()
        header = raw.split(b"\n")[0].decode(encoding).strip()
        delimiter = "," if name == "v1-script" else ";"
        assert contract.version_of(header.split(delimiter)) == 1
        assert (b"\r\n" in raw) == (name != "v1-script")
        if encoding != "utf-8":
            with pytest.raises(UnicodeDecodeError):
                raw.decode("utf-8")


@pytest.mark.slow
def test_drops_written_to_version_one_validate_and_ingest(scratch_root: Path) -> None:
    """Each form ingests (ingest validates first, and says what it read) with one info line per
    old claims file, and its rows reach data/processed/ with the later columns empty."""
    for name in OLD_DROPS:
        drop = scratch_root / "incoming" / name
        shutil.copytree(EXAMPLES / name, drop)
        done = _run("ingest", str(drop), root=scratch_root)
        out = done.stdout + done.stderr
        assert done.returncode == 0, out
        [info] = [ln for ln in out.splitlines() if ln.startswith("INFO")]
        assert f"{name}/claims.csv:1:" in info
        assert "earlier version of the contract (version 1 of" in info
        assert ", ".join(contract.columns_added_since(1)) in info
        assert not [ln for ln in out.splitlines() if ln.startswith("ERROR")], out
    claims, _ = process.read_processed(scratch_root / "data" / "processed")
    ours = claims[claims["claim_id"].isin(set().union(*OLD_DROPS.values()))]
    assert set(ours["claim_id"]) == set().union(*OLD_DROPS.values())
    for column in ("earliest_date", "latest_date", "anchor_claim_id", "article_attribution"):
        assert ours[column].isna().all() or (ours[column].astype(str) == "").all(), column
    russian = ours.set_index("claim_id").loc["R001-02"]
    assert russian["figure"] == 1500 and russian["quote"].startswith("на Дальнем Востоке")


def _old_drop(tmp_path: Path) -> Path:
    """The valid fixture drop, its claims.csv rewritten to version 1 of the contract."""
    drop = tmp_path / "old"
    shutil.copytree(VALID, drop, ignore=shutil.ignore_patterns("expected.json"))
    claims = pd.read_csv(drop / "claims.csv", dtype=str, keep_default_na=False)
    claims = claims.drop(columns=[c for c in claims.columns if c in contract.LATER_COLUMNS])
    claims.to_csv(drop / "claims.csv", index=False, lineterminator="\n")
    return drop


def _located_errors(lines: list[str]) -> list[tuple[str, str]]:
    """(line, column) of every ERROR a run printed about a claims.csv, sorted."""
    return sorted(
        re.search(r"claims\.csv:(\d+): column '([^']*)'", ln).groups()
        for ln in lines
        if ln.startswith("ERROR")
    )


def _validate(drop: Path, capsys) -> tuple[int, list[str]]:
    code = cli.main(["validate", str(drop)])
    out = capsys.readouterr()
    return code, (out.out + out.err).splitlines()


def test_a_broken_old_drop_names_its_own_fault(tmp_path: Path, capsys) -> None:
    """Under contract v3, five 'required column is missing' errors hid this drop's real fault."""
    drop = _old_drop(tmp_path)
    claims = pd.read_csv(drop / "claims.csv", dtype=str, keep_default_na=False)
    claims.loc[1, "kind"] = "estimat"
    claims.to_csv(drop / "claims.csv", index=False, lineterminator="\n")
    code, lines = _validate(drop, capsys)
    assert code == 1
    errors = [ln for ln in lines if ln.startswith("ERROR")]
    assert len(errors) == 1, lines
    assert "claims.csv:3:" in errors[0] and "column 'kind'" in errors[0]
    assert "'estimat'" in errors[0]
    assert not [ln for ln in lines if load.MISSING_COLUMN in ln]


def test_a_header_fault_never_hides_the_row_faults(tmp_path: Path, capsys) -> None:
    """A misspelt column ('notes'), a missing one ('unit') and two bad cells in other columns:
    the header's three faults and both row faults, in one run, and nothing the missing column
    alone would cause (its rules fault every row for the one fault of the header)."""
    drop = _old_drop(tmp_path)
    claims = pd.read_csv(drop / "claims.csv", dtype=str, keep_default_na=False)
    claims = claims.drop(columns=["unit"]).rename(columns={"note": "notes"})
    claims.loc[0, "kind"] = "estimat"
    claims.loc[1, "statement_date"] = "2024-13-01"
    claims.to_csv(drop / "claims.csv", index=False, lineterminator="\n")
    code, lines = _validate(drop, capsys)
    assert code == 1
    located = _located_errors(lines)
    assert located == [
        ("1", "note"),
        ("1", "notes"),
        ("1", "unit"),
        ("2", "kind"),
        ("3", "statement_date"),
    ], lines


@pytest.mark.parametrize(
    ("table", "column"), [("claims", "kind"), ("claims", "quote"), ("articles", "article_id")]
)
def test_a_missing_column_is_one_fault_not_one_per_row(
    tmp_path: Path, capsys, table: str, column: str
) -> None:
    """A column every rule of the other table leans on (an article's id, a claim's kind or
    quote) is missing: the header fault alone, no cascade of row or completeness faults."""
    drop = tmp_path / "drop"
    shutil.copytree(VALID, drop, ignore=shutil.ignore_patterns("expected.json"))
    frame = pd.read_csv(drop / f"{table}.csv", dtype=str, keep_default_na=False)
    frame.drop(columns=[column]).to_csv(drop / f"{table}.csv", index=False, lineterminator="\n")
    code, lines = _validate(drop, capsys)
    assert code == 1
    found = [ln for ln in lines if ln.startswith(("ERROR", "WARNING"))]
    assert found == [ln for ln in found if load.MISSING_COLUMN in ln and f"'{column}'" in ln]
    assert len(found) == 1, lines


def test_a_missing_column_hides_no_fault_of_a_column_whose_name_contains_it(
    tmp_path: Path, capsys
) -> None:
    """Without 'figure' and 'claimant', a bad 'figure_as_of' and a bad 'claimant_group' are
    still faults of their own: a name is matched whole, not as a part of a longer one."""
    drop = _old_drop(tmp_path)
    claims = pd.read_csv(drop / "claims.csv", dtype=str, keep_default_na=False)
    claims = claims.drop(columns=["figure", "claimant"])
    claims.loc[0, "figure_as_of"] = "2024-13"
    claims.loc[1, "claimant_group"] = "Narnia"
    claims.to_csv(drop / "claims.csv", index=False, lineterminator="\n")
    code, lines = _validate(drop, capsys)
    assert code == 1
    located = _located_errors(lines)
    assert located == [
        ("1", "claimant"),
        ("1", "figure"),
        ("2", "figure_as_of"),
        ("3", "claimant_group"),
    ], lines
