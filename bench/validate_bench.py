"""`make bench`, validation part: wall time and peak memory of `troopclaims validate`.

For 10k, 100k and 1M synthetic valid claims (bench/synthetic.py), each run is a fresh process
(`troopclaims validate .bench/<n>`), so the Great Expectations import is counted in, as a user
pays it. Peak memory is the child's maximum resident set size (getrusage). Targets (issue 3):
100k in at most 8 s; 1M in at most 20 s and 2 GB, on a 2-core machine.

Beside them, 1M broken claims (`synthetic.py --broken`: every row has an unknown category and
the impossible date 2024-02-30, two rules broken per row) must be refused (exit 1) in at most
45 s and 2 GiB, printing at most 2,000 lines, with a JSON result (`--json`) under 40 MB. The
JSON is the fix list since issue 17: every problem up to ``problems.FIX_LIST_CAP`` (100,000,
about 360 bytes each), so its bound follows that cap (it was 20 MB when the JSON held 20 a
rule). Each line also gives the lines printed and the JSON result's size.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / ".bench"
GENERATOR = ROOT / "bench" / "synthetic.py"


@dataclass(frozen=True)
class Case:
    """One benchmark run: a synthetic drop, the exit code it must give, and its targets."""

    rows: int
    broken: bool = False
    max_seconds: float | None = None
    max_mib: float | None = None
    max_lines: int | None = None
    max_json_bytes: int | None = None

    @property
    def name(self) -> str:
        return f"broken-{self.rows}" if self.broken else str(self.rows)

    @property
    def label(self) -> str:
        kind = "broken rows (2 rules each)" if self.broken else "rows"
        return f"{self.rows:>9,} {kind}"


CASES = (
    Case(10_000),
    Case(100_000, max_seconds=8.0),
    Case(1_000_000, max_seconds=20.0, max_mib=2048.0),
    Case(
        1_000_000,
        broken=True,
        max_seconds=45.0,
        max_mib=2048.0,
        max_lines=2000,
        max_json_bytes=40_000_000,  # FIX_LIST_CAP problems of ~360 bytes
    ),
)


def ensure_data(case: Case) -> Path:
    """Generate the synthetic drop once; again when the dataset or the generator changed."""
    folder = OUT / case.name
    claims = folder / "claims.csv"
    sources = (ROOT / "data" / "raw" / "claims.csv", GENERATOR)
    newest = max(s.stat().st_mtime for s in sources)
    if not claims.exists() or claims.stat().st_mtime < newest:
        flags = ["--broken"] if case.broken else []
        subprocess.run(
            [sys.executable, str(GENERATOR), str(case.rows), str(folder), *flags], check=True
        )
    return folder


# A wrapper process per run, so RUSAGE_CHILDREN's maximum is that one run's, not the largest
# of every run so far. It counts the lines the run printed (stdout and stderr).
_WRAPPER = """
import resource, subprocess, sys, time
expected = int(sys.argv[1])
start = time.perf_counter()
proc = subprocess.run(sys.argv[2:], capture_output=True, text=True)
wall = time.perf_counter() - start
lines = len(proc.stdout.splitlines()) + len(proc.stderr.splitlines())
sys.stderr.write(proc.stdout[-2000:] + proc.stderr[-2000:] if proc.returncode != expected else "")
print(wall, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, proc.returncode, lines)
"""


@dataclass(frozen=True)
class Result:
    wall: float
    peak_mib: float
    code: int
    lines: int
    json_bytes: int


def run(case: Case, folder: Path) -> Result:
    """One validate run in a fresh process, with its JSON summary written beside the drop."""
    exe = Path(sys.executable).with_name("troopclaims")
    summary = OUT / f"{case.name}.result.json"
    summary.unlink(missing_ok=True)
    expected = 1 if case.broken else 0
    command = [str(exe), "validate", str(folder), "--json", str(summary)]
    out = subprocess.run(
        [sys.executable, "-c", _WRAPPER, str(expected), *command],
        capture_output=True,
        text=True,
        check=True,
    )
    sys.stderr.write(out.stderr)
    wall, peak_kib, code, lines = out.stdout.split()
    size = summary.stat().st_size if summary.exists() else 0
    return Result(float(wall), int(peak_kib) / 1024, int(code), int(lines), size)


def verdict(case: Case, result: Result) -> tuple[bool, str]:
    """Whether every target of ``case`` is met (and the exit code right), and the targets."""
    checks = [(result.code == (1 if case.broken else 0), None)]
    if case.max_seconds is not None:
        checks.append((result.wall <= case.max_seconds, f"<= {case.max_seconds:.0f} s"))
    if case.max_mib is not None:
        checks.append((result.peak_mib <= case.max_mib, f"<= {case.max_mib:.0f} MiB"))
    if case.max_lines is not None:
        checks.append((result.lines <= case.max_lines, f"<= {case.max_lines:,} lines"))
    if case.max_json_bytes is not None:
        limit = case.max_json_bytes / 1e6
        checks.append((result.json_bytes < case.max_json_bytes, f"< {limit:.0f} MB JSON"))
    ok = all(met for met, _ in checks)
    targets = ", ".join(text for _, text in checks if text)
    return ok, targets


def main() -> int:
    """Print one line per case, with the target verdict where a target exists."""
    print("validation benchmark: troopclaims validate <synthetic drop> (fresh process each)")
    failed = False
    for case in CASES:
        result = run(case, ensure_data(case))
        ok, targets = verdict(case, result)
        failed |= not ok
        note = f"  target {targets}: {'met' if ok else 'MISSED'}" if targets else ""
        if not targets and not ok:
            note = "  MISSED (wrong exit code)"
        print(
            f"  {case.label}: {result.wall:6.2f} s wall, {result.peak_mib:7.0f} MiB peak, "
            f"exit {result.code}, {result.lines} lines, {result.json_bytes / 1e6:.2f} MB JSON"
            f"{note}"
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
