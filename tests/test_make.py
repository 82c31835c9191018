"""Make passes a user's values as data: no DROP, JSON or PARAMS is ever run as code.

Each payload, if a shell (or make itself) interpreted it, would create a marker file whose
absolute path it reads from the environment ($M1 ...), so the file names hold no '/'. The runs
that must fail use values the CLI refuses before importing Great Expectations (a path that does
not exist: half a second each); one real validation proves that such a value reaches the CLI
verbatim. Every run points the CLI at a scratch copy of data/ (TROOPCLAIMS_ROOT).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from troopclaims import config

ROOT = config.ROOT
VALID_DROP = Path(__file__).parent / "fixtures" / "drops" / "valid"
MARKERS = [f"M{i}" for i in range(1, 9)]
# One payload per way a value could become code, with spaces in several.
PAYLOADS = {
    "dollar-paren": "x $(touch $M1) y",
    "backticks": "x`touch $M2`",
    "double-quotes": 'x"; touch $M3; "',
    "single-quotes": "x'; touch $M4; '",
    "make-shell": "x$(shell touch $M5)",  # make itself would run this when exporting DROP
    "spaces": "a  drop  $(touch $M6)  named  with  spaces",
    "option": "--json=<M7>",  # an option, if the value reached the CLI unquoted or without --
    "newline": "x\n$(touch $M8)",
}
MAKE_ENV_NOISE = ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES")
USER_VALUES = ("DROP", "JSON", "PARAMS", "NAME", "ARTICLES", "INTO")


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The environment of every make run: scratch project root, marker paths, no outer make."""
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    stale = subprocess.run(
        ["make", "-q", "-C", str(ROOT), ".venv/.troopclaims-installed"],
        capture_output=True,
        check=False,
    )
    if stale.returncode != 0:
        pytest.skip("the venv is not up to date: these tests must not reinstall it")
    tmp = tmp_path_factory.mktemp("make")
    root = tmp / "project"
    shutil.copytree(config.RAW_DIR, root / "data" / "raw")
    for name in ("src", "requirements.lock", "pyproject.toml"):  # what the venv's stamp reads
        (root / name).symlink_to(ROOT / name)
    (root / "markers").mkdir()
    base = {k: v for k, v in os.environ.items() if k not in MAKE_ENV_NOISE + USER_VALUES}
    markers = {m: str(root / "markers" / m) for m in MARKERS}
    return {**base, **markers, "TROOPCLAIMS_ROOT": str(root), "LC_ALL": "C.UTF-8"}


