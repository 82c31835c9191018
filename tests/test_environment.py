"""The lock, pyproject.toml and environment.yml describe one environment."""

from __future__ import annotations

import re
import tomllib

import pytest
import yaml
from packaging.requirements import Requirement

from troopclaims import config

LOCK = config.ROOT / "requirements.lock"


def _lock() -> dict[str, str]:
    pins = {}
    for line in LOCK.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        assert "==" in line, f"unpinned line in requirements.lock: {line}"
        name, version = line.split("==")
        pins[re.sub(r"[-_.]+", "-", name).lower()] = version
    return pins


def _pyproject() -> dict:
    return tomllib.loads((config.ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_every_direct_dependency_is_pinned_in_the_lock_and_satisfies_pyproject() -> None:
    project = _pyproject()["project"]
    reqs = [*project["dependencies"], *project["optional-dependencies"]["dev"]]
    pins = _lock()
    for spec in reqs:
        req = Requirement(spec)
        name = re.sub(r"[-_.]+", "-", req.name).lower()
        assert name in pins, f"{req.name} is in pyproject.toml but not in requirements.lock"
        assert req.specifier.contains(pins[name], prereleases=True), (
            f"lock pins {req.name}=={pins[name]}, pyproject wants {req.specifier}"
        )


def test_build_backend_is_in_the_lock() -> None:
    """Setup installs with --no-build-isolation: setuptools must come from the lock."""
    assert "setuptools" in _lock()


def test_environment_yml_installs_the_lock_and_nothing_else_pinned() -> None:
    env = yaml.safe_load((config.ROOT / "environment.yml").read_text(encoding="utf-8"))
    deps = env["dependencies"]
    pip_section = next(d["pip"] for d in deps if isinstance(d, dict))
    assert "-r requirements.lock" in pip_section
    assert "-e ." in pip_section
    pins = _lock()
    for entry in pip_section:
        if entry.startswith("-"):
            continue
        req = Requirement(entry)  # any extra pin must agree with the lock
        assert req.specifier.contains(pins[req.name.lower()])
    conda_pkgs = [d for d in deps if isinstance(d, str)]
    python = next(d for d in conda_pkgs if d.startswith("python"))
    requires = _pyproject()["project"]["requires-python"]
    version = python.split("=", 1)[1]
    assert Requirement(f"python{requires}").specifier.contains(version + ".0"), (python, requires)
    lock_header = LOCK.read_text(encoding="utf-8").splitlines()[0]
    assert f"Python {version}" in lock_header


def test_kernel_name_matches_the_makefile() -> None:
    makefile = (config.ROOT / "Makefile").read_text(encoding="utf-8")
    assert f"KERNEL := {config.KERNEL_NAME}" in makefile


@pytest.mark.xdist_group("loadgroup-check")
def test_xdist_groups_reach_the_scheduler(request: pytest.FixtureRequest) -> None:
    """`make test` runs ``--dist loadgroup``: tests that share one costly run (a built report, a
    validated drop) carry an ``xdist_group`` so they land on one worker and share it. pytest 9.2
    with pytest-xdist 3.8 drops the groups without a word (pytest-xdist#1386) and every worker
    repeats the shared runs: the suite took 4 min 26 s instead of its target. xdist sends a
    grouped test to its worker under its group's name; a plain run (no workers) has no groups
    to keep."""
    if not request.config.getvalue("loadgroup"):
        pytest.skip("not run by xdist with --dist loadgroup (make test runs it so)")
    assert request.node.nodeid.endswith("@loadgroup-check"), request.node.nodeid
