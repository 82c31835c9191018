"""A drop is read once, and only regular files inside it (issue 9, part 1).

Links, FIFOs, devices and oversize files anywhere in a drop are located errors; nothing outside
the drop is ever read; validation judges the snapshot and ingest writes exactly its bytes; one
rule set on a drop's name and path serves validate and ingest alike.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
from pathlib import Path

import pytest

from troopclaims import cli, config, ingest, load, snapshot, validate

DROPS = Path(__file__).parent / "fixtures" / "drops"
TEXT = "articles/900_fixture.txt"


def tree_digest(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


@pytest.fixture
def drop(tmp_path: Path) -> Path:
    """A private copy of the valid fixture drop, to break."""
    folder = tmp_path / "incoming" / "fixture-drop"
    shutil.copytree(DROPS / "valid", folder)
    (folder / "expected.json").unlink()
    return folder


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A folder outside the drop with a text that would match any one-letter quote."""
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    (folder / "900_fixture.txt").write_text("e" * 400, encoding="utf-8")
    (folder / "claims.csv").write_bytes((DROPS / "valid" / "claims.csv").read_bytes())
    return folder


@pytest.fixture(autouse=True)
def _summaries_to_tmp(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(config, "VALIDATION_DIR", tmp_path / "validation")


def _errors(capsys) -> list[str]:
    out = capsys.readouterr()
    text = out.out + out.err
    assert "Traceback" not in text
    return [line for line in text.splitlines() if line.startswith("ERROR")]


def _refused_everywhere(drop: Path, where: str, rule: str, scratch_root: Path, capsys, monkeypatch):
    """validate and ingest both refuse ``drop`` with one located error; data/ is unchanged."""
    assert cli.main(["validate", str(drop)]) == 1
    errors = _errors(capsys)
    assert any(where in e and rule in e for e in errors), errors
    monkeypatch.setattr(config, "RAW_DIR", scratch_root / "data" / "raw")
    monkeypatch.setattr(config, "PROCESSED_DIR", scratch_root / "data" / "processed")
    before = tree_digest(scratch_root / "data")
    assert cli.main(["ingest", str(drop)]) == 1
    errors = _errors(capsys)
    assert any(where in e and rule in e for e in errors), errors
    assert tree_digest(scratch_root / "data") == before
    assert not (scratch_root / "data" / "raw" / "drops").exists()


# --- The "Done when" cases, through the command ---------------------------------------------


def test_a_symlinked_articles_folder_is_refused_not_followed(
    drop: Path, outside: Path, scratch_root: Path, capsys, monkeypatch
) -> None:
    shutil.rmtree(drop / "articles")
    (drop / "articles").symlink_to(outside)
    where = "incoming/fixture-drop/articles"
    _refused_everywhere(drop, where, "is a symbolic link", scratch_root, capsys, monkeypatch)


@pytest.mark.parametrize("kind", ["symlink", "fifo"])
def test_a_symlinked_or_fifo_claims_csv_is_refused(
    kind: str, drop: Path, outside: Path, scratch_root: Path, capsys, monkeypatch
) -> None:
    (drop / "claims.csv").unlink()
    if kind == "symlink":
        (drop / "claims.csv").symlink_to(outside / "claims.csv")
        rule = "is a symbolic link"
    else:
        os.mkfifo(drop / "claims.csv")  # would hang a reader forever
        rule = "is a FIFO (named pipe), not a regular file"
    where = "incoming/fixture-drop/claims.csv"
    _refused_everywhere(drop, where, rule, scratch_root, capsys, monkeypatch)


def test_an_oversize_article_is_refused_naming_the_limit(
    drop: Path, scratch_root: Path, capsys, monkeypatch
) -> None:
    with (drop / TEXT).open("r+b") as fh:  # sparse: costs no disk, and must cost no memory
        fh.truncate(config.MAX_ARTICLE_BYTES + 1)
    where = f"incoming/fixture-drop/{TEXT}"
    rule = f"is 5,000,001 bytes: an article text may be at most {config.MAX_ARTICLE_BYTES:,} bytes"
    _refused_everywhere(drop, where, rule, scratch_root, capsys, monkeypatch)


def test_the_drop_folder_itself_may_not_be_a_link(
    drop: Path, tmp_path: Path, scratch_root: Path, capsys, monkeypatch
) -> None:
    link = tmp_path / "incoming" / "linked-drop"
    link.symlink_to(drop)
    _refused_everywhere(
        link, "incoming/linked-drop", "is a symbolic link", scratch_root, capsys, monkeypatch
    )


@pytest.mark.parametrize("name", ["x" * 255, "my drop", "-dash", "drop$(touch pwned)"])
def test_a_name_ingest_would_refuse_is_refused_by_validate_too(
    name: str, drop: Path, scratch_root: Path, capsys, monkeypatch
) -> None:
    renamed = drop.parent / name
    drop.rename(renamed)
    where = f"incoming/{name}"[:60]
    _refused_everywhere(renamed, where, snapshot.NAME_RULE, scratch_root, capsys, monkeypatch)
    assert not (Path.cwd() / "pwned").exists()


# --- The snapshot itself ----------------------------------------------------------------------


def test_a_folder_is_read_once_with_hashes_and_others_only_listed(drop: Path) -> None:
    (drop / "notes.txt").write_text("not part of the contract", encoding="utf-8")
    os.mkfifo(drop / "articles" / "pipe.txt")  # never opened: articles.csv does not name it
    snap = snapshot.read_folder(drop)
    assert sorted(snap.entries) == ["articles.csv", "articles/900_fixture.txt", "claims.csv"]
    claims = snap.entries["claims.csv"]
    assert claims.data == (drop / "claims.csv").read_bytes()
    assert claims.sha256 == hashlib.sha256(claims.data).hexdigest()
    assert snap.others == ["notes.txt", "articles/pipe.txt"]
    assert [rel for rel, _ in snap.written()] == sorted(snap.entries)


def test_the_opened_descriptor_is_judged_not_the_path(drop: Path, monkeypatch) -> None:
    """A file swapped for a FIFO between the look and the open is judged as what was opened."""
    (drop / "claims.csv").unlink()
    os.mkfifo(drop / "claims.csv")
    real_stat = os.stat

    def looks_regular(*args, **kwargs):
        result = real_stat(*args, **kwargs)
        if args and str(args[0]) == "claims.csv":
            fields = list(result)
            fields[0] = stat.S_IFREG | 0o644
            return os.stat_result(fields)
        return result

    monkeypatch.setattr(os, "stat", looks_regular)
    entry = snapshot.read_folder(drop).entries["claims.csv"]
    assert entry.data is None and "FIFO" in entry.problem.rule


def test_a_link_to_dev_zero_as_article_is_refused_without_reading(drop: Path) -> None:
    (drop / TEXT).unlink()
    (drop / TEXT).symlink_to("/dev/zero")
    entry = snapshot.read_folder(drop).entries[TEXT]
    assert entry.data is None and entry.problem.file.endswith(TEXT)
    assert "symbolic link" in entry.problem.rule


def test_an_oversize_csv_is_refused_without_being_read(drop: Path, monkeypatch) -> None:
    monkeypatch.setattr(config, "MAX_CSV_BYTES", 1000)
    with (drop / "claims.csv").open("r+b") as fh:
        fh.truncate(1001)
    entry = snapshot.read_folder(drop).entries["claims.csv"]
    assert entry.data is None
    assert entry.problem.rule == (
        "is 1,001 bytes: a CSV file may be at most 1,000 bytes (config.MAX_CSV_BYTES)"
    )


def test_the_article_texts_together_have_a_limit(drop: Path, monkeypatch) -> None:
    monkeypatch.setattr(config, "MAX_ARTICLES_TOTAL_BYTES", 100)
    entry = snapshot.read_folder(drop).entries[TEXT]
    assert entry.data is None and "MAX_ARTICLES_TOTAL_BYTES" in entry.problem.rule


def test_names_articles_csv_gives_that_are_not_plain_are_never_opened(drop: Path) -> None:
    csv_path = drop / "articles.csv"
    csv_path.write_text(
        csv_path.read_text(encoding="utf-8").replace("900_fixture.txt", "../claims.csv"),
        encoding="utf-8",
    )
    snap = snapshot.read_folder(drop)
    assert not [rel for rel in snap.entries if rel.startswith("articles/")]


def test_a_lone_csv_given_as_a_link_is_refused(tmp_path: Path, outside: Path) -> None:
    link = tmp_path / "claims.csv"
    link.symlink_to(outside / "claims.csv")
    with pytest.raises(load.DataError) as info:
        load.read_raw_claims(link)
    assert info.value.problems[0].rule.startswith("is a symbolic link")
    assert info.value.problems[0].file.endswith("claims.csv")


def test_unreadable_and_missing_are_told_apart(drop: Path) -> None:
    (drop / TEXT).unlink()
    snap = snapshot.read_folder(drop)
    assert snap.text("900_fixture.txt") is None  # missing: the row's file rule says so
    with pytest.raises(load.DataError, match="no such folder"):
        snapshot.read_folder(drop / "nope").data(drop / "nope" / "claims.csv")


def test_validation_judges_the_snapshot_and_ingest_writes_its_bytes(
    drop: Path, scratch_root: Path, monkeypatch
) -> None:
    """The drop changes on disk after it was read: what lands in data/raw is what was judged."""
    original = {rel: (drop / rel).read_bytes() for rel in ("claims.csv", "articles.csv", TEXT)}
    real = validate.read_and_validate

    def tamper_after_reading(sources, today=None):
        (drop / "claims.csv").write_text("claim_id\nEVIL\n", encoding="utf-8")
        (drop / TEXT).write_text("rewritten", encoding="utf-8")
        return real(sources, today)

    monkeypatch.setattr(validate, "read_and_validate", tamper_after_reading)
    raw = scratch_root / "data" / "raw"
    result = ingest.ingest(drop, raw, scratch_root / "data" / "processed")
    assert result.report.ok and result.claims_added == 2 and result.articles_added == 1
    target = raw / "drops" / "fixture-drop"
    assert {rel: (target / rel).read_bytes() for rel in original} == original
