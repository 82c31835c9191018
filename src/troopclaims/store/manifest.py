"""What data/processed/ was built from, and the check every reader makes before trusting it.

data/processed/ is derived from data/raw/, but the two are written at different moments: a crash
between them, or between the renames of processed's own files, could leave processed data
holding claims no raw file holds (a drop rolled back) or mixing two builds. So every build
writes ``sources.json`` with its files, renamed into place last: the SHA-256 of every real raw
file (the bytes validation read) and of each processed file written with it. A reader trusts
data/processed/ only when sources.json is there, every processed file it names has that hash,
and data/raw/ holds exactly the files it names with those hashes; otherwise it is told what to
run (``troopclaims process``, which ``make report`` runs).

Real raw files are the regular files under data/raw/ whose path has no hidden part: an ingest's
temporary or trash folder (``.name.1234.abcd1234.tmp``) is never data, here, in the Makefile's
RAW_FILES or in the report's provenance.

A build is named by the SHA-256 of its sources.json (``Build.digest``): the report records, for
each executed notebook, the build it read, and lists that build's raw files as its inputs.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from troopclaims import atomic, config
from troopclaims.errors import TroopclaimsError

SOURCES_NAME = config.PROCESSED_SOURCES.name
RUN_PROCESS = "run `troopclaims process` (`make report` runs it first)"
_MAX_NAMED = 5  # differences named in a message


class StaleProcessedError(TroopclaimsError):
    """data/processed/ does not match data/raw/; the message says how and what to run."""


@dataclass(frozen=True)
class RawRecord:
    """The raw side of a build: the folder, and the SHA-256 already known of files in it (the
    snapshot's, for every file validation read; others are hashed from disk when recorded)."""

    raw_dir: Path
    known: Mapping[Path, str]


def raw_files(raw_dir: Path) -> list[Path]:
    """Every real raw file under ``raw_dir``, sorted: regular files (links are not followed)
    whose path below ``raw_dir`` has no hidden part (leftovers of interrupted runs)."""
    found: list[Path] = []
    for top, dirs, files in os.walk(raw_dir):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in files:
            path = Path(top) / name
            if not name.startswith(".") and stat.S_ISREG(path.lstat().st_mode):
                found.append(path)
    return sorted(found)


def raw_hashes(raw: RawRecord) -> dict[str, str]:
    """``relative path -> SHA-256`` of the raw files now, plus the known files to come (a drop
    about to be renamed in)."""
    raw_dir = Path(raw.raw_dir)
    known = {Path(p).relative_to(raw_dir).as_posix(): h for p, h in raw.known.items()}
    on_disk = {p.relative_to(raw_dir).as_posix(): p for p in raw_files(raw_dir)}
    hashes = {rel: known.get(rel) or atomic.sha256_file(path) for rel, path in on_disk.items()}
    return dict(sorted({**hashes, **known}.items()))


def record(out_dir: Path, processed: Mapping[str, Path], raw: RawRecord | None) -> str:
    """The text of sources.json for a build of ``processed`` (name -> file written) from ``raw``
    (None for processed data written straight from frames, as the notebook tests do)."""
    doc = {
        "raw_dir": os.path.relpath(raw.raw_dir, out_dir) if raw is not None else None,
        "raw": raw_hashes(raw) if raw is not None else {},
        "raw_stat": raw_stats(raw.raw_dir) if raw is not None else {},
        "processed": {name: atomic.sha256_file(path) for name, path in sorted(processed.items())},
    }
    return json.dumps(doc, indent=2, sort_keys=True) + "\n"


def raw_stats(raw_dir: Path) -> dict[str, list[int]]:
    """``relative path -> [size, mtime_ns]`` of the raw files on disk now.

    Why: ``make report`` must notice a raw file added, changed or deleted by hand (a drop rolled
    back) without hashing every file on a build that has nothing to do. Names, sizes and times
    answer that for nearly every file; only a file whose time moved is hashed
    (``raw_differences``). A file still to come (a drop about to be renamed in) has none.
    """
    raw_dir = Path(raw_dir)
    stats = {}
    for path in raw_files(raw_dir):
        st = path.lstat()
        stats[path.relative_to(raw_dir).as_posix()] = [st.st_size, st.st_mtime_ns]
    return stats


@dataclass(frozen=True)
class Build:
    """One build of data/processed/, as its sources.json says: ``digest`` (the SHA-256 of that
    file) names it; ``raw`` maps each raw file it was built from (relative to ``raw_dir``; None
    for processed data written straight from frames) to its SHA-256."""

    out_dir: Path
    digest: str
    size: int
    raw_dir: Path | None
    raw: Mapping[str, str]

    @property
    def sources(self) -> Path:
        return self.out_dir / SOURCES_NAME


def sources_digest(out_dir: Path) -> str | None:
    """The SHA-256 of ``out_dir``'s sources.json (the build's name), or None when it is absent."""
    try:
        return atomic.sha256_file(Path(out_dir) / SOURCES_NAME)
    except FileNotFoundError:
        return None


def read_build(out_dir: Path) -> Build:
    """The build of ``out_dir`` as its sources.json records it (read once: digest and content
    come from the same bytes); ``StaleProcessedError`` when there is none to read."""
    out_dir = Path(out_dir)
    path = out_dir / SOURCES_NAME
    try:
        data = path.read_bytes()
        doc = json.loads(data.decode("utf-8"))
        raw_rel, raw = doc.get("raw_dir"), dict(doc.get("raw", {}))
    except FileNotFoundError:
        raise StaleProcessedError(
            f"{config.display_path(path)} is missing (not built yet, or its build was "
            f"interrupted): {RUN_PROCESS}"
        ) from None
    except (OSError, ValueError, AttributeError) as exc:
        raise StaleProcessedError(
            f"{config.display_path(path)} cannot be read ({exc}): {RUN_PROCESS}"
        ) from None
    return Build(
        out_dir=out_dir,
        digest=hashlib.sha256(data).hexdigest(),
        size=len(data),
        raw_dir=None if raw_rel is None else out_dir / raw_rel,
        raw=dict(sorted(raw.items())),
    )


def _named(kind: str, paths: list[str], base: str) -> str:
    shown = ", ".join(f"{base}/{p}" for p in paths[:_MAX_NAMED])
    more = f" and {len(paths) - _MAX_NAMED} more" if len(paths) > _MAX_NAMED else ""
    return f"{kind}: {shown}{more}"


def stale_reasons(out_dir: Path) -> list[str]:
    """Why data/processed/ (``out_dir``) cannot be trusted now; empty when it can."""
    out_dir = Path(out_dir)
    shown = config.display_path(out_dir)
    try:
        doc = json.loads((out_dir / SOURCES_NAME).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return [f"{shown}/{SOURCES_NAME} is missing (not built yet, or its build was interrupted)"]
    except (OSError, ValueError) as exc:
        return [f"{shown}/{SOURCES_NAME} cannot be read ({exc})"]
    mixed = [
        name
        for name, digest in doc.get("processed", {}).items()
        if not (out_dir / name).is_file() or atomic.sha256_file(out_dir / name) != digest
    ]
    if mixed:
        kind = "files not written with its sources.json (a build cut short between renames)"
        return [_named(kind, mixed, shown)]
    if doc.get("raw_dir") is None:
        return []
    raw_dir = out_dir / doc["raw_dir"]
    base = config.display_path(raw_dir)
    now = {p.relative_to(raw_dir).as_posix(): p for p in raw_files(raw_dir)}
    then: dict[str, str] = doc.get("raw", {})
    reasons = []
    for kind, paths in (
        ("raw files added since it was built", sorted(set(now) - set(then))),
        ("raw files gone since it was built", sorted(set(then) - set(now))),
        (
            "raw files changed since it was built",
            sorted(r for r in set(now) & set(then) if atomic.sha256_file(now[r]) != then[r]),
        ),
    ):
        if paths:
            reasons.append(_named(kind, paths, base))
    return reasons


def raw_differences(out_dir: Path) -> list[str]:
    """How data/raw/ now differs from what ``out_dir``'s sources.json was built from; empty when
    it does not. The cheap check ``make report`` runs on every build.

    Names first (a file added or gone), then the recorded size and modification time of each
    file; only a file whose time changed at the same size is hashed. Unlike ``stale_reasons``
    it trusts an unchanged size and time: it decides whether to rebuild, and the readers of
    data/processed/ still hash everything before trusting it (once per process for a file
    unchanged since: ``atomic.sha256_file``). A sources.json without sizes and
    times (written before they were recorded) counts as a difference: one rebuild records them.
    """
    out_dir = Path(out_dir)
    try:
        doc = json.loads((out_dir / SOURCES_NAME).read_text(encoding="utf-8"))
        raw_rel, then, stats = doc.get("raw_dir"), dict(doc["raw"]), dict(doc["raw_stat"])
    except FileNotFoundError:
        return ["it is missing"]
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return ["it cannot be read, or records no sizes and times of raw files (an older build)"]
    if raw_rel is None:
        return []
    raw_dir = out_dir / raw_rel
    now = {p.relative_to(raw_dir).as_posix(): p for p in raw_files(raw_dir)}
    changed = sorted(r for r in set(now) & set(then) if _changed(now[r], then[r], stats.get(r)))
    base = config.display_path(raw_dir)
    return [
        _named(kind, paths, base)
        for kind, paths in (
            ("raw files added since it was built", sorted(set(now) - set(then))),
            ("raw files gone since it was built", sorted(set(then) - set(now))),
            ("raw files changed since it was built", changed),
        )
        if paths
    ]


def _changed(path: Path, digest: str, recorded: list[int] | None) -> bool:
    """Whether ``path`` no longer holds the bytes hashed as ``digest``: its size and time when
    recorded, else (or when only the time moved) its SHA-256."""
    st = path.lstat()
    if recorded is not None and [st.st_size, st.st_mtime_ns] == list(recorded):
        return False
    if recorded is not None and st.st_size != recorded[0]:
        return True
    return atomic.sha256_file(path) != digest


def require_current(out_dir: Path) -> None:
    """Raise ``StaleProcessedError`` (saying why, and what to run) unless processed is current."""
    reasons = stale_reasons(out_dir)
    if reasons:
        raise StaleProcessedError(
            f"{config.display_path(out_dir)}/ does not match the raw data it must come from "
            f"({'; '.join(reasons)}): {RUN_PROCESS}"
        )


def invalidate(out_dir: Path) -> None:
    """Mark processed data as not to be trusted (its build was cut short): remove sources.json."""
    path = Path(out_dir) / SOURCES_NAME
    if path.exists():
        path.unlink()
        atomic.fsync_dir(out_dir)


def main(argv: list[str] | None = None) -> int:
    """``python -m troopclaims.store.manifest [PROCESSED_DIR]``: exit 1, saying why, when data/raw/
    differs from what PROCESSED_DIR (default data/processed) was built from; else 0.

    Make runs it (through a cached listing, so a no-op build seldom starts Python) to rebuild
    data/processed/ when a raw file was deleted, which timestamps alone cannot see. A module
    of its own, not a ``troopclaims`` command: it imports only what it needs, no CLI.
    """
    import sys

    args = sys.argv[1:] if argv is None else argv
    out_dir = Path(args[0]) if args else config.PROCESSED_DIR
    reasons = raw_differences(out_dir)
    if reasons:
        print(
            f"data/raw/ differs from {config.display_path(out_dir)}/{SOURCES_NAME} "
            f"({'; '.join(reasons)}): rebuilding {config.display_path(out_dir)}/",
            file=sys.stderr,
        )
    return 1 if reasons else 0


if __name__ == "__main__":
    raise SystemExit(main())
