"""The `omnicanal` command: thin wrappers that call the flows and plain functions (imports stay lazy)."""

from __future__ import annotations

import os
import sys
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from flows.errors import OmnicanalError, one_line_reason

# Prefect reads these at import time; the commands below import Prefect lazily, after this.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_TO_API_ENABLED", "false")
# Without a Prefect server configured, the flow starts a temporary one. On a first run its database is
# created and migrated, which takes longer than Prefect's 20 s wait on a small or busy machine.
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180")
# A person at the CLI sees omnicanal's own progress lines and a one-line reason on failure; the libraries'
# console chatter (Prefect's tracebacks, dlt's schema notices) stays out of the way unless asked for.
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
os.environ.setdefault("PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL", "CRITICAL")
os.environ.setdefault("RUNTIME__LOG_LEVEL", "ERROR")

app = typer.Typer(
    name="omnicanal",
    help="Keep an ERP and its sales channels in agreement, and see what each channel earns.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
sandbox_app = typer.Typer(
    help="The emulated ERP (Dolibarr) and web shop (PrestaShop) with generated data.", no_args_is_help=True
)
app.add_typer(sandbox_app, name="sandbox")

ConfigOpt = Annotated[
    Path | None,
    typer.Option(
        "--config", "-c", help="TOML config file (default .omnicanal/config.toml; none = the sandbox)."
    ),
]
DataDirOpt = Annotated[
    Path | None,
    typer.Option("--data-dir", help="Where the warehouse, state and sandbox live (default data/)."),
]
ConnectionOpt = Annotated[
    list[str] | None, typer.Option("--connection", help="Only this connection (repeatable).")
]
SeedOpt = Annotated[int, typer.Option("--seed", help="Seed of the generated sandbox world.")]
ScaleOpt = Annotated[float, typer.Option("--scale", help="Size of the sandbox world (1 = a small merchant).")]


def _settings(config: Path | None, data_dir: Path | None):
    from flows.config import load_settings

    return load_settings(config, data_dir=data_dir)


@app.command()
def demo(
    seed: SeedOpt = 42,
    scale: ScaleOpt = 1.0,
    reset: Annotated[bool, typer.Option("--reset", help="Regenerate the sandbox world first.")] = False,
    data_dir: DataDirOpt = None,
) -> None:
    """Start the sandbox (generating it if needed) and run the whole sync on it, then print the summary."""
    from flows.config import load_settings
    from flows.runner import run_on_sandbox

    settings = load_settings(
        None,
        data_dir=data_dir,
        environ={k: v for k, v in os.environ.items() if not k.startswith("OMNICANAL__")},
    )
    summary = run_on_sandbox(settings, seed=seed, scale=scale, reset=reset)
    typer.echo(summary.render())


@app.command()
def run(
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
    connection: ConnectionOpt = None,
    full: Annotated[
        bool, typer.Option("--full", help="Full extraction and sweeps, ignoring cursors.")
    ] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Plan the push, write nothing.")] = False,
) -> None:
    """Run the whole sync (extract, build, check, cost, push, publish) on the configured connections."""
    from flows.runner import run_configured

    summary = run_configured(_settings(config, data_dir), connections=connection, full=full, dry_run=dry_run)
    typer.echo(summary.render())


@app.command()
def extract(
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
    connection: ConnectionOpt = None,
    full: Annotated[
        bool, typer.Option("--full", help="Full extraction and sweeps, ignoring cursors.")
    ] = False,
) -> None:
    """Extract the connections into their raw_<connection> schemas, and nothing else."""
    from flows.runner import extract_only

    for line in extract_only(_settings(config, data_dir), connections=connection, full=full):
        typer.echo(line)


@app.command()
def push(
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print and store the plan; write nothing.")
    ] = False,
    only: Annotated[
        list[str] | None, typer.Option("--only", help="Only this entity, e.g. prestashop.stock (repeatable).")
    ] = None,
) -> None:
    """Push the reconciled referentials from the current warehouse to the shops and the ERP."""
    from flows.runner import push_only

    typer.echo(push_only(_settings(config, data_dir), dry_run=dry_run, only=only).render())


@app.command()
def export(
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
    name: Annotated[list[str] | None, typer.Option("--name", help="Only this export (repeatable).")] = None,
) -> None:
    """Write the configured export files (CSV/XML with a manifest) from the current warehouse."""
    from flows.runner import export_only

    for line in export_only(_settings(config, data_dir), names=name):
        typer.echo(line)


