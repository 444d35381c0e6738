"""Shared pytest fixtures: a sandbox world extracted with the real sources and the warehouse built once per session.

Registered for every test folder by `tests/conftest.py` (`pytest_plugins = ["fixtures_warehouse"]`), so the
quality, push and report tests can use the same built warehouse:

* `built_warehouse` (session): generates the sandbox world (seed 42, scale 1), starts both emulators on a
  private copy, extracts the `erp` (Dolibarr) and `webshop` (PrestaShop) connections with
  `flows.extract.extract_connections` (full load), stops the emulators, then runs `dbt build` on everything
  with `flows.build.build_warehouse`. It yields a `BuiltWarehouse`: the `settings` of that build (data dir,
  connections without running servers), the DuckDB `path`, the sandbox's `ground_truth` and `sql()` for
  read-only queries. Treat the file as read-only; to change data, copy it with `copy_to(tmp_path)`, which
  returns settings pointing at the copy (then `flows.build.run_dbt(settings, ...)` works on the copy).

Set `OMNICANAL_SANDBOX_CACHE` to reuse generated worlds between sessions.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import duckdb
import pytest

WAREHOUSE_SEED = 42
WAREHOUSE_SCALE = 1.0


@dataclass(frozen=True)
class BuiltWarehouse:
    """A warehouse built from a sandbox world: settings of the build, DuckDB file, ground truth."""

    settings: Any
    ground_truth: dict[str, Any]

    @property
    def path(self) -> Path:
        return Path(self.settings.warehouse_path)

    def sql(self, query: str, *params: Any) -> list[tuple[Any, ...]]:
        """Rows of a read-only query on the built file (parameters only, never formatted in)."""
        with duckdb.connect(str(self.path), read_only=True) as con:
            return con.execute(query, list(params)).fetchall()

    def records(self, query: str, *params: Any) -> list[dict[str, Any]]:
        """Rows as dicts keyed by column name."""
        with duckdb.connect(str(self.path), read_only=True) as con:
            cursor = con.execute(query, list(params))
            names = [d[0] for d in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def copy_to(self, data_dir: Path) -> Any:
        """Copy the warehouse file under `data_dir` and return settings that build and test the copy."""
        settings = replace(self.settings, data_dir=data_dir)
        Path(settings.warehouse_path).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(self.path, settings.warehouse_path)
        return settings


@pytest.fixture(scope="session")
def built_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BuiltWarehouse]:
    """The sandbox world (seed 42, scale 1) extracted by the real sources and built by dbt, once per session."""
    from flows.build import build_warehouse
    from flows.config import load_settings, write_connections_config
    from flows.extract import extract_connections
    from sandbox.testing import pristine_world, sandbox_on_copy

    root = tmp_path_factory.mktemp("built_warehouse")
    world = pristine_world(seed=WAREHOUSE_SEED, scale=WAREHOUSE_SCALE, cache=root / "worlds")
    sandbox = sandbox_on_copy(world, root / "sandbox")
    try:
        config = write_connections_config(root / "config" / "config.toml", sandbox.connections())
        settings = load_settings(config, data_dir=root / "data", environ={})
        extract_connections(settings, full=True)
        ground_truth = sandbox.ground_truth()
    finally:
        sandbox.stop()
    build_warehouse(settings)
    yield BuiltWarehouse(settings=settings, ground_truth=ground_truth)
