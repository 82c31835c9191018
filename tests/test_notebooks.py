"""The notebooks: committed clean, parameterised, and executable by papermill on fixture data."""

from __future__ import annotations

import ast
import json
import re
import shutil
from pathlib import Path

import nbformat
import pytest
import raw_files
from processed_files import write_processed

from troopclaims import cli, config
from troopclaims.report import execute

SMALL = Path(__file__).parent / "fixtures" / "small"
NOTEBOOKS = execute.source_notebooks()
VALIDATION = next(nb for nb in NOTEBOOKS if nb.stem == "90-appendix-validation")
KEY_FINDINGS = next(nb for nb in NOTEBOOKS if nb.stem == "00-key-findings")


def small_processed(folder: Path, verdict: bool = True) -> Path:
    """The fixture dataset processed into ``folder``, with its validation verdict beside it
    (as ``troopclaims process`` writes it) unless ``verdict`` is False."""
    raw = SMALL / "raw"
    claims = raw_files.load_claims(raw / "claims.csv")
    write_processed(claims, raw_files.load_articles(raw / "articles.csv"), folder)
    if verdict:
        shutil.copyfile(SMALL / "processed" / "validation.json", folder / "validation.json")
    return folder


def small_params(tmp_path: Path, output_dir: str = "") -> dict:
    """Global parameters pointing every notebook at the invented fixture dataset."""
    processed = small_processed(tmp_path / "processed")
    return {"processed_dir": str(processed), "output_dir": output_dir}


def execute_small(tmp_path: Path, output_dir: str = "") -> list[Path]:
    """Execute every notebook on the fixture data into ``tmp_path/executed``."""
    params = small_params(tmp_path, output_dir)
    return execute.execute_all(NOTEBOOKS, tmp_path / "executed", params, NOTEBOOKS)


def _code_cells(path: Path) -> list:
    return [c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]


# --- the committed source notebooks -----------------------------------------------------------


