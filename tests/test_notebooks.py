"""The notebooks: committed clean, parameterised, and executable by papermill on fixture data."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import nbformat
import pytest

from troopclaims import config, load, process, report

SMALL = Path(__file__).parent / "fixtures" / "small"
NOTEBOOKS = report.source_notebooks()


def small_params(tmp_path: Path, output_dir: str = "") -> dict:
    """Global parameters pointing every notebook at the invented fixture dataset."""
    processed = tmp_path / "processed"
    raw = SMALL / "raw"
    claims = load.load_claims(raw / "claims.csv")
    process.write_processed(claims, load.load_articles(raw / "articles.csv"), processed)
    return {
        "processed_dir": str(processed),
        "validation_dir": str(SMALL / "validation"),
        "output_dir": output_dir,
    }


def execute_small(tmp_path: Path, output_dir: str = "") -> list[Path]:
    """Execute every notebook on the fixture data into ``tmp_path/executed``."""
    params = small_params(tmp_path, output_dir)
    return report.execute_all(NOTEBOOKS, tmp_path / "executed", params, NOTEBOOKS)


def _code_cells(path: Path) -> list:
    return [c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]


# --- the committed source notebooks -----------------------------------------------------------


def test_the_report_notebooks_exist_and_are_named_nn_description() -> None:
    names = [nb.name for nb in NOTEBOOKS]
    assert names[:3] == [
        "01-validation.ipynb",
        "02-troop-estimates.ipynb",
        "03-response-timing.ipynb",
    ]
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
    assert report.declared_parameters(path)["processed_dir"] == '"data/processed"'  # as written


# --- parameters from a file -------------------------------------------------------------------


def test_params_file_global_and_per_notebook(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(
        "processed_dir: /x\n03-response-timing:\n  reference_date: '2024-10-21'\n",
        encoding="utf-8",
    )
    params = report.load_params(path)
    timing = next(nb for nb in NOTEBOOKS if nb.stem == "03-response-timing")
    estimates = next(nb for nb in NOTEBOOKS if nb.stem == "02-troop-estimates")
    assert report.parameters_for(timing, params, NOTEBOOKS) == {
        "processed_dir": "/x",
        "reference_date": "2024-10-21",
    }
    assert report.parameters_for(estimates, params, NOTEBOOKS) == {"processed_dir": "/x"}


def test_unknown_parameter_is_an_error_not_ignored() -> None:
    with pytest.raises(
        report.ReportError, match="no notebook declares a parameter named 'refrence'"
    ):
        report.parameters_for(NOTEBOOKS[0], {"refrence": "x"}, NOTEBOOKS)
    with pytest.raises(report.ReportError, match="declares no parameter colour"):
        report.parameters_for(NOTEBOOKS[1], {NOTEBOOKS[1].stem: {"colour": 1}}, NOTEBOOKS)


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
        images[path.stem] = sum("image/png" in o.get("data", {}) for o in outputs)
    assert images["02-troop-estimates"] == 2
    assert images["03-response-timing"] == 1
    assert images["04-coverage-discrepancies"] == 2
    saved = {p.name for p in out.iterdir()}
    assert {"estimates-by-source.png", "response-timing.png", "discrepancies.csv"} <= saved
    discrepancies = (out / "discrepancy-evidence.csv").read_text(encoding="utf-8")
    assert "A901-01" in discrepancies  # the fixture's [source_error]


@pytest.mark.slow
def test_validation_notebook_explains_a_missing_result(tmp_path: Path) -> None:
    params = small_params(tmp_path)
    params["validation_dir"] = str(tmp_path / "no-validation-here")
    out = tmp_path / "01.ipynb"
    report.execute(NOTEBOOKS[0], out, params)
    text = json.dumps([c.get("outputs") for c in nbformat.read(out, as_version=4).cells])
    assert "No validation result at" in text


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
    with pytest.raises(report.ReportError) as info:
        report.execute(broken, out, small_params(tmp_path))
    message = str(info.value)
    assert "02-troop-estimates.ipynb: cell 4 failed with ValueError: boom" in message
    assert "raise ValueError('boom')" in message
    assert "Traceback" not in message
    assert out.read_text(encoding="utf-8") == "previous"
    assert (tmp_path / "executed" / "failed" / broken.name).is_file()
    assert [p.name for p in out.parent.iterdir() if p.name.endswith(".tmp")] == []


@pytest.mark.slow
def test_defaults_resolve_from_the_project_root_not_the_working_directory(tmp_path: Path) -> None:
    """Relative defaults ('reports/validation') must not depend on where the kernel starts."""
    import papermill

    processed = small_params(tmp_path)["processed_dir"]
    papermill.execute_notebook(
        NOTEBOOKS[0],
        tmp_path / "out.ipynb",
        parameters={"processed_dir": processed},  # everything else at its default
        kernel_name=config.KERNEL_NAME,
        progress_bar=False,
        cwd=str(tmp_path),
        extra_arguments=report.KERNEL_ARGS,
        shutdown_kernel="immediate",
    )
    nb = nbformat.read(tmp_path / "out.ipynb", as_version=4)
    assert not [o for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error"]
