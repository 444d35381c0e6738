"""Dolibarr REST client: `sqlfilters` windows on `t.tms`, rowid keyset and range paging, the server clock."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import orjson

from sources._common.cursors import Window, widen_for_dst
from sources._common.errors import SourceError
from sources._common.http import HttpClient, RequestCounter, RetryPolicy
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


class DolibarrApi:
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
    ) -> None:
        self.connection = connection
        self._zone = ZoneInfo(timezone)
        self.concurrency = max(1, concurrency)
        self.http = HttpClient(
            connection=connection,
            base_url=base_url,
            headers={"DOLAPIKEY": api_key, "Accept": "application/json"},
            retry=retry,
            max_in_flight=self.concurrency,
            counter=counter,
        )

    # ---- one request ----

    def list(
        self, resource: str, params: Sequence[tuple[str, str]], *, where: str, path: str | None = None
    ) -> list[Row]:
        """One list request; `[]`, a 404 "No ... found" (third parties) and `{"data": [...]}` all read as rows."""
        body = self.http.get_json(
            path or PATHS[resource],
            [*params, *EXTRA_PARAMS.get(resource, ())],
            resource=resource,
            where=where,
            not_found_is_empty=_is_empty_list_404,
        )
        return rows_of(body, resource, self.connection, where)

    def get(self, resource: str, path: str, *, where: str) -> Any:
        """One object or sub-list (`products/12/variants`); a 404 "not found" reads as None."""
        return self.http.get_json(
            path, (), resource=resource, where=where, not_found_is_empty=_is_empty_list_404
        )

    def server_time(self) -> datetime:
        """`GET /status` → `timestamp_now_utc`: the watermark source (products and third parties carry none)."""
        body = self.http.get_json("status", (), resource="status", where="clock probe")
        try:
            return datetime.fromtimestamp(int(body["success"]["timestamp_now_utc"]), UTC)
        except (KeyError, TypeError, ValueError):
            raise SourceError(
                self.connection, "status", "clock probe", "no success.timestamp_now_utc in GET /status"
            ) from None

    # ---- filters ----

    def no_filter(self) -> Query:
        return Query()

    def window_filter(self, resource: str, window: Window, *, column: str = "t.tms") -> Query:
        """`(t.tms:>=:'a') and (t.tms:<=:'b')` in the server's wall-clock time (quoted SQL strings, not epochs)."""
        low, high = widen_for_dst(window, self._offset)
        return Query((f"({column}:>=:'{low:{_SQL_FORMAT}}')", f"({column}:<=:'{high:{_SQL_FORMAT}}')"))

    def _offset(self, instant: datetime) -> timedelta:
        return instant.astimezone(self._zone).utcoffset() or timedelta(0)

    # ---- paging ----

    def _params(
        self, fields: str, query: Query, *, page_size: int, order: str = "ASC"
    ) -> list[tuple[str, str]]:
        params = [("sortfield", "t.rowid"), ("sortorder", order), ("limit", str(page_size)), ("page", "0")]
        if query.clauses:
            params.append(("sqlfilters", query.sqlfilters()))
        params.append(("properties", fields))
        return params

    def id_bounds(self, resource: str) -> tuple[int, int] | None:
        """The smallest and largest rowid of a resource (None when it is empty)."""
        low = self.list(resource, self._params("id", Query(), page_size=1), where="lowest id")
        if not low:
            return None
        high = self.list(resource, self._params("id", Query(), page_size=1, order="DESC"), where="highest id")
        return _id(low[0], resource, self.connection, "lowest id"), _id(
            high[0], resource, self.connection, "highest id"
        )

    def keyset_pages(
        self, resource: str, fields: str, filters: Query, *, page_size: int, where: str = "", after: int = 0
    ) -> Iterator[list[Row]]:
        """All rows matching `filters`, by ascending rowid (`(t.rowid:>:last)`, page 0 each time).

        Keyset paging is immune to rows changing during the read; it ends on the first short page.
        """
        last = after
        page = 1
        while True:
            label = f"{where}page {page} (rowid > {last})"
            query = filters.plus(f"(t.rowid:>:{last})")
            rows = self.list(resource, self._params(fields, query, page_size=page_size), where=label)
            ids = [_id(row, resource, self.connection, label) for row in rows]
            if ids and (ids[0] <= last or any(b <= a for a, b in zip(ids, ids[1:], strict=False))):
                raise SourceError(
                    self.connection,
                    resource,
                    label,
                    "rowids are not strictly ascending above the page's bound",
                )
            if len(rows) > page_size:
                raise SourceError(self.connection, resource, label, f"{len(rows)} rows for limit {page_size}")
            yield rows
            if len(rows) < page_size:
                return
            last = ids[-1]
            page += 1

    def range_pages(
        self, resource: str, fields: str, filters: Query, *, page_size: int, bounds: tuple[int, int] | None
    ) -> Iterator[list[Row]]:
        """All rows matching `filters`, by rowid ranges of `page_size` ids, a few requests in flight."""
        if bounds is None:
            return
        low, high = bounds
        spans = [(a, min(a + page_size - 1, high)) for a in range(low, high + 1, page_size)]

        def fetch(span: tuple[int, int]) -> list[Row]:
            a, b = span
            label = f"rowids {a}..{b}"
            query = filters.plus(f"(t.rowid:>=:{a})", f"(t.rowid:<=:{b})")
            rows = self.list(resource, self._params(fields, query, page_size=page_size), where=label)
            for row in rows:
                row_id = _id(row, resource, self.connection, label)
                if not a <= row_id <= b:
                    raise SourceError(
                        self.connection, resource, label, f"rowid {row_id} is outside the range asked"
                    )
            return rows

        yield from ordered_map(fetch, spans, workers=self.concurrency)

    def in_pages(self, resource: str, fields: str, ids: Sequence[int], *, chunk: int) -> Iterator[list[Row]]:
        """The rows of the given rowids, `(t.rowid:in:1,2,3)` a chunk at a time."""
        ordered = sorted(set(ids))
        chunks = [ordered[i : i + chunk] for i in range(0, len(ordered), chunk)]

        def fetch(group: list[int]) -> list[Row]:
            query = Query((f"(t.rowid:in:{','.join(map(str, group))})",))
            return self.list(
                resource,
                self._params(fields, query, page_size=len(group)),
                where=f"rowids {group[0]}..{group[-1]}",
            )

        yield from ordered_map(fetch, chunks, workers=self.concurrency)

    def highest_id(self, resource: str) -> int:
        bounds = self.list(
            resource, self._params("id", Query(), page_size=1, order="DESC"), where="highest id"
        )
        return _id(bounds[0], resource, self.connection, "highest id") if bounds else 0


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

    The answer maps product ids to their price lists (`{"12": [...]}`), or lists the prices. A server
    without that route (a 404 on the first page) is read product by product instead
    (`GET /products/{id}/purchase_prices`, a few requests in flight): slower, same rows.
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
        yield [price for _, prices in by_product for price in prices]
        if len(by_product) < page_size:
            return
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
