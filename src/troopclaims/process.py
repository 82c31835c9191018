"""Build ``data/processed/``: validated, typed, analysis-ready claims and articles.

Processed data is derived entirely from ``data/raw/`` and may be deleted at any time. It is
only written from data that passed validation, and the validation verdict is written beside it
(``validation.json``), so the report always shows the verdict of exactly the data it analyses.
Every file is written to a temporary name first and all are renamed only once all are written:
a failed build leaves the previous set. (The renames themselves are consecutive, not one atomic
step: a crash between them could mix generations; rerunning ``make report`` repairs it.)
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import pandas as pd

from troopclaims import atomic, config, contract, load, validate

ARTICLE_FIELDS = ("file", "title", "outlet", "published_date", "date_precision", "date_basis")


def build_claims_table(claims: pd.DataFrame, articles: pd.DataFrame) -> pd.DataFrame:
    """Typed claims with their article's fields (prefixed ``article_``) and derived flags.

    ``has_statement_date`` and ``source_error`` save every notebook from re-deriving them.
    """
    art = articles.set_index("article_id")[list(ARTICLE_FIELDS)]
    art = art.add_prefix("article_")
    out = claims.join(art, on="article_id", how="left", validate="many_to_one")
    out["has_statement_date"] = out["statement_date"].notna()
    out["source_error"] = out["note"].fillna("").str.startswith(contract.SOURCE_ERROR_TAG)
    return out.sort_values("claim_id", kind="stable").reset_index(drop=True)


def build_articles_table(claims: pd.DataFrame, articles: pd.DataFrame) -> pd.DataFrame:
    """Typed articles with per-article claim counts by kind (zero when an article has none)."""
    counts = (
        claims.groupby(["article_id", "kind"], observed=False).size().unstack("kind", fill_value=0)
    )
    counts = counts.reindex(columns=list(contract.KINDS), fill_value=0).add_prefix("n_")
    out = articles.join(counts, on="article_id").fillna({f"n_{k}": 0 for k in contract.KINDS})
    for kind in contract.KINDS:
        out[f"n_{kind}"] = out[f"n_{kind}"].astype("int64")
    return out.sort_values("article_id", kind="stable").reset_index(drop=True)


def write_processed(
    claims: pd.DataFrame,
    articles: pd.DataFrame,
    out_dir: Path | None = None,
    validation: validate.ValidationReport | None = None,
) -> tuple[Path, Path]:
    """Write both parquet files (and the validation verdict, when given); return the parquets."""
    out_dir = Path(out_dir or config.PROCESSED_DIR)
    claims_path = out_dir / config.PROCESSED_CLAIMS.name
    articles_path = out_dir / config.PROCESSED_ARTICLES.name
    with contextlib.ExitStack() as stack:
        tmp_claims = stack.enter_context(atomic.atomic_path(claims_path))
        tmp_articles = stack.enter_context(atomic.atomic_path(articles_path))
        build_claims_table(claims, articles).to_parquet(tmp_claims, index=False)
        build_articles_table(claims, articles).to_parquet(tmp_articles, index=False)
        if validation is not None:
            tmp_json = stack.enter_context(
                atomic.atomic_path(out_dir / config.PROCESSED_VALIDATION.name)
            )
            tmp_json.write_text(validation.to_json(), encoding="utf-8")
    return claims_path, articles_path


def read_processed(
    out_dir: Path = config.PROCESSED_DIR,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The processed (claims, articles) pair, as notebooks load it."""
    return (
        pd.read_parquet(Path(out_dir) / config.PROCESSED_CLAIMS.name),
        pd.read_parquet(Path(out_dir) / config.PROCESSED_ARTICLES.name),
    )


def validate_and_build(
    raw_dir: Path | None = None, out_dir: Path | None = None
) -> validate.ValidationReport:
    """Validate the whole dataset under ``raw_dir``; if it passes, rewrite data/processed/.

    Returns the validation report either way; nothing is written when it has an error.
    """
    report, raw_claims, raw_articles = validate.read_and_validate(load.dataset_sources(raw_dir))
    if report.ok:
        claims, articles = load.type_claims(raw_claims), load.type_articles(raw_articles)
        write_processed(claims, articles, out_dir, validation=report)
    return report
