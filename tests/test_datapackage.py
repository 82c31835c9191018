"""data/processed/ is a Frictionless Data Package that frictionless itself accepts, and rejects
when the data breaks it; validation.json and problems.csv match their published JSON Schemas.

The checks on the data are frictionless's, not ours: each broken copy is validated with the
library's Python API, and the test asserts which of the library's errors it reports.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import json
import shutil
from pathlib import Path

import frictionless
import jsonschema
import pandas as pd
import pytest

from troopclaims import config, contract
from troopclaims.checks import validate, verdict_display
from troopclaims.checks.verdict import ExpectationOutcome, ValidationReport
from troopclaims.problems import Problem
from troopclaims.store import datapackage, ingest, process

FIXTURES = Path(__file__).parent / "fixtures"
SCHEMAS = config.ROOT / "schemas"
KIND_RULE = "kind must be one of: a, b"


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """data/processed/ as ``troopclaims process`` builds it from a copy of the real raw data."""
    root = tmp_path_factory.mktemp("project")
    shutil.copytree(config.RAW_DIR, root / "raw")
    out = root / "processed"
    assert process.validate_and_build(root / "raw", out).ok
    return out


def _descriptor(folder: Path) -> dict:
    return json.loads((folder / datapackage.DESCRIPTOR_NAME).read_text(encoding="utf-8"))


def _resource(doc: dict, name: str) -> dict:
    return next(r for r in doc["resources"] if r["name"] == name)


def _fields(doc: dict, name: str) -> dict[str, dict]:
    return {f["name"]: f for f in _resource(doc, name)["schema"]["fields"]}


def _errors(report: frictionless.Report) -> list[tuple[str, str, str | None]]:
    """(resource, error type, field) of every error frictionless reported."""
    return [
        (task.name, error.type, getattr(error, "field_name", None))
        for task in report.tasks
        for error in task.errors
    ]


# --- The real dataset ----------------------------------------------------------------------------


def test_the_processed_dataset_is_a_valid_data_package(built: Path) -> None:
    report = frictionless.validate(built / datapackage.DESCRIPTOR_NAME)
    assert report.valid, _errors(report)
    rows = {task.name: task.stats["rows"] for task in report.tasks}
    claims = pd.read_parquet(built / config.PROCESSED_CLAIMS.name)
    articles = pd.read_parquet(built / config.PROCESSED_ARTICLES.name)
    assert rows == {"claims": len(claims), "articles": len(articles)}


def test_the_csvs_hold_what_the_parquet_files_hold(built: Path) -> None:
    """Read back with frictionless's types: the same rows, ids and figures as the parquet."""
    package = frictionless.Package(built / datapackage.DESCRIPTOR_NAME)
    rows = package.get_resource("claims").read_rows()
    claims = pd.read_parquet(built / config.PROCESSED_CLAIMS.name)
    assert [r["claim_id"] for r in rows] == list(claims["claim_id"])
    assert [r["figure"] for r in rows] == [None if pd.isna(v) else int(v) for v in claims["figure"]]
    dated = next(r for r in rows if r["statement_date"] is not None)
    assert isinstance(dated["statement_date"], datetime.date)
    assert {r["source_error"] for r in rows} == {True, False}


def test_the_descriptor_is_the_contract(built: Path) -> None:
    doc = _descriptor(built)
    claims, articles = _fields(doc, "claims"), _fields(doc, "articles")
    for column, vocabulary in contract.CLAIM_VOCABULARIES.items():
        assert claims[column]["constraints"]["enum"] == list(vocabulary)
        assert claims[column]["categories"] == [
            {"value": v, "label": d} for v, d in vocabulary.items()
        ]
        for value, definition in vocabulary.items():
            assert f"{value}: {definition.rstrip('.')}" in claims[column]["description"]
    for column, vocabulary in contract.ARTICLE_VOCABULARIES.items():
        assert articles[column]["constraints"]["enum"] == list(vocabulary)
    assert claims["category"]["constraints"]["enum"] == contract.all_categories()
    for column in contract.CLAIM_DATE_COLUMNS:
        assert claims[column]["type"] == "date"
    assert articles["published_date"]["type"] == "date"
    assert claims["figure"]["type"] == "integer"
    assert claims["claim_id"]["constraints"]["pattern"] == contract.ID_PATTERN[2:-2]
    required = datapackage.required_columns()
    for table, fields in (("claims", claims), ("articles", articles)):
        marked = {n for n, f in fields.items() if f.get("constraints", {}).get("required")}
        assert set(required[table]) <= marked
        assert all(f["description"] for f in fields.values()), table
    assert list(claims) == list(pd.read_parquet(built / config.PROCESSED_CLAIMS.name).columns)


