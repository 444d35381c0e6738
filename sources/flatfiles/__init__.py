"""The flat-file source: CSV and XML files from a drop folder, each loaded once, through a mapping."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import IO, Any, cast

import dlt
import pyarrow as pa
import pyarrow.parquet as pq
from dlt.extract.resource import DltResource

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
    iter_new,
    scan,
    settle_files,
)
from sources.flatfiles.loading import FileResult, Spilled, read_file
from sources.flatfiles.mapping import Mapping, MappingError, load_mapping
from sources.flatfiles.settings import (
    CONVERSION,
    LOADED_FILES,
    MIN_AGE_SECONDS,
    ON_ERROR,
    QUARANTINED_LINES,
    SPILL_BYTES,
)

__all__ = ["flatfiles_source", "settle_drop_folder"]

SOURCE_NAME = "flatfiles"
logger = logging.getLogger("omnicanal.flatfiles")


@dlt.source(name=SOURCE_NAME, max_table_nesting=0)
def flatfiles_source(
    path: str,
    layout: str,
    connection: str = SOURCE_NAME,
    mapping: str | None = None,
    on_error: str = "reject_file",
    timezone: str = "UTC",
    files: Sequence[str] | None = None,
    min_age_seconds: float = MIN_AGE_SECONDS,
    storage_options: dict[str, Any] | None = None,
    spill_bytes: int = SPILL_BYTES,
) -> Sequence[DltResource]:
    """The files waiting in one drop folder, loaded into the canonical tables of a layout.

    Each file is read once (its fingerprint and content hash are kept in dlt state), whole or not at
    all; `settle_drop_folder` moves it to `processed/` or `rejected/` once the load has committed.

    Args:
        path: the drop folder: a local path or an fsspec URL (`s3://bucket/pos`, `memory://...`).
        layout: the canonical layout (`pos_sales`, `marketplace_orders`, `erp_products`).
        connection: the connection name, used in error messages.
        mapping: a TOML mapping file for this connection's format; default the layout's ready mapping.
        on_error: `reject_file` (a file with any bad line loads nothing) or `skip_line` (the good lines
            load, the bad ones go to `quarantined_lines`). Faults of the whole file (encoding,
            header, XML structure or attacks) always reject it.
        timezone: the zone of wall-clock times in the files (when the mapping does not give one).
        files: glob patterns of the files to read (default: the mapping's).
        min_age_seconds: a file modified more recently than this waits for the next run.
        storage_options: fsspec options of a remote folder (no credentials: the storage's own
            configuration provides them).
        spill_bytes: arrow bytes of one file held in memory before spilling to a temporary file.

    Returns:
        One resource loading the layout's tables, `loaded_files` and `quarantined_lines`.
    """
    where = "configuration"
    if on_error not in ON_ERROR:
        raise SourceError(
            connection, SOURCE_NAME, where, f"on_error must be one of {ON_ERROR}, got {on_error!r}"
        )
    try:
        checked = load_mapping(layout, mapping)
    except MappingError as exc:
        raise SourceError(connection, SOURCE_NAME, where, str(exc)) from None
    folder = DropFolder(path, storage_options)
    patterns = tuple(files) if files else checked.files
    reader = _FileReader(connection, checked, on_error, timezone, spill_bytes)
    specs = [checked.layout.table, *(checked.layout.child(t) for t in checked.tables[1:])]
    specs += [LOADED_FILES, QUARANTINED_LINES]

    def read_files() -> Iterator[Any]:
        if not folder.exists():
            raise SourceError(connection, checked.layout.table.name, f"drop folder {path}", "does not exist")
        register = Register(dlt.current.source_state())
        outbox = Outbox(spill_bytes)
        for spec in specs:  # every table exists after the first load, even with no file
            yield dlt.mark.with_table_name(spec.empty(CONVERSION), spec.name)
        for file in iter_new(folder, register, patterns, min_age_seconds):
            accepted = reader.load(folder, file, register, outbox)
            if accepted is not None:
                yield from reader.hand_over(accepted, outbox)
            yield from outbox.ready()
        yield from outbox.flush()

    # every item names its table and each table gets its own hints; the variants are made first, so they
    # do not inherit the main table's columns, which the resource itself then takes for imported files
    resource = dlt.resource(read_files, name=specs[0].name, write_disposition="append")
    for spec in specs:
        resource.apply_hints(create_table_variant=True, **_hints(spec))
    resource.apply_hints(**_hints(specs[0]))
    return [resource]


def settle_drop_folder(
    path: str, pipeline_state: dict[str, Any], storage_options: dict[str, Any] | None = None
) -> list[str]:
    """Move the files a committed load registered to `processed/` or `rejected/` (reason file beside).

    Call it after `pipeline.run` returned: `pipeline.state` then holds the committed register. Files the
    register does not know stay for the next run; calling it again is harmless.

    Args:
        path: the drop folder (as given to the source).
        pipeline_state: the dlt pipeline's state after the run.
        storage_options: fsspec options of a remote folder.

    Returns:
        The new paths of the moved files, relative to the drop folder.
    """
    files = pipeline_state.get("sources", {}).get(SOURCE_NAME, {}).get("files", {})
    folder = DropFolder(path, storage_options)
    return settle_files(folder, files) if files and folder.exists() else []


def _hints(spec: TableSpec) -> dict[str, Any]:
    return {
        "table_name": spec.name,
        "primary_key": list(spec.primary_key),
        "write_disposition": spec.write_disposition,
        "columns": spec.dlt_columns(CONVERSION),
    }


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


class _FileReader:
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
