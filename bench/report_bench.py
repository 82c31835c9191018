"""Time the report build: a full ``make report``, a no-op one, and the floor it is judged by.

The floor is what any report costs here whatever its content, measured in the same run, as
issue 19 measured it: the validation step (``troopclaims process``, the command make runs), one
papermill run of an empty notebook (process start, one kernel start) and the HTML->PDF step on a
one-line page (WeasyPrint's import and start-up). Target (issues 11 and 19): full build <= 1.5 x
that floor; no-op < 0.5 s. The HTML->PDF step on the report's own HTML is printed too, with the
ratio of the build to the floor taken with it instead: what this report's 28 pages cost to print
(the layout of its tables and charts), so the gap between the two ratios is what the content
costs, and the second ratio is what the pipeline around it costs. Both wall time and CPU time
(this process's children: kernels and make's commands included) are printed: on a shared machine
wall time follows the load, CPU time much less, so a ratio far apart in the two says the machine
was busy, not that the build changed. Exits 1 when a target is missed.

``--breakdown`` then says where a full build's time goes: make's three steps run one by one
from clean (process, the notebooks, the HTML/PDF), and for each notebook, from papermill's own
record, the kernel's start, the import cell and the other cells.

Runs in the project itself (``make bench``): it deletes reports/ and data/processed/ before each
full build, as a user's clean build would, and leaves a complete, fresh report behind.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import nbformat

from troopclaims import config
from troopclaims.report import response_dates
from troopclaims.store import process

BIN = Path(sys.executable).parent
TARGET_RATIO = 1.5
MINIMAL_PAGE = (
    "<!DOCTYPE html><html><head><meta charset='utf-8'></head><body><p>floor</p></body></html>"
)
MAKE = ["make", "--no-print-directory"]
MINIMAL_PDF = "HTML->PDF of a one-line page"
OWN_PDF = "HTML->PDF of the report's own HTML"  # printed beside the floor, not part of it


@dataclass(frozen=True)
class Timing:
    """Wall and CPU seconds of one step (CPU: user + system of the processes it started)."""

    wall: float
    cpu: float

    def __add__(self, other: Timing) -> Timing:
        return Timing(self.wall + other.wall, self.cpu + other.cpu)

    def __str__(self) -> str:
        return f"{self.wall:6.2f} s wall {self.cpu:6.2f} s CPU"


def _children_cpu() -> float:
    """CPU seconds used so far by every finished child (and its reaped descendants)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _clean() -> None:
    """Empty reports/ and data/processed/ (keeping .gitkeep), as after ``make clean``."""
    for folder in (config.REPORTS_DIR, config.PROCESSED_DIR):
        for entry in folder.iterdir():
            if entry.name == ".gitkeep":
                continue
            shutil.rmtree(entry) if entry.is_dir() else entry.unlink()


def _run(cmd: list[str], cwd: Path = config.ROOT) -> Timing:
    """Run a command quietly and time it; stop the benchmark with its output if it fails."""
    cpu, start = _children_cpu(), time.perf_counter()
    done = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, check=False)
    timing = Timing(time.perf_counter() - start, _children_cpu() - cpu)
    if done.returncode != 0:
        sys.exit(f"benchmark step failed: {' '.join(cmd)}\n{done.stdout}\n{done.stderr}")
    return timing


def _median(timings: list[Timing]) -> Timing:
    """Median wall and median CPU (each on its own)."""
    return Timing(
        statistics.median(t.wall for t in timings), statistics.median(t.cpu for t in timings)
    )


def _empty_notebook(folder: Path) -> Path:
    """A one-cell notebook on the project kernel: papermill's fixed cost and nothing else."""
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("pass")])
    nb.metadata["kernelspec"] = {"name": config.KERNEL_NAME, "language": "python"}
    path = folder / "empty.ipynb"
    nbformat.write(nb, path)
    return path


def _floor_steps(tmp: Path) -> dict[str, Callable[[], Timing]]:
    """The floor's three commands, each a fresh process as in a build."""
    empty = _empty_notebook(tmp)
    page = tmp / "report.html"  # the full build's, copied in by ``measure`` before each use
    minimal = tmp / "minimal.html"
    minimal.write_text(MINIMAL_PAGE, encoding="utf-8")
    # papermill as the build runs it: in Python, with rfc3987_syntax declared absent as
    # troopclaims.report.assemble does (the papermill command would spend 1.2 s more importing it).
    papermill = [
        sys.executable,
        "-c",
        "import sys; sys.modules['rfc3987_syntax'] = None; import papermill; "
        "papermill.execute_notebook(sys.argv[1], sys.argv[2], kernel_name=sys.argv[3], "
        "progress_bar=False)",
    ]
    pdf = [
        sys.executable,
        "-c",
        "import sys; from pathlib import Path; from troopclaims.report import assemble as report; "
        "report.write_pdf(Path(sys.argv[1]).read_text(), Path(sys.argv[2]))",
    ]
    return {
        "validation (troopclaims process)": lambda: _run([str(BIN / "troopclaims"), "process"]),
        "empty notebook via papermill": lambda: _run(
            [*papermill, str(empty), str(tmp / "o.ipynb"), config.KERNEL_NAME]
        ),
        OWN_PDF: lambda: _run([*pdf, str(page), str(tmp / "f.pdf")]),
        MINIMAL_PDF: lambda: _run([*pdf, str(minimal), str(tmp / "m.pdf")]),
    }


