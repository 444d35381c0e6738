"""PrestaShop webservice client: JSON lists with named fields, id-keyset and id-range paging, the shop clock."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import pyarrow as pa
from requests.auth import HTTPBasicAuth

from sources._common.batches import typed_batches
from sources._common.columns import TableSpec
from sources._common.cursors import Window
from sources._common.errors import SourceError
from sources._common.http import RequestCounter, RetryPolicy
from sources._common.paging import IdPagedApi
from sources._common.parallel import ordered_map
from sources._common.reader import Reader
from sources.prestashop.settings import CURSOR_FIELDS, ORDER_IDS_PER_INTERVAL, ORDER_IDS_PER_REQUEST

Row = dict[str, Any]
Params = list[tuple[str, str]]
_LOCAL_FORMAT = "%Y-%m-%d %H:%M:%S"


class PrestaShopApi(IdPagedApi[Params]):
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
        super().__init__(
            connection=connection,
            base_url=base_url,
            headers={"Accept": "application/json"},
            auth=HTTPBasicAuth(api_key, ""),
            timezone=timezone,
            retry=retry,
            concurrency=concurrency,
            counter=counter,
        )

    def list_rows(self, resource: str, params: Params, *, where: str) -> list[Row]:
        """One list request; the rows whatever the envelope (`{"<resource>": [...]}` or a bare `[]`)."""
        body = self.http.get_json(
            resource, [("output_format", "JSON"), *params], resource=resource, where=where
        )
        return rows_of(body, resource, self.connection, where)

    def page(
        self,
        resource: str,
        fields: str,
        filters: Params,
        *,
        page_size: int,
        where: str,
        after: int | None = None,
        span: tuple[int, int] | None = None,
        descending: bool = False,
    ) -> list[Row]:
        ids: Params = []
        if after is not None:
            ids = [("filter[id]", f">[{after}]")]
        elif span is not None:
            ids = [("filter[id]", f"[{span[0]},{span[1]}]")]
        order = "[id_DESC]" if descending else "[id_ASC]"
        params = [("display", _display(fields)), *filters, *ids, ("sort", order), ("limit", str(page_size))]
        return self.list_rows(resource, params, where=where)

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

    def no_filter(self) -> Params:
        return []

    def window_filter(self, resource: str, window: Window) -> Params:
        """`filter[date_upd]=[a,b]` (inclusive) in shop wall-clock time, plus the `date=1` it needs."""
        field = CURSOR_FIELDS.get(resource, "date_upd")
        low, high = self.local_bounds(window)
        return [(f"filter[{field}]", f"[{low:{_LOCAL_FORMAT}},{high:{_LOCAL_FORMAT}}]"), ("date", "1")]


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


def _consecutive(ids: Sequence[int]) -> bool:
    """Whether sorted, distinct ids follow each other with no gap."""
    return ids[-1] - ids[0] + 1 == len(ids)


def id_filter(ids: Sequence[int]) -> str:
    """The filter value selecting exactly these sorted, distinct ids: an interval `[a,b]` when they follow
    each other (a first load's groups: a short URL, one range condition for the server), else `[a|b|...]`."""
    if len(ids) > 1 and _consecutive(ids):
        return f"[{ids[0]},{ids[-1]}]"
    return "[" + "|".join(map(str, ids)) + "]"


def order_groups(ids: Sequence[int]) -> Iterator[Sequence[int]]:
    """Sorted distinct order ids in groups: `ORDER_IDS_PER_INTERVAL` consecutive ones at a time (asked for as
    one interval), the others `ORDER_IDS_PER_REQUEST` at a time (a list in the URL)."""
    for run in chunks(ids, ORDER_IDS_PER_INTERVAL):
        if _consecutive(run):
            yield run
        else:
            yield from chunks(run, ORDER_IDS_PER_REQUEST)


def order_children(reader: Reader, spec: TableSpec, fields: str, orders: list[Row]) -> Iterator[pa.Table]:
    """The histories or carriers of a batch of changed orders (`filter[id_order]=[a|b|...]` or `[a,b]`).

    The groups of order ids are independent: a few are read at once (the API's concurrency), each by
    keyset pages, and their rows are typed in the order of the groups.
    """
    api = reader.api
    ids = sorted({int(order["id"]) for order in orders})

    def group_pages(group: Sequence[int]) -> list[list[Row]]:
        filters = [("filter[id_order]", id_filter(group))]
        where = f"orders {group[0]}..{group[-1]}, "
        return list(
            api.keyset_pages(spec.name, fields, filters, page_size=reader.sweep_page_size, where=where)
        )

    groups = ordered_map(group_pages, order_groups(ids), workers=api.concurrency)
    pages = (page for group in groups for page in group)
    yield from typed_batches(spec, pages, reader.conversion, reader.connection)
