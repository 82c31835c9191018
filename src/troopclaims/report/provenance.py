"""What a report was built from: the processed build its notebooks read, and the environment.

``check_processed`` makes sure every executed notebook read one build of data/processed/, still
the current one and still matching the raw data it was built from; ``collect`` lists that build's
inputs (the raw files and SHA-256 its sources.json records, so exactly what the analysis read,
never a drop that landed after the notebooks ran), the git commit, the package versions, the
parameters and the build date (from ``SOURCE_DATE_EPOCH`` when set, so rebuilds are
byte-identical).
"""

from __future__ import annotations

import datetime as dt
import importlib.metadata
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from troopclaims import atomic, config, contract
from troopclaims.report.execute import RECORD_KEY, ReportError
from troopclaims.store import manifest

RUN_REPORT = (
    "run `make report` (it runs `troopclaims process`, then the notebooks again; without make: "
    "`troopclaims process`, then `troopclaims report`)"
)
PACKAGES = (
    "troopclaims",
    "pandas",
    "numpy",
    "pyarrow",
    "matplotlib",
    "great_expectations",
    "text2num",  # the figure reader's libraries: what a quote was read as depends on them
    "num2words",
    "babel",
    "sentencex",  # the completeness check's sentence ends: which sentence a warning quotes
    "papermill",
    "nbclient",
    "nbconvert",
    "nbformat",
    "ipykernel",
    "weasyprint",
    "pydyf",
    "fonttools",  # the Hangul subset embedded in the report
    "koreanize-matplotlib",  # carries the NanumGothic font file
)


def check_processed(executed: Sequence[Path], raw_dir: Path) -> manifest.Build | None:
    """The processed build every executed notebook read, once it is known to be current.

    Refused (``ReportError`` naming what to run): a notebook that records no build (executed
    by hand or by an older troopclaims), notebooks that read different builds, a build that has
    been replaced since they ran (an ingest or ``troopclaims process`` in between: its
    sources.json's SHA-256 differs), one that no longer matches data/raw/ (a drop landed since:
    ``manifest.stale_reasons``), and one built from another raw folder than ``raw_dir`` (the
    folder whose lock the command holds). Processed data written straight from frames (the
    tests' fixtures) records no raw folder and is checked only against its own files.
    Returns None when no notebook reads processed data.
    """
    import nbformat

    read: dict[tuple[str, str | None], list[str]] = {}
    for path in executed:
        record = nbformat.read(path, as_version=4).metadata.get(RECORD_KEY)
        shown = config.display_path(path)
        if not isinstance(record, dict) or "processed_dir" not in record:
            raise ReportError(
                f"{shown} does not record which processed data it read (executed by hand or "
                f"by an older troopclaims): {RUN_REPORT}"
            )
        if record["processed_dir"] is not None:
            key = (record["processed_dir"], record.get("sources_sha256"))
            read.setdefault(key, []).append(shown)
    if not read:
        return None
    if len(read) > 1:
        builds = "; ".join(
            f"{', '.join(names)} read {config.display_path(Path(folder))}/ "
            f"(sources.json {(digest or 'missing')[:12]})"
            for (folder, digest), names in sorted(read.items())
        )
        raise ReportError(f"the notebooks read different processed data ({builds}): {RUN_REPORT}")
    ((folder, digest),) = read
    out_dir = Path(folder)
    shown = config.display_path(out_dir)
    reasons = manifest.stale_reasons(out_dir)
    if reasons:
        raise ReportError(
            f"{shown}/, which the notebooks read, is out of date ({'; '.join(reasons)}): "
            f"{RUN_REPORT}"
        )
    try:
        data = manifest.read_build(out_dir)
    except manifest.StaleProcessedError as err:  # replaced since stale_reasons read it
        raise ReportError(f"{err}; then the notebooks again: {RUN_REPORT}") from None
    if data.digest != digest:
        raise ReportError(
            f"{shown}/ was rebuilt after the notebooks ran (an ingest or `troopclaims process` "
            f"in between): they read the build whose sources.json has SHA-256 "
            f"{(digest or 'none')[:12]}, the current one has {data.digest[:12]}: {RUN_REPORT}"
        )
    if data.raw_dir is not None and data.raw_dir.resolve() != Path(raw_dir).resolve():
        raise ReportError(
            f"{shown}/ was built from {config.display_path(data.raw_dir)}/, not from "
            f"{config.display_path(Path(raw_dir))}/ (--raw-dir): build with the raw folder the "
            "notebooks' data came from"
        )
    return data


