"""`omnicanal run` on a sandbox whose ERP reports negative stock: the gate stops the run before any push."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from flows.config import write_connections_config

pytestmark = pytest.mark.slow


def test_a_blocked_gate_exits_non_zero_with_one_line_and_pushes_nothing(tmp_path: Path) -> None:
    from sandbox.testing import pristine_world, sandbox_on_copy

    sandbox = sandbox_on_copy(pristine_world(seed=42, scale=1.0), tmp_path / "sandbox")
    try:
        # GIVEN the ERP reports -3 units of one product in one warehouse
        erp = sandbox.admin("dolibarr")
        stock = erp.rows("product_stock")[0]
        assert erp.set_row("product_stock", stock["rowid"], reel=-3) == 1
        config = write_connections_config(tmp_path / "config" / "config.toml", sandbox.connections())
        for system in ("dolibarr", "prestashop"):
            sandbox.admin(system).clear_requests()

        # WHEN the whole sync runs from the command line
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "flows.cli",
                "run",
                "--config",
                str(config),
                "--data-dir",
                str(tmp_path / "data"),
            ],
            capture_output=True,
            text=True,
            timeout=900,
            env={
                **os.environ,
                "PREFECT_HOME": str(tmp_path / "prefect"),
                # the temporary Prefect server can be slow to answer on a busy machine
                "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "180",
            },
        )

        # THEN it stops with the gate's exit code and one line naming the check and where to read more
        assert done.returncode == 3, done.stderr[-3000:]
        reason = done.stderr.strip().splitlines()[-1]
        assert reason.startswith("omnicanal: quality gate blocked (")
        assert "stock_levels.stock_not_negative (1 row, e.g. " in reason
        assert "data_docs/index.html" in reason
        # and nothing was written to either system
        writes = [
            (system, r["method"], r["path_and_query"])
            for system in ("dolibarr", "prestashop")
            for r in sandbox.admin(system).requests()
            if r["method"] not in ("GET", "HEAD")
        ]
        assert writes == []
    finally:
        sandbox.stop()
    warehouse = tmp_path / "data" / "work" / "omnicanal.duckdb"
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("select count(*) from audit.push_log").fetchall() == [(0,)]
        assert con.execute(
            "select suite || '.' || expectation from audit.dq_results where not success and severity = 'blocking'"
        ).fetchall() == [("stock_levels.stock_not_negative",)]
