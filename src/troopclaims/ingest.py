"""Fold a validated data drop into data/raw/drops/ and rebuild data/processed/.

All or nothing. The drop is read once into a snapshot (``snapshot``: no link followed, only
regular files within their size limits) and validated together with the whole existing dataset,
so its author sees problems under their own paths. Exactly the snapshot's bytes are then written
into place with one rename (nothing is read from the drop again, so it cannot change between the
check and the copy), and the whole dataset, now including the copy, is validated again and
processed. If that second step fails for any reason, the copy is removed again. A lock on
data/raw/ keeps two ingests from validating against the same old dataset at once. Ingesting the
same drop twice (by name or by content) is refused.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from troopclaims import atomic, config, load, process, snapshot, validate
from troopclaims.problems import DataError, Problem


class IngestRefusedError(DataError):
    """The drop was refused; ``report`` holds the validation run that refused it (if any)."""

    def __init__(self, problems: list[Problem], report: validate.ValidationReport | None = None):
        super().__init__(problems)
        self.report = report or validate.ValidationReport(problems=problems)


@dataclass
class IngestResult:
    """What an ingest did: where the drop went, what it added, and the final validation."""

    name: str
    target: Path
    claims_added: int
    articles_added: int
    report: validate.ValidationReport
    ignored: list[str]


def _already_ingested(
    candidate: load.Source, dataset: list[load.Source], drops_dir: Path
) -> list[Problem]:
    """Refusals of a drop the dataset already holds: by name, or by its claims.csv's bytes."""
    name = config.display_path(candidate.folder)
    if os.path.lexists(drops_dir / candidate.name):
        return [
            Problem(
                name,
                f"a drop named {candidate.name!r} was already ingested "
                f"(data/raw/drops/{candidate.name}); drops are never overwritten",
            )
        ]
    entry = candidate.files.entry(candidate.claims_csv)
    digest = entry.sha256 if entry is not None else None
    for source in dataset[1:] if digest else []:  # the base is not a drop
        existing = source.files.entry(source.claims_csv)
        if existing is not None and existing.sha256 == digest:
            return [
                Problem(name, f"this drop's claims.csv was already ingested as {source.name!r}")
            ]
    return []


def _rows_from(frame: pd.DataFrame | None, path: Path | None) -> int:
    """How many rows of a validated frame came from ``path`` (0 when it brought none)."""
    if frame is None or path is None:
        return 0
    return int((frame[load.SOURCE_FILE_COLUMN] == config.display_path(path)).sum())


def _write_files(folder: Path, files: list[tuple[str, bytes]]) -> None:
    """Write the snapshot's bytes under ``folder``: exactly what was validated, nothing re-read."""
    for rel, data in files:
        target = folder / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


@contextlib.contextmanager
def _locked(raw_dir: Path) -> Iterator[None]:
    """An exclusive advisory lock on data/raw/ (the folder itself: no lock file is written)."""
    fd = os.open(raw_dir, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def ingest(
    drop: Path, raw_dir: Path | None = None, processed_dir: Path | None = None
) -> IngestResult:
    """Validate ``drop`` with the dataset, copy it in, rebuild processed data; or change nothing.

    The drop is read once (``load.read_source``: no link followed, regular files within their
    size limits); validation judges those bytes, and exactly those bytes are written to
    data/raw/drops/<name>/. Raises ``IngestRefusedError`` (nothing changed) when the drop is
    refused or invalid. The folders default to ``config``'s, read at call time (so tests can
    point them at a scratch copy).
    """
    drop = Path(drop)
    raw_dir = Path(raw_dir or config.RAW_DIR)
    drops_dir = raw_dir / "drops"
    with _locked(raw_dir):
        problems = snapshot.check_drop(drop, raw_dir, allow_csv=False)
        if problems:
            raise IngestRefusedError(problems)
        dataset = [load.read_source(s) for s in load.dataset_sources(raw_dir)]
        candidate = load.read_source(load.drop_source(drop))
        problems = _already_ingested(candidate, dataset, drops_dir)
        if problems:
            raise IngestRefusedError(problems)
        report, claims, articles = validate.read_and_validate([*dataset, candidate])
        if not report.ok:
            raise IngestRefusedError(report.problems, report)
        target = drops_dir / drop.name
        with atomic.atomic_new_dir(target) as tmp:
            _write_files(tmp, candidate.files.written())
        try:
            final = process.validate_and_build(raw_dir, processed_dir)
        except BaseException:
            shutil.rmtree(target, ignore_errors=True)  # undo: data/ as it was before
            raise
        if not final.ok:  # cannot happen: the same bytes passed above
            shutil.rmtree(target, ignore_errors=True)
            raise IngestRefusedError(final.problems, final)
    return IngestResult(
        drop.name,
        target,
        _rows_from(claims, candidate.claims_csv),
        _rows_from(articles, candidate.articles_csv),
        final,
        candidate.files.others,
    )
