"""The validation verdict as the report shows it: read back from validation.json, as tables."""

from __future__ import annotations

import pandas as pd

from troopclaims import verdict_display


def test_missing_validation_result_is_none(tmp_path) -> None:
    assert verdict_display.read_validation_result(tmp_path / "validation.json") is None


def test_validation_tables_follow_the_result_schema() -> None:
    result = {
        "ok": False,
        "summary": {
            "errors": 1,
            "warnings": 0,
            "rows": {"claims": 3, "articles": 1},
            "files": ["a"],
        },
        "expectations": [
            {
                "name": "expect_a(ok_col)",
                "description": "d",
                "severity": "error",
                "success": True,
                "unexpected_count": 0,
            },
            {
                "name": "expect_b(bad_col)",
                "description": "d",
                "severity": "error",
                "success": False,
                "unexpected_count": 1,
            },
        ],
        "problems": [
            {
                "file": "a",
                "line": None,
                "column": None,
                "value": None,
                "rule": "r",
                "severity": "error",
                "expectation": None,
            }
        ],
    }
    overview, expectations, problems = verdict_display.validation_tables(result)
    assert overview.set_index("")["value"]["data valid"] == "no"
    assert expectations[["column", "result"]].values.tolist() == [
        ["bad_col", "FAILED"],  # unmet rules come first
        ["ok_col", "passed"],
    ]
    assert problems.loc[0, "column"] == ""
    assert pd.isna(problems.loc[0, "line"])
