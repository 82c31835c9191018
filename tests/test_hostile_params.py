"""A parameters file (``make report PARAMS=...``) is a user's input: every bomb is refused.

Aliases and anchors are refused, not expanded (a 342-byte file once reached 4.9 GB); sizes,
counts, depth and lengths are bounded; an error quotes a bounded part of its input; a path
parameter cannot lead into data/raw/ or out of the project. Each refusal is located (file, line
or parameter) and none is an internal error. The hang guards sit far above the 2 s bound that
``bench/hostile_params.py`` measures.
"""

from __future__ import annotations

import io
import os
from contextlib import redirect_stderr
from pathlib import Path

import nbformat
import pytest

from troopclaims import cli, config
from troopclaims.errors import UsageError
from troopclaims.report import execute

LAUGHS = "".join(
    [
        'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n',
        *(
            f"{n}: &{n} [{','.join([f'*{p}'] * 9)}]\n"
            for p, n in zip("abcdefgh", "bcdefghi", strict=True)
        ),
    ]
)
ANCHOR_RULE = "YAML anchors and aliases are refused, not expanded"


def params_file(tmp_path: Path, text: str, name: str = "variant.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def refusal(path: Path) -> str:
    """The message of ``load_params``'s refusal of ``path``."""
    with pytest.raises(execute.ReportError) as err:
        execute.load_params(path)
    return str(err.value)


def test_billion_laughs_is_refused_at_its_first_anchor(tmp_path: Path, hang_guard) -> None:
    path = params_file(tmp_path, LAUGHS)
    assert len(LAUGHS.encode()) < 400
    with hang_guard(60):
        message = refusal(path)
    assert message.startswith(f"{path}, line 1: holds the anchor &a; {ANCHOR_RULE}")


@pytest.mark.parametrize(
    ("text", "line", "what"),
    [
        ("output_dir: &x [*x]\n", 1, "holds the anchor &x"),  # recursive: RecursionError once
        ("a: 1\nb: *undefined\n", 2, "holds the alias *undefined"),
        ("base: &b {x: 1}\nother:\n  <<: *b\n", 1, "holds the anchor &b"),  # a merge key
        ("# note\noutput_dir: &keep ''\n", 2, "holds the anchor &keep"),  # harmless, still refused
    ],
    ids=["recursive", "alias", "merge-key", "plain-anchor"],
)
def test_anchors_and_aliases_are_refused_with_file_line_and_rule(
    tmp_path: Path, hang_guard, text: str, line: int, what: str
) -> None:
    path = params_file(tmp_path, text)
    with hang_guard(60):
        assert refusal(path) == (
            f"{path}, line {line}: {what}; {ANCHOR_RULE} (a few bytes of them can expand to "
            "gigabytes, or loop): write each value out"
        )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"reference_label: '{'x' * 5000}'\n", "line 1: holds a value of 5,000 characters"),
        (f"reference_label: {'9' * 5000}\n", "line 1: holds a value of 5,000 characters"),
        ("output_dir: " + "[" * 20 + "]" * 20 + "\n", "line 1: nests deeper than 8 levels"),
        ("output_dir: [" + "0," * 2000 + "]\n", "line 1: holds more than 1,000 values"),
    ],
    ids=["long-string", "long-digits", "deep", "many-values"],
)
def test_values_are_bounded(tmp_path: Path, hang_guard, text: str, expected: str) -> None:
    path = params_file(tmp_path, text)
    with hang_guard(60):
        message = refusal(path)
    assert message.startswith(f"{path}, {expected}")
    assert message.endswith("a parameters file holds a few plain names and values")


def test_a_file_over_the_size_limit_is_refused_unread(tmp_path: Path, hang_guard) -> None:
    path = tmp_path / "big.yaml"
    with path.open("wb") as fh:
        fh.truncate(200 * 1024 * 1024)  # sparse: 200 MB that cost nothing to write
    with hang_guard(60):
        assert refusal(path) == (
            f"parameters file {path} is over 65,536 bytes: a parameters file holds a few names "
            "and values"
        )