def test_keys_hashes_licences_and_sources(built: Path) -> None:
    doc = _descriptor(built)
    claims, articles = _resource(doc, "claims"), _resource(doc, "articles")
    assert claims["schema"]["primaryKey"] == ["claim_id"]
    assert articles["schema"]["primaryKey"] == ["article_id"]
    assert {
        "fields": ["article_id"],
        "reference": {"resource": "articles", "fields": ["article_id"]},
    } in claims["schema"]["foreignKeys"]
    for resource in (claims, articles):
        data = (built / resource["path"]).read_bytes()
        assert resource["hash"] == "sha256:" + hashlib.sha256(data).hexdigest()
        assert resource["bytes"] == len(data)
        assert [lic["name"] for lic in resource["licenses"]] == ["CC0-1.0"]
    assert [lic["name"] for lic in doc["licenses"]] == ["CC0-1.0"]
    raw_articles = pd.read_csv(config.RAW_ARTICLES_CSV, dtype=str)
    assert [s["title"].split(":")[0] for s in doc["sources"]] == sorted(raw_articles["article_id"])
    # sources.json, written last, records the package's files with the rest of the build
    recorded = json.loads((built / "sources.json").read_text(encoding="utf-8"))["processed"]
    assert {datapackage.DESCRIPTOR_NAME, datapackage.CLAIMS_CSV} <= set(recorded)


def test_the_same_data_gives_the_same_bytes(built: Path, tmp_path: Path) -> None:
    claims = pd.read_parquet(built / config.PROCESSED_CLAIMS.name)
    articles = pd.read_parquet(built / config.PROCESSED_ARTICLES.name)
    paths = {k: tmp_path / f"{k}.out" for k in ("claims", "articles", "descriptor")}
    datapackage.write_package(claims, articles, paths)
    assert paths["claims"].read_bytes() == (built / datapackage.CLAIMS_CSV).read_bytes()
    assert paths["articles"].read_bytes() == (built / datapackage.ARTICLES_CSV).read_bytes()
    assert json.loads(paths["descriptor"].read_text(encoding="utf-8")) == _descriptor(built)


def test_a_processed_column_without_a_description_is_refused() -> None:
    with pytest.raises(ValueError, match="'surprise' has no description"):
        datapackage.fields_for("claims", ["claim_id", "surprise"], {"claims": {}}, {})


# --- frictionless rejects broken copies ----------------------------------------------------------


def _broken_copy(built: Path, tmp_path: Path, claim_id: str, column: str, value: str) -> Path:
    """A copy of the package whose claims.csv has ``value`` in ``column`` of ``claim_id``'s row,
    its hash and size updated, so the only fault left is the one made."""
    folder = tmp_path / "package"
    shutil.copytree(built, folder)
    path = folder / datapackage.CLAIMS_CSV
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    header = rows[0]
    row = next(r for r in rows[1:] if r[0] == claim_id)
    row[header.index(column)] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    path.write_bytes(out.getvalue().encode("utf-8"))
    doc = _descriptor(folder)
    resource = _resource(doc, "claims")
    resource["hash"] = "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()
    resource["bytes"] = path.stat().st_size
    (folder / datapackage.DESCRIPTOR_NAME).write_text(json.dumps(doc), encoding="utf-8")
    return folder / datapackage.DESCRIPTOR_NAME


@pytest.mark.parametrize(
    ("column", "value", "error"),
    [
        pytest.param("claimant_group", "South Korée", "constraint-error", id="controlled-value"),
        pytest.param("kind", "estimate", "constraint-error", id="controlled-kind"),
        pytest.param("article_id", "A999", "foreign-key", id="foreign-key"),
        pytest.param("anchor_claim_id", "A999-01", "foreign-key", id="anchor-foreign-key"),
        pytest.param("statement_date", "2024-13-01", "type-error", id="month-13"),
        pytest.param("figure", "3.000", "type-error", id="figure-not-integer"),
        pytest.param("claim_id", "A000-02", "primary-key", id="duplicate-claim-id"),
    ],
)
def test_frictionless_rejects_a_broken_copy(
    built: Path, tmp_path: Path, column: str, value: str, error: str
) -> None:
    descriptor = _broken_copy(built, tmp_path, "A000-01", column, value)
    report = frictionless.validate(descriptor)
    assert not report.valid
    found = _errors(report)
    assert {(name, kind) for name, kind, _ in found} == {("claims", error)}, found
    if error in ("constraint-error", "type-error"):
        assert {field for *_, field in found} == {column}


