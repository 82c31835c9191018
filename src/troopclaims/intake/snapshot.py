"""Read a folder of untrusted files once: each file's bytes and SHA-256, or why it was refused.

A data drop comes from outside (README.md, "Trust and safety of drops"). A path checked first
and opened later can be raced (swapped for a symlink in between), and a FIFO, a device or a link
to ``/dev/zero`` hangs a reader or exhausts its memory. So, as tar and rsync do: the folder is
opened once without following a link (``O_DIRECTORY|O_NOFOLLOW``); each file is opened
*relative to that descriptor* without following a link (``O_NOFOLLOW``; ``O_NONBLOCK`` so a
FIFO cannot hang the open); the opened descriptor, not the path, is checked with ``fstat`` (a
regular file within its size limit, ``config.MAX_*_BYTES``); and it is read with a bound. The
bytes read are what validation checks and what ingest writes: nothing of a drop is read twice.

Only the files the drop contract names are read: ``claims.csv``, ``articles.csv``,
``unclaimed.csv``, and the texts under ``articles/`` that articles.csv names (found from its
bytes, then opened through the same open ``articles/`` folder). The whole folder is then walked,
through descriptors and without following a link (at most ``MAX_DROP_ENTRIES`` entries,
``MAX_DROP_DEPTH`` folders deep): a symlink, FIFO, device or socket anywhere in it, like a
contract file over its limit, is a located problem; any other regular file is only listed, to
be reported as left behind (except ``claims.draft.csv``, the curator's draft: not data, never
read, not listed, not copied; a link or special file of that name is refused like any).
``check_drop`` holds the rules on a drop's own path and name, and
``already_ingested`` the rule on its content: ``validate`` and ``ingest`` share both, through
``read_candidate``.

It is the intake's first stage (``take``): the dataset's sources (``Source``: the base, each
ingested drop, a candidate drop) in, every file of them read once, out (``Taken``); no later
stage opens a file or asks the snapshot again.
"""

from __future__ import annotations

import errno
import functools
import hashlib
import os
import re
import stat
from collections.abc import Collection
from dataclasses import dataclass, field, replace
from pathlib import Path

from troopclaims import config, contract
from troopclaims.intake.csvformat import RawCSV, peek_articles
from troopclaims.problems import DataError, Problem

DROP_CSVS = (config.CLAIMS_FILE, config.ARTICLES_FILE, config.UNCLAIMED_FILE)
MAX_LISTED = 200  # files outside the contract listed by name (they are never read)
# A folder's walk looks at this many entries (files, folders, anything) and goes this many folders
# deep at most; past either, the drop is refused (a drop is a few CSVs and texts, and the walk
# must not cost without bound). Read at call time: tests lower them.
MAX_DROP_ENTRIES = 10_000
MAX_DROP_DEPTH = 32
MORE_OTHERS = "… (more files, not listed)"
LEFT_BEHIND = "left_behind"  # the ``expectation`` of the warnings about files outside the contract
LEFT_BEHIND_RULE = (
    "not part of the drop contract: never read, and ingest leaves it behind (only claims.csv, "
    "articles.csv, unclaimed.csv and the texts articles.csv names are copied)"
)

_FILE_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC
_LINK_RULE = (
    "is a symbolic link: a drop's files must be regular files inside the drop folder "
    "(links are not followed)"
)


