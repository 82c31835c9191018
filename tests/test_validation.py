"""Validation and ingestion: the real data passes; every broken drop gets a located answer.

Each broken drop under tests/fixtures/drops/ holds one deliberate fault and an expected.json
naming the exit code, file, line, column and rule the user must be told. Nothing under data/
may change, whatever the drop.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pandas as pd
import pytest
import raw_files
import warm_cli

from troopclaims import atomic, cli, config
from troopclaims.checks import validate
from troopclaims.intake import load, snapshot
from troopclaims.report import analysis, response_dates
from troopclaims.store import ingest, process

DROPS = Path(__file__).parent / "fixtures" / "drops"
N_CLAIMS = len(raw_files.read_raw_claims(config.RAW_CLAIMS_CSV))
BROKEN = sorted(p.name for p in DROPS.iterdir() if p.is_dir() and p.name != "valid")
# The tests that read one drop's ``validated`` run go to one xdist worker (make test's
# --dist loadgroup), so the run is shared, not repeated per worker.
BROKEN_RUNS = [pytest.param(n, marks=pytest.mark.xdist_group(f"validate-{n}")) for n in BROKEN]


def tree_digest(root: Path) -> dict[str, str]:
    """Every file under ``root`` with its SHA-256: 'unchanged' means this is equal."""
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(autouse=True)
def _summaries_to_tmp(tmp_path: Path, monkeypatch) -> None:
    """Validation summaries of test runs go to a scratch folder, not the real reports/."""
    monkeypatch.setattr(config, "VALIDATION_DIR", tmp_path / "validation")


def test_corpus_has_at_least_25_distinct_faults() -> None:
    assert len(BROKEN) >= 25
    for name in BROKEN:
        assert json.loads((DROPS / name / "expected.json").read_text())["exit"] == 1


def test_real_dataset_passes_with_no_error() -> None:
    report = validate.validate_sources(snapshot.dataset_sources())
    assert report.ok, [p.format() for p in report.errors]
    assert report.rows == {"claims": N_CLAIMS, "articles": 5}
    assert len(report.expectations) >= 60
    assert all(e.success for e in report.expectations)


_VALIDATED: dict[str, dict] = {}  # one `troopclaims validate` per broken drop and test process


def validated(name: str) -> dict:
    """``troopclaims validate DROP`` of one broken drop (in-process), run once per test process
    and read by each test that asks about that run: its exit code and streams, the data's digest
    before and after, and the verdict ``validate.read_and_validate`` returned inside it (the
    very call ``validate_sources`` makes). Why: each validation costs about a second of GX
    plumbing, and two tests asked the same question of the same drop separately.
    """
    if name not in _VALIDATED:
        verdicts = []
        real = validate.read_and_validate

        def recording(*args, **kwargs):
            result = real(*args, **kwargs)
            verdicts.append(result[0])
            return result

        out, err = io.StringIO(), io.StringIO()
        before = tree_digest(config.DATA_DIR)
        with (
            mock.patch.object(validate, "read_and_validate", recording),
            contextlib.redirect_stdout(out),
            contextlib.redirect_stderr(err),
        ):
            code = cli.main(["validate", str(DROPS / name)])
        _VALIDATED[name] = {
            "code": code,
            "out": out.getvalue(),
            "err": err.getvalue(),
            "report": verdicts[0],
            "changed": tree_digest(config.DATA_DIR) != before,
        }
    return _VALIDATED[name]


@pytest.mark.parametrize("name", BROKEN_RUNS)
def test_broken_drop_is_located_and_changes_nothing(name: str) -> None:
    expected = json.loads((DROPS / name / "expected.json").read_text())
    run = validated(name)
    text = run["out"] + run["err"]
    assert run["code"] == expected["exit"]
    assert "Traceback" not in text
    drop_file = f"drops/{name}/{expected['file']}"
    lines = [ln for ln in text.splitlines() if ln.startswith("ERROR") and drop_file in ln]
    assert lines, f"no error names {drop_file}:\n{text}"
    where = f"{drop_file}:{expected['line']}:" if expected["line"] else drop_file
    column = f"column {expected['column']!r}" if expected["column"] else ""
    assert any(where in ln and column in ln and expected["rule"] in ln for ln in lines), text
    assert run["err"].splitlines()[-1].startswith("validation FAILED")  # the verdict ends stderr
    assert not run["changed"]


@pytest.fixture(scope="module")
def scratch_project(tmp_path_factory) -> Path:
    """One scratch copy of data/ with processed data built, shared by the ingest tests."""
    root = tmp_path_factory.mktemp("ingest") / "project"
    shutil.copytree(config.RAW_DIR, root / "data" / "raw")
    assert process.validate_and_build(root / "data" / "raw", root / "data" / "processed").ok
    return root


@pytest.mark.parametrize("name", BROKEN)
def test_broken_drop_is_not_ingested(name: str, scratch_project: Path, monkeypatch, capsys) -> None:
    monkeypatch.setattr(config, "RAW_DIR", scratch_project / "data" / "raw")
    monkeypatch.setattr(config, "PROCESSED_DIR", scratch_project / "data" / "processed")
    expected = json.loads((DROPS / name / "expected.json").read_text())
    before = tree_digest(scratch_project / "data")
    code = cli.main(["ingest", str(DROPS / name)])
    err = capsys.readouterr().err
    assert code == 1
    assert "Traceback" not in err
    where = f"drops/{name}/{expected['file']}" + (
        f":{expected['line']}:" if expected["line"] else ""
    )
    assert where in err and expected["rule"] in err, err
    assert tree_digest(scratch_project / "data") == before


def run_cli(*args: str, root: Path, cold: bool = False) -> subprocess.CompletedProcess:
    """The command in a fresh process, pointed at a scratch project: warm-started
    (tests/warm_cli.py), or with ``cold`` the installed entry point itself."""
    return warm_cli.in_project(*args, root=root, cold=cold)


def test_valid_drop_ingests_once_and_its_rows_reach_processed(scratch_root: Path) -> None:
    drop = scratch_root / "incoming" / "fixture-drop"
    shutil.copytree(DROPS / "valid", drop)
    (drop / "expected.json").unlink()
    result = run_cli("ingest", str(drop), root=scratch_root)
    assert result.returncode == 0, result.stderr
    assert "ingested fixture-drop: 2 claims, 1 articles" in result.stdout
    target = scratch_root / "data" / "raw" / "drops" / "fixture-drop"
    assert (target / "articles" / "900_fixture.txt").is_file()
    claims, articles = process.read_processed(scratch_root / "data" / "processed")
    assert {"T900-01", "T900-02"} <= set(claims["claim_id"])
    assert "T900" in set(articles["article_id"])
    assert len(claims) == N_CLAIMS + 2
    summary = scratch_root / "reports" / "validation" / "summary.html"
    assert "PASSED" in summary.read_text(encoding="utf-8")

    before = tree_digest(scratch_root / "data")
    again = run_cli("ingest", str(drop), root=scratch_root)
    assert again.returncode == 1
    assert "already ingested" in again.stderr
    assert "Traceback" not in again.stderr
    renamed = scratch_root / "incoming" / "same-content"
    shutil.copytree(drop, renamed)
    third = run_cli("ingest", str(renamed), root=scratch_root)
    assert third.returncode == 1
    assert "already ingested as 'fixture-drop'" in third.stderr
    assert tree_digest(scratch_root / "data") == before


def test_broken_drop_in_a_fresh_process_exits_1_without_traceback(scratch_root: Path) -> None:
    before = tree_digest(scratch_root / "data")
    for name in ("mixed_encodings", "article_path_traversal"):
        result = run_cli("ingest", str(DROPS / name), root=scratch_root, cold=True)
        assert result.returncode == 1
        assert "Traceback" not in result.stdout + result.stderr
        assert f"drops/{name}/" in result.stderr
    assert tree_digest(scratch_root / "data") == before


def test_process_refuses_invalid_base_data_and_keeps_processed(scratch_root: Path) -> None:
    raw = scratch_root / "data" / "raw"
    processed = scratch_root / "data" / "processed"
    assert process.validate_and_build(raw, processed).ok
    claims_csv = raw / "claims.csv"
    claims_csv.write_text(
        claims_csv.read_text(encoding="utf-8").replace("A001-03,A001", "A001-03,A999", 1),
        encoding="utf-8",
    )
    before = tree_digest(processed)
    result = run_cli("process", root=scratch_root)
    assert result.returncode == 1
    assert "data/raw/claims.csv:" in result.stderr and "'article_id'" in result.stderr
    assert "Traceback" not in result.stderr
    assert tree_digest(processed) == before


def test_failure_after_copy_rolls_the_drop_back(scratch_root: Path, monkeypatch) -> None:
    raw, processed = scratch_root / "data" / "raw", scratch_root / "data" / "processed"
    before = tree_digest(scratch_root / "data")

    def disk_full_once_renamed(step: str) -> None:
        if step == "ingest-renamed":  # the drop is in data/raw/drops/, processed/ not yet
            raise OSError("No space left on device")

    monkeypatch.setattr(atomic, "kill_point", disk_full_once_renamed)
    with pytest.raises(OSError) as info:
        ingest.ingest(DROPS / "valid", raw_dir=raw, processed_dir=processed)
    assert "the drop has been rolled back" in info.value.__notes__[0]
    assert tree_digest(scratch_root / "data") == before
    assert sorted(p.name for p in (raw / "drops").iterdir()) == []  # no trash left either


def test_json_holds_every_problem_and_html_is_self_contained(tmp_path: Path, capsys) -> None:
    out = tmp_path / "result.json"
    code = cli.main(["validate", str(DROPS / "script_in_quote"), "--json", str(out)])
    assert code == 1
    result = json.loads(out.read_text(encoding="utf-8"))
    assert result["ok"] is False
    assert result["summary"]["errors"] == len(
        [p for p in result["problems"] if p["severity"] == "error"]
    )
    assert {"file", "line", "column", "value", "rule", "severity"} <= set(result["problems"][0])
    [page] = config.VALIDATION_DIR.glob("drop-script_in_quote-*.html")
    html = page.read_text(encoding="utf-8")
    assert "<script>" not in html and "&lt;script&gt;" in html
    for external in ('src="http', 'href="http', "<link", "<script", "@import"):
        assert external not in html
    capsys.readouterr()


def test_claims_csv_alone_is_validated_with_the_dataset(tmp_path: Path, capsys) -> None:
    claims = tmp_path / "extra_claims.csv"
    rows = raw_files.read_raw_claims(config.RAW_CLAIMS_CSV).head(2).copy()
    rows["claim_id"] = ["X-1", "X-2"]
    rows.drop(columns=[load.LINE_COLUMN]).to_csv(claims, index=False, lineterminator="\n")
    assert cli.main(["validate", str(claims)]) == 0
    assert "validation PASSED" in "".join(capsys.readouterr())


def test_the_dataset_itself_is_not_validated_against_itself(capsys) -> None:
    assert cli.main(["validate", str(config.RAW_CLAIMS_CSV)]) == 0
    assert f"{N_CLAIMS} claims" in "".join(capsys.readouterr())


def test_warnings_are_reported_but_do_not_fail(tmp_path: Path, capsys) -> None:
    drop = tmp_path / "implausible"
    shutil.copytree(DROPS / "valid", drop)
    claims = drop / "claims.csv"
    claims.write_text(
        claims.read_text(encoding="utf-8")
        .replace(",3000,soldiers,", ",30,soldiers,")
        .replace("environ 3 000", "environ 30"),
        encoding="utf-8",
    )
    (drop / "articles" / "900_fixture.txt").write_text(
        (drop / "articles" / "900_fixture.txt")
        .read_text(encoding="utf-8")
        .replace("environ 3 000", "environ 30"),
        encoding="utf-8",
    )
    assert cli.main(["validate", str(drop)]) == 0
    out = "".join(capsys.readouterr())
    assert "WARNING" in out and "plausible range" in out
    assert "not part of the drop contract" in out  # expected.json, copied with the drop
    assert "2 warning(s)" in out


def test_processed_data_carries_the_verdict_of_exactly_that_data(scratch_root: Path) -> None:
    raw, processed = scratch_root / "data" / "raw", scratch_root / "data" / "processed"
    report = process.validate_and_build(raw, processed)
    claims, _ = process.read_processed(processed)
    assert str(claims["figure"].dtype) == "Int64"
    assert pd.api.types.is_datetime64_any_dtype(claims["statement_date"])
    verdict = json.loads((processed / config.PROCESSED_VALIDATION.name).read_text("utf-8"))
    assert verdict == json.loads(json.dumps(report.to_dict()))
    assert verdict["summary"]["rows"]["claims"] == len(claims)


def test_a_misspelt_kind_is_reported_once_not_as_figure_errors(capsys) -> None:
    assert cli.main(["validate", str(DROPS / "kind_misspelt")]) == 1
    errors = [ln for ln in "".join(capsys.readouterr()).splitlines() if ln.startswith("ERROR")]
    assert len(errors) == 1 and "column 'kind'" in errors[0]


def test_an_unreadable_article_file_is_a_located_error(monkeypatch, capsys) -> None:
    real_open = os.open

    def deny(path, flags, mode=0o777, *, dir_fd=None):  # the snapshot opens every file so
        if str(path) == "900_fixture.txt":
            raise PermissionError(13, "Permission denied")
        return real_open(path, flags, mode, dir_fd=dir_fd)

    monkeypatch.setattr(os, "open", deny)
    assert cli.main(["validate", str(DROPS / "valid")]) == 1
    out = "".join(capsys.readouterr())
    assert "drops/valid/articles.csv:2: column 'file'" in out and "cannot be read" in out


def test_multiline_fields_and_trailing_blank_lines_are_fine(tmp_path: Path, capsys) -> None:
    drop = tmp_path / "multiline"
    shutil.copytree(DROPS / "valid", drop)
    claims = drop / "claims.csv"
    text = claims.read_text(encoding="utf-8").replace("Fixture claim.", '"Fixture\nclaim."', 1)
    claims.write_text(text + "\n\n", encoding="utf-8")
    assert cli.main(["validate", str(drop)]) == 0, "".join(capsys.readouterr())
    frame = raw_files.read_raw_claims(claims)
    assert list(frame[load.LINE_COLUMN]) == [2, 4]
    assert frame["note"].iloc[0] == "Fixture\nclaim."


# Faults that are legitimately two findings: both colliding rows; both precision and basis
# contradict the empty date; markup that is also, of course, not in the article; an escape in a
# quote that the article text holds too (article texts obey the control-character ban).
TWO_FINDINGS = {
    "claim_id_collision",
    "precision_without_date",
    "script_in_quote",
    "escape_in_quote",
}


@pytest.mark.parametrize("name", BROKEN_RUNS)
def test_one_fault_is_one_message(name: str) -> None:
    """A newcomer should not have to work out which of several messages is the real cause
    (the verdict ``validate_sources(candidate_sources(drop))`` gives, as the command ran it)."""
    report = validated(name)["report"]
    assert len(report.errors) == (2 if name in TWO_FINDINGS else 1), [
        p.format() for p in report.errors
    ]


def test_validation_summaries_keep_a_bounded_history(tmp_path: Path, monkeypatch, capsys) -> None:
    """The dataset's summary stays; only the newest candidate-drop pages are kept."""
    monkeypatch.setattr(config, "VALIDATION_HISTORY", 2)
    for n in range(3):
        drop = tmp_path / f"candidate{n}"
        shutil.copytree(DROPS / "valid", drop, ignore=shutil.ignore_patterns("expected.json"))
        assert cli.main(["validate", str(drop)]) == 0
    assert cli.main(["validate"]) == 0
    capsys.readouterr()
    kept = sorted(p.name.split("-")[1] for p in config.VALIDATION_DIR.glob("drop-*.html"))
    assert kept == ["candidate1", "candidate2"]
    assert len(list(config.VALIDATION_DIR.glob("drop-*.json"))) == 2
    assert (config.VALIDATION_DIR / "summary.html").is_file()