@app.command()
def backfill(
    start: Annotated[str, typer.Option("--start", help="First day of the window (YYYY-MM-DD).")],
    end: Annotated[str, typer.Option("--end", help="Last day of the window, included (YYYY-MM-DD).")],
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
    connection: ConnectionOpt = None,
    chunk_days: Annotated[int, typer.Option("--chunk-days", help="Days per chunk.")] = 7,
) -> None:
    """Re-extract a date window and rebuild what it touches, without moving the incremental cursors."""
    try:
        first, last = date.fromisoformat(start), date.fromisoformat(end)
    except ValueError as exc:
        raise typer.BadParameter(f"dates are YYYY-MM-DD ({exc})") from exc
    if last < first:
        raise typer.BadParameter(f"--end {last} is before --start {first}")
    from flows.runner import backfill_window

    summary = backfill_window(
        _settings(config, data_dir), start=first, end=last, connections=connection, chunk_days=chunk_days
    )
    typer.echo(summary.render())


@app.command()
def report(
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
    output: Annotated[
        Path | None, typer.Option("--output", help="HTML file to write (default data/reports/report.html).")
    ] = None,
    lineage: Annotated[
        bool, typer.Option("--lineage/--no-lineage", help="Also generate the dbt docs page (lineage).")
    ] = True,
) -> None:
    """Write the static HTML report (margins, KPIs, stock cover, reconciliation, quality) from the warehouse."""
    from flows.runner import write_report

    typer.echo(str(write_report(_settings(config, data_dir), output=output, lineage=lineage)))


@app.command()
def costing(
    input: Annotated[Path, typer.Option("--input", help="Folder with the seven input CSV files.")],
    output: Annotated[Path, typer.Option("--output", help="Folder to write the five result CSV files into.")],
) -> None:
    """Cost a data set (FIFO real cost, perpetual and periodic CMUP) and compute the KPIs, CSV in and out."""
    from warehouse.costing import CostingInputError
    from warehouse.costing.io import run_costing_files

    try:
        paths = run_costing_files(input, output)
    except CostingInputError as exc:
        # The message already names the file, the line and the rule: print it as the one line, nothing written.
        typer.echo(f"omnicanal: {exc}", err=True)
        raise typer.Exit(1) from exc
    for path in paths:
        typer.echo(str(path))


@sandbox_app.command("up")
def sandbox_up(
    seed: SeedOpt = 42,
    scale: ScaleOpt = 1.0,
    data_dir: DataDirOpt = None,
    prestashop_port: Annotated[int, typer.Option(help="Port of the PrestaShop emulator (0 = any free).")] = 0,
    dolibarr_port: Annotated[int, typer.Option(help="Port of the Dolibarr emulator (0 = any free).")] = 0,
) -> None:
    """Start the emulators in the foreground and print their URLs and keys (Ctrl-C or SIGTERM stops them).

    It also writes <data-dir>/sandbox/config.toml (and secrets.toml beside it), so that in another terminal
    `omnicanal run --config data/sandbox/config.toml` (or extract, push, backfill) works on the sandbox.
    """
    from flows.config import write_connections_config
    from sandbox import Sandbox

    base = (data_dir or Path("data")) / "sandbox"
    with Sandbox(
        base, seed=seed, scale=scale, prestashop_port=prestashop_port, dolibarr_port=dolibarr_port
    ) as sb:
        config = write_connections_config(
            base / "config.toml",
            sb.connections(),
            comment="Written by `omnicanal sandbox up` for its servers.",
        )
        typer.echo(sb.describe())
        typer.echo(f"\nconfiguration for these servers: {config}\n  omnicanal run --config {config}")
        sb.wait()


@sandbox_app.command("reset")
def sandbox_reset(seed: SeedOpt = 42, scale: ScaleOpt = 1.0, data_dir: DataDirOpt = None) -> None:
    """Throw the sandbox world away and generate it again (what earlier pushes changed is lost)."""
    from sandbox import Sandbox

    sb = Sandbox((data_dir or Path("data")) / "sandbox", seed=seed, scale=scale)
    sb.reset()
    typer.echo(f"sandbox world regenerated in {sb.data_dir} (seed {seed}, scale {scale})")


@sandbox_app.command("generate")
def sandbox_generate(
    output: Annotated[Path, typer.Option("--output", help="Folder to write the world into.")],
    seed: SeedOpt = 42,
    scale: ScaleOpt = 1.0,
) -> None:
    """Generate a world into a folder without starting servers (streams to disk at any scale)."""
    from sandbox.generator import generate_world

    stats = generate_world(output, seed=seed, scale=scale)
    typer.echo(stats.render() if hasattr(stats, "render") else str(stats))


def main(argv: list[str] | None = None) -> int:
    """Console entry point: a one-line reason and a non-zero code on failure (`OMNICANAL_DEBUG=1` for traces)."""
    try:
        # standalone mode: usage errors print the usage and exit 2, --help exits 0
        app(args=argv, prog_name="omnicanal")
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except KeyboardInterrupt:
        typer.echo("omnicanal: interrupted", err=True)
        return 130
    except Exception as exc:  # noqa: BLE001 - the CLI's job is to turn any failure into one line
        if os.environ.get("OMNICANAL_DEBUG"):
            raise
        typer.echo(f"omnicanal: {one_line_reason(exc)}", err=True)
        return exc.exit_code if isinstance(exc, OmnicanalError) else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
