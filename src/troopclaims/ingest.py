"""Fold a validated data drop into data/raw/drops/ and rebuild data/processed/.

All or nothing. The drop is first validated where it lies, together with the whole existing
dataset, so its author sees problems under their own paths. It is then copied into place with
one rename, and the whole dataset — now including the copy — is validated again and processed:
what lands in data/raw/ is exactly what passed. If that second step fails for any reason, the
copy is removed again. A lock on data/raw/ keeps two ingests from validating against the same
old dataset at once. Ingesting the same drop twice (by name or by content) is refused.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from troopclaims import atomic, completeness, config, contract, load, process, validate
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


def _check_drop_folder(drop: Path, drops_dir: Path) -> list[Problem]:
    """Refusals that need no validation: not a folder, bad name, already ingested."""
    name = config.display_path(drop)
    if not drop.is_dir():
        return [
            Problem(
                name,
                "a drop must be a folder holding claims.csv (and articles.csv with "
                "articles/*.txt when it brings new documents)",
            )
        ]
    if not (drop / "claims.csv").is_file():
        return [Problem(name, "the drop folder has no claims.csv")]
    if not re.fullmatch(contract.ID_PATTERN, drop.name):
        return [
            Problem(
                name,
                "the drop folder's name must be letters, digits, '-', '_' or '.' "
                "(it becomes data/raw/drops/<name>)",
            )
        ]
    if drop.resolve().is_relative_to(drops_dir.resolve()):
        return [Problem(name, "this folder is already inside data/raw/drops/")]
    if (drops_dir / drop.name).exists():
        return [
            Problem(
                name,
                f"a drop named {drop.name!r} was already ingested "
                f"(data/raw/drops/{drop.name}); drops are never overwritten",
            )
        ]
    new_digest = atomic.sha256_file(drop / "claims.csv")
    for existing in sorted(drops_dir.glob("*/claims.csv")) if drops_dir.is_dir() else []:
        if atomic.sha256_file(existing) == new_digest:
            return [
                Problem(
                    name,
                    f"this drop's claims.csv was already ingested as {existing.parent.name!r}",
                )
            ]
    return []


def _drop_files(drop: Path) -> tuple[list[Path], list[str]]:
    """The files to copy (relative paths), and every other file, which is left behind.

    Only the contract's files travel: claims.csv, articles.csv, unclaimed.csv and the article
    texts that articles.csv names (validation has just read exactly those).
    """
    contract_files = ("claims.csv", "articles.csv", completeness.UNCLAIMED_FILE)
    keep = [Path(f) for f in contract_files if (drop / f).is_file()]
    if (drop / "articles.csv").is_file():
        named = load.read_raw_articles(drop / "articles.csv")["file"]
        keep += [Path("articles") / f for f in sorted(set(named))]
    kept = {str(p) for p in keep}
    ignored = [
        str(p.relative_to(drop))
        for p in sorted(drop.rglob("*"))
        if p.is_file() and str(p.relative_to(drop)) not in kept
    ]
    return keep, ignored


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

    Raises ``IngestRefusedError`` (nothing changed) when the drop is refused or invalid. The folders
    default to ``config``'s, read at call time (so tests can point them at a scratch copy).
    """
    drop = Path(drop)
    raw_dir = Path(raw_dir or config.RAW_DIR)
    drops_dir = raw_dir / "drops"
    with _locked(raw_dir):
        problems = _check_drop_folder(drop, drops_dir)
        if problems:
            raise IngestRefusedError(problems)
        report = validate.validate_sources([*load.dataset_sources(raw_dir), load.drop_source(drop)])
        if not report.ok:
            raise IngestRefusedError(report.problems, report)
        keep, ignored = _drop_files(drop)
        target = drops_dir / drop.name
        with atomic.atomic_new_dir(target) as tmp:
            for rel in keep:
                (tmp / rel).parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(drop / rel, tmp / rel)
        try:
            final = process.validate_and_build(raw_dir, processed_dir)
        except BaseException:
            shutil.rmtree(target, ignore_errors=True)  # undo: data/ as it was before
            raise
        if not final.ok:  # the drop changed between the two validations
            shutil.rmtree(target, ignore_errors=True)
            raise IngestRefusedError(final.problems, final)
    copied = load.drop_source(target)
    n_articles = len(load.read_raw_articles(copied.articles_csv)) if copied.articles_csv else 0
    return IngestResult(
        drop.name, target, len(load.read_raw_claims(copied.claims_csv)), n_articles, final, ignored
    )
