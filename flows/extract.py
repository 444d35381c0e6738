"""The extraction step: one dlt pipeline per connection loads its `raw_<connection>` schema of the warehouse."""

from __future__ import annotations

import ctypes
import gc
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from flows.config import Connection, Settings
from flows.errors import ConfigError, OmnicanalError, one_line_reason


def boolean(value: Any) -> bool:
    """A TOML boolean, or its text from an environment variable (`true`/`false`, `1`/`0`, `yes`/`no`)."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise ValueError(value)


# Connection options handed to the sources as they are (see sources/<kind>/README.md).
SOURCE_OPTIONS: dict[str, dict[str, Callable[[Any], Any]]] = {
    "prestashop": {
        "page_size": int,
        "sweep_page_size": int,
        "concurrency": int,
        "sweep_every_hours": float,
        "overlap_minutes": float,
        "language_id": int,
        "request_timeout": float,
        "max_attempts": int,
        "backoff_seconds": float,
    },
    "dolibarr": {
        "page_size": int,
        "sweep_page_size": int,
        "concurrency": int,
        "sweep_every_hours": float,
        "overlap_minutes": float,
        "request_timeout": float,
        "max_attempts": int,
        "backoff_seconds": float,
        "date_only_filters": boolean,
    },
    # drop folder, canonical layout and mapping, error policy (sources/flatfiles/README.md)
    "flatfiles": {
        "path": str,
        "layout": str,
        "mapping": str,
        "on_error": str,
        "files": list,
        "min_age_seconds": float,
    },
}


class ExtractionFailed(OmnicanalError):
    """A connection could not be extracted; nothing of that run was recorded as loaded."""


@dataclass
class ExtractResult:
    """What one extraction did: rows loaded per raw table, HTTP requests, time."""

    connection: str
    kind: str
    rows: dict[str, int] = field(default_factory=dict)
    requests: int = 0
    retries: int = 0
    seconds: float = 0.0
    # of `seconds`: dlt's load into DuckDB (staging copies, merges, state), after the reading
    load_seconds: float = 0.0
    full: bool = False
    sweep: bool = False
    window: tuple[datetime, datetime] | None = None
    first: bool = False

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())

    def render(self) -> str:
        """One line for the CLI and the run summary."""
        mode = (
            "first load"
            if self.first
            else "full"
            if self.full
            else "backfill"
            if self.window
            else "incremental"
        )
        if self.sweep and not self.full:
            mode += " + sweep"
        changed = sum(1 for n in self.rows.values() if n)
        retries = f" ({self.retries} retried)" if self.retries else ""
        return (
            f"{self.connection} ({self.kind}, {mode}): {self.total_rows:,} rows into {changed} of "
            f"{len(self.rows)} tables, {self.requests:,} requests{retries}, {self.seconds:.1f} s"
        )


def _initial_value(conn: Connection) -> datetime | None:
    raw = conn.options.get("initial_value") or conn.options.get("start_date")
    if raw is None:
        return None
    try:
        value = raw if isinstance(raw, datetime | date) else datetime.fromisoformat(str(raw))
    except ValueError as exc:
        raise ConfigError(
            f"connections.{conn.name}.initial_value: expected an ISO date, got {raw!r}"
        ) from exc
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def source_parameters(conn: Connection) -> dict[str, Any]:
    """The source's keyword parameters for a connection (URL, key, zone and its kind's options)."""
    if conn.kind not in SOURCE_OPTIONS:
        raise ConfigError(f"connections.{conn.name}: no API source for kind {conn.kind!r}")
    if conn.kind == "flatfiles":
        return _typed_options(conn, _drop_folder_parameters(conn))
    if not conn.url:
        raise ConfigError(f"connections.{conn.name}.url: required for a {conn.kind} connection")
    if not conn.api_key:
        raise ConfigError(
            f"connections.{conn.name}.api_key: required (secrets.toml or "
            f"OMNICANAL__CONNECTIONS__{conn.name.upper()}__API_KEY)"
        )
    params: dict[str, Any] = {
        "base_url": conn.url,
        "api_key": conn.api_key.get(),
        "connection": conn.name,
        "timezone": conn.timezone,
    }
    params = _typed_options(conn, params)
    initial = _initial_value(conn)
    if initial is not None:
        params["initial_value"] = initial
    return params


def _drop_folder_parameters(conn: Connection) -> dict[str, Any]:
    """A flat-file connection reads a drop folder (`path`) in a canonical `layout`; no URL, no key."""
    for key in ("path", "layout"):
        if not conn.options.get(key):
            raise ConfigError(f"connections.{conn.name}.{key}: required for a flatfiles connection")
    return {"connection": conn.name, "timezone": conn.timezone}


def _typed_options(conn: Connection, params: dict[str, Any]) -> dict[str, Any]:
    """`params` plus the connection's options of its kind, converted (a bad value names its key)."""
    for key, convert in SOURCE_OPTIONS[conn.kind].items():
        if key in conn.options:
            try:
                params[key] = convert(conn.options[key])
            except (TypeError, ValueError) as exc:
                raise ConfigError(
                    f"connections.{conn.name}.{key}: expected {convert.__name__}, got {conn.options[key]!r}"
                ) from exc
    return params


