"""`omnicanal push` and the `push` Prefect flow: the plan is printed, stored and published; a dry run writes nothing."""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def prefect_api() -> Iterator[None]:
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness():
        yield


def _artifact(key: str) -> str:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    with get_client(sync_client=True) as client:
        [artifact] = client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[key])), limit=1
        )
    return str(artifact.data)


def test_cli_dry_run_prints_stores_and_publishes_the_plan_and_writes_nothing(
    pushable: Any, prefect_api: None
) -> None:
    from flows.cli import app

    settings = pushable.settings
    # WHEN a person asks for a dry run of the stock and order pushes
    result = CliRunner().invoke(
        app,
        [
            "push",
            "--dry-run",
            "--config",
            str(settings.source_file),
            "--data-dir",
            str(settings.data_dir),
            "--only",
            "prestashop.stock",
            "--only",
            "dolibarr.orders",
        ],
    )
    # THEN the plan's counts and rows are printed, and the run says nothing was written
    assert result.exit_code == 0, result.output
    output = result.stdout
    assert "dolibarr.orders: 10 planned" in output and "prestashop.stock: 5 planned" in output
    assert "writes: 0 writes" in output
    assert "webshop:MX-JAR-00186" in output and "push plan" in output
    # AND nothing reached either system
    assert pushable.writes("prestashop") == [] and pushable.writes("dolibarr") == []
    # AND the plan is stored in the ledger and the run book, and published as an artifact
    [(run_id, status)] = pushable.sql("select run_id, status from audit.runs where flow = 'push'")
    assert status == "dry run"
    assert pushable.sql(
        "select entity, status, count(*) from audit.push_log where run_id = ? group by all order by all",
        run_id,
    ) == [("orders", "planned", 10), ("stock", "planned", 5)]
    assert (settings.data_dir / "reports" / f"push_plan_{run_id}.csv").exists()
    assert "| prestashop.stock | 5 | 0 |" in _artifact("push-plan")
    assert "dry run: nothing written" in _artifact("push-summary")


def test_the_push_deployment_matches_the_flow_signature() -> None:
    from pathlib import Path

    from flows.push import push

    deployments = yaml.safe_load((Path(__file__).resolve().parents[2] / "prefect.yaml").read_text())[
        "deployments"
    ]
    [deployment] = [d for d in deployments if d["entrypoint"] == "flows/push.py:push"]
    parameters = set(inspect.signature(push.fn).parameters)
    assert set(deployment.get("parameters") or {}) <= parameters
    assert {"config_file", "data_dir", "dry_run", "only"} == parameters
