"""Shared fixtures: the real raw data, and scratch copies of the project for write tests."""

from __future__ import annotations

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
