"""Id paging on its own: a page trimmer shapes every page, by keyset and by id ranges (in the fetching thread)."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from sources._common.cursors import Window
from sources._common.http import RetryPolicy
from sources._common.paging import IdPagedApi
from sources.dolibarr import _shaped
from sources.dolibarr.settings import ORDER_LINES, ORDERS

Row = dict[str, Any]


class ListedApi(IdPagedApi[None]):
    """Serves a fixed list of rows as the platforms do: ids ascending, `after`/`span`, at most `page_size`."""

    def __init__(self, rows: list[Row]) -> None:
        super().__init__(
            connection="erp",
            base_url="http://127.0.0.1:9",
            headers={},
            timezone="UTC",
            retry=RetryPolicy(),
            concurrency=3,
        )
        self.rows = rows

    def page(
        self,
        resource: str,
        fields: str,
        filters: None,
        *,
        page_size: int,
        where: str,
        after: int | None = None,
        span: tuple[int, int] | None = None,
        descending: bool = False,
    ) -> list[Row]:
        rows = [
            r
            for r in self.rows
            if (after is None or int(r["id"]) > after)
            and (span is None or span[0] <= int(r["id"]) <= span[1])
        ]
        rows = rows[::-1] if descending else rows
        # a fresh copy per answer, as parsing a body gives: the trimmer may not rely on shared objects
        return [{**r, "lines": [dict(x) for x in r["lines"]]} for r in rows[:page_size]]

    def no_filter(self) -> None:
        return None

    def window_filter(self, resource: str, window: Window) -> None:
        return None


def _order(number: int) -> Row:
    """An order as Dolibarr lists it: ~everything, `status` empty on older objects, lines of ~100 keys."""
    return {
        "id": str(number),
        "ref": f"CO{number:04d}",
        "statut": "1",
        "status": None if number % 2 else "3",
        "note_private": "internal",
        "user_author_id": "1",
        "lines": [
            {"rowid": str(number * 10 + k), "qty": "2", "subprice": "5.00000000", "product_desc": "long text"}
            for k in range(2)
        ],
    }


@pytest.fixture
def trimmed_in() -> tuple[Any, set[int]]:
    shape = _shaped(ORDERS, ORDER_LINES)
    threads: set[int] = set()

    def trim(rows: list[Row]) -> list[Row]:
        threads.add(threading.get_ident())
        return shape(rows)

    return trim, threads


def _expected(number: int) -> Row:
    return {
        "id": str(number),
        "ref": f"CO{number:04d}",
        "statut": "1",
        "status": "1" if number % 2 else "3",
        "lines": [{"rowid": str(number * 10 + k), "qty": "2", "subprice": "5.00000000"} for k in range(2)],
    }


def test_keyset_pages_shape_every_page_with_the_trimmer(trimmed_in: tuple[Any, set[int]]) -> None:
    trim, _ = trimmed_in
    api = ListedApi([_order(n) for n in range(1, 8)])
    pages = list(api.keyset_pages("orders", "id", None, page_size=3, trim=trim))
    assert [len(p) for p in pages] == [3, 3, 1]
    assert [row for page in pages for row in page] == [_expected(n) for n in range(1, 8)]


def test_range_pages_shape_every_page_in_the_thread_that_fetched_it(trimmed_in: tuple[Any, set[int]]) -> None:
    trim, threads = trimmed_in
    api = ListedApi([_order(n) for n in range(1, 20)])
    pages = list(api.range_pages("orders", "id", None, page_size=4, bounds=(1, 19), trim=trim))
    assert [row for page in pages for row in page] == [_expected(n) for n in range(1, 20)]
    assert threads and threading.get_ident() not in threads
