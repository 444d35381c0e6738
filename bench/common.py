"""Shared measuring helpers for the benchmarks: peak RSS of child processes, timing, result lines."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = Path(__file__).parent / "results"


@dataclass
class Figure:
    """One measured figure, printed and kept in bench/results/<bench>.jsonl."""

    bench: str
    name: str
    value: float
    unit: str
    extra: dict[str, object] = field(default_factory=dict)

    def line(self) -> str:
        extra = " ".join(f"{k}={v}" for k, v in self.extra.items())
        return f"{self.name:<48} {self.value:>14,.3f} {self.unit:<10} {extra}".rstrip()


def record(figures: list[Figure]) -> None:
    """Print the figures and append them to bench/results/<bench>.jsonl with a timestamp."""
    RESULTS_DIR.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).isoformat(timespec="seconds")
    for fig in figures:
        print(fig.line(), flush=True)
        with (RESULTS_DIR / f"{fig.bench}.jsonl").open("a", encoding="utf-8") as fh:
            fh.write(json.dumps({"at": stamp, **asdict(fig)}) + "\n")


def run_measured(
    args: list[str], *, cwd: Path | None = None, env: dict[str, str] | None = None
) -> tuple[float, int, str]:
    """Run a Python child process (`args` start with `-m MODULE`); return (wall seconds, its own peak RSS
    in bytes, its stdout).

    Each measured step runs in its own process, started through `bench.measure`, which reports the peak
    of that process image alone (the kernel's `ru_maxrss` of a child includes its parent's peak).
    """
    if args[:1] != ["-m"]:
        raise ValueError(f"a measured step runs a module (-m MODULE ...), not {args[:2]}")
    started = time.perf_counter()
    with (
        tempfile.TemporaryFile(mode="w+") as out,
        tempfile.TemporaryFile(mode="w+") as err,
        tempfile.TemporaryDirectory(prefix="omnicanal-bench-") as scratch,
    ):
        peak_file = Path(scratch) / "peak"
        command = [sys.executable, "-m", "bench.measure", str(peak_file), *args[1:]]
        proc = subprocess.run(
            command, cwd=cwd or ROOT, env=env, stdout=out, stderr=err, text=True, check=False
        )
        wall = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
        peak = int(peak_file.read_text(encoding="ascii")) if peak_file.exists() else 0
    if proc.returncode != 0:
        raise RuntimeError(f"benchmark step failed ({' '.join(args)}):\n{stderr[-4000:]}")
    return wall, peak, stdout


def import_libraries(*modules: str) -> None:
    """Import what an extraction imports lazily, before its clock starts: the floor's child imports `duckdb`
    before its clock too, and a sync process has them loaded once for all its connections.

    Args:
        modules: the source packages of the step (e.g. `sources.prestashop`).
    """
    for module in (
        "dlt.common.libs.sql_alchemy_compat",  # the DuckDB credentials parse with it
        "dlt.destinations.impl.duckdb.configuration",
        "duckdb",
        "pandas",  # Arrow's kernels import it on first use
        *modules,
    ):
        importlib.import_module(module)
