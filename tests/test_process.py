"""data/processed/ is derived from raw, analysis-ready, and replaced atomically."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pandas as pd
import pytest
import raw_files
from processed_files import write_processed

from troopclaims import atomic
from troopclaims.store import manifest, process


def test_processed_claims_carry_their_article(tmp_path: Path) -> None:
    claims, articles = raw_files.load_claims(), raw_files.load_articles()
    write_processed(claims, articles, tmp_path)
    out_claims, out_articles = process.read_processed(tmp_path)
    assert len(out_claims) == len(claims)
    assert out_claims["article_file"].notna().all()
    assert set(out_claims.loc[out_claims["source_error"], "claim_id"]) == {"A003-03", "A003-04"}
    assert out_articles["n_troop_estimate"].sum() == (claims["kind"] == "troop_estimate").sum()
    assert str(out_claims["figure"].dtype) == "Int64"


def test_failed_write_leaves_previous_outputs_intact(tmp_path: Path, monkeypatch) -> None:
    claims, articles = raw_files.load_claims(), raw_files.load_articles()
    write_processed(claims, articles, tmp_path)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(process, "build_articles_table", boom)
    with pytest.raises(RuntimeError):
        write_processed(claims.head(3), articles, tmp_path)
    after = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    assert after == before  # both old files intact, no temp files left behind
    assert len(pd.read_parquet(tmp_path / "claims.parquet")) == len(claims)


# --- Issue 16 item 8: data/raw/ against sources.json, by names, sizes and times first ----------


@pytest.fixture
def built(tmp_path: Path) -> Path:
    """A processed folder whose sources.json records a small raw folder (as a build writes it)."""
    raw, out = tmp_path / "raw", tmp_path / "processed"
    (raw / "drops" / "d1").mkdir(parents=True)
    out.mkdir()
    (raw / "claims.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    (raw / "drops" / "d1" / "claims.csv").write_text("a,b\n3,4\n", encoding="utf-8")
    (raw / ".d2.123.abcd.tmp").mkdir()  # an interrupted ingest's leftover: never data
    (out / "claims.parquet").write_bytes(b"x")
    text = manifest.record(
        out, {"claims.parquet": out / "claims.parquet"}, manifest.RawRecord(raw, {})
    )
    (out / "sources.json").write_text(text, encoding="utf-8")
    return out


def test_a_build_records_size_and_time_and_agrees_with_its_raw_folder(built: Path) -> None:
    doc = json.loads((built / "sources.json").read_text(encoding="utf-8"))
    st = (built.parent / "raw" / "claims.csv").stat()
    assert doc["raw_stat"]["claims.csv"] == [st.st_size, st.st_mtime_ns]
    assert manifest.raw_differences(built) == []
    assert manifest.main([str(built)]) == 0


def test_a_deleted_raw_file_is_a_difference(built: Path, capsys) -> None:
    """A drop rolled back by hand: timestamps cannot see it, the names can."""
    (built.parent / "raw" / "drops" / "d1" / "claims.csv").unlink()
    assert manifest.raw_differences(built) == [
        f"raw files gone since it was built: {built.parent}/raw/drops/d1/claims.csv"
    ]
    assert manifest.main([str(built)]) == 1
    assert "raw files gone since it was built" in capsys.readouterr().err


def test_an_added_or_changed_raw_file_is_a_difference(built: Path) -> None:
    raw = built.parent / "raw"
    (raw / "extra.csv").write_text("x\n", encoding="utf-8")
    (raw / "claims.csv").write_text("a,b\n9,9\n", encoding="utf-8")  # same size, new time
    os.utime(raw / "extra.csv", ns=(0, 0))  # an old time: Make alone would not rebuild
    assert manifest.raw_differences(built) == [
        f"raw files added since it was built: {raw}/extra.csv",
        f"raw files changed since it was built: {raw}/claims.csv",
    ]


def test_a_touched_but_unchanged_file_is_hashed_and_agrees(built: Path, monkeypatch) -> None:
    raw = built.parent / "raw"
    hashed = []
    real = manifest.atomic.sha256_file
    monkeypatch.setattr(manifest.atomic, "sha256_file", lambda p: hashed.append(p) or real(p))
    assert manifest.raw_differences(built) == []
    assert hashed == []  # a no-op hashes nothing
    os.utime(raw / "claims.csv", ns=(1, 1))
    assert manifest.raw_differences(built) == []
    assert [p.resolve() for p in hashed] == [raw / "claims.csv"]  # only the file whose time moved


def test_a_sources_json_without_sizes_and_times_is_a_difference(built: Path) -> None:
    """A build from before sizes and times were recorded: rebuilt once, then recorded."""
    doc = json.loads((built / "sources.json").read_text(encoding="utf-8"))
    del doc["raw_stat"]
    (built / "sources.json").write_text(json.dumps(doc), encoding="utf-8")
    assert manifest.raw_differences(built) == [
        "it cannot be read, or records no sizes and times of raw files (an older build)"
    ]
    (built / "sources.json").unlink()
    assert manifest.raw_differences(built) == ["it is missing"]


def _counted_reads(monkeypatch) -> list[int]:
    """How many times ``atomic.sha256_file`` reads a file through (one entry per digest made)."""
    made: list[int] = []
    real = atomic.hashlib.sha256

    class Spy:
        sha256 = staticmethod(lambda: made.append(1) or real())

    monkeypatch.setattr(atomic, "hashlib", Spy)
    return made


def test_a_file_unchanged_for_a_while_is_read_once_per_process(tmp_path: Path, monkeypatch) -> None:
    """Every notebook of a build checks data/processed/ against data/raw/ by hash: a large drop
    was read six times per build. A file that has not changed is hashed once per process."""
    path = tmp_path / "raw.csv"
    path.write_bytes(b"a,b\n1,2\n")
    made = _counted_reads(monkeypatch)
    monkeypatch.setattr(atomic, "STABLE_AFTER_NS", -(10**12))  # as if written long ago
    first = atomic.sha256_file(path)
    assert atomic.sha256_file(path) == first == hashlib.sha256(b"a,b\n1,2\n").hexdigest()
    assert len(made) == 1
    path.write_bytes(b"a,b\n3,4\n")  # same size, in place
    os.utime(path, ns=(1, 1))  # and an old time: the change time still moves
    assert atomic.sha256_file(path) == hashlib.sha256(b"a,b\n3,4\n").hexdigest()
    assert len(made) == 2


def test_a_file_changed_just_before_it_is_hashed_is_hashed_every_time(
    tmp_path: Path, monkeypatch
) -> None:
    """File times move in coarse ticks: a same-size rewrite within the tick of the last change
    can keep every time, so a file that recent is never taken from memory (racily clean)."""
    path = tmp_path / "raw.csv"
    path.write_bytes(b"a,b\n1,2\n")
    made = _counted_reads(monkeypatch)
    stat = path.stat()
    assert atomic.sha256_file(path) == hashlib.sha256(b"a,b\n1,2\n").hexdigest()
    path.write_bytes(b"a,b\n3,4\n")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # the very same modification time
    assert atomic.sha256_file(path) == hashlib.sha256(b"a,b\n3,4\n").hexdigest()
    assert len(made) == 2
