"""Time each PARAMS bomb through the real command line: each must be refused within its bound.

Why a child process per case: the bound is what a user waits for (`make report PARAMS=...`),
start-up included, and a bomb that got through must cost its own process, not this one. Each
child runs `troopclaims report --params=FILE` with TROOPCLAIMS_ROOT pointing at a scratch copy of
data/raw/, so even a bomb that was not refused could write nothing in the checkout. A case
passes when it is refused (exit 1 or 2, no internal error, a bounded message) within the bound.

Run: .venv/bin/python bench/hostile_params.py   (exit 1 if a bound is missed)
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CLI = ROOT / ".venv" / "bin" / "troopclaims"
BOUND_SECONDS = 2.0
HANG_SECONDS = 120.0  # a child still running then is killed: far above the bound
MAX_STDERR_BYTES = 8_192  # what a refusal may print


def _laughs() -> str:
    """The classic: nine levels of nine aliases, 342 bytes that expand to 9**9 strings."""
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [{','.join([f'*{prev}'] * 9)}]")
    return "\n".join(lines) + "\n"


CASES: dict[str, Callable[[], str | list[bytes]]] = {
    "billion laughs (aliases)": _laughs,
    "recursive alias": lambda: "output_dir: &x [*x]\n",
    "merge key (anchor)": lambda: "base: &b {x: 1}\nother:\n  <<: *b\n",
    "60 KB string value": lambda: f"reference_label: '{'x' * 60_000}'\n",
    "60 KB digit run": lambda: f"reference_label: {'9' * 60_000}\n",
    "30,000-deep nesting": lambda: "output_dir: " + "[" * 30_000 + "]" * 30_000 + "\n",
    "6,000 keys": lambda: "".join(f"k{i:x}: 0\n" for i in range(6_000)),
    "20,000-item list": lambda: "output_dir: [" + "0," * 20_000 + "]\n",
    "50 MB file": lambda: [b"# " + b"x" * 999_998 + b"\n"] * 50,  # chunks: see ``_write``
    "output_dir: data/raw": lambda: "output_dir: data/raw\n",
    "output_dir: ../outside": lambda: "output_dir: ../outside\n",
    "processed_dir via ..": lambda: "processed_dir: data/processed/../raw/drops\n",
}


def _write(path: Path, body: str | list[bytes]) -> Path:
    """Write a case's file; a large one as chunks of one shared buffer, so this process stays
    small (a forked child's peak RSS counts what its parent held before exec)."""
    with path.open("wb") as fh:
        for chunk in [body.encode("utf-8")] if isinstance(body, str) else body:
            fh.write(chunk)
    return path


def _run(params: Path, env: dict[str, str]) -> tuple[float, int, int, bytes]:
    """Seconds, exit code, peak RSS (KiB) and stderr of one child refusing ``params``.

    The child is reaped with ``wait4`` (its own peak RSS, not the largest of all children);
    one still running after ``HANG_SECONDS`` is killed and reported with exit -9.
    """
    start = time.perf_counter()
    with tempfile.TemporaryFile() as err:
        child = subprocess.Popen(
            [str(CLI), "report", f"--params={params}"],
            stdout=subprocess.DEVNULL,
            stderr=err,
            env=env,
            cwd=env["TROOPCLAIMS_ROOT"],
        )
        while True:
            pid, status, usage = os.wait4(child.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() - start > HANG_SECONDS:
                child.kill()
            time.sleep(0.005)
        seconds = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
        err.seek(0)
        return seconds, child.returncode, usage.ru_maxrss, err.read()


def _verdict(seconds: float, code: int, stderr: bytes) -> str:
    """``met`` when refused cleanly within the bound, else why not."""
    if code not in (1, 2):
        return f"MISSED (exit {code})"
    if b"internal error" in stderr or b"Traceback" in stderr:
        return "MISSED (internal error)"
    if len(stderr) > MAX_STDERR_BYTES:
        return f"MISSED ({len(stderr):,} bytes of message)"
    return "met" if seconds <= BOUND_SECONDS else "MISSED"


def main() -> int:
    """Run every case, print the table; 1 when a bound was missed."""
    missed = 0
    with tempfile.TemporaryDirectory(prefix="hostile-params-") as tmp:
        root = Path(tmp) / "project"
        shutil.copytree(ROOT / "data" / "raw", root / "data" / "raw")
        (root / "data" / "processed").mkdir()
        env = {**os.environ, "TROOPCLAIMS_ROOT": str(root)}
        print(f"PARAMS bombs through `troopclaims report --params` (bound {BOUND_SECONDS} s)")
        print(f"  {'case':<26} {'file':>12} {'seconds':>8} {'peak RSS':>10}  result")
        for name, make in CASES.items():
            params = _write(Path(tmp) / "bomb.yaml", make())
            seconds, code, rss, stderr = _run(params, env)
            verdict = _verdict(seconds, code, stderr)
            missed += verdict != "met"
            size = f"{params.stat().st_size:,} B"
            print(f"  {name:<26} {size:>12} {seconds:>8.2f} {rss / 1024:>7.0f} MB  {verdict}")
            if verdict != "met":
                print("    " + stderr[:400].decode("utf-8", "replace").replace("\n", "\n    "))
    print("every bomb refused within its bound" if not missed else f"{missed} bound(s) MISSED")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
