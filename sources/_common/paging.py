"""Paging by id shared by the API clients: keyset pages (`id > last`) and id ranges (`a <= id <= b`)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime, timedelta
from typing import Any, Generic, TypeVar
from zoneinfo import ZoneInfo

from requests.auth import AuthBase

from sources._common.cursors import Window, widen_for_dst
from sources._common.errors import SourceError
from sources._common.http import HttpClient, RequestCounter, RetryPolicy
from sources._common.parallel import ordered_map

Row = dict[str, Any]
F = TypeVar("F")
# Applied to each page as soon as it is parsed (in the fetching thread): keeps only what will be stored.
Trim = Callable[[list[Row]], list[Row]]


class IdPagedApi(ABC, Generic[F]):
    """A system's client that lists rows by ascending id, filtered by system-specific filters `F`.

    Subclasses say how one page is asked for (`page`); paging, its checks and the bounds are shared.
    """

    def __init__(
        self,
        *,
        connection: str,
        base_url: str,
        headers: Mapping[str, str],
        timezone: str,
        retry: RetryPolicy,
        concurrency: int,
        counter: RequestCounter | None = None,
        auth: AuthBase | None = None,
    ) -> None:
        self.connection = connection
        self.timezone = timezone
        self._zone = ZoneInfo(timezone)
        self.concurrency = max(1, concurrency)
        self.http = HttpClient(
            connection=connection,
            base_url=base_url,
            headers=headers,
            auth=auth,
            retry=retry,
            max_in_flight=self.concurrency,
            counter=counter,
        )

    @abstractmethod
    def page(
        self,
        resource: str,
        fields: str,
        filters: F,
        *,
        page_size: int,
        where: str,
        after: int | None = None,
        span: tuple[int, int] | None = None,
        descending: bool = False,
    ) -> list[Row]:
        """One request: rows matching `filters` with id > `after` or id in `span`, sorted by id, at most
        `page_size` of them."""

    @abstractmethod
    def no_filter(self) -> F:
        """The filters selecting every row."""

    @abstractmethod
    def window_filter(self, resource: str, window: Window) -> F:
        """The filters selecting the rows of `resource` changed within `window`."""

    def local_bounds(self, window: Window) -> tuple[datetime, datetime]:
        """The window in the system's wall-clock time (naive), widened across DST changes."""
        return widen_for_dst(window, self._offset)

    def _offset(self, instant: datetime) -> timedelta:
        return instant.astimezone(self._zone).utcoffset() or timedelta(0)

    def id_bounds(self, resource: str) -> tuple[int, int] | None:
        """The smallest and largest id of a resource (None when it is empty)."""
        low = self.page(resource, "id", self.no_filter(), page_size=1, where="lowest id")
        if not low:
            return None
        high = self.page(resource, "id", self.no_filter(), page_size=1, where="highest id", descending=True)
        return self.row_id(low[0], resource, "lowest id"), self.row_id(high[0], resource, "highest id")

    def keyset_pages(
        self,
        resource: str,
        fields: str,
        filters: F,
        *,
        page_size: int,
        where: str = "",
        after: int = 0,
        trim: Trim | None = None,
    ) -> Iterator[list[Row]]:
        """All rows matching `filters` after id `after`, by ascending id, one page after the other.

        Keyset paging never skips a row when others change during the read (offset paging does);
        it ends on the first page shorter than `page_size`. `trim` shapes each page once its ids are checked.
        """
        last = after
        number = 1
        while True:
            label = f"{where}page {number} (ids > {last})"
            rows = self.page(resource, fields, filters, page_size=page_size, where=label, after=last)
            ids = [self.row_id(row, resource, label) for row in rows]
            if ids and (ids[0] <= last or any(b <= a for a, b in zip(ids, ids[1:], strict=False))):
                raise SourceError(
                    self.connection, resource, label, "ids are not strictly ascending above the page's bound"
                )
            if len(rows) > page_size:
                raise SourceError(
                    self.connection, resource, label, f"{len(rows)} rows for a limit of {page_size}"
                )
            yield trim(rows) if trim else rows
            if len(rows) < page_size:
                return
            last = ids[-1]
            number += 1

    def range_pages(
        self,
        resource: str,
        fields: str,
        filters: F,
        *,
        page_size: int,
        bounds: tuple[int, int] | None,
        trim: Trim | None = None,
    ) -> Iterator[list[Row]]:
        """All rows matching `filters`, by id ranges of `page_size` ids, a few requests in flight.

        A range holds at most `page_size` rows, so its answer is complete by construction; ranges are
        independent, which lets 2-4 requests run at once on a full read. `trim` shapes each page in the
        thread that fetched it, once its ids are checked.
        """
        if bounds is None:
            return
        low, high = bounds
        spans = [(a, min(a + page_size - 1, high)) for a in range(low, high + 1, page_size)]

        def fetch(span: tuple[int, int]) -> list[Row]:
            label = f"ids {span[0]}..{span[1]}"
            rows = self.page(resource, fields, filters, page_size=page_size, where=label, span=span)
            for row in rows:
                row_id = self.row_id(row, resource, label)
                if not span[0] <= row_id <= span[1]:
                    raise SourceError(
                        self.connection, resource, label, f"id {row_id} is outside the range asked"
                    )
            return trim(rows) if trim else rows

        yield from ordered_map(fetch, spans, workers=self.concurrency)

    def row_id(self, row: Row, resource: str, where: str) -> int:
        try:
            return int(row["id"])
        except (KeyError, TypeError, ValueError):
            raise SourceError(
                self.connection, resource, where, f"a row has no integer id ({row.get('id')!r})"
            ) from None
