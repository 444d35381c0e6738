"""Dolibarr REST client: `sqlfilters` windows on `t.tms`, rowid keyset and range paging, the server clock."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson

from sources._common.cursors import Window
from sources._common.errors import SourceError
from sources._common.http import RequestCounter, RetryPolicy
from sources._common.paging import IdPagedApi
from sources._common.parallel import ordered_map

Row = dict[str, Any]
_SQL_FORMAT = "%Y-%m-%d %H:%M:%S"

# Table name -> API path, and the parameters a table always needs.
PATHS = {
    "products": "products",
    "product_stocks": "products",
    "thirdparties": "thirdparties",
    "contacts": "contacts",
    "orders": "orders",
    "invoices": "invoices",
    "supplier_orders": "supplierorders",
    "receptions": "receptions",
    "supplier_invoices": "supplierinvoices",
    "shipments": "shipments",
    "stock_movements": "stockmovements",
    "warehouses": "warehouses",
    "multicurrencies": "multicurrencies",
    "product_variants": "products",
    "supplier_prices": "products/purchase_prices",
}
EXTRA_PARAMS: dict[str, tuple[tuple[str, str], ...]] = {
    "product_stocks": (("includestockdata", "1"),),
    "product_variants": (("variant_filter", "2"),),  # the parents; their variants come per parent
}


@dataclass(frozen=True)
class Query:
    """`sqlfilters` clauses joined with `and` (SQL column names, quoted SQL date strings)."""

    clauses: tuple[str, ...] = ()

    def plus(self, *clauses: str) -> Query:
        return Query((*self.clauses, *clauses))

    def sqlfilters(self) -> str:
        return " and ".join(self.clauses)


class DolibarrApi(IdPagedApi[Query]):
    """Reads one Dolibarr (`https://erp/api/index.php`) with a `DOLAPIKEY` header, JSON out."""

    def __init__(
        self,
        *,
        connection: str,
        base_url: str,
        api_key: str,
        timezone: str,
        retry: RetryPolicy,
        concurrency: int,
        counter: RequestCounter | None = None,
        date_only_filters: bool | None = None,
    ) -> None:
        self._date_only = date_only_filters
        super().__init__(
            connection=connection,
            base_url=base_url,
            headers={"DOLAPIKEY": api_key, "Accept": "application/json"},
            timezone=timezone,
            retry=retry,
            concurrency=concurrency,
            counter=counter,
        )

    def list_rows(self, resource: str, params: Sequence[tuple[str, str]], *, where: str) -> list[Row]:
        """One list request; `[]`, a 404 "No ... found" (third parties) and `{"data": [...]}` all read as rows."""
        body = self.http.get_json(
            PATHS[resource],
            [*params, *EXTRA_PARAMS.get(resource, ())],
            resource=resource,
            where=where,
            not_found_is_empty=_is_empty_list_404,
        )
        return rows_of(body, resource, self.connection, where)

    def page(
        self,
        resource: str,
        fields: str,
        filters: Query,
        *,
        page_size: int,
        where: str,
        after: int | None = None,
        span: tuple[int, int] | None = None,
        descending: bool = False,
    ) -> list[Row]:
        if after is not None:
            filters = filters.plus(f"(t.rowid:>:{after})")
        elif span is not None:
            filters = filters.plus(f"(t.rowid:>=:{span[0]})", f"(t.rowid:<=:{span[1]})")
        params = [
            ("sortfield", "t.rowid"),
            ("sortorder", "DESC" if descending else "ASC"),
            ("limit", str(page_size)),
            ("page", "0"),
        ]
        if filters.clauses:
            params.append(("sqlfilters", filters.sqlfilters()))
        params.append(("properties", fields))
        return self.list_rows(resource, params, where=where)

    def get(self, resource: str, path: str, *, where: str) -> Any:
        """One object or sub-list (`products/12/variants`); a 404 "not found" reads as None."""
        return self.http.get_json(
            path, (), resource=resource, where=where, not_found_is_empty=_is_empty_list_404
        )

    def server_time(self) -> datetime:
        """`GET /status` → `timestamp_now_utc`: the watermark source (products and third parties carry none)."""
        body = self.http.get_json("status", (), resource="status", where="clock probe")
        try:
            now = datetime.fromtimestamp(int(body["success"]["timestamp_now_utc"]), UTC)
        except (KeyError, TypeError, ValueError):
            raise SourceError(
                self.connection, "status", "clock probe", "no success.timestamp_now_utc in GET /status"
            ) from None
        if self._date_only is None:
            # before Dolibarr 20 a colon inside a sqlfilters value is a syntax error (issue #29292)
            major = str(body["success"].get("dolibarr_version", "")).split(".")[0]
            self._date_only = major.isdigit() and int(major) < 20
        return now

    def no_filter(self) -> Query:
        return Query()

    def window_filter(self, resource: str, window: Window, *, column: str = "t.tms") -> Query:
        """`(t.tms:>=:'a') and (t.tms:<=:'b')` in the server's wall-clock time (quoted SQL strings, not epochs).

        Before Dolibarr 20 a value cannot hold a colon: the window is then widened to whole days,
        `(t.tms:>=:'2026-11-29') and (t.tms:<:'2026-11-30')` (rows read again are merged, never lost).
        """
        low, high = self.local_bounds(window)
        if self._date_only is None:
            self.server_time()  # tells the version
        if self._date_only:
            after = high.date() + timedelta(days=1)
            return Query((f"({column}:>=:'{low:%Y-%m-%d}')", f"({column}:<:'{after:%Y-%m-%d}')"))
        return Query((f"({column}:>=:'{low:{_SQL_FORMAT}}')", f"({column}:<=:'{high:{_SQL_FORMAT}}')"))

    def in_pages(self, resource: str, fields: str, ids: Sequence[int], *, chunk: int) -> Iterator[list[Row]]:
        """The rows of the given rowids, `(t.rowid:in:1,2,3)` a chunk at a time."""
        ordered = sorted(set(ids))
        chunks = [ordered[i : i + chunk] for i in range(0, len(ordered), chunk)]

        def fetch(group: list[int]) -> list[Row]:
            query = Query((f"(t.rowid:in:{','.join(map(str, group))})",))
            label = f"rowids {group[0]}..{group[-1]}"
            return self.page(resource, fields, query, page_size=len(group), where=label)

        yield from ordered_map(fetch, chunks, workers=self.concurrency)

    def highest_id(self, resource: str) -> int:
        top = self.page(resource, "id", Query(), page_size=1, where="highest id", descending=True)
        return self.row_id(top[0], resource, "highest id") if top else 0


def rows_of(body: Any, resource: str, connection: str, where: str) -> list[Row]:
    """The rows of a list answer: a bare list, `{"data": [...]}` (pagination_data), or None (404 = empty)."""
    if body is None:
        return []
    if isinstance(body, dict) and isinstance(body.get("data"), list):
        body = body["data"]
    if isinstance(body, list) and all(isinstance(r, dict) for r in body):
        return body
    shape = ", ".join(sorted(map(str, body))) if isinstance(body, dict) else type(body).__name__
    raise SourceError(connection, resource, where, f"unexpected answer shape ({shape})")


def _is_empty_list_404(body: bytes) -> bool:
    """Dolibarr's "Not Found: No third parties found" is an empty list; a bare "Not Found" is a wrong route."""
    try:
        message = str(orjson.loads(body)["error"]["message"])
    except (orjson.JSONDecodeError, KeyError, TypeError):
        return False
    detail = message.split(":", 1)[1].strip().lower() if ":" in message else ""
    return detail.startswith("no ") or "not found" in detail


