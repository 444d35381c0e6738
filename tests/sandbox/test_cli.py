"""The `omnicanal sandbox generate` and `sandbox reset` commands."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from flows.cli import main


def test_generate_writes_a_world_and_reset_starts_over(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        main(["sandbox", "generate", "--output", str(tmp_path / "w"), "--seed", "5", "--scale", "0.1"]) == 0
    )
    assert "prestashop: products" in capsys.readouterr().out
    assert json.loads((tmp_path / "w" / "world.json").read_text())["seed"] == 5
    data = tmp_path / "data"
    assert main(["sandbox", "reset", "--data-dir", str(data), "--seed", "6", "--scale", "0.1"]) == 0
    world = data / "sandbox" / "world.json"
    first = world.read_bytes()
    (data / "sandbox" / "ground_truth.json").write_text("{}")
    assert main(["sandbox", "reset", "--data-dir", str(data), "--seed", "6", "--scale", "0.1"]) == 0
    assert (
        world.read_bytes() == first
        and json.loads((data / "sandbox" / "ground_truth.json").read_text())["counts"]
    )
