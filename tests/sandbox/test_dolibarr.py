"""Dolibarr 23.0.1 REST behaviour: auth forms, sqlfilters grammar and errors, paging, typing, writes."""

from __future__ import annotations

import calendar
from typing import Any

import pytest
import requests

from sandbox import Sandbox
from sandbox.dolibarr import render


def get(sb: Sandbox, path: str, **params: Any) -> requests.Response:
    return requests.get(
        f"{sb.dolibarr.url}/{path}", params=params, headers={"DOLAPIKEY": sb.dolibarr.key}, timeout=30
    )


def post(sb: Sandbox, path: str, body: dict[str, Any], method: str = "POST") -> requests.Response:
    return requests.request(
        method, f"{sb.dolibarr.url}/{path}", json=body, headers={"DOLAPIKEY": sb.dolibarr.key}, timeout=30
    )


def test_the_four_ways_to_pass_the_key_and_the_two_401s(sandbox: Sandbox) -> None:
    url, key = f"{sandbox.dolibarr.url}/status", sandbox.dolibarr.key
    assert requests.get(url, headers={"DOLAPIKEY": key}, timeout=30).status_code == 200
    assert requests.get(url, headers={"Authorization": f"Bearer {key}"}, timeout=30).status_code == 200
    assert requests.get(url, params={"DOLAPIKEY": key}, timeout=30).status_code == 200
    assert requests.get(url, params={"api_key": key}, timeout=30).status_code == 200
    none = requests.get(url, timeout=30)
    assert none.status_code == 401 and "Neither parameter" in none.json()["error"]["message"]
    wrong = requests.get(url, headers={"DOLAPIKEY": "nope"}, timeout=30)
    assert wrong.status_code == 401 and wrong.json()["error"]["message"].startswith(
        "Unauthorized: Error user not valid"
    )


def test_a_wrong_key_is_answered_after_the_configured_delay(fresh_sandbox: Sandbox) -> None:
    # The delay itself is not timed here (no timing assertions); the setting is what the server applies.
    admin = fresh_sandbox.admin("dolibarr")
    assert admin.settings()["auth_delay"] == 0.0
    assert admin.settings(auth_delay=1.0)["auth_delay"] == 1.0


def test_sqlfilters_grammar_colon_in_value_and_optional_outer_parentheses(sandbox: Sandbox) -> None:
    all_moves = get(sandbox, "stockmovements", limit=0, sortfield="t.rowid").json()
    since = "2026-10-20 12:00:00"
    expected = [m["id"] for m in all_moves if m["datem"] >= 1792497600]  # 2026-10-20 12:00:00 UTC
    one = get(sandbox, "stockmovements", limit=0, sqlfilters=f"(t.datem:>=:'{since}')").json()
    bare = get(sandbox, "stockmovements", limit=0, sqlfilters=f"t.datem:>=:'{since}'").json()
    assert [m["id"] for m in one] == [m["id"] for m in bare] == expected
    both = get(
        sandbox, "stockmovements", limit=0, sqlfilters=f"(t.datem:>=:'{since}') and (t.type_mouvement:in:2,3)"
    ).json()
    assert [m["id"] for m in both] == [m["id"] for m in one if m["type"] in ("2", "3")]
    like = get(sandbox, "products", limit=0, sqlfilters="(t.ref:like:'MX-CUI-%')").json()
    assert like and all(p["ref"].startswith("MX-CUI-") for p in like)
    nulls = get(sandbox, "products", limit=0, sqlfilters="(t.barcode:is:NULL)").json()
    assert nulls and all(p["barcode"] is None for p in nulls)


def test_sqlfilters_errors_400_for_syntax_503_for_the_database(sandbox: Sandbox) -> None:
    bad = get(sandbox, "products", sqlfilters="(t.tms;>:'2026-11-29')")
    assert bad.status_code == 400 and "Bad syntax of the search string" in bad.json()["error"]["message"]
    unbalanced = get(sandbox, "products", sqlfilters="(t.ref:=:'a(b')")
    assert (
        unbalanced.status_code == 400
        and "Wrong balance of parenthesis" in unbalanced.json()["error"]["message"]
    )
    unknown = get(sandbox, "products", sqlfilters="(t.date_modification:>:'2026-11-29')")
    assert (
        unknown.status_code == 503
        and "Unknown column 't.date_modification'" in unknown.json()["error"]["message"]
    )
    dangling = get(sandbox, "products", sqlfilters="(t.ref:=:'x') and")
    assert dangling.status_code == 503
    bad_sort = get(sandbox, "products", sortfield="t.nope")
    assert bad_sort.status_code == 503 and "debug" in bad_sort.json()


