"""CSVs are read as a spreadsheet saved them, and ingested as received (issue 8).

Each folder under tests/fixtures/spreadsheets/ is a valid drop whose CSVs hold the exact bytes
one application writes by default (see its build_spreadsheets.py). Every shape must validate,
read the very cells the curator typed, say what had to be detected, and be ingested byte for
byte. The shapes that cannot be told (UTF-16, mixed encodings, an ambiguous delimiter...) are in
the broken-drop corpus (tests/fixtures/drops/, test_validation.py).
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import shutil
import sys
from pathlib import Path

import pytest
import raw_files

from troopclaims import cli, config
from troopclaims.checks import validate
from troopclaims.intake import load, snapshot
from troopclaims.problems import Problem
from troopclaims.store import ingest, process

SPREADSHEETS = Path(__file__).parent / "fixtures" / "spreadsheets"
SHAPES = sorted(p.name for p in SPREADSHEETS.iterdir() if p.is_dir())
CSVS = ("claims.csv", "articles.csv")


def _builder():
    spec = importlib.util.spec_from_file_location(
        "build_spreadsheets", SPREADSHEETS / "build_spreadsheets.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


BUILDER = _builder()


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def expected(name: str) -> dict:
    return json.loads((SPREADSHEETS / name / "expected.json").read_text(encoding="utf-8"))


@pytest.fixture(autouse=True)
def _summaries_to_tmp(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(config, "VALIDATION_DIR", tmp_path / "validation")


def test_every_default_export_has_a_fixture() -> None:
    assert set(SHAPES) == set(BUILDER.SHAPES)
    assert {"excel_csv_utf8", "excel_fr_csv", "libreoffice_text_csv", "google_sheets_csv"} <= set(
        SHAPES
    )


@pytest.mark.parametrize("name", SHAPES)
def test_shape_validates_and_says_what_was_detected(name: str, tmp_path: Path, capsys) -> None:
    want = expected(name)
    out = tmp_path / "result.json"
    code = cli.main(["validate", str(SPREADSHEETS / name), "--json", str(out)])
    printed = "".join(capsys.readouterr())
    assert code == want["exit"] == 0, printed
    result = json.loads(out.read_text(encoding="utf-8"))
    assert result["summary"]["errors"] == 0
    drop = f"spreadsheets/{name}/"
    for csv_name in CSVS:
        file = next(f for f in result["summary"]["read_as"] if f.endswith(drop + csv_name))
        assert result["summary"]["read_as"][file] == want["read_as"], file
        warnings = [p for p in result["problems"] if p["file"] == file and p["severity"] != "info"]
        if not want["warning"]:
            assert warnings == [], warnings  # BOM, CRLF, UTF-8 and ',' need no word
            continue
        [warning] = warnings
        assert warning["severity"] == "warning" and warning["line"] == 1
        for fragment in want["warning"]:
            assert fragment in warning["rule"], warning["rule"]
        assert "kept as received" in warning["rule"]
        assert f"WARNING {file}:1: read as {want['read_as']}" in printed
    # the dataset's own files are read as they are: UTF-8, comma, LF
    assert result["summary"]["read_as"]["data/raw/claims.csv"] == (
        "UTF-8, comma delimiter, LF line endings"
    )


@pytest.mark.parametrize("name", SHAPES)
def test_shape_reads_the_cells_the_curator_typed(name: str) -> None:
    shape = BUILDER.SHAPES[name]
    content = BUILDER.CONTENTS[shape.language]
    source = snapshot.drop_source(SPREADSHEETS / name)
    claims = raw_files.read_raw_claims(source.claims_csv)
    articles = raw_files.read_raw_articles(source.articles_csv)
    assert claims.drop(columns=load.LINE_COLUMN).to_dict("records") == BUILDER.claim_rows(
        shape, content
    )
    assert articles.drop(columns=load.LINE_COLUMN).to_dict("records") == [
        BUILDER.article_row(shape, content)
    ]
    assert list(claims[load.LINE_COLUMN]) == [2, 3]  # the second row's note spans lines 3-4
    assert claims.attrs["read_as"] == expected(name)["read_as"]
    again = raw_files.read_raw_claims(source.claims_csv)  # the same bytes always read the same
    assert again.equals(claims) and again.attrs == claims.attrs


@pytest.fixture(scope="module")
def dataset(tmp_path_factory) -> Path:
    """One scratch data/ that every shape is ingested into, in turn (ids are distinct)."""
    raw = tmp_path_factory.mktemp("spreadsheets") / "data" / "raw"
    shutil.copytree(config.RAW_DIR, raw)
    return raw


@pytest.mark.parametrize("name", SHAPES)
def test_shape_is_ingested_byte_for_byte(name: str, dataset: Path) -> None:
    drop = SPREADSHEETS / name
    before = {
        f: sha256(drop / f)
        for f in (*CSVS, *(f"articles/{p.name}" for p in (drop / "articles").iterdir()))
    }
    processed = dataset.parent / "processed"
    processed.mkdir(exist_ok=True)
    result = ingest.ingest(drop, raw_dir=dataset, processed_dir=processed)
    assert result.report.ok
    assert (result.claims_added, result.articles_added) == (2, 1)
    assert result.ignored == ["expected.json"]
    target = dataset / "drops" / name
    kept = {str(p.relative_to(target)): sha256(p) for p in target.rglob("*") if p.is_file()}
    assert kept == before  # the received bytes, not a re-encoded copy
    assert {f: sha256(drop / f) for f in before} == before  # and the drop itself is untouched
    claims, _ = process.read_processed(processed)
    assert set(expected(name)["claims"]) <= set(claims["claim_id"])
    verdict = json.loads((processed / config.PROCESSED_VALIDATION.name).read_text("utf-8"))
    read_as = verdict["summary"]["read_as"]
    for csv_name in CSVS:
        [file] = [f for f in read_as if f.endswith(f"drops/{name}/{csv_name}")]
        assert read_as[file] == expected(name)["read_as"]
    warnings = [Problem(**p) for p in verdict["problems"] if p["severity"] == "warning"]
    assert bool(expected(name)["warning"]) == any(f"drops/{name}/" in w.file for w in warnings)


def test_an_ingested_shape_validates_again_from_data_raw(dataset: Path) -> None:
    """Once ingested, the files under data/raw/drops/ read exactly as they did in the drop."""
    report = validate.validate_sources(snapshot.dataset_sources(dataset))
    assert report.ok, [p.format() for p in report.errors]
    for name in SHAPES:
        if (dataset / "drops" / name).is_dir():
            files = [f for f in report.read_as if f"drops/{name}/" in f]
            assert {report.read_as[f] for f in files} == {expected(name)["read_as"]}
