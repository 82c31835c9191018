"""Processed data written directly from frames, for tests that need a processed build without
validating one: the product writes processed data only through ``process.staged`` (inside
``process.validate_and_build`` and ``ingest``), so this helper lives with the tests."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from troopclaims import config
from troopclaims.checks.verdict import ValidationReport
from troopclaims.store import manifest, process


def write_processed(
    claims: pd.DataFrame,
    articles: pd.DataFrame,
    out_dir: Path | None = None,
    validation: ValidationReport | None = None,
    raw: manifest.RawRecord | None = None,
) -> tuple[Path, Path]:
    """Write both parquet files (and the validation verdict, when given) with their
    sources.json (recording ``raw``, the raw files they come from, when given); return the
    parquets."""
    out_dir = Path(out_dir or config.PROCESSED_DIR)
    with process.staged(claims, articles, out_dir, validation, raw):
        pass
    return out_dir / config.PROCESSED_CLAIMS.name, out_dir / config.PROCESSED_ARTICLES.name
