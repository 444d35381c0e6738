"""The main Prefect flow: extract, build, check, push, publish; each step a named task."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING

from prefect import flow, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run

from flows import audit
from flows.build import BuildResult
from flows.build import build_warehouse as _build_warehouse
from flows.config import Connection, Settings, load_settings
from flows.errors import QualityGateBlocked
from flows.guard import exclusive_run
from flows.progress import say, step
from flows.summary import RunSummary, latest_channel_kpis, table_row_counts

if TYPE_CHECKING:
    from flows.extract import ExtractResult


def current_run_id() -> str:
    """The Prefect flow-run id when inside a flow run, else a fresh UUID."""
    run_id = flow_run.get_id()
    return str(run_id) if run_id else str(uuid.uuid4())


# Settings hold secrets: tasks taking them never hash or cache their inputs (NO_CACHE).
@task(
    name="extract_connection",
    retries=2,
    retry_delay_seconds=[10, 60],
    task_run_name="extract {conn.name}",
    cache_policy=NO_CACHE,
)
def extract_connection(
    conn: Connection,
    settings: Settings,
    full: bool = False,
    sweep: bool = False,
    window: tuple[datetime, datetime] | None = None,
) -> ExtractResult:
    """Extract one connection into raw_<connection> (I/O: retried with backoff)."""
    from flows.extract import extract_connection as extract

    return extract(conn, settings, full=full, sweep=sweep, window=window)


@task(name="publish_snapshot", retries=2, retry_delay_seconds=5, cache_policy=NO_CACHE)
def publish_snapshot(settings: Settings) -> str:
    """Publish the working file as the analysts' snapshot (atomic rename, previous kept)."""
    from flows.publish import publish_snapshot as publish

    return str(publish(settings.warehouse_path, settings.analyst_path))


@task(name="build_warehouse", cache_policy=NO_CACHE)
def build_warehouse(settings: Settings, select: str | None = None) -> BuildResult:
    """Run dbt build (staging, core, costing, marts, sync) on the working file."""
    return _build_warehouse(settings, select=select)


def settings_from_parameters(config_file: str | None, data_dir: str | None) -> Settings:
    return load_settings(config_file, data_dir=data_dir)


def run_sync(
    settings: Settings,
    *,
    connections: list[str] | None = None,
    full: bool = False,
    sweep: bool = False,
    dry_run: bool = False,
) -> RunSummary:
    """The body of the sync flow, on already-resolved settings (the CLI and the deployments share it).

    Extract → build (staging, core, costing, marts, sync) → quality gate → plan the push → push (unless
    dry run) → confirm (re-extract what was written) → report → publish the analysts' snapshot.
    A blocked or errored gate stops the run before any push and publishes nothing.
    """
    from flows.export import export_files_task
    from flows.push import confirm_push_task, execute_push_task, plan_push_task
    from flows.quality import check_quality

    run_id = current_run_id()
    summary = RunSummary(run_id=run_id, warehouse=settings.analyst_path)
    selected = settings.select(connections)
    audit.start_run(
        settings.warehouse_path,
        run_id,
        "sync",
        {"connections": [c.name for c in selected], "full": full, "sweep": sweep, "dry_run": dry_run},
    )
    try:
        for conn in selected:
            with step(f"extracting {conn.name} ({conn.kind})"):
                result = extract_connection(conn, settings, full=full, sweep=sweep or full)
            summary.extracted.append(result.render())
            say(result.render())
        with step("building the warehouse (dbt)"):
            build = build_warehouse(settings)
        summary.built.append(build.render())
        with step("checking the data (quality gate)"):
            try:
                gate = check_quality(settings, run_id)
            except QualityGateBlocked as exc:
                summary.checks.append(str(exc))
                summary.status = "blocked"
                raise
        summary.checks.append(gate.render())
        with step("planning the push"):
            plan = plan_push_task(settings, run_id, None, run_id)
        summary.pushes.append(plan.render())
        create_markdown_artifact(key="push-plan", markdown=plan.markdown(), description="omnicanal push plan")
        if plan.records:
            with step("pushing" + (" (dry run: nothing is written)" if dry_run else "")):
                pushed = execute_push_task(settings, plan, dry_run)
            summary.pushes += pushed.lines()
            summary.writes = pushed.writes
            outcome = pushed.markdown()
            if pushed.writes:
                with step("confirming the push (re-extract what was written)"):
                    confirmed = confirm_push_task(settings, pushed)
                summary.pushes.append(confirmed.render())
                outcome += "\n\n" + confirmed.markdown()
            create_markdown_artifact(
                key="push-summary", markdown=outcome, description="omnicanal push outcome"
            )
        if settings.exports and not dry_run:
            with step("writing the export files"):
                summary.pushes += export_files_task(settings, run_id)
        summary.table_rows = table_row_counts(settings.warehouse_path)
        summary.kpis = latest_channel_kpis(settings.warehouse_path)
        with step("writing the report"):
            summary.notes.append(f"report: {write_report_task(settings)}")
    except Exception:
        if summary.status == "completed":
            summary.status = "failed"
        audit.finish_run(settings.warehouse_path, run_id, summary.status, summary.markdown())
        create_markdown_artifact(
            key="sync-summary", markdown=summary.markdown(), description="omnicanal sync"
        )
        raise
    if dry_run:
        summary.status = "completed (dry run)"
    audit.finish_run(settings.warehouse_path, run_id, "completed", summary.markdown())
    with step("publishing the analysts' snapshot"):
        publish_snapshot(settings)
    create_markdown_artifact(
        key="sync-summary", markdown=summary.markdown(), description="omnicanal sync summary"
    )
    return summary


@task(name="write_report", cache_policy=NO_CACHE)
def write_report_task(settings: Settings) -> str:
    """Render the HTML report from the working file (the lineage page comes with `omnicanal report`)."""
    from flows.report import build_report
    from flows.runner import report_paths

    output, lineage = report_paths(settings)
    return str(
        build_report(
            settings.warehouse_path,
            output,
            merchant=settings.merchant.name,
            lineage=lineage if lineage.exists() else None,
        )
    )


@flow(name="sync", log_prints=True)
def sync(
    connections: list[str] | None = None,
    full: bool = False,
    sweep: bool = False,
    dry_run: bool = False,
    config_file: str | None = None,
    data_dir: str | None = None,
) -> RunSummary:
    """Extract every (or the named) connection, build and check the warehouse, push, publish.

    Args:
        connections: connection names to extract; all enabled ones when empty.
        full: ignore incremental cursors and re-read everything (implies the sweeps).
        sweep: run the periodic full sweeps (stock, combinations, deletions).
        dry_run: plan the push and store the plan, write nothing.
        config_file: the TOML configuration (default `.omnicanal/config.toml`).
        data_dir: where the warehouse and state live (default `data/`).

    Returns:
        The run summary (rows, KPIs, checks, pushes).
    """
    settings = settings_from_parameters(config_file, data_dir)
    with exclusive_run(settings.merchant.name, settings.data_dir):
        return run_sync(settings, connections=connections, full=full, sweep=sweep, dry_run=dry_run)
