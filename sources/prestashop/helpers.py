"""PrestaShop webservice client: JSON lists with named fields, id-keyset and id-range paging, the shop clock."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any
from zoneinfo import ZoneInfo

import pyarrow as pa
from requests.auth import HTTPBasicAuth

from sources._common.batches import typed_batches
from sources._common.columns import TableSpec
from sources._common.cursors import Window, widen_for_dst
from sources._common.errors import SourceError
from sources._common.http import HttpClient, RequestCounter, RetryPolicy
from sources._common.parallel import ordered_map
from sources._common.reader import Reader
from sources.prestashop.settings import CURSOR_FIELDS, ORDER_IDS_PER_REQUEST

Row = dict[str, Any]
Params = list[tuple[str, str]]
_LOCAL_FORMAT = "%Y-%m-%d %H:%M:%S"


class PrestaShopApi:
    """Reads one shop's webservice (`https://shop/api`), JSON output, key as Basic-auth user.

    Lists always name their fields (`display=[...]`): `display=full` costs the server a full object
    load per row and would return customers' password hashes and secure keys.
    """

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
        self.timezone = timezone
        self._zone = ZoneInfo(timezone)
        self.concurrency = max(1, concurrency)
        self.http = HttpClient(
            connection=connection,
            base_url=base_url,
            headers={"Accept": "application/json"},
            auth=HTTPBasicAuth(api_key, ""),
            retry=retry,
            max_in_flight=self.concurrency,
            counter=counter,
        )

    # ---- one request ----

    def list(self, resource: str, params: Params, *, where: str) -> list[Row]:
        """One list request; the rows whatever the envelope (`{"<resource>": [...]}` or a bare `[]`)."""
        body = self.http.get_json(
            resource, [("output_format", "JSON"), *params], resource=resource, where=where
        )
        return rows_of(body, resource, self.connection, where)

    def server_time(self) -> tuple[datetime, list[Row]]:
        """The shop's clock (`Access-Time`, else `Date`, else ours) and the languages, in one cheap request."""
        body, headers = self.http.get_json_and_headers(
            "languages",
            [("output_format", "JSON"), ("display", "[id,active]"), ("sort", "[id_ASC]")],
            resource="languages",
            where="clock probe",
        )
        rows = rows_of(body, "languages", self.connection, "clock probe")
        return _clock_from_headers(headers), rows

    # ---- paging ----

    def keyset_pages(
        self, resource: str, display: str, filters: Params, *, page_size: int, where: str = "", after: int = 0
    ) -> Iterator[list[Row]]:
        """All rows matching `filters`, by ascending id: `filter[id]=>[last id]`, `limit=<page_size>`.

        Keyset paging never skips a row when others change during the read (offset paging does);
        it ends on the first page shorter than `page_size`.
        """
        last = after
        page = 1
        while True:
            label = f"{where}page {page} (ids > {last})"
            params: Params = [
                ("display", _display(display)),
                *filters,
                ("filter[id]", f">[{last}]"),
                ("sort", "[id_ASC]"),
                ("limit", str(page_size)),
            ]
            rows = self.list(resource, params, where=label)
            ids = [_id(row, resource, self.connection, label) for row in rows]
            if ids and (ids[0] <= last or any(b <= a for a, b in zip(ids, ids[1:], strict=False))):
                raise SourceError(
                    self.connection,
                    resource,
                    label,
                    "ids are not strictly ascending above the page's lower bound",
                )
            if len(rows) > page_size:
                raise SourceError(self.connection, resource, label, f"{len(rows)} rows for limit {page_size}")
            yield rows
            if len(rows) < page_size:
                return
            last = ids[-1]
            page += 1

    def id_bounds(self, resource: str) -> tuple[int, int] | None:
        """The smallest and largest id of a resource (None when it is empty)."""
        low = self.list(
            resource, [("display", "[id]"), ("sort", "[id_ASC]"), ("limit", "1")], where="lowest id"
        )
        if not low:
            return None
        high = self.list(
            resource, [("display", "[id]"), ("sort", "[id_DESC]"), ("limit", "1")], where="highest id"
        )
        return _id(low[0], resource, self.connection, "lowest id"), _id(
            high[0], resource, self.connection, "highest id"
        )

    def range_pages(
        self, resource: str, display: str, filters: Params, *, page_size: int, bounds: tuple[int, int] | None
    ) -> Iterator[list[Row]]:
        """All rows matching `filters`, by id ranges `filter[id]=[a,b]` of `page_size` ids, a few in flight.

        Each range holds at most `page_size` rows, so a range answer is complete by construction; ranges
        are independent, which lets 2-4 requests run at once on a full read.
        """
        if bounds is None:
            return
        low, high = bounds
        spans = [(a, min(a + page_size - 1, high)) for a in range(low, high + 1, page_size)]

        def fetch(span: tuple[int, int]) -> list[Row]:
            a, b = span
            label = f"ids {a}..{b}"
            params: Params = [
                ("display", _display(display)),
                *filters,
                ("filter[id]", f"[{a},{b}]"),
                ("sort", "[id_ASC]"),
                ("limit", str(page_size)),
            ]
            rows = self.list(resource, params, where=label)
            for row in rows:
                row_id = _id(row, resource, self.connection, label)
                if not a <= row_id <= b:
                    raise SourceError(
                        self.connection, resource, label, f"id {row_id} is outside the range asked"
                    )
            return rows

        yield from ordered_map(fetch, spans, workers=self.concurrency)

    # ---- time ----

    def no_filter(self) -> Params:
        return []

    def window_filter(self, resource: str, window: Window) -> Params:
        """`filter[date_upd]=[a,b]` (inclusive) in shop wall-clock time, plus the `date=1` it needs."""
        field = CURSOR_FIELDS.get(resource, "date_upd")
        low, high = widen_for_dst(window, self._offset)
        return [(f"filter[{field}]", f"[{low:{_LOCAL_FORMAT}},{high:{_LOCAL_FORMAT}}]"), ("date", "1")]

    def _offset(self, instant: datetime) -> timedelta:
        return instant.astimezone(self._zone).utcoffset() or timedelta(0)


