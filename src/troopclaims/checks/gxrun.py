"""Great Expectations plumbing: run rules over a frame, turn GX's results into located problems.

The only module that talks to GX's runtime (``expectations`` builds the rules, as GX objects).
GX costs seconds to import, so it is imported when a run first needs it, and one ephemeral
context serves the whole process (``context``): a command that does not validate never pays.
What leaves this module is ours (``Problem``, ``ExpectationOutcome``), never a GX result.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import logging

import pandas as pd

from troopclaims import progress
from troopclaims.checks import distinct
from troopclaims.checks.verdict import ExpectationOutcome
from troopclaims.intake import load
from troopclaims.problems import FIX_LIST_CAP, Problem, RuleKey

NARROW_BATCHES_FROM_ROWS = 20_000
# The column that names a row, per table: claims first (a claim row also has an article_id).
ROW_ID_COLUMNS = ("claim_id", "article_id")


@functools.cache
def context():
    """The process-wide ephemeral GX context, progress bars off, logging quiet, frames not
    fingerprinted.

    GX fingerprints every frame under ``HASH_THRESHOLD`` bytes (an MD5 of every cell, twice
    per batch) into batch metadata that only GX's rendered data docs show: 16% of a small
    drop's validation (cProfile). Its own threshold, at 0, turns that off for every frame, as
    it already is for large ones.
    """
    import great_expectations as gx
    from great_expectations.execution_engine import pandas_execution_engine

    pandas_execution_engine.HASH_THRESHOLD = 0

    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    ctx = gx.get_context(mode="ephemeral")
    ctx.variables.progress_bars = {"globally": False}
    return ctx


@functools.cache
def _batch_definition():
    """The one dataframe asset this process validates through, each frame given at run time.

    Adding a data source, an asset or a batch definition saves the whole context's
    configuration (GX serialises it each time): three saves, ~25 ms, per batch when each batch
    had its own asset, 20% of a small drop's validation (cProfile). The frame is not part of
    the definition; each ``get_batch`` names its batch by the frame's contents.
    """
    source = context().data_sources.add_or_update_pandas("troopclaims")
    asset = source.add_dataframe_asset(name="frames")
    return asset.add_batch_definition_whole_dataframe("all")


def _columns_of(rule) -> tuple[str, ...]:
    """The frame columns one expectation reads (none for a table-level one)."""
    exp = rule.expectation
    if getattr(exp, "column", None):
        return (exp.column,)
    if getattr(exp, "column_A", None):
        return (exp.column_A, exp.column_B)
    return tuple(getattr(exp, "column_list", None) or ())


# Expectations whose verdict on a row reads that row alone (map expectations with no
# whole-column condition): the same on a frame of the distinct values of their columns, each
# distinct value standing for every row that holds it. Uniqueness reads the whole column and
# the column set the whole table: they, and any type not named here, run on every row.
ROW_WISE = frozenset(
    {
        "expect_column_values_to_not_be_null",
        "expect_column_values_to_be_in_set",
        "expect_column_values_to_not_be_in_set",
        "expect_column_values_to_match_regex",
        "expect_column_values_to_be_between",
        "expect_column_value_lengths_to_be_between",
        "expect_column_pair_values_a_to_be_greater_than_b",
        "expect_column_values_to_be_iso_date",
        "expect_column_values_to_not_contain_pattern",
        "expect_column_pair_values_quote_in_article",
        "expect_column_pair_values_to_be_allowed_pair",
        "expect_multicolumn_values_figure_in_quote",
    }
)


def _row_wise(rule) -> bool:
    """Whether ``rule`` may be judged on distinct values: a row-wise type, every row counted.

    ``mostly`` below 1 weighs rows, which distinct values would not; none of our rules sets it.
    """
    exp = rule.expectation
    mostly = getattr(exp, "mostly", 1.0)
    return exp.expectation_type in ROW_WISE and (mostly is None or mostly >= 1.0)


def _grouped_on(
    frame: pd.DataFrame, cols: tuple[str, ...], cache: dict
) -> distinct.DistinctRows | None:
    """The frame's rows grouped on the distinct combinations of ``cols`` (each column coded
    once per run, in ``cache``), or None when they are too many to gain or cannot be coded."""
    for col in cols:
        if col not in cache:
            cache[col] = distinct.exact_codes(frame[col])
    return distinct.grouped(distinct.combined_codes(cache[col] for col in cols), frame.iloc[:, :0])


def run_rules(name: str, frame: pd.DataFrame, rules: list, limit: int | None = None) -> list:
    """Validate ``frame`` against ``rules``; return GX results aligned to ``rules``, each with
    its count of failing rows and the first ``limit`` of their indices (``_validate_batch``).

    Large frames: rules are grouped by the columns they read. A row-wise rule (``ROW_WISE``)
    is judged on the distinct values of its columns (``_grouped_on``): a million claims
    repeat a few hundred categories, dates and quotes, and GX's cost grows with the rows it is
    given (it hashes every batch and filters it for every metric). The other rules of a group,
    and groups of mostly distinct values, run on a batch of only those columns; table-level
    rules (the column set) on a zero-row copy. Small frames: one batch, since each batch has a
    fixed cost (~25 ms) that then dominates.
    """
    if len(frame) < NARROW_BATCHES_FROM_ROWS:
        return _validate_batch(name, frame, rules, limit)
    groups: dict[tuple[str, ...], list[int]] = {}
    for i, rule in enumerate(rules):
        groups.setdefault(_columns_of(rule), []).append(i)
    cache: dict = {}
    by_rule: list = [None] * len(rules)
    steps = progress.bar(
        enumerate(groups.items()), total=len(groups), desc=f"checking {name}", rows=len(frame)
    )
    for n, (cols, indices) in steps:
        row_wise = [i for i in indices if _row_wise(rules[i])]
        rows = _grouped_on(frame, cols, cache) if cols and row_wise else None
        if rows is not None:
            distinct_frame = frame[list(cols)].iloc[rows.first].reset_index(drop=True)
            results = _validate_batch(
                f"{name}{n}_distinct", distinct_frame, [rules[i] for i in row_wise], rows.count
            )
            for i, res in zip(row_wise, _carried(results, rows, limit), strict=True):
                by_rule[i] = res
        left = [i for i in indices if by_rule[i] is None]
        if left:
            batch_frame = frame[list(cols)] if cols else frame.head(0)
            results = _validate_batch(f"{name}{n}", batch_frame, [rules[i] for i in left], limit)
            for i, res in zip(left, results, strict=True):
                by_rule[i] = res
    return by_rule


def _carried(results: list, rows: distinct.DistinctRows, limit: int | None) -> list:
    """Results of rules judged on distinct rows, carried back to every row they stand for: the
    failing count is the rows', and the listed indices are the first ``limit`` failing rows in
    frame order, as a run on every row lists them.

    GX was asked to list every failing distinct row; a result it did not list in full, or that
    crashed, comes back None: the caller then runs that rule on every row.
    """
    carried: list = []
    for res in results:
        if res is None or _raised(res) is not None:
            carried.append(None)
            continue
        failing = _labels(res.result.get("partial_unexpected_index_list") or [])
        if len(failing) != int(res.result.get("unexpected_count") or 0):
            carried.append(None)
            continue
        count, labels = rows.rows_of(failing, limit or FIX_LIST_CAP)
        res.result = {
            "element_count": len(rows.codes),
            "unexpected_count": count,
            "partial_unexpected_index_list": labels,
        }
        carried.append(res)
    return carried


def _labels(indices: list) -> list:
    """GX's failing-row indices as index labels (some GX versions give {index-column: value})."""
    return [next(iter(i.values())) if isinstance(i, dict) else i for i in indices]