def test_frictionless_rejects_changed_bytes_by_their_hash(built: Path, tmp_path: Path) -> None:
    folder = tmp_path / "package"
    shutil.copytree(built, folder)
    path = folder / datapackage.ARTICLES_CSV
    path.write_bytes(path.read_bytes().replace(b"unknown", b"Unknown", 1))  # same size
    report = frictionless.validate(folder / datapackage.DESCRIPTOR_NAME)
    assert {kind for _, kind, _ in _errors(report)} == {"hash-count"}


# --- After an ingested drop -------------------------------------------------------------------


def test_the_package_stays_valid_after_an_ingested_drop(scratch_root: Path) -> None:
    raw, processed = scratch_root / "data" / "raw", scratch_root / "data" / "processed"
    ingest.ingest(FIXTURES / "drops" / "valid", raw, processed)
    report = frictionless.validate(processed / datapackage.DESCRIPTOR_NAME)
    assert report.valid, _errors(report)
    doc = _descriptor(processed)
    assert any(s["title"].startswith("T900:") for s in doc["sources"])
    claims = (processed / datapackage.CLAIMS_CSV).read_text(encoding="utf-8")
    assert "\nT900-01," in claims


# --- JSON Schemas of the validation result and its fix list ------------------------------------


def _schema(name: str) -> jsonschema.Draft202012Validator:
    schema = json.loads((SCHEMAS / name).read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def _report_with_every_shape() -> ValidationReport:
    """A verdict holding each shape a problem and a rule can take (no line, no value, info)."""
    return ValidationReport(
        problems=[
            Problem("drops/x/claims.csv", KIND_RULE, 3, "kind", "x", "error",
                    "expect_column_values_to_be_in_set(kind)", "X-01"),
            Problem("drops/x/claims.csv", "the file is read as cp1252", severity="info"),
            Problem("drops/x/articles/a.txt", "a sentence states 12000 troops", 4,
                    severity="warning", expectation="completeness"),
        ],
        expectations=[
            ExpectationOutcome("expect_column_values_to_be_in_set(kind)", "kind must be one",
                               "claims", "error", False, 1)
        ],
        rows={"claims": 1, "articles": 1},
        files=["drops/x/claims.csv"],
        read_as={"drops/x/claims.csv": "cp1252, semicolon delimiter, CRLF line endings"},
        unlisted={("error", "expect_column_values_to_be_in_set(kind)", KIND_RULE): 2},
    )  # fmt: skip


def test_a_real_validation_json_matches_its_schema(built: Path) -> None:
    validator = _schema("validation.schema.json")
    doc = json.loads((built / config.PROCESSED_VALIDATION.name).read_text(encoding="utf-8"))
    validator.validate(doc)
    validator.validate(json.loads(_report_with_every_shape().to_json()))


@pytest.mark.parametrize("drop", ["kind_misspelt", "missing_column", "future_date"])
def test_a_failed_run_and_its_fix_list_match_their_schemas(drop: str, tmp_path: Path) -> None:
    report = validate.validate_sources(validate.candidate_sources(FIXTURES / "drops" / drop))
    assert report.problems
    _schema("validation.schema.json").validate(json.loads(report.to_json()))
    _check_fix_list(report, tmp_path)


def _check_fix_list(report: ValidationReport, tmp_path: Path) -> None:
    path = tmp_path / verdict_display.FIX_LIST_NAME
    verdict_display.write_fix_list(report, path)
    validator = _schema("problems.schema.json")
    assert list(validator.schema["properties"]) == list(verdict_display.FIX_LIST_COLUMNS)
    with path.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == len(report.fix_list())
    for row in rows:
        validator.validate(row)


def test_a_fix_list_of_every_shape_matches_its_schema(tmp_path: Path) -> None:
    _check_fix_list(_report_with_every_shape(), tmp_path)


def test_a_schema_rejects_what_it_must() -> None:
    """The schemas are strict: an unknown key or severity is an error, not a pass."""
    doc = json.loads(_report_with_every_shape().to_json())
    doc["problems"][0]["severity"] = "fatal"
    with pytest.raises(jsonschema.ValidationError):
        _schema("validation.schema.json").validate(doc)
    row = dict.fromkeys(verdict_display.FIX_LIST_COLUMNS, "x") | {"severity": "error", "line": "0"}
    with pytest.raises(jsonschema.ValidationError):
        _schema("problems.schema.json").validate(row)
