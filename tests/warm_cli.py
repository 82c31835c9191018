"""Run the ``troopclaims`` command in a fresh process that starts with its heavy libraries loaded.

Why: most of a fresh ``troopclaims validate`` or ``ingest`` is ``import great_expectations``
(8-10 s on the 2-core machines), paid again by every test that runs the command as a user does.
A "zygote" process per test worker imports the third-party libraries once (and of troopclaims
only its package root, which holds no state), then forks one child per command. The child is a
new process like any other: its own pid, exit status, stdout and stderr files, working folder
and environment; it imports troopclaims' modules afresh (so ``TROOPCLAIMS_ROOT`` and every
module-level state are read anew), runs
the console script's ``main`` and ends with its real exit code, or dies of its real signal.

What a warm start cannot reproduce, it does not pretend to: when a test changes what the
interpreter reads at start-up (``PYTHON*``, ``LANG``, ``LC_*``), or asks for a different
executable, the command runs as a plain subprocess of ``.venv/bin/troopclaims``. Tests that
must exercise the installed entry point itself keep calling ``subprocess.run`` directly (the
Makefile tests, one fresh-process check per command family).
"""

from __future__ import annotations

import atexit
import json
import os
import select
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

EXE = Path(sys.executable).with_name("troopclaims")

# What the zygote imports before it forks: what every validating command needs, and of ours only
# the package root, first, whose one effect is the rfc3987_syntax guard: a warm child then holds
# the modules a cold command holds (and the zygote does not compile that grammar).
PRELOAD = (
    "troopclaims",
    "great_expectations",
    "pandas",
    "pyarrow",
    "pyarrow.csv",
    "pyarrow.compute",
)

# Variables the interpreter reads when it starts (encoding, UTF-8 mode, hash seed, paths): a
# forked child cannot change them, so a command that sets them differently runs cold.
_STARTUP_PREFIXES = ("PYTHON", "LANG", "LC_")

_ZYGOTE = r"""
import gc, importlib, io, json, os, signal, sys, traceback
for name in sys.argv[1:]:
    importlib.import_module(name)
gc.collect(); gc.freeze()  # the preloaded heap, which no child's collector then walks
sys.stdout.write("ready\n"); sys.stdout.flush()

def child(req):
    os.setpgid(0, 0)
    for sig in (signal.SIGPIPE, signal.SIGXFSZ):
        signal.signal(sig, signal.SIG_DFL)
    os.chdir(req["cwd"])
    os.environ.clear(); os.environ.update(req["env"])
    fds = [os.open(os.devnull, os.O_RDONLY), os.open(req["out"], os.O_WRONLY),
           os.open(req["err"], os.O_WRONLY)]
    for target, fd in enumerate(fds):
        os.dup2(fd, target); os.close(fd)
    enc = sys.stdout.encoding
    sys.stdin = io.TextIOWrapper(io.FileIO(0, "r", closefd=False), encoding=enc)
    sys.stdout = io.TextIOWrapper(io.FileIO(1, "w", closefd=False), encoding=enc)
    sys.stderr = io.TextIOWrapper(io.FileIO(2, "w", closefd=False), encoding=enc,
                                  errors="backslashreplace", line_buffering=True)
    sys.argv = [req["exe"], *req["args"]]
    code = 0
    try:
        from troopclaims.cli import main
        code = main()
    except SystemExit as exc:
        code = exc.code
    except BaseException:
        traceback.print_exc()
        code = 1
    if code is None:
        code = 0
    elif not isinstance(code, int):
        print(code, file=sys.stderr)
        code = 1
    try:
        import atexit
        atexit._run_exitfuncs()
        sys.stdout.flush(); sys.stderr.flush()
    finally:
        os._exit(code)

for line in sys.stdin:
    req = json.loads(line)
    pid = os.fork()
    if pid == 0:
        try:
            child(req)
        finally:
            os._exit(70)
    sys.stdout.write(f"pid {pid}\n"); sys.stdout.flush()
    _, status = os.waitpid(pid, 0)
    sys.stdout.write(f"status {os.waitstatus_to_exitcode(status)}\n"); sys.stdout.flush()
"""