def _validate_batch(name: str, frame: pd.DataFrame, rules: list, limit: int | None = None) -> list:
    """One GX batch, judged in two passes; results come back in ``rules`` order.

    First every rule in GX's BOOLEAN_ONLY format: whether it holds, and nothing else. Most
    rules of most drops hold, and the metrics GX's SUMMARY format adds (the failing values,
    their row indices, their counts) were a third of a small drop's validation (0.36 -> 0.24 s
    without them), computed for nothing when no row fails. Then the rules that did not hold
    in full (``_held``) again, in SUMMARY: ``unexpected_count`` and the first ``limit`` failing
    rows (``partial_unexpected_index_list``), where the fix list comes from. A rule that fails
    is therefore judged twice (a failing uniqueness rule on 1M rows: 0.34 -> 0.54 s). COMPLETE
    returned every failing index and an index query string holding them all (a million-entry
    list per broken rule); the query is off here too.
    """
    if len(frame) < NARROW_BATCHES_FROM_ROWS:
        # one block per dtype: GX filters the whole batch for each metric, and a frame built
        # column by column holds a block per column, each taken on its own (13% of a small
        # drop's validation); a large frame's narrow batches are few columns already
        frame = frame.copy()
    batch = _batch_definition().get_batch(batch_parameters={"dataframe": frame})
    results = _suite_results(batch, name, dict(enumerate(rules)), {"result_format": "BOOLEAN_ONLY"})
    again = {i: rule for i, rule in enumerate(rules) if not _held(rule, results[i])}
    summary = {
        "result_format": "SUMMARY",
        "partial_unexpected_count": limit or FIX_LIST_CAP,
        "include_unexpected_rows": False,
        "return_unexpected_index_query": False,
    }
    if again:
        results.update(_suite_results(batch, f"{name}_failed", again, summary))
    for i, rule in enumerate(rules):
        if i not in again and _is_map(rule):
            # What this module reads of a map rule's SUMMARY (``outcomes``, ``_carried``), as it
            # stands for a rule no row breaks; every result of a run then reads alike.
            results[i].result = {
                "unexpected_count": 0,
                "partial_unexpected_list": [],
                "partial_unexpected_index_list": [],
            }
    return [results[i] for i in range(len(rules))]