def input_files(raw_dir: Path, extra: Sequence[Path] = ()) -> list[dict[str, str]]:
    """Every input file with its SHA-256: the real raw files of ``raw_dir`` (drops included;
    never the hidden leftovers of an interrupted ingest, ``manifest.raw_files``), then ``extra``."""
    files = manifest.raw_files(Path(raw_dir))
    files += [Path(p) for p in extra if p and Path(p).is_file()]
    return input_files_of(files)


def _git(*args: str) -> str | None:
    """Output of a git command in the project root, or None outside a git checkout."""
    try:
        done = subprocess.run(
            ["git", *args], cwd=config.ROOT, capture_output=True, text=True, check=True
        )
    except (OSError, subprocess.CalledProcessError):
        return None
    return done.stdout.strip()


# Where a file git does not track yet still shapes the report: a new notebook is executed and
# joined into it, a new module may be imported. Untracked files elsewhere (an ingested drop in
# data/raw/) are named with their hashes in the provenance already.
CODE_DIRS = ("notebooks", "src")


def git_state() -> dict[str, str]:
    """The commit the report was built from, and whether the work tree differed from it: a
    tracked file changed, or an untracked file in the code (``CODE_DIRS``)."""
    commit = _git("rev-parse", "HEAD")
    if commit is None:
        return {"commit": "unknown (not a git checkout)", "dirty": "unknown"}
    changed = _git("status", "--porcelain", "--untracked-files=no")
    added = _git("status", "--porcelain", "--untracked-files=all", "--", *CODE_DIRS)
    return {"commit": commit, "dirty": "yes" if changed or added else "no"}


def build_date() -> str:
    """UTC build time, from SOURCE_DATE_EPOCH when set so rebuilds are byte-identical.

    A malformed SOURCE_DATE_EPOCH raises ``config.ConfigError`` (reported as one line).
    """
    when = config.source_date_epoch() or dt.datetime.now(tz=dt.UTC).replace(microsecond=0)
    return when.strftime("%Y-%m-%d %H:%M:%S UTC")


def package_versions() -> list[tuple[str, str]]:
    """Versions of Python and of the packages that shape the numbers and the document."""
    versions = [("python", sys.version.split()[0])]
    for name in PACKAGES:
        try:
            versions.append((name, importlib.metadata.version(name)))
        except importlib.metadata.PackageNotFoundError:
            versions.append((name, "not installed"))
    return versions


def build_inputs(data: manifest.Build | None, extra: Sequence[Path] = ()) -> list[dict[str, str]]:
    """The inputs of the processed build the notebooks read, as its sources.json records them:
    every raw file with the SHA-256 it had when processed (``check_processed`` has verified
    that data/raw/ still holds exactly these), then that sources.json itself (the SHA-256 that
    names the build), then ``extra``. None (no notebook read processed data): ``extra`` only."""
    rows = []
    if data is not None:
        for rel, digest in data.raw.items():
            path = Path(data.raw_dir or ".") / rel  # raw is empty when raw_dir is None
            size = path.stat().st_size if path.is_file() else "unknown"
            rows.append({"path": config.display_path(path), "sha256": digest, "bytes": str(size)})
        rows.append(
            {
                "path": config.display_path(data.sources),
                "sha256": data.digest,
                "bytes": str(data.size),
            }
        )
    return rows + input_files_of([Path(p) for p in extra if p and Path(p).is_file()])


