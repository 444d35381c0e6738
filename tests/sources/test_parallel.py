"""Bounded, ordered concurrency (`ordered_map`): order kept, calls started ahead bounded, failures in turn."""

from __future__ import annotations

import threading
import time

import pytest

from sources._common import parallel
from sources._common.parallel import ordered_map


def test_results_come_in_the_order_of_the_items_whatever_order_the_calls_finish_in():
    def slow_first(item: int) -> int:
        time.sleep(0.02 if item % 3 == 0 else 0.0)
        return item * 10

    assert list(ordered_map(slow_first, range(25), workers=3)) == [i * 10 for i in range(25)]


def test_calls_started_ahead_of_a_slow_consumer_are_bounded():
    started: list[int] = []
    lock = threading.Lock()

    def fetch(item: int) -> int:
        with lock:
            started.append(item)
        return item

    workers = 3
    bound = parallel.AHEAD_PER_WORKER * workers
    results = ordered_map(fetch, range(100), workers=workers)
    assert next(results) == 0
    # the consumer dawdles: the pool runs the calls submitted (the bound, and one more once the first
    # result was taken), then runs out of submitted calls, not of items
    deadline = time.monotonic() + 10
    while len(started) < bound + 1 and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.1)
    assert len(started) == bound + 1
    assert list(results) == list(range(1, 100))
    assert sorted(started) == list(range(100))


def test_a_failure_is_raised_in_its_turn_and_calls_not_started_are_cancelled():
    started: list[int] = []

    def fetch(item: int) -> int:
        started.append(item)
        if item == 4:
            raise ValueError("page 4 is broken")
        return item

    results = ordered_map(fetch, range(1000), workers=2)
    assert [next(results) for _ in range(4)] == [0, 1, 2, 3]
    with pytest.raises(ValueError, match="page 4 is broken"):
        next(results)
    # before item 4's turn: the first bound of calls, and one more for each of the 4 results taken
    assert max(started) <= 3 + parallel.AHEAD_PER_WORKER * 2


def test_one_worker_calls_one_after_the_other_in_the_consumers_thread():
    threads: set[int] = set()

    def fetch(item: int) -> int:
        threads.add(threading.get_ident())
        return item

    assert list(ordered_map(fetch, range(5), workers=1)) == [0, 1, 2, 3, 4]
    assert threads == {threading.get_ident()}