def test_integer_timestamp_filters_match_every_row(sandbox: Sandbox) -> None:
    everything = get(sandbox, "products", limit=0).json()
    trap = get(sandbox, "products", limit=0, sqlfilters="(t.tms:>:1795936189)").json()
    assert len(trap) == len(everything)  # TRAP: dates must be quoted SQL strings


def test_paging_is_zero_based_limit_zero_is_all_and_pagination_data_wraps(sandbox: Sandbox) -> None:
    everything = get(sandbox, "products", limit=0, sortfield="t.rowid").json()
    page1 = get(sandbox, "products", limit=5, page=1, sortfield="t.rowid").json()
    assert [p["id"] for p in page1] == [p["id"] for p in everything[5:10]]
    assert get(sandbox, "products", limit=100, page=999).json() == []
    wrapped = get(
        sandbox,
        "products",
        limit=2,
        page=1,
        pagination_data="true",
        sortfield="t.rowid",
        properties="id,ref,price",
    ).json()
    assert wrapped["pagination"] == {
        "total": len(everything),
        "page": 1,
        "page_count": (len(everything) + 1) // 2,
        "limit": 2,
    }
    assert [list(p) for p in wrapped["data"]] == [["id", "ref", "price"]] * 2
    assert (
        get(sandbox, "products", limit=3).json()[0]["ref"]
        < get(sandbox, "products", limit=3).json()[1]["ref"]
    )


def test_empty_lists_200_but_thirdparties_404(sandbox: Sandbox) -> None:
    future = "(t.tms:>:'2099-01-01 00:00:00')"
    assert get(sandbox, "orders", sqlfilters=future).json() == []
    empty = get(sandbox, "thirdparties", sqlfilters=future)
    assert (
        empty.status_code == 404 and empty.json()["error"]["message"] == "Not Found: No third parties found"
    )


def test_typing_and_watermark_trap(sandbox: Sandbox) -> None:
    product = get(sandbox, "products/1").json()
    assert (
        product["id"] == "1" and product["price"].count(".") == 1 and len(product["price"].split(".")[1]) == 8
    )
    assert product["date_modification"] == "" and product["tms"] is None  # no extrafields row
    assert isinstance(product["date_creation"], int)
    order = get(sandbox, "orders", limit=1).json()[0]
    assert isinstance(order["date_modification"], int) and order["array_options"]["options_channel"] in (
        "web",
        "store",
        "marketplace",
    )
    warehouse = get(sandbox, "warehouses").json()[0]
    assert isinstance(warehouse["date_creation"], str) and len(warehouse["date_creation"]) == 19


def test_stock_movement_write_lookup_and_refusals(fresh_sandbox: Sandbox) -> None:
    sb = fresh_sandbox
    pid = next(
        int(p["id"])
        for p in get(sb, "products", limit=50, includestockdata=1).json()
        if int(p["stock_warehouse"].get("1", {}).get("real", 0)) > 3
    )
    before = get(sb, f"products/{pid}/stock").json()["stock_warehouses"]["1"]["real"]
    resp = post(
        sb,
        "stockmovements",
        {
            "product_id": pid,
            "warehouse_id": 1,
            "qty": -3,
            "movementcode": "SYNC-T-1",
            "label": "Sync from shop",
            "movementlabel": "ignored",
            "price": "",
        },
    )
    assert resp.status_code == 200 and isinstance(resp.json(), int)
    (found,) = get(sb, "stockmovements", sqlfilters="(t.inventorycode:=:'SYNC-T-1')").json()
    assert (found["qty"], found["type"], found["label"], found["movementcode"]) == (
        "-3",
        "2",
        "Sync from shop",
        "SYNC-T-1",
    )
    assert int(get(sb, f"products/{pid}/stock").json()["stock_warehouses"]["1"]["real"]) == int(before) - 3
    up = post(sb, "stockmovements", {"product_id": pid, "warehouse_id": 1, "qty": 4, "price": 5})
    assert get(sb, "stockmovements", sqlfilters=f"(t.rowid:=:{up.json()})").json()[0]["type"] == "3"
    zero = post(sb, "stockmovements", {"product_id": pid, "warehouse_id": 1, "qty": 0})
    assert zero.status_code == 503 and "quantity of 0" in zero.json()["error"]["message"]
    put = post(sb, "products/1", {"stock_reel": 5}, method="PUT")
    assert put.status_code == 400 and "Use the /stockmovements endpoint" in put.json()["error"]["message"]


