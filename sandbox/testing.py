"""Helpers for test suites: one pristine world per seed and scale, copied for each sandbox that writes."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from sandbox.api import Sandbox
from sandbox.generator import generate_world

# Test defaults: no 1-second sleep on a wrong Dolibarr key (set it back through the admin settings to test it).
FAST_SETTINGS: dict[str, dict[str, Any]] = {"dolibarr": {"auth_delay": 0.0}}


def pristine_world(seed: int = 42, scale: float = 1.0, cache: Path | None = None) -> Path:
    """A generated world, made once per process (or reused from `cache`); never start servers on it."""
    root = (
        cache or Path(os.environ.get("OMNICANAL_SANDBOX_CACHE", tempfile.gettempdir())) / "omnicanal-worlds"
    )
    target = root / f"seed{seed}-scale{scale:g}-pid{os.getpid()}"
    if not (target / "world.json").exists():
        generate_world(target, seed=seed, scale=scale)
    return target


def copy_world(source: Path, target: Path) -> Path:
    """Copy a world (databases, files, truth) to `target`, which then holds its own writable state."""
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("*.log", "*-wal", "*-shm"))
    return target


def sandbox_on_copy(source: Path, target: Path, settings: dict[str, dict[str, Any]] | None = None) -> Sandbox:
    """A started sandbox on a private copy of `source` (stop it when done)."""
    world = copy_world(source, target)
    meta = (world / "world.json").read_text()
    import json

    info = json.loads(meta)
    merged = {k: dict(v) for k, v in FAST_SETTINGS.items()}
    for system, values in (settings or {}).items():
        merged.setdefault(system, {}).update(values)
    sb = Sandbox(world, seed=info["seed"], scale=info["scale"], settings=merged)
    sb.start()
    return sb