def _held(rule, res) -> bool:
    """Whether a BOOLEAN_ONLY result is the whole answer: the rule held, GX raised nothing while
    judging it, and it tolerates no failing row (``mostly`` 1, so holding means none failed)."""
    if res is None or not res.success or _raised(res) is not None:
        return False
    mostly = getattr(rule.expectation, "mostly", 1.0)
    return mostly is None or mostly >= 1.0


def _is_map(rule) -> bool:
    """Whether GX judges ``rule`` row by row (a map expectation: its SUMMARY counts failing
    rows); a table-level rule (the column set) has a summary of another shape."""
    from great_expectations.expectations.expectation import (
        ColumnMapExpectation,
        ColumnPairMapExpectation,
        MulticolumnMapExpectation,
    )

    maps = (ColumnMapExpectation, ColumnPairMapExpectation, MulticolumnMapExpectation)
    return isinstance(rule.expectation, maps)


def _raised(res) -> str | None:
    """The message of an exception GX caught while judging one rule, or None if none was.

    GX 1.x reports an exception raised by one of the rule's metrics under that metric's id
    (``{metric id: {"raised_exception": True, "exception_message": ...}}``), and one raised by
    the expectation itself at the top level; either way the rule was not judged.
    """
    info = res.exception_info or {}
    found = [info] + [v for v in info.values() if isinstance(v, dict)]
    for entry in found:
        if entry.get("raised_exception"):
            return str(entry.get("exception_message") or "an exception without a message")
    return None


def _suite_results(batch, name: str, rules: dict, result_format: dict) -> dict:
    """``rules`` (by their index in the batch's list) as one suite on ``batch`` in
    ``result_format``: each index's GX result.

    A rule keeps its index in ``meta`` in both passes, so that its metric plan for each format
    is made once and reused (``_metric_graphs_cached``) whichever other rules fail beside it.
    """
    import great_expectations as gx

    expectations = []
    for i, rule in rules.items():
        exp = rule.expectation.copy(deep=True)
        exp.meta = {"rule": i}
        expectations.append(exp)
    # Given whole to the constructor: ``add_expectation`` compares each new expectation with
    # every one before it (quadratic, through pydantic's dict()), ~0.4 s per run of 107 rules
    # that are distinct by construction (``meta`` holds each one's index).
    suite = gx.ExpectationSuite(name=f"troopclaims_{name}", expectations=expectations)
    with _configurations_cached(), _metric_ids_cached(), _metric_graphs_cached():
        result = batch.validate(suite, result_format=result_format)
    by_rule: dict = dict.fromkeys(rules)
    for res in result.results:
        by_rule[res.expectation_config.meta["rule"]] = res
    return by_rule


