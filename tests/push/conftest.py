"""Push test fixtures: a private sandbox (emulators on a copy of the world) and a warehouse built from it."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import duckdb
import pytest

# pytest puts tests/ on sys.path, where the folder tests/sandbox would shadow the real `sandbox` package as a
# namespace package; the repository root first makes the real one win (as tests/sources/conftest.py does).
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from destinations._common.http import RetryPolicy  # noqa: E402
from flows.config import Settings, load_settings, write_connections_config  # noqa: E402
from sandbox import Sandbox  # noqa: E402
from sandbox.testing import pristine_world, sandbox_on_copy  # noqa: E402

# Tests wait milliseconds, not seconds, between attempts (the attempts themselves are what they assert).
FAST_RETRIES = {"backoff_seconds": 0.01, "max_attempts": 4, "request_timeout": 10}
FAST_POLICY = RetryPolicy(max_attempts=4, backoff_seconds=0.01, timeout_seconds=10)


@dataclass
class PushSandbox:
    """A running sandbox that a test may write to, with settings pointing at it."""

    sandbox: Sandbox
    settings: Settings

    def admin(self, system: str) -> Any:
        return self.sandbox.admin(system)

    def rows(self, system: str, table: str, **where: Any) -> list[dict[str, Any]]:
        return self.sandbox.admin(system).rows(table, **where)

    def writes(self, system: str) -> list[dict[str, Any]]:
        """Every request other than a read in the emulator's log (faulted ones included)."""
        return [r for r in self.sandbox.admin(system).requests() if r["method"] not in ("GET", "HEAD")]

    def sql(self, query: str, *params: Any) -> list[tuple[Any, ...]]:
        with duckdb.connect(str(self.settings.warehouse_path), read_only=True) as con:
            return con.execute(query, list(params)).fetchall()


def _settings_for(sandbox: Sandbox, data_dir: Path) -> Settings:
    tables = {name: {**table, **FAST_RETRIES} for name, table in sandbox.connections().items()}
    config = write_connections_config(data_dir.parent / "config" / "config.toml", tables)
    return load_settings(config, data_dir=data_dir, environ={})


@pytest.fixture(scope="session")
def push_world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The pristine world the shared warehouse is built from (same seed and scale: the same bytes)."""
    from fixtures_warehouse import WAREHOUSE_SCALE, WAREHOUSE_SEED

    return pristine_world(
        seed=WAREHOUSE_SEED, scale=WAREHOUSE_SCALE, cache=tmp_path_factory.mktemp("push_worlds")
    )


@pytest.fixture
def shop_and_erp(push_world: Path, tmp_path: Path) -> Iterator[PushSandbox]:
    """Both emulators on a private copy of the world (no warehouse: for destination tests)."""
    sandbox = sandbox_on_copy(push_world, tmp_path / "sandbox")
    try:
        sandbox.admin("prestashop").clear_requests()
        sandbox.admin("dolibarr").clear_requests()
        yield PushSandbox(sandbox, _settings_for(sandbox, tmp_path / "data"))
    finally:
        sandbox.stop()


@pytest.fixture
def pushable(built_warehouse: Any, push_world: Path, tmp_path: Path) -> Iterator[PushSandbox]:
    """A private sandbox in the state the shared warehouse was extracted from, and a copy of that warehouse."""
    sandbox = sandbox_on_copy(push_world, tmp_path / "sandbox")
    try:
        data_dir = tmp_path / "data"
        built_warehouse.copy_to(data_dir)
        settings = replace(_settings_for(sandbox, data_dir), merchant=built_warehouse.settings.merchant)
        sandbox.admin("prestashop").clear_requests()
        sandbox.admin("dolibarr").clear_requests()
        yield PushSandbox(sandbox, settings)
    finally:
        sandbox.stop()