def test_process_prints_which_responses_the_timing_chart_can_place(scratch_root: Path) -> None:
    """After writing processed data, `troopclaims process` says how many responses are dated,
    bounded or neither, and names each of the last with its reason (issue 11)."""
    result = run_cli("process", root=scratch_root)
    assert result.returncode == 0, result.stderr
    claims, _ = process.read_processed(scratch_root / "data" / "processed")
    status = response_dates.date_status(analysis.responses(claims)).value_counts()
    assert f"Responses: {int(status.sum())}; dated {status[response_dates.DATED]} " in result.stdout
    undated = response_dates.undated_reasons(claims)
    assert len(undated) == status[response_dates.UNDATED] > 0
    for claim_id in undated["claim_id"]:
        assert f"  {claim_id}  " in result.stdout


@pytest.mark.parametrize("table", ["claims.csv", "articles.csv"])
def test_a_column_named_like_our_own_helper_is_an_unknown_column(
    table: str, tmp_path: Path, capsys, monkeypatch
) -> None:
    """Reading names each row's file in a column of its own (``_source_file``): a drop's own
    column of that name is still an unknown column, not hidden behind ours."""
    monkeypatch.setattr(config, "VALIDATION_DIR", tmp_path / "validation")
    drop = tmp_path / "helper-column"
    shutil.copytree(DROPS / "valid", drop, ignore=shutil.ignore_patterns("expected.json"))
    lines = (drop / table).read_text(encoding="utf-8").splitlines()
    lines = [lines[0] + ",_source_file"] + [line + ",x" for line in lines[1:]]
    (drop / table).write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert cli.main(["validate", str(drop)]) == 1
    err = capsys.readouterr().err
    assert f"{table}:1: column '_source_file': unknown column" in err, err