def _source(conn: Connection, params: dict[str, Any]) -> Any:
    if conn.kind == "prestashop":
        from sources.prestashop import prestashop_source

        return prestashop_source(**params)
    if conn.kind == "flatfiles":
        from sources.flatfiles import flatfiles_source

        return flatfiles_source(**params)
    from sources.dolibarr import dolibarr_source

    return dolibarr_source(**params)


# DuckDB's buffer pool defaults to 80 % of the machine's memory; the merges of a load need far less.
DUCKDB_MEMORY_LIMIT = "256MB"
# Load jobs (copies and merges) run at once; each DuckDB statement already uses every core. dlt's default
# of 20 jobs makes them fight for the buffer pool: the scale-100 Dolibarr load (21 tables) took 14-16.5 s
# with 20, 9.3-10.4 s with 2 (11-14 s with 3 or 4, 14 s with 1), and the PrestaShop one 5.5-6 s vs 4.4 s.
LOAD_WORKERS = 2


def _pipeline(conn: Connection, settings: Settings) -> Any:
    import dlt
    from dlt.destinations.impl.duckdb.configuration import DuckDbCredentials

    settings.pipelines_dir.mkdir(parents=True, exist_ok=True)
    settings.warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    # resources one after the other: round robin keeps a partial batch of every resource in memory at once
    dlt.config["extract.next_item_mode"] = "fifo"
    # the merge's staging copy is emptied after each load, so raw data is not kept twice in the file
    dlt.config["load.truncate_staging_dataset"] = True
    dlt.config["load.workers"] = LOAD_WORKERS
    credentials = DuckDbCredentials(str(settings.warehouse_path))
    # rows carry their keys (and a file's rows their file and line), and dlt's merge picks among duplicate
    # keys arbitrarily anyway: DuckDB may write rows in any order, inserting in parallel without holding
    # row groups back (a 1M-line file loads 2x faster under the memory limit)
    credentials.global_config = {"memory_limit": DUCKDB_MEMORY_LIMIT, "preserve_insertion_order": False}
    return dlt.pipeline(
        pipeline_name=f"omnicanal_{conn.name}",
        destination=dlt.destinations.duckdb(credentials),
        dataset_name=conn.raw_schema,
        pipelines_dir=str(settings.pipelines_dir),
    )


def _release_memory() -> None:
    """Hand the heap the extraction freed back to the system (glibc keeps it otherwise), for the peak RSS."""
    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: the memory is reused by the load instead
        pass


def _source_error(exc: BaseException) -> BaseException | None:
    """The source's own error inside dlt's wrappers (it names connection, resource and page)."""
    from sources._common.errors import SourceError

    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, SourceError):
            return current
        seen.add(id(current))
        nxt = getattr(current, "exception", None)
        current = nxt if isinstance(nxt, BaseException) else (current.__cause__ or current.__context__)
    return None


