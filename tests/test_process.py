"""data/processed/ is derived from raw, analysis-ready, and replaced atomically."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from troopclaims import load, process


def test_processed_claims_carry_their_article(tmp_path: Path) -> None:
    claims, articles = load.load_claims(), load.load_articles()
    process.write_processed(claims, articles, tmp_path)
    out_claims, out_articles = process.read_processed(tmp_path)
    assert len(out_claims) == len(claims)
    assert out_claims["article_file"].notna().all()
    assert set(out_claims.loc[out_claims["source_error"], "claim_id"]) == {"A003-03", "A003-04"}
    assert out_articles["n_troop_estimate"].sum() == (claims["kind"] == "troop_estimate").sum()
    assert str(out_claims["figure"].dtype) == "Int64"


def test_failed_write_leaves_previous_outputs_intact(tmp_path: Path, monkeypatch) -> None:
    claims, articles = load.load_claims(), load.load_articles()
    process.write_processed(claims, articles, tmp_path)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(process, "build_articles_table", boom)
    with pytest.raises(RuntimeError):
        process.write_processed(claims.head(3), articles, tmp_path)
    after = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    assert after == before  # both old files intact, no temp files left behind
    assert len(pd.read_parquet(tmp_path / "claims.parquet")) == len(claims)
