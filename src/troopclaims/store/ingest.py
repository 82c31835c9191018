"""Fold a validated data drop into data/raw/drops/ and rebuild data/processed/.

All or nothing, and crash-consistent. Under the exclusive data lock (``atomic.locked``), after
clearing what interrupted runs left:

1. The drop is read once into a snapshot (``snapshot``: no link followed, only regular files
   within their size limits) and validated together with the whole dataset, so its author sees
   problems under their own paths; a refusal changes nothing.
2. data/processed/ for the dataset plus the drop is written under temporary names, from the very
   frames validated (``process.staged``), with the verdict relabelled to where the drop's files
   will live.
3. Exactly the snapshot's bytes are written to a hidden folder in data/raw/drops/, fsynced, and
   renamed to data/raw/drops/<name>/ in one step (parent fsynced): nothing is read from the drop
   again, so it cannot change between the check and the copy.
4. data/processed/'s files are renamed into place, sources.json last (``manifest``).

A failure or Ctrl-C before step 3 leaves data/ unchanged; between 3 and 4 the drop is rolled
back (renamed to a hidden trash name, then deleted); once step 4 has begun, processed data may
hold the drop's claims, so the drop stays and processed data is marked out of date. A SIGKILL
anywhere leaves raw and processed consistent (no processed claim without its raw file): before
the rename only hidden leftovers, which the next run removes; after it a drop whose processed
data is stale, which every reader detects, until ``troopclaims process``. Ingesting the same
drop twice (by name or by content) is refused.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from troopclaims import atomic, config
from troopclaims.checks import validate
from troopclaims.checks.verdict import ValidationReport
from troopclaims.intake import load, snapshot
from troopclaims.problems import DataError, Problem
from troopclaims.store import manifest, process


class IngestRefusedError(DataError):
    """The drop was refused; ``report`` holds the validation run that refused it (if any)."""

    def __init__(self, problems: list[Problem], report: ValidationReport | None = None):
        super().__init__(problems)
        self.report = report or ValidationReport(problems=problems)


@dataclass
class IngestResult:
    """What an ingest did: where the drop went, what it added, and the final validation."""

    name: str
    target: Path
    claims_added: int
    articles_added: int
    report: ValidationReport
    ignored: list[str]


def _rows_from(frame: pd.DataFrame | None, path: Path | None) -> int:
    """How many rows of a validated frame came from ``path`` (0 when it brought none)."""
    if frame is None or path is None:
        return 0
    return int((frame[load.SOURCE_FILE_COLUMN] == config.display_path(path)).sum())


def _relabel(report: ValidationReport, old: str, new: str) -> ValidationReport:
    """The verdict with the drop's paths (``old``) moved to where its copy lives (``new``): the
    verdict written beside processed data names data/raw/ files, as a process run would."""

    def moved(text: str) -> str:
        # the drop's path where a path starts: the text's start, or after the ", " that joins a
        # list of files; never inside another path ("data/raw/..." of a drop named "a" at the
        # project root). Found, not split: the drop's own path may hold ", ".
        prefix, out, pos = old + "/", [], 0
        while (at := text.find(prefix, pos)) >= 0:
            if at == 0 or text.startswith(", ", at - 2):
                out += [text[pos:at], new + "/"]
                pos = at + len(prefix)
            else:
                out.append(text[pos : at + 1])
                pos = at + 1
        return "".join([*out, text[pos:]])

    return dataclasses.replace(
        report,
        problems=[dataclasses.replace(p, file=moved(p.file)) for p in report.problems],
        files=[moved(f) for f in report.files],
        read_as={moved(k): v for k, v in report.read_as.items()},
    )


def _without_left_behind(report: ValidationReport) -> ValidationReport:
    """The verdict without the warnings about the drop's files outside the contract: they are
    not copied (the CLI lists them), so the dataset's verdict does not name them."""
    kept = [p for p in report.problems if p.expectation != snapshot.LEFT_BEHIND]
    return dataclasses.replace(report, problems=kept)


def _copy_in(files: list[tuple[str, bytes]], target: Path) -> None:
    """Write the snapshot's bytes into a hidden folder, then rename it to ``target`` (fsynced):
    exactly what was validated, nothing re-read. Kill point ``ingest-copy`` after one file."""
    with atomic.atomic_new_dir(target) as tmp:
        for i, (rel, data) in enumerate(files):
            path = tmp / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            if i == 0:
                atomic.kill_point("ingest-copy")