def _display(fields: str) -> str:
    """`display=` takes `[f1,f2]`; a bare field name is wrapped."""
    return fields if fields.startswith("[") else f"[{fields}]"


def rows_of(body: Any, resource: str, connection: str, where: str) -> list[Row]:
    """The rows of a list answer: `{"<resource>": [...]}`, or `[]` for an empty list (PrestaShop 1.7/8.x)."""
    if isinstance(body, list):
        if body:
            raise SourceError(connection, resource, where, "unexpected non-empty bare list in the answer")
        return []
    if isinstance(body, dict):
        rows = body.get(resource)
        if isinstance(rows, list) and all(isinstance(r, dict) for r in rows):
            return rows
        if isinstance(rows, dict):  # a single object under the list key
            return [rows]
        if body == {}:
            return []
    raise SourceError(connection, resource, where, f"unexpected answer shape (keys: {_keys(body)})")


def _keys(body: Any) -> str:
    return ", ".join(sorted(map(str, body))) if isinstance(body, dict) else type(body).__name__


def _id(row: Row, resource: str, connection: str, where: str) -> int:
    try:
        return int(row["id"])
    except (KeyError, TypeError, ValueError):
        raise SourceError(
            connection, resource, where, f"a row has no integer id ({row.get('id')!r})"
        ) from None


def _clock_from_headers(headers: Any) -> datetime:
    access_time = headers.get("Access-Time")
    if access_time and str(access_time).strip().isdigit():
        return datetime.fromtimestamp(int(access_time), UTC)
    date = headers.get("Date")
    if date:
        try:
            return parsedate_to_datetime(date).astimezone(UTC)
        except (TypeError, ValueError):
            pass
    return datetime.now(UTC)


def chunks(values: Sequence[int], size: int) -> Iterator[Sequence[int]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def order_children(reader: Reader, spec: TableSpec, fields: str, orders: list[Row]) -> Iterator[pa.Table]:
    """The histories or carriers of a batch of changed orders (`filter[id_order]=[a|b|...]`)."""
    api = reader.api
    ids = sorted({int(order["id"]) for order in orders})
    for group in chunks(ids, ORDER_IDS_PER_REQUEST):
        filters = [("filter[id_order]", "[" + "|".join(map(str, group)) + "]")]
        pages = api.keyset_pages(
            spec.name,
            fields,
            filters,
            page_size=reader.sweep_page_size,
            where=f"orders {group[0]}..{group[-1]}, ",
        )
        yield from typed_batches(spec, pages, reader.conversion, reader.connection)
