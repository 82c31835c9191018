"""Large drops are judged once per distinct row (issue 19): the verdict must be the one a run
over every row gives, problem for problem, and grouping must never merge rows a rule tells
apart."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from unittest import mock

import numpy as np
import pandas as pd
import pytest
import raw_files

from troopclaims.checks import distinct, expectations, gxrun, validate
from troopclaims.intake import load, snapshot

TODAY = date(2025, 1, 1)


def test_codes_keep_apart_what_python_equality_would_merge() -> None:
    assert distinct.exact_codes(pd.Series([True, 1, 1.0], dtype=object)) is None
    assert distinct.exact_codes(pd.Series(["a", None, float("nan")], dtype=object)) is None
    codes = distinct.exact_codes(pd.Series(["b", "a", "b", None, None], dtype="str"))
    assert codes.tolist() == [0, 1, 0, 2, 2]


def test_rows_group_on_every_column_but_the_varying_one_and_singles_stay_alone(
    monkeypatch,
) -> None:
    monkeypatch.setattr(distinct, "DISTINCT_SHARE", 0.5)  # 3 distinct rows of 8 are grouped
    frame = pd.DataFrame({"id": [f"c{i}" for i in range(8)], "x": ["a", "b"] * 4})
    singles = np.array([False, False, False, True, False, False, False, False])
    rows = distinct.distinct_rows(frame, frame[["id"]], singles)
    assert rows is not None
    assert rows.codes.tolist() == [0, 1, 0, 2, 0, 1, 0, 1]  # row 3 alone, as its own row
    assert rows.first.tolist() == [0, 1, 3]
    assert rows.rows_of([1], limit=2) == (3, [1, 5])  # "b" rows but the single, first two listed
    varied = pd.DataFrame({"id": list("abcd"), "x": list("wxyz")})
    assert distinct.distinct_rows(varied, varied[["id"]], np.zeros(4, bool)) is None


def _block(base: pd.DataFrame, n: int) -> pd.DataFrame:
    """The base claims under fresh ids (anchors still name the base claims), and rows that
    break the rules most likely to differ when rows are grouped: anchors (unknown, on a loop,
    naming a repeated id), a repeated id some anchor names, a missing or malformed id, an
    impossible date, a quote its article does not hold, a category of another kind."""
    copy = base.copy()
    copy["claim_id"] = f"S{n}-" + copy["claim_id"]
    anchored = base[base["anchor_claim_id"] != ""].iloc[0]
    broken = []
    for change in (
        {"anchor_claim_id": "NOPE-1"},
        {"claim_id": f"L{n}-1", "anchor_claim_id": f"L{n}-2"},
        {"claim_id": f"L{n}-2", "anchor_claim_id": f"L{n}-1"},
        {"claim_id": anchored["anchor_claim_id"]},
        {"claim_id": ""},
        {"claim_id": "bad id!"},
        {"statement_date": "2024-02-30", "date_precision": "day", "date_basis": "stated"},
        {"quote": "une phrase qu'aucun article ne contient"},
        {"category": "no_such_category"},
    ):
        row = anchored.copy()
        row["claim_id"] = f"S{n}-B{len(broken)}"
        for column, value in change.items():
            row[column] = value
        broken.append(row)
    return pd.concat([copy, pd.DataFrame(broken)], ignore_index=True)


@pytest.fixture(scope="module")
def large_frames() -> tuple[pd.DataFrame, pd.DataFrame]:
    claims, articles = raw_files.read_sources(
        [snapshot.read_source(s) for s in snapshot.dataset_sources()], check_columns=False
    )
    blocks = [claims]
    while sum(len(b) for b in blocks) < expectations.DISTINCT_FROM_ROWS:
        blocks.append(_block(claims, len(blocks)))
    large = pd.concat(blocks, ignore_index=True)
    large[load.LINE_COLUMN] = range(2, len(large) + 2)
    return large, articles


def test_a_large_drop_gets_the_verdict_every_row_would(large_frames, monkeypatch) -> None:
    claims, articles = large_frames
    _frame, rows = expectations.prepare_claims(claims, articles, TODAY)
    assert rows is not None and rows.count < len(claims) / 10  # grouped, else nothing is tested
    grouped = validate.validate_frames(claims, articles, TODAY)

    monkeypatch.setattr(expectations, "DISTINCT_FROM_ROWS", len(claims) + 1)
    monkeypatch.setattr(gxrun, "NARROW_BATCHES_FROM_ROWS", len(claims) + 1)
    assert expectations.prepare_claims(claims, articles, TODAY)[1] is None
    every_row = validate.validate_frames(claims, articles, TODAY)

    assert grouped.problems == every_row.problems
    assert grouped.expectations == every_row.expectations
    assert grouped.unlisted == every_row.unlisted
    failing = {o.name for o in grouped.expectations if not o.success}
    assert len(failing) >= 8  # the broken rows' rules did fail (anchors, ids, dates, quote...)


def test_narrow_batches_on_distinct_values_list_failing_rows_in_frame_order() -> None:
    """Per-column grouping inside one large frame: a flag column that holds one False is
    found at its row, and the count is of rows, not of distinct values."""
    rows = gxrun.NARROW_BATCHES_FROM_ROWS
    flags = pd.Series([True, None] * (rows // 2), dtype=object)
    flags.iloc[[5, rows - 7]] = False
    frame = pd.DataFrame({"_broken": flags})
    rule = expectations.Rule(expectations._true("_broken"), "y", "broken")
    [result] = gxrun.run_rules("flags", frame, [rule])
    assert not result.success
    assert result.result["unexpected_count"] == 2
    assert result.result["partial_unexpected_index_list"] == [5, rows - 7]


def test_metric_ids_are_keyed_exactly_by_value_and_type() -> None:
    """GX names each metric by an id of its arguments (``IDDict.to_id``); ``gxrun`` remembers
    ids during a run by a key that must tell apart what JSON tells apart."""
    key = gxrun._plain_key
    assert len({key(True), key(1), key(1.0)}) == 3  # equal in Python, not in JSON
    assert key(0.0) != key(-0.0)
    assert key((1, "a")) == key([1, "a"])  # both are a JSON array
    assert key({"b": 1, "a": [None]}) == key({"a": [None], "b": 1})
    for unplain in (np.int64(1), pd.Timestamp("2024-10-18"), {1: "a"}, {"a"}):
        with pytest.raises(gxrun._NotPlainError):
            key(unplain)


def test_remembered_metric_ids_are_gx_s_own_and_gx_is_restored() -> None:
    from great_expectations.core.id_dict import IDDict

    original = IDDict.to_id
    cases = [
        IDDict({"column": "quote", "batch_id": "b", "row_condition": None}),
        IDDict({"value_set": ["a", "b"], "mostly": 1.0, "flag": True}),
        IDDict({"value_set": ["a", "b"], "mostly": 1, "flag": 1}),
        IDDict({"when": pd.Timestamp("2024-10-18"), "n": np.int64(3)}),  # hashed as GX does
    ]
    expected = [original(c) for c in cases]
    with gxrun._metric_ids_cached():
        assert [c.to_id() for c in cases] == expected
        assert [c.to_id() for c in cases] == expected  # the second time from memory
        assert cases[1].to_id(id_keys=["mostly"]) == original(cases[1], id_keys=["mostly"])
    assert IDDict.to_id is original


def test_an_expectation_s_configuration_and_its_expectation_are_built_once_per_run() -> None:
    """GX rebuilds an expectation's configuration on each read, and turns it back into an
    expectation for each metric it plans; during a run ``gxrun`` builds each once, for the
    objects it built itself only, and restores GX after."""
    import copy

    from great_expectations.expectations.expectation import Expectation
    from great_expectations.expectations.expectation_configuration import (
        ExpectationConfiguration,
    )

    rule = expectations.claims_rules([], {})[0].expectation
    before = (Expectation.__dict__["configuration"], ExpectationConfiguration.to_domain_obj)
    with gxrun._configurations_cached():
        config = rule.configuration
        assert rule.configuration is config
        assert config.to_domain_obj() is config.to_domain_obj()
        assert config.to_domain_obj() == rule
        copied = copy.deepcopy(config)  # as GX copies a configuration before it edits it
        assert copied.to_domain_obj() is not copied.to_domain_obj()
    after = (Expectation.__dict__["configuration"], ExpectationConfiguration.to_domain_obj)
    assert after == before
    assert rule.configuration is not rule.configuration  # GX's own again: built on each read


def test_a_reused_metric_plan_gives_the_verdict_gx_s_own_plan_gives() -> None:
    """A rule's metric plan is kept across runs (it depends on the rule, never on the frame):
    drops with different faults, judged with plans reused from earlier runs, get exactly the
    verdict of a run where GX planned everything itself; and GX is restored after each run."""
    from great_expectations.validator.validator import Validator

    name = "_generate_metric_dependency_subgraphs_for_each_expectation_configuration"
    original = Validator.__dict__[name]
    drops = Path(__file__).parent / "fixtures" / "drops"
    faults = ["valid", "date_month_13", "missing_column"]  # none, a row fault, a header fault

    def verdict(fault: str) -> dict:
        sources = validate.candidate_sources(drops / fault)
        return validate.validate_sources(sources, today=date(2026, 12, 6)).to_dict()

    gxrun._GRAPHS.clear()
    planned_by_gx = []
    for fault in faults:
        with mock.patch.object(gxrun, "_GRAPHS", {}):  # every plan made afresh, none kept
            planned_by_gx.append(verdict(fault))
    assert not gxrun._GRAPHS
    verdict("valid")  # fills the plans every later run reuses
    kept = len(gxrun._GRAPHS)
    assert kept > 50
    verdict("valid")
    assert len(gxrun._GRAPHS) == kept  # the same drop again plans nothing new
    reused = [verdict(fault) for fault in reversed(faults)][::-1]
    assert len(gxrun._GRAPHS) <= kept + 20  # the faults' own shapes at most, nothing per run
    assert reused == planned_by_gx
    assert any(not v["ok"] for v in reused) and reused[0]["ok"]
    assert Validator.__dict__[name] is original


def test_frames_are_not_fingerprinted_for_gx_s_metadata() -> None:
    """GX's MD5 of every cell of a small frame serves only its data docs; it is off."""
    from great_expectations.execution_engine import pandas_execution_engine

    rule = expectations.claims_rules([], {})[0]
    with mock.patch.object(pandas_execution_engine, "hash_pandas_dataframe") as fingerprint:
        [result] = gxrun._validate_batch("claims", pd.DataFrame({"claim_id": ["a", "a"]}), [rule])
    assert result.result["unexpected_count"] == 2  # the frame was judged
    assert fingerprint.call_count == 0
    assert pandas_execution_engine.HASH_THRESHOLD == 0


