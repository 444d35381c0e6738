"""Reads and writes of the gate in `audit`: previous row counts, results, quarantined rows (parameters only)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from expectations.result import CheckOutcome
from warehouse.audit import ensure_audit_tables

ROW_COUNT_CHECK = "row_count_not_collapsed"


@dataclass(frozen=True)
class QuarantinedRow:
    """A record held back by a warning check: `model` and `record_key` are what the push filters on."""

    suite: str
    expectation: str
    model: str
    record_key: str
    reason: str
    record: str


def previous_row_counts(con: duckdb.DuckDBPyConnection, run_id: str) -> dict[str, int]:
    """Row count per suite at the last other run that let it through (passed, or failed below blocking)."""
    exists = con.execute(
        "select count(*) from duckdb_tables() where schema_name = 'audit' and table_name = 'dq_results'"
    ).fetchall()[0][0]
    if not exists:
        return {}
    rows = con.execute(
        """
        select suite, observed_value
        from audit.dq_results
        where expectation = ? and run_id <> ? and error is null and success is not null
            and (success or severity <> 'blocking')
        qualify row_number() over (partition by suite order by checked_at desc) = 1
        """,
        [ROW_COUNT_CHECK, run_id],
    ).fetchall()
    return {suite: int(value) for suite, value in rows if value is not None and str(value).isdigit()}


def write_results(
    duckdb_path: Path, run_id: str, outcomes: list[CheckOutcome], quarantined: list[QuarantinedRow]
) -> None:
    """Replace this run's rows in `audit.dq_results` and `audit.quarantine` (a rerun of the gate is idempotent)."""
    results = pd.DataFrame(
        {
            "run_id": run_id,
            "suite": [o.suite for o in outcomes],
            "expectation": [o.expectation for o in outcomes],
            "severity": [o.severity for o in outcomes],
            "success": pd.array([o.success for o in outcomes], dtype="boolean"),
            "observed_value": pd.array([o.observed_value for o in outcomes], dtype="string"),
            "failing_count": pd.array([o.failing_count for o in outcomes], dtype="Int64"),
            "sample_keys": [json.dumps(list(o.sample_keys)) for o in outcomes],
            "error": pd.array([o.error for o in outcomes], dtype="string"),
        }
    )
    held = pd.DataFrame(
        {
            "run_id": run_id,
            "suite": [q.suite for q in quarantined],
            "expectation": [q.expectation for q in quarantined],
            "model": [q.model for q in quarantined],
            "record_key": [q.record_key for q in quarantined],
            "reason": [q.reason for q in quarantined],
            "record": [q.record for q in quarantined],
        },
        dtype="string",
    )
    con = duckdb.connect(str(duckdb_path))
    try:
        ensure_audit_tables(con)
        con.register("gate_results", results)
        con.register("gate_quarantine", held)
        con.execute("begin transaction")
        con.execute("delete from audit.dq_results where run_id = ?", [run_id])
        con.execute("delete from audit.quarantine where run_id = ?", [run_id])
        con.execute(
            """
            insert into audit.dq_results
                (run_id, suite, expectation, severity, success, observed_value, failing_count, sample_keys, error)
            select run_id, suite, expectation, severity, success, observed_value, failing_count,
                cast(sample_keys as json), error
            from gate_results
            """
        )
        con.execute(
            """
            insert into audit.quarantine (run_id, suite, expectation, model, record_key, reason, record)
            select run_id, suite, expectation, model, record_key, reason, cast(record as json)
            from gate_quarantine
            """
        )
        con.execute("commit")
    finally:
        con.close()


def records_json(frame: pd.DataFrame) -> list[str]:
    """Each row of a frame as a JSON object (timestamps ISO 8601, missing values null)."""
    rows: list[dict[str, Any]] = json.loads(frame.to_json(orient="records", date_format="iso"))
    return [json.dumps(row, ensure_ascii=False) for row in rows]
