"""Sandbox fixtures: a pristine scale-1 world per session, a shared read-only sandbox, fresh ones for writes.

Other test folders can reuse them by importing the helpers of `sandbox.testing` in their own conftest.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

# pytest puts tests/ on sys.path, where this folder `sandbox` would shadow the real package as a namespace
# package; the repository root first makes `import sandbox` find the real one whatever the invocation.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from sandbox import Sandbox
from sandbox.testing import pristine_world, sandbox_on_copy


@pytest.fixture(scope="session")
def world_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The pristine generated world (seed 42, scale 1); tests must not write into it."""
    return pristine_world(42, 1.0, cache=tmp_path_factory.mktemp("worlds"))


@pytest.fixture(scope="session")
def sandbox(world_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    """Both emulators on a session copy of the world, for tests that only read."""
    sb = sandbox_on_copy(world_dir, tmp_path_factory.mktemp("sandbox") / "world")
    yield sb
    sb.stop()


@pytest.fixture
def fresh_sandbox(world_dir: Path, tmp_path: Path) -> Iterator[Sandbox]:
    """Both emulators on a private copy of the world, for tests that write or change settings."""
    sb = sandbox_on_copy(world_dir, tmp_path / "world")
    yield sb
    sb.stop()