def test_price_put_customer_and_order_flow(fresh_sandbox: Sandbox) -> None:
    sb = fresh_sandbox
    updated = post(sb, "products/2", {"price": "26.00", "price_base_type": "HT"}, method="PUT").json()
    assert updated["price"] == "26.00000000" and float(updated["price_ttc"]) == pytest.approx(
        26 * (1 + float(updated["tva_tx"]) / 100)
    )
    customer = post(
        sb, "thirdparties", {"name": "Jane Sync", "client": "1", "code_client": "-1", "email": "j@x.fr"}
    ).json()
    read = get(sb, f"thirdparties/{customer}").json()
    assert read["code_client"].startswith("CU") and read["client"] == "1"
    order = post(
        sb,
        "orders",
        {
            "socid": customer,
            "ref_client": "SHOP-1001",
            "array_options": {"options_channel": "web"},
            "lines": [{"fk_product": 2, "qty": 2, "subprice": 26, "tva_tx": 20}],
        },
    ).json()
    draft = get(sb, f"orders/{order}").json()
    assert draft["ref"] == f"(PROV{order})" and draft["status"] == "0"
    validated = post(sb, f"orders/{order}/validate", {"idwarehouse": 0, "notrigger": 0}).json()
    assert validated["ref"].startswith("SO") and validated["status"] == "1"
    assert post(sb, f"orders/{order}/validate", {"idwarehouse": 0}).status_code == 304
    assert get(sb, "orders", sqlfilters="(t.ref_client:=:'SHOP-1001')").json()[0]["id"] == str(order)
    closed = post(sb, f"orders/{order}/close", {}).json()
    assert closed["status"] == "3"


def test_suppliers_module_disabled_answers_403(fresh_sandbox: Sandbox) -> None:
    fresh_sandbox.admin("dolibarr").settings(suppliers_module=False)
    resp = get(fresh_sandbox, "supplierorders")
    assert resp.status_code == 403 and resp.json()["error"]["message"] == "Forbidden"


def test_resources_beyond_the_recordings(sandbox: Sandbox) -> None:
    rec = get(sandbox, "receptions", limit=1).json()[0]
    assert rec["ref"].startswith("RCP") and rec["lines"][0]["multicurrency_subprice"] is not None
    invoice = get(
        sandbox, "supplierinvoices", limit=1, sqlfilters="(ef.landed_cost_type:=:'customs')"
    ).json()[0]
    assert invoice["array_options"]["options_landed_cost_split"] == "by_value"
    assert invoice["array_options"]["options_landed_cost_reception"].startswith("RCP")
    currencies = {c["code"]: c for c in get(sandbox, "multicurrencies").json()}
    rates = get(sandbox, f"multicurrencies/{currencies['GBP']['id']}/rates").json()
    assert 0.7 < float(rates[0]["rate"]) < 1.0 and isinstance(rates[0]["date_sync"], int)
    parent = get(sandbox, "products", limit=1, variant_filter=2).json()[0]
    variants = get(sandbox, f"products/{parent['id']}/variants").json()
    assert variants and variants[0]["fk_product_parent"] == parent["id"]
    contacts = get(sandbox, "contacts", limit=1).json()
    assert contacts[0]["socid"] is not None
    shipment = get(sandbox, "shipments", limit=1, sqlfilters="(t.tracking_number:like:'6A%')").json()[0]
    assert shipment["shipping_method"] == "COLSUI" and shipment["lines"][0]["fk_origin_line"]
    credit = get(sandbox, "invoices", limit=1, sqlfilters="(t.type:=:2)").json()[0]
    assert credit["fk_facture_source"] and credit["lines"][0]["array_options"]["options_origin_line_id"]