@contextlib.contextmanager
def _configurations_cached():
    """During one ``batch.validate``, each expectation's ``configuration`` is built once.

    GX 1.x rebuilds an expectation's ``ExpectationConfiguration`` (a pydantic ``dict()`` of every
    field) on each read of that property, and reads it once per kwarg while it plans the metrics:
    ~130 builds per expectation, a third of a small drop's validation time (cProfile: 13,848
    builds, 1.9 s of 7.0 s for the dataset's 107 rules). Nothing changes an expectation while
    GX validates it, so one build per expectation is the same configuration. The cache holds the
    expectation itself beside its configuration (an ``id`` is never reused while it lives), and
    the property is restored when the run ends, raised or not. A GX without this property
    (another major version) runs unchanged. Likewise, a configuration built here is turned back
    into its expectation once (``to_domain_obj``: GX does it for each metric it plans, a sixth
    of a small drop's validation); a configuration GX copied or built itself is not.
    """
    from great_expectations.expectations.expectation import Expectation
    from great_expectations.expectations.expectation_configuration import (
        ExpectationConfiguration,
    )

    original = Expectation.__dict__.get("configuration")
    original_domain = ExpectationConfiguration.__dict__.get("to_domain_obj")
    if not isinstance(original, property) or original.fget is None or original_domain is None:
        yield
        return
    built: dict[int, tuple[object, object]] = {}
    ours: dict[int, list] = {}  # id -> [a configuration built here, its expectation or None]

    def configuration(self):
        hit = built.get(id(self))
        if hit is None or hit[0] is not self:
            hit = built[id(self)] = (self, original.fget(self))
            ours[id(hit[1])] = [hit[1], None]
        return hit[1]

    def to_domain_obj(self):
        # GX turns a configuration read from an expectation back into an expectation once per
        # metric it plans (``registry.get_metric_kwargs``, ~10 per rule) only to read its
        # runtime arguments: for a configuration built above (never one GX copied or edited),
        # the one expectation it describes is built once.
        mine = ours.get(id(self))
        if mine is None or mine[0] is not self:
            return original_domain(self)
        if mine[1] is None:
            mine[1] = original_domain(self)
        return mine[1]

    Expectation.configuration = property(configuration, doc=original.__doc__)
    ExpectationConfiguration.to_domain_obj = to_domain_obj
    try:
        yield
    finally:
        Expectation.configuration = original
        ExpectationConfiguration.to_domain_obj = original_domain


class _NotPlainError(Exception):
    """A value ``_plain_key`` does not key exactly: its metric id is computed as GX does."""


def _plain_key(value: object) -> object:
    """A hashable key equal for two values exactly when GX's id of them is equal: plain JSON
    values, tagged with their exact type (``True == 1 == 1.0`` in Python, not in JSON; a float
    by its bits, so that ``-0.0`` and ``0.0`` stay apart). Anything else raises
    ``_NotPlainError``."""
    kind = type(value)
    if value is None or kind is str or kind is int or kind is bool:
        return (kind, value)
    if kind is float:
        return (kind, value.hex())
    if kind is list or kind is tuple:  # both are a JSON array
        return (list, tuple(_plain_key(v) for v in value))
    if kind is dict and all(type(k) is str for k in value):
        return (dict, tuple(sorted((k, _plain_key(v)) for k, v in value.items())))
    raise _NotPlainError


