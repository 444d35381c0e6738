"""Fixtures of the source tests: a generated world per session, a private running sandbox per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sandbox_harness import SEED, SMALL_SCALE, Harness

from sandbox.testing import pristine_world, sandbox_on_copy


@pytest.fixture(scope="session")
def small_world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small generated merchant (about 30 shop products, 100 web orders), made once per session."""
    return pristine_world(seed=SEED, scale=SMALL_SCALE, cache=tmp_path_factory.mktemp("worlds"))


@pytest.fixture
def harness(small_world: Path, tmp_path: Path) -> Iterator[Harness]:
    """Both emulators on a private copy of the world (writes stay in this test), clocks frozen."""
    sandbox = sandbox_on_copy(small_world, tmp_path / "sandbox")
    try:
        yield Harness(sandbox, tmp_path / "data")
    finally:
        sandbox.stop()


@pytest.fixture
def options() -> dict[str, Any]:
    """Connection options for tests: small pages (paging is exercised), quick retries."""
    return {"page_size": 20, "sweep_page_size": 50, "backoff_seconds": 0.05, "max_attempts": 4}