def test_validate_never_writes_its_json_under_data(tmp_path: Path, monkeypatch, capsys) -> None:
    """--json at a curated file would overwrite it: data/ is written only by ingest and process."""
    data = tmp_path / "data"
    (data / "raw").mkdir(parents=True)
    curated = data / "raw" / "claims.csv"
    curated.write_text("claim_id\n", encoding="utf-8")
    monkeypatch.setattr(config, "DATA_DIR", data)
    assert cli.main(["validate", "--json", str(curated)]) == 1
    err = capsys.readouterr().err
    assert f"{curated}: --json writes its result outside data/" in err
    assert curated.read_text(encoding="utf-8") == "claim_id\n"


def test_ingest_moves_only_paths_that_start_with_the_drop_s() -> None:
    """A drop named 'a' at the project root: 'data/raw/claims.csv' holds 'a/' too, and must not
    become 'datdata/raw/drops/a/raw/claims.csv' in the verdict beside processed data."""
    from troopclaims.checks.verdict import ValidationReport
    from troopclaims.problems import Problem

    report = ValidationReport(
        problems=[Problem("a/claims.csv, data/raw/claims.csv", "a rule", severity="warning")],
        files=["a/claims.csv", "data/raw/claims.csv"],
        read_as={"a/claims.csv": "UTF-8", "data/raw/claims.csv": "UTF-8"},
    )
    moved = ingest._relabel(report, "a", "data/raw/drops/a")
    assert moved.files == ["data/raw/drops/a/claims.csv", "data/raw/claims.csv"]
    assert list(moved.read_as) == moved.files
    assert moved.problems[0].file == "data/raw/drops/a/claims.csv, data/raw/claims.csv"
    # a drop under a folder whose name holds the ", " that joins a list of files
    old = "/home/u/Drops, October/kursk"
    report = ValidationReport(problems=[Problem(f"{old}/claims.csv, data/raw/claims.csv", "r")])
    moved = ingest._relabel(report, old, "data/raw/drops/kursk")
    assert moved.problems[0].file == "data/raw/drops/kursk/claims.csv, data/raw/claims.csv"


