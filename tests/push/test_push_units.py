"""Push rules that need no server: the guards, the quality gate a standalone push obeys, and what the write
client says when the server cannot be reached."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

from destinations._common.guards import guard
from destinations._common.http import WriteClient
from destinations._common.records import FieldChange, SyncRecord, TransientError
from flows.config import Merchant, Settings
from flows.errors import PushAborted
from flows.push import _last_gated_run
from sources._common.http import RetryPolicy
from warehouse.audit import ensure_audit_tables


def stock(desired: str, available: int, buffer: int) -> SyncRecord:
    return SyncRecord(
        model="sync_prestashop__stock",
        target="prestashop",
        connection="webshop",
        entity="stock",
        record_key="webshop:MX-1",
        target_id="7",
        changes=[FieldChange("quantity", "3", desired)],
        payload={"erp_available": available, "safety_buffer": buffer},
    )


@pytest.mark.parametrize(
    ("desired", "available", "buffer", "reason"),
    [
        ("4", 6, 2, None),
        ("0", -3, 2, None),
        ("-1", 6, 2, "webshop stock webshop:MX-1: stock -1 is below 0"),
        (
            "5",
            6,
            2,
            "webshop stock webshop:MX-1: stock 5 is above the ERP's available 6 minus the safety buffer 2",
        ),
        (
            "1",
            -3,
            0,
            "webshop stock webshop:MX-1: stock 1 is above the ERP's available -3 minus the safety buffer 0",
        ),
    ],
)
def test_stock_is_never_pushed_below_zero_nor_above_available_minus_buffer(
    desired: str, available: int, buffer: int, reason: str | None
) -> None:
    assert guard(stock(desired, available, buffer)) == reason


def test_an_order_with_a_sku_the_erp_does_not_know_is_held_back() -> None:
    order = SyncRecord(
        model="sync_dolibarr__orders",
        target="dolibarr",
        connection="erp",
        entity="orders",
        record_key="webshop:ABC",
        target_id=None,
        changes=[FieldChange("record", None, "ABC")],
        payload={"lines": [{"sku": "MX-9"}], "unknown_skus": ["MX-9"]},
    )
    assert guard(order) == "erp orders webshop:ABC: line SKU(s) MX-9 unknown to the ERP"


def _settings(tmp_path: Path, runs: list[tuple[str, str, bool | None]]) -> Settings:
    settings = Settings(data_dir=tmp_path, merchant=Merchant(), connections={})
    settings.warehouse_path.parent.mkdir(parents=True)
    with duckdb.connect(str(settings.warehouse_path)) as con:
        ensure_audit_tables(con)
        for minute, (run_id, status, blocking_failed) in enumerate(runs):
            con.execute(
                "insert into audit.runs (run_id, flow, started_at, status) values (?, 'sync', ?, ?)",
                [run_id, datetime(2026, 11, 29, 9, minute, tzinfo=UTC), status],
            )
            if blocking_failed is not None:
                con.execute(
                    "insert into audit.dq_results (run_id, suite, expectation, severity, success) "
                    "values (?, 'products', 'price_positive', 'blocking', ?)",
                    [run_id, not blocking_failed],
                )
    return settings


def test_a_standalone_push_follows_the_last_sync_run_whose_gate_ran(tmp_path: Path) -> None:
    # the last run failed before its gate: the one before it decides
    settings = _settings(tmp_path, [("gated", "completed", False), ("broken", "failed", None)])
    assert _last_gated_run(settings) == "gated"


def test_a_standalone_push_refuses_after_a_blocked_gate(tmp_path: Path) -> None:
    settings = _settings(tmp_path, [("good", "completed", False), ("bad", "blocked", True)])
    with pytest.raises(PushAborted, match="quality gate of the last sync run bad blocked"):
        _last_gated_run(settings)


def test_without_any_gated_run_nothing_is_quarantined(tmp_path: Path) -> None:
    assert _last_gated_run(_settings(tmp_path, [])) is None


def test_an_unreachable_target_is_a_transient_error_naming_the_call_and_the_refusal(closed_port: int) -> None:
    client = WriteClient(
        f"http://127.0.0.1:{closed_port}/api",
        connection="webshop",
        policy=RetryPolicy(max_attempts=2, backoff_seconds=0.01, timeout_seconds=5),
    )
    # a create is sent once; a PUT of whole values is tried again before giving up
    for method, idempotent, calls in (("POST", False, 1), ("PUT", True, 2)):
        with pytest.raises(TransientError) as failed:
            client.send(method, "/stock_availables/7", idempotent=idempotent, parse=lambda status, body: body)
        assert str(failed.value) == (
            f"webshop: {method} /stock_availables/7: connection failed (127.0.0.1:{closed_port}: "
            "Failed to establish a new connection: [Errno 111] Connection refused)"
        )
        assert client.calls[method] == calls
    client.close()
