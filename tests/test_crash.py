"""Crash consistency (issue 9, part 4): kill the command at each write step, then check.

Each step is a real ``troopclaims`` process that SIGKILLs itself where ``TROOPCLAIMS_KILL_AT``
names (``atomic.kill_point``): no sleeping, no guessing when to kill. After every kill: every
processed claim is in a raw file, and processed data either matches data/raw/ (``manifest``) or
is refused by every reader until ``troopclaims process`` rebuilds it; after the next command no
temporary file is left, and provenance lists only real raw files. The ingest steps run as one
chain on one prepared project (each run is also the next command of the one before), to keep
the whole file within seconds.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import nbformat
import pandas as pd
import pytest
import raw_files
import warm_cli
from processed_files import write_processed

from troopclaims import atomic, cli, config
from troopclaims.intake import snapshot
from troopclaims.report import execute, provenance
from troopclaims.store import manifest, process

VALID = Path(__file__).parent / "fixtures" / "drops" / "valid"
KILLED = -signal.SIGKILL


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One scratch project, processed once, shared by the whole ingest chain."""
    root = tmp_path_factory.mktemp("crash") / "project"
    shutil.copytree(config.RAW_DIR, root / "data" / "raw")
    assert process.validate_and_build(root / "data" / "raw", root / "data" / "processed").ok
    return root


def make_drop(root: Path, name: str, article_id: str) -> Path:
    """The valid fixture drop under new ids, so several can be ingested side by side."""
    folder = root / "incoming" / name
    shutil.copytree(VALID, folder, ignore=shutil.ignore_patterns("expected.json"))
    for csv_name in ("claims.csv", "articles.csv"):
        path = folder / csv_name
        path.write_text(path.read_text("utf-8").replace("T900", article_id), encoding="utf-8")
    return folder


def run(root: Path, *args: str, kill: str = "", interrupt: str = "") -> subprocess.CompletedProcess:
    """One ``troopclaims`` process (warm-started: tests/warm_cli.py) that kills or interrupts
    itself at the step named, in the project at ``root``."""
    env = {**os.environ, "TROOPCLAIMS_ROOT": str(root)}
    env.update({atomic.KILL_ENV: kill, atomic.INTERRUPT_ENV: interrupt})
    return warm_cli.run(*args, env=env, timeout=120)


def leftovers(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if atomic.is_leftover(p.name))


def raw_claim_ids(raw: Path) -> set[str]:
    """Claim ids of the real raw files: the base and every (non-hidden) drop."""
    return {
        claim_id
        for source in snapshot.dataset_sources(raw)
        for claim_id in raw_files.read_raw_claims(source.claims_csv)["claim_id"]
    }


def assert_consistent(root: Path) -> list[str]:
    """No processed claim without a raw claim; returns why processed is stale (if it is), and
    checks that a reader then refuses it."""
    raw, processed = root / "data" / "raw", root / "data" / "processed"
    held = set(pd.read_parquet(processed / "claims.parquet")["claim_id"])
    assert held <= raw_claim_ids(raw), held - raw_claim_ids(raw)
    reasons = manifest.stale_reasons(processed)
    if reasons:
        with pytest.raises(manifest.StaleProcessedError, match="run `troopclaims process`"):
            process.read_processed(processed)
    return reasons


def test_sigkill_at_each_ingest_step_leaves_raw_and_processed_consistent(project: Path) -> None:
    raw, drops = project / "data" / "raw", project / "data" / "raw" / "drops"
    a, b, c = (make_drop(project, f"crash-{x}", f"T90{i}") for i, x in enumerate("abc", 1))

    # During the copy: only a hidden partial copy; processed untouched and still current.
    assert run(project, "ingest", a, kill="ingest-copy").returncode == KILLED
    assert not (drops / "crash-a").exists()
    first = leftovers(project)
    assert any(p.startswith("data/raw/drops/.crash-a.") for p in first), first
    assert assert_consistent(project) == []

    # Between raw and processed: the drop is in, processed lacks it and is refused as stale.
    # This run was also the next command after the first kill: its leftovers are gone.
    assert run(project, "ingest", a, kill="ingest-renamed").returncode == KILLED
    assert (drops / "crash-a" / "claims.csv").is_file()
    assert not set(first) & set(leftovers(project))
    assert "raw files added since it was built" in assert_consistent(project)[0]

    # Between two of processed's renames: a mixed set, rejected by its sources.json.
    assert run(project, "ingest", b, kill="processed-renames").returncode == KILLED
    assert "not written with its sources.json" in assert_consistent(project)[0]

    # During the rollback of an interrupted ingest: the drop is already out of data (trash).
    killed = run(project, "ingest", c, interrupt="ingest-renamed", kill="ingest-rollback")
    assert killed.returncode == KILLED
    assert not (drops / "crash-c").exists()
    assert any(p.endswith(".trash") for p in leftovers(project)), leftovers(project)
    assert assert_consistent(project)

    # `troopclaims process` killed between its renames: a mixed set, rejected as such.
    assert run(project, "process", kill="processed-renames").returncode == KILLED
    assert "not written with its sources.json" in assert_consistent(project)[0]

    # The next command repairs everything: no leftovers, processed current with A and B only.
    done = run(project, "process")
    assert done.returncode == 0, done.stderr
    assert leftovers(project) == []
    assert assert_consistent(project) == []
    claims, _ = process.read_processed(project / "data" / "processed")
    assert set(claims["claim_id"]) == raw_claim_ids(raw)
    assert {"T901-01", "T902-01"} <= set(claims["claim_id"])
    assert "T903-01" not in set(claims["claim_id"])


