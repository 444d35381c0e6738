"""`omnicanal demo` end to end, twice, with an analyst holding the published file open in between.

GIVEN a fresh data folder
WHEN `omnicanal demo` runs
THEN it extracts the sandbox, builds, checks, pushes exactly the ground truth's differences and publishes
WHEN an analyst opens the published file read-only and `omnicanal demo` runs again
THEN the run is not blocked, the analyst keeps seeing the old snapshot, the run writes 0 records,
     and a new connection sees the second run.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

OMNICANAL = str(Path(sys.executable).with_name("omnicanal"))
pytestmark = pytest.mark.slow


def _demo(data_dir: Path) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [OMNICANAL, "demo", "--data-dir", str(data_dir)], capture_output=True, text=True, timeout=1800
    )
    assert proc.returncode == 0, f"demo failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return proc


def _writes(stdout: str) -> int:
    match = re.search(r"^writes: (\d+) writes?$", stdout, re.MULTILINE)
    assert match, stdout[-2000:]
    return int(match.group(1))


def test_demo_twice_with_an_analyst_reading(tmp_path: Path) -> None:
    first = _demo(tmp_path)
    truth = json.loads((tmp_path / "sandbox" / "ground_truth.json").read_text(encoding="utf-8"))
    assert "omnicanal run" in first.stdout and "completed" in first.stdout.splitlines()[0]
    # the first run writes exactly the ground truth's differences, one record each: prices and the deliberate
    # stock disagreements to the shop, order states to the shop, missing customers and orders to the ERP
    # (stock that differs only because a web order is not in the ERP yet agrees once that order is pushed)
    expected = (
        len(truth["price_mismatches"])
        + sum(1 for m in truth["stock_mismatches"] if m.get("cause") == "deliberate")
        + len(truth["order_status_mismatches"])
        + len(truth["customers_missing_in_erp"])
        + len(truth["orders_missing_in_erp"])
    )
    assert _writes(first.stdout) == expected
    assert "KPIs per channel" in first.stdout and "channel=ALL" in first.stdout
    assert (tmp_path / "reports" / "report.html").exists()

    published = tmp_path / "omnicanal.duckdb"
    reader = duckdb.connect(str(published), read_only=True)
    try:
        before_runs = reader.execute("select run_id from audit.runs order by started_at").fetchall()
        before_kpis = reader.execute(
            "select * from marts.rpt_channel_kpis_monthly order by month, channel"
        ).fetchall()

        second = _demo(tmp_path)  # the analyst's open connection must not block it

        assert _writes(second.stdout) == 0
        assert "0 record(s) to change" in second.stdout
        # the analyst still reads the old snapshot, unchanged and consistent
        assert reader.execute("select run_id from audit.runs order by started_at").fetchall() == before_runs
        assert (
            reader.execute("select * from marts.rpt_channel_kpis_monthly order by month, channel").fetchall()
            == before_kpis
        )
    finally:
        reader.close()
    with duckdb.connect(str(published), read_only=True) as fresh:
        after_runs = fresh.execute("select run_id, status from audit.runs order by started_at").fetchall()
    assert len(after_runs) == len(before_runs) + 1 and after_runs[-1][1] == "completed"
    assert (tmp_path / "omnicanal.prev.duckdb").exists()
