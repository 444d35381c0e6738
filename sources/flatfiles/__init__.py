"""The flat-file source: CSV and XML files from a drop folder, each loaded once, through a mapping."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import dlt
from dlt.extract.resource import DltResource

from sources._common.columns import TableSpec
from sources._common.errors import SourceError
from sources.flatfiles.folder import DropFolder, Register, iter_new, settle_files
from sources.flatfiles.helpers import FileReader, Outbox
from sources.flatfiles.mapping import MappingError, load_mapping
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
    reader = FileReader(connection, checked, on_error, timezone, spill_bytes)
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