def _hard_link_rule(links: int) -> str:
    """Why a file with several names is refused: any of its names may be the original, so one
    inside the drop can be another name of a file outside it (``ln /etc/hostname drop/a.txt``),
    and reading it would copy that file into data/raw/ and publish it in the report."""
    return (
        f"has {links:,} hard links: a drop's files must have exactly one name (another name "
        "may be a file outside the drop; copy the file instead of linking it)"
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
    itself could not be opened safely (nothing in it was read); ``others`` lists the regular files
    that are not part of the contract (never read; ``MORE_OTHERS`` last when there were more than
    ``MAX_LISTED``); ``problems`` are the walk's refusals: links, FIFOs, devices and sockets
    that are not contract files (those are refused in their entry), and the walk's own limits.
    ``shown`` is the folder as messages name it, taken once: every file read is named from it
    (``name_of``), so no later stage works out a file's name again.
    """

    folder: Path
    entries: dict[str, Entry] = field(default_factory=dict)
    refused: Problem | None = None
    others: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    shown: str = ""

    def name_of(self, path: Path) -> str:
        """How messages name ``path``, a file of this folder that was read: the folder's shown
        name joined to the path below it, as ``config.display_path`` names a regular file (the
        project root's own files without a leading './', the root folder's as '/name')."""
        return str(Path(self.shown) / Path(path).relative_to(self.folder))

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

    def release(self, path: Path) -> None:
        """Let go of the bytes of ``path`` once they are parsed: a million-row claims.csv is
        half a gigabyte that would otherwise stay in memory while the rules run. A later read
        is an error saying so; only the reader that took the snapshot may release it."""
        entry = self.entry(path)
        if entry is not None and entry.data is not None:
            rel = Path(path).relative_to(self.folder).as_posix()
            self.entries[rel] = Entry(entry.path, error="released once parsed")

    def text(self, name: str) -> Entry | None:
        """The entry of the article text ``articles/<name>``, if articles.csv named it."""
        return self.entries.get(f"{config.ARTICLES_FOLDER}/{name}")

    def text_refusals(self) -> list[Problem]:
        """Refusals among the article texts (and of articles/ itself), each once."""
        texts = f"{config.ARTICLES_FOLDER}/"
        found = [e.problem for rel, e in self.entries.items() if rel.startswith(texts)]
        return list(dict.fromkeys(p for p in found if p is not None))

    def refusals(self) -> list[Problem]:
        """Every refusal but the contract CSVs' own (those are reported where each is read): the
        article texts', and what the walk found anywhere else in the folder; each once."""
        return list(dict.fromkeys([*self.text_refusals(), *self.problems]))

    def left_behind(self) -> list[Problem]:
        """A warning per file that is not part of the contract: ingest will not copy it."""
        warnings = []
        for rel in self.others:
            if rel == MORE_OTHERS:
                warnings.append(
                    Problem(
                        shown(self.folder),
                        f"more files are not part of the drop contract than the {MAX_LISTED} "
                        "listed: none is read, and ingest leaves them all behind",
                        severity="warning",
                        expectation=LEFT_BEHIND,
                    )
                )
            else:
                warnings.append(
                    Problem(
                        shown(self.folder / rel),
                        LEFT_BEHIND_RULE,
                        severity="warning",
                        expectation=LEFT_BEHIND,
                    )
                )
        return warnings

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
        if info.st_nlink > 1:
            return Entry(path, problem=Problem(shown(path), _hard_link_rule(info.st_nlink)))
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
    articles = snap.entries.get(config.ARTICLES_FILE)
    names = named_texts(articles.data) if articles and articles.data is not None else []
    folder = snap.folder / config.ARTICLES_FOLDER
    try:
        os.stat(config.ARTICLES_FOLDER, dir_fd=dir_fd, follow_symlinks=False)
    except FileNotFoundError:
        return  # every named text is then missing: validation's file rule says so, per row
    opened = _open_folder(config.ARTICLES_FOLDER, dir_fd, folder, follow=False)
    if isinstance(opened, Problem):  # one refusal, shared by the texts it hides
        for name in names or [""]:
            snap.entries[f"{config.ARTICLES_FOLDER}/{name}"] = Entry(folder / name, problem=opened)
        return
    total, over = 0, False
    try:
        for name in names:
            if over:  # past the limit: the rest are refused unopened, unread
                entry = _not_read(opened, name, folder / name)
            else:
                entry = _read_at(opened, name, folder / name, "text")
                if entry is not None and entry.data is not None:
                    total += len(entry.data)
                    over = total > config.MAX_ARTICLES_TOTAL_BYTES
                    if over:
                        entry = Entry(entry.path, problem=_over_total(entry.path))
            if entry is not None:
                snap.entries[f"{config.ARTICLES_FOLDER}/{name}"] = entry
    finally:
        os.close(opened)


def _over_total(path: Path) -> Problem:
    return _too_big(
        path,
        None,
        config.MAX_ARTICLES_TOTAL_BYTES,
        "the article texts of one folder together",
        "MAX_ARTICLES_TOTAL_BYTES",
    )


def _not_read(dir_fd: int, name: str, path: Path) -> Entry | None:
    """The entry of a text named after the texts' total limit was passed: refused without being
    opened (only looked at, so a missing one stays missing for the row's file rule, and a link
    or a FIFO is still named as such)."""
    try:
        mode = os.stat(name, dir_fd=dir_fd, follow_symlinks=False).st_mode
    except FileNotFoundError:
        return None
    except OSError as exc:
        return Entry(path, error=exc.strerror)
    if not stat.S_ISREG(mode):
        return Entry(path, problem=_refusal(path, mode))
    limit = config.MAX_ARTICLES_TOTAL_BYTES
    return Entry(
        path,
        problem=Problem(
            shown(path),
            f"not read: the article texts of one folder together may be at most {limit:,} "
            "bytes (config.MAX_ARTICLES_TOTAL_BYTES), and the texts articles.csv names before "
            "this one already pass that",
        ),
    )


class _Walk:
    """One bounded walk of a folder through descriptors (never following a link)."""

    def __init__(self, snap: Snapshot, skip: Collection[str]):
        self.snap = snap
        self.skip = set(skip)
        self.limit = MAX_DROP_ENTRIES  # read at call time: tests lower them
        self.depth_limit = MAX_DROP_DEPTH
        self.seen = 0
        self.others: list[str] = []
        self.stopped = False

    def _list(self, fd: int, path: Path) -> list[tuple[str, int]] | None:
        """(name, lstat mode) of the folder's entries in name order, counted against the limit;
        None (with the problem recorded) when it cannot be listed or the limit is passed."""
        found: list[tuple[str, int]] = []
        try:
            with os.scandir(fd) as listing:
                for item in listing:
                    if self.seen >= self.limit:
                        self._too_many()
                        break
                    self.seen += 1
                    try:
                        mode = os.stat(item.name, dir_fd=fd, follow_symlinks=False).st_mode
                    except FileNotFoundError:
                        continue  # gone since it was listed: nothing to judge
                    found.append((item.name, mode))
        except OSError as exc:
            self.snap.problems.append(
                Problem(shown(path), f"cannot list the folder ({exc.strerror})")
            )
            return None
        return sorted(found)

    def _too_many(self) -> None:
        self.stopped = True
        self.snap.problems.append(
            Problem(
                shown(self.snap.folder),
                f"holds more than {self.limit:,} entries (files and folders, counted as the "
                f"folder is walked; snapshot.MAX_DROP_ENTRIES): the rest were not looked at. A "
                "drop holds claims.csv, articles.csv, unclaimed.csv and articles/*.txt",
            )
        )

    def _note_other(self, rel: str) -> None:
        if len(self.others) < MAX_LISTED:
            self.others.append(rel)
        elif self.others[-1] != MORE_OTHERS:
            self.others.append(MORE_OTHERS)

    def visit(self, fd: int, rel_dir: str, depth: int) -> None:
        """Judge every entry of the open folder ``fd`` (``rel_dir`` inside the snapshot's)."""
        listed = self._list(fd, self.snap.folder / rel_dir)
        if listed is None:
            return
        folders = []
        for name, mode in listed:
            rel = f"{rel_dir}/{name}" if rel_dir else name
            if depth == 0 and name in self.skip:
                continue
            if stat.S_ISDIR(mode):
                folders.append((name, rel))
            elif rel in self.snap.entries:
                continue  # a contract file: judged (and, if refused, reported) as it was read
            elif depth == 0 and name == config.DRAFT_FILE and stat.S_ISREG(mode):
                continue  # troopclaims draft's own file: never data, never read, never copied
            elif stat.S_ISREG(mode):
                self._note_other(rel)
            else:
                self.snap.problems.append(_refusal(self.snap.folder / rel, mode))
        for name, rel in folders:
            if self.stopped:
                return
            path = self.snap.folder / rel
            if depth + 1 > self.depth_limit:
                self.snap.problems.append(
                    Problem(
                        shown(path),
                        f"folders are nested more than {self.depth_limit} deep "
                        "(snapshot.MAX_DROP_DEPTH): this one was not looked into",
                    )
                )
                continue
            opened = _open_folder(name, fd, path, follow=False)
            if isinstance(opened, Problem):  # swapped for a link or a file since listed
                self.snap.problems.append(opened)
                continue
            try:
                self.visit(opened, rel, depth + 1)
            finally:
                os.close(opened)


def _walk(dir_fd: int, snap: Snapshot, skip: Collection[str] = ()) -> None:
    """Walk the whole folder without following a link, bounded (``MAX_DROP_ENTRIES`` entries,
    ``MAX_DROP_DEPTH`` deep): every symlink, FIFO, device or socket that is not a contract file
    becomes a located problem in ``snap.problems``, every other regular file is listed in
    ``snap.others`` (up to ``MAX_LISTED``). Folders named in ``skip`` at the top are not
    entered (data/raw/drops/: each drop is a source, walked on its own)."""
    walk = _Walk(snap, skip)
    walk.visit(dir_fd, "", 0)
    snap.others = walk.others


def read_folder(folder: Path, follow: bool = False, skip: Collection[str] = ()) -> Snapshot:
    """Read a drop (or the dataset's base) folder: its contract CSVs and named texts, once; then
    walk the rest of it (``_walk``).

    ``follow`` opens the folder even when its own path is a symlink: for data/raw/, which is
    ours; a drop's folder is never followed. ``skip`` names top-level folders the walk does not
    enter. Problems are recorded, not raised.
    """
    folder = Path(folder)
    snap = Snapshot(folder, shown=config.display_path(folder))
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
        _walk(opened, snap, skip)
    finally:
        os.close(opened)
    return snap


def read_lone_csv(path: Path, kind: str = "csv") -> Snapshot:
    """A snapshot holding one file given on its own (a claims CSV validated without a folder,
    or, with ``kind="text"``, an article text new-drop copies)."""
    path = Path(path)
    snap = Snapshot(path.parent, shown=config.display_path(path.parent))
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


def is_drop_name(name: str) -> bool:
    """Whether ``name`` can name a drop: it becomes data/raw/drops/<name> and its articles' id
    prefix (the id rule). The one test of a drop's name, for ``check_drop`` and ``newdrop``."""
    return re.fullmatch(contract.ID_PATTERN, name) is not None


def ingested_as(raw_dir: Path, name: str) -> Path | None:
    """Where a drop named ``name`` was already ingested under ``raw_dir``, or None: drops are
    never overwritten, so the name is taken. The one test, for ``check_drop`` and ``newdrop``."""
    target = Path(raw_dir) / config.DROPS_FOLDER / name
    return target if os.path.lexists(target) else None


def check_drop(path: Path, raw_dir: Path, allow_csv: bool) -> list[Problem]:
    """Refusals a drop earns by its path alone, before anything in it is read.

    One rule set for ``validate`` and ``ingest``, so a drop that validates is not then refused
    for its name: the path must be a folder (or, for ``validate`` only, ``allow_csv``, a lone
    claims CSV), not a link or special file, named by the id rule (it becomes
    data/raw/drops/<name>), not already inside ``raw_dir``, and not named like a drop already
    ingested (``already_ingested`` is the same rule on the content, once it is read).
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
    if not is_drop_name(path.name):
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
    if ingested_as(raw_dir, path.name) is not None:
        return [
            Problem(
                where,
                f"a drop named {path.name!r} was already ingested "
                f"(data/raw/{config.DROPS_FOLDER}/{path.name}); drops are never overwritten",
            )
        ]
    return []


def already_ingested(
    where: Path, claims: Entry | None, ingested: list[tuple[str, Entry]]
) -> list[Problem]:
    """The refusal of a drop whose claims.csv (``claims``, as read) has the very bytes of an
    ingested drop's (``ingested``: each drop's name and claims.csv entry): its claims are already
    in the dataset. Part of the rules ``validate`` and ``ingest`` share (``read_candidate``).
    """
    if claims is None or claims.data is None:
        return []
    size = len(claims.data)  # hashed only when an ingested claims.csv has the same size
    for name, entry in ingested:
        if entry.data is not None and len(entry.data) == size and entry.sha256 == claims.sha256:
            return [
                Problem(shown(where), f"this drop's claims.csv was already ingested as {name!r}")
            ]
    return []


# --- The sources of a run, and the first stage ---------------------------------------------------


@dataclass(frozen=True)
class Source:
    """One contributor's files: the base dataset, or one drop (README.md, "Validating a new data
    drop"; data/README.md for each file's columns).

    ``articles_csv``/``articles_dir`` are None for a drop that brings claims only; ``folder`` is
    None for a lone claims CSV. ``files`` is what ``read_source`` read of them (the snapshot
    every later step uses), None until then; ``follow_folder`` lets data/raw/ itself be reached
    through a link (it is ours; a drop's folder never is).
    """

    name: str
    claims_csv: Path
    articles_csv: Path | None
    articles_dir: Path | None
    folder: Path | None = None
    follow_folder: bool = False
    files: Snapshot | None = field(default=None, compare=False, repr=False)


def base_source(raw_dir: Path | None = None) -> Source:
    """The hand-curated base dataset under data/raw/ (``config.RAW_DIR`` unless given)."""
    raw_dir = Path(raw_dir or config.RAW_DIR)
    return Source(
        "base",
        raw_dir / config.CLAIMS_FILE,
        raw_dir / config.ARTICLES_FILE,
        raw_dir / config.ARTICLES_FOLDER,
        folder=raw_dir,
        follow_folder=True,
    )


def drop_source(path: Path) -> Source:
    """A drop folder, or a lone claims CSV given as a file (nothing is read yet)."""
    path = Path(path)
    if path.is_dir():
        articles_csv = path / config.ARTICLES_FILE
        has_articles = os.path.lexists(articles_csv)  # a link counts: it is refused, not skipped
        return Source(
            path.name,
            path / config.CLAIMS_FILE,
            articles_csv if has_articles else None,
            path / config.ARTICLES_FOLDER if has_articles else None,
            folder=path,
        )
    return Source(path.stem, path, None, None)


def dataset_sources(raw_dir: Path | None = None) -> list[Source]:
    """The whole dataset: the base, then every ingested drop in name order.

    Hidden entries of data/raw/drops/ (an ingest's temporary or trash folder) are not data.
    Paths are read from ``config`` at call time, so tests can point a run at a scratch copy.
    """
    raw_dir = Path(raw_dir or config.RAW_DIR)
    drops_dir = raw_dir / config.DROPS_FOLDER
    drops = (
        sorted(p for p in drops_dir.iterdir() if p.is_dir() and not p.name.startswith("."))
        if drops_dir.is_dir()
        else []
    )
    return [base_source(raw_dir), *(drop_source(p) for p in drops)]


def read_source(source: Source) -> Source:
    """``source`` with its files read, once; a source already read is returned.

    Whether the source brings articles is then what was found (an articles.csv that is a link
    is found, and refused when read).
    """
    if source.files is not None:
        return source
    if source.folder is None:
        return replace(source, files=read_lone_csv(source.claims_csv))
    # data/raw/'s walk leaves drops/ out: each drop there is a source of its own
    skip = (config.DROPS_FOLDER,) if source.follow_folder else ()
    files = read_folder(source.folder, follow=source.follow_folder, skip=skip)
    articles_csv = source.folder / config.ARTICLES_FILE
    found = files.entry(articles_csv) is not None
    return replace(
        source,
        articles_csv=articles_csv if found else None,
        articles_dir=source.folder / config.ARTICLES_FOLDER if found else None,
        files=files,
    )


def read_candidate(
    path: Path, raw_dir: Path | None = None, allow_csv: bool = True
) -> tuple[list[Source], Source]:
    """The dataset under ``raw_dir`` and the candidate drop ``path``, each read once.

    The one check of a candidate that ``validate`` and ``ingest`` both make, so a drop that
    validates is not then refused by ingest: ``DataError`` when its path or name is refused
    (``check_drop``: a link, a special file, a bad name, a name already ingested; ``allow_csv``
    lets a lone claims CSV through, for validate), or when its claims.csv has the bytes of an
    ingested drop's (``already_ingested``).
    """
    path = Path(path)
    raw_dir = Path(raw_dir or config.RAW_DIR)
    problems = check_drop(path, raw_dir, allow_csv)
    if problems:
        raise DataError(problems)
    dataset = [read_source(s) for s in dataset_sources(raw_dir)]
    candidate = read_source(drop_source(path))
    ingested = [
        (s.name, entry)
        for s in dataset[1:]  # the base is not a drop
        if (entry := s.files.entry(s.claims_csv)) is not None
    ]
    claims = candidate.files.entry(candidate.claims_csv)
    problems = already_ingested(candidate.folder or path, claims, ingested)
    if problems:
        raise DataError(problems)
    return dataset, candidate


@dataclass
class Taken:
    """The intake's first value: every source of a run read once (``take``).

    ``csvs`` are the contract CSVs in reading order, for the next stage (``csvformat.decode_csvs``);
    ``files`` the claims files by their shown names; ``refused`` what the snapshots refused
    besides the contract CSVs (article texts, the articles/ folder, any link, FIFO, device or
    socket anywhere in a folder: errors at their own path) and a drop's files outside the
    contract (warnings: ingest leaves them behind; data/raw/ itself is ours, not warned about).
    """

    sources: list[Source]
    csvs: list[RawCSV]
    refused: list[Problem]

    @property
    def files(self) -> list[str]:
        """The claims files, by their shown names (one per source)."""
        return [raw.name for raw in self.csvs if raw.table == "claims"]

    def release_claims(self) -> None:
        """Let go of the claims CSVs' bytes once they are parsed, for a caller that neither
        writes nor hashes them after: a million-row claims.csv is half a gigabyte that would
        otherwise stay in memory while the rules run (``Snapshot.release``)."""
        for source in self.sources:
            source.files.release(source.claims_csv)
        for raw in self.csvs:
            if raw.table == "claims":
                raw.data = None


def _csvs(sources: list[Source]) -> list[RawCSV]:
    """Every contract CSV, in reading order: each source's claims.csv, then each articles.csv,
    then each unclaimed.csv found beside a claims.csv."""
    found = [_raw_csv(s, "claims", s.claims_csv, contract.CLAIM_COLUMNS) for s in sources]
    found += [
        _raw_csv(s, "articles", s.articles_csv, contract.ARTICLE_COLUMNS)
        for s in sources
        if s.articles_csv is not None
    ]
    for s in sources:
        unclaimed = s.folder / config.UNCLAIMED_FILE if s.folder is not None else None
        if unclaimed is not None and s.files.entry(unclaimed) is not None:
            found.append(_raw_csv(s, "unclaimed", unclaimed, contract.UNCLAIMED_COLUMNS))
    return found


def _raw_csv(source: Source, table: str, path: Path, expected: tuple[str, ...]) -> RawCSV:
    """One contract CSV of ``source`` as its snapshot read it, or why it was not; an
    articles.csv carries the texts read beside it, by file name, and their folder's name."""
    files = source.files
    texts, texts_shown = None, ""
    if table == "articles":
        prefix = f"{config.ARTICLES_FOLDER}/"
        texts = {r[len(prefix) :]: e for r, e in files.entries.items() if r.startswith(prefix)}
        texts_shown = files.name_of(path.parent / config.ARTICLES_FOLDER)
    try:
        data = files.data(path)
    except DataError as err:
        data, problems = None, err.problems
    else:
        problems = []
    name = files.name_of(path)
    return RawCSV(table, path, name, expected, data, problems, texts, texts_shown)


def take(sources: list[Source]) -> Taken:
    """The intake's first stage: every source read once (``read_source``, unless the caller
    already did, as ingest does to write the very bytes judged), with what was refused."""
    sources = [read_source(s) for s in sources]
    refused = [p for s in sources for p in s.files.refusals()]
    refused += [p for s in sources if not s.follow_folder for p in s.files.left_behind()]
    return Taken(sources, _csvs(sources), refused)
