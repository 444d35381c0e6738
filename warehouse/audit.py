"""The audit tables (runs, data-quality results, quarantine, push ledger): one DDL for every writer."""

from __future__ import annotations

from typing import Any

AUDIT_DDL = """
create schema if not exists audit;
create table if not exists audit.runs (
    run_id varchar primary key,
    flow varchar not null,
    started_at timestamptz not null,
    finished_at timestamptz,
    status varchar not null,
    parameters json,
    summary varchar
);
create table if not exists audit.dq_results (
    run_id varchar not null,
    suite varchar not null,
    expectation varchar not null,
    severity varchar not null,
    success boolean,
    observed_value varchar,
    failing_count bigint,
    sample_keys json,
    error varchar,
    checked_at timestamptz not null default current_timestamp
);
create table if not exists audit.quarantine (
    run_id varchar not null,
    suite varchar not null,
    expectation varchar not null,
    model varchar not null,
    record_key varchar not null,
    reason varchar not null,
    record json,
    quarantined_at timestamptz not null default current_timestamp
);
create table if not exists audit.push_log (
    run_id varchar not null,
    target varchar not null,
    connection varchar not null,
    entity varchar not null,
    record_key varchar not null,
    field varchar,
    before varchar,
    desired varchar,
    after varchar,
    status varchar not null,
    error varchar,
    pushed_at timestamptz not null default current_timestamp
);
"""

TABLE_COMMENTS = {
    "runs": "One row per flow run: parameters (never secrets), status and the rendered summary.",
    "dq_results": "One row per expectation evaluated in a run: severity, outcome, failing rows count and sample keys.",
    "quarantine": "One row per record held back by a warning-level check, with the reason; it is not pushed.",
    "push_log": "One row per record and field written (or planned, skipped, failed) by a push: before, desired, re-read after.",
}


def ensure_audit_tables(con: Any) -> None:
    """Create the audit schema and tables if they do not exist (idempotent), with their comments."""
    con.execute(AUDIT_DDL)
    for table, comment in TABLE_COMMENTS.items():
        con.execute(f"comment on table audit.{table} is '{comment}'")  # noqa: S608 - constants, not input
