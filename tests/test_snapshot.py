"""A drop is read once, and only regular files inside it (issue 9, part 1).

Links, FIFOs, devices and oversize files anywhere in a drop are located errors; nothing outside
the drop is ever read; validation judges the snapshot and ingest writes exactly its bytes; one
rule set on a drop's name and path serves validate and ingest alike.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import socket
import stat
from pathlib import Path

import pytest
import raw_files

from troopclaims import cli, config
from troopclaims.checks import validate
from troopclaims.intake import load, snapshot
from troopclaims.store import ingest

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


@pytest.mark.parametrize("name", ["claims.csv", TEXT])
def test_a_hard_link_to_a_file_outside_the_drop_is_refused(
    name: str, drop: Path, outside: Path, scratch_root: Path, capsys, monkeypatch
) -> None:
    """``ln /etc/hostname drop/articles/z.txt`` once ingested the host's file: a second name of
    a file outside the drop is a regular file inside it, so the link count is what tells."""
    secret = outside / ("claims.csv" if name == "claims.csv" else "900_fixture.txt")
    (drop / name).unlink()
    os.link(secret, drop / name)
    where = f"incoming/fixture-drop/{name}"
    _refused_everywhere(drop, where, "has 2 hard links", scratch_root, capsys, monkeypatch)


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


def _socket_in(folder: Path, name: str, monkeypatch) -> None:
    """A listening-capable UNIX socket file ``folder/name`` (bound by a relative path: a
    socket's path is limited to about 100 bytes)."""
    monkeypatch.chdir(folder)
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(name)
    sock.close()  # the socket file stays


@pytest.mark.parametrize(
    ("rel", "make", "rule"),
    [
        ("extra_link", lambda p: p.symlink_to("/etc"), "is a symbolic link"),
        ("extra.fifo", os.mkfifo, "is a FIFO (named pipe), not a regular file"),
        ("notes.txt", lambda p: p.symlink_to("/etc/passwd"), "is a symbolic link"),
        ("articles/sub", lambda p: p.symlink_to("/etc"), "is a symbolic link"),
        ("deep/er/x.fifo", os.mkfifo, "is a FIFO (named pipe), not a regular file"),
        ("extra.sock", None, "is a socket, not a regular file"),
    ],
)
def test_a_link_or_special_file_anywhere_in_a_drop_is_refused(
    rel: str, make, rule: str, drop: Path, scratch_root: Path, capsys, monkeypatch
) -> None:
    """Not only the contract's files: anything in the drop that is not a regular file or a
    folder is a located error naming it and what it is (issue 9.1)."""
    path = drop / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if make is None:
        _socket_in(path.parent, path.name, monkeypatch)
    else:
        make(path)
    where = f"incoming/fixture-drop/{rel}"
    _refused_everywhere(drop, where, rule, scratch_root, capsys, monkeypatch)


def test_the_walk_of_a_drop_is_bounded(drop: Path, monkeypatch) -> None:
    monkeypatch.setattr(snapshot, "MAX_DROP_ENTRIES", 10)
    for i in range(20):
        (drop / f"extra{i:02}.txt").write_text("x", encoding="utf-8")
    snap = snapshot.read_folder(drop)
    [limit] = snap.problems
    assert limit.file.endswith("incoming/fixture-drop") and limit.severity == "error"
    assert "more than 10 entries" in limit.rule and "MAX_DROP_ENTRIES" in limit.rule
    assert len(snap.others) < 10  # the rest were not even looked at


def test_the_walk_of_a_drop_is_bounded_in_depth(drop: Path, monkeypatch) -> None:
    monkeypatch.setattr(snapshot, "MAX_DROP_DEPTH", 2)
    (drop / "a" / "b" / "c").mkdir(parents=True)
    os.mkfifo(drop / "a" / "b" / "c" / "pipe")
    [deep] = snapshot.read_folder(drop).problems
    assert deep.file.endswith("fixture-drop/a/b/c") and "MAX_DROP_DEPTH" in deep.rule


def test_files_outside_the_contract_are_a_warning_once_each_and_left_behind(
    drop: Path, scratch_root: Path, capsys, monkeypatch
) -> None:
    (drop / "notes.txt").write_text("for the curator", encoding="utf-8")
    (drop / "articles" / "draft.txt").write_text("not named by articles.csv", encoding="utf-8")
    assert cli.main(["validate", str(drop)]) == 0
    out = "".join(capsys.readouterr())
    warned = [line for line in out.splitlines() if "not part of the drop contract" in line]
    assert sorted(warned) == [
        f"WARNING {config.display_path(drop)}/articles/draft.txt: {snapshot.LEFT_BEHIND_RULE}",
        f"WARNING {config.display_path(drop)}/notes.txt: {snapshot.LEFT_BEHIND_RULE}",
    ]
    raw = scratch_root / "data" / "raw"
    result = ingest.ingest(drop, raw, scratch_root / "data" / "processed")
    assert result.ignored == ["notes.txt", "articles/draft.txt"]
    assert not (result.target / "notes.txt").exists()
    # the dataset's verdict names no file the dataset does not hold
    assert not [p for p in result.report.problems if p.expectation == snapshot.LEFT_BEHIND]


def test_a_drop_already_ingested_is_refused_by_validate_as_by_ingest(
    drop: Path, tmp_path: Path, scratch_root: Path, capsys, monkeypatch
) -> None:
    """By name or by its claims.csv's bytes: one shared check, one message (issue 9)."""
    monkeypatch.setattr(config, "RAW_DIR", scratch_root / "data" / "raw")
    monkeypatch.setattr(config, "PROCESSED_DIR", scratch_root / "data" / "processed")
    assert cli.main(["ingest", str(drop)]) == 0
    capsys.readouterr()
    same_name = tmp_path / "other" / drop.name
    shutil.copytree(drop, same_name)
    claims = (drop / "claims.csv").read_bytes()
    (same_name / "claims.csv").write_bytes(claims.replace(b"Fixture claim.", b"Fixture, again."))
    same_bytes = drop.parent / "renamed-drop"
    shutil.copytree(drop, same_bytes)
    for folder, rule in (
        (same_name, "a drop named 'fixture-drop' was already ingested"),
        (same_bytes, "this drop's claims.csv was already ingested as 'fixture-drop'"),
    ):
        before = tree_digest(scratch_root / "data")
        assert cli.main(["validate", str(folder)]) == 1
        by_validate = _errors(capsys)
        assert cli.main(["ingest", str(folder)]) == 1
        by_ingest = _errors(capsys)
        assert by_validate == by_ingest
        assert len(by_validate) == 1 and rule in by_validate[0], by_validate
        assert by_validate[0].startswith(f"ERROR {config.display_path(folder)}: ")
        assert tree_digest(scratch_root / "data") == before


# --- The snapshot itself ----------------------------------------------------------------------


def test_a_folder_is_read_once_with_hashes_and_others_only_listed(drop: Path) -> None:
    (drop / "notes.txt").write_text("not part of the contract", encoding="utf-8")
    (drop / "articles" / "unnamed.txt").write_text("not named by articles.csv", encoding="utf-8")
    os.mkfifo(drop / "articles" / "pipe.txt")  # never opened, but refused: a FIFO in a drop
    snap = snapshot.read_folder(drop)
    assert sorted(snap.entries) == ["articles.csv", "articles/900_fixture.txt", "claims.csv"]
    claims = snap.entries["claims.csv"]
    assert claims.data == (drop / "claims.csv").read_bytes()
    assert claims.sha256 == hashlib.sha256(claims.data).hexdigest()
    assert snap.others == ["notes.txt", "articles/unnamed.txt"]
    [pipe] = snap.problems
    assert pipe.file.endswith("fixture-drop/articles/pipe.txt") and "FIFO" in pipe.rule
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


def test_texts_past_the_total_limit_are_refused_without_being_opened(
    drop: Path, monkeypatch
) -> None:
    csv_path = drop / "articles.csv"
    header, row = csv_path.read_text(encoding="utf-8").splitlines()
    rows = [row.replace("T900", f"T90{i}").replace("900_fixture", f"90{i}_fixture") for i in (1, 2)]
    csv_path.write_text("\n".join([header, row, *rows]) + "\n", encoding="utf-8")
    for i in (1, 2):
        shutil.copy(drop / TEXT, drop / f"articles/90{i}_fixture.txt")
    size = (drop / TEXT).stat().st_size
    monkeypatch.setattr(config, "MAX_ARTICLES_TOTAL_BYTES", size + 10)  # the 2nd text passes it
    opened: list[str] = []
    real_open = os.open

    def spy(path, *args, **kwargs):
        opened.append(os.fspath(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", spy)
    snap = snapshot.read_folder(drop)
    assert [n for n in opened if n.endswith(".txt")] == ["900_fixture.txt", "901_fixture.txt"]
    assert snap.entries[TEXT].data is not None
    for rel in ("articles/901_fixture.txt", "articles/902_fixture.txt"):
        entry = snap.entries[rel]
        assert entry.data is None and entry.problem.file.endswith(rel)
        assert (
            f"at most {size + 10:,} bytes (config.MAX_ARTICLES_TOTAL_BYTES)" in entry.problem.rule
        )
    assert snap.entries["articles/902_fixture.txt"].problem.rule.startswith("not read")


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
        raw_files.read_raw_claims(link)
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


def test_a_file_is_named_as_the_project_names_it_wherever_its_folder_is(
    tmp_path: Path, monkeypatch
) -> None:
    """A lone claims CSV in the project root was named './x.csv' by its snapshot and 'x.csv'
    by the command, which then scoped the verdict to a file no problem named (its warnings and
    its impact on page 1 dropped); a file at the file system's root was '//claims.csv'."""
    monkeypatch.setattr(config, "ROOT", tmp_path)
    (tmp_path / "x.csv").write_text("claim_id\n", encoding="utf-8")
    lone = snapshot.read_lone_csv(tmp_path / "x.csv")
    assert lone.name_of(tmp_path / "x.csv") == config.display_path(tmp_path / "x.csv") == "x.csv"
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "claims.csv").write_text("claim_id\n", encoding="utf-8")
    folder = snapshot.read_folder(tmp_path / "d")
    assert folder.name_of(tmp_path / "d" / "claims.csv") == "d/claims.csv"
    assert snapshot.Snapshot(Path("/"), shown="/").name_of(Path("/claims.csv")) == "/claims.csv"
