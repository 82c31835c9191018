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

Floors (issue 19): each case is paired with its floor, measured in the same run, alternately
(floor, then the command): a fresh process that imports Great Expectations and reads the same
claims.csv with ``pyarrow.csv.read_csv``, what any validation of that file must pay here. Every
line prints the command's time and memory beside its floor's and their ratio. Issue 19's targets:
1M valid rows within 2.0x the floor's time and 1.8 GiB; 1M broken rows within 30 s and 2 GiB;
100k rows within 6 s. The absolute targets were set where the 1M floor took 6.8 s; a machine
is judged against them scaled by its own floor (the target's ratio to 6.8 s, times the floor
measured now), so a slower machine is neither excused nor blamed, and both figures are printed.
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


# Where issue 19 measured its absolute targets: the 1M-row floor took this long.
REFERENCE_FLOOR_1M = 6.8


@dataclass(frozen=True)
class Targets:
    """Issue 19's targets of one case: a ratio to the floor, or seconds on the reference machine."""

    floor_ratio: float | None = None
    reference_seconds: float | None = None


CASES = (
    Case(10_000),
    Case(100_000, max_seconds=8.0),
    Case(1_000_000, max_seconds=20.0, max_mib=1843.0),
    Case(
        1_000_000,
        broken=True,
        max_seconds=45.0,
        max_mib=2048.0,
        max_lines=2000,
        max_json_bytes=40_000_000,  # FIX_LIST_CAP problems of ~360 bytes
    ),
)
ISSUE_19 = {
    "100000": Targets(reference_seconds=6.0),
    "1000000": Targets(floor_ratio=2.0),
    "broken-1000000": Targets(reference_seconds=30.0),
}


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


_FLOOR = """
import sys
import great_expectations
import pyarrow.csv
pyarrow.csv.read_csv(sys.argv[1])
"""


def floor(folder: Path) -> Result:
    """What any validation of this drop costs here: the GX import and an Arrow read of its CSV."""
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            _WRAPPER,
            "0",
            sys.executable,
            "-c",
            _FLOOR,
            str(folder / "claims.csv"),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    wall, peak_kib, code, lines = out.stdout.split()
    return Result(float(wall), int(peak_kib) / 1024, int(code), int(lines), 0)


def gx_import(guarded: bool) -> float:
    """Seconds to import GX in a fresh process, plain (as the floor does) or as a validating
    command does it, after ``troopclaims`` marked ``rfc3987_syntax`` absent."""
    code = ("import troopclaims\n" if guarded else "") + "import great_expectations\n"
    out = subprocess.run(
        [sys.executable, "-c", _WRAPPER, "0", sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
    )
    return float(out.stdout.split()[0])


def scaled_target(case: Case, floor_1m: float | None) -> tuple[float | None, str]:
    """Issue 19's time bound for ``case`` on this machine (seconds), and how it was derived."""
    target = ISSUE_19.get(case.name)
    if target is None:
        return None, ""
    if target.floor_ratio is not None:
        return None, f"<= {target.floor_ratio:.1f}x floor"
    if floor_1m is None:
        return None, ""
    scale = floor_1m / REFERENCE_FLOOR_1M
    bound = target.reference_seconds * scale
    text = (
        f"<= {bound:.1f} s ({target.reference_seconds:.0f} s where the 1M floor took "
        f"{REFERENCE_FLOOR_1M} s; here {floor_1m:.1f} s)"
    )
    return bound, text


def issue_19_verdict(case: Case, result: Result, base: Result, floor_1m: float | None) -> str:
    """The ratio to the floor and issue 19's verdict for one case (empty when it sets none)."""
    ratio = result.wall / base.wall
    line = (
        f"    floor {base.wall:6.2f} s, {base.peak_mib:5.0f} MiB -> {ratio:4.2f}x time, "
        f"{result.peak_mib / base.peak_mib:4.2f}x memory"
    )
    target = ISSUE_19.get(case.name)
    bound, text = scaled_target(case, floor_1m)
    if target is None or not text:
        return line
    met = ratio <= target.floor_ratio if target.floor_ratio is not None else result.wall <= bound
    return f"{line}; issue 19 target {text}: {'met' if met else 'MISSED'}"


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
    """Print one line per case with its targets' verdict, and its floor's line beneath it.

    The 1M floor is measured first (the absolute targets are scaled by it), then each case runs
    right after its own floor, so a change of load hits both.
    """
    print("validation benchmark: troopclaims validate <synthetic drop> (fresh process each)")
    failed = False
    folders = {case.name: ensure_data(case) for case in CASES}
    plain, guarded = gx_import(guarded=False), gx_import(guarded=True)
    print(
        f"  import great_expectations: {plain:.2f} s plain (the floors'), {guarded:.2f} s as "
        "troopclaims imports it (jsonschema's IRI grammar not compiled)"
    )
    floor_1m = floor(folders["1000000"]).wall
    for case in CASES:
        base = floor(folders[case.name])
        result = run(case, folders[case.name])
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
        print(issue_19_verdict(case, result, base, floor_1m))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
