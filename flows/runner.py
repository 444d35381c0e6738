"""What the CLI commands run: resolve the connections (the sandbox when none), then call the flows."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from flows.config import Settings, load_settings, write_connections_config
from flows.errors import ConfigError
from flows.progress import say, step
from flows.summary import RunSummary

SANDBOX_CONFIG_NAME = "config.toml"


def sandbox_config_path(settings: Settings) -> Path:
    return settings.data_dir / "sandbox" / SANDBOX_CONFIG_NAME


def sandbox_exports(settings: Settings) -> dict[str, dict[str, object]]:
    """The demo's outbound files: what an ERP importing files would read, in data/sandbox/outbox."""
    return {
        "erp_outbox": {
            "path": str(settings.data_dir / "sandbox" / "outbox"),
            "layouts": ["products_fr", "channel_orders_xml"],
        }
    }


def run_on_sandbox(
    settings: Settings, *, seed: int = 42, scale: float = 1.0, reset: bool = False, dry_run: bool = False
) -> RunSummary:
    """Start the sandbox (generating its world if absent), point a config at it and run the sync flow."""
    from sandbox import Sandbox  # the embedded default: only the CLI side knows the sandbox

    sandbox = Sandbox(settings.data_dir / "sandbox", seed=seed, scale=scale)
    if reset:
        with step("regenerating the sandbox world"):
            sandbox.reset()
    with step(f"starting the sandbox in {sandbox.data_dir} (the world is generated on first use)"):
        sandbox.start()
    try:
        config_path = write_connections_config(
            sandbox_config_path(settings),
            sandbox.connections(),
            exports=sandbox_exports(settings),
            comment="Written by `omnicanal demo` for the sandbox servers it started; ports change each run.",
        )
        sandbox_settings = load_settings(config_path, data_dir=settings.data_dir, environ={})
        return _run_flow(sandbox_settings, config_path, dry_run=dry_run)
    finally:
        sandbox.stop()


def _run_flow(
    settings: Settings,
    config_path: Path | None,
    *,
    connections: list[str] | None = None,
    full: bool = False,
    dry_run: bool = False,
) -> RunSummary:
    import os

    from flows.sync import sync

    if not os.environ.get("PREFECT_API_URL"):
        say("starting the sync flow (no Prefect server configured: a temporary local one starts first)")
    return sync(
        connections=connections,
        full=full,
        dry_run=dry_run,
        config_file=str(config_path) if config_path else None,
        data_dir=str(settings.data_dir),
    )


def run_configured(
    settings: Settings, *, connections: list[str] | None = None, full: bool = False, dry_run: bool = False
) -> RunSummary:
    """`omnicanal run`: the configured connections, or the sandbox when nothing is configured."""
    if not settings.connections:
        if connections:
            raise ConfigError(
                "no connection is configured (pass --config FILE or create .omnicanal/config.toml)"
            )
        return run_on_sandbox(settings, dry_run=dry_run)
    return _run_flow(settings, settings.source_file, connections=connections, full=full, dry_run=dry_run)


def extract_only(
    settings: Settings, *, connections: list[str] | None = None, full: bool = False
) -> list[str]:
    """`omnicanal extract`: extraction alone, one line per connection."""
    from flows.extract import extract_connections

    if not settings.connections:
        raise ConfigError(
            "no connection is configured (pass --config FILE, or run `omnicanal demo` for the sandbox)"
        )
    return [result.render() for result in extract_connections(settings, connections, full=full, sweep=full)]


def push_only(settings: Settings, *, dry_run: bool, only: list[str] | None) -> RunSummary:
    """`omnicanal push`: the push flow on the current warehouse (plan printed and stored; written unless dry run)."""
    import os

    from flows.push import push

    if not settings.connections:
        raise ConfigError(
            "no connection is configured (pass --config FILE; for the sandbox, data/sandbox/config.toml)"
        )
    if not os.environ.get("PREFECT_API_URL"):
        say("starting the push flow (no Prefect server configured: a temporary local one starts first)")
    result = push(
        config_file=str(settings.source_file) if settings.source_file else None,
        data_dir=str(settings.data_dir),
        dry_run=dry_run,
        only=only,
    )
    return result.summary()


def export_only(settings: Settings, *, names: list[str] | None = None) -> list[str]:
    """`omnicanal export`: write the configured export files from the current working warehouse."""
    import uuid

    from flows.export import run_exports
    from flows.guard import data_dir_lock

    if not settings.exports:
        raise ConfigError(
            "no export is configured ([exports.<name>] with path and layouts in the config file)"
        )
    with data_dir_lock(settings.data_dir):
        return run_exports(settings, f"export-{uuid.uuid4()}", names)


def backfill_window(
    settings: Settings, *, start: date, end: date, connections: list[str] | None, chunk_days: int
) -> RunSummary:
    """`omnicanal backfill`: the backfill flow on the configured connections."""
    from flows.backfill import backfill

    if not settings.connections:
        raise ConfigError("no connection is configured (pass --config FILE or create .omnicanal/config.toml)")
    return backfill(
        start=start,
        end=end,
        connections=connections,
        chunk_days=chunk_days,
        config_file=str(settings.source_file) if settings.source_file else None,
        data_dir=str(settings.data_dir),
    )


def report_paths(settings: Settings) -> tuple[Path, Path]:
    """Where the report and the dbt lineage page are written."""
    folder = settings.data_dir / "reports"
    return folder / "report.html", folder / "lineage.html"


def write_report(settings: Settings, *, output: Path | None = None, lineage: bool = True) -> Path:
    """`omnicanal report`: render the HTML report from the analysts' snapshot (or the working file).

    With `lineage`, dbt docs (lineage, model and column descriptions) are generated first as one static
    page linked from the report; that needs the working file, so not while a sync is running.
    """
    from flows.build import generate_lineage
    from flows.report import build_report

    database = settings.analyst_path if settings.analyst_path.exists() else settings.warehouse_path
    default_output, lineage_page = report_paths(settings)
    if lineage and settings.warehouse_path.exists():
        from flows.guard import data_dir_lock

        with data_dir_lock(settings.data_dir), step("generating dbt docs (lineage)"):
            generate_lineage(settings, lineage_page)
    return build_report(
        database,
        output or default_output,
        merchant=settings.merchant.name,
        lineage=lineage_page if lineage_page.exists() else None,
    )