def test_validate_json_into_a_device_writes_through_and_a_folder_is_refused(
    tmp_path: Path, monkeypatch, capsys
) -> None:
    """`--json /dev/null` is a shell idiom: renaming a file over it would replace the device
    (for the whole machine, as root). A folder gets a located refusal, not a traceback."""
    import stat

    monkeypatch.setattr(config, "VALIDATION_DIR", tmp_path / "validation")
    assert cli.main(["validate", "--json", os.devnull]) == 0
    assert stat.S_ISCHR(Path(os.devnull).stat().st_mode)
    assert cli.main(["validate", "--json", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert f"{tmp_path}: --json names a folder: give a file name" in err
    assert "Traceback" not in err and "internal error" not in err
    # a link (as /dev/stdout is) is written through, never replaced by a file
    target, link = tmp_path / "out.json", tmp_path / "link.json"
    target.write_text("", encoding="utf-8")
    link.symlink_to(target)
    assert cli.main(["validate", "--json", str(link)]) == 0
    assert link.is_symlink() and json.loads(target.read_text(encoding="utf-8"))["ok"] is True


def test_validate_json_into_its_own_redirected_output_is_refused_before_any_work(
    tmp_path: Path,
) -> None:
    """`validate DROP --json /dev/stdout > out.json`: the JSON and the command's own lines (a
    valid drop's impact) would both go to out.json, one over the other from its start."""
    out = tmp_path / "out.json"
    with out.open("w", encoding="utf-8") as stdout:
        done = subprocess.run(
            [sys.executable, "-m", "troopclaims.cli", "validate", "--json", "/dev/stdout"],
            stdout=stdout,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
        )
    assert done.returncode == 1, done.stderr
    assert "/dev/stdout: --json names this command's own output" in done.stderr
    assert "Traceback" not in done.stderr and out.read_text(encoding="utf-8") == ""
