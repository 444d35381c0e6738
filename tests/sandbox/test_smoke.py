"""Both emulators answer authenticated reads of the generated world over real HTTP."""

from __future__ import annotations

import requests

from sandbox import Sandbox


def test_prestashop_lists_products_of_the_world(sandbox: Sandbox) -> None:
    ps = sandbox.prestashop
    resp = requests.get(
        f"{ps.url}/products",
        params={"output_format": "JSON", "display": "[id,reference]", "limit": "0,5"},
        auth=(ps.key, ""),
        timeout=10,
    )
    assert resp.status_code == 200
    products = resp.json()["products"]
    assert [p["id"] for p in products] == [1, 2, 3, 4, 5]
    assert all(p["reference"].startswith("MX-") for p in products)


def test_dolibarr_lists_products_of_the_world(sandbox: Sandbox) -> None:
    erp = sandbox.dolibarr
    resp = requests.get(
        f"{erp.url}/products",
        params={"limit": 3, "sortfield": "t.rowid"},
        headers={"DOLAPIKEY": erp.key},
        timeout=10,
    )
    assert resp.status_code == 200
    assert [p["id"] for p in resp.json()] == ["1", "2", "3"]