def test_an_interrupt_says_exactly_what_state_data_is_in(
    scratch_root: Path, monkeypatch, capsys
) -> None:
    raw, processed = scratch_root / "data" / "raw", scratch_root / "data" / "processed"
    assert process.validate_and_build(raw, processed).ok
    monkeypatch.setattr(config, "RAW_DIR", raw)
    monkeypatch.setattr(config, "PROCESSED_DIR", processed)
    monkeypatch.setattr(config, "VALIDATION_DIR", scratch_root / "validation")
    drop = make_drop(scratch_root, "ctrl-c", "T904")
    target = config.display_path(raw / "drops" / "ctrl-c")

    def data() -> dict[Path, bytes]:
        return {p: p.read_bytes() for p in sorted((raw.parent).rglob("*")) if p.is_file()}

    before = data()
    said = {
        "ingest-copy": f"interrupted before the drop was renamed into {target}: its partial copy"
        " and data/processed/'s new files were removed; data/ is unchanged",
        "ingest-renamed": f"interrupted after the drop was renamed into {target}, before "
        "data/processed/ was replaced: the drop has been rolled back (removed again); data/ is "
        "as it was before",
    }
    for step, message in said.items():
        monkeypatch.setenv(atomic.INTERRUPT_ENV, step)
        assert cli.main(["ingest", str(drop)]) == 130
        assert capsys.readouterr().err.strip().splitlines()[-1] == message
        assert data() == before

    monkeypatch.setenv(atomic.INTERRUPT_ENV, "processed-renames")
    assert cli.main(["ingest", str(drop)]) == 130
    assert capsys.readouterr().err.strip().splitlines()[-1] == (
        f"interrupted while data/processed/ was being replaced: the drop is in {target} "
        "(ingested) and data/processed/ is marked out of date; run `troopclaims process` "
        "(`make report` runs it first)"
    )
    assert (raw / "drops" / "ctrl-c" / "claims.csv").is_file()
    assert leftovers(scratch_root) == []
    assert "sources.json is missing" in assert_consistent(scratch_root)[0]


def test_sigkill_between_the_reports_renames_then_the_next_build(tmp_path: Path) -> None:
    raw, processed = tmp_path / "data" / "raw", tmp_path / "data" / "processed"
    shutil.copytree(config.RAW_DIR, raw)
    assert process.validate_and_build(raw, processed).ok
    stale = raw / "drops" / f".gone.{_gone_pid()}.abcd1234.tmp"  # a killed ingest's copy
    stale.mkdir(parents=True)
    (stale / "claims.csv").write_text("not data", encoding="utf-8")
    notebooks, executed = tmp_path / "notebooks", tmp_path / "executed"
    for folder in (notebooks, executed):
        folder.mkdir()
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# One\n\nText.")])
        digest = manifest.sources_digest(processed)  # it read this build of processed data
        nb.metadata[execute.RECORD_KEY] = execute.processed_record(processed, digest)
        nbformat.write(nb, folder / "01-one.ipynb")
    out = tmp_path / "out"
    argv = [sys.executable, "-m", "troopclaims.cli", "report", "build"]
    argv += ["--notebooks-dir", notebooks, "--executed-dir", executed, "--raw-dir", raw]
    argv += ["--html", out / "report.html", "--pdf", out / "report.pdf"]
    env = {**os.environ, atomic.KILL_ENV: "report-renames"}
    killed = subprocess.run([str(a) for a in argv], env=env, capture_output=True, text=True)
    assert killed.returncode == KILLED
    assert (out / "report.pdf").is_file() and not (out / "report.html").exists()
    assert [p.name for p in out.iterdir() if atomic.is_leftover(p.name)]

    env.pop(atomic.KILL_ENV)
    built = subprocess.run([str(a) for a in argv], env=env, capture_output=True, text=True)
    assert built.returncode == 0, built.stderr
    assert sorted(p.name for p in out.iterdir()) == ["report.html", "report.pdf"]
    assert not stale.exists()  # the killed ingest's leftover went at this next run
    html = (out / "report.html").read_text(encoding="utf-8")
    assert config.display_path(raw / "claims.csv") in html
    assert ".tmp" not in html and ".trash" not in html


