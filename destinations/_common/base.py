"""What every API destination is: one counted HTTP client, and a batch writer per entity it can write."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence

from destinations._common.http import WriteClient
from destinations._common.records import DestinationError, RecordOutcome, SyncRecord
from destinations._common.safety import chunks, failed

BatchWriter = Callable[[Sequence[SyncRecord]], list[RecordOutcome]]


class Destination:
    """A target connection as the push sees it: `write` records, count `calls`, `close`.

    Args:
        client: the connection's HTTP client (counts every call, retries included).
        writers: the batch writer of each entity this system can write.
        batch: records per batch (a batch's outcomes are handed back, and logged, together).
    """

    def __init__(self, client: WriteClient, writers: Mapping[str, BatchWriter], batch: int) -> None:
        self.client = client
        self._writers = dict(writers)
        self._batch = batch

    @property
    def calls(self) -> int:
        """HTTP calls made so far (retries included)."""
        return self.client.total_calls

    def close(self) -> None:
        self.client.close()

    def write(self, records: Sequence[SyncRecord]) -> Iterator[list[RecordOutcome]]:
        """Write records of one entity, a batch at a time; yields each batch's outcomes (one per record)."""
        for batch in chunks(list(records), self._batch):
            writer = self._writers.get(batch[0].entity)
            if writer is None:
                error = DestinationError(f"{self.client.connection} cannot write entity {batch[0].entity!r}")
                yield [failed(record, error) for record in batch]
                continue
            try:
                yield writer(batch)
            except Exception as exc:  # noqa: BLE001 - the batch read failed: each record of it failed, no other
                yield [failed(record, exc) for record in batch]
