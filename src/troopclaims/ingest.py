"""Fold a validated data drop into data/raw/drops/ and rebuild data/processed/.

All or nothing: the drop is validated against the whole existing dataset first; it is copied
into place with one rename; processed data is rebuilt from the new whole; if anything fails
after the copy, the copy is removed again. Either way every file under data/ is left as it was
or as it should be, never in between. Ingesting the same drop twice is refused.
"""

from __future__ import annotations

import hashlib
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from troopclaims import atomic, config, load, process, validate
from troopclaims.problems import DataError, Problem

DROP_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
CONTRACT_FILES = ("claims.csv", "articles.csv")


@dataclass
class IngestResult:
    """What an ingest did: where the drop went and what it added."""

    name: str
    target: Path
    claims_added: int
    articles_added: int
    report: validate.ValidationReport
    ignored: list[str]


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _check_drop_folder(drop: Path, drops_dir: Path) -> list[Problem]:
    """Refusals that need no validation: not a folder, bad name, already ingested."""
    name = config.display_path(drop)
    if not drop.is_dir():
        return [
            Problem(
                name,
                "a drop must be a folder holding claims.csv (and articles.csv "
                "with articles/*.txt when it brings new documents)",
            )
        ]
    if not (drop / "claims.csv").is_file():
        return [Problem(name, "the drop folder has no claims.csv")]
    if not DROP_NAME.match(drop.name):
        return [
            Problem(
                name,
                "the drop folder's name must be letters, digits, '-', '_' or "
                "'.' (it becomes data/raw/drops/<name>)",
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
    new_digest = _digest(drop / "claims.csv")
    for existing in sorted(drops_dir.glob("*/claims.csv")) if drops_dir.is_dir() else []:
        if _digest(existing) == new_digest:
            return [
                Problem(
                    name, f"this drop's claims.csv was already ingested as {existing.parent.name!r}"
                )
            ]
    return []


def _contract_paths(drop: Path) -> tuple[list[Path], list[str]]:
    """The files a drop may bring (relative paths), and the ones that will be left behind."""
    keep = [Path(f) for f in CONTRACT_FILES if (drop / f).is_file()]
    articles = drop / "articles"
    if articles.is_dir():
        keep += [
            p.relative_to(drop)
            for p in sorted(articles.glob("*.txt"))
            if p.is_file() and not p.is_symlink()
        ]
    kept = {str(p) for p in keep}
    ignored = [
        str(p.relative_to(drop))
        for p in sorted(drop.rglob("*"))
        if p.is_file() and str(p.relative_to(drop)) not in kept
    ]
    return keep, ignored


def ingest(
    drop: Path, raw_dir: Path | None = None, processed_dir: Path | None = None
) -> IngestResult:
    """Validate ``drop`` with the dataset, copy it in, rebuild processed data; or change nothing.

    Raises ``DataError`` (nothing changed) when the drop is refused or invalid. The folders
    default to ``config``'s, read at call time (so tests can point them at a scratch copy).
    """
    drop = Path(drop)
    raw_dir = raw_dir or config.RAW_DIR
    processed_dir = processed_dir or config.PROCESSED_DIR
    drops_dir = raw_dir / "drops"
    problems = _check_drop_folder(drop, drops_dir)
    if problems:
        raise DataError(problems)
    sources = [*load.dataset_sources(raw_dir), load.drop_source(drop)]
    report = validate.validate_sources(sources)
    if not report.ok:
        raise DataError(report.problems)
    keep, ignored = _contract_paths(drop)
    target = drops_dir / drop.name
    with atomic.atomic_new_dir(target) as tmp:
        for rel in keep:
            (tmp / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(drop / rel, tmp / rel)
    try:
        process.rebuild(load.dataset_sources(raw_dir), processed_dir)
    except BaseException:
        shutil.rmtree(target, ignore_errors=True)  # undo: data/ as it was before
        raise
    drop_src = load.drop_source(target)
    added_claims = len(load.read_raw_claims(drop_src.claims_csv))
    added_articles = (
        len(load.read_raw_articles(drop_src.articles_csv)) if drop_src.articles_csv else 0
    )
    return IngestResult(drop.name, target, added_claims, added_articles, report, ignored)
