"""The benchmarks' memory figure is the measured step's own peak, not its parent's."""

from __future__ import annotations

import os

from bench.common import run_measured

MIB = 2**20


def test_a_step_reports_its_own_peak_whatever_its_parent_holds(tmp_path) -> None:
    # GIVEN a driver holding 256 MiB, and a step that allocates 64 MiB
    held = bytearray(256 * MIB)
    for offset in range(0, len(held), 4096):
        held[offset] = 1
    (tmp_path / "allocate.py").write_text(
        "import sys\n"
        "block = bytearray(64 * 2**20)\n"
        "for offset in range(0, len(block), 4096):\n"
        "    block[offset] = 1\n"
        "print('allocated', sys.argv[1:])\n",
        encoding="utf-8",
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")])}

    # WHEN both steps are measured
    _, small, small_out = run_measured(["-m", "json.tool", "--help"], env=env)
    _, big, big_out = run_measured(["-m", "allocate", "x", "--flag"], env=env)

    # THEN each reports its own peak: an interpreter's few tens of MiB, and that plus the block
    assert "usage" in small_out and big_out.strip() == "allocated ['x', '--flag']"
    assert small < 100 * MIB < 256 * MIB
    assert 56 * MIB < big - small < 100 * MIB
    assert held[0] == 1
