"""Read a folder of untrusted files once: each file's bytes and SHA-256, or why it was refused.

A data drop comes from outside (GUIDE.md). A path checked first and opened later can be raced
(swapped for a symlink in between), and a FIFO, a device or a link to ``/dev/zero`` hangs a
reader or exhausts its memory. So, as tar and rsync do: the folder is opened once without
following a link (``O_DIRECTORY|O_NOFOLLOW``); each file is opened *relative to that descriptor*
without following a link (``O_NOFOLLOW``; ``O_NONBLOCK`` so a FIFO cannot hang the open); the
opened descriptor, not the path, is checked with ``fstat`` (a regular file within its size
limit, ``config.MAX_*_BYTES``); and it is read with a bound. The bytes read are what validation
checks and what ingest writes: nothing of a drop is read twice.

Only the files the drop contract names are read: ``claims.csv``, ``articles.csv``,
``unclaimed.csv``, and the texts under ``articles/`` that articles.csv names (found from its
bytes, then opened through the same open ``articles/`` folder). Anything else is only listed, to
be reported as left behind. A symlink, FIFO, device or socket among those paths, or a file over
its limit, is a located problem. ``check_drop`` holds the rules on a drop's own path and name,
which ``validate`` and ``ingest`` share.
"""

from __future__ import annotations

import errno
import functools
import hashlib
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

from troopclaims import config, contract
from troopclaims.csvformat import peek_articles
from troopclaims.problems import DataError, Problem

CLAIMS_CSV = "claims.csv"
ARTICLES_CSV = "articles.csv"
UNCLAIMED_CSV = "unclaimed.csv"
ARTICLES_DIR = "articles"
DROP_CSVS = (CLAIMS_CSV, ARTICLES_CSV, UNCLAIMED_CSV)
MAX_LISTED = 200  # files outside the contract listed by name (they are never read)

_FILE_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC
_LINK_RULE = (
    "is a symbolic link: a drop's files must be regular files inside the drop folder "
    "(links are not followed)"
)
NAME_RULE = (
    "the drop folder's name must be 1 to 64 letters, digits, '-', '_' or '.', starting with a "
    "letter or digit (it becomes data/raw/drops/<name>)"
)


@dataclass(frozen=True)
class Entry:
    """One file of a snapshot: its bytes, or why they were not read.

    ``problem`` is a refusal (not a regular file, over its size limit): reported as such, at the
    file. ``error`` is the system's reason a regular file could not be read (permission denied):
    validation reports that under the rule of the row that names the file.
    """

    path: Path
    data: bytes | None = None
    problem: Problem | None = None
    error: str | None = None

    @functools.cached_property
    def sha256(self) -> str | None:
        """Hex SHA-256 of the bytes read (computed once, when first asked)."""
        return None if self.data is None else hashlib.sha256(self.data).hexdigest()


@dataclass
class Snapshot:
    """What was read of one folder (or one lone CSV): entries by path relative to ``folder``.

    A file the contract names but that is absent has no entry. ``refused`` is set when the folder
    itself could not be opened safely (nothing in it was read); ``others`` lists the files that
    are not part of the contract (never read).
    """

    folder: Path
    entries: dict[str, Entry] = field(default_factory=dict)
    refused: Problem | None = None
    others: list[str] = field(default_factory=list)

    def entry(self, path: Path) -> Entry | None:
        """The entry of ``path`` (inside ``folder``), or None when it was absent or not read."""
        try:
            rel = Path(path).relative_to(self.folder)
        except ValueError:
            return None
        return self.entries.get(rel.as_posix())

    def data(self, path: Path) -> bytes:
        """The bytes read of ``path``; ``DataError`` saying why when there are none."""
        if self.refused is not None:
            raise DataError([self.refused])
        entry = self.entry(path)
        if entry is None:
            raise DataError([Problem(shown(path), "file not found")])
        if entry.problem is not None:
            raise DataError([entry.problem])
        if entry.data is None:
            raise DataError([Problem(shown(path), f"cannot read file ({entry.error})")])
        return entry.data

    def text(self, name: str) -> Entry | None:
        """The entry of the article text ``articles/<name>``, if articles.csv named it."""
        return self.entries.get(f"{ARTICLES_DIR}/{name}")

    def text_refusals(self) -> list[Problem]:
        """Refusals among the article texts (and of articles/ itself), each once."""
        found = [e.problem for rel, e in self.entries.items() if rel.startswith(f"{ARTICLES_DIR}/")]
        return list(dict.fromkeys(p for p in found if p is not None))

    def written(self) -> list[tuple[str, bytes]]:
        """(relative path, bytes) of every file read whole: what ingest copies, byte for byte."""
        return [(rel, e.data) for rel, e in sorted(self.entries.items()) if e.data is not None]


def shown(path: Path) -> str:
    """``path`` as messages show it, without following a link at its end (a symlinked claims.csv
    is named as itself, not as its target)."""
    path = Path(path)
    return str(Path(config.display_path(path.parent)) / path.name)


