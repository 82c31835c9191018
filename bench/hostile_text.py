"""Issue 16 item 1, bounded cost: hostile article texts through the completeness check.

Each case builds a small drop (tests/fixtures/drops/valid, its article followed by a hostile
payload, up to the 5,000,000-byte article limit) in a temp folder and measures, each in a fresh
child process, the wall time and peak resident memory (``os.wait4``'s rusage, that child's own)
of two routes:

- ``completeness``: the check alone (``troop_sentences``, ``check_article`` and the
  unclaimed.csv rows, through ``check_completeness``) on the drop's article, claims and
  unclaimed rows;
- ``validate``: the whole command a curator runs, ``troopclaims validate DROP``.

Bound: at most 10 s and 1 GiB each (``MAX_SECONDS``, ``MAX_BYTES``). ``validate`` pays a fixed
cost whatever the article (Great Expectations' import and suite: about 15 s on a busy 2-core
machine), measured first on the unmodified fixture drop; its bound is on the time above that
baseline. A run still going after
``KILL_AFTER`` seconds is stopped and counted as missed. Exit status 1 when a bound is missed or
a run fails (exit 2 is an internal error). Run as ``.venv/bin/python bench/hostile_text.py``
(``--size N`` for smaller payloads, ``--only NAME`` for one case).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
VALID = ROOT / "tests" / "fixtures" / "drops" / "valid"
ARTICLE = "900_fixture.txt"
MAX_SECONDS = 10.0
MAX_BYTES = 1 << 30
KILL_AFTER = 120.0
ARTICLE_BYTES = 5_000_000  # config.MAX_ARTICLE_BYTES: the largest article a drop may hold

_CHECK = """
import sys
from pathlib import Path
import pandas as pd
from troopclaims.checks import completeness
from troopclaims.intake import load
drop = Path(sys.argv[1])
articles = pd.read_csv(drop / "articles.csv", dtype=str, keep_default_na=False)
claims = pd.read_csv(drop / "claims.csv", dtype=str, keep_default_na=False)
texts = {r.article_id: (drop / "articles" / r.file).read_text(encoding="utf-8")
         for r in articles.itertuples()}
found = [completeness.ArticleText(r.article_id, r.language, r.file, texts[r.article_id])
         for r in articles.itertuples()]
unclaimed = load.empty_unclaimed()
if (drop / "unclaimed.csv").exists():
    unclaimed = pd.read_csv(drop / "unclaimed.csv", dtype=str, keep_default_na=False)
    unclaimed[load.LINE_COLUMN] = [str(i + 2) for i in range(len(unclaimed))]
    unclaimed[load.SOURCE_FILE_COLUMN] = "unclaimed.csv"
