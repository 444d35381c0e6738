"""The Dolibarr source: products, stock, parties, sales and purchase documents, shipments and FX rates of one ERP."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime

import dlt
import pyarrow as pa
from dlt.extract.resource import DltResource

from sources._common.batches import typed
from sources._common.columns import Conversion, TableSpec
from sources._common.cursors import IdCursor, RunClock, Window, as_utc, run_cursor, unpin
from sources._common.families import document_family, table_resource
from sources._common.http import RequestCounter, RetryPolicy
from sources._common.paging import Trim
from sources._common.parallel import ordered_map
from sources._common.reader import Reader, keep_fields
from sources.dolibarr.helpers import DolibarrApi, Query, Row, purchase_price_pages, stock_rows, with_status
from sources.dolibarr.settings import (
    CONCURRENCY,
    CONTACTS,
    DEFAULT_START,
    DOCUMENT_PAGE_SIZES,
    IDS_PER_FILTER,
    INVOICE_LINES,
    INVOICES,
    MONEY_SCALE,
    MULTICURRENCIES,
    MULTICURRENCY_RATES,
    ORDER_LINES,
    ORDERS,
    OVERLAP_MINUTES,
    PAGE_SIZE,
    PRODUCT_STOCKS,
    PRODUCT_VARIANTS,
    PRODUCTS,
    RECEPTION_LINES,
    RECEPTIONS,
    SHIPMENTS,
    STOCK_MOVEMENTS,
    SUPPLIER_INVOICE_LINES,
    SUPPLIER_INVOICES,
    SUPPLIER_ORDER_LINES,
    SUPPLIER_ORDERS,
    SUPPLIER_PRICES,
    SWEEP_EVERY_HOURS,
    THIRDPARTIES,
    WAREHOUSES,
    properties,
)


@dlt.source(name="dolibarr", max_table_nesting=0)
def dolibarr_source(
    base_url: str,
    api_key: str,
    connection: str = "dolibarr",
    timezone: str = "UTC",
    page_size: int = PAGE_SIZE,
    sweep_page_size: int = PAGE_SIZE,
    concurrency: int = CONCURRENCY,
    full: bool = False,
    sweep: bool = False,
    sweep_every_hours: float | None = SWEEP_EVERY_HOURS,
    initial_value: datetime = DEFAULT_START,
    window: tuple[datetime, datetime] | None = None,
    overlap_minutes: float = OVERLAP_MINUTES,
    request_timeout: float = 60.0,
    max_attempts: int = 6,
    backoff_seconds: float = 1.0,
    date_only_filters: bool | None = None,
    request_counter: RequestCounter | None = None,
) -> Sequence[DltResource]:
    """The tables of one Dolibarr ERP (REST API, `DOLAPIKEY`).

    Args:
        base_url: the API root, e.g. `https://erp.example.com/api/index.php`.
        api_key: the API key of the Dolibarr user (sent in the `DOLAPIKEY` header, never in a URL).
        connection: the connection name, used in error messages.
        timezone: the database server's zone (`t.tms` values and SQL date strings are in it).
        page_size: rows per page (Dolibarr loads each listed object in full: keep 100).
        sweep_page_size: rows per page for sweeps.
        concurrency: requests in flight at most (2-4).
        full: ignore the saved watermarks: re-read everything since `initial_value`, and sweep.
        sweep: run the sweeps now (stock per warehouse, variants, supplier prices, deletions).
        sweep_every_hours: run the sweeps anyway when the last one is older (None: only when asked).
        initial_value: where the first (or a full) read starts.
        window: a backfill `(start, end)`: re-read this window only; no watermark moves, no sweep.
        overlap_minutes: how far before the saved watermark each incremental read starts again.
        request_timeout: seconds per attempt.
        max_attempts: attempts per request on 429, 5xx, timeouts and broken bodies.
        backoff_seconds: base of the exponential backoff between attempts.
        date_only_filters: filter `t.tms` on whole days (servers before 20 reject a colon in a value);
            None decides from the version `GET /status` reports.
        request_counter: counts the HTTP requests made (for the run summary).

    Returns:
        The resources, one per raw table.
    """
    api = DolibarrApi(
        connection=connection,
        base_url=base_url,
        api_key=api_key,
        timezone=timezone,
        retry=RetryPolicy(
            max_attempts=max_attempts, backoff_seconds=backoff_seconds, timeout_seconds=request_timeout
        ),
        concurrency=concurrency,
        counter=request_counter,
        date_only_filters=date_only_filters,
    )
    conv = Conversion(timezone=timezone, money_scale=MONEY_SCALE)
    clock = RunClock(api.server_time)
    reader = Reader.for_run(
        api,
        clock=clock,
        conversion_of=lambda: conv,
        page_size=page_size,
        sweep_page_size=sweep_page_size,
        full=full,
        sweep=sweep,
        sweep_every_hours=sweep_every_hours,
        backfill=window is not None,
    )

    def watermark() -> dlt.sources.incremental[datetime]:
        # the server clock at the start of the previous run; rows carry no usable `tms` (products, parties)
        return run_cursor("tms", initial_value=initial_value, overlap_minutes=overlap_minutes, window=window)

    def entity(spec: TableSpec) -> DltResource:
        fields = properties(spec.column_names, "statut")
        saved = watermark()  # dlt injects the stored state into the default incremental

        def read(updated: dlt.sources.incremental[datetime] = saved) -> Iterator[pa.Table]:
            yield from reader.entity(spec, fields, updated, prepare=_shaped(spec))

        return table_resource(spec, read, conv)

    def documents(spec: TableSpec, lines: TableSpec) -> list[DltResource]:
        parent_key = lines.merge_key[0]
        fields = properties(spec.column_names, "statut", "lines")
        shape = _shaped(spec, lines)

        def heads(batch: list[Row]) -> Iterator[pa.Table]:
            yield typed(spec, batch, conv, connection)

        def lines_of(batch: list[Row]) -> Iterator[pa.Table]:
            rows: list[Row] = []
            for document in batch:
                items = document.get("lines") or ()
                for line in items:  # the trimmed lines are this source's own: completed in place
                    line["id"] = line.get("id") or line.get("rowid")
                    line[parent_key] = document["id"]
                rows.extend(items)
            if rows:
                yield typed(lines, rows, conv, connection)

        return document_family(
            f"{spec.name}_pages",
            lambda window: reader.changed_pages(
                spec.name, fields, window, trim=shape, page_size=DOCUMENT_PAGE_SIZES.get(spec.name)
            ),
            reader.open,
            watermark(),
            [(spec, heads), (lines, lines_of)],
            hints=conv,
            deletions=lambda name: reader.deletion_sweep(spec, resource=name),
            lines_of=lambda document: len(document.get("lines") or ()),
        )

    def whole(spec: TableSpec) -> DltResource:
        fields = properties(spec.column_names, "statut")

        def read() -> Iterator[pa.Table]:
            if window is None:
                yield from reader.whole(spec, fields, ranges=False, prepare=_shaped(spec))
            else:
                yield spec.empty(conv)

        return table_resource(spec, read, conv)

    movements_saved = dlt.sources.incremental("id", initial_value=0)

    def stock_movements(moved: dlt.sources.incremental[int] = movements_saved) -> Iterator[pa.Table]:
        """Append-only movements by ascending rowid (a backfill reads its window on `t.datem` instead)."""
        fields = properties(STOCK_MOVEMENTS.column_names)
        if window is not None:
            unpin(moved)
            query = api.window_filter(
                "stock_movements", Window(as_utc(window[0]), as_utc(window[1])), column="t.datem"
            )
            yield from reader.batches(
                STOCK_MOVEMENTS, api.keyset_pages("stock_movements", fields, query, page_size=page_size)
            )
            return
        cursor = IdCursor(moved, full=full)
        if cursor.start <= 0:
            # a first or full read: rowid ranges, a few in flight; later movements are the next run's
            bounds = api.id_bounds("stock_movements")
            if bounds:
                cursor.seen(bounds[1])
            pages = api.range_pages("stock_movements", fields, Query(), page_size=page_size, bounds=bounds)
            yield from reader.batches(STOCK_MOVEMENTS, pages)
            return

        def newer() -> Iterator[list[Row]]:
            for page in api.keyset_pages(
                "stock_movements", fields, Query(), page_size=page_size, after=cursor.start
            ):
                if page:
                    cursor.seen(max(int(row["id"]) for row in page))
                yield page

        yield from reader.batches(STOCK_MOVEMENTS, newer())

    stocks_saved = dlt.sources.incremental("id", initial_value=0)

    def product_stocks(moved: dlt.sources.incremental[int] = stocks_saved) -> Iterator[pa.Table]:
        """Stock per product and warehouse: a full sweep when due, else the products that moved since."""
        cursor = IdCursor(moved, full=full)
        fields = properties(["id", "stock_warehouse"])

        def sweep() -> Iterator[pa.Table]:
            # movements from here on are caught by the next run, so the sweep may take its time
            cursor.seen(api.highest_id("stock_movements"))
            bounds = api.id_bounds("product_stocks")
            pages = api.range_pages(
                "product_stocks", fields, Query(), page_size=sweep_page_size, bounds=bounds
            )
            return reader.complete(PRODUCT_STOCKS, map(stock_rows, pages))

        if window is not None or reader.sweep_is_due("product_stocks"):
            yield from reader.on_sweep(PRODUCT_STOCKS, sweep, backfill=window is not None)
            return
        moved_products: set[int] = set()
        movements = api.keyset_pages(
            "stock_movements", "id,product_id", Query(), page_size=page_size, after=cursor.start
        )
        for page in movements:
            moved_products.update(int(row["product_id"]) for row in page if row.get("product_id"))
            if page:
                cursor.seen(max(int(row["id"]) for row in page))
        pages = api.in_pages("product_stocks", fields, sorted(moved_products), chunk=IDS_PER_FILTER)
        yield from reader.batches(PRODUCT_STOCKS, map(stock_rows, pages))

    def product_variants() -> Iterator[pa.Table]:
        """Variant links (parent, child, price impact) of every parent product, on sweeps."""

        def sweep() -> Iterator[pa.Table]:
            pages = api.keyset_pages("product_variants", "id", Query(), page_size=sweep_page_size)
            parents = [int(row["id"]) for page in pages for row in page]
            return reader.complete(
                PRODUCT_VARIANTS, ordered_map(variants_of, parents, workers=api.concurrency)
            )

        def variants_of(parent: int) -> list[Row]:
            found = api.get(
                "product_variants", f"products/{parent}/variants", where=f"parent product {parent}"
            )
            return [{**v, "fk_product_parent": v.get("fk_product_parent") or parent} for v in found or ()]

        yield from reader.on_sweep(PRODUCT_VARIANTS, sweep, backfill=window is not None)

    def supplier_prices() -> Iterator[pa.Table]:
        """Every supplier price (`/products/purchase_prices`, paged by product rowid), on sweeps."""
        yield from reader.on_sweep(
            SUPPLIER_PRICES,
            lambda: reader.complete(SUPPLIER_PRICES, purchase_price_pages(api, sweep_page_size)),
            backfill=window is not None,
        )

    def currencies() -> list[Row]:
        pages = api.keyset_pages("multicurrencies", "id,code,name", Query(), page_size=page_size)
        return [row for page in pages for row in page]

    def multicurrencies() -> Iterator[pa.Table]:
        """The currencies of the multicurrency module, read whole every run."""
        if window is None:
            yield from reader.complete(MULTICURRENCIES, [currencies()])
        else:
            yield MULTICURRENCIES.empty(conv)

    def multicurrency_rates() -> Iterator[pa.Table]:
        """Dated FX rates of every currency (units per 1 of the company currency), read whole every run."""
        if window is not None:
            yield MULTICURRENCY_RATES.empty(conv)
            return

        def rates_of(currency: Row) -> list[Row]:
            found = api.get(
                "multicurrency_rates",
                f"multicurrencies/{currency['id']}/rates",
                where=f"rates of currency {currency.get('code')}",
            )
            return [
                {**r, "fk_multicurrency": currency["id"], "code": currency.get("code")} for r in found or ()
            ]

        yield from reader.complete(
            MULTICURRENCY_RATES, ordered_map(rates_of, currencies(), workers=api.concurrency)
        )

    return [
        entity(PRODUCTS),
        table_resource(PRODUCT_STOCKS, product_stocks, conv),
        table_resource(PRODUCT_VARIANTS, product_variants, conv),
        table_resource(SUPPLIER_PRICES, supplier_prices, conv),
        table_resource(STOCK_MOVEMENTS, stock_movements, conv),
        whole(WAREHOUSES),
        entity(THIRDPARTIES),
        entity(CONTACTS),
        *documents(ORDERS, ORDER_LINES),
        *documents(INVOICES, INVOICE_LINES),
        *documents(SUPPLIER_ORDERS, SUPPLIER_ORDER_LINES),
        *documents(RECEPTIONS, RECEPTION_LINES),
        *documents(SUPPLIER_INVOICES, SUPPLIER_INVOICE_LINES),
        entity(SHIPMENTS),
        table_resource(MULTICURRENCIES, multicurrencies, conv),
        table_resource(MULTICURRENCY_RATES, multicurrency_rates, conv),
    ]


def _shaped(spec: TableSpec, lines: TableSpec | None = None) -> Trim:
    """Trim a page to the stored fields (objects carry ~160 keys, lines ~100), `status` filled from `statut`."""
    nested = {"lines": [*lines.column_names, "rowid"]} if lines else None
    slim = keep_fields([*spec.column_names, "statut", *(["lines"] if lines else [])], nested)
    return lambda page: [with_status(row) for row in slim(page)]