def _undo(target: Path, commit: process.Commit, processed_dir: Path) -> str:
    """Undo what part of the ingest happened, and say exactly what state data/ is left in.

    Before data/processed/'s renames began, the drop is rolled back if it got in: whether it
    did is read from the disk, not from how far the code thinks it got (a Ctrl-C can land
    between the rename and the next line). Once they began, processed data may already hold the
    drop's claims, so the drop stays (no processed claim without its raw file) and processed
    data is marked out of date. A second Ctrl-C cannot cut this short; a SIGKILL leaves trash
    that the next run removes.
    """
    shown = config.display_path(target)
    with atomic.no_interrupt():
        if commit.started:
            manifest.invalidate(processed_dir)
            return (
                f"while data/processed/ was being replaced: the drop is in {shown} (ingested) "
                f"and data/processed/ is marked out of date; {manifest.RUN_PROCESS}"
            )
        if not os.path.lexists(target):
            return (
                f"before the drop was renamed into {shown}: its partial copy and data/processed/'s"
                " new files were removed; data/ is unchanged"
            )
        atomic.remove_dir(target, "ingest-rollback")
    return (
        f"after the drop was renamed into {shown}, before data/processed/ was replaced: "
        "the drop has been rolled back (removed again); data/ is as it was before"
    )


def _commit(
    candidate: snapshot.Source,
    target: Path,
    frames: tuple[pd.DataFrame, pd.DataFrame],
    processed_dir: Path,
    final: ValidationReport,
    raw: manifest.RawRecord,
) -> None:
    """Steps 2-4 of the module docstring; any failure or Ctrl-C is undone (``_undo``)."""
    claims, articles = process.type_claims(frames[0]), process.type_articles(frames[1])
    commit = process.Commit()
    try:
        with process.staged(claims, articles, processed_dir, final, raw) as commit:
            _copy_in(candidate.files.written(), target)
            atomic.kill_point("ingest-renamed")
    except BaseException as exc:
        state = _undo(target, commit, processed_dir)
        if isinstance(exc, KeyboardInterrupt):
            raise atomic.Interrupted(state) from None
        exc.add_note(f"ingest stopped {state}")
        raise


def _read(drop: Path, raw_dir: Path) -> tuple[list[snapshot.Source], snapshot.Source]:
    """The dataset and the drop, each read once; ``IngestRefusedError`` for a drop refused by
    its path or name, or one already ingested (``snapshot.read_candidate``: validate's too)."""
    try:
        return snapshot.read_candidate(drop, raw_dir, allow_csv=False)
    except DataError as err:
        raise IngestRefusedError(err.problems) from None


def ingest(
    drop: Path, raw_dir: Path | None = None, processed_dir: Path | None = None
) -> IngestResult:
    """Validate ``drop`` with the dataset, copy it in, rebuild processed data; or change nothing.

    Raises ``IngestRefusedError`` (nothing changed) when the drop is refused or invalid, and
    ``atomic.Interrupted`` (saying what state data/ is in) on Ctrl-C. The folders default to
    ``config``'s, read at call time (so tests can point them at a scratch copy).
    """
    drop = Path(drop)
    raw_dir = Path(raw_dir or config.RAW_DIR)
    processed_dir = Path(processed_dir or config.PROCESSED_DIR)
    target = raw_dir / config.DROPS_FOLDER / drop.name
    try:
        with atomic.locked(raw_dir, exclusive=True):
            process.recover(raw_dir, processed_dir)
            dataset, candidate = _read(drop, raw_dir)
            report, claims, articles = validate.read_and_validate([*dataset, candidate])
            if not report.ok:
                raise IngestRefusedError(report.problems, report)
            old, new = config.display_path(drop), config.display_path(target)
            final = _relabel(_without_left_behind(report), old, new)
            moved = {candidate.files.folder: target}
            raw = manifest.RawRecord(raw_dir, process.known_hashes([*dataset, candidate], moved))
            _commit(candidate, target, (claims, articles), processed_dir, final, raw)
    except KeyboardInterrupt as exc:
        if isinstance(exc, atomic.Interrupted):
            raise
        raise atomic.Interrupted(
            "before anything was written (while reading and validating): data/ is unchanged"
        ) from None
    return IngestResult(
        drop.name,
        target,
        _rows_from(claims, candidate.claims_csv),
        _rows_from(articles, candidate.articles_csv),
        final,
        candidate.files.others,
    )