def test_the_report_notebooks_exist_and_are_named_nn_description() -> None:
    names = [nb.name for nb in NOTEBOOKS]
    assert names[:4] == [
        "00-key-findings.ipynb",  # front matter: before the contents (report.combine)
        "02-troop-estimates.ipynb",
        "03-response-timing.ipynb",
        "04-coverage-discrepancies.ipynb",
    ]
    assert names[-1] == "90-appendix-validation.ipynb"  # 90+: an appendix, after provenance
    assert all(re.fullmatch(r"\d\d-[a-z0-9-]+\.ipynb", n) for n in names)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_without_outputs_or_execution_counts(path: Path) -> None:
    raw = json.loads(path.read_text(encoding="utf-8"))
    for cell in raw["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [], f"{path.name}: cell {cell.get('id')} has outputs"
            assert cell["execution_count"] is None, f"{path.name}: execution count left in"
    assert raw["metadata"]["kernelspec"]["name"] == config.KERNEL_NAME


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_parameters_cell_holds_plain_values_only(path: Path) -> None:
    cells = _code_cells(path)
    tagged = [c for c in cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1 and tagged[0] is cells[0], "one parameters cell, the first code cell"
    for node in ast.parse(tagged[0].source).body:
        assert isinstance(node, ast.Assign), ast.dump(node)
        ast.literal_eval(node.value)  # a plain value, not an expression to evaluate
    assert execute.declared_parameters(path)["processed_dir"] == '"data/processed"'  # as written
    assert "validation_dir" not in execute.declared_parameters(path)  # the verdict is in processed


# --- parameters from a file -------------------------------------------------------------------


def test_params_file_global_and_per_notebook(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(
        "processed_dir: /x\n03-response-timing:\n  reference_date: '2024-10-21'\n",
        encoding="utf-8",
    )
    params = execute.load_params(path)
    timing = next(nb for nb in NOTEBOOKS if nb.stem == "03-response-timing")
    estimates = next(nb for nb in NOTEBOOKS if nb.stem == "02-troop-estimates")
    assert execute.parameters_for(timing, params, NOTEBOOKS) == {
        "processed_dir": "/x",
        "reference_date": "2024-10-21",
    }
    assert execute.parameters_for(estimates, params, NOTEBOOKS) == {"processed_dir": "/x"}


def test_unquoted_yaml_dates_become_iso_strings(tmp_path: Path) -> None:
    """YAML reads 2024-10-18 as a date, which papermill cannot record: pass it as the notebooks
    take dates, an ISO string."""
    path = tmp_path / "p.yaml"
    path.write_text(
        "03-response-timing:\n  reference_date: 2024-10-18\n"
        "output_dir: ''\nwhen: [2024-10-18 10:30:00]\n",
        encoding="utf-8",
    )
    params = execute.load_params(path)
    assert params["03-response-timing"] == {"reference_date": "2024-10-18"}
    assert params["when"] == ["2024-10-18T10:30:00"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"reference_date: '2024-10-18'\nlabel: caf\xe9\n", "not UTF-8 text (byte 0xe9 at offset"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not UTF-8 text (byte 0x89 at offset 0)"),
        (b"\x00\x01\x02", "cannot read parameters file"),
        (b"output_dir: [unclosed\n", "cannot read parameters file"),
        (b"- a list\n", "expected a mapping of parameter names"),
        (b"output_dir: !!binary aGk=\n", "parameter 'output_dir' has a value of type bytes"),
    ],
    ids=["latin-1", "binary", "control-bytes", "bad-yaml", "not-a-mapping", "binary-value"],
)
def test_a_bad_params_file_is_one_error_naming_the_file(
    tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "p.yaml"
    path.write_bytes(content)
    with pytest.raises(execute.ReportError, match=re.escape(message)) as info:
        execute.load_params(path)
    assert "p.yaml" in str(info.value)


def test_a_bad_params_file_on_the_command_line_is_a_message_not_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "p.yaml"
    path.write_bytes(b"\xff\xfe binary")
    assert cli.main(["report", "execute", str(NOTEBOOKS[0]), "--params", str(path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("ERROR cannot read parameters file ") and "not UTF-8" in err
    assert "Traceback" not in err


def test_an_empty_or_missing_params_file(tmp_path: Path) -> None:
    """Make always passes a file, empty for 'defaults'; a named file that is absent is an error."""
    empty = tmp_path / "empty.yaml"
    empty.write_text("# only a comment\n", encoding="utf-8")
    assert execute.load_params(empty) == {}
    assert execute.load_params(None) == {}
    with pytest.raises(execute.ReportError, match="cannot read parameters file"):
        execute.load_params(tmp_path / "absent.yaml")


def test_unknown_parameter_is_an_error_not_ignored() -> None:
    with pytest.raises(
        execute.ReportError, match="no notebook declares a parameter named 'refrence'"
    ):
        execute.parameters_for(NOTEBOOKS[0], {"refrence": "x"}, NOTEBOOKS)
    with pytest.raises(execute.ReportError, match="declares no parameter colour"):
        execute.parameters_for(NOTEBOOKS[1], {NOTEBOOKS[1].stem: {"colour": 1}}, NOTEBOOKS)


# --- execution through papermill --------------------------------------------------------------


@pytest.mark.slow
def test_every_notebook_executes_on_the_fixture_data(tmp_path: Path) -> None:
    out = tmp_path / "out"
    executed = execute_small(tmp_path, str(out))
    images = {}
    for path in executed:
        nb = nbformat.read(path, as_version=4)
        outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
        assert not [o for o in outputs if o.output_type == "error"], path.name
        params = nb.metadata.papermill.parameters
        assert params["processed_dir"] == str(tmp_path / "processed")
        images[path.stem] = sum("<svg " in o.get("data", {}).get("text/html", "") for o in outputs)
    assert images["02-troop-estimates"] == 2
    assert images["03-response-timing"] == 1
    assert images["04-coverage-discrepancies"] == 2
    findings_page = _output_text(next(p for p in executed if p.stem == "00-key-findings"))
    assert "key-findings" in findings_page and "claim-id" in findings_page
    assert "Validation: " in findings_page
    saved = {p.name for p in out.iterdir()}
    assert {"estimates-by-source.svg", "response-timing.svg", "discrepancies.csv"} <= saved
    discrepancies = (out / "discrepancy-evidence.csv").read_text(encoding="utf-8")
    assert "A901-01" in discrepancies  # the fixture's [source_error]


def _output_text(path: Path) -> str:
    return json.dumps([c.get("outputs") for c in nbformat.read(path, as_version=4).cells])


@pytest.mark.slow
def test_validation_notebook_reads_the_verdict_beside_the_processed_data(tmp_path: Path) -> None:
    out = tmp_path / "01.ipynb"
    execute.execute(VALIDATION, out, small_params(tmp_path))
    text = _output_text(out)
    assert "INVENTED fixture: a &lt;dated&gt; claim says how its date was found" in text
    assert "No validation result" not in text


@pytest.mark.slow
def test_validation_notebook_explains_a_missing_result(tmp_path: Path) -> None:
    processed = small_processed(tmp_path / "processed", verdict=False)
    out = tmp_path / "01.ipynb"
    execute.execute(VALIDATION, out, {"processed_dir": str(processed)})
    text = _output_text(out)
    assert f"No validation result at {processed / 'validation.json'}" in text
    assert "run `make report` (or `troopclaims process`) to validate it" in text
    execute.execute(KEY_FINDINGS, tmp_path / "00.ipynb", {"processed_dir": str(processed)})
    page_one = _output_text(tmp_path / "00.ipynb")
    assert "Validation: no validation result was recorded for this data." in page_one


@pytest.mark.slow
def test_a_failing_cell_is_named_and_the_previous_output_kept(tmp_path: Path) -> None:
    source = nbformat.read(NOTEBOOKS[1], as_version=4)
    source.cells.insert(3, nbformat.v4.new_code_cell("raise ValueError('boom')", id="boom"))
    broken = tmp_path / "notebooks" / "02-troop-estimates.ipynb"
    broken.parent.mkdir()
    nbformat.write(source, broken)
    out = tmp_path / "executed" / broken.name
    out.parent.mkdir()
    out.write_text("previous", encoding="utf-8")
    with pytest.raises(execute.ReportError) as info:
        execute.execute(broken, out, small_params(tmp_path))
    message = str(info.value)
    assert "02-troop-estimates.ipynb: cell 4 failed with ValueError: boom" in message
    assert "raise ValueError('boom')" in message
    assert "Traceback" not in message
    assert out.read_text(encoding="utf-8") == "previous"
    assert (tmp_path / "executed" / "failed" / broken.name).is_file()
    assert [p.name for p in out.parent.iterdir() if p.name.endswith(".tmp")] == []


def _scratch_notebook(folder: Path, name: str, sources: list[str]) -> Path:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])
    nb.metadata["kernelspec"] = {"name": config.KERNEL_NAME, "language": "python"}
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


@pytest.mark.slow
def test_a_dying_kernel_is_named_with_its_notebook_and_cell(tmp_path: Path) -> None:
    """os._exit in a cell kills the kernel: not a cell error to papermill, still located."""
    dies = _scratch_notebook(
        tmp_path / "notebooks", "05-dies.ipynb", ["x = 1", "import os\nos._exit(1)", "y = 2"]
    )
    fine = _scratch_notebook(tmp_path / "notebooks", "06-fine.ipynb", ["z = 3"])
    out = tmp_path / "executed" / dies.name
    out.parent.mkdir()
    out.write_text("previous", encoding="utf-8")
    with pytest.raises(execute.ReportError) as info:
        execute.execute_all([dies, fine], out.parent, {}, [dies, fine])
    message = str(info.value)
    assert message.startswith(f"{dies}: cell 2 failed with DeadKernelError: Kernel died")
    assert "os._exit(1)" in message
    assert "Traceback" not in message
    assert out.read_text(encoding="utf-8") == "previous"
    assert (out.parent / fine.name).is_file()  # the other notebook still ran
    assert [p.name for p in out.parent.iterdir() if p.name.endswith(".tmp")] == []


def test_a_failure_outside_any_cell_is_named_with_its_notebook(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A kernel that cannot start (here: no such kernel) fails before any cell runs."""
    path = _scratch_notebook(tmp_path, "07-nokernel.ipynb", ["pass"])
    monkeypatch.setattr(config, "KERNEL_NAME", "no-such-kernel-anywhere")
    with pytest.raises(execute.ReportError) as info:
        execute.execute(path, tmp_path / "out.ipynb", {})
    assert str(info.value).startswith(f"{path}: failed with NoSuchKernel: ")


@pytest.mark.slow
def test_defaults_resolve_from_the_project_root_not_the_working_directory(tmp_path: Path) -> None:
    """Relative defaults ('data/processed') must not depend on where the kernel starts."""
    import papermill

    processed = small_params(tmp_path)["processed_dir"]
    papermill.execute_notebook(
        NOTEBOOKS[0],
        tmp_path / "out.ipynb",
        parameters={"processed_dir": processed},  # everything else at its default
        kernel_name=config.KERNEL_NAME,
        progress_bar=False,
        cwd=str(tmp_path),
        extra_arguments=execute.KERNEL_ARGS,
        shutdown_kernel="immediate",
    )
    nb = nbformat.read(tmp_path / "out.ipynb", as_version=4)
    assert not [o for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error"]
