"""The guards a record must pass before it is written: the rules that make a wrong push impossible."""

from __future__ import annotations

from destinations._common.records import SyncRecord


def _stock(record: SyncRecord) -> str | None:
    desired = int(record.changes[0].desired or 0)
    available = int(record.payload.get("erp_available") or 0)
    buffer = int(record.payload.get("safety_buffer") or 0)
    ceiling = max(available - buffer, 0)
    if desired < 0:
        return f"{record.describe()}: stock {desired} is below 0"
    if desired > ceiling:
        return (
            f"{record.describe()}: stock {desired} is above the ERP's available {available} "
            f"minus the safety buffer {buffer}"
        )
    return None


def _order(record: SyncRecord) -> str | None:
    unknown = record.payload.get("unknown_skus") or []
    if unknown:
        return f"{record.describe()}: line SKU(s) {', '.join(map(str, unknown))} unknown to the ERP"
    if not record.payload.get("lines"):
        return f"{record.describe()}: the order has no product line"
    if record.payload.get("shipped_by_channel") and not record.payload.get("warehouse_id"):
        return (
            f"{record.describe()}: shipped by the channel, but no ERP warehouse is mapped to "
            f"{record.payload.get('channel_connection')} (option stock_warehouses)"
        )
    return None


def _customer(record: SyncRecord) -> str | None:
    if not (record.payload.get("name") or "").strip():
        return f"{record.describe()}: the customer has no name"
    return None


def guard(record: SyncRecord) -> str | None:
    """Why `record` must not be written (one line naming connection, record and rule), or None."""
    check = {"stock": _stock, "orders": _order, "customers": _customer}.get(record.entity)
    return check(record) if check else None