def extract_connection(
    conn: Connection,
    settings: Settings,
    *,
    full: bool = False,
    sweep: bool = False,
    window: tuple[datetime, datetime] | None = None,
) -> ExtractResult:
    """Extract one connection into `raw_<connection>` of the working warehouse.

    Args:
        conn: the connection (kind `prestashop` or `dolibarr`).
        settings: gives the warehouse file and the dlt pipelines folder.
        full: ignore the saved cursors and re-read everything (the sweeps run too).
        sweep: run the periodic sweeps now (stock, combinations, variants, prices, deletions).
        window: a backfill `(start, end)`: re-read that window without moving any cursor.

    Returns:
        Rows per raw table, requests made and seconds.

    Raises:
        ExtractionFailed: the extraction failed; nothing of this run is recorded as loaded (dlt
            commits rows and cursors together, and an interrupted load is finished by the next run).
    """
    from sources._common.http import RequestCounter

    if window is not None and (full or sweep):
        raise ConfigError(
            "a backfill window re-reads that window only: it cannot be combined with full or sweep"
        )
    params = source_parameters(conn)
    counter = RequestCounter()
    if conn.kind != "flatfiles":  # files are read once each: no cursor, window or sweep
        params.update(full=full, sweep=sweep or full, window=window, request_counter=counter)
    started = time.perf_counter()
    pipeline = _pipeline(conn, settings)
    if not pipeline.state.get("sources"):
        # no local state (a new machine, a restored or copied warehouse): take the state and schema dlt
        # keeps in the warehouse itself, so cursors carry on and a sweep can tell what was deleted
        pipeline.sync_destination()
    first = not pipeline.state.get("sources")
    try:
        if pipeline.has_pending_data:
            # a previous run was interrupted while normalizing or loading: finish it first
            pipeline.run()
        # what lives now (modules, configuration) outlasts the extraction: the collection after it skips them
        gc.freeze()
        try:
            pipeline.extract(_source(conn, params), loader_file_format="parquet")
            normalized = pipeline.normalize()
            _release_memory()  # the extraction's pages are garbage now; DuckDB's merges come next
        finally:
            gc.unfreeze()
        loading = time.perf_counter()
        pipeline.load()
        load_seconds = time.perf_counter() - loading
    except Exception as exc:
        cause = _source_error(exc)
        reason = str(cause) if cause is not None else one_line_reason(exc)
        raise ExtractionFailed(f"extraction of {conn.name} failed: {reason}") from exc
    if conn.kind == "flatfiles":
        _settle_files(conn, params["path"], pipeline.state)
    row_counts = normalized.row_counts
    return ExtractResult(
        connection=conn.name,
        kind=conn.kind,
        rows={t: n for t, n in sorted(row_counts.items()) if not t.startswith("_dlt")},
        requests=counter.requests,
        retries=counter.retries,
        seconds=time.perf_counter() - started,
        load_seconds=load_seconds,
        full=full,
        sweep=sweep or full,
        window=window,
        first=first,
    )


def _settle_files(conn: Connection, path: str, state: dict[str, Any]) -> None:
    """Move the files the committed load registered to processed/ or rejected/ (only after the commit)."""
    from sources.flatfiles import settle_drop_folder

    try:
        settle_drop_folder(path, state)
    except OSError as exc:
        raise ExtractionFailed(
            f"extraction of {conn.name}: the files were loaded, but moving them out of {path} failed "
            f"({exc}); the next run moves them without loading them again"
        ) from exc


def extract_connections(
    settings: Settings, names: list[str] | None = None, **kwargs: Any
) -> list[ExtractResult]:
    """Extract the named (or every enabled) connection, one after the other (DuckDB has one writer).

    Connections of kinds without a source here are left to their own step.
    """
    selected = settings.select(names)
    return [
        extract_connection(conn, settings, **kwargs)
        for conn in selected
        if conn.kind in SOURCE_OPTIONS or names
    ]
