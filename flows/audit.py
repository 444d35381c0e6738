"""Run bookkeeping in audit.runs (one row per flow run, parameters without secrets)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from warehouse.audit import ensure_audit_tables


def start_run(path: Path, run_id: str, flow: str, parameters: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path))
    try:
        ensure_audit_tables(con)
        con.execute(
            "insert or replace into audit.runs (run_id, flow, started_at, status, parameters) values (?, ?, ?, ?, ?)",
            [run_id, flow, datetime.now(UTC), "running", json.dumps(parameters, default=str)],
        )
    finally:
        con.close()


def finish_run(path: Path, run_id: str, status: str, summary: str) -> None:
    con = duckdb.connect(str(path))
    try:
        ensure_audit_tables(con)
        con.execute(
            "update audit.runs set finished_at = ?, status = ?, summary = ? where run_id = ?",
            [datetime.now(UTC), status, summary, run_id],
        )
    finally:
        con.close()
