"""Build ``data/processed/``: claims joined to their articles, typed, analysis-ready.

Processed data is derived entirely from ``data/raw/`` and may be deleted at any time; both files
are replaced together or not at all, so a failed build never leaves a half-new pair.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import pandas as pd

from troopclaims import atomic, config, contract, load

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
    claims: pd.DataFrame, articles: pd.DataFrame, out_dir: Path = config.PROCESSED_DIR
) -> tuple[Path, Path]:
    """Write both parquet files atomically and together; return their paths."""
    claims_path = Path(out_dir) / config.PROCESSED_CLAIMS.name
    articles_path = Path(out_dir) / config.PROCESSED_ARTICLES.name
    with contextlib.ExitStack() as stack:
        tmp_claims = stack.enter_context(atomic.atomic_path(claims_path))
        tmp_articles = stack.enter_context(atomic.atomic_path(articles_path))
        build_claims_table(claims, articles).to_parquet(tmp_claims, index=False)
        build_articles_table(claims, articles).to_parquet(tmp_articles, index=False)
    return claims_path, articles_path


def read_processed(
    out_dir: Path = config.PROCESSED_DIR,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The processed (claims, articles) pair, as notebooks load it."""
    return (
        pd.read_parquet(Path(out_dir) / config.PROCESSED_CLAIMS.name),
        pd.read_parquet(Path(out_dir) / config.PROCESSED_ARTICLES.name),
    )


def rebuild(
    sources: list[load.Source], out_dir: Path | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Type every source (already validated) and rewrite data/processed/; return the typed pair."""
    out_dir = out_dir or config.PROCESSED_DIR
    raw_claims, raw_articles = load.read_sources(sources)
    claims, articles = load.type_claims(raw_claims), load.type_articles(raw_articles)
    write_processed(claims, articles, out_dir)
    return claims, articles
