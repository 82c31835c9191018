"""Bounded cost on bad input (issue 9, part 5; issue 17, part 2): problems are counted per rule;
the terminal and the summary page list the first few of each rule with the rule's total, and the
JSON result and problems.csv are the whole fix list, up to ``FIX_LIST_CAP`` problems.

The million-row figures are ``make bench``'s (bench/validate_bench.py); here a few hundred
broken rows show the shape, and counting the Problem objects validation builds itself shows
that locating failing rows is the rules' work, done in arrays.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import json
from pathlib import Path

import pandas as pd
import pytest
import raw_files

from troopclaims import cli, config, contract
from troopclaims.checks import completeness, validate, verdict, verdict_display
from troopclaims.problems import DataError, Problem

ROOT = Path(__file__).resolve().parents[1]
BROKEN_ROWS = 300


def _synthetic():
    """bench/synthetic.py, which is a script, not part of the package."""
    spec = importlib.util.spec_from_file_location("synthetic", ROOT / "bench" / "synthetic.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


synthetic = _synthetic()


@pytest.fixture(autouse=True)
def _summaries_to_tmp(tmp_path: Path, monkeypatch) -> None:
    """Validation summaries of test runs go to a scratch folder, not the real reports/."""
    monkeypatch.setattr(config, "VALIDATION_DIR", tmp_path / "validation")


@pytest.fixture(scope="module")
def broken_drop(tmp_path_factory) -> Path:
    """A claims-only drop in which every row breaks the same two rules (the bench's case)."""
    drop = tmp_path_factory.mktemp("bounded") / "broken"
    drop.mkdir()
    frame = synthetic.broken_claims(BROKEN_ROWS)
    frame.to_csv(drop / "claims.csv", index=False, lineterminator="\n")
    return drop


def _errors(rule: str, n: int, expectation: str | None = "expect_x(col)") -> list[Problem]:
    return [
        Problem("drops/d/claims.csv", rule, line=i + 2, column="col", expectation=expectation)
        for i in range(n)
    ]


# --- the report: listing and counting ----------------------------------------------------------


def test_the_first_n_of_each_rule_are_listed_with_the_total() -> None:
    warning = Problem("a.txt", "w", line=3, severity="warning", expectation="completeness")
    report = verdict.ValidationReport(_errors("rule A", 50) + _errors("rule B", 3) + [warning])
    shown, counts = report.listed(20)
    assert [p.rule for p in shown] == ["rule A"] * 20 + ["rule B"] * 3 + ["w"]
    assert [(c.rule, c.severity, c.total, c.listed) for c in counts] == [
        ("rule A", "error", 50, 20),
        ("rule B", "error", 3, 3),
        ("w", "warning", 1, 1),
    ]
    assert (report.error_count, report.warning_count, report.ok) == (53, 1, False)

    lines = verdict_display.format_lines(report, 20)
    assert len(lines) == 24 + 1 + 1  # listed, one "more" line (rule A), the summary
    assert lines[-2] == "... and 30 more (total 50) errors for rule: rule A"
    assert lines[-1].startswith("validation FAILED: 53 error(s), 1 warning(s);")


def test_bound_keeps_the_listed_problems_and_counts_the_rest() -> None:
    report = verdict.ValidationReport(_errors("rule A", 50) + _errors("rule B", 3))
    before = (report.to_dict(20), verdict_display.format_lines(report, 20))
    report.bound(20)
    assert len(report.problems) == 23
    assert report.unlisted == {("error", "expect_x(col)", "rule A"): 30}
    assert (report.to_dict(20), verdict_display.format_lines(report, 20)) == before
    assert report.error_count == 53


def test_the_json_shape() -> None:
    report = verdict.ValidationReport(_errors("rule A", 50), rows={"claims": 50})
    result = json.loads(report.to_json(20))
    assert result["ok"] is False
    assert result["summary"]["errors"] == 50
    assert result["summary"]["warnings"] == 0
    assert result["summary"]["listed"] == 20
    assert result["summary"]["listed_per_rule"] == 20
    assert result["problem_counts"] == [
        {
            "rule": "rule A",
            "expectation": "expect_x(col)",
            "severity": "error",
            "total": 50,
            "listed": 20,
        }
    ]
    assert len(result["problems"]) == 20
    assert set(result["problems"][0]) == {
        "file",
        "rule",
        "line",
        "column",
        "value",
        "severity",
        "expectation",
        "row_id",
    }


def test_the_report_notebook_says_how_many_problems_are_listed() -> None:
    warnings = [
        Problem("a.txt", "w", line=i, severity="warning", expectation="completeness")
        for i in range(30)
    ]
    result = verdict.ValidationReport(warnings).to_dict(20)
    overview, _, problems = verdict_display.validation_tables(result)
    assert (
        overview.set_index("summary")["value"]["problems listed"]
        == "20 of 30 (the first 20 per rule)"
    )
    assert len(problems) == 20
    every = verdict.ValidationReport(warnings[:3]).to_dict(20)
    assert "problems listed" not in set(verdict_display.validation_tables(every)[0]["summary"])


def test_the_limit_is_one_constant_that_code_can_change(monkeypatch) -> None:
    report = verdict.ValidationReport(_errors("rule A", 50))
    assert len(report.listed()[0]) == verdict.LIST_LIMIT_PER_RULE == 20
    monkeypatch.setattr(verdict, "LIST_LIMIT_PER_RULE", 5)
    assert len(report.listed()[0]) == 5
    assert len(verdict_display.format_lines(report)) == 5 + 2
    assert report.to_dict(5)["summary"]["listed_per_rule"] == 5


def test_the_json_and_problems_csv_are_the_full_fix_list(tmp_path: Path) -> None:
    report = verdict.ValidationReport(_errors("rule A", 500) + _errors("rule B", 3))
    result = report.to_dict()
    assert (result["summary"]["listed"], result["summary"]["complete"]) == (503, True)
    assert len(verdict_display.format_lines(report)) == 20 + 3 + 1 + 1  # the terminal: bounded
    page = tmp_path / "drop-x.html"
    verdict_display.write_summary(report, page, tmp_path / "drop-x.json")
    data = (tmp_path / "drop-x.problems.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # a BOM: Excel reads it as UTF-8
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert tuple(rows[0]) == verdict_display.FIX_LIST_COLUMNS
    assert len(rows) == 1 + 503


def test_past_its_cap_the_fix_list_says_where_it_stopped(monkeypatch) -> None:
    monkeypatch.setattr(verdict, "FIX_LIST_CAP", 100)
    report = verdict.ValidationReport(_errors("rule A", 500) + _errors("rule B", 3)).bound()
    result = report.to_dict()
    assert result["summary"]["complete"] is False
    assert result["summary"]["errors"] == 503
    counts = {c["rule"]: (c["total"], c["listed"]) for c in result["problem_counts"]}
    assert counts == {"rule A": (500, 50), "rule B": (3, 3)}


def test_many_failing_rules_list_fewer_each_but_at_least_one() -> None:
    many = [p for r in range(200) for p in _errors(f"rule {r}", 30)]
    report = verdict.ValidationReport(many)
    assert report.per_rule_limit() == verdict.LIST_LIMIT_TOTAL // 200
    assert len(report.listed()[0]) == verdict.LIST_LIMIT_TOTAL
    more = verdict.ValidationReport([p for r in range(3000) for p in _errors(f"r{r}", 2)])
    assert more.per_rule_limit() == 1
    assert len(more.listed()[0]) == 3000


def test_a_rule_worded_per_row_counts_as_one_rule() -> None:
    problems = [
        Problem(
            "c.csv",
            f"figure {n} is not written in the quote (numbers read as 'fr': none)",
            line=n,
            expectation="expect_figure(figure)",
            counted_as="figure is not written in its quote",
        )
        for n in range(2, 40)
    ]
    report = verdict.ValidationReport(problems)
    shown, [count] = report.listed(20)
    assert len(shown) == 20
    assert (count.rule, count.total) == ("figure is not written in its quote", 38)
    assert "counted_as" not in report.to_dict(20)["problems"][0]


def test_completeness_warnings_count_under_their_rule() -> None:
    warnings = [
        validate._counted_as_completeness(
            Problem(
                "articles/a.txt",
                f"{completeness.UNCOVERED_RULE}: “sentence {i}”",
                line=i,
                severity="warning",
                expectation="completeness",
            )
        )
        for i in range(30)
    ]
    report = verdict.ValidationReport(warnings)
    shown, [count] = report.listed(20)
    assert len(shown) == 20 and count.rule == completeness.UNCOVERED_RULE
    assert (count.total, count.severity, report.ok) == (30, "warning", True)


def test_a_data_error_message_is_bounded() -> None:
    err = DataError(_errors("blank line in the middle of the data", 10_000))
    assert len(err.problems) == 10_000
    assert len(str(err).splitlines()) == 21
    assert str(err).endswith("... and 9980 more")


# --- a broken drop end to end ------------------------------------------------------------------


def test_the_synthetic_broken_drop_breaks_exactly_two_rules_per_row(broken_drop: Path) -> None:
    report = validate.validate_sources(validate.candidate_sources(broken_drop))
    _, counts = report.listed()
    assert [(c.total, c.severity) for c in counts] == [(BROKEN_ROWS, "error")] * 2
    for count, words in zip(counts, synthetic.BROKEN_RULES, strict=True):
        assert count.rule.startswith(words)
    failed = [e for e in report.expectations if not e.success]
    assert [e.unexpected_count for e in failed] == [BROKEN_ROWS, BROKEN_ROWS]


def test_a_broken_drop_lists_n_per_rule_in_the_terminal_and_all_in_the_fix_list(
    broken_drop: Path, tmp_path: Path, monkeypatch, capsys
) -> None:
    made = []

    def counting_problem(*args, **kwargs) -> Problem:
        made.append(1)
        return Problem(*args, **kwargs)

    monkeypatch.setattr(validate, "Problem", counting_problem)
    monkeypatch.setattr(verdict, "LIST_LIMIT_PER_RULE", 5)
    out = tmp_path / "result.json"
    assert cli.main(["validate", str(broken_drop), "--json", str(out)]) == 1
    assert len(made) <= 2 * 5, "a Problem per failing row"

    text = "".join(capsys.readouterr()).splitlines()
    errors = [ln for ln in text if ln.startswith("ERROR")]
    assert len(errors) == 10
    assert errors[0].startswith(f"ERROR {config.display_path(broken_drop / 'claims.csv')}:2: ")
    more = [ln for ln in text if ln.startswith("... and ")]
    assert more == [
        f"... and {BROKEN_ROWS - 5} more (total {BROKEN_ROWS}) errors for rule: {rule}"
        for rule in (
            "category is not valid for this kind (see data/README.md)",
            "statement_date must be a real date written YYYY-MM-DD",
        )
    ]
    [verdict_line] = [ln for ln in text if ln.startswith("validation FAILED")]
    assert verdict_line.startswith(f"validation FAILED: {2 * BROKEN_ROWS} error(s), 0 warning(s)")

    result = json.loads(out.read_text(encoding="utf-8"))
    assert result["summary"]["errors"] == 2 * BROKEN_ROWS
    # the terminal and the page list 5 per rule; the JSON is the whole fix list
    assert (result["summary"]["listed"], result["summary"]["complete"]) == (2 * BROKEN_ROWS, True)
    assert [(c["total"], c["listed"]) for c in result["problem_counts"]] == [
        (BROKEN_ROWS, BROKEN_ROWS)
    ] * 2
    assert [p["line"] for p in result["problems"]][:6] == [2, 2, 3, 3, 4, 4]
    [fixes] = config.VALIDATION_DIR.glob("drop-broken-*.problems.csv")
    assert len(fixes.read_text(encoding="utf-8-sig").splitlines()) == 1 + 2 * BROKEN_ROWS

    [page] = config.VALIDATION_DIR.glob("drop-broken-*.html")
    html = page.read_text(encoding="utf-8")
    assert html.count('<tr><td class="error">') == 10
    assert f"... and {BROKEN_ROWS - 5} more (total {BROKEN_ROWS}) errors" in html


def test_malformed_rows_are_counted_not_kept_while_reading(tmp_path: Path, capsys) -> None:
    """Reading problems (here a stray field on every row) are bounded like the rules' ones."""
    from troopclaims import problems
    from troopclaims.intake import load

    base = raw_files.read_raw_claims()
    lines = ",".join(base.columns.drop(load.LINE_COLUMN)) + "\n"
    row = ",".join(f'"{v}"' for v in base.iloc[0].drop(load.LINE_COLUMN)) + ',"extra"\n'
    drop = tmp_path / "ragged"
    drop.mkdir()
    (drop / "claims.csv").write_text(lines + row * 5000, encoding="utf-8")
    with pytest.raises(DataError) as raised:
        raw_files.read_raw_claims(drop / "claims.csv")
    assert len(raised.value.problems) == 5000  # all kept for the fix list (under its cap)
    assert sum(raised.value.unlisted.values()) == 0
    assert str(raised.value).count("\n") == problems.MESSAGE_LIMIT  # the message: 20 and a count
    assert raised.value.problems[0].line == 2

    assert cli.main(["validate", str(drop)]) == 1
    out = "".join(capsys.readouterr())
    assert "validation FAILED: 5000 error(s)" in out
    assert f"and {5000 - problems.MESSAGE_LIMIT} more (total 5000)" in out
    fields = len(contract.CLAIM_COLUMNS) + 1
    assert out.count(f"row has {fields} fields") == problems.MESSAGE_LIMIT


def test_a_flag_rule_no_row_breaks_is_met_and_one_a_row_breaks_still_finds_it() -> None:
    """Large frames judge the helper-flag rules on the flags' distinct values (a few rows
    instead of every row, ``gxrun.run_rules``): the verdict must not change, a flag holding one
    False is still found at its row."""
    from troopclaims.checks import expectations, gxrun

    rows = gxrun.NARROW_BATCHES_FROM_ROWS
    broken = [True] * rows
    broken[rows - 7] = False
    frame = pd.DataFrame(
        {
            "_holds": pd.Series([True, None] * (rows // 2), dtype=object),
            "_broken": pd.Series(broken, dtype=object),
        }
    )
    rules = [
        expectations.Rule(expectations._true("_holds"), "x", "holds"),
        expectations.Rule(expectations._true("_broken"), "y", "broken"),
    ]
    held, failed = gxrun.run_rules("flags", frame, rules)
    assert held.success and held.result["unexpected_count"] == 0
    assert not failed.success and failed.result["unexpected_count"] == 1
    assert failed.result["partial_unexpected_index_list"] == [rows - 7]