def _kind(mode: int) -> str:
    """What a non-regular file is, in the words of a refusal."""
    for test, word in (
        (stat.S_ISLNK, "a symbolic link"),
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISFIFO, "a FIFO (named pipe)"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    ):
        if test(mode):
            return word
    return "not a regular file"


def _refusal(path: Path, mode: int, wanted: str = "a regular file") -> Problem:
    if stat.S_ISLNK(mode):
        return Problem(shown(path), _LINK_RULE)
    return Problem(
        shown(path),
        f"is {_kind(mode)}, not {wanted}: a drop holds only regular files and folders, "
        "and nothing else is read",
    )


def _too_big(path: Path, size: int | None, limit: int, what: str, setting: str) -> Problem:
    told = f"is {size:,} bytes" if size is not None else "is over the limit"
    return Problem(shown(path), f"{told}: {what} may be at most {limit:,} bytes (config.{setting})")


def _read_bounded(fd: int, size: int, limit: int) -> bytes | None:
    """Up to ``limit`` bytes of an open regular file; None when it holds more (it grew).

    One read of the size fstat gave is normally the whole file, in one allocation (a 370 MB CSV
    is never held twice); further reads only happen when the file grew or a read came up short.
    """
    chunks = [os.read(fd, min(size, limit) + 1)]
    total = len(chunks[0])
    while chunks[-1] and total <= limit:
        chunks.append(os.read(fd, min(1 << 24, limit + 1 - total)))
        total += len(chunks[-1])
    if total > limit:
        return None
    return chunks[0] if len(chunks) <= 2 else b"".join(chunks)


_LIMITS = {"csv": ("a CSV file", "MAX_CSV_BYTES"), "text": ("an article text", "MAX_ARTICLE_BYTES")}


def _read_at(dir_fd: int | None, name: str, path: Path, kind: str) -> Entry | None:
    """Read ``name`` in the open folder ``dir_fd`` (``path`` names it in messages); None if absent.

    The entry is looked at first (a device or FIFO is never even opened), then opened without
    following a link, and the opened descriptor is checked again: a file swapped after the first
    look is judged as what was actually opened.
    """
    what, setting = _LIMITS[kind]
    limit = getattr(config, setting)  # read at call time: tests lower it
    try:
        info = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
    except FileNotFoundError:
        return None
    except OSError as exc:
        return Entry(path, error=exc.strerror)
    if not stat.S_ISREG(info.st_mode):
        return Entry(path, problem=_refusal(path, info.st_mode))
    try:
        fd = os.open(name, _FILE_FLAGS, dir_fd=dir_fd)
    except FileNotFoundError:
        return None
    except OSError as exc:
        if exc.errno == errno.ELOOP:  # swapped for a link since we looked
            return Entry(path, problem=Problem(shown(path), _LINK_RULE))
        return Entry(path, error=exc.strerror)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return Entry(path, problem=_refusal(path, info.st_mode))
        if info.st_size > limit:
            return Entry(path, problem=_too_big(path, info.st_size, limit, what, setting))
        data = _read_bounded(fd, info.st_size, limit)
    except OSError as exc:
        return Entry(path, error=exc.strerror)
    finally:
        os.close(fd)
    if data is None:
        return Entry(path, problem=_too_big(path, None, limit, what, setting))
    return Entry(path, data=data)


def _open_folder(name: str | Path, dir_fd: int | None, path: Path, follow: bool) -> int | Problem:
    """An open descriptor on the folder ``name``, or the problem that refuses it."""
    flags = _DIR_FLAGS if follow else _DIR_FLAGS | os.O_NOFOLLOW
    try:
        return os.open(name, flags, dir_fd=dir_fd)
    except FileNotFoundError:
        return Problem(shown(path), "no such folder")
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.ENOTDIR):
            try:
                mode = os.stat(name, dir_fd=dir_fd, follow_symlinks=False).st_mode
            except OSError:
                mode = stat.S_IFLNK if exc.errno == errno.ELOOP else 0
            return _refusal(path, mode, "a folder")
        return Problem(shown(path), f"cannot open the folder ({exc.strerror})")


def named_texts(articles_csv: bytes) -> list[str]:
    """The article files an articles.csv names, each once, in order; only plain names (the
    contract's file-name rule): any other name is never opened, and validation reports it."""
    names = (name for (name,) in peek_articles(articles_csv, ("file",)))
    return list(dict.fromkeys(n for n in names if re.fullmatch(contract.FILE_PATTERN, n)))


