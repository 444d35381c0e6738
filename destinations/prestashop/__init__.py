"""Write the reconciled referentials to a PrestaShop shop: stock, prices, products, order status and tracking.

Every write is a read-modify-write with a freshness check: the record is re-read first and compared with the
value seen at extraction (and its `date_upd` where the resource has one); a record changed since is skipped
as a *conflict*, never overwritten. Reads go in batches of `READ_BATCH` ids; writes go one object per call
(the webservice writes one object per request), `CONCURRENCY` at a time; each written record is re-read.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from destinations._common.base import Destination
from destinations._common.http import WRITE_POLICY, RetryPolicy
from destinations._common.records import DestinationError, RecordOutcome, SyncRecord
from destinations._common.safety import (
    apply_once,
    as_decimal,
    failed,
    guarded,
    local_to_utc,
    outcome,
    parallel,
    same_instant,
    same_value,
)
from destinations.prestashop.helpers import PrestaShopClient, element, require, text_of
from destinations.prestashop.settings import CONCURRENCY, DEFAULT_CATEGORY_ID, READ_BATCH

__all__ = ["PrestaShopDestination"]

_SIX = Decimal("0.000001")


def _money(value: Decimal) -> str:
    return str(value.quantize(_SIX))


class PrestaShopDestination(Destination):
    """One PrestaShop connection as a push target.

    Args:
        connection: the connection name.
        base_url: the webservice root (`https://shop/api`).
        api_key: the webservice key.
        timezone: the shop's wall-clock zone (its `date_upd` values are local times).
        concurrency: writes in flight.
        read_batch: ids per batch read.
        policy: retry policy of idempotent calls (and attempts of `apply_once`).
    """

    def __init__(
        self,
        connection: str,
        base_url: str,
        api_key: str,
        *,
        timezone: str = "UTC",
        concurrency: int = CONCURRENCY,
        read_batch: int = READ_BATCH,
        policy: RetryPolicy | None = None,
    ) -> None:
        self.client: PrestaShopClient = PrestaShopClient(
            base_url, api_key, connection=connection, policy=policy or WRITE_POLICY, pool_size=concurrency
        )
        self.connection, self.timezone, self.concurrency = connection, timezone, concurrency
        super().__init__(
            self.client,
            {
                "stock": self._write_stock,
                "prices": self._write_prices,
                "products": self._write_products,
                "order_status": self._write_order_status,
            },
            read_batch,
        )

    # ------------------------------------------------------------------------------------------ stock
    def _write_stock(self, batch: Sequence[SyncRecord]) -> list[RecordOutcome]:
        """`stock_availables.quantity`: absolute quantities, checked against the quantity seen at extraction."""
        current = self.client.by_ids("stock_availables", [r.target_id for r in batch])
        results: dict[int, RecordOutcome] = {}
        to_write: list[tuple[int, SyncRecord, dict[str, Any]]] = []
        for index, record in enumerate(batch):
            change = record.changes[0]
            row = current.get(str(record.target_id))
            if row is None:
                results[index] = failed(
                    record,
                    DestinationError(f"stock_availables {record.target_id} no longer exists"),
                    "quantity",
                )
            elif same_value(row.get("quantity"), change.desired, numeric=True):
                results[index] = outcome(record, "unchanged", quantity=str(row.get("quantity", 0)))
            elif not same_value(row.get("quantity"), change.before, numeric=True):
                results[index] = self._conflict(record, "quantity", row.get("quantity"), change.before)
            else:
                to_write.append((index, record, row))

        def write(item: tuple[int, SyncRecord, dict[str, Any]]) -> tuple[int, Exception | None]:
            index, record, row = item
            desired = record.changes[0].desired
            try:
                self.client.set_fields(
                    "stock_availables",
                    str(record.target_id),
                    {"quantity": desired},
                    document=element("stock_available", {**row, "quantity": desired}),
                )
            except Exception as exc:  # noqa: BLE001 - this record failed; the others go on
                return index, exc
            return index, None

        self._reread(
            to_write, parallel(to_write, write, self.concurrency), results, "stock_availables", "quantity"
        )
        return [results[i] for i in range(len(batch))]

    def _reread(
        self,
        written: list[tuple[int, SyncRecord, dict[str, Any]]],
        attempts: list[tuple[int, Exception | None]],
        results: dict[int, RecordOutcome],
        resource: str,
        field: str,
    ) -> None:
        """Re-read the written objects in one call and settle each record's outcome from what is stored."""
        errors = dict(attempts)
        done = [(i, r) for i, r, _ in written if errors.get(i) is None]
        for index, record, _ in written:
            if errors.get(index) is not None:
                results[index] = failed(record, errors[index], field)  # type: ignore[arg-type]
        if not done:
            return
        try:
            stored = self.client.by_ids(resource, [r.target_id for _, r in done], f"[id,{field}]")
        except DestinationError as exc:
            for index, record in done:
                results[index] = failed(
                    record, DestinationError(f"written, but the re-read failed: {exc}"), field
                )
            return
        for index, record in done:
            value = (stored.get(str(record.target_id)) or {}).get(field)
            results[index] = self._settled(record, field, value, numeric=field != "tracking_number")

    def _settled(self, record: SyncRecord, field: str, value: Any, *, numeric: bool) -> RecordOutcome:
        """The outcome of a written field from the value re-read after the write."""
        return self._verdict(
            record, {field: None if value is None else str(value)}, {field} if numeric else set()
        )

    def _verdict(self, record: SyncRecord, after: dict[str, str | None], numeric: set[str]) -> RecordOutcome:
        """`written` when every field re-read shows its desired value, else `failed` saying which shows what."""
        wrong = [
            f"{c.field} {after[c.field]!r} instead of {c.desired!r}"
            for c in record.changes
            if c.field in after and not same_value(after[c.field], c.desired, numeric=c.field in numeric)
        ]
        if wrong:
            return outcome(
                record,
                "failed",
                f"{record.describe()}: written, but the shop now shows {', '.join(wrong)}",
                **after,
            )
        return outcome(record, "written", **after)

    def _conflict(self, record: SyncRecord, field: str, now: Any, before: str | None) -> RecordOutcome:
        return outcome(
            record,
            "conflict",
            f"{record.describe()}, field {field}: the shop shows {now!r}, {before!r} was seen at extraction; "
            "changed since, not overwritten",
            **{field: None if now is None else str(now)},
        )

    def _stale(self, record: SyncRecord, updated_local: str | None) -> bool:
        """Whether the object's `date_upd` moved since extraction (an edit in the shop meanwhile)."""
        if record.seen_updated_at is None:
            return False
        return not same_instant(record.seen_updated_at, local_to_utc(updated_local, self.timezone))

    # ------------------------------------------------------------------------------------------ prices
    def _write_prices(self, batch: Sequence[SyncRecord]) -> list[RecordOutcome]:
        """Base price of simple products; the price *impact* of combinations (final price − product price)."""
        parents = self.client.by_ids(
            "products",
            [r.payload["product_id"] for r in batch if r.payload.get("resource") == "combinations"],
            "[id,price]",
        )

        def write(record: SyncRecord) -> RecordOutcome:
            if record.payload.get("resource") == "combinations":
                return self._write_combination_price(record, parents)
            return self._write_product_price(record)

        return parallel(batch, lambda r: guarded(r, write, "price"), self.concurrency)

    def _write_product_price(self, record: SyncRecord) -> RecordOutcome:
        change = record.changes[0]
        document = self.client.get_xml("products", str(record.target_id))
        price = text_of(document, "price")
        if same_value(price, change.desired, numeric=True):
            return outcome(record, "unchanged", price=price)
        if not same_value(price, change.before, numeric=True) or self._stale(
            record, text_of(document, "date_upd")
        ):
            return self._conflict(record, "price", price, change.before)
        self.client.set_fields("products", str(record.target_id), {"price": change.desired}, document)
        stored = self.client.by_ids("products", [record.target_id], "[id,price]")
        return self._settled(
            record, "price", (stored.get(str(record.target_id)) or {}).get("price"), numeric=True
        )

    def _write_combination_price(
        self, record: SyncRecord, parents: dict[str, dict[str, Any]]
    ) -> RecordOutcome:
        change = record.changes[0]
        product_id = str(record.payload["product_id"])
        base = as_decimal(
            require(parents.get(product_id), "products", product_id, self.connection).get("price")
        )
        document = self.client.get_xml("combinations", str(record.target_id))
        final = (base or Decimal(0)) + (as_decimal(text_of(document, "price")) or Decimal(0))
        if same_value(final, change.desired, numeric=True):
            return outcome(record, "unchanged", price=_money(final))
        if not same_value(final, change.before, numeric=True):
            return self._conflict(record, "price", _money(final), change.before)
        impact = (as_decimal(change.desired) or Decimal(0)) - (base or Decimal(0))
        self.client.set_fields("combinations", str(record.target_id), {"price": _money(impact)}, document)
        stored = self.client.by_ids("combinations", [record.target_id], "[id,price]")
        product = self.client.by_ids("products", [product_id], "[id,price]")
        final = (as_decimal((product.get(product_id) or {}).get("price")) or Decimal(0)) + (
            as_decimal((stored.get(str(record.target_id)) or {}).get("price")) or Decimal(0)
        )
        return self._settled(record, "price", _money(final), numeric=True)

    # ------------------------------------------------------------------------------------------ products
    def _write_products(self, batch: Sequence[SyncRecord]) -> list[RecordOutcome]:
        """Create the ERP products the shop lacks; correct the ERP-owned `reference` and `ean13` fields."""

        def write(record: SyncRecord) -> RecordOutcome:
            if record.changes[0].field == "record":
                return self._create_product(record)
            return self._write_product_fields(record)

        return parallel(batch, lambda r: guarded(r, write, r.changes[0].field), self.concurrency)

    def _find_product(self, sku: str) -> str | None:
        rows = self.client.list("products", {"reference": f"[{sku}]"}, "[id,reference]")
        exact = [str(row["id"]) for row in rows if str(row.get("reference", "")) == sku]
        return min(exact, key=int) if exact else None

    def _create_product(self, record: SyncRecord) -> RecordOutcome:
        """A new product, inactive until the merchant adds its online content (the channel owns that)."""
        payload = record.payload
        languages = [str(i) for i in payload.get("language_ids") or [1]]
        product = element(
            "product",
            {
                "id_category_default": payload.get("category_id") or DEFAULT_CATEGORY_ID,
                "id_tax_rules_group": payload.get("tax_rules_group_id") or 0,
                "reference": payload["sku"],
                "ean13": payload.get("ean13") or "",
                "price": payload["price"],
                "weight": payload.get("weight_kg") or 0,
                "state": 1,
                "product_type": "standard",
                "active": 0,
                "minimal_quantity": 1,
            },
        )
        for name, value in (("name", payload["name"]), ("link_rewrite", payload["link_rewrite"])):
            node = element(name, {})
            for language in languages:
                child = element("language", {})
                child.set("id", language)
                child.text = value
                node.append(child)
            product.append(node)
        associations = element("associations", {})
        categories = element("categories", {})
        categories.append(element("category", {"id": payload.get("category_id") or DEFAULT_CATEGORY_ID}))
        associations.append(categories)
        product.append(associations)

        def create() -> str:
            return text_of(self.client.post("products", product), "id") or ""

        product_id, created = apply_once(
            create, lambda: self._find_product(payload["sku"]), policy=self.client.policy
        )
        return outcome(
            record,
            "written" if created else "unchanged",
            None if created else f"{record.describe()}: already in the shop as product {product_id}",
            record=product_id,
        )

    def _write_product_fields(self, record: SyncRecord) -> RecordOutcome:
        resource = record.payload.get("resource", "products")
        document = self.client.get_xml(resource, str(record.target_id))
        pending: dict[str, str | None] = {}
        for change in record.changes:
            now = text_of(document, change.field)
            if same_value(now, change.desired, numeric=False):
                continue
            if not same_value(now, change.before, numeric=False):
                return self._conflict(record, change.field, now, change.before)
            pending[change.field] = change.desired
        if resource == "products" and pending and self._stale(record, text_of(document, "date_upd")):
            return self._conflict(
                record, "date_upd", text_of(document, "date_upd"), "its value at extraction"
            )
        if not pending:
            return outcome(record, "unchanged", **{c.field: c.desired for c in record.changes})
        self.client.set_fields(resource, str(record.target_id), pending, document)
        stored = (
            self.client.by_ids(resource, [record.target_id], "[id," + ",".join(pending) + "]").get(
                str(record.target_id)
            )
            or {}
        )
        return self._verdict(
            record, {f: None if stored.get(f) is None else str(stored.get(f)) for f in pending}, set()
        )

    # ------------------------------------------------------------------------------------------ orders
    def _write_order_status(self, batch: Sequence[SyncRecord]) -> list[RecordOutcome]:
        """Tracking number on the order carrier (PUT/PATCH), then the state through `order_histories`."""
        orders = self.client.by_ids("orders", [r.target_id for r in batch], "[id,current_state,date_upd]")
        carrier_ids = [r.payload["order_carrier_id"] for r in batch if r.payload.get("order_carrier_id")]
        carriers = self.client.by_ids("order_carriers", carrier_ids)

        return parallel(
            batch,
            lambda r: guarded(r, lambda rec: self._write_one_order(rec, orders, carriers)),
            self.concurrency,
        )

    def _write_one_order(
        self, record: SyncRecord, orders: dict[str, dict[str, Any]], carriers: dict[str, dict[str, Any]]
    ) -> RecordOutcome:
        order_id = str(record.target_id)
        order = require(orders.get(order_id), "orders", order_id, self.connection)
        carrier_id = str(record.payload.get("order_carrier_id") or "")
        now = {
            "current_state": order.get("current_state"),
            "tracking_number": (carriers.get(carrier_id) or {}).get("tracking_number"),
        }
        pending = []
        for change in record.changes:
            numeric = change.field == "current_state"
            if same_value(now[change.field], change.desired, numeric=numeric):
                continue
            if not same_value(now[change.field], change.before, numeric=numeric):
                return self._conflict(record, change.field, now[change.field], change.before)
            pending.append(change)
        if pending and self._stale(record, order.get("date_upd")):
            return self._conflict(record, "date_upd", order.get("date_upd"), "its value at extraction")
        if not pending:
            return outcome(record, "unchanged", **{k: None if v is None else str(v) for k, v in now.items()})
        for change in pending:
            if change.field == "tracking_number":
                row = require(carriers.get(carrier_id), "order_carriers", carrier_id, self.connection)
                self.client.set_fields(
                    "order_carriers",
                    carrier_id,
                    {"tracking_number": change.desired},
                    document=element("order_carrier", {k: v for k, v in row.items() if k != "associations"}),
                )
            else:
                self._set_order_state(order_id, str(change.desired))
        stored_order = self.client.by_ids("orders", [order_id], "[id,current_state]").get(order_id) or {}
        stored_carrier = (
            self.client.by_ids("order_carriers", [carrier_id], "[id,tracking_number]").get(carrier_id) or {}
            if carrier_id
            else {}
        )
        after = {
            "current_state": None
            if stored_order.get("current_state") is None
            else str(stored_order["current_state"]),
            "tracking_number": stored_carrier.get("tracking_number"),
        }
        return self._verdict(record, after, {"current_state"})

    def _set_order_state(self, order_id: str, state: str) -> None:
        """Add an order history (the server then updates the order): a create, so never repeated blindly."""

        def current() -> str | None:
            row = self.client.by_ids("orders", [order_id], "[id,current_state]").get(order_id) or {}
            return "done" if same_value(row.get("current_state"), state, numeric=True) else None

        def create() -> str:
            history = element("order_history", {"id_order": order_id, "id_order_state": state})
            return text_of(self.client.post("order_histories", history, [("sendemail", "1")]), "id") or ""

        apply_once(create, current, policy=self.client.policy, checked=True)
