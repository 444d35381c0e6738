"""Sandbox world generator benchmark: time and peak memory of one generation, rows written per second.

`python -m bench generator [--scale=100] [--seed=42]` generates the world in a measured child process (its own
peak RSS through `os.wait4`) into a temporary folder, then prints the rows per system and the throughput.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

from bench.common import Figure, record, run_measured

BENCH = "generator"


def main(argv: list[str]) -> None:
    """Generate one world at `--scale` (default 100) in a child process and record its figures."""
    scale, seed = 100.0, 42
    for arg in argv:
        if arg.startswith("--scale="):
            scale = float(arg.split("=", 1)[1])
        elif arg.startswith("--seed="):
            seed = int(arg.split("=", 1)[1])
    with tempfile.TemporaryDirectory(prefix="bench-generator-") as tmp:
        target = Path(tmp) / "world"
        wall, rss, out = run_measured(
            ["-m", "bench.bench_generator", "--step=generate", str(target), str(seed), str(scale)]
        )
        counts = json.loads(out.strip().splitlines()[-1])
        size = sum(p.stat().st_size for p in target.rglob("*") if p.is_file())
    rows = sum(v for system in ("prestashop", "dolibarr") for v in counts[system].values())
    extra = {"scale": scale, "seed": seed, "rows": rows, "disk_mib": round(size / 2**20)}
    record(
        [
            Figure(BENCH, f"generate scale {scale:g}: wall seconds", wall, "s", extra),
            Figure(
                BENCH,
                f"generate scale {scale:g}: child peak RSS",
                rss / 2**20,
                "MiB",
                {"target": "well under 1024"},
            ),
            Figure(BENCH, f"generate scale {scale:g}: rows written", rows / wall, "rows/s"),
            Figure(
                BENCH,
                f"generate scale {scale:g}: orders (ERP, all channels)",
                counts["dolibarr"]["orders"],
                "orders",
            ),
        ]
    )


def _generate_step(target: str, seed: str, scale: str) -> None:
    from sandbox.generator import generate_world

    stats = generate_world(Path(target), seed=int(seed), scale=float(scale))
    print(json.dumps(stats.counts))


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--step=generate":
        _generate_step(*sys.argv[2:5])
    else:
        main(sys.argv[1:])
