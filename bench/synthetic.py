"""Synthetic *valid* claims for benchmarks: the real claims repeated under fresh claim ids.

Repeating real rows keeps every quote verifiable against the real articles, so the benchmark
exercises the same checks (and the same string lengths) as the real data, at any size.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from troopclaims import config, contract, load


def synthetic_claims(n_rows: int) -> pd.DataFrame:
    """``n_rows`` valid claims citing the base articles, with unique ids ``S<n>-<claim_id>``."""
    base = load.read_raw_claims(config.RAW_CLAIMS_CSV)[list(contract.CLAIM_COLUMNS)]
    reps = -(-n_rows // len(base))
    out = pd.concat([base] * reps, ignore_index=True).iloc[:n_rows].copy()
    copy_no = (pd.Series(range(len(out))) // len(base)).astype(str)
    out["claim_id"] = "S" + copy_no + "-" + out["claim_id"]
    return out


def main() -> None:
    """Write ``<out>/claims.csv`` with N synthetic claims (a claims-only drop)."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("rows", type=int)
    parser.add_argument("out", type=Path)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    synthetic_claims(args.rows).to_csv(args.out / "claims.csv", index=False, lineterminator="\n")


if __name__ == "__main__":
    main()