@contextlib.contextmanager
def _metric_ids_cached():
    """During one ``batch.validate``, each distinct metric argument set is hashed once.

    GX names every metric it plans by an id of its arguments (``IDDict.to_id``: the arguments
    made JSON-serialisable, dumped and MD5-hashed), and plans ~80 metric configurations per
    expectation: 11,700 ids for a small drop's ~200 distinct ones, a quarter of its validation
    (cProfile). An id depends only on the arguments' values, so equal plain values (keyed
    exactly by ``_plain_key``) have equal ids; a value of any other type is hashed as GX does.
    The method is restored when the run ends, raised or not; a GX without it runs unchanged.
    """
    from great_expectations.core.id_dict import IDDict

    original = IDDict.__dict__.get("to_id")
    if original is None:
        yield
        return
    ids: dict[object, object] = {}

    def to_id(self, id_keys=None, id_ignore_keys=None):
        try:
            key = (
                type(self),
                None if id_keys is None else frozenset(id_keys),
                None if id_ignore_keys is None else frozenset(id_ignore_keys),
                _plain_key(dict(self)),
            )
        except (_NotPlainError, TypeError):
            return original(self, id_keys, id_ignore_keys)
        if key not in ids:
            ids[key] = original(self, id_keys, id_ignore_keys)
        return ids[key]

    IDDict.to_id = to_id
    try:
        yield
    finally:
        IDDict.to_id = original


# Metric plans kept across runs: (batch id, rule, result format, engine) -> (the rule's
# configuration as GX evaluated it, its graph's edges). Bounded: the contract's rules on each
# batch shape, in the two formats of ``_validate_batch`` (SUMMARY only for rules that fail), a
# few hundred entries; emptied if it ever outgrows that.
_GRAPHS: dict[object, tuple[object, list]] = {}
_GRAPHS_CAP = 4096
# Expectations whose plan depends on the frame (they read its column types to plan): never kept.
_PLANS_FROM_DATA = frozenset(
    {"expect_column_values_to_be_of_type", "expect_column_values_to_be_in_type_list"}
)


def _plan_settings(runtime_configuration: dict | None) -> dict:
    """The run's settings as they stand once GX has read them: GX completes the result format
    in place (``parse_result_format`` adds its defaults) the first time it plans a rule, so a
    key taken from the raw settings would differ between the first rule of a run and the
    next, and the same plans would be stored twice."""
    from great_expectations.expectations.expectation_configuration import parse_result_format

    settings = copy.deepcopy(runtime_configuration or {})
    if "result_format" in settings:
        settings["result_format"] = parse_result_format(settings["result_format"])
    return settings


@contextlib.contextmanager
def _metric_graphs_cached():
    """During a ``batch.validate``, a rule's plan of metrics is reused from an earlier run.

    Before computing anything, GX plans each expectation's metrics (the expectation's
    dependencies, then a graph of ~80 metric configurations): 45% of a small drop's validation
    (cProfile: 0.26 s of 0.57 s), and the same plan on every run, since it depends only on the
    rule, the result format, the engine and the batch's id (one dataframe asset per process: the
    same id for every frame), never on the frame's values (a large frame's result format holds
    its count of distinct rows: a new count is a new plan, made by GX). GX's column type
    expectations plan from the data: they are never kept (``_PLANS_FROM_DATA``). A plan is
    reused only when all of them are equal (plain values keyed exactly by ``_plain_key``); a
    rule with any other value, or whose planning failed, is planned by GX each time. The metrics
    themselves are computed afresh on each frame. GX's method is restored when the run ends,
    raised or not; a GX without it runs unchanged.
    """
    from great_expectations.validator.validation_graph import (
        ExpectationValidationGraph,
        ValidationGraph,
    )
    from great_expectations.validator.validator import Validator

    name = "_generate_metric_dependency_subgraphs_for_each_expectation_configuration"
    original = Validator.__dict__.get(name)
    if original is None:
        yield
        return

    def planned(
        self,
        expectation_configurations,
        processed_configurations,
        catch_exceptions,
        runtime_configuration=None,
    ):
        try:
            settings = _plain_key(_plan_settings(runtime_configuration))
        except (_NotPlainError, TypeError):
            settings = None  # then nothing is keyed: GX plans every rule
        graphs: list = []
        evrs: list = []
        engine = self._execution_engine
        for conf in expectation_configurations:
            try:
                if settings is None or conf.type in _PLANS_FROM_DATA:
                    raise _NotPlainError
                key = (
                    self.active_batch_id,
                    conf.type,
                    _plain_key(conf.kwargs),
                    _plain_key(conf.meta),
                    settings,
                    type(engine),
                )
            except (_NotPlainError, TypeError):
                key = None
            hit = None if key is None else _GRAPHS.get(key)
            if hit is None:
                made, failed, done = original(
                    self,
                    expectation_configurations=[conf],
                    processed_configurations=[],
                    catch_exceptions=catch_exceptions,
                    runtime_configuration=runtime_configuration,
                )
                if key is not None and made and not failed:
                    if len(_GRAPHS) >= _GRAPHS_CAP:
                        _GRAPHS.clear()
                    _GRAPHS[key] = (done[0], list(made[0].graph.edges))
                graphs += made
                evrs += failed
                processed_configurations += done
                continue
            evaluated = copy.deepcopy(hit[0])  # GX's own copy per run, which results carry
            graph = ValidationGraph(execution_engine=engine, edges=list(hit[1]))
            graphs.append(ExpectationValidationGraph(configuration=evaluated, graph=graph))
            processed_configurations.append(evaluated)
        return graphs, evrs, processed_configurations

    setattr(Validator, name, planned)
    try:
        yield
    finally:
        setattr(Validator, name, original)


