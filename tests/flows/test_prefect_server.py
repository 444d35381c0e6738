"""A real local Prefect server: deploy prefect.yaml to a process pool, start a worker, run sync and backfill.

GIVEN a Prefect server on a free port, the sandbox servers on a copy of the test world and a config file for them
WHEN the deployments of prefect.yaml are registered, a process worker started, and `sync-frequent` then
     `backfill` triggered with that config
THEN both flow runs end COMPLETED and the analysts' file holds the marts, the audit rows and the artifacts.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
PREFECT = str(Path(sys.executable).with_name("prefect"))
pytestmark = [pytest.mark.prefect_server, pytest.mark.slow]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _stop(proc: subprocess.Popen, timeout: float = 30) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


@pytest.fixture(scope="module")
def prefect_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """A Prefect server of its own (SQLite under a temp PREFECT_HOME, scheduler off so no cron run interferes)."""
    home = tmp_path_factory.mktemp("prefect_home")
    port = _free_port()
    env = {
        **os.environ,
        "PREFECT_HOME": str(home),
        "PREFECT_API_URL": f"http://127.0.0.1:{port}/api",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_SERVER_SERVICES_SCHEDULER_ENABLED": "false",
        "PREFECT_UI_ENABLED": "false",
        "OMNICANAL_PROJECT_DIR": str(ROOT),
    }
    log = (home / "server.log").open("w")
    server = subprocess.Popen(
        [PREFECT, "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=home,
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if requests.get(f"{env['PREFECT_API_URL']}/health", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    f"Prefect server did not start:\n{(home / 'server.log').read_text()[-3000:]}"
                )
            time.sleep(1)
        yield env
    finally:
        _stop(server)
        log.close()


def _prefect(env: dict[str, str], *args: str) -> str:
    proc = subprocess.run([PREFECT, *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, (
        f"prefect {' '.join(args)} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}"
    )
    return proc.stdout


def _api(method: str, url: str, **kwargs) -> requests.Response:
    """One API call, retried while the server answers 503 (its SQLite database is busy on a loaded machine)."""
    for _ in range(30):
        response = requests.request(method, url, timeout=30, **kwargs)
        if response.status_code != 503:
            return response
        time.sleep(2)
    return response


def _wait_for_run(env: dict[str, str], flow_run_id: str, timeout: float = 1200) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = _api("GET", f"{env['PREFECT_API_URL']}/flow_runs/{flow_run_id}").json()
        if run["state"]["type"] in ("COMPLETED", "FAILED", "CRASHED", "CANCELLED"):
            return run
        time.sleep(3)
    raise TimeoutError(f"flow run {flow_run_id} did not finish in {timeout} s")


def _trigger(env: dict[str, str], deployment: str, parameters: dict) -> str:
    flow_name, name = deployment.split("/")
    dep = _api("GET", f"{env['PREFECT_API_URL']}/deployments/name/{flow_name}/{name}").json()
    run = _api(
        "POST",
        f"{env['PREFECT_API_URL']}/deployments/{dep['id']}/create_flow_run",
        json={"parameters": parameters},
    )
    assert run.status_code == 201, run.text
    return run.json()["id"]


def test_deployed_sync_and_backfill_complete_on_a_process_worker(prefect_env, tmp_path: Path) -> None:
    from flows.config import write_connections_config
    from sandbox.testing import pristine_world, sandbox_on_copy

    world = pristine_world(seed=42, scale=1.0)
    sandbox = sandbox_on_copy(world, tmp_path / "sandbox")
    worker = None
    try:
        config = write_connections_config(tmp_path / "merchant" / "config.toml", sandbox.connections())
        data_dir = tmp_path / "data"
        merchant = {"config_file": str(config), "data_dir": str(data_dir)}

        # WHEN the pool is created and prefect.yaml deployed (as `make deploy` does)
        _prefect(prefect_env, "work-pool", "create", "omnicanal-process", "--type", "process", "--overwrite")
        _prefect(prefect_env, "--no-prompt", "deploy", "--all")
        deployments = _api("POST", f"{prefect_env['PREFECT_API_URL']}/deployments/filter", json={}).json()
        assert sorted(d["name"] for d in deployments) == ["backfill", "push", "sync-frequent", "sync-nightly"]

        worker_log = (tmp_path / "worker.log").open("w")
        worker = subprocess.Popen(
            [PREFECT, "worker", "start", "--pool", "omnicanal-process"],
            env=prefect_env,
            cwd=tmp_path,
            stdout=worker_log,
            stderr=subprocess.STDOUT,
        )

        # AND a sync (dry run: the plan only) then a backfill are triggered
        sync_id = _trigger(prefect_env, "sync/sync-frequent", {**merchant, "dry_run": True})
        sync_run = _wait_for_run(prefect_env, sync_id)
        assert sync_run["state"]["type"] == "COMPLETED", (tmp_path / "worker.log").read_text()[-4000:]
        backfill_id = _trigger(
            prefect_env,
            "backfill/backfill",
            {**merchant, "start": "2026-10-01", "end": "2026-10-10", "chunk_days": 5},
        )
        backfill_run = _wait_for_run(prefect_env, backfill_id)
        assert backfill_run["state"]["type"] == "COMPLETED", (tmp_path / "worker.log").read_text()[-4000:]
    finally:
        if worker is not None:
            _stop(worker)  # the worker first: it lingers once its server is gone
        sandbox.stop()

    # THEN the analysts' file has the marts and the two runs in audit.runs under their Prefect ids
    with duckdb.connect(str(data_dir / "omnicanal.duckdb"), read_only=True) as con:
        assert con.execute("select count(*) from marts.rpt_channel_kpis_monthly").fetchall()[0][0] > 0
        assert con.execute("select count(*) from core.fct_order_lines").fetchall()[0][0] > 0
        runs = dict(con.execute("select run_id, flow || ':' || status from audit.runs").fetchall())
    assert runs[sync_id] == "sync:completed" and runs[backfill_id] == "backfill:completed"
    # AND the sync published its artifacts (summary, data quality, push plan)
    artifacts = _api(
        "POST",
        f"{prefect_env['PREFECT_API_URL']}/artifacts/filter",
        json={"flow_runs": {"id": {"any_": [sync_id]}}},
    ).json()
    assert {"sync-summary", "data-quality", "push-plan"} <= {a["key"] for a in artifacts}