def make(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    """The repository's Makefile run in the scratch project, with the repository's venv: make's
    own records (data/processed/.raw-changed...) land there, never in the real data/."""
    project = env["TROOPCLAIMS_ROOT"]
    return subprocess.run(
        [
            "make",
            "-s",
            "-f",
            str(ROOT / "Makefile"),
            "-C",
            project,
            f"VENV={ROOT / '.venv'}",
            *args,
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def payloads(env: dict[str, str]) -> dict[str, str]:
    """PAYLOADS, the option's marker given as the absolute path the CLI would write."""
    return {k: v.replace("<M7>", env["M7"]) for k, v in PAYLOADS.items()}


def ran(env: dict[str, str]) -> list[str]:
    """The markers some payload created (none, if nothing ran)."""
    return sorted(m for m in MARKERS if Path(env[m]).exists())


def refused(result: subprocess.CompletedProcess, variable: str, value: str) -> None:
    """Refused with a message and no traceback; a value with a line break before any command."""
    assert result.returncode != 0, result.stdout
    assert "Traceback" not in result.stdout + result.stderr
    first = result.stderr.splitlines()[0]
    if "\n" in value:
        assert first == (
            f"{variable} holds a control character (line break, tab, escape...): "
            "give the path on one line, as plain text"
        )
    else:
        assert first.startswith("ERROR "), result.stderr


@pytest.mark.parametrize("target", ["validate", "ingest"])
def test_a_drop_value_is_never_run(env: dict[str, str], target: str) -> None:
    for name, value in payloads(env).items():
        result = make(env, target, f"DROP={value}")
        refused(result, "DROP", value)
        assert ran(env) == [], f"{target} DROP ({name}) ran code"


def test_a_json_value_with_a_line_break_is_refused_before_the_cli(env: dict[str, str]) -> None:
    result = make(env, "validate", f"DROP={VALID_DROP}", f"JSON={PAYLOADS['newline']}")
    refused(result, "JSON", PAYLOADS["newline"])
    assert ran(env) == []


def test_values_reach_the_cli_verbatim_as_one_argument(env: dict[str, str], tmp_path: Path) -> None:
    """A real drop and JSON path whose names hold every payload but the line break: it passes."""
    odd = " ".join(v for k, v in PAYLOADS.items() if k not in ("newline", "option"))
    drop = tmp_path / odd / "valid"
    shutil.copytree(VALID_DROP, drop, ignore=shutil.ignore_patterns("expected.json"))
    out = tmp_path / f"-out {odd}.json"
    result = make(env, "validate", f"DROP={drop}", f"JSON={out}")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "validation PASSED" in result.stderr
    assert json.loads(out.read_text(encoding="utf-8"))["ok"] is True
    assert ran(env) == []


def test_ingest_without_a_drop_prints_its_usage(env: dict[str, str]) -> None:
    result = make(env, "ingest")
    assert result.returncode != 0
    assert result.stderr.startswith("usage: make ingest DROP=path/to/drop")


def test_a_params_value_is_never_run(env: dict[str, str], tmp_path: Path) -> None:
    """PARAMS names the parameters file of a variant report (reports/NAME/): checked, then
    passed to `troopclaims report` as one argument, never run.

    The file's name (spaces, '$', backquotes) cannot name a report folder, so the CLI refuses it,
    naming it verbatim, before any notebook runs.
    """
    odd = " ".join(v for k, v in PAYLOADS.items() if k not in ("newline", "option"))
    params = tmp_path / f"-params {odd}.yaml"
    params.write_text("- not a mapping\n", encoding="utf-8")
    result = make(env, "report", f"PARAMS={params}")
    assert result.returncode != 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert (
        f"ERROR parameters file {str(params)!r}: its name cannot name a report folder under "
        "reports/ (only letters, digits, '-' and '_'" in result.stderr
    )
    for name, value in payloads(env).items():
        result = make(env, "report", f"PARAMS={tmp_path / 'missing'} {value}")
        assert result.returncode != 0, name
        assert "Traceback" not in result.stderr
        if "\n" in value:
            assert result.stderr.startswith("PARAMS holds a control character"), name
        else:
            assert result.stderr.startswith(f"PARAMS: no such file: {tmp_path}/missing {value}\n")
        assert ran(env) == [], f"PARAMS ({name}) ran code"
    assert ran(env) == []


# --- Issue 16 item 9: new-drop's values after `--`, every typed path checked --------------------


@pytest.mark.parametrize("name", ["--into=/x", "--help"])
def test_a_new_drop_name_is_a_name_never_an_option(
    env: dict[str, str], tmp_path: Path, name: str
) -> None:
    """`NAME=--help` used to print the help and exit 0; `NAME=--into=/x` chose the folder."""
    article = tmp_path / "a.txt"
    article.write_text("Une phrase.\n", encoding="utf-8")
    into = tmp_path / "drops"
    result = make(env, "new-drop", f"NAME={name}", f"ARTICLES={article}", f"INTO={into}")
    assert result.returncode == 2, result.stdout + result.stderr  # make's code for a failed recipe
    assert result.stderr.startswith("ERROR NAME: value "), result.stderr
    assert "usage:" not in result.stdout
    assert not into.exists() and not Path("/x").exists()


@pytest.mark.parametrize("variable", ["INTO", "ARTICLES", "NAME"])
def test_a_new_drop_value_with_a_control_character_is_refused_first(
    env: dict[str, str], tmp_path: Path, variable: str
) -> None:
    article = tmp_path / "a.txt"
    article.write_text("Une phrase.\n", encoding="utf-8")
    values = {"NAME": "fine", "ARTICLES": str(article), "INTO": str(tmp_path / "drops")}
    values[variable] += "\n\x1b[31mred"
    result = make(env, "new-drop", *(f"{k}={v}" for k, v in values.items()))
    refused(result, variable, values[variable])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt"]


# --- Issue 16 item 8: a raw file deleted by hand makes data/processed/ stale -------------------


def test_a_deleted_raw_file_rebuilds_processed_and_a_no_op_runs_nothing(
    env: dict[str, str], tmp_path: Path, hang_guard
) -> None:
    """Timestamps cannot see a deletion; the Makefile's check of data/raw/ against sources.json
    can. The Makefile runs on a scratch project (its data/, the repository's sources and venv),
    so the real data/processed/ is never touched."""
    project = tmp_path / "project"
    (project / "data" / "processed").mkdir(parents=True)
    shutil.copytree(config.RAW_DIR, project / "data" / "raw")
    (project / "data" / "raw" / "notes.txt").write_text("rolled back later\n", encoding="utf-8")
    for name in ("src", "requirements.lock", "pyproject.toml"):
        (project / name).symlink_to(ROOT / name)
    scratch = {**env, "TROOPCLAIMS_ROOT": str(project)}
    sources = project / "data" / "processed" / "sources.json"

    def build() -> subprocess.CompletedProcess:
        argv = ["make", "-s", "-f", str(ROOT / "Makefile"), "-C", str(project)]
        argv += [f"VENV={ROOT / '.venv'}", "data/processed/sources.json"]
        return subprocess.run(argv, capture_output=True, text=True, env=scratch, check=False)

    with hang_guard(600):
        first = build()
        assert first.returncode == 0, first.stderr
        assert "notes.txt" in sources.read_text(encoding="utf-8")
        built = sources.stat().st_mtime_ns
        for _ in range(2):  # the first no-op checks in Python, the second from its listing
            noop = build()
            assert (noop.returncode, noop.stdout, noop.stderr) == (0, "", "")
        assert sources.stat().st_mtime_ns == built
        (project / "data" / "raw" / "notes.txt").unlink()
        again = build()
    assert again.returncode == 0, again.stderr
    assert again.stderr.startswith(
        "data/raw/ differs from data/processed/sources.json (raw files gone since it was built: "
        "data/raw/notes.txt): rebuilding data/processed/"
    )
    assert "notes.txt" not in sources.read_text(encoding="utf-8")
