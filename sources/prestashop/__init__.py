"""The PrestaShop source: catalogue, stock, prices, customers and orders of one shop, over its webservice."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

import dlt
import pyarrow as pa
from dlt.extract.resource import DltResource

from sources._common.batches import typed
from sources._common.columns import Conversion, TableSpec
from sources._common.cursors import RunClock, run_cursor
from sources._common.families import document_family, table_resource
from sources._common.http import RequestCounter, RetryPolicy
from sources._common.reader import Reader
from sources.prestashop.helpers import PrestaShopApi, Row, order_children
from sources.prestashop.settings import (
    ADDRESSES,
    COMBINATIONS,
    CONCURRENCY,
    CURSOR_FIELDS,
    CUSTOMERS,
    DEFAULT_START,
    MONEY_SCALE,
    ORDER_CARRIERS,
    ORDER_HISTORIES,
    ORDER_ROWS,
    ORDERS,
    OVERLAP_MINUTES,
    PAGE_SIZE,
    PRODUCTS,
    REFERENCE_TABLES,
    SPECIFIC_PRICES,
    STOCK_AVAILABLES,
    SWEEP_EVERY_HOURS,
    SWEEP_PAGE_SIZE,
    display,
)


@dlt.source(name="prestashop", max_table_nesting=0)
def prestashop_source(
    base_url: str,
    api_key: str,
    connection: str = "prestashop",
    timezone: str = "UTC",
    page_size: int = PAGE_SIZE,
    sweep_page_size: int = SWEEP_PAGE_SIZE,
    concurrency: int = CONCURRENCY,
    full: bool = False,
    sweep: bool = False,
    sweep_every_hours: float | None = SWEEP_EVERY_HOURS,
    initial_value: datetime = DEFAULT_START,
    window: tuple[datetime, datetime] | None = None,
    overlap_minutes: float = OVERLAP_MINUTES,
    language_id: int | None = None,
    request_timeout: float = 60.0,
    max_attempts: int = 6,
    backoff_seconds: float = 1.0,
    request_counter: RequestCounter | None = None,
) -> Sequence[DltResource]:
    """The tables of one PrestaShop shop (webservice 1.7/8.x, JSON output).

    Args:
        base_url: the webservice root, e.g. `https://shop.example.com/api`.
        api_key: the 32-character webservice key (sent as the Basic-auth user, never in a URL).
        connection: the connection name, used in error messages.
        timezone: the shop's `PS_TIMEZONE`; its wall-clock times are converted to UTC.
        page_size: rows per page for entity reads (100-200 suits a real shop).
        sweep_page_size: rows per page for sweeps of few fields (ids, stock).
        concurrency: requests in flight at most (2-4).
        full: ignore the saved cursors: re-read every entity since `initial_value`, and sweep.
        sweep: run the sweeps now (stock, combinations, specific prices, deletions).
        sweep_every_hours: run the sweeps anyway when the last one is older (None: only when asked).
        initial_value: where the first (or a full) read starts.
        window: a backfill `(start, end)`: re-read this window only; no cursor moves, no sweep.
        overlap_minutes: how far before the saved cursor each incremental read starts again.
        language_id: the language of single-language answers (default: the shop's first active one).
        request_timeout: seconds per attempt.
        max_attempts: attempts per request on 429, 5xx, timeouts and broken bodies.
        backoff_seconds: base of the exponential backoff between attempts.
        request_counter: counts the HTTP requests made (for the run summary).

    Returns:
        The resources, one per raw table.
    """
    api = PrestaShopApi(
        connection=connection,
        base_url=base_url,
        api_key=api_key,
        timezone=timezone,
        retry=RetryPolicy(
            max_attempts=max_attempts, backoff_seconds=backoff_seconds, timeout_seconds=request_timeout
        ),
        concurrency=concurrency,
        counter=request_counter,
    )
    languages: list[Row] = []

    def read_clock() -> datetime:
        now, rows = api.server_time()
        languages.extend(rows)
        return now

    clock = RunClock(read_clock)

    def conversion() -> Conversion:
        clock.now()  # the probe also tells the shop's languages
        active = sorted(int(r["id"]) for r in languages if str(r.get("active", "1")) in ("1", "True", "true"))
        default = language_id or (active[0] if active else 1)
        return Conversion(timezone=timezone, money_scale=MONEY_SCALE, default_language=default)

    reader = Reader.for_run(
        api,
        clock=clock,
        conversion_of=conversion,
        page_size=page_size,
        sweep_page_size=sweep_page_size,
        full=full,
        sweep=sweep,
        sweep_every_hours=sweep_every_hours,
        backfill=window is not None,
    )
    hints = Conversion(timezone=timezone, money_scale=MONEY_SCALE)

    def cursor(field: str) -> dlt.sources.incremental[datetime]:
        return run_cursor(field, initial_value=initial_value, overlap_minutes=overlap_minutes, window=window)

    def resource(spec: TableSpec, generator: Any) -> DltResource:
        return table_resource(spec, generator, hints)

    def entity(spec: TableSpec) -> DltResource:
        fields = display(spec.column_names)
        saved = cursor(CURSOR_FIELDS[spec.name])  # dlt injects the stored state into the default incremental

        def read(updated: dlt.sources.incremental[datetime] = saved) -> Iterator[pa.Table]:
            yield from reader.entity(spec, fields, updated)

        return resource(spec, read)

    def swept(spec: TableSpec) -> DltResource:
        fields = display(spec.column_names)

        def read() -> Iterator[pa.Table]:
            yield from reader.swept(spec, fields, backfill=window is not None)

        return resource(spec, read)

    def reference(spec: TableSpec) -> DltResource:
        fields = display(spec.column_names)

        def read() -> Iterator[pa.Table]:
            if window is None:
                yield from reader.whole(spec, fields, ranges=False)
            else:
                yield spec.empty(hints)

        return resource(spec, read)

    # an association is displayed by its own name (`order_rows[...]`), as WebserviceRequest::parseDisplayFields
    # reads it; the `associations[...]` wrapper of the reference document is refused with code 35
    order_fields = display(ORDERS.column_names)[:-1] + (
        ",order_rows" + display(ORDER_ROWS.column_names, exclude=("id_order",)) + "]"
    )

    def orders_of(batch: list[Row]) -> Iterator[pa.Table]:
        yield typed(ORDERS, batch, reader.conversion, connection)

    def rows_of(batch: list[Row]) -> Iterator[pa.Table]:
        rows: list[Row] = []
        for order in batch:
            lines = (order.get("associations") or {}).get("order_rows") or ()
            for row in lines:
                row["id_order"] = order["id"]  # the parsed page is this source's own: no copy of each row
            rows.extend(lines)
        if rows:
            yield typed(ORDER_ROWS, rows, reader.conversion, connection)

    def children_of(spec: TableSpec) -> Any:
        fields = display(spec.column_names)
        return lambda batch: order_children(reader, spec, fields, batch)

    orders = document_family(
        "order_pages",
        lambda window: reader.changed_pages("orders", order_fields, window),
        reader.open,
        cursor("date_upd"),
        [
            (ORDERS, orders_of),
            (ORDER_ROWS, rows_of),
            (ORDER_HISTORIES, children_of(ORDER_HISTORIES)),
            (ORDER_CARRIERS, children_of(ORDER_CARRIERS)),
        ],
        hints=hints,
        deletions=lambda name: reader.deletion_sweep(ORDERS, resource=name),
        lines_of=lambda order: len((order.get("associations") or {}).get("order_rows") or ()),
    )

    return [
        entity(PRODUCTS),
        swept(COMBINATIONS),
        swept(STOCK_AVAILABLES),
        swept(SPECIFIC_PRICES),
        entity(CUSTOMERS),
        entity(ADDRESSES),
        *orders,
        *(reference(spec) for spec in REFERENCE_TABLES),
    ]
