"""The test surface (faults, request log, clock, direct mutations) and the state kept on disk."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import requests

from sandbox import Sandbox
from sandbox.testing import FAST_SETTINGS


def _ps(sb: Sandbox, path: str) -> requests.Response:
    return requests.get(
        f"{sb.prestashop.url}/{path}",
        params={"output_format": "JSON"},
        auth=(sb.prestashop.key, ""),
        timeout=30,
    )


def _erp(sb: Sandbox, path: str) -> requests.Response:
    return requests.get(f"{sb.dolibarr.url}/{path}", headers={"DOLAPIKEY": sb.dolibarr.key}, timeout=30)


def test_429_with_retry_after_then_success_scoped_by_path(fresh_sandbox: Sandbox) -> None:
    admin = fresh_sandbox.admin("prestashop")
    admin.faults("status", status=429, retry_after="3", path_prefix="/api/orders", count=1)
    assert _ps(fresh_sandbox, "products/1").status_code == 200  # another path is untouched
    throttled = _ps(fresh_sandbox, "orders/1")
    assert throttled.status_code == 429 and throttled.headers["Retry-After"] == "3"
    assert _ps(fresh_sandbox, "orders/1").status_code == 200
    log = admin.requests()
    assert [(e["path_and_query"], e["status"], e.get("fault")) for e in log] == [
        ("/api/products/1?output_format=JSON", 200, None),
        ("/api/orders/1?output_format=JSON", 429, "status"),
        ("/api/orders/1?output_format=JSON", 200, None),
    ]


def test_500_after_skipping_the_first_request(fresh_sandbox: Sandbox) -> None:
    admin = fresh_sandbox.admin("dolibarr")
    admin.faults("status", status=500, path_prefix="/api/index.php/products", skip=1, count=1)
    assert [_erp(fresh_sandbox, "products?limit=1").status_code for _ in range(3)] == [200, 500, 200]


def test_slow_truncated_malformed_and_reset_answers(fresh_sandbox: Sandbox) -> None:
    admin = fresh_sandbox.admin("dolibarr")
    admin.faults("slow", delay=0.05, path_prefix="/api/index.php/warehouses")
    assert _erp(fresh_sandbox, "warehouses").status_code == 200
    admin.faults("truncate", path_prefix="/api/index.php/products")
    with pytest.raises(requests.exceptions.RequestException):
        _erp(fresh_sandbox, "products?limit=50").content  # noqa: B018 - reading the body is the point
    admin.faults("malformed", path_prefix="/api/index.php/orders")
    bad = _erp(fresh_sandbox, "orders?limit=5")
    assert bad.status_code == 200
    with pytest.raises(ValueError):
        bad.json()
    admin.faults("reset", path_prefix="/api/index.php/thirdparties")
    with pytest.raises(requests.exceptions.ConnectionError):
        _erp(fresh_sandbox, "thirdparties")
    assert _erp(fresh_sandbox, "products?limit=1").status_code == 200  # every fault fired once
    assert [e.get("fault") for e in admin.requests()] == ["slow", "truncate", "malformed", "reset", None]


def test_request_log_redacts_keys_and_can_be_cleared(fresh_sandbox: Sandbox) -> None:
    ps = fresh_sandbox.prestashop
    requests.get(f"{ps.url}/products", params={"ws_key": ps.key, "limit": "0,1"}, timeout=30)
    admin = fresh_sandbox.admin("prestashop")
    (entry,) = admin.requests()
    assert entry["path_and_query"] == "/api/products?ws_key=<REDACTED>&limit=0%2C1" and ps.key not in str(
        entry
    )
    admin.clear_requests()
    assert admin.requests() == []


def test_frozen_and_advanced_clock(fresh_sandbox: Sandbox) -> None:
    admin = fresh_sandbox.admin("dolibarr")
    assert admin.clock(freeze="2026-12-01T08:00:00Z")["unix"] == 1796112000
    assert _erp(fresh_sandbox, "status").json()["success"]["timestamp_now_utc"] == 1796112000
    admin.clock(advance=3600)
    assert _erp(fresh_sandbox, "status").json()["success"]["date_tz"] == "2026-12-01 09:00:00"
    assert admin.clock(real=True)["frozen"] is False


def test_the_shop_access_time_follows_the_clock_that_stamps_its_writes(fresh_sandbox: Sandbox) -> None:
    admin = fresh_sandbox.admin("prestashop")
    admin.clock(freeze="2026-12-01T08:00:00Z")
    assert _ps(fresh_sandbox, "products/1").headers["Access-Time"] == "1796112000"
    admin.clock(advance=90)
    assert _ps(fresh_sandbox, "nope").headers["Access-Time"] == "1796112090"  # errors carry it too
    # GIVEN a write at that instant: its answer's Access-Time and the date_upd it stamps are the same moment
    history = (
        '<?xml version="1.0" encoding="UTF-8"?><prestashop><order_history><id_order>1</id_order>'
        "<id_order_state>6</id_order_state></order_history></prestashop>"
    )
    written = requests.post(
        f"{fresh_sandbox.prestashop.url}/order_histories",
        data=history.encode(),
        auth=(fresh_sandbox.prestashop.key, ""),
        timeout=30,
    )
    assert written.status_code == 201, written.text
    assert written.headers["Access-Time"] == "1796112090"
    assert admin.rows("orders", id=1)[0]["date_upd"] == "2026-12-01 09:01:30"  # Europe/Paris wall clock
    # back on the real clock, so is the header
    admin.clock(real=True)
    assert abs(int(_ps(fresh_sandbox, "products/1").headers["Access-Time"]) - time.time()) < 600


def test_direct_mutations_set_and_delete_rows(fresh_sandbox: Sandbox) -> None:
    admin = fresh_sandbox.admin("prestashop")
    assert admin.set_row("products", 1, date_upd="2026-11-30 12:00:00") == 1
    assert _ps(fresh_sandbox, "products/1").json()["product"]["date_upd"] == "2026-11-30 12:00:00"
    assert admin.rows("products", id=1)[0]["date_upd"] == "2026-11-30 12:00:00"
    assert admin.delete_row("products", 1) == 1
    assert _ps(fresh_sandbox, "products/1").status_code == 404
    with pytest.raises(RuntimeError):
        admin.set_row("products", 2, no_such_column=1)


def test_writes_survive_a_restart_and_reset_starts_over(fresh_sandbox: Sandbox) -> None:
    erp = fresh_sandbox.dolibarr
    body = {"product_id": 1, "warehouse_id": 1, "qty": 5, "movementcode": "PERSIST-1"}
    assert (
        requests.post(
            f"{erp.url}/stockmovements", json=body, headers={"DOLAPIKEY": erp.key}, timeout=30
        ).status_code
        == 200
    )
    fresh_sandbox.stop()
    again = Sandbox(fresh_sandbox.data_dir, seed=42, scale=1.0, settings=FAST_SETTINGS)
    with again:
        found = _erp(again, "stockmovements?sqlfilters=(t.inventorycode:=:'PERSIST-1')").json()
        assert len(found) == 1
        again.reset()
        assert _erp(again, "stockmovements?sqlfilters=(t.inventorycode:=:'PERSIST-1')").json() == []
    assert (Path(fresh_sandbox.data_dir) / "ground_truth.json").exists()


def test_a_different_seed_regenerates_the_data_dir(world_dir: Path, tmp_path: Path) -> None:
    from sandbox.testing import copy_world

    copy_world(world_dir, tmp_path / "w")
    sb = Sandbox(tmp_path / "w", seed=43, scale=0.2)
    sb.ensure_world()
    assert sb.world()["seed"] == 43


def test_servers_stop_when_their_parent_dies(world_dir: Path, tmp_path: Path) -> None:
    import os
    import signal
    import subprocess
    import sys
    import time

    from sandbox.testing import copy_world

    copy_world(world_dir, tmp_path / "w")
    script = (
        "import sys, time; from pathlib import Path; from sandbox import Sandbox\n"
        f"sb = Sandbox(Path({str(tmp_path / 'w')!r}), seed=42, scale=1.0); sb.start()\n"
        "print(sb.prestashop.port, sb.dolibarr.port, flush=True); time.sleep(600)\n"
    )
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    ports = [int(p) for p in parent.stdout.readline().split()]  # type: ignore[union-attr]
    assert requests.get(f"http://127.0.0.1:{ports[0]}/__sandbox__/health", timeout=5).status_code == 200
    os.kill(parent.pid, signal.SIGKILL)
    parent.wait()
    deadline = time.monotonic() + 15
    alive = ports
    while alive and time.monotonic() < deadline:
        alive = [p for p in alive if _answers(p)]
        time.sleep(0.2)
    assert alive == []


def _answers(port: int) -> bool:
    try:
        requests.get(f"http://127.0.0.1:{port}/__sandbox__/health", timeout=1)
    except requests.exceptions.ConnectionError:
        return False
    return True
