"""The building blocks every writer shares: bounded parallel writes, create-once, value comparison, chunks."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import TypeVar
from zoneinfo import ZoneInfo

from destinations._common.http import RetryPolicy
from destinations._common.records import DestinationError, RecordOutcome, SyncRecord, TransientError

T = TypeVar("T")
R = TypeVar("R")


def chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    """Consecutive slices of at most `size` items."""
    for start in range(0, len(items), max(1, size)):
        yield items[start : start + size]


def parallel(items: Iterable[T], work: Callable[[T], R], concurrency: int) -> list[R]:
    """Apply `work` to every item with at most `concurrency` at a time; results in the items' order."""
    items = list(items)
    if concurrency <= 1 or len(items) <= 1:
        return [work(item) for item in items]
    with ThreadPoolExecutor(max_workers=min(concurrency, len(items))) as pool:
        return list(pool.map(work, items))


def apply_once(
    send: Callable[[], T],
    lookup: Callable[[], T | None],
    *,
    policy: RetryPolicy,
    checked: bool = False,
) -> tuple[T, bool]:
    """Make a non-idempotent call take effect exactly once (a create, a state change).

    The effect is looked up first; the call is sent only when it is absent. When the call fails in a way
    that leaves its outcome unknown (network error, 5xx, 429, truncated answer), the effect is looked up
    again and the call sent again only if it is still absent.

    Args:
        send: sends the call once; returns its result (a new object's id...).
        lookup: finds the effect (the object by its external reference, the state reached); None if absent.
        policy: how many attempts and how long to wait between them.
        checked: the caller has just looked the effect up and found it absent (the first look-up is skipped).

    Returns:
        The result, and whether this call made it (False: it was there already).
    """
    found = None if checked else lookup()
    if found is not None:
        return found, False
    for attempt in range(1, policy.max_attempts + 1):
        try:
            return send(), True
        except TransientError as exc:
            found = lookup()
            if found is not None:
                return found, True  # the attempt went through; only its answer was lost
            if attempt == policy.max_attempts:
                raise
            time.sleep(policy.delay(attempt, exc.retry_after))
    raise AssertionError("unreachable")


def as_decimal(value: object) -> Decimal | None:
    """A number from a JSON number, a numeric string, or empty (None)."""
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value).strip())
    except InvalidOperation:
        return None


def same_value(seen: object, expected: str | None, *, numeric: bool) -> bool:
    """Whether a value read back equals an expected one (numbers compared as decimals, empty as zero)."""
    if numeric:
        return (as_decimal(seen) or Decimal(0)) == (as_decimal(expected) or Decimal(0))
    return (str(seen) if seen is not None else "").strip() == (expected or "").strip()


def local_to_utc(text: str | None, timezone: str) -> datetime | None:
    """A `YYYY-MM-DD HH:MM:SS` wall-clock time of the system's zone as an aware UTC datetime."""
    if not text or text.startswith("0000"):
        return None
    naive = datetime.strptime(text.strip()[:19], "%Y-%m-%d %H:%M:%S")
    return naive.replace(tzinfo=ZoneInfo(timezone)).astimezone(UTC)


def same_instant(seen: datetime | None, now: datetime | None) -> bool:
    """Whether two update times are the same second (either may be naive UTC, as DuckDB returns them)."""
    if seen is None or now is None:
        return seen is None and now is None
    seen = seen if seen.tzinfo else seen.replace(tzinfo=UTC)
    now = now if now.tzinfo else now.replace(tzinfo=UTC)
    return abs((seen - now).total_seconds()) < 1


def outcome(item: SyncRecord, status: str, error: str | None = None, /, **after: str | None) -> RecordOutcome:
    """A record's outcome with the values re-read after (keyword per field, `record` for a creation)."""
    return RecordOutcome(record=item, status=status, after=dict(after), error=error)  # type: ignore[arg-type]


def failed(record: SyncRecord, exc: Exception, field: str | None = None) -> RecordOutcome:
    """A failed outcome whose message names the connection, the record and the field.

    An exception that is not a `DestinationError` is a defect, not an answer of the target: its type is
    named so that it stands out in the ledger.
    """
    where = f"{record.describe()}" + (f", field {field}" if field else "")
    reason = str(exc) if isinstance(exc, DestinationError) else f"unexpected {type(exc).__name__}: {exc}"
    return RecordOutcome(record=record, status="failed", error=f"{where}: {reason}")


def guarded(
    record: SyncRecord, write: Callable[[SyncRecord], RecordOutcome], field: str | None = None
) -> RecordOutcome:
    """Run one record's write; whatever goes wrong fails that record only, never the others."""
    try:
        return write(record)
    except Exception as exc:  # noqa: BLE001 - one record's failure, of any kind, must not stop the push
        return failed(record, exc, field)
