"""Outbound files: write the configured exports (products, prices, stock, orders) for systems that import files."""

from __future__ import annotations

from prefect import task
from prefect.cache_policies import NO_CACHE

from flows.config import ExportSettings, Settings
from flows.errors import ConfigError


def export_parameters(settings: Settings, export: ExportSettings) -> tuple[str, dict[str, object]]:
    """The connection a layout is about and the values layouts may refer to (its safety buffer)."""
    if export.connection is None:
        return export.name, {}
    conn = settings.connections[export.connection]
    return conn.name, {"safety_buffer": conn.safety_buffer}


def run_exports(settings: Settings, run_id: str, names: list[str] | None = None) -> list[str]:
    """Write every (or the named) export from the working warehouse; one line per file written.

    Each file is written atomically with its manifest (see `destinations/flatfiles/README.md`).
    """
    from destinations.flatfiles import export_files

    unknown = sorted(set(names or []) - set(settings.exports))
    if unknown:
        raise ConfigError(
            f"unknown export(s) {', '.join(unknown)}; configured: {', '.join(settings.exports) or 'none'}"
        )
    lines: list[str] = []
    for export in settings.exports.values():
        if names and export.name not in names:
            continue
        connection, parameters = export_parameters(settings, export)
        results = export_files(
            settings.warehouse_path,
            export.path,
            list(export.layouts),
            run_id=run_id,
            connection=connection,
            parameters=parameters,
        )
        lines += [f"{export.name}: {result.render()}" for result in results]
    return lines


@task(name="export_files", retries=1, retry_delay_seconds=10, cache_policy=NO_CACHE)
def export_files_task(settings: Settings, run_id: str) -> list[str]:
    """Write the configured exports (I/O on the exchange folders)."""
    return run_exports(settings, run_id)