def test_colon_in_a_value_breaks_filters_on_versions_before_20(fresh_sandbox: Sandbox) -> None:
    with_time = "(t.tms:>=:'2026-01-01 10:00:00')"
    assert get(fresh_sandbox, "products", limit=1, sqlfilters=with_time).status_code == 200
    fresh_sandbox.admin("dolibarr").settings(sqlfilters_colon_bug=True)
    broken = get(fresh_sandbox, "products", limit=1, sqlfilters=with_time)
    assert broken.status_code == 400 and "Bad syntax" in broken.json()["error"]["message"]
    assert get(fresh_sandbox, "products", limit=1, sqlfilters="(t.tms:>=:'2026-01-01')").status_code == 200


def test_purchase_prices_of_every_product_keyed_by_product_and_paged_by_price_rows(
    fresh_sandbox: Sandbox,
) -> None:
    sb = fresh_sandbox
    first = get(sb, "products/purchase_prices", sortfield="t.rowid", limit=3)
    assert first.status_code == 200
    page = first.json()
    # a JSON object: product id -> that product's prices, as `products/{id}/purchase_prices` lists them
    priced = sorted({p["fk_product"] for p in sb.admin("dolibarr").rows("product_fournisseur_price")})
    assert list(page) == [str(pid) for pid in priced[:3]]
    for pid, prices in page.items():
        assert prices == get(sb, f"products/{pid}/purchase_prices").json()
    # GIVEN the first priced product also gets the second one's price
    moved = page[str(priced[1])][0]
    sb.admin("dolibarr").set_row("product_fournisseur_price", int(moved["id"]), fk_product=priced[0])
    # THEN `limit` counts prices (rows of the product x price join), not products
    page = get(sb, "products/purchase_prices", sortfield="t.rowid", limit=3).json()
    assert list(page) == [str(priced[0]), str(priced[2])]
    assert [p["id"] for p in page[str(priced[0])]] == sorted(
        [page[str(priced[0])][0]["id"], moved["id"]], key=int
    )
    # and a product met on two pages (offset paging) is listed whole on both
    one = [get(sb, "products/purchase_prices", sortfield="t.rowid", limit=1, page=n).json() for n in (0, 1)]
    assert one[0] == one[1] and list(one[0]) == [str(priced[0])] and len(one[0][str(priced[0])]) == 2
    # filters on the product (t.) and on the price (s.), and the supplier parameter
    supplier = moved["fourn_id"]
    by_filter = get(sb, "products/purchase_prices", limit=0, sqlfilters=f"(s.fk_soc:=:{supplier})").json()
    by_param = get(sb, "products/purchase_prices", limit=0, supplier=supplier).json()
    assert by_filter == by_param and by_filter
    assert all(any(p["fourn_id"] == supplier for p in prices) for prices in by_filter.values())
    keyset = get(sb, "products/purchase_prices", limit=0, sqlfilters=f"(t.rowid:>:{priced[-2]})").json()
    assert list(keyset) == [str(priced[-1])]
    # nothing matching is an empty list, never a 404; an unknown column is the database's 503
    empty = get(sb, "products/purchase_prices", sqlfilters="(t.rowid:>:99999999)")
    assert (empty.status_code, empty.json()) == (200, [])
    assert get(sb, "products/purchase_prices", category=3).json() == []
    unknown = get(sb, "products/purchase_prices", sqlfilters="(s.nope:=:1)")
    assert unknown.status_code == 503
    assert "Error when retrieve product list : Unknown column 's.nope'" in unknown.json()["error"]["message"]


@pytest.mark.parametrize(
    ("sql_utc", "expected"),
    [
        ("1970-01-01 00:00:00", 0),
        ("2026-05-03 10:49:57", calendar.timegm((2026, 5, 3, 10, 49, 57))),
        ("2024-02-29", calendar.timegm((2024, 2, 29, 0, 0, 0))),  # a date alone: its midnight
        ("1969-12-31 23:59:59", -1),  # before the epoch
        ("0000-00-00 00:00:00", ""),  # MySQL's unset date, as jdate gives it
        ("", ""),
        (None, ""),
    ],
)
def test_sql_utc_times_render_as_unix_timestamps(sql_utc: str | None, expected: int | str) -> None:
    assert render.unix(sql_utc) == expected
