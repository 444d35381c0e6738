"""Every recorded real exchange (PrestaShop 8.1.2, Dolibarr 23.0.1) replayed against the emulators.

Each request is sent as recorded (credentials substituted) to an emulator serving its own world; the
answer must have the recorded status, content type, headers and body structure. A few requests name
dates or ids of the recording instance: they are rewritten to the world's equivalents (REWRITES), and a
few need a setting or a preceding write (SETUP), exactly as the real servers needed them.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from sandbox_structure import json_differences, xml_differences

from sandbox import Sandbox
from sandbox.testing import sandbox_on_copy

RECORDED = Path(__file__).resolve().parents[1] / "reference" / "recorded"
WRONG_KEY = "ZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZ"


def _exchanges(system: str) -> list[str]:
    return sorted(p.name[: -len(".json")] for p in (RECORDED / system).glob("*.json"))


def _load(system: str, name: str) -> dict[str, Any]:
    return json.loads((RECORDED / system / f"{name}.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def replay_sandbox(world_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    """One private sandbox for the whole replay: the exchanges run in file order, writes included."""
    sb = sandbox_on_copy(world_dir, tmp_path_factory.mktemp("replay") / "world")
    yield sb
    sb.stop()


# ------------------------------------------------------------------------------------------ world data
def _ps_get(sb: Sandbox, path: str, **params: str) -> Any:
    resp = requests.get(
        f"{sb.prestashop.url}/{path}",
        params={"output_format": "JSON", **params},
        auth=(sb.prestashop.key, ""),
        timeout=30,
    )
    resp.raise_for_status()
    return resp.json()


def _rewrites(sb: Sandbox) -> dict[str, list[tuple[str, str]]]:
    """Dates and ids of the recording instance mapped to ones that exist in the generated world."""
    with_combinations = _ps_get(sb, "combinations", display="[id,id_product]", limit="0,1")["combinations"][0]
    product = with_combinations["id_product"]
    rows = _ps_get(
        sb, "stock_availables", display="[id]", **{"filter[id_product]": str(product), "limit": "0,3"}
    )
    stock_ids = "%7C".join(str(r["id"]) for r in rows["stock_availables"])
    customer = _ps_get(sb, "customers", display="[id,email]", limit="0,1")["customers"][0]
    first = _ps_get(sb, "products", display="[id,date_upd]", **{"filter[id]": "[1]"})["products"][0][
        "date_upd"
    ]
    day = first[:10]
    return {
        "combinations.list-product-json.200": [
            ("filter%5Bid_product%5D=1", f"filter%5Bid_product%5D={product}")
        ],
        "customers.list-filter-email-json.200": [("alice.integration@example.com", customer["email"])],
        "orders.list-incremental-json.200": [("2026-11-29%2002:00:00", "2026-10-01%2000:00:00")],
        "products.list-incremental-json.200": [
            ("2026-11-29%2002:06:52,2026-11-29%2002:06:53", f"{day}%2000:00:00,{day}%2023:59:59")
        ],
        "products.list-open-interval-json.200": [("2026-11-29%2002:06:52", first.replace(" ", "%20"))],
        "stock_availables.list-after-patch-json.200": [
            ("filter%5Bid_product%5D=1", f"filter%5Bid_product%5D={product}"),
            ("%5B1%7C20%7C21%5D", f"%5B{stock_ids}%5D"),
        ],
        "orders.list-sqlfilters.200": [("2026-11-29%2000:00:00", "2026-10-01%2000:00:00")],
        "products.list-sqlfilters-tms.200": [("2026-11-29%2007:09:50", "2026-01-01%2000:00:00")],
        "stockmovements.list-since.200": [("2026-11-29%2000:00:00", "2026-10-25%2000:00:00")],
        "supplierorders.list-sqlfilters.200": [("2026-11-29%2000:00:00", "2026-10-01%2000:00:00")],
        "thirdparties.list-customers.200": [("2026-11-29%2000:00:00", "2026-10-01%2000:00:00")],
    }


def _setup(sb: Sandbox, system: str, name: str) -> tuple[Callable[[str], str], Callable[[], None]]:
    """Per-exchange preparation: returns a rewrite of the request path and an undo of any setting."""
    admin = sb.admin(system)
    identity: Callable[[str], str] = lambda path: path  # noqa: E731
    if name in ("products.get-two-languages-json.200", "products.get-language-param-json.200"):
        admin.settings(languages=2)
        return identity, lambda: admin.settings(languages=1)
    if name in ("products.patch-price-xml.200", "stock_availables.patch-xml.200"):
        admin.settings(patch_allowed=True)
        return identity, lambda: admin.settings(patch_allowed=False)
    if name == "supplierorders.list-module-disabled.403":
        admin.settings(suppliers_module=False)
        return identity, lambda: admin.settings(suppliers_module=True)
    if name in ("orders.validate.200", "supplierorders.validate.200"):
        # The recording validated a draft it had just created: create one here too.
        resource = name.split(".")[0]
        erp = sb.dolibarr
        body = {
            "socid": 1,
            "lines": [{"fk_product": 1, "qty": 2, "subprice": 10, "tva_tx": 20, "product_type": 0}],
        }
        created = requests.post(
            f"{erp.url}/{resource}", json=body, headers={"DOLAPIKEY": erp.key}, timeout=30
        ).json()
        return (lambda path: re.sub(rf"/{resource}/\d+/", f"/{resource}/{created}/", path)), lambda: None
    return identity, lambda: None


def _send(sb: Sandbox, system: str, name: str, request: dict[str, Any], path: str) -> requests.Response:
    endpoint = sb.prestashop if system == "prestashop" else sb.dolibarr
    root = f"http://127.0.0.1:{endpoint.port}"
    headers = dict(request.get("headers") or {})
    wrong, none = "wrong-key" in name, "no-key" in name
    path = path.replace("ws_key=%3CREDACTED%3E", f"ws_key={endpoint.key}").replace(
        "ws_key=<REDACTED>", f"ws_key={endpoint.key}"
    )
    if system == "prestashop" and "ws_key=" not in path and not none:
        key = WRONG_KEY if wrong else endpoint.key
        headers["Authorization"] = "Basic " + base64.b64encode(f"{key}:".encode()).decode()
    if system == "dolibarr" and not none:
        headers["DOLAPIKEY"] = "not-a-key" if wrong else endpoint.key
    body = request.get("body")
    data: bytes | None = None
    if isinstance(body, str):
        data = body.replace("<REDACTED>", "S3cret-Passw0rd").encode()
    elif body is not None:
        data = json.dumps(body).encode()
        headers.setdefault("content-type", "application/json")
    if name == "products.get-local-content-sha1-json.304":
        first = requests.get(root + path, auth=(endpoint.key, ""), timeout=30)
        headers["local-content-sha1"] = first.headers["Content-Sha1"]
    return requests.request(request["method"], root + path, data=data, headers=headers, timeout=30)


def _check(system: str, name: str, recorded: dict[str, Any], resp: requests.Response) -> list[str]:
    problems = []
    rec = recorded["response"]
    if resp.status_code != rec["status"]:
        return [f"status {resp.status_code}, recorded {rec['status']}: {resp.text[:300]}"]
    for header, value in rec["headers"].items():
        served = resp.headers.get(header)
        if header == "content-sha1":
            if served is None:
                problems.append("no Content-Sha1 header")
        elif served != value:
            problems.append(f"header {header}: {served!r}, recorded {value!r}")
    if "content-type" not in rec["headers"] and "Content-Type" in resp.headers:
        problems.append(f"a Content-Type {resp.headers['Content-Type']!r} where the real server sends none")
    body = rec["body"]
    if isinstance(body, str):
        if body.startswith("<?xml"):
            problems += xml_differences(body, resp.text, trimmed="trimmed" in recorded["note"])
        elif body != resp.text and not (body == "" and resp.text == ""):
            if not (rec["status"] == 401 and system == "prestashop"):
                problems.append(f"text body {resp.text[:200]!r}, recorded {body[:200]!r}")
            elif resp.text != body:
                problems.append(f"text body {resp.text!r}, recorded {body!r}")
    elif isinstance(body, list | dict):
        # A single PrestaShop object drops its falsy fields: which ones depends on the data.
        single_ps = (
            system == "prestashop"
            and isinstance(body, dict)
            and len(body) == 1
            and isinstance(next(iter(body.values())), dict)
        )
        if single_ps:
            ((node, rec_obj),) = body.items()
            act_obj = resp.json().get(node, {})
            common = {k: rec_obj[k] for k in rec_obj if k in act_obj}
            problems += json_differences(common, {k: act_obj[k] for k in common})
        else:
            problems += json_differences(body, resp.json())
    else:
        problems += json_differences(body, resp.json())
    return problems


@pytest.mark.parametrize("name", _exchanges("prestashop"))
def test_prestashop_exchange_is_replayed_faithfully(replay_sandbox: Sandbox, name: str) -> None:
    _replay(replay_sandbox, "prestashop", name)


@pytest.mark.parametrize("name", _exchanges("dolibarr"))
def test_dolibarr_exchange_is_replayed_faithfully(replay_sandbox: Sandbox, name: str) -> None:
    _replay(replay_sandbox, "dolibarr", name)


def _replay(sb: Sandbox, system: str, name: str) -> None:
    recorded = _load(system, name)
    path = recorded["request"]["path_and_query"]
    for old, new in _rewrites(sb).get(name, []):
        assert old in path, f"rewrite {old!r} no longer matches {path!r}"
        path = path.replace(old, new)
    rewrite, undo = _setup(sb, system, name)
    try:
        resp = _send(sb, system, name, recorded["request"], rewrite(path))
    finally:
        undo()
    problems = _check(system, name, recorded, resp)
    assert not problems, f"{name}: {recorded['note']}\n" + "\n".join(problems[:25])
