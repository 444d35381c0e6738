"""Small helpers shared by the push tests."""

from __future__ import annotations

from typing import Any

from destinations._common.records import RecordOutcome, SyncRecord


def write_all(destination: Any, records: list[SyncRecord]) -> list[RecordOutcome]:
    """Every outcome of a destination's write, batches flattened, then the destination closed."""
    try:
        return [outcome for batch in destination.write(records) for outcome in batch]
    finally:
        destination.close()
