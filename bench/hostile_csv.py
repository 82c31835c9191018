"""Hostile large CSVs (issue 16 item 6): wall time and peak memory of `troopclaims validate`.

Each case is a drop whose CSV is within the documented limit (``config.MAX_CSV_BYTES``, 1 GiB)
but built to be refused: 500 MB claims.csv and 300 MB articles.csv with a quote that never
closes, and 500 MB claims.csv in Windows-1252 and Windows-1251 that no encoding fits. Before,
peeking at their ASCII columns decoded the whole file into one string and copied it into a
``StringIO`` (about six times the file); now every decode is streamed, so a refusal must come at
most at ``BOUND_MIB`` peak RSS, with a located message (file and line) and no traceback.

Run: ``.venv/bin/python bench/hostile_csv.py`` (``--keep`` keeps the drops, in a temp folder,
for a second look; ``--small`` makes every file a hundredth the size, to check the messages).
The files are written by streaming (never built in memory) and deleted after. Each run is a
fresh process under a wrapper whose ``RUSAGE_CHILDREN`` maximum is that one run's. Exit status
1 when any case misses its bound or is not a clean located refusal.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "tests" / "fixtures" / "examples" / "english-wire"
BOUND_MIB = 1536.0  # 1.5 GiB
MB = 1_000_000
_BLOCK_ROWS = 2_000  # rows written per write() call: streaming, a few hundred kB at a time

CLAIMS_HEADER = (
    "claim_id,article_id,claimant,claimant_group,kind,category,figure,unit,qualifier,"
    "figure_as_of,statement_date,date_precision,date_basis,event_start,event_end,quote,note,"
    "earliest_date,earliest_basis,latest_date,latest_basis,anchor_claim_id"
)
ARTICLES_HEADER = (
    "article_id,file,title,outlet,language,published_date,date_precision,date_basis,url,note"
)


def _claim(i: int, article: str, quote: str) -> str:
    """One ordinary claims row (the shape of the english-wire example's)."""
    return (
        f"E{i:07d}-01,{article},South Korea's spy agency,South Korea,troop_estimate,"
        f"already_in_russia,3000,soldiers,about,,,unknown,unknown,,,{quote},Fixture claim.,,,,,"
    )


def _article(i: int, language: str) -> str:
    """One ordinary articles row; its text file need not exist (the file is refused first)."""
    return (
        f"A{i:07d},a{i:07d}.txt,Troops sent (invented),unknown,{language},2024-10-25,day,"
        "stated,,Invented for the benchmark; not a real article."
    )


def _stream(path: Path, head: list[str], row: Callable[[int], str], size: int, tail: str) -> None:
    """Write ``head`` lines, then ``row(i)`` lines until ``size`` bytes, then ``tail``, encoded
    as the rows already are (bytes via latin-1 passthrough), a block at a time."""
    with path.open("wb") as out:
        written = out.write(("\n".join(head) + "\n").encode("latin-1"))
        i = 0
        while written < size:
            block = "".join(row(i + k) + "\n" for k in range(_BLOCK_ROWS))
            written += out.write(block.encode("latin-1"))
            i += _BLOCK_ROWS
        out.write(tail.encode("latin-1"))


def _example_articles(folder: Path) -> None:
    """The english-wire example's articles.csv and texts, so claims cite known articles."""
    shutil.copy(EXAMPLE / "articles.csv", folder / "articles.csv")
    shutil.copytree(EXAMPLE / "articles", folder / "articles")


def _latin1(text: str, encoding: str) -> str:
    """``text`` encoded in ``encoding``, carried as a str of its bytes (for ``_stream``)."""
    return text.encode(encoding).decode("latin-1")


def claims_unclosed_quote(folder: Path) -> None:
    """500 MB UTF-8 claims.csv: line 3 opens a quote that never closes."""
    _example_articles(folder)
    head = [CLAIMS_HEADER, _claim(0, "E001", "North Korea has sent some troops")]
    head.append(_claim(1, "E001", '"an unclosed quote'))
    _stream(folder / "claims.csv", head, lambda i: _claim(i + 2, "E001", "q"), 500 * MB, "")


def articles_unclosed_quote(folder: Path) -> None:
    """300 MB UTF-8 articles.csv: line 3 opens a quote that never closes."""
    shutil.copy(EXAMPLE / "claims.csv", folder / "claims.csv")
    (folder / "articles").mkdir()
    head = [ARTICLES_HEADER, _article(0, "en"), _article(1, "en").replace(",Troops", ',"Troops')]
    _stream(folder / "articles.csv", head, lambda i: _article(i + 2, "en"), 300 * MB, "")


def claims_cp1252_no_fit(folder: Path) -> None:
    """500 MB Windows-1252 claims.csv citing a French article; its last line holds byte 81,
    which Windows-1252 does not define: no encoding fits."""
    (folder / "articles").mkdir()
    (folder / "articles.csv").write_text(
        f"{ARTICLES_HEADER}\n{_article(0, 'fr')}\n", encoding="utf-8"
    )
    quote = _latin1("près de douze mille soldats nord-coréens", "cp1252")
    row = lambda i: _claim(i, "A0000000", quote)  # noqa: E731
    tail = _claim(9_999_999, "A0000000", "soldats \x81") + "\n"
    _stream(folder / "claims.csv", [CLAIMS_HEADER], row, 500 * MB, tail)


def claims_cp1251_mixed(folder: Path) -> None:
    """500 MB Windows-1251 claims.csv citing a Russian article; its last line is UTF-8: the
    file mixes encodings."""
    (folder / "articles").mkdir()
    (folder / "articles.csv").write_text(
        f"{ARTICLES_HEADER}\n{_article(0, 'ru')}\n", encoding="utf-8"
    )
    quote = _latin1("около двенадцати тысяч солдат", "cp1251")
    row = lambda i: _claim(i, "A0000000", quote)  # noqa: E731
    tail = _claim(9_999_999, "A0000000", _latin1("солдат", "utf-8")) + "\n"
    _stream(folder / "claims.csv", [CLAIMS_HEADER], row, 500 * MB, tail)


@dataclass(frozen=True)
class Case:
    """One hostile drop: how to build it, and the file and words its refusal must name."""

    name: str
    build: Callable[[Path], None]
    file: str
    words: str


CASES = (
    Case("claims 500 MB UTF-8, unclosed quote", claims_unclosed_quote, "claims.csv", ":3:"),
    Case(
        "articles 300 MB UTF-8, unclosed quote",
        articles_unclosed_quote,
        "articles.csv",
        ":3:",
    ),
    Case("claims 500 MB Windows-1252, no fit", claims_cp1252_no_fit, "claims.csv", "1252"),
    Case("claims 500 MB Windows-1251, mixed", claims_cp1251_mixed, "claims.csv", "mixes"),
)

# A wrapper process per run, so RUSAGE_CHILDREN's maximum is that one run's alone.
_WRAPPER = """
import resource, subprocess, sys, time
start = time.perf_counter()
proc = subprocess.run(sys.argv[1:], capture_output=True, text=True)
wall = time.perf_counter() - start
sys.stderr.write(proc.stdout + proc.stderr)
print(wall, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, proc.returncode)
"""


@dataclass(frozen=True)
class Result:
    wall: float
    peak_mib: float
    code: int
    output: str


def run(folder: Path) -> Result:
    """``troopclaims validate folder`` in a fresh process; its time, peak RSS and output."""
    exe = Path(sys.executable).with_name("troopclaims")
    out = subprocess.run(
        [sys.executable, "-c", _WRAPPER, str(exe), "validate", str(folder)],
        capture_output=True,
        text=True,
        check=True,
    )
    wall, peak_kib, code = out.stdout.split()
    return Result(float(wall), int(peak_kib) / 1024, int(code), out.stderr)


def judge(case: Case, result: Result) -> list[str]:
    """What is wrong with a run: over the bound, not a refusal, a crash, or an unlocated message."""
    wrong = []
    if result.peak_mib > BOUND_MIB:
        wrong.append(f"peak {result.peak_mib:.0f} MiB > {BOUND_MIB:.0f} MiB")
    if result.code != 1:
        wrong.append(f"exit {result.code}, not 1 (refused)")
    lowered = result.output.lower()
    if "traceback" in lowered or "internal error" in lowered or "memoryerror" in lowered:
        wrong.append("crashed")
    located = [ln for ln in result.output.splitlines() if case.file in ln and case.words in ln]
    if not located:
        wrong.append(f"no message naming {case.file} and {case.words!r}")
    return wrong


def main() -> int:
    """Build, run and delete each case; print a table; 1 when any case is missed."""
    global MB
    keep = "--keep" in sys.argv[1:]
    if "--small" in sys.argv[1:]:  # a quick look at the messages: every file 1/100 the size
        MB //= 100
    print(f"hostile CSVs: troopclaims validate DROP, bound {BOUND_MIB:.0f} MiB peak RSS")
    print(f"{'case':<40} {'size':>8} {'time':>8} {'peak':>10}  verdict")
    missed = False
    for case in CASES:
        tmp = Path(tempfile.mkdtemp(prefix="hostile-csv-"))
        try:
            folder = tmp / "drop"
            folder.mkdir()
            case.build(folder)
            size = (folder / case.file).stat().st_size / 1e6
            result = run(folder)
            wrong = judge(case, result)
            missed = missed or bool(wrong)
            verdict = "met" if not wrong else "MISSED: " + "; ".join(wrong)
            print(
                f"{case.name:<40} {size:>6.0f}MB {result.wall:>7.1f}s "
                f"{result.peak_mib:>6.0f} MiB  {verdict}",
                flush=True,
            )
            shown = [ln for ln in result.output.splitlines() if case.file in ln][:2]
            for line in shown or result.output.splitlines()[-3:]:
                print(f"    {line[:160]}")
        finally:
            if keep:
                print(f"    kept: {tmp}")
            else:
                shutil.rmtree(tmp, ignore_errors=True)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