def input_files_of(files: Sequence[Path]) -> list[dict[str, str]]:
    """``files`` as provenance rows: path, SHA-256 and size, read now."""
    return [
        {
            "path": config.display_path(p),
            "sha256": atomic.sha256_file(p),
            "bytes": str(Path(p).stat().st_size),
        }
        for p in files
    ]


def collect(
    inputs: manifest.Build | Path | None, params_file: Path | None, used: dict[str, dict]
) -> dict:
    """What the report was built from: inputs, code version, environment, parameters, date.

    ``inputs`` is the processed build the notebooks read (``check_processed``; its recorded raw
    files are listed, ``build_inputs``), or None when none read any. A folder instead lists the
    real files in it now (``input_files``): only for rendering a page without a processed
    build, as the template's tests do; ``build`` always passes the build. ``used`` holds the
    parameters each notebook ran with (``report.combine``), stated on page 1 and listed here.
    """
    extra = [params_file] if params_file else []
    return {
        "inputs": (
            input_files(inputs, extra) if isinstance(inputs, Path) else build_inputs(inputs, extra)
        ),
        "git": git_state(),
        "packages": package_versions(),
        "build_date": build_date(),
        "parameters": [
            (stem, ", ".join(f"{k} = {v!r}" for k, v in sorted(vals.items())) or "defaults")
            for stem, vals in used.items()
        ],
        # Page 1 states them: only the notebooks that did not run with their defaults.
        "parameters_passed": [
            (stem, ", ".join(f"{k} = {v!r}" for k, v in sorted(vals.items())))
            for stem, vals in used.items()
            if vals
        ],
        "params_file": config.display_path(params_file) if params_file else None,
        "epoch": "SOURCE_DATE_EPOCH" if config.source_date_epoch() else "clock",
        "sample": sample_words(
            inputs if isinstance(inputs, Path) else getattr(inputs, "out_dir", None)
        ),
    }


def sample_words(folder: Path | None) -> str:
    """The corpus the report describes, from the processed articles, for the methodology's
    limits: 'Five French-language articles (two dated to a day, by inference; three without a
    day), none naming its outlet'. Written from the data, so an ingested drop in another
    language, or with dated articles, is said as it is (a fixed sentence went stale)."""
    import csv

    from num2words import num2words

    path = None if folder is None else Path(folder) / "articles.csv"
    if path is None or not path.is_file():
        return "The articles"
    with path.open(encoding="utf-8", newline="") as src:
        rows = list(csv.DictReader(src))
    names = sorted({contract.LANGUAGES.get(r["language"], r["language"]) for r in rows})
    kind = (
        f"{names[0]}-language articles"
        if len(names) == 1
        else f"articles in {', '.join(names[:-1])} and {names[-1]}"
    )
    day = [r for r in rows if r["published_date"] and r["date_precision"] == "day"]
    stated = sum(r["date_basis"] == "stated" for r in day)

    def count(n: int) -> str:
        return num2words(n) if n else "none"

    if stated == 0:
        how = "by inference"
    elif stated == len(day):
        how = "as their articles state" if stated > 1 else "as its article states"
    else:
        how = f"{count(stated)} as stated, the rest by inference"
    dated = f"{count(len(day))} dated to a day, {how}" if day else "none dated to a day"
    rest = len(rows) - len(day)
    without = f"; {count(rest)} without a day" if day and rest else ""
    named = sum(r.get("outlet", "unknown") not in ("", "unknown") for r in rows)
    outlets = (
        "none naming its outlet"
        if not named
        else f"{count(named)} naming {'its' if named == 1 else 'their'} outlet"
    )
    return f"{num2words(len(rows)).capitalize()} {kind} ({dated}{without}), {outlets}"