def measure(repeats: int) -> bool:
    """Full, floor and no-op, interleaved run by run so that a change of load hits both."""
    full: list[Timing] = []
    parts: dict[str, list[Timing]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        steps = _floor_steps(Path(tmp))
        for _ in range(repeats):
            _clean()
            full.append(_run([*MAKE, "report"]))
            shutil.copyfile(config.REPORT_HTML, Path(tmp) / "report.html")
            for name, step in steps.items():
                parts.setdefault(name, []).append(step())
            _run([*MAKE, "report"])  # the process step above refreshed data/processed
    noop = _median([_run([*MAKE, "report"]) for _ in range(max(repeats, 5))])
    full_m = _median(full)
    floor_m = _median(_floor_runs(parts, MINIMAL_PDF, repeats))
    own_m = _median(_floor_runs(parts, OWN_PDF, repeats))
    print(
        f"report benchmark ({os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}, "
        f"median of {repeats} runs)"
    )
    print(f"  full make report (clean reports/, data/processed/): {full_m}")
    print("  floor (issue 19: what any report costs here):")
    for name, runs in parts.items():
        if name != OWN_PDF:
            print(f"    {name:40s}{_median(runs)}")
    print(f"    {'= floor':40s}{floor_m}")
    print(f"  this report's own PDF instead of a one-line page: {_median(parts[OWN_PDF])}")
    ratio_wall, ratio_cpu = full_m.wall / floor_m.wall, full_m.cpu / floor_m.cpu
    met = ratio_wall <= TARGET_RATIO
    print(
        f"  full / floor: {ratio_wall:4.2f} x wall ({ratio_cpu:4.2f} x CPU); "
        f"target <= {TARGET_RATIO} x: {'met' if met else 'MISSED'}"
    )
    print(
        f"  full / (floor with this report's own PDF, {own_m.wall:.2f} s): "
        f"{full_m.wall / own_m.wall:4.2f} x wall ({full_m.cpu / own_m.cpu:4.2f} x CPU): "
        "what the pipeline costs beyond printing these pages"
    )
    print(
        f"  no-op make report: {noop.wall:6.3f} s; target < 0.5 s: "
        f"{'met' if noop.wall < 0.5 else 'MISSED'}"
    )
    return met and noop.wall < 0.5


def _floor_runs(parts: dict[str, list[Timing]], pdf: str, repeats: int) -> list[Timing]:
    """Run by run, the floor's steps summed with ``pdf`` as its HTML->PDF step."""
    steps = [runs for name, runs in parts.items() if name not in (MINIMAL_PDF, OWN_PDF)]
    steps.append(parts[pdf])
    return [sum((runs[i] for runs in steps), Timing(0, 0)) for i in range(repeats)]


def _seconds(start: str, end: str) -> float:
    return (dt.datetime.fromisoformat(end) - dt.datetime.fromisoformat(start)).total_seconds()


def _notebook_breakdown(path: Path) -> str:
    """Kernel start (papermill's start to the first cell), the import cell, the other cells,
    from the timings papermill records in the executed notebook."""
    nb = nbformat.read(path, as_version=4)
    cells = [c for c in nb.cells if c.cell_type == "code" and c.metadata.get("papermill")]
    run = nb.metadata["papermill"]
    kernel = _seconds(run["start_time"], cells[0].metadata.papermill["start_time"])
    imports = sum(c.metadata.papermill["duration"] for c in cells if "import " in c.source)
    rest = sum(c.metadata.papermill["duration"] for c in cells if "import " not in c.source)
    slowest = max(cells, key=lambda c: c.metadata.papermill["duration"])
    line = slowest.source.strip().splitlines()[0][:40]
    return (
        f"{path.name:34s} {run['duration']:5.2f} s: kernel start {kernel:4.2f}, imports "
        f"{imports:4.2f}, other cells {rest:4.2f} "
        f"(slowest {slowest.metadata.papermill['duration']:4.2f}: {line})"
    )


def breakdown() -> None:
    """A clean build, make's steps one at a time: the processed data, the notebooks, the report."""
    _clean()
    steps = {
        "process (data/processed/)": [
            *MAKE,
            str(config.PROCESSED_SOURCES.relative_to(config.ROOT)),
        ],
        "notebooks (papermill, concurrently)": [
            *MAKE,
            *(
                str((config.EXECUTED_DIR / nb.name).relative_to(config.ROOT))
                for nb in sorted(config.NOTEBOOKS_DIR.glob("[0-9][0-9]-*.ipynb"))
            ),
        ],
        "HTML + PDF (nbconvert, WeasyPrint)": [*MAKE, "report"],
    }
    print("where a full build's time goes (make's steps one by one, from clean)")
    for name, cmd in steps.items():
        print(f"  {name:40s}{_run(cmd)}")
    for path in sorted(config.EXECUTED_DIR.glob("[0-9][0-9]-*.ipynb")):
        print(f"    {_notebook_breakdown(path)}")


def main() -> None:
    """Measure and print the numbers; exit 1 when a target is missed (after printing all)."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--repeats", type=int, default=3, help="runs per measurement (median)")
    parser.add_argument("--breakdown", action="store_true", help="also time each build step")
    args = parser.parse_args()
    met = measure(args.repeats)
    if args.breakdown:
        breakdown()
    print("\nresponse dates in the report just built (what the timing chart can place):")
    print(response_dates.format_date_coverage(process.read_processed()[0]))
    sys.exit(0 if met else 1)


if __name__ == "__main__":
    main()
