"""File operations every stage shares: atomic output, and content fingerprints.

Atomic output: write beside the target, then rename it into place. A crash or a failed step
mid-write must leave the previous good file intact, and readers must never see a half-written
file; a rename within one directory gives both on POSIX. Fingerprints (SHA-256) identify inputs
in the report's provenance and recognise a drop that was already ingested.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path in ``target``'s folder; on success rename it onto ``target``.

    The caller writes the temporary path however it likes (pandas, WeasyPrint, nbconvert); an
    exception leaves ``target`` untouched and removes the temporary file.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        tmp.chmod(0o644)
        tmp.replace(target)
    finally:
        tmp.unlink(missing_ok=True)


def write_bytes(target: Path, data: bytes) -> None:
    """Atomically replace ``target`` with ``data``."""
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)


def write_text(target: Path, text: str) -> None:
    """Atomically replace ``target`` with UTF-8 ``text``."""
    write_bytes(target, text.encode("utf-8"))


@contextlib.contextmanager
def atomic_new_dir(target: Path) -> Iterator[Path]:
    """Yield a scratch folder beside ``target``; on success rename it to ``target``.

    For a set of files that must appear whole or not at all (a drop copied into data/raw/drops/).
    ``target`` must not exist: a drop, once in, is never overwritten.
    """
    target = Path(target)
    if target.exists():
        raise FileExistsError(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))
    try:
        yield tmp
        tmp.chmod(0o755)
        tmp.rename(target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def sha256_file(path: Path) -> str:
    """Hex SHA-256 of a file, read in blocks (a drop's articles may be large)."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
