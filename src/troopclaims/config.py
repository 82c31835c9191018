"""Every path the project uses, rooted at the package's own location.

Notebooks run under papermill, in JupyterLab and from the command line with different working
directories; deriving paths from this file (not from ``os.getcwd()``) makes them all agree.
``TROOPCLAIMS_ROOT`` overrides the root so tests can point a whole run at a scratch copy.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

from troopclaims.errors import TroopclaimsError

PACKAGE_DIR = Path(__file__).resolve().parent


def project_root() -> Path:
    """The repository root: ``src/troopclaims/`` is two levels below it (src layout)."""
    override = os.environ.get("TROOPCLAIMS_ROOT")
    return Path(override).resolve() if override else PACKAGE_DIR.parents[1]


# The names of the data layout, the same in data/raw/ and in every drop folder (data/README.md):
# a folder holds claims.csv, articles.csv, optionally unclaimed.csv, and articles/ (the texts,
# with their SHA256SUMS); data/raw/drops/ holds the ingested drops, one folder each. Code joins
# them to the folder it was given (``raw_dir / config.DROPS_FOLDER``), read at call time.
CLAIMS_FILE = "claims.csv"
ARTICLES_FILE = "articles.csv"
UNCLAIMED_FILE = "unclaimed.csv"
# The draft claims `troopclaims draft` writes beside claims.csv for the curator to review: never
# data (validate and ingest neither read it nor list it as left behind; ingest does not copy it).
DRAFT_FILE = "claims.draft.csv"
ARTICLES_FOLDER = "articles"
MANIFEST_FILE = "SHA256SUMS"
DROPS_FOLDER = "drops"

ROOT = project_root()
DATA_DIR = ROOT / "data"
RAW_DIR = DATA_DIR / "raw"
RAW_ARTICLES_DIR = RAW_DIR / ARTICLES_FOLDER
RAW_ARTICLES_CSV = RAW_DIR / ARTICLES_FILE
RAW_CLAIMS_CSV = RAW_DIR / CLAIMS_FILE
ARTICLES_MANIFEST = RAW_ARTICLES_DIR / MANIFEST_FILE
PROCESSED_DIR = DATA_DIR / "processed"
PROCESSED_CLAIMS = PROCESSED_DIR / "claims.parquet"
PROCESSED_ARTICLES = PROCESSED_DIR / "articles.parquet"
# The validation verdict of exactly the data in processed/, written with it (the report reads it).
PROCESSED_VALIDATION = PROCESSED_DIR / "validation.json"
# The SHA-256 of every raw file processed/ was built from (and of processed/'s own files), written
# last with them: a reader compares it with data/raw/ before trusting processed/ (``manifest``).
PROCESSED_SOURCES = PROCESSED_DIR / "sources.json"
NOTEBOOKS_DIR = ROOT / "notebooks"
REPORTS_DIR = ROOT / "reports"
EXECUTED_DIR = REPORTS_DIR / "executed"
VALIDATION_DIR = REPORTS_DIR / "validation"
# reports/validation/ keeps the dataset's summary and the pages of this many most recent
# candidate drops (each drop path tried used to leave its page forever).
VALIDATION_HISTORY = 10
REPORT_HTML_FILE = "report.html"
REPORT_PDF_FILE = "report.pdf"
REPORT_HTML = REPORTS_DIR / REPORT_HTML_FILE
REPORT_PDF = REPORTS_DIR / REPORT_PDF_FILE
# A report built with a parameters file NAME.yaml goes to reports/NAME/ (report.html, report.pdf,
# executed/), beside the canonical one; these folder names of reports/ are taken.
RESERVED_REPORT_NAMES = (EXECUTED_DIR.name, VALIDATION_DIR.name)
KERNEL_NAME = "troopclaims"

# Size limits on what a drop may make us read. A drop comes from outside: a 1 GB "article" or a
# link to /dev/zero must be refused with a message, not read until memory runs out. The CSV limit
# leaves room for the 1M-row benchmark drop (~370 MB); the first corpus's largest article is
# under 20 kB. Every reader (validate, ingest, new-drop) uses these same numbers.
MAX_CSV_BYTES = 1 << 30  # one CSV file (claims.csv, articles.csv, unclaimed.csv)
MAX_ARTICLE_BYTES = 5_000_000  # one article text
MAX_ARTICLES_TOTAL_BYTES = 1 << 30  # all the article texts of one folder together

# How long ingest, process and report wait for one another's lock on data/raw/ before giving up.
LOCK_TIMEOUT_SECONDS = 60.0
LOCK_TIMEOUT_ENV = "TROOPCLAIMS_LOCK_TIMEOUT"


def display_path(path: Path) -> str:
    """A path relative to the project root when it is inside it, for short stable messages."""
    path = Path(path).resolve()
    try:
        return str(path.relative_to(ROOT))
    except ValueError:
        return str(path)


def inside_data(path: Path | str) -> bool:
    """Whether ``path`` is data/ or under it (links resolved, read now): only ingest adds to
    data/raw/ and only process writes data/processed/, so no other command writes there."""
    return Path(path).resolve().is_relative_to(DATA_DIR.resolve())


class ConfigError(TroopclaimsError, ValueError):
    """An environment setting the user must fix (its message says which and how); exit 2, as
    for any usage error, whichever command meets it."""

    exit_code = 2


def source_date_epoch() -> datetime | None:
    """The build time pinned by SOURCE_DATE_EPOCH (reproducible builds), or None if unset.

    One parser for every stage that needs "now": validation's future-date rule and the report's
    build date must agree, and a malformed value is a user error, not a crash.
    """
    raw = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not raw:
        return None
    if not raw.isdigit():
        raise ConfigError(
            f"SOURCE_DATE_EPOCH must be whole seconds since 1970-01-01 UTC, got {raw[:40]!r}"
            + ("…" if len(raw) > 40 else "")
        )
    try:
        return datetime.fromtimestamp(int(raw), UTC)
    except (ValueError, OverflowError, OSError):  # past year 9999, or past int()'s digit limit
        shown = raw[:20] + ("…" if len(raw) > 20 else "")
        raise ConfigError(
            f"SOURCE_DATE_EPOCH is out of range: {shown!r} is not a date Python can represent "
            "(whole seconds since 1970-01-01 UTC, up to year 9999)"
        ) from None


def lock_timeout() -> float:
    """Seconds to wait for the data lock: ``TROOPCLAIMS_LOCK_TIMEOUT`` when set, else the default.

    Read at call time, so a test or a user can shorten it for one command.
    """
    raw = os.environ.get(LOCK_TIMEOUT_ENV, "").strip()
    if not raw:
        return LOCK_TIMEOUT_SECONDS
    try:
        seconds = float(raw)
    except ValueError:
        seconds = -1.0
    if not seconds >= 0:  # also refuses nan
        raise ConfigError(
            f"{LOCK_TIMEOUT_ENV} must be a number of seconds (0 or more), got {raw!r}"
        )
    return seconds
