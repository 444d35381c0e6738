"""Write what the channels own to a Dolibarr ERP: their new customers and the orders it has not imported.

Nothing here is written twice: a customer is looked up by its channel key (`ref_ext`) and its e-mail before
it is created, an order by the channel's reference (`ref_client`) before it is created and then validated;
after a failure whose outcome is unknown, the object is looked up again before any new attempt. Stock moves
only through stock movements whose `movementcode` is derived from the record, looked up before each
attempt (`POST /stockmovements` is not idempotent).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from destinations._common.base import BatchWriter, Destination
from destinations._common.http import WRITE_POLICY, RetryPolicy
from destinations._common.records import DestinationError, RecordOutcome, SyncRecord
from destinations._common.safety import apply_once, guarded, outcome, parallel
from destinations.dolibarr.helpers import DolibarrClient, filter_value
from destinations.dolibarr.settings import BATCH, CALLER, CONCURRENCY, MOVEMENT_PREFIX, SHIPPING_LABEL

__all__ = ["DolibarrDestination", "movement_code"]

VALIDATED, CLOSED = 1, 3


def _status(order: dict[str, Any]) -> int:
    """An order's status (`statut` on 23.0.1, `status` elsewhere; strings in GET answers)."""
    value = order.get("statut", order.get("status"))
    return 0 if value in (None, "") else int(str(value))


def movement_code(channel_order_ref: str, line_rank: int) -> str:
    """The stock movement code of one line of a channel order: the same on every attempt and every run."""
    return f"{MOVEMENT_PREFIX}-{channel_order_ref}-{line_rank}"


