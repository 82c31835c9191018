"""Issue 17 item 5: the friction met while curating drops, each fixed where a curator meets it.

- A drop with no claims yet gets its to-do list: the troop-figure sentences of its articles.
- Warnings are listed where they are counted (a successful ingest prints them), and a drop's
  run lists its own, not those of a drop ingested before it.
- One stream: problem lines and the verdict on stderr, what was done or written on stdout.
- ``--json`` is written on every refusal, an early one ("already ingested") included.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import warm_cli

from troopclaims import cli, config
from troopclaims.checks import completeness
from troopclaims.intake import load

FIXTURES = Path(__file__).parent / "fixtures"
HEADER_ONLY = FIXTURES / "drops" / "header_only"


def _run(*args: str, root: Path) -> subprocess.CompletedProcess:
    """The command in a fresh process (warm-started: tests/warm_cli.py), in a scratch project."""
    return warm_cli.in_project(*args, root=root)


def test_a_drop_without_claims_lists_its_troop_sentences_as_a_to_do(
    tmp_path: Path, capsys, monkeypatch
) -> None:
    monkeypatch.setattr(config, "VALIDATION_DIR", tmp_path / "validation")
    code = cli.main(["validate", str(HEADER_ONLY), "--json", str(tmp_path / "r.json")])
    out = capsys.readouterr()
    assert code == 1
    [error] = [ln for ln in out.err.splitlines() if ln.startswith("ERROR")]
    assert "claims.csv:2:" in error and load.NO_ROWS_RULE in error and "claims to write" in error
    todo = [ln for ln in out.err.splitlines() if completeness.UNCOVERED_RULE in ln]
    assert todo and all("900_fixture.txt:" in ln for ln in todo)
    assert "'3000 soldats'" in todo[0]
    result = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    listed = [p for p in result["problems"] if completeness.UNCOVERED_RULE in p["rule"]]
    assert len(listed) == len(todo)  # the fix list holds the same to-do


def test_problem_lines_go_to_stderr_and_what_was_written_to_stdout(
    tmp_path: Path, capsys, monkeypatch
) -> None:
    monkeypatch.setattr(config, "VALIDATION_DIR", tmp_path / "validation")
    cli.main(["validate", str(HEADER_ONLY)])
    out = capsys.readouterr()
    assert out.out.startswith("validation summary: ")
    assert not [ln for ln in out.out.splitlines() if ln.startswith(("ERROR", "WARNING"))]
    assert out.err.splitlines()[-1].startswith("validation FAILED")


@pytest.mark.slow
def test_warnings_belong_to_their_drop_and_every_refusal_writes_its_json(
    scratch_root: Path,
) -> None:
    """Ingest a drop that has warnings (French Excel's code page): ingest lists them. Then a
    second drop's run does not repeat them, and validating the first again is refused early,
    with its JSON written all the same."""
    incoming = scratch_root / "incoming"
    for name in ("french-excel", "english-wire"):
        shutil.copytree(FIXTURES / "examples" / name, incoming / name)
    done = _run("ingest", str(incoming / "french-excel"), root=scratch_root)
    assert done.returncode == 0, done.stderr
    warned = [ln for ln in done.stderr.splitlines() if ln.startswith("WARNING")]
    assert len(warned) == 2 and all("Windows-1252" in ln for ln in warned), done.stderr
    assert "ingested french-excel" in done.stdout

    other = _run("validate", str(incoming / "english-wire"), root=scratch_root)
    assert other.returncode == 0, other.stderr
    assert "french-excel" not in other.stderr  # the ingested drop's warnings were said then
    assert "0 warning(s)" in other.stderr

    again = scratch_root / "again.json"
    refused = _run(
        "validate", str(incoming / "french-excel"), "--json", str(again), root=scratch_root
    )
    assert refused.returncode == 1
    assert "already ingested" in refused.stderr
    result = json.loads(again.read_text(encoding="utf-8"))
    assert result["ok"] is False and "already ingested" in result["problems"][0]["rule"]
