"""The push's reads and writes in the warehouse: sync models in, quarantine, and the `audit.push_log` ledger."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

import orjson

from destinations._common.records import FieldChange, RecordOutcome, SyncRecord
from warehouse.audit import ensure_audit_tables

SYNC_SCHEMA = "sync"
# Every sync model, in the order a push writes them: the ERP learns the channels' customers before their
# orders; the shop gets new products before their prices and stock.
SYNC_MODELS: tuple[tuple[str, str], ...] = (
    ("dolibarr", "customers"),
    ("dolibarr", "orders"),
    ("prestashop", "products"),
    ("prestashop", "prices"),
    ("prestashop", "stock"),
    ("prestashop", "order_status"),
)
# The columns every sync model carries (the push contract, see warehouse/models/sync/*/_*.yml).
SYNC_COLUMNS = (
    "record_key",
    "target_system",
    "target_connection",
    "entity",
    "target_id",
    "field",
    "field_position",
    "current_value",
    "desired_value",
    "seen_updated_at",
    "payload",
)


def model_name(target: str, entity: str) -> str:
    """`sync_<target>__<entity>`."""
    return f"sync_{target}__{entity}"


def existing_models(con: Any) -> set[str]:
    """The sync models built in this warehouse (a model is disabled when its systems are not configured)."""
    rows = con.execute(
        "select table_name from information_schema.tables where table_schema = ?", [SYNC_SCHEMA]
    ).fetchall()
    return {name for (name,) in rows}


def read_records(con: Any, target: str, entity: str) -> list[SyncRecord]:
    """The records of one sync model, their field changes in write order (one record per `record_key`)."""
    model = model_name(target, entity)
    columns = ", ".join(SYNC_COLUMNS)
    rows = con.execute(
        f"select {columns} from {SYNC_SCHEMA}.{model} order by record_key, field_position, field"  # noqa: S608 - a model name from SYNC_MODELS
    ).fetchall()
    records: dict[str, SyncRecord] = {}
    for row in rows:
        values = dict(zip(SYNC_COLUMNS, row, strict=True))
        record = records.get(values["record_key"])
        if record is None:
            record = records[values["record_key"]] = SyncRecord(
                model=model,
                target=values["target_system"],
                connection=values["target_connection"],
                entity=values["entity"],
                record_key=values["record_key"],
                target_id=values["target_id"],
                changes=[],
                seen_updated_at=values["seen_updated_at"],
                payload=orjson.loads(values["payload"]) if values["payload"] else {},
            )
        record.changes.append(FieldChange(values["field"], values["current_value"], values["desired_value"]))
    return list(records.values())


def quarantined(con: Any, run_id: str) -> dict[tuple[str, str], str]:
    """`(model, record_key)` held back by a warning check of `run_id`, with the reason."""
    ensure_audit_tables(con)
    rows = con.execute(
        """
        select model, record_key, string_agg(distinct suite || '.' || expectation || ': ' || reason, '; ')
        from audit.quarantine
        where run_id = ? and model like 'sync\\_%' escape '\\'
        group by model, record_key
        """,
        [run_id],
    ).fetchall()
    return {(model, key): reason for model, key, reason in rows}


def _ledger_rows(run_id: str, outcomes: Iterable[RecordOutcome], at: datetime) -> list[tuple[Any, ...]]:
    rows = []
    for item in outcomes:
        record = item.record
        for change in record.changes:
            rows.append(
                (
                    run_id,
                    record.target,
                    record.connection,
                    record.entity,
                    record.record_key,
                    change.field,
                    change.before,
                    change.desired,
                    item.after.get(change.field),
                    item.status,
                    item.error,
                    at,
                )
            )
    return rows


def log_outcomes(con: Any, run_id: str, outcomes: Sequence[RecordOutcome]) -> None:
    """Append one ledger row per record and field, committed at once (a crash later loses none of them).

    The audit tables must exist (`warehouse.audit.ensure_audit_tables`).
    """
    if not outcomes:
        return
    con.executemany(
        """
        insert into audit.push_log
            (run_id, target, connection, entity, record_key, field, before, desired, after, status, error, pushed_at)
        values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """,
        _ledger_rows(run_id, outcomes, datetime.now(UTC)),
    )
