"""Run windows and cursors: what one run reads for a resource, and what it saves for the next run."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import dlt


def as_utc(value: datetime) -> datetime:
    """An aware UTC datetime (naive values are taken as UTC)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


@dataclass(frozen=True)
class Window:
    """A closed time interval [start, end] in UTC, read in full by one run."""

    start: datetime
    end: datetime
    backfill: bool = False
    first_read: bool = False  # starts at the initial value: a first or full read of everything

    def __str__(self) -> str:
        return f"{self.start:%Y-%m-%d %H:%M:%S} .. {self.end:%Y-%m-%d %H:%M:%S} UTC"


class RunClock:
    """The server's "now", read once per run and shared by every resource of the source.

    The window's upper bound is fixed when the run starts so that rows changing while the run pages
    through them are left for the next run instead of being skipped or read twice.
    """

    def __init__(self, read_server_time: Callable[[], datetime]) -> None:
        self._read = read_server_time
        self._lock = threading.Lock()
        self._now: datetime | None = None

    def now(self) -> datetime:
        with self._lock:
            if self._now is None:
                self._now = as_utc(self._read()).replace(microsecond=0)
            return self._now


def run_cursor(
    field: str,
    *,
    initial_value: datetime,
    overlap_minutes: float,
    window: tuple[datetime, datetime] | None,
) -> dlt.sources.incremental[datetime]:
    """The incremental cursor of a windowed resource: saved state with an overlap, or a fixed backfill window."""
    if window is not None:
        return dlt.sources.incremental(
            field, initial_value=as_utc(window[0]), end_value=as_utc(window[1]), range_end="closed"
        )
    return dlt.sources.incremental(field, initial_value=as_utc(initial_value), lag=overlap_minutes * 60)


def open_window(cursor: dlt.sources.incremental[Any], clock: RunClock, *, full: bool) -> Window:
    """The window a timestamp-cursor resource reads this run; pins the saved cursor to its end.

    Call it before the resource yields anything: once pinned, dlt passes rows through unfiltered.

    * backfill (`end_value` set): exactly [initial_value, end_value]; the stored cursor is not touched.
    * `full`: [initial_value, now]; the cursor moves to now.
    * otherwise: [last cursor - overlap (dlt `lag`), now]; the cursor moves to now.

    The cursor is the server clock at the start of the run, not the largest row timestamp: every row
    stamped before it has been read, and the overlap covers rows whose transaction committed late.
    The cursor is only saved if the whole load succeeds (dlt commits state with the load package).
    """
    initial = as_utc(_required(cursor.initial_value))
    if cursor.end_value is not None:
        unpin(cursor)  # the window is pushed down to the API; dlt needs not filter rows again
        return Window(initial, as_utc(cursor.end_value), backfill=True)
    now = clock.now()
    start = initial if full else as_utc(_required(cursor.start_value))
    cursor.advance(now)
    return Window(min(start, now), now, first_read=start <= initial)


def unpin(cursor: dlt.sources.incremental[Any]) -> None:
    """Let rows through dlt's incremental filter unchanged, the range being applied by the API itself."""
    cursor.advance(None)  # dlt documents None: it disables the filtering only


def _required(value: Any) -> Any:
    if value is None:
        raise ValueError("an incremental cursor needs an initial value")
    return value


def widen_for_dst(window: Window, offset: Callable[[datetime], timedelta]) -> tuple[datetime, datetime]:
    """Wall-clock bounds (naive) that contain every UTC instant of `window`, across DST changes.

    Local time is not monotonic when clocks go back: an instant after the window start may read as an
    earlier wall-clock time. Using the smallest offset of the two ends for the lower bound and the largest
    for the upper bound can only widen the filter; rows outside the window are merged again, never lost.
    """
    low = min(offset(window.start), offset(window.end))
    high = max(offset(window.start), offset(window.end))
    return (window.start + low).replace(tzinfo=None), (window.end + high).replace(tzinfo=None)


class IdCursor:
    """An ascending integer cursor (append-only rows paged by id), saved only when the load succeeds."""

    def __init__(self, cursor: dlt.sources.incremental[Any], *, full: bool) -> None:
        self._cursor = cursor
        self.start = int(
            _required(cursor.initial_value if full or cursor.start_value is None else cursor.start_value)
        )
        self._highest = self.start
        unpin(cursor)  # rows are filtered by the API (`id > start`); dlt passes them through

    def seen(self, highest_id: int) -> None:
        """Record the largest id of a page before yielding it."""
        if highest_id > self._highest:
            self._highest = highest_id
            self._cursor.advance(highest_id)


def sweep_due(state: dict[str, Any], now: datetime, *, forced: bool, every: timedelta | None) -> bool:
    """Whether a resource runs its full sweep now: asked for, never done, or older than `every`."""
    last = state.get("last_sweep_at")
    if forced or last is None:
        return True
    if every is None:
        return False
    last_at = datetime.fromisoformat(last) if isinstance(last, str) else as_utc(last)
    return now - as_utc(last_at) >= every


def mark_swept(state: dict[str, Any], now: datetime) -> None:
    """Remember the sweep (persisted only if the load succeeds, with the rest of the dlt state)."""
    state["last_sweep_at"] = now.isoformat()
