"""The warm-started runner (tests/warm_cli.py) gives what a cold ``troopclaims`` process gives.

Many tests run the command "in a fresh process" through it, so its fidelity is what those tests
rest on: the same exit code, stdout and stderr as the installed entry point, the environment and
working folder of the call (read afresh, not the zygote's), a real signal death, and a hang
stopped at its timeout. A real signal death is asserted by tests/test_crash.py, whose
commands kill themselves at each write step through this runner.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
import warm_cli


def _both(*args: str, env: dict[str, str], cwd: Path) -> tuple:
    """The command warm and cold, each as (exit code, stdout, stderr)."""
    warm = warm_cli.run(*args, env=env, cwd=cwd)
    cold = subprocess.run(
        [str(warm_cli.EXE), *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=120
    )
    return (warm.returncode, warm.stdout, warm.stderr), (cold.returncode, cold.stdout, cold.stderr)


@pytest.mark.parametrize(
    "args",
    [
        ("--no-such-option",),  # argparse's own exit 2 and usage text
        ("new-drop", "bad/name", "missing.txt"),  # a refusal: message, exit code, no traceback
        ("new-drop", "--help"),
    ],
)
def test_warm_and_cold_give_the_same_code_and_output(args: tuple[str, ...], tmp_path: Path) -> None:
    env = {**os.environ, "TROOPCLAIMS_ROOT": str(tmp_path)}
    warm, cold = _both(*args, env=env, cwd=tmp_path)
    assert warm == cold
    assert "Traceback" not in warm[2]


def test_the_environment_and_folder_are_the_call_s_own(tmp_path: Path) -> None:
    """Two calls from different folders: each drop lands where its own call was made, and a
    start-up variable set by the call sends it cold (the zygote could not honour it)."""
    for name in ("one", "two"):
        root = tmp_path / name
        root.mkdir()
        (root / "a.txt").write_text("Séoul, le 18 octobre 2024. Texte.\n", encoding="utf-8")
        env = {**os.environ, "TROOPCLAIMS_ROOT": str(root)}
        result = warm_cli.run("new-drop", f"drop-{name}", "a.txt", env=env, cwd=root)
        assert result.returncode == 0, result.stderr
        assert f"created drops/drop-{name}/" in result.stdout
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.glob("*/drops/*")) == [
        "one/drops/drop-one",
        "two/drops/drop-two",
    ]
    assert not warm_cli._runs_cold(dict(os.environ), warm_cli.EXE)
    assert warm_cli._runs_cold({**os.environ, "PYTHONUTF8": "0"}, warm_cli.EXE)
    assert warm_cli._runs_cold({**os.environ, "LC_ALL": "C"}, warm_cli.EXE)


def test_a_hang_is_stopped_at_its_timeout(scratch_root: Path) -> None:
    """A command still running at its timeout raises as ``subprocess.run`` does, and is killed
    with its process group: nothing of it outlives the test."""
    env = {**os.environ, "TROOPCLAIMS_ROOT": str(scratch_root)}
    with pytest.raises(subprocess.TimeoutExpired):  # validating the dataset takes seconds
        warm_cli.run("validate", env=env, cwd=scratch_root, timeout=0.2)
    pids = [int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit()]
    groups = set()
    for pid in pids:
        try:
            groups.add(os.getpgid(pid))
        except ProcessLookupError:
            continue
    assert warm_cli.last_pid not in groups
    assert warm_cli.run("new-drop", "--help", env=env).returncode == 0  # the zygote carries on