def test_a_fifo_is_refused_without_blocking(tmp_path: Path, hang_guard) -> None:
    fifo = tmp_path / "p.yaml"
    os.mkfifo(fifo)
    with hang_guard(60):
        assert refusal(fifo) == f"parameters file {fifo} is not a regular file"


def test_a_params_path_with_a_control_character_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="holds a control character"):
        execute.load_params(tmp_path / "a\nb.yaml")


def test_plain_values_still_load(tmp_path: Path) -> None:
    text = "output_dir: reports/x\n03-response-timing:\n  reference_date: 2024-10-21\n"
    assert execute.read_params(params_file(tmp_path, text)) == {
        "output_dir": "reports/x",
        "03-response-timing": {"reference_date": "2024-10-21"},
    }


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A scratch project root (data/raw/, reports/), as ``config`` sees it."""
    root = tmp_path / "project"
    (root / "data" / "raw" / "drops").mkdir(parents=True)
    (root / "reports").mkdir()
    monkeypatch.setattr(config, "ROOT", root)
    monkeypatch.setattr(config, "DATA_DIR", root / "data")
    monkeypatch.setattr(config, "RAW_DIR", root / "data" / "raw")
    monkeypatch.setattr(config, "REPORTS_DIR", root / "reports")
    return root


RAW_RULE = (
    "it leads into data/raw/, which only `troopclaims ingest` writes (files written there "
    "would be taken for raw data)"
)
OUT_RULE = "it leads out of the project: give a folder inside it (reports/... for outputs)"
DATA_RULE = (
    "an output folder under data/, which only ingest and process write (give a folder under "
    "reports/)"
)


@pytest.mark.parametrize(
    ("name", "value", "why"),
    [
        ("output_dir", "data/raw", RAW_RULE),
        ("output_dir", "data/raw/drops/new", RAW_RULE),
        ("output_dir", "reports/../data/./raw", RAW_RULE),
        ("processed_dir", "data/raw", RAW_RULE),
        ("output_dir", "../outside", OUT_RULE),
        ("output_dir", "/tmp", OUT_RULE),
        ("output_dir", "reports/../../x", OUT_RULE),
        ("output_dir", "data/processed", DATA_RULE),  # the package process writes whole
        ("output_dir", "data", DATA_RULE),
    ],
)
def test_a_path_parameter_into_raw_or_out_of_the_project_is_refused(
    project: Path, name: str, value: str, why: str
) -> None:
    with pytest.raises(execute.ReportError) as err:
        execute.check_paths({name: value}, "p.yaml")
    assert str(err.value) == f"p.yaml: parameter {name} = {value!r}: {why}"


def test_a_notebook_s_own_path_parameter_and_a_symlink_are_followed(project: Path) -> None:
    (project / "reports" / "sneaky").symlink_to(project / "data" / "raw")
    params = {"03-response-timing": {"output_dir": "reports/sneaky/figures"}}
    with pytest.raises(execute.ReportError, match=r"03-response-timing.output_dir = .*data/raw/"):
        execute.check_paths(params, "p.yaml")


def test_paths_inside_the_project_pass(project: Path) -> None:
    execute.check_paths(
        {"output_dir": "reports/figures", "processed_dir": str(project / "data" / "processed")}
    )
    execute.check_paths({"output_dir": ""})  # not set: the notebook's default
    with pytest.raises(execute.ReportError, match="names a path: give it as a string"):
        execute.check_paths({"output_dir": ["data"]})


def test_the_command_line_refuses_output_dir_data_raw_before_any_work(
    tmp_path: Path, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(execute, "execute_all", lambda *a, **k: pytest.fail("ran notebooks"))
    path = params_file(tmp_path, "output_dir: data/raw\n")
    err = io.StringIO()
    with redirect_stderr(err):
        assert cli.main(["report", "--params", str(path)]) == 1
    assert err.getvalue().splitlines()[0] == (
        f"ERROR {path}: parameter output_dir = 'data/raw': {RAW_RULE}"
    )
    assert sorted(p.name for p in (project / "data" / "raw").iterdir()) == ["drops"]


def test_a_failing_cell_is_echoed_within_a_bounded_size(tmp_path: Path) -> None:
    """A cell's lines (papermill's injected cell carries whole values) and the exception's
    message are each cut (``escaping.for_terminal``: one visible line, then '…')."""
    notebook = tmp_path / "nb.ipynb"
    huge = "x" * 2_000_000
    cell = nbformat.v4.new_code_cell(f"label = '{huge}'\nraise ValueError(label)")
    nbformat.write(nbformat.v4.new_notebook(cells=[cell]), notebook)
    position, shown = execute._failed_cell(notebook, cell.source, 0)
    assert position == 1
    assert len(shown) < 1_000
    assert shown.endswith("…\n    raise ValueError(label)")
    assert len(execute._describe(ValueError(huge))) < 1_000


def test_a_path_no_system_can_open_is_refused_by_name(project: Path) -> None:
    with pytest.raises(
        execute.ReportError, match=r"parameter output_dir = 'reports/a\\x00b': not a usable path"
    ):
        execute.check_paths({"output_dir": "reports/a\x00b"}, "p.yaml")


@pytest.mark.parametrize("value", ["Day \x07 0", "Day \u202e0", "Day\u2066 0", "Day\x1b[31m0"])
def test_a_value_with_a_hidden_character_is_refused_by_name(tmp_path: Path, value: str) -> None:
    """Chart labels are drawn by matplotlib, where no escaping reaches: a BEL broke the SVG, a
    bidi override reordered a label on the page."""
    path = params_file(
        tmp_path, f"03-response-timing:\n  reference_label: {value!r}\n".replace("'", '"')
    )
    with pytest.raises(
        execute.ReportError, match=r"reference_label.*holds a control or bidi control"
    ):
        execute.read_params(path)


def test_a_notebook_section_of_comments_only_gives_its_defaults(tmp_path: Path) -> None:
    path = params_file(tmp_path, "03-response-timing:\n  # reference_date: 2024-10-21\n")
    params = execute.read_params(path)
    every = execute.source_notebooks()
    [timing] = [nb for nb in every if nb.stem == "03-response-timing"]
    assert execute.parameters_for(timing, params, every) == {}


def test_the_report_s_output_options_never_lead_under_data(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(execute, "execute_all", lambda *a, **k: pytest.fail("ran notebooks"))
    into_raw = str(project / "data" / "raw" / "x")
    for option in ("--executed-dir", "--html", "--pdf"):
        err = io.StringIO()
        with redirect_stderr(err):
            argv = ["report", "execute", "notebooks/00-key-findings.ipynb", option, into_raw]
            if option != "--executed-dir":
                argv = ["report", "build", option, into_raw]
            assert cli.main(argv) == 1
        assert "the report's outputs are written outside data/" in err.getvalue()
    assert sorted(p.name for p in (project / "data" / "raw").iterdir()) == ["drops"]


@pytest.mark.parametrize(
    "value", ["Day 0\tref", "Day 0\n", "יום \u200f0", "روز\u200cصفر", "👩\u200d🔬", "Ta\u00adge"]
)
def test_honest_text_with_a_script_s_own_marks_passes(tmp_path: Path, value: str) -> None:
    """A tab, a block scalar's line break, RLM in Hebrew, ZWNJ in Persian, an emoji's ZWJ, a
    soft hyphen: text a label may hold."""
    escaped = value.encode("unicode_escape").decode("ascii")
    path = params_file(tmp_path, f'03-response-timing:\n  reference_label: "{escaped}"\n')
    assert execute.read_params(path)["03-response-timing"]["reference_label"] == value