_zygote: subprocess.Popen | None = None
last_pid: int | None = None  # the last command's pid (its process group), for tests of this runner


def _start_zygote() -> subprocess.Popen:
    """The worker's zygote, started on first use and stopped when the worker exits."""
    global _zygote
    if _zygote is None or _zygote.poll() is not None:
        _zygote = subprocess.Popen(
            [sys.executable, "-c", _ZYGOTE, *PRELOAD],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            bufsize=0,
        )
        if _read_line(_zygote.stdout.fileno(), None) != "ready":
            raise RuntimeError("the warm-start zygote failed to import its libraries")
        atexit.register(_stop_zygote)
    return _zygote


def _stop_zygote() -> None:
    if _zygote is not None and _zygote.poll() is None:
        _zygote.stdin.close()
        _zygote.wait(timeout=30)


def _read_line(fd: int, deadline: float | None) -> str:
    """One line from the zygote (unbuffered, byte by byte), or ``""`` if the deadline passes."""
    import time

    line = b""
    while not line.endswith(b"\n"):
        timeout = None if deadline is None else max(0.0, deadline - time.monotonic())
        if not select.select([fd], [], [], timeout)[0]:
            return ""
        byte = os.read(fd, 1)
        if not byte:
            raise RuntimeError("the warm-start zygote ended unexpectedly")
        line += byte
    return line.decode().strip()


def _decoded(data: bytes) -> str:
    """As ``subprocess.run(text=True)`` gives it: locale-decoded, universal newlines."""
    text = data.decode(sys.stdout.encoding or "utf-8")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _runs_cold(env: dict[str, str], exe: Path) -> bool:
    """Whether the command needs a start-up the zygote did not have."""
    if exe != EXE:
        return True
    own = dict(os.environ)
    return any(env.get(k) != own.get(k) for k in {*env, *own} if k.startswith(_STARTUP_PREFIXES))


def run(
    *args: str | os.PathLike,
    env: dict[str, str] | None = None,
    cwd: str | os.PathLike | None = None,
    timeout: float | None = 300,
    exe: Path = EXE,
) -> subprocess.CompletedProcess:
    """``subprocess.run([troopclaims, *args], capture_output=True, text=True)``, warm-started."""
    import time

    argv = [str(a) for a in args]
    env = dict(os.environ if env is None else env)
    cwd = str(cwd or Path.cwd())
    if _runs_cold(env, exe):
        return subprocess.run(
            [str(exe), *argv], capture_output=True, text=True, env=env, cwd=cwd, timeout=timeout
        )
    zygote = _start_zygote()
    with tempfile.TemporaryDirectory(prefix="warm-cli-") as scratch:
        out, err = Path(scratch, "out"), Path(scratch, "err")
        out.touch()
        err.touch()
        request = {"args": argv, "env": env, "cwd": cwd, "exe": str(exe)}
        message = json.dumps({**request, "out": str(out), "err": str(err)}) + "\n"
        zygote.stdin.write(message.encode())
        fd = zygote.stdout.fileno()
        global last_pid
        pid = last_pid = int(_read_line(fd, None).split()[1])
        deadline = None if timeout is None else time.monotonic() + timeout
        line = _read_line(fd, deadline)
        if not line:
            os.killpg(pid, signal.SIGKILL)
            _read_line(fd, None)
            raise subprocess.TimeoutExpired([str(exe), *argv], timeout)
        code = int(line.split()[1])
        return subprocess.CompletedProcess(
            [str(exe), *argv], code, _decoded(out.read_bytes()), _decoded(err.read_bytes())
        )


def in_project(
    *args: str | os.PathLike, root: Path, timeout: float | None = 300, cold: bool = False
) -> subprocess.CompletedProcess:
    """The command as a user runs it in a project at ``root`` (``TROOPCLAIMS_ROOT``), warm-started
    unless ``cold`` asks for the installed entry point itself."""
    env = {**os.environ, "TROOPCLAIMS_ROOT": str(root)}
    if cold:
        argv = [str(EXE), *map(str, args)]
        return subprocess.run(argv, capture_output=True, text=True, env=env, timeout=timeout)
    return run(*args, env=env, timeout=timeout)
