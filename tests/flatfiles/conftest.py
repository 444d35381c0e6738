"""Fixtures of the flat-file tests: one small generated world per session, drop folders copied per test."""

from __future__ import annotations

from pathlib import Path

import pytest
from flatfile_harness import SEED, SMALL_SCALE, Loader

from sandbox.testing import pristine_world


@pytest.fixture(scope="session")
def small_world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small generated merchant with its POS, marketplace and ERP export files, made once per session."""
    return pristine_world(seed=SEED, scale=SMALL_SCALE, cache=tmp_path_factory.mktemp("worlds"))


@pytest.fixture
def loader(tmp_path: Path) -> Loader:
    """Runs the flat-file source into a private DuckDB file and settles the drop folder, like a sync does."""
    return Loader(tmp_path / "data")
