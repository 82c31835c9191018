"""The validation verdict as the report shows it: read back from validation.json, as tables."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd

from troopclaims.checks import verdict_display


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
    assert overview.set_index("summary")["value"]["data valid"] == "no"
    assert expectations[["column", "result"]].values.tolist() == [
        ["bad_col", "FAILED"],  # unmet rules come first
        ["ok_col", "passed"],
    ]
    assert problems.loc[0, "column"] == ""
    assert pd.isna(problems.loc[0, "line"])


def test_showing_a_verdict_never_imports_great_expectations() -> None:
    """GX costs seconds to import: only a run that validates pays it (``gxrun`` imports it on
    first use), never a command or notebook that only reads or shows a verdict."""
    code = (
        "import sys\n"
        "from troopclaims.checks import validate, verdict, verdict_display\n"
        "page = verdict_display.render_html(verdict.ValidationReport())\n"
        "assert 'PASSED' in page\n"
        "print(sorted(m for m in sys.modules if m.startswith('great_expectations')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
