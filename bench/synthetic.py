"""Synthetic claims for benchmarks: the real claims repeated under fresh claim ids.

Repeating real rows keeps every quote verifiable against the real articles, so the benchmark
exercises the same checks (and the same string lengths) as the real data, at any size.

``--broken`` makes every row break exactly two rules (issue 9, part 5): an unknown category
(the kind/category rule; category has no vocabulary rule of its own) and an impossible
statement_date, 2024-02-30 (the real-date rule). A row whose statement_date was empty gets
precision 'day' and basis 'stated' with it, so the precision/basis rules stay met; the later
date rules skip a date that does not parse, and the quotes still cover their sentences, so the
completeness check adds nothing. Bounds and anchors are cleared (bounds are only allowed beside
an empty statement_date) and a basis inferred from another article becomes 'stated', so no
anchor rule fires either.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from troopclaims import config, contract
from troopclaims.intake import load, snapshot

UNKNOWN_CATEGORY = "no_such_category"
IMPOSSIBLE_DATE = "2024-02-30"
BROKEN_RULES = (
    "category is not valid for this kind",
    "statement_date must be a real date",
)


def synthetic_claims(n_rows: int) -> pd.DataFrame:
    """``n_rows`` valid claims citing the base articles, with unique ids ``S<n>-<claim_id>``."""
    tables = load.read_tables([snapshot.base_source(config.RAW_DIR)], check_columns=True)
    base = tables.claims[list(contract.CLAIM_COLUMNS)]
    reps = -(-n_rows // len(base))
    out = pd.concat([base] * reps, ignore_index=True).iloc[:n_rows].copy()
    copy_no = (pd.Series(range(len(out))) // len(base)).astype(str)
    out["claim_id"] = "S" + copy_no + "-" + out["claim_id"]
    return out


def broken_claims(n_rows: int) -> pd.DataFrame:
    """``synthetic_claims`` where every row breaks exactly the two ``BROKEN_RULES``."""
    out = synthetic_claims(n_rows)
    undated = out["statement_date"] == ""
    out.loc[undated, "date_precision"] = "day"
    out.loc[undated, "date_basis"] = "stated"
    out.loc[out["date_basis"] == "inferred_other_article", "date_basis"] = "stated"
    for col in (*contract.CLAIM_BOUNDS, *contract.CLAIM_BOUNDS.values(), "anchor_claim_id"):
        out[col] = ""
    out["statement_date"] = IMPOSSIBLE_DATE
    out["category"] = UNKNOWN_CATEGORY
    return out


def main() -> None:
    """Write ``<out>/claims.csv`` with N synthetic claims (a claims-only drop)."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("rows", type=int)
    parser.add_argument("out", type=Path)
    parser.add_argument(
        "--broken", action="store_true", help="every row breaks two rules (see BROKEN_RULES)"
    )
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    frame = (broken_claims if args.broken else synthetic_claims)(args.rows)
    frame.to_csv(args.out / "claims.csv", index=False, lineterminator="\n")


if __name__ == "__main__":
    main()
