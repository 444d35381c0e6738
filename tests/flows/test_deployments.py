"""prefect.yaml: every deployment's entrypoint loads and its parameters match the flow's signature."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest
import yaml
from prefect.flows import load_flow_from_entrypoint

ROOT = Path(__file__).resolve().parents[2]
DEPLOYMENTS = yaml.safe_load((ROOT / "prefect.yaml").read_text(encoding="utf-8"))["deployments"]


def test_the_expected_deployments_exist() -> None:
    assert [d["name"] for d in DEPLOYMENTS] == ["sync-frequent", "sync-nightly", "backfill", "push"]
    by_name = {d["name"]: d for d in DEPLOYMENTS}
    assert [s["cron"] for s in by_name["sync-frequent"]["schedules"]] == ["*/15 * * * *"]
    assert by_name["sync-nightly"]["parameters"]["sweep"] is True
    assert "schedules" not in by_name["backfill"] and "schedules" not in by_name["push"]
    assert by_name["push"]["parameters"]["dry_run"] is True  # a manual push is a dry run unless asked
    assert {d["work_pool"]["name"] for d in DEPLOYMENTS} == {"omnicanal-process"}


@pytest.mark.parametrize("deployment", DEPLOYMENTS, ids=lambda d: d["name"])
def test_entrypoint_loads_and_parameters_fit_the_signature(deployment: dict) -> None:
    flow = load_flow_from_entrypoint(str(ROOT / deployment["entrypoint"]))
    signature = inspect.signature(flow.fn)
    parameters = deployment.get("parameters", {})
    # every parameter given by the deployment is a parameter of the flow
    assert set(parameters) <= set(signature.parameters), set(parameters) - set(signature.parameters)
    # every flow parameter without a default is given by the deployment or is one a person must type
    required = {n for n, p in signature.parameters.items() if p.default is inspect.Parameter.empty}
    manual = {"backfill": {"start", "end"}}.get(deployment["name"], set())
    assert required - set(parameters) == manual
    # the values validate against the flow's own parameter schema (types included)
    flow.validate_parameters({**{n: "2026-05-01" for n in manual}, **parameters})


def test_no_secret_in_prefect_yaml() -> None:
    text = (ROOT / "prefect.yaml").read_text(encoding="utf-8").lower()
    for word in ("api_key", "password", "token", "dolapikey", "ws_key"):
        assert word not in text
