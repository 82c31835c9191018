"""File operations every stage shares: atomic, durable output; leftovers; the data lock.

Atomic output: write beside the target, then rename it into place. A crash or a failed step
mid-write must leave the previous good file intact, and readers must never see a half-written
file; a rename within one directory gives both on POSIX. Durable: the file is fsynced before the
rename and its folder after it, so a power cut cannot leave the new name on old or empty bytes.

A temporary name says who made it: ``.<target>.<pid>.<random>.tmp`` (a folder being removed:
``….trash``). A process killed mid-write leaves it behind; the next writer of that target (and
``remove_leftovers``, under the data lock) deletes the ones whose process is gone. They are
hidden, so they never count as data (``manifest.raw_files``, the Makefile's RAW_FILES).

The data lock (``locked``) is an advisory ``flock`` on data/raw/ itself (no lock file to count
as data): exclusive for ``ingest`` and ``process``, which write, shared for the report's steps,
which read; a wait says so and gives up after ``config.lock_timeout()``.

Fault injection, for the crash tests only: ``TROOPCLAIMS_KILL_AT=<step>`` makes the process
SIGKILL itself at the named write step (``kill_point``), ``TROOPCLAIMS_INTERRUPT_AT=<step>``
raises KeyboardInterrupt there, as a Ctrl-C would.

Fingerprints (SHA-256) identify inputs in the report's provenance and recognise a drop that was
already ingested.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import re
import secrets
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from troopclaims import config
from troopclaims.errors import TroopclaimsError
from troopclaims.escaping import for_terminal

KILL_ENV = "TROOPCLAIMS_KILL_AT"
INTERRUPT_ENV = "TROOPCLAIMS_INTERRUPT_AT"
_LEFTOVER = re.compile(r"\A\.(?P<name>.+?)\.(?:(?P<pid>\d+)\.)?[a-z0-9_]{8}\.(?:tmp|trash)\Z")


class Interrupted(KeyboardInterrupt):
    """A Ctrl-C that arrived mid-write, with the exact state the data was left in."""

    def __init__(self, state: str):
        super().__init__(state)
        self.state = state


class LockTimeoutError(TroopclaimsError):
    """Another command held the data lock for longer than the wait allows; nothing changed."""


# --- Fault injection ---------------------------------------------------------------------------


def kill_point(step: str) -> None:
    """Die here (SIGKILL, as a power cut or the OOM killer would) when a crash test asks to."""
    if os.environ.get(KILL_ENV) == step:
        os.kill(os.getpid(), signal.SIGKILL)
    if os.environ.get(INTERRUPT_ENV) == step:
        raise KeyboardInterrupt


def kill_point_on_success(step: str) -> Callable[..., bool]:
    """An ``ExitStack.push`` callback reaching ``kill_point(step)`` only when no exception is
    unwinding: placed between two atomic renames, it fires between them."""

    def exit_callback(exc_type, exc, tb) -> bool:
        if exc_type is None:
            kill_point(step)
        return False

    return exit_callback


# --- Durable writes ----------------------------------------------------------------------------


def _fsync_path(path: Path, directory: bool = False) -> None:
    fd = os.open(path, os.O_RDONLY | (os.O_DIRECTORY if directory else 0) | os.O_CLOEXEC)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_dir(folder: Path) -> None:
    """Make a folder's entries (a rename into or out of it) durable."""
    _fsync_path(Path(folder), directory=True)


def _fsync_tree(folder: Path) -> None:
    """fsync every file and folder under ``folder``, the folders after what they hold."""
    for top, dirs, files in os.walk(folder, topdown=False):
        for name in files:
            _fsync_path(Path(top) / name)
        for name in dirs:
            _fsync_path(Path(top) / name, directory=True)
    fsync_dir(folder)


def _temp_prefix(name: str) -> str:
    return f".{name}.{os.getpid()}."


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def is_leftover(name: str) -> bool:
    """Whether ``name`` is a temporary or trash name of ours (live or left behind)."""
    return _LEFTOVER.match(name) is not None


def remove_leftovers(folder: Path, everyone: bool = False, of: str | None = None) -> list[Path]:
    """Delete temporary/trash files and folders in ``folder`` whose process is gone.

    ``everyone`` deletes them whoever made them: only under the exclusive data lock, when no
    other writer can be at work there. ``of`` limits it to the temporaries of one target name.
    Returns what was removed.
    """
    removed: list[Path] = []
    try:
        names = sorted(p.name for p in Path(folder).iterdir())
    except FileNotFoundError:
        return removed
    for name in names:
        match = _LEFTOVER.match(name)
        if match is None or (of is not None and match["name"] != of):
            continue
        pid = match["pid"]
        if not everyone and pid is not None and _alive(int(pid)):
            continue
        path = Path(folder) / name
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
        removed.append(path)
    if removed:
        fsync_dir(folder)
    return removed