def check_header(name: str, rule, header: list[str]) -> tuple[bool, dict[str, list[str]]]:
    """Run one column-set rule on a file's header (a zero-row frame of its own columns): whether
    it passed, and GX's ``mismatched`` columns (``unexpected``/``missing``) when it names them."""
    [res] = _validate_batch(name, pd.DataFrame(columns=header), [rule])
    mismatched = (res.result.get("details") or {}).get("mismatched") or {}
    return bool(res.success), mismatched


def check(
    table: str,
    frame: pd.DataFrame,
    source_frame: pd.DataFrame,
    rules: list,
    rows: distinct.DistinctRows | None = None,
) -> tuple[list[Problem], list[ExpectationOutcome], dict[RuleKey, int]]:
    """Run ``rules`` on the prepared ``frame`` and locate what failed in ``source_frame``:
    the one call validation makes per table (``run_rules`` then ``outcomes``).

    With ``rows``, ``frame`` holds one row per distinct row of the source (``distinct``): the
    row-wise rules that read no varying column are judged there and carried back to every row;
    the others (the id's uniqueness and format) run on every row of the columns they read.
    """
    if rows is None:
        return outcomes(table, frame, source_frame, rules, run_rules(table, frame, rules))
    varying = set(rows.varying.columns)
    by_rule: list = [None] * len(rules)
    judged = [i for i, r in enumerate(rules) if _row_wise(r) and not varying & set(_columns_of(r))]
    results = run_rules(f"{table}_distinct", frame, [rules[i] for i in judged], rows.count)
    for i, res in zip(judged, _carried(results, rows, None), strict=True):
        by_rule[i] = res
    left = [i for i, res in enumerate(by_rule) if res is None]
    if left:
        every_row = _every_row(frame, rows, _columns_read(frame, [rules[i] for i in left]))
        for i, res in zip(left, run_rules(table, every_row, [rules[i] for i in left]), strict=True):
            by_rule[i] = res
    # Located with every column: a rule's wording (``explain``) may read any of them.
    located = _every_row(frame, rows, list(frame.columns), _failing_labels(by_rule))
    return outcomes(table, located, source_frame, rules, by_rule)


def _columns_read(frame: pd.DataFrame, rules: list) -> list[str]:
    """The columns ``rules`` read (every column when one is table-level)."""
    if any(not _columns_of(r) for r in rules):
        return list(frame.columns)
    return list(dict.fromkeys(c for r in rules for c in _columns_of(r)))


def _every_row(
    frame: pd.DataFrame, rows: distinct.DistinctRows, cols: list[str], labels: list | None = None
) -> pd.DataFrame:
    """Columns ``cols`` of the prepared frame as every row (or the rows ``labels`` name) has
    them: each row's distinct row, with its own values of the varying columns."""
    index = rows.varying.index if labels is None else pd.Index(labels)
    where = rows.varying.index.get_indexer(index) if labels is not None else slice(None)
    out = frame[[c for c in cols if c not in rows.varying.columns]].iloc[rows.codes[where]]
    out.index = index
    for col in rows.varying.columns.intersection(cols):
        out[col] = rows.varying[col].to_numpy()[where]
    return out[cols]