problems = completeness.check_completeness(found, claims, unclaimed)
print(len(problems), "problem(s)")
"""


def _repeat(unit: str, size: int) -> str:
    """``unit`` repeated up to exactly ``size`` characters."""
    return (unit * (size // len(unit) + 1))[:size]


def _unpunctuated(size: int) -> str:
    """Words and digits without sentence punctuation, one troop figure in the middle."""
    half = _repeat("mot 42 chose 7 ", size // 2)
    return f"{half} environ 12 000 soldats {half}"


PAYLOADS: dict[str, Callable[[int], str]] = {
    "dots": lambda n: "." * n,
    "unpunctuated line": _unpunctuated,
    "mille mille": lambda n: _repeat("mille ", n),
    "numbers and nouns": lambda n: _repeat("12 000 soldats 3 000 troupes ", n),
    "digits then nouns": lambda n: _repeat("1234567 ", n // 2) + _repeat("soldats ", n // 2),
    "one digit run": lambda n: "7" * n,
    # Lines of short sentences, each with a troop noun (a line without one is not split): every
    # '.' put to sentencex, in pieces of about 1,400 characters; the same with unbalanced quotes
    # (quadratic for sentencex, which is given them as blanks); initials, which never end a
    # sentence, so the line is one sentence read in windows.
    "short sentences": lambda n: _repeat("Des soldats. ", n),
    "open quotes": lambda n: _repeat("« Des soldats. ", n),
    "initials": lambda n: _repeat("M. K. soldats ", n),
}
QUOTE_CHARS = 12_000
UNCLAIMED_ROWS = 200


@dataclass(frozen=True)
class Case:
    name: str
    payload: str
    quote: str | None = None  # a claim's quote of this text, added to claims.csv
    excerpts: int = 0  # unclaimed.csv rows whose excerpt is 'e'


def cases(size: int) -> list[Case]:
    """The hostile shapes of the issue, each as one drop."""
    out = [Case(name, make(size)) for name, make in PAYLOADS.items()]
    quote = _repeat("12 000 soldats 3 000 troupes ", QUOTE_CHARS).strip()
    out.append(Case(f"{QUOTE_CHARS // 1000} KB quote", f"{quote}\n" + _repeat("mot ", size), quote))
    out.append(Case(f"{UNCLAIMED_ROWS} 'e' excerpts", _repeat("le soldat est là ", size), None,
                    UNCLAIMED_ROWS))  # fmt: skip
    return out


def build(case: Case, folder: Path) -> Path:
    """The valid fixture drop, its article followed by the payload (at most 5,000,000 bytes)."""
    drop = folder / "drop"
    shutil.copytree(VALID, drop)
    (drop / "expected.json").unlink(missing_ok=True)
    article = drop / "articles" / ARTICLE
    head = article.read_text(encoding="utf-8")
    room = ARTICLE_BYTES - len(head.encode("utf-8")) - 1
    body = case.payload.encode("utf-8")[:room].decode("utf-8", "ignore")
    article.write_text(f"{head}\n{body}", encoding="utf-8")
    if case.quote is not None:
        claims = pd.read_csv(drop / "claims.csv", dtype=str, keep_default_na=False)
        row = claims.iloc[[0]].copy()
        row["claim_id"], row["quote"] = "T900-03", case.quote
        pd.concat([claims, row]).to_csv(drop / "claims.csv", index=False, lineterminator="\n")
    if case.excerpts:
        rows = [("T900", "e", "a letter found everywhere")] * case.excerpts
        frame = pd.DataFrame(rows, columns=["article_id", "excerpt", "reason"])
        frame.to_csv(drop / "unclaimed.csv", index=False, lineterminator="\n")
    return drop


@dataclass(frozen=True)
class Result:
    seconds: float
    peak_bytes: int
    code: int | None  # None: stopped after KILL_AFTER


def measure(command: list[str], cwd: Path) -> Result:
    """One child process: wall time, its own peak RSS (wait4's rusage) and exit code."""
    start = time.perf_counter()
    proc = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = start + KILL_AFTER
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() > deadline:
            proc.kill()
            _, status, usage = os.wait4(proc.pid, 0)
            proc.returncode = -1
            return Result(time.perf_counter() - start, usage.ru_maxrss * 1024, None)
        time.sleep(0.02)
    seconds = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    proc.returncode = code
    if code not in (0, 1):
        sys.stderr.write(proc.stderr.read().decode("utf-8", "replace")[-2000:])
    proc.stderr.close()
    return Result(seconds, usage.ru_maxrss * 1024, code)  # ru_maxrss is in KiB on Linux


def routes(drop: Path) -> dict[str, list[str]]:
    exe = Path(sys.executable).with_name("troopclaims")
    return {
        "completeness": [sys.executable, "-c", _CHECK, str(drop)],
        "validate": [str(exe), "validate", str(drop)],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=ARTICLE_BYTES, help="payload characters")
    parser.add_argument("--only", help="run only the case with this name")
    parser.add_argument("--route", choices=["completeness", "validate"], help="one route only")
    args = parser.parse_args(argv)
    print(f"hostile texts, {args.size:,}-character payloads; bound <= {MAX_SECONDS:.0f} s, "
          f"<= {MAX_BYTES / 2**30:.0f} GiB per run")  # fmt: skip
    header = f"{'case':<22} {'route':<13} {'wall s':>7} {'peak MiB':>9} {'exit':>5}"
    print(f"  {header} {'bounded s':>9}  bound")
    missed = False
    baseline = 0.0
    if args.route != "completeness":
        with tempfile.TemporaryDirectory(prefix="hostile-") as tmp:
            drop = build(Case("baseline", ""), Path(tmp))
            baseline = measure(routes(drop)["validate"], Path(tmp)).seconds
        print(f"  {'(fixture drop)':<22} {'validate':<13} {baseline:7.2f}  baseline, not bounded")
    for case in cases(args.size):
        if args.only and case.name != args.only:
            continue
        with tempfile.TemporaryDirectory(prefix="hostile-") as tmp:
            drop = build(case, Path(tmp))
            for route, command in routes(drop).items():
                if args.route and route != args.route:
                    continue
                r = measure(command, Path(tmp))
                extra = r.seconds - (baseline if route == "validate" else 0.0)
                ok = r.code in (0, 1) and extra <= MAX_SECONDS and r.peak_bytes <= MAX_BYTES
                missed |= not ok
                code = "kill" if r.code is None else str(r.code)
                verdict = "met" if ok else "MISSED"
                print(f"  {case.name:<22} {route:<13} {r.seconds:7.2f} "
                      f"{r.peak_bytes / 2**20:9.0f} {code:>5} {extra:9.2f}  {verdict}",
                      flush=True)  # fmt: skip
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