@contextlib.contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path in ``target``'s folder; on success rename it onto ``target``.

    The caller writes the temporary path however it likes (pandas, WeasyPrint, nbconvert); an
    exception leaves ``target`` untouched and removes the temporary file. The file is fsynced
    before the rename and the folder after it. Temporaries of ``target`` left by a killed
    process are removed first.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_leftovers(target.parent, of=target.name)
    fd, tmp_name = tempfile.mkstemp(
        prefix=_temp_prefix(target.name), suffix=".tmp", dir=target.parent
    )
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        tmp.chmod(0o644)
        _fsync_path(tmp)
        tmp.replace(target)
        fsync_dir(target.parent)
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
    Everything in it is fsynced before the one rename, and the parent folder after it, so the
    folder that appears is complete even after a power cut. ``target`` must not exist: a drop,
    once in, is never overwritten.
    """
    target = Path(target)
    if os.path.lexists(target):
        raise FileExistsError(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_leftovers(target.parent, of=target.name)
    tmp = Path(tempfile.mkdtemp(prefix=_temp_prefix(target.name), suffix=".tmp", dir=target.parent))
    try:
        yield tmp
        tmp.chmod(0o755)
        _fsync_tree(tmp)
        if os.path.lexists(target):  # rename() would replace an empty folder made meanwhile
            raise FileExistsError(target)
        tmp.rename(target)
        fsync_dir(target.parent)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def remove_dir(target: Path, step: str = "rollback") -> None:
    """Take ``target`` away by one rename to a hidden trash name, then delete it.

    A folder that must vanish whole (a drop rolled back): after the rename, nothing reads it as
    data whatever happens next; a kill before the deletion leaves only trash, which the next run
    removes. ``step`` names the kill point between the rename and the deletion.
    """
    target = Path(target)
    trash = target.with_name(f"{_temp_prefix(target.name)}{secrets.token_hex(4)}.trash")
    target.rename(trash)
    fsync_dir(target.parent)
    kill_point(step)
    shutil.rmtree(trash, ignore_errors=True)
    fsync_dir(target.parent)


@contextlib.contextmanager
def no_interrupt() -> Iterator[None]:
    """Ignore Ctrl-C during a short repair (a rollback), so it is not itself left half-done.

    Used while a command is already stopping, so a second Ctrl-C loses nothing. Only the main
    thread can change signal handling; elsewhere this does nothing.
    """
    try:
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    except ValueError:  # not the main thread
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


# This process's hashes of files that had stayed unchanged for a while when they were hashed,
# by what fstat said of the opened file: (device, inode, size, mtime_ns, ctime_ns) -> digest.
_STABLE_HASHES: dict[tuple[int, int, int, int, int], str] = {}
# A file whose times are this recent when it is hashed is hashed again on every call: file times
# move in coarse ticks (milliseconds, seconds on some file systems), so a same-size rewrite in
# the tick of the last change keeps every time the key holds (what git calls "racily clean").
STABLE_AFTER_NS = 2_000_000_000


def sha256_file(path: Path) -> str:
    """Hex SHA-256 of a file, read in blocks (a drop's articles may be large), and read once per
    process while the file stays unchanged.

    Why: every reader of data/processed/ checks it against data/raw/ by hash
    (``manifest.stale_reasons``), and a report build reads it from every notebook: the raw and
    processed files were hashed six times per ``make report``, each time a pass over a large
    drop. The key is what ``fstat`` says of the descriptor opened here, not of the path: any
    write changes the change time (ctime), which no user call can set back, and a replaced file
    is another inode. A file changed less than ``STABLE_AFTER_NS`` before it is hashed is not
    remembered, and a new process starts with nothing remembered.
    """
    with Path(path).open("rb") as fh:
        st = os.fstat(fh.fileno())
        key = (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)
        known = _STABLE_HASHES.get(key)
        if known is not None:
            return known
        started = time.time_ns()
        digest = hashlib.sha256()
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    hexdigest = digest.hexdigest()
    if started - max(st.st_mtime_ns, st.st_ctime_ns) > STABLE_AFTER_NS:
        _STABLE_HASHES[key] = hexdigest
    return hexdigest


# --- The data lock -----------------------------------------------------------------------------


def _try_lock(fd: int, mode: int) -> bool:
    try:
        fcntl.flock(fd, mode | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


@contextlib.contextmanager
def locked(folder: Path, exclusive: bool, timeout: float | None = None) -> Iterator[None]:
    """Hold the data lock on ``folder`` (data/raw/): exclusive to write, shared to read.

    When another command holds it, say so on stderr and wait, up to ``timeout`` seconds
    (``config.lock_timeout()`` by default), then raise ``LockTimeoutError``.
    """
    folder = Path(folder)
    timeout = config.lock_timeout() if timeout is None else timeout
    mode = fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except FileNotFoundError:
        raise config.ConfigError(
            f"no such folder: {config.display_path(folder)} (the data lock is taken on it)"
        ) from None
    try:
        if not _try_lock(fd, mode):
            shown = for_terminal(config.display_path(folder))
            print(
                f"waiting for {shown}/: another troopclaims ingest, process or report is using "
                f"it (giving up after {timeout:g} s; {config.LOCK_TIMEOUT_ENV} sets the wait)",
                file=sys.stderr,
                flush=True,
            )
            deadline, pause = time.monotonic() + timeout, 0.05
            while not _try_lock(fd, mode):
                if time.monotonic() >= deadline:
                    raise LockTimeoutError(
                        f"gave up after {timeout:g} s waiting for {shown}/, which another "
                        "troopclaims ingest, process or report still holds; nothing was changed. "
                        f"Run the command again once that one has finished (or set "
                        f"{config.LOCK_TIMEOUT_ENV} to wait longer)."
                    )
                time.sleep(min(pause, max(0.0, deadline - time.monotonic())))
                pause = min(pause * 2, 0.5)
        yield
    finally:
        os.close(fd)
