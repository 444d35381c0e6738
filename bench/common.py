"""Shared measuring helpers for the benchmarks: peak RSS of child processes, timing, result lines."""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

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


def run_measured(args: list[str], *, cwd: Path | None = None, env: dict[str, str] | None = None) -> tuple[float, int, str]:
    """Run a Python child process; return (wall seconds, peak RSS in bytes, stdout).

    The peak RSS is the child's own maximum resident set (ru_maxrss of the waited child), so each
    measured step runs in its own process.
    """
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise RuntimeError(f"benchmark step failed ({' '.join(args)}):\n{proc.stderr[-4000:]}")
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    # ru_maxrss of RUSAGE_CHILDREN is the max over all children so far: only trust it when it grew
    return wall, max(peak_kib, before) * 1024, proc.stdout
