"""`make bench`, validation part: wall time and peak memory of `troopclaims validate`.

For 10k, 100k and 1M synthetic valid claims (bench/synthetic.py), each run is a fresh process
(`troopclaims validate .bench/<n>`), so the Great Expectations import is counted in, as a user
pays it. Peak memory is the child's maximum resident set size (getrusage). Targets (issue 3):
100k in at most 8 s; 1M in at most 20 s and 2 GB, on a 2-core machine.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / ".bench"
SIZES = (10_000, 100_000, 1_000_000)
TARGETS = {100_000: (8.0, None), 1_000_000: (20.0, 2048.0)}


def ensure_data(rows: int) -> Path:
    """Generate the synthetic drop once; regenerate if the dataset changed since."""
    folder = OUT / str(rows)
    claims = folder / "claims.csv"
    source = ROOT / "data" / "raw" / "claims.csv"
    if not claims.exists() or claims.stat().st_mtime < source.stat().st_mtime:
        subprocess.run(
            [sys.executable, str(ROOT / "bench" / "synthetic.py"), str(rows), str(folder)],
            check=True,
        )
    return folder


# A wrapper process per run, so RUSAGE_CHILDREN's maximum is that one run's, not the largest
# of every run so far.
_WRAPPER = """
import resource, subprocess, sys, time
start = time.perf_counter()
proc = subprocess.run(sys.argv[1:], capture_output=True, text=True)
wall = time.perf_counter() - start
sys.stderr.write(proc.stdout[-2000:] + proc.stderr[-2000:] if proc.returncode else "")
print(wall, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, proc.returncode)
"""


def run(folder: Path) -> tuple[float, float, int]:
    """Wall seconds, peak RSS in MiB, exit code of one validate run in a fresh process."""
    exe = Path(sys.executable).with_name("troopclaims")
    out = subprocess.run(
        [sys.executable, "-c", _WRAPPER, str(exe), "validate", str(folder)],
        capture_output=True,
        text=True,
        check=True,
    )
    sys.stderr.write(out.stderr)
    wall, peak_kib, code = out.stdout.split()
    return float(wall), int(peak_kib) / 1024, int(code)


def main() -> int:
    """Print one line per size, with the target verdict where a target exists."""
    print("validation benchmark: troopclaims validate <synthetic drop> (fresh process each)")
    failed = False
    for rows in SIZES:
        folder = ensure_data(rows)
        wall, peak, code = run(folder)
        target = TARGETS.get(rows)
        verdict = ""
        if target:
            ok = wall <= target[0] and (target[1] is None or peak <= target[1])
            failed |= not ok
            limits = f"<= {target[0]:.0f} s" + (f", <= {target[1]:.0f} MiB" if target[1] else "")
            verdict = f"  target {limits}: {'met' if ok else 'MISSED'}"
        print(f"  {rows:>9,} rows: {wall:6.2f} s wall, {peak:7.0f} MiB peak, exit {code}{verdict}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