def test_provenance_and_raw_files_skip_leftovers_and_links(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    (raw / "drops" / "real").mkdir(parents=True)
    (raw / "claims.csv").write_text("x", encoding="utf-8")
    (raw / "drops" / "real" / "claims.csv").write_text("y", encoding="utf-8")
    (raw / "drops" / ".real.1.abcd1234.trash").mkdir()
    (raw / "drops" / ".real.1.abcd1234.trash" / "claims.csv").write_text("z", encoding="utf-8")
    (raw / ".claims.csv.1.abcd1234.tmp").write_text("half", encoding="utf-8")
    (raw / "link.csv").symlink_to(raw / "claims.csv")
    listed = [p["path"] for p in provenance.input_files(raw)]
    assert [Path(p).relative_to(raw).as_posix() for p in listed] == [
        "claims.csv",
        "drops/real/claims.csv",
    ]


def _gone_pid() -> int:
    """The pid of a process that has ended (and been reaped)."""
    child = subprocess.Popen(["true"])
    child.wait()
    return child.pid


def test_leftovers_of_a_live_process_are_kept_and_of_a_gone_one_removed(tmp_path: Path) -> None:
    mine = tmp_path / f".x.{os.getpid()}.abcd1234.tmp"
    theirs = tmp_path / f".x.{_gone_pid()}.abcd1234.tmp"
    legacy = tmp_path / ".x.abcd1234.tmp"
    for path in (mine, theirs, legacy):
        path.write_text("", encoding="utf-8")
    removed = atomic.remove_leftovers(tmp_path)
    assert sorted(removed) == sorted([theirs, legacy]) and mine.exists()
    assert atomic.remove_leftovers(tmp_path, everyone=True) == [mine]


def _take(folder: Path, exclusive: bool, timeout: float) -> None:
    """Take the data lock on ``folder`` and let it go."""
    with atomic.locked(folder, exclusive, timeout):
        pass


def test_waiting_for_the_lock_says_so_and_gives_up_with_a_clear_message(
    tmp_path: Path, capsys, monkeypatch
) -> None:
    holder = os.open(tmp_path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(holder, fcntl.LOCK_EX)  # an ingest at work
        with pytest.raises(atomic.LockTimeoutError, match=r"gave up after 0\.2 s waiting for"):
            _take(tmp_path, exclusive=False, timeout=0.2)
        assert "waiting for" in capsys.readouterr().err
        fcntl.flock(holder, fcntl.LOCK_SH)  # a report reading: another reader may join
        _take(tmp_path, exclusive=False, timeout=0)
        monkeypatch.setattr(config, "RAW_DIR", tmp_path)
        monkeypatch.setenv(config.LOCK_TIMEOUT_ENV, "0.1")
        assert cli.main(["process"]) == 1  # a writer must wait for the reader
        err = capsys.readouterr().err
        assert "waiting for" in err and "ERROR gave up after 0.1 s" in err
    finally:
        os.close(holder)


def test_a_malformed_lock_timeout_is_a_config_error(monkeypatch) -> None:
    monkeypatch.setenv(config.LOCK_TIMEOUT_ENV, "soon")
    with pytest.raises(config.ConfigError, match="TROOPCLAIMS_LOCK_TIMEOUT must be a number"):
        config.lock_timeout()


def test_processed_written_from_frames_records_no_raw_and_is_checked_for_mixing(
    tmp_path: Path,
) -> None:
    claims, articles = raw_files.load_claims(), raw_files.load_articles()
    write_processed(claims, articles, tmp_path)
    assert manifest.stale_reasons(tmp_path) == []
    write_processed(claims.head(3), articles, tmp_path / "other")
    shutil.copyfile(tmp_path / "other" / "claims.parquet", tmp_path / "claims.parquet")
    assert "claims.parquet" in manifest.stale_reasons(tmp_path)[0]