def _read_texts(dir_fd: int, snap: Snapshot) -> None:
    """Read the texts articles.csv names, through one open ``articles/`` folder."""
    articles = snap.entries.get(ARTICLES_CSV)
    names = named_texts(articles.data) if articles and articles.data is not None else []
    folder = snap.folder / ARTICLES_DIR
    try:
        os.stat(ARTICLES_DIR, dir_fd=dir_fd, follow_symlinks=False)
    except FileNotFoundError:
        return  # every named text is then missing: validation's file rule says so, per row
    opened = _open_folder(ARTICLES_DIR, dir_fd, folder, follow=False)
    if isinstance(opened, Problem):  # one refusal, shared by the texts it hides
        for name in names or [""]:
            snap.entries[f"{ARTICLES_DIR}/{name}"] = Entry(folder / name, problem=opened)
        return
    total = 0
    try:
        for name in names:
            entry = _read_at(opened, name, folder / name, "text")
            if entry is None:
                continue
            if entry.data is not None:
                total += len(entry.data)
                if total > config.MAX_ARTICLES_TOTAL_BYTES:
                    entry = Entry(
                        entry.path,
                        problem=_too_big(
                            entry.path,
                            None,
                            config.MAX_ARTICLES_TOTAL_BYTES,
                            "the article texts of one folder together",
                            "MAX_ARTICLES_TOTAL_BYTES",
                        ),
                    )
            snap.entries[f"{ARTICLES_DIR}/{name}"] = entry
    finally:
        os.close(opened)


def _others(dir_fd: int, snap: Snapshot) -> list[str]:
    """Up to ``MAX_LISTED`` paths in the folder that are not part of the contract (not read).

    Walked through descriptors without following links (``os.fwalk``); a link is listed by its
    own name, like a file.
    """
    listed: list[str] = []
    for top, dirs, files, top_fd in os.fwalk(".", follow_symlinks=False, dir_fd=dir_fd):
        dirs.sort()
        links = [
            d
            for d in dirs
            if stat.S_ISLNK(os.stat(d, dir_fd=top_fd, follow_symlinks=False).st_mode)
        ]
        for name in sorted(files + links):
            rel = (Path(top) / name).as_posix()
            if rel in snap.entries or rel == ARTICLES_DIR:
                continue
            listed.append(rel)
            if len(listed) > MAX_LISTED:
                return [*listed[:MAX_LISTED], "… (more files, not listed)"]
    return listed


def read_folder(folder: Path, follow: bool = False) -> Snapshot:
    """Read a drop (or the dataset's base) folder: its contract CSVs and named texts, once.

    ``follow`` opens the folder even when its own path is a symlink: for data/raw/, which is
    ours; a drop's folder is never followed. Problems are recorded, not raised.
    """
    folder = Path(folder)
    snap = Snapshot(folder)
    opened = _open_folder(folder, None, folder, follow)
    if isinstance(opened, Problem):
        snap.refused = opened
        return snap
    try:
        for name in DROP_CSVS:
            entry = _read_at(opened, name, folder / name, "csv")
            if entry is not None:
                snap.entries[name] = entry
        _read_texts(opened, snap)
        snap.others = _others(opened, snap)
    finally:
        os.close(opened)
    return snap


def read_lone_csv(path: Path, kind: str = "csv") -> Snapshot:
    """A snapshot holding one file given on its own (a claims CSV validated without a folder,
    or, with ``kind="text"``, an article text new-drop copies)."""
    path = Path(path)
    snap = Snapshot(path.parent)
    opened = _open_folder(path.parent, None, path.parent, follow=True)
    if isinstance(opened, Problem):
        snap.refused = opened
        return snap
    try:
        entry = _read_at(opened, path.name, path, kind)
    finally:
        os.close(opened)
    if entry is not None:
        snap.entries[path.name] = entry
    return snap


def read_file(path: Path, kind: str = "csv") -> bytes:
    """One file's bytes, read as a drop's are (no link followed, a regular file within the limit
    of its ``kind``: "csv" or "text"); ``DataError`` with the located reason otherwise."""
    return read_lone_csv(path, kind).data(path)


def check_drop(path: Path, raw_dir: Path, allow_csv: bool) -> list[Problem]:
    """Refusals a drop earns by its path alone, before anything in it is read.

    One rule set for ``validate`` and ``ingest``, so a drop that validates is not then refused
    for its name: the path must be a folder (or, for ``validate`` only, ``allow_csv``, a lone
    claims CSV), not a link or special file, named by the id rule (it becomes
    data/raw/drops/<name>), and not already inside ``raw_dir``.
    """
    path = Path(path)
    where = shown(path)
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return [Problem(where, "no such file or folder")]
    except OSError as exc:
        return [Problem(where, f"cannot be read ({exc.strerror})")]
    if stat.S_ISREG(mode) and allow_csv:
        return []
    if not stat.S_ISDIR(mode):
        wanted = "a drop folder or a claims CSV" if allow_csv else "a drop folder"
        problem = _refusal(path, mode, wanted)
        if stat.S_ISREG(mode):
            problem = Problem(
                where,
                "a drop must be a folder holding claims.csv (and articles.csv with "
                "articles/*.txt when it brings new documents)",
            )
        return [problem]
    if not re.fullmatch(contract.ID_PATTERN, path.name):
        return [Problem(where, NAME_RULE, value=path.name)]
    raw = Path(raw_dir).resolve()
    if path.resolve().is_relative_to(raw):
        return [
            Problem(
                where,
                f"this folder is inside {config.display_path(raw)}/, the dataset itself: "
                "a drop comes from outside it",
            )
        ]
    return []