class DolibarrDestination(Destination):
    """One Dolibarr connection as a push target.

    Args:
        connection: the connection name.
        base_url: the API root (`https://erp/api/index.php`).
        api_key: the API key.
        concurrency: records written in parallel.
        batch: records per batch of outcomes.
        policy: retry policy of idempotent calls (and attempts of `apply_once`).
    """

    def __init__(
        self,
        connection: str,
        base_url: str,
        api_key: str,
        *,
        concurrency: int = CONCURRENCY,
        batch: int = BATCH,
        policy: RetryPolicy | None = None,
    ) -> None:
        self.policy = policy or WRITE_POLICY
        self.client: DolibarrClient = DolibarrClient(
            base_url, api_key, connection=connection, policy=self.policy, pool_size=concurrency
        )
        self.connection, self.concurrency = connection, concurrency
        super().__init__(
            self.client,
            {
                "customers": self._per_record(self._write_customer),
                "orders": self._per_record(self._write_order),
            },
            batch,
        )

    def _per_record(self, write: Callable[[SyncRecord], RecordOutcome]) -> BatchWriter:
        """A batch writer writing each record on its own, `concurrency` at a time."""
        return lambda batch: parallel(batch, partial(guarded, write=write), self.concurrency)

    # ------------------------------------------------------------------------------------------ customers
    def _thirdparty(self, channel_key: str | None, email: str | None) -> tuple[str, str] | None:
        """An existing third party: by the channel key omnicanal stores in `ref_ext`, else by e-mail."""
        if channel_key:
            rows = self.client.find(
                "thirdparties", f"(t.ref_ext:=:{filter_value(channel_key, 'channel key')})"
            )
            if rows:
                return str(rows[0]["id"]), "ref_ext"
        if email:
            found = self.client.thirdparty_by_email(email)
            if found:
                return str(found["id"]), "email"
        return None

    def _write_customer(self, record: SyncRecord) -> RecordOutcome:
        """A new customer third party (automatic customer code), unless the ERP already has the person."""
        payload = record.payload
        existing = self._thirdparty(payload.get("channel_key"), payload.get("email"))
        if existing is not None:
            known_id, how = existing
            return outcome(
                record,
                "unchanged",
                f"{record.describe()}: already in the ERP as third party {known_id} (same {how})",
                record=known_id,
            )
        body = {
            "name": payload["name"],
            "client": "1",
            "code_client": "-1",
            "email": payload.get("email"),
            "phone": payload.get("phone"),
            "address": payload.get("address"),
            "zip": payload.get("zip"),
            "town": payload.get("town"),
            "ref_ext": payload["channel_key"],
        }

        def lookup() -> int | None:
            found = self._thirdparty(payload["channel_key"], None)
            return int(found[0]) if found else None

        thirdparty_id, _ = apply_once(
            lambda: self.client.create("thirdparties", {k: v for k, v in body.items() if v is not None}),
            lookup,
            policy=self.policy,
            checked=True,
        )
        stored = self.client.get_one(f"/thirdparties/{thirdparty_id}") or {}
        if stored.get("ref_ext") != payload["channel_key"]:
            return outcome(
                record,
                "failed",
                f"{record.describe()}: third party {thirdparty_id} created, but the re-read does not show it",
                record=str(thirdparty_id),
            )
        return outcome(record, "written", record=str(thirdparty_id))

    # ------------------------------------------------------------------------------------------ orders
    def _order_by_ref(self, ref_client: str) -> dict[str, Any] | None:
        rows = self.client.find("orders", f"(t.ref_client:=:{filter_value(ref_client, 'order reference')})")
        return rows[0] if rows else None

    def _write_order(self, record: SyncRecord) -> RecordOutcome:
        """Create the order (looked up by `ref_client` first), validate it; book and close it when the
        channel has shipped it already (the ERP will not ship it again)."""
        payload = record.payload
        ref_client = payload["ref_client"]
        order = self._order_by_ref(ref_client)
        if order is None:
            order_id, status = self._create_order(record), 0
        else:
            status = _status(order)
            if status < 0:
                return outcome(
                    record,
                    "conflict",
                    f"{record.describe()}: the ERP has this order as {order.get('ref')}, cancelled since extraction",
                    record=order.get("ref"),
                )
            if status >= VALIDATED and (not payload.get("shipped_by_channel") or status == CLOSED):
                return outcome(
                    record,
                    "unchanged",
                    f"{record.describe()}: already in the ERP as order {order.get('ref')}",
                    record=order.get("ref"),
                )
            order_id = int(order["id"])
        if status < VALIDATED:
            self._set_status(order_id, "validate", VALIDATED, {"idwarehouse": 0, "notrigger": 0})
        if payload.get("shipped_by_channel"):
            self._book_shipped(record, order_id)
        stored = self.client.get_one(f"/orders/{order_id}") or {}
        status = _status(stored)
        expected = CLOSED if payload.get("shipped_by_channel") else VALIDATED
        if stored.get("ref_client") != ref_client or status != expected:
            return outcome(
                record,
                "failed",
                f"{record.describe()}: order {order_id} written, but the re-read shows status {status}",
                record=stored.get("ref"),
            )
        return outcome(record, "written", record=stored.get("ref"))

    def _create_order(self, record: SyncRecord) -> int:
        payload = record.payload
        customer = payload.get("customer") or {}
        socid = customer.get("erp_thirdparty_id")
        if not socid:
            found = self._thirdparty(customer.get("channel_key"), customer.get("email"))
            if found is None:
                raise DestinationError(
                    f"customer {customer.get('channel_key')} is not in the ERP yet (its creation failed or was "
                    "held back); the order waits for the next run"
                )
            socid = found[0]
        lines = [
            {
                "fk_product": int(line["erp_product_id"]),
                "qty": line["quantity"],
                "subprice": line["unit_price_excl_tax"],
                "remise_percent": line["discount_percent"],
                "tva_tx": line["vat_rate_percent"],
                "product_type": 0,
            }
            for line in payload["lines"]
        ]
        shipping = payload.get("shipping") or {}
        if shipping.get("price_excl_tax"):
            lines.append(
                {
                    "label": SHIPPING_LABEL,
                    "desc": SHIPPING_LABEL,
                    "qty": 1,
                    "subprice": shipping["price_excl_tax"],
                    "tva_tx": shipping.get("vat_rate_percent") or 0,
                    "product_type": 1,
                }
            )
        body = {
            "socid": int(socid),
            "date": payload["ordered_at_unix"],
            "ref_client": payload["ref_client"],
            "warehouse_id": payload.get("warehouse_id"),
            "array_options": {
                "options_channel": payload.get("channel"),
                "options_fulfillment": payload.get("fulfillment"),
            },
            "lines": lines,
        }

        def lookup() -> int | None:
            found = self._order_by_ref(payload["ref_client"])
            return int(found["id"]) if found else None

        order_id, _ = apply_once(
            lambda: self.client.create("orders", body), lookup, policy=self.policy, checked=True
        )
        return order_id

    def _movement(self, code: str) -> int | None:
        """The stock movement carrying `code`, looked up before each attempt (a movement is not idempotent)."""
        rows = self.client.find(
            "stockmovements", f"(t.inventorycode:=:{filter_value(code, 'movement code')})"
        )
        return int(rows[0]["id"]) if rows else None

    def _set_status(self, order_id: int, action: str, status: int, body: dict[str, Any]) -> None:
        """Validate or close an order whose status is known to be below `status`, checking it again after an
        unknown outcome."""

        def reached() -> int | None:
            return status if _status(self.client.get_one(f"/orders/{order_id}") or {}) >= status else None

        apply_once(
            lambda: self.client.action(f"/orders/{order_id}/{action}", body),
            reached,
            policy=self.policy,
            checked=True,
        )

    def _book_shipped(self, record: SyncRecord, order_id: int) -> None:
        """Goods the channel shipped itself leave the ERP warehouse: one movement per line, then close."""
        payload = record.payload
        warehouse_id = payload.get("warehouse_id")
        if not warehouse_id:
            raise DestinationError(
                "the channel shipped this order, but no ERP warehouse is mapped to the channel"
            )
        for rank, line in enumerate(payload["lines"], start=1):
            code = movement_code(payload["ref_client"], rank)
            body = {
                "product_id": int(line["erp_product_id"]),
                "warehouse_id": int(warehouse_id),
                "qty": -abs(float(line["quantity"])),
                "type": 2,
                "movementcode": code,
                "label": f"{payload['ref_client']} shipped by {payload.get('channel_connection')} ({CALLER})",
                "origin_type": "commande",
                "origin_id": order_id,
            }
            apply_once(
                partial(self.client.create, "stockmovements", body),
                partial(self._movement, code),
                policy=self.policy,
            )
        self._set_status(order_id, "close", CLOSED, {"notrigger": 0})
