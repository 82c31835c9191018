"""Time the report build: a full ``make report``, a no-op one, and the floor it is judged by.

The floor is what any report costs here whatever its content: one papermill run of an empty
notebook (process start, kernel start) plus the HTML->PDF step on the finished report. Targets
(issue 4): full build <= 2 x floor + the validation step; no-op < 0.5 s.

Runs in the project itself (``make bench``): it deletes reports/ and data/processed/ before each
full build, as a user's clean build would, and leaves a complete, fresh report behind.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import nbformat

from troopclaims import config

BIN = Path(sys.executable).parent


def _clean() -> None:
    """Empty reports/ and data/processed/ (keeping .gitkeep), as after ``make clean``."""
    for folder in (config.REPORTS_DIR, config.PROCESSED_DIR):
        for entry in folder.iterdir():
            if entry.name == ".gitkeep":
                continue
            shutil.rmtree(entry) if entry.is_dir() else entry.unlink()


def _run(cmd: list[str], cwd: Path = config.ROOT) -> None:
    """Run a command quietly; stop the benchmark with its output if it fails."""
    done = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.exit(f"benchmark step failed: {' '.join(cmd)}\n{done.stdout}\n{done.stderr}")


def _timed(
    step: Callable[[], None], repeats: int, before: Callable[[], None] | None = None
) -> float:
    """Median wall time of ``step`` over ``repeats`` runs (``before`` runs untimed each time)."""
    times = []
    for _ in range(repeats):
        if before:
            before()
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _empty_notebook(folder: Path) -> Path:
    """A one-cell notebook on the project kernel: papermill's fixed cost and nothing else."""
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("pass")])
    nb.metadata["kernelspec"] = {"name": config.KERNEL_NAME, "language": "python"}
    path = folder / "empty.ipynb"
    nbformat.write(nb, path)
    return path


def main() -> None:
    """Measure and print the numbers; exit 0 either way (a benchmark reports, it does not gate)."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--repeats", type=int, default=2, help="runs per measurement (median)")
    args = parser.parse_args()
    make = ["make", "--no-print-directory", "report"]
    env_note = f"{os.cpu_count()} cores"

    full = _timed(lambda: _run(make), args.repeats, before=_clean)
    noop = _timed(lambda: _run(make), max(args.repeats, 5))
    validation = _timed(lambda: _run([str(BIN / "troopclaims"), "process"]), args.repeats)
    _run(make)  # the process step above refreshed data/processed: leave a consistent report
    with tempfile.TemporaryDirectory() as tmp:
        empty = _empty_notebook(Path(tmp))
        out = Path(tmp) / "out.ipynb"
        papermill = [str(BIN / "papermill"), "-k", config.KERNEL_NAME, "--no-progress-bar"]
        nb_floor = _timed(lambda: _run([*papermill, str(empty), str(out)]), args.repeats)
        pdf_cmd = [
            sys.executable,
            "-c",
            "import sys; from pathlib import Path; from troopclaims import report; "
            "report.write_pdf(Path(sys.argv[1]).read_text(), Path(sys.argv[2]))",
            str(config.REPORT_HTML),
            str(Path(tmp) / "floor.pdf"),
        ]
        pdf_floor = _timed(lambda: _run(pdf_cmd), args.repeats)
    floor = nb_floor + pdf_floor
    budget = 2 * floor + validation
    print(f"report benchmark ({env_note}, median of {args.repeats}+ runs)")
    print(f"  full make report (clean reports/, data/processed/): {full:6.2f} s")
    print(f"  no-op make report:                                  {noop:6.3f} s")
    print(f"  floor: empty notebook via papermill {nb_floor:5.2f} s + HTML->PDF {pdf_floor:5.2f} s")
    print(f"         = {floor:5.2f} s")
    print(f"  validation step (troopclaims process):              {validation:6.2f} s")
    verdict = "met" if full <= budget else "MISSED"
    print(f"  target full <= 2 x floor + validation = {budget:5.2f} s: {verdict}")
    print(f"  target no-op < 0.5 s: {'met' if noop < 0.5 else 'MISSED'}")


if __name__ == "__main__":
    main()
