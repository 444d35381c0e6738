"""Build the warehouse: run the dbt-duckdb project in `warehouse/` on the working DuckDB file."""

from __future__ import annotations

import json
import os
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flows.config import Settings
from flows.errors import OmnicanalError

WAREHOUSE_DIR = Path(__file__).resolve().parent.parent / "warehouse"
# dbt reads its profile's path from the environment and keeps global state: one build at a time per process.
_DBT_LOCK = threading.Lock()


class WarehouseBuildError(OmnicanalError):
    """dbt could not build the warehouse: a model failed or a data test found broken rows."""


@dataclass
class BuildResult:
    """What one dbt invocation did: status counts and the failures by node."""

    command: str
    seconds: float
    statuses: dict[str, int] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)

    def render(self) -> str:
        counts = ", ".join(f"{n} {s}" for s, n in sorted(self.statuses.items()))
        return f"dbt {self.command}: {counts or 'nothing to do'} in {self.seconds:.1f} s"


def dbt_vars(settings: Settings) -> dict[str, Any]:
    """The dbt vars a build needs: which connections feed which system, and per-connection settings."""
    systems: dict[str, list[str]] = {}
    connection_settings: dict[str, dict[str, Any]] = {}
    for conn in settings.connections.values():
        if not conn.enabled:
            continue
        systems.setdefault(conn.kind, []).append(conn.name)
        connection_settings[conn.name] = {
            "kind": conn.kind,
            "role": conn.role,
            "channel": conn.channel,
            "timezone": conn.timezone,
            "safety_buffer": conn.safety_buffer,
            # options are plain settings (warehouse mapping, carriers, file layout); never secrets
            **{k: v for k, v in conn.options.items() if isinstance(v, str | int | float | bool | list)},
        }
    return {
        "connections": systems,
        "connection_settings": connection_settings,
        "merchant_timezone": settings.merchant.timezone,
        "merchant_first_day": settings.merchant.first_day.isoformat()
        if settings.merchant.first_day
        else None,
        "erp_connection": settings.erp.name if settings.erp else None,
    }


def run_dbt(settings: Settings, args: list[str], *, command: str = "build") -> BuildResult:
    """Run one dbt command in-process on the working DuckDB file.

    Args:
        settings: the resolved settings (gives the DuckDB path and the dbt vars).
        args: extra arguments after the command, e.g. `["--select", "staging"]`.
        command: the dbt command (`build`, `run`, `test`, `docs generate`...).

    Returns:
        The status counts; raises `WarehouseBuildError` naming the failed models and tests.
    """
    from dbt.cli.main import dbtRunner

    settings.warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    target_path = settings.data_dir / "work" / "dbt_target"
    cli_args = [
        *command.split(),
        "--project-dir",
        str(WAREHOUSE_DIR),
        "--profiles-dir",
        str(WAREHOUSE_DIR),
        "--target-path",
        str(target_path),
        "--log-path",
        str(settings.data_dir / "work" / "dbt_logs"),
        "--vars",
        json.dumps(dbt_vars(settings)),
        "--quiet",
        "--no-use-colors",
        "--no-send-anonymous-usage-stats",
        "--no-partial-parse" if os.environ.get("OMNICANAL_DBT_NO_PARTIAL_PARSE") else "--partial-parse",
        *args,
    ]
    started = time.perf_counter()
    with _DBT_LOCK:
        previous = os.environ.get("OMNICANAL_DUCKDB_PATH")
        os.environ["OMNICANAL_DUCKDB_PATH"] = str(settings.warehouse_path)
        try:
            result = dbtRunner().invoke(cli_args)
        finally:
            if previous is None:
                os.environ.pop("OMNICANAL_DUCKDB_PATH", None)
            else:
                os.environ["OMNICANAL_DUCKDB_PATH"] = previous
    seconds = time.perf_counter() - started
    if result.exception is not None:
        raise WarehouseBuildError(f"dbt {command} could not run: {result.exception}") from result.exception
    statuses: Counter[str] = Counter()
    failures: list[str] = []
    for node_result in getattr(result.result, "results", None) or []:
        status = str(getattr(node_result.status, "value", node_result.status))
        statuses[status] += 1
        if status in ("error", "fail", "runtime error"):
            failures.append(f"{node_result.node.unique_id}: {_reason(str(node_result.message or ''))}")
    build = BuildResult(command=command, seconds=seconds, statuses=dict(statuses), failures=failures)
    if not result.success or failures:
        shown = "; ".join(failures[:5]) or "see data/work/dbt_logs/dbt.log"
        more = f" (+{len(failures) - 5} more)" if len(failures) > 5 else ""
        raise WarehouseBuildError(f"dbt {command} failed: {shown}{more}")
    return build


def _reason(message: str) -> str:
    """The useful part of a dbt failure: a Python model's traceback ends with the exception that says why."""
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    if any(line.startswith("Traceback") for line in lines):
        lines = lines[-1:]
    text = " ".join(" ".join(lines).split())
    return text if len(text) <= 400 else text[:397] + "..."


def build_warehouse(
    settings: Settings, *, select: str | None = None, exclude: str | None = None
) -> BuildResult:
    """Build (run + test) the warehouse models, optionally a selection such as `staging core`."""
    args: list[str] = []
    if select:
        args += ["--select", *select.split()]
    if exclude:
        args += ["--exclude", *exclude.split()]
    return run_dbt(settings, args, command="build")


def generate_lineage(settings: Settings, output: Path) -> Path:
    """Generate dbt docs (lineage and column descriptions) as one static HTML page readable offline."""
    run_dbt(settings, ["--static"], command="docs generate")
    page = settings.data_dir / "work" / "dbt_target" / "static_index.html"
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = output.with_name(output.name + ".tmp")
    tmp.write_bytes(page.read_bytes())
    os.replace(tmp, output)
    return output
