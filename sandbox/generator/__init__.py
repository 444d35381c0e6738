"""Deterministic generator of the sandbox world: one French home-goods merchant, its ERP and its web shop."""

from __future__ import annotations

import resource
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from sandbox.generator.world import World

__all__ = ["WorldStats", "generate_world"]


@dataclass
class WorldStats:
    """What one generation produced: rows per entity and system, files, and how long it took."""

    seed: int
    scale: float
    seconds: float
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    peak_rss_mib: float = 0.0

    def render(self) -> str:
        """A short text: rows per entity, time."""
        lines = [
            f"sandbox world seed={self.seed} scale={self.scale:g} in {self.seconds:.1f} s "
            f"(peak RSS {self.peak_rss_mib:.0f} MiB)"
        ]
        for system, table in self.counts.items():
            parts = ", ".join(f"{name} {value:,}" for name, value in table.items())
            lines.append(f"  {system}: {parts}")
        return "\n".join(lines)


def generate_world(
    output_dir: Path, *, seed: int, scale: float, timezone: str = "Europe/Paris"
) -> WorldStats:
    """Generate the world into `output_dir` (replacing what is there) and return its statistics.

    The same seed and scale give byte-identical files. Memory stays bounded: rows stream to SQLite and
    CSV files as the simulated days go by.

    Args:
        output_dir: folder to write `prestashop.sqlite`, `dolibarr.sqlite`, `files/`, `ground_truth.json`
            and `world.json` into.
        seed: the random seed.
        scale: 1 is a small merchant (about 300 products, 2,000 orders); counts grow linearly with it.
        timezone: the shop's wall-clock zone (PrestaShop dates are local time in it).

    Returns:
        The statistics of the generated world.
    """
    if scale <= 0:
        raise ValueError(f"scale must be positive, got {scale}")
    started = time.perf_counter()
    output_dir = Path(output_dir)
    staging = output_dir.with_name(output_dir.name + ".generating")
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir(parents=True)
    counts = World(staging, seed=seed, scale=scale, timezone=timezone).run()
    # Swap in the finished world at once, so a failed generation never leaves half a world behind.
    if output_dir.exists():
        shutil.rmtree(output_dir)
    staging.rename(output_dir)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return WorldStats(seed, scale, time.perf_counter() - started, counts, peak)
