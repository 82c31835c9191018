"""Shared fixtures: the real raw data, and scratch copies of the project for write tests."""

from __future__ import annotations

import gc
import shutil
from pathlib import Path

import pytest

from troopclaims import config

ROOT = config.ROOT
FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def scratch_root(tmp_path: Path) -> Path:
    """A copy of data/ (raw only) in a temp folder, for tests that write outputs."""
    root = tmp_path / "project"
    shutil.copytree(config.RAW_DIR, root / "data" / "raw")
    (root / "data" / "processed").mkdir(parents=True)
    return root


class HangError(AssertionError):
    """Raised by ``hang_guard`` when a step outlives its hang limit."""


@pytest.fixture
def hang_guard():
    """A context manager that fails a step still running after ``seconds`` (a hang, not a bound).

    Why: a bound on cost is measured by ``make bench``, where noise is seen; a test only needs to
    catch a step that never ends, so its limit sits far above the bound and cannot flake on a busy
    machine. SIGALRM is handled between Python bytecodes (main thread only, where pytest and each
    xdist worker run tests): a Python loop is interrupted, a single C call only when it returns.
    """
    import contextlib
    import signal

    @contextlib.contextmanager
    def guard(seconds: float):
        def _expired(signum, frame):
            raise HangError(f"still running after {seconds} s: a hang, far above its bound")

        previous = signal.signal(signal.SIGALRM, _expired)
        signal.setitimer(signal.ITIMER_REAL, seconds)
        try:
            yield
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)

    return guard


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The longest work first: tests that share one costly run (an ``xdist_group``), then the
    ``slow`` ones, then the rest, each kept in collection order. ``make test``'s scheduler
    hands work out in this order, so a long test that came last in file order held one worker
    for its whole length while the other stood idle at the end of the run."""

    def weight(item: pytest.Item) -> int:
        if item.get_closest_marker("xdist_group"):
            return 0
        return 1 if item.get_closest_marker("slow") else 2

    items.sort(key=weight)


@pytest.hookimpl(wrapper=True)
def pytest_collection(session: pytest.Session):
    """Collect with the cyclic garbage collector off, then set what collection imported (GX,
    pandas, papermill, WeasyPrint...: over 400,000 long-lived objects) aside from it with
    ``gc.freeze``, once its garbage is gone. Why: every full collection walked that heap again,
    during collection and then in each test; a test's own garbage is collected as before. (In
    xdist's controller, which collects nothing, this only pauses and resumes the collector.)"""
    gc.disable()
    try:
        return (yield)
    finally:
        gc.collect()
        gc.freeze()
        gc.enable()