def _id(row: Row, resource: str, connection: str, where: str) -> int:
    try:
        return int(row["id"])
    except (KeyError, TypeError, ValueError):
        raise SourceError(
            connection, resource, where, f"a row has no integer id ({row.get('id')!r})"
        ) from None


def with_status(row: Row) -> Row:
    """`status`, falling back to the legacy `statut` (both exist; older objects fill only one)."""
    if row.get("status") in (None, "") and "statut" in row:
        row["status"] = row["statut"]
    return row


def stock_rows(products: list[Row]) -> list[Row]:
    """One row per product and warehouse from `stock_warehouse` (`{"<warehouse id>": {"real": "12"}}`)."""
    rows: list[Row] = []
    for product in products:
        per_warehouse = product.get("stock_warehouse") or {}
        if isinstance(per_warehouse, list):  # PHP renders an empty array as []
            continue
        for warehouse_id, stock in per_warehouse.items():
            real = stock.get("real") if isinstance(stock, dict) else stock
            rows.append({"product_id": product["id"], "warehouse_id": warehouse_id, "real": real})
    return rows


def purchase_price_pages(api: DolibarrApi, page_size: int) -> Iterator[list[Row]]:
    """Every supplier price: `GET /products/purchase_prices` paged by product rowid keyset.

    The answer maps product ids to their price lists (`{"12": [...]}`), or lists the prices. The server
    joins products to their prices, so `limit` counts prices while a listed product carries all of its
    own: a page can hold fewer products than `limit` and still not be the last one. Only an answer
    without any product ends the listing. A server without that route (a 404 on the first page) is read
    product by product instead (`GET /products/{id}/purchase_prices`, a few requests in flight): slower,
    same rows.
    """
    last = 0
    page = 1
    while True:
        label = f"page {page} (product rowid > {last})"
        params = [
            ("sortfield", "t.rowid"),
            ("sortorder", "ASC"),
            ("limit", str(page_size)),
            ("page", "0"),
            ("sqlfilters", f"(t.rowid:>:{last})"),
        ]
        body = api.http.get_json(
            PATHS["supplier_prices"], params, resource="supplier_prices", where=label, not_found_is_empty=True
        )
        if body is None and page == 1:
            yield from _purchase_prices_per_product(api, page_size)
            return
        by_product = _prices_by_product(body, api.connection, label)
        if not by_product:
            return
        yield [price for _, prices in by_product for price in prices]
        last = max(pid for pid, _ in by_product)
        page += 1


def _prices_by_product(body: Any, connection: str, where: str) -> list[tuple[int, list[Row]]]:
    if body is None or body == []:
        return []
    if isinstance(body, dict):
        pairs = list(body.items())
    elif isinstance(body, list):
        pairs = [
            (p[0].get("fk_product") or p[0].get("id"), p) if isinstance(p, list) and p else (0, [])
            for p in body
        ]
    else:
        raise SourceError(connection, "supplier_prices", where, f"unexpected answer ({type(body).__name__})")
    return [
        (
            int(product_id),
            [
                {**price, "fk_product": price.get("fk_product") or product_id}
                for price in (prices if isinstance(prices, list) else [prices])
                if isinstance(price, dict)
            ],
        )
        for product_id, prices in pairs
    ]


def _purchase_prices_per_product(api: DolibarrApi, page_size: int) -> Iterator[list[Row]]:
    products = [
        int(row["id"])
        for page in api.keyset_pages("products", "id", Query(), page_size=page_size)
        for row in page
    ]

    def prices_of(product_id: int) -> list[Row]:
        found = api.get(
            "supplier_prices", f"products/{product_id}/purchase_prices", where=f"product {product_id}"
        )
        return [{**price, "fk_product": price.get("fk_product") or product_id} for price in found or ()]

    yield from ordered_map(prices_of, products, workers=api.concurrency)