def test_a_rule_gx_could_not_judge_is_an_error_naming_the_check_whatever_its_severity() -> None:
    """GX reports an exception raised by a rule's metric under the metric's id, not at the top
    of the result: such a rule was not judged, so it must say so as an error, never pass as a
    warning or read as a fault of the data."""
    import great_expectations.expectations as gxe

    frame = pd.DataFrame({"x": ["a", "b"], load.SOURCE_FILE_COLUMN: "f.csv", load.LINE_COLUMN: 2})
    rules = [
        expectations.Rule(
            gxe.ExpectColumnValuesToMatchRegex(column="x", regex="("), "x", "t", "warning"
        ),
        expectations.Rule(gxe.ExpectColumnValuesToNotBeNull(column="x"), "x", "x is required"),
    ]
    results = gxrun.run_rules("claims", frame[["x"]], rules)
    assert gxrun._raised(results[0]) is not None and gxrun._raised(results[1]) is None
    problems, outcomes, _ = gxrun.outcomes("claims", frame, frame, rules, results)
    assert [o.success for o in outcomes] == [False, True]
    [problem] = problems
    assert problem.severity == "error"
    assert problem.rule.startswith("check expect_column_values_to_match_regex(x) could not run: ")


def test_a_rule_is_planned_once_per_format_whichever_rules_fail_beside_it() -> None:
    """Each rule is judged whether it holds, then (if not) where it fails: the second pass keeps
    the rule's own index, so its plan is reused when other rules fail beside it."""
    unique, id_format, required = expectations.claims_rules([], {})[:3]  # of claim_id
    rules = [id_format, unique, required]
    frame = pd.DataFrame({"claim_id": ["A001-01", "A001-01"]})
    gxrun._GRAPHS.clear()
    first = gxrun._validate_batch("claims", frame, rules)
    planned = len(gxrun._GRAPHS)
    again = gxrun._validate_batch("claims", pd.DataFrame({"claim_id": ["-x", "-x"]}), rules)
    assert [r.success for r in first] == [True, False, True]
    assert [r.success for r in again] == [False, False, True]
    assert len(gxrun._GRAPHS) == planned + 1  # the format rule's SUMMARY plan, nothing else
    assert first[0].result["unexpected_count"] == 0  # a held map rule reads like a summary
    assert again[0].result["partial_unexpected_index_list"] == [0, 1]
    assert again[1].result["unexpected_count"] == 2
