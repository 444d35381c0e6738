"""What a destination is asked to write (records read from the sync models) and what came of each one."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

Status = Literal["planned", "written", "unchanged", "conflict", "skipped_guard", "failed"]
STATUSES: tuple[Status, ...] = ("planned", "written", "unchanged", "conflict", "skipped_guard", "failed")


@dataclass(frozen=True)
class FieldChange:
    """One field of a record: the value seen at extraction and the value the push wants."""

    field: str
    before: str | None
    desired: str | None


@dataclass
class SyncRecord:
    """One record of a sync model to write: its target, ids, field changes and what a create needs.

    Attributes:
        model: the sync model it comes from (`sync_prestashop__stock`).
        target: the target system kind (`prestashop`, `dolibarr`).
        connection: the target connection name.
        entity: the entity within the target (`stock`, `prices`, `orders`...).
        record_key: the record's key in the model (documented in the model's YAML).
        target_id: the id of the record in the target; None for a creation.
        changes: the fields to write, in the order they are written.
        seen_updated_at: the target record's update time at extraction (UTC), where the resource has one.
        payload: everything else the write needs (parent ids, order lines, customer details...).
    """

    model: str
    target: str
    connection: str
    entity: str
    record_key: str
    target_id: str | None
    changes: list[FieldChange]
    seen_updated_at: datetime | None = None
    payload: dict[str, Any] = field(default_factory=dict)

    @property
    def selector(self) -> str:
        """`<target>.<entity>`, the name `--only` takes."""
        return f"{self.target}.{self.entity}"

    def describe(self) -> str:
        """How an error names the record: connection, entity and key."""
        return f"{self.connection} {self.entity} {self.record_key}"


@dataclass
class RecordOutcome:
    """What happened to one record: one status for the record, the values re-read after, the reason."""

    record: SyncRecord
    status: Status
    after: dict[str, str | None] = field(default_factory=dict)
    error: str | None = None

    @property
    def wrote(self) -> bool:
        return self.status == "written"


class DestinationError(Exception):
    """A write could not be done; the message names the connection, the record and the field."""


class TerminalError(DestinationError):
    """The target refused the request for good (4xx other than 429): retrying cannot help."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class TransientError(DestinationError):
    """The request failed in a way a later attempt may fix (network, 429, 5xx, truncated answer).

    For a non-idempotent call it is *ambiguous*: the target may or may not have applied it, so the caller
    looks the object up before any new attempt.
    """

    def __init__(self, message: str, status: int | None = None, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after