def _failing_labels(results: list) -> list:
    """Every row label some result lists as failing, once each."""
    labels = (
        label
        for res in results
        if res is not None
        for label in _labels((res.result or {}).get("partial_unexpected_index_list") or [])
    )
    return list(dict.fromkeys(labels))


def outcomes(
    table: str,
    frame: pd.DataFrame,
    source_frame: pd.DataFrame,
    rules: list,
    results: list,
    limit: int | None = None,
) -> tuple[list[Problem], list[ExpectationOutcome], dict[RuleKey, int]]:
    """Turn GX results into located problems; a check that crashed is an error, never a pass.

    Only the first ``limit`` failing rows of each rule become problems (located in a few
    vectorised lookups, explained one by one); the rest are counted in the returned per-rule
    ``unlisted`` counts.
    """
    problems: list[Problem] = []
    found_outcomes: list[ExpectationOutcome] = []
    unlisted: dict[RuleKey, int] = {}
    limit = limit or FIX_LIST_CAP
    for rule, res in zip(rules, results, strict=True):
        crashed = res is None or _raised(res) is not None
        detail = res.result if res is not None else {}
        indices = detail.get("partial_unexpected_index_list") or []
        count = int(detail.get("unexpected_count") or len(indices))
        success = bool(res.success) if not crashed else False
        found_outcomes.append(
            ExpectationOutcome(rule.name, rule.text, table, rule.severity, success, count)
        )
        if crashed:
            msg = _raised(res) if res is not None else "no result"
            problems.append(Problem(table, f"check {rule.name} could not run: {msg}"))
            continue
        if success:
            continue
        if rule.column is None or not indices:
            problems.append(
                Problem(
                    _files_of(source_frame),
                    rule.text,
                    severity=rule.severity,
                    expectation=rule.name,
                )
            )
            continue
        found = _located(rule, frame, source_frame, indices[:limit])
        problems += found
        if count > len(found):
            key = found[0].rule_key
            unlisted[key] = unlisted.get(key, 0) + count - len(found)
    return problems, found_outcomes, unlisted


def _located(rule, frame: pd.DataFrame, source_frame: pd.DataFrame, indices: list) -> list[Problem]:
    """The problems of one rule at these row labels: file, line, row id, the cell, the rule.

    Column by column, not row by row: a fix list of 100,000 rows is located in arrays; only a
    rule worded for its row (``explain``) reads each row whole.
    """
    labels = _labels(indices)
    files = source_frame[load.SOURCE_FILE_COLUMN].loc[labels].tolist()
    lines = source_frame[load.LINE_COLUMN].loc[labels].tolist()
    ids = _row_ids(source_frame, labels)
    values = [_cell_text(v) for v in frame[rule.column].loc[labels].tolist()]
    if rule.explain:
        texts = [rule.explain(row) for _, row in frame.loc[labels].iterrows()]
    else:
        texts = [rule.text] * len(labels)
    counted_as = rule.text if rule.explain else None
    return [
        Problem(
            file=file,
            line=int(line),
            column=rule.column,
            value=value,
            rule=text,
            severity=rule.severity,
            expectation=rule.name,
            row_id=row_id,
            counted_as=counted_as,
        )
        for file, line, row_id, value, text in zip(files, lines, ids, values, texts, strict=True)
    ]


def _row_ids(source_frame: pd.DataFrame, labels: list) -> list[str | None]:
    """Each row's own id (``claim_id``, ``article_id`` in articles.csv): what a curator
    searches for in a spreadsheet; None where the row has none."""
    column = next((c for c in ROW_ID_COLUMNS if c in source_frame.columns), None)
    if column is None:
        return [None] * len(labels)
    return [v if isinstance(v, str) and v else None for v in source_frame[column].loc[labels]]


def _cell_text(value) -> str:
    """A cell as the user typed it: empty (None/NaN/NA) is the empty string."""
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)


def _files_of(frame: pd.DataFrame) -> str:
    return ", ".join(sorted(frame[load.SOURCE_FILE_COLUMN].unique()))
