"""The flat-file source's workings: one file read, judged and registered; items gathered for dlt."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import IO, Any, cast

import dlt
import pyarrow as pa
import pyarrow.parquet as pq

from sources._common.columns import TableSpec
from sources._common.errors import SourceError
from sources.flatfiles.csvfile import BadLine, FileRejected
from sources.flatfiles.folder import (
    DUPLICATE,
    LOADED,
    PARTIAL,
    REJECTED,
    DropFile,
    DropFolder,
    HashingReader,
    Register,
    scan,
)
from sources.flatfiles.loading import FileResult, Spilled, read_file
from sources.flatfiles.mapping import Mapping
from sources.flatfiles.settings import CONVERSION, LOADED_FILES, QUARANTINED_LINES

logger = logging.getLogger("omnicanal.flatfiles")


class Outbox:
    """Accepted tables of several files gathered into large items: dlt pays a fixed cost per item."""

    def __init__(self, flush_bytes: int) -> None:
        self.flush_bytes = flush_bytes
        self.tables: dict[str, list[pa.Table]] = {}
        self.rows: dict[str, list[dict[str, Any]]] = {}
        self.bytes = 0

    def add_table(self, name: str, table: pa.Table) -> None:
        self.tables.setdefault(name, []).append(table)
        self.bytes += table.nbytes

    def add_row(self, spec: TableSpec, row: dict[str, Any]) -> None:
        self.rows.setdefault(spec.name, []).append(row)

    def ready(self) -> Iterator[Any]:
        """The gathered items once they are large enough (else nothing yet)."""
        if self.bytes >= self.flush_bytes:
            yield from self.flush()

    def flush(self) -> Iterator[Any]:
        for name, tables in self.tables.items():
            yield dlt.mark.with_table_name(pa.concat_tables(tables), name)
        for spec in (QUARANTINED_LINES, LOADED_FILES):
            if self.rows.get(spec.name):
                yield dlt.mark.with_table_name(spec.to_arrow(self.rows[spec.name], CONVERSION), spec.name)
        self.tables, self.rows, self.bytes = {}, {}, 0


class FileReader:
    """Reads one file at a time into the outbox: its rows, its bad lines and its `loaded_files` record."""

    def __init__(
        self, connection: str, mapping: Mapping, on_error: str, timezone: str, spill_bytes: int
    ) -> None:
        self.connection = connection
        self.mapping = mapping
        self.on_error = on_error
        self.timezone = timezone
        self.spill_bytes = spill_bytes
        self.table = mapping.layout.table.name

    def load(
        self, folder: DropFolder, file: DropFile, register: Register, outbox: Outbox
    ) -> FileResult | None:
        """Read one new file and record it in the register; its rows, when it is accepted, are returned.

        The file is hashed while it is parsed (one pass); a copy of a loaded file is thus parsed before it
        is recognised, which costs only the rare duplicate.
        """
        file_id = register.next_id()
        try:
            with folder.open(file) as raw:
                stream = HashingReader(raw)
                result: FileResult | None = None
                rejected: str | None = None
                try:
                    result = read_file(
                        cast(IO[bytes], stream),
                        self.mapping,
                        file_id=file_id,
                        timezone=self.timezone,
                        spill_bytes=self.spill_bytes,
                    )
                except FileRejected as exc:
                    rejected = exc.reason
                whole = stream.whole()
                if whole is None:
                    raw.seek(0)
                    whole = scan(raw, None)
        except OSError as exc:
            raise SourceError(
                self.connection, self.table, f"file {file.name}", f"cannot be read ({exc})"
            ) from exc
        if whole.size != file.size:
            logger.info("%s: %s is still being written; next run", self.connection, file.name)
        elif rejected is not None:
            self._rejected(file, file_id, whole.sha256, register, rejected, [], outbox)
        elif result is not None:
            return self._judge(file, file_id, whole.sha256, register, result, outbox)
        if result is not None:
            result.buffer.discard()
        return None

    def _judge(
        self,
        file: DropFile,
        file_id: int,
        sha256: str,
        register: Register,
        result: FileResult,
        outbox: Outbox,
    ) -> FileResult | None:
        """Register a read file: a duplicate, rejected by the policy, or accepted (its rows returned)."""
        duplicate = register.loaded_with(sha256)
        if duplicate is not None:
            result.buffer.discard()
            reason = (
                f"same content (sha256) as {duplicate['name']} (file id {duplicate['id']}), already loaded"
            )
            logger.warning("%s: %s rejected: %s", self.connection, file.name, reason)
            entry = register.record(file, file_id, sha256, DUPLICATE, reason, duplicate_of=duplicate["id"])
            outbox.add_row(LOADED_FILES, self._file_row(file, entry, rows=0, bad=0))
            return None
        bad = result.bad
        if bad and self.on_error == "reject_file":
            result.buffer.discard()
            reason = f"{len(bad)} bad line(s) and on_error = reject_file; first: {_describe(bad[0])}"
            self._rejected(file, file_id, sha256, register, reason, bad, outbox)
            return None
        note: str | None = None
        if bad:
            note = f"{len(bad)} bad line(s) quarantined (on_error = skip_line); first: {_describe(bad[0])}"
            logger.warning("%s: %s: %s", self.connection, file.name, note)
        elif result.ignored_headers:
            note = "headers not in the mapping (ignored): " + ", ".join(result.ignored_headers)
        self._quarantine(file, file_id, bad, outbox)
        status = PARTIAL if bad else LOADED
        entry = register.record(
            file, file_id, sha256, status, note, [_describe(b) for b in bad], rows=result.rows
        )
        outbox.add_row(LOADED_FILES, self._file_row(file, entry, rows=result.rows, bad=len(bad)))
        return result

    def hand_over(self, result: FileResult, outbox: Outbox) -> Iterator[Any]:
        """The rows of an accepted file: a spilled main table as its Parquet file, the rest to the outbox."""
        for name, table in result.buffer.drain():
            if isinstance(table, Spilled) and name == self.table:
                # dlt links the file into its load package before this generator resumes
                yield dlt.mark.with_file_import(str(table.path), "parquet", table.rows)
            elif isinstance(table, Spilled):
                outbox.add_table(name, pq.read_table(table.path))
            else:
                outbox.add_table(name, table)

    def _rejected(
        self,
        file: DropFile,
        file_id: int,
        sha256: str,
        register: Register,
        reason: str,
        bad: list[BadLine],
        outbox: Outbox,
    ) -> None:
        logger.warning("%s: %s rejected: %s", self.connection, file.name, reason)
        entry = register.record(file, file_id, sha256, REJECTED, reason, [_describe(b) for b in bad])
        self._quarantine(file, file_id, bad, outbox)
        outbox.add_row(LOADED_FILES, self._file_row(file, entry, rows=0, bad=len(bad)))

    @staticmethod
    def _quarantine(file: DropFile, file_id: int, bad: list[BadLine], outbox: Outbox) -> None:
        for b in bad:
            outbox.add_row(
                QUARANTINED_LINES,
                {
                    "file_id": file_id,
                    "file_name": file.name,
                    "line": b.line,
                    "field": b.field,
                    "reason": b.reason,
                    "content": b.content,
                },
            )

    def _file_row(self, file: DropFile, entry: dict[str, Any], *, rows: int, bad: int) -> dict[str, Any]:
        return {
            "file_id": entry["id"],
            "file_name": file.name,
            "file_size": file.size,
            "modified_at": _sql_time(file.modified_at),
            "sha256": entry["sha256"],
            "layout": self.mapping.layout.name,
            "status": entry["status"],
            "rows_loaded": rows,
            "lines_quarantined": bad,
            "reason": entry["reason"],
            "duplicate_of": entry["duplicate_of"],
            "picked_up_at": _sql_time(datetime.now(UTC)),
        }


def _describe(bad: BadLine) -> str:
    where = f"line {bad.line}" + (f", field {bad.field!r}" if bad.field else "")
    return f"{where}: {bad.reason}"


def _sql_time(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
