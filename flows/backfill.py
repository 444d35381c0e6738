"""The backfill flow: re-extract a date window chunk by chunk and rebuild, without moving any cursor."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from prefect import flow

from flows import audit
from flows.config import Connection, Settings
from flows.guard import exclusive_run
from flows.progress import say, step
from flows.summary import RunSummary


def chunk_window(start: date, end: date, chunk_days: int) -> list[tuple[datetime, datetime]]:
    """Cut the days `start`..`end` (both included) into half-open UTC windows of `chunk_days` days.

    Example: 2026-05-01..2026-05-10 by 7 days gives [05-01, 05-08) and [05-08, 05-11).
    """
    if chunk_days < 1:
        raise ValueError("chunk_days must be at least 1")
    if end < start:
        raise ValueError(f"end {end} is before start {start}")
    windows = []
    cursor = start
    while cursor <= end:
        upper = min(cursor + timedelta(days=chunk_days), end + timedelta(days=1))
        windows.append((datetime.combine(cursor, time(), UTC), datetime.combine(upper, time(), UTC)))
        cursor = upper
    return windows


@flow(name="backfill", log_prints=True)
def backfill(
    start: date,
    end: date,
    connections: list[str] | None = None,
    chunk_days: int = 7,
    config_file: str | None = None,
    data_dir: str | None = None,
) -> RunSummary:
    """Re-extract what changed between `start` and `end` (both days included) and rebuild the warehouse.

    The incremental cursors do not move (dlt's `end_value` windows), so the next regular sync carries on
    where it was. Nothing is pushed: a backfill corrects history, the next sync pushes what differs.

    Args:
        start: first day of the window.
        end: last day of the window, included.
        connections: connection names; every enabled API connection when empty.
        chunk_days: days per chunk (smaller chunks = smaller requests and loads).
        config_file: the TOML configuration (default `.omnicanal/config.toml`).
        data_dir: where the warehouse and state live (default `data/`).

    Returns:
        The run summary.
    """
    from flows.sync import (
        current_run_id,
        publish_snapshot,
        settings_from_parameters,
    )

    settings = settings_from_parameters(config_file, data_dir)
    windows = chunk_window(start, end, chunk_days)
    summary = RunSummary(run_id=current_run_id(), warehouse=settings.analyst_path)
    from flows.extract import SOURCE_OPTIONS

    # drop folders have no date window to re-read (each file is loaded once): a backfill concerns the APIs
    selected = [c for c in settings.select(connections) if c.kind in SOURCE_OPTIONS and c.kind != "flatfiles"]
    with exclusive_run(settings.merchant.name, settings.data_dir):
        parameters = {
            "start": start,
            "end": end,
            "connections": [c.name for c in selected],
            "chunk_days": chunk_days,
        }
        audit.start_run(settings.warehouse_path, summary.run_id, "backfill", parameters)
        try:
            _backfill_chunks(settings, selected, windows, summary)
        except Exception:
            audit.finish_run(settings.warehouse_path, summary.run_id, "failed", summary.markdown())
            raise
        audit.finish_run(settings.warehouse_path, summary.run_id, "completed", summary.markdown())
        with step("publishing the analysts' snapshot"):
            publish_snapshot(settings)
    return summary


def _backfill_chunks(
    settings: Settings,
    selected: list[Connection],
    windows: list[tuple[datetime, datetime]],
    summary: RunSummary,
) -> None:
    """Extract every chunk of every connection, then rebuild the warehouse."""
    from flows.sync import build_warehouse, extract_connection

    for index, window in enumerate(windows, 1):
        for conn in selected:
            label = f"backfill {conn.name} chunk {index}/{len(windows)} [{window[0]:%Y-%m-%d}, {window[1]:%Y-%m-%d})"
            with step(label):
                result = extract_connection(conn, settings, window=window)
            summary.extracted.append(result.render())
            say(result.render())
    with step("rebuilding the warehouse (dbt)"):
        summary.built.append(build_warehouse(settings).render())
