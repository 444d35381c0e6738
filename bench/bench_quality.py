"""Quality gate benchmark: every suite, the audit writes, the quarantine and Data Docs on a sandbox warehouse.

`python -m bench quality [--scale 100]` builds the warehouse once under `data/bench/quality-seed42-scale<scale>/`
(its own world generated there, extracted by the real sources, built by dbt: many minutes at scale
100; later runs reuse it), then measures child processes: importing GX alone (the fixed cost), and two gate
runs, the second of which compares its row counts with the first's.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

from bench.common import ROOT, Figure, record, run_measured

BENCH = "quality"
CACHE = ROOT / "data" / "bench"


def warehouse_path(scale: float, seed: int) -> Path:
    """The working DuckDB file of the sandbox warehouse at this scale, building it first if needed.

    The build runs in its own process: a child inherits its parent's peak RSS, so the driver must stay small
    for the measured children's peak memory to be their own.
    """
    done = CACHE / f"quality-seed{seed}-scale{scale:g}" / "built.json"
    if not done.exists():
        subprocess.run(
            [sys.executable, "-m", "bench.bench_quality", "--child-build", str(scale), str(seed)],
            cwd=ROOT,
            check=True,
        )
    return Path(json.loads(done.read_text())["warehouse"])


def child_build(scale: float, seed: int) -> None:
    """Generate the world if needed, extract it with the real sources, build the warehouse with dbt."""
    from flows.build import build_warehouse
    from flows.config import load_settings, write_connections_config
    from flows.extract import extract_connections
    from sandbox.generator import generate_world
    from sandbox.testing import sandbox_on_copy

    data_dir = CACHE / f"quality-seed{seed}-scale{scale:g}"
    # a world of its own: another benchmark regenerating a shared one at the same time would corrupt the copy
    world = data_dir / "world"
    if not (world / "world.json").exists():
        generate_world(world, seed=seed, scale=scale)
    started = time.perf_counter()
    sandbox = sandbox_on_copy(world, data_dir / "sandbox")
    try:
        config = write_connections_config(data_dir / "config" / "config.toml", sandbox.connections())
        settings = load_settings(config, data_dir=data_dir, environ={})
        extract_connections(settings, full=True)
    finally:
        sandbox.stop()
    build_warehouse(settings)
    shutil.rmtree(data_dir / "sandbox")  # the emulators' copy of the world is not needed any more
    seconds = time.perf_counter() - started
    (data_dir / "built.json").write_text(
        json.dumps({"warehouse": str(settings.warehouse_path), "build_seconds": round(seconds)})
    )
    print(f"built the scale {scale:g} warehouse in {seconds:.0f} s", flush=True)


def child_import() -> None:
    """Import GX and nothing else: the fixed cost every gate run pays."""
    import great_expectations  # noqa: F401

    print(json.dumps({}))


def child_gate(warehouse: Path, run_id: str, docs: Path) -> None:
    """Run the whole gate once and print its verdict, check and row counts as JSON."""
    from expectations.runner import run_gate

    result = run_gate(warehouse, run_id=run_id, data_docs_dir=docs)
    print(
        json.dumps(
            {
                "status": result.status,
                "line": result.render(),
                "gate_seconds": result.seconds,
                "checks": sum(1 for o in result.outcomes if o.success is not None),
                "quarantined": sum(len(keys) for keys in result.quarantined.values()),
                "rows": sum(result.rows_read.values()),
            }
        )
    )


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="bench quality")
    parser.add_argument("--scale", type=float, default=100.0)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args(argv)

    warehouse = warehouse_path(args.scale, args.seed)
    size_mb = warehouse.stat().st_size / 1e6
    docs = warehouse.parent.parent / "quality" / "data_docs"
    figures: list[Figure] = []
    wall, rss, _ = run_measured(["-m", "bench.bench_quality", "--child-import"], cwd=ROOT)
    figures += [
        Figure(BENCH, "import great_expectations: wall", wall, "s"),
        Figure(BENCH, "import great_expectations: peak RSS", rss / 1e6, "MB"),
    ]
    stamp = time.strftime("%Y%m%dT%H%M%S")
    for attempt in ("first", "second"):
        run_id = f"bench-{stamp}-{attempt}"
        wall, rss, out = run_measured(
            ["-m", "bench.bench_quality", "--child-gate", str(warehouse), run_id, str(docs)], cwd=ROOT
        )
        stats = json.loads(out.strip().splitlines()[-1])
        extra = {
            "scale": args.scale,
            "rows": stats["rows"],
            "checks": stats["checks"],
            "db_mb": round(size_mb),
        }
        figures += [
            Figure(BENCH, f"gate ({attempt} run): wall incl. imports", wall, "s", extra),
            Figure(BENCH, f"gate ({attempt} run): inside run_gate", stats["gate_seconds"], "s", extra),
            Figure(BENCH, f"gate ({attempt} run): peak RSS", rss / 1e6, "MB", extra),
            Figure(
                BENCH,
                f"gate ({attempt} run): rows validated per s",
                stats["rows"] / stats["gate_seconds"],
                "rows/s",
            ),
        ]
        print(stats["line"], flush=True)
    record(figures)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child-import"]:
        child_import()
    elif sys.argv[1:2] == ["--child-build"]:
        child_build(float(sys.argv[2]), int(sys.argv[3]))
    elif sys.argv[1:2] == ["--child-gate"]:
        child_gate(Path(sys.argv[2]), sys.argv[3], Path(sys.argv[4]))
    else:
        main(sys.argv[1:])
