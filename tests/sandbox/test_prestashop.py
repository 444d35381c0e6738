"""PrestaShop 8.1.2 webservice behaviour: filters and their traps, typing, writes, permissions, languages."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from defusedxml import ElementTree as SafeET

from sandbox import Sandbox
from sandbox.prestashop.schema import RESOURCES

XML = '<?xml version="1.0" encoding="UTF-8"?><prestashop xmlns:xlink="http://www.w3.org/1999/xlink">{}</prestashop>'


def get(sb: Sandbox, path: str, json: bool = True, **params: str) -> requests.Response:
    if json:
        params = {"output_format": "JSON", **params}
    return requests.get(
        f"{sb.prestashop.url}/{path}", params=params, auth=(sb.prestashop.key, ""), timeout=30
    )


def send(sb: Sandbox, method: str, path: str, body: str, **params: str) -> requests.Response:
    return requests.request(
        method,
        f"{sb.prestashop.url}/{path}",
        data=body.encode(),
        params=params,
        auth=(sb.prestashop.key, ""),
        headers={"Content-Type": "text/xml"},
        timeout=30,
    )


def rows(resp: requests.Response, resource: str) -> list[dict[str, Any]]:
    assert resp.status_code == 200, resp.text
    body = resp.json()
    return body[resource] if body else []


def error(resp: requests.Response) -> tuple[int, int]:
    if resp.headers.get("Content-Type") == "application/json":
        return resp.status_code, resp.json()["errors"][0]["code"]
    root = SafeET.fromstring(resp.content)
    return resp.status_code, int(root.find("errors/error/code").text)


# ------------------------------------------------------------------------------------------- reading
def test_interval_is_inclusive_strict_operators_are_strict_and_open_interval_is_an_equality(
    sandbox: Sandbox,
) -> None:
    all_rows = rows(
        get(sandbox, "orders", display="[id,date_upd]", date="1", sort="[date_upd_ASC,id_ASC]"), "orders"
    )
    t = all_rows[len(all_rows) // 2]["date_upd"]
    later = [r["id"] for r in all_rows if r["date_upd"] > t]
    at = [r["id"] for r in all_rows if r["date_upd"] == t]
    interval = rows(
        get(sandbox, "orders", display="[id]", date="1", **{"filter[date_upd]": f"[{t},{t}]"}), "orders"
    )
    strict = rows(
        get(
            sandbox,
            "orders",
            display="[id]",
            date="1",
            sort="[date_upd_ASC,id_ASC]",
            **{"filter[date_upd]": f">[{t}]"},
        ),
        "orders",
    )
    open_interval = rows(
        get(sandbox, "orders", display="[id]", date="1", **{"filter[date_upd]": f"[{t},]"}), "orders"
    )
    assert sorted(r["id"] for r in interval) == sorted(at)
    assert [r["id"] for r in strict] == later
    assert sorted(r["id"] for r in open_interval) == sorted(at)  # TRAP: not "everything after t"


def test_date_filters_and_sorts_need_date_1(sandbox: Sandbox) -> None:
    assert error(get(sandbox, "products", **{"filter[date_upd]": "[2026-01-01,2026-12-31]"})) == (400, 32)
    assert error(get(sandbox, "products", sort="[date_upd_ASC]")) == (400, 38)
    assert error(get(sandbox, "products", sort="[id_UP]")) == (400, 37)
    assert error(get(sandbox, "products", limit="0,3,5")) == (400, 39)
    assert error(get(sandbox, "products", display="[id,nope]")) == (400, 35)
    assert error(get(sandbox, "products", **{"filter[quantity]": "[0]"})) == (400, 34)
    assert error(get(sandbox, "nope")) == (400, 27)


def test_list_filters_or_values_like_and_limit_offset(sandbox: Sandbox) -> None:
    picked = rows(get(sandbox, "products", display="[id]", **{"filter[id]": "[3|1|7]"}), "products")
    assert [r["id"] for r in picked] == [1, 3, 7]
    page = rows(get(sandbox, "products", display="[id]", limit="2,3"), "products")
    assert [r["id"] for r in page] == [3, 4, 5]
    like = rows(
        get(sandbox, "products", display="[id,reference]", **{"filter[reference]": "[MX-CUI]%"}), "products"
    )
    assert like and all(r["reference"].startswith("MX-CUI") for r in like)
    excluded = rows(
        get(sandbox, "products", display="[id]", limit="0,5", **{"filter[id]": "![1|2]"}), "products"
    )
    assert [r["id"] for r in excluded] == [3, 4, 5, 6, 7]


def test_json_typing_falsy_fields_and_empty_lists(sandbox: Sandbox) -> None:
    listed = rows(get(sandbox, "orders", display="full", **{"filter[id]": "[1]"}), "orders")[0]
    single = get(sandbox, "orders/1").json()["order"]
    assert listed["gift"] == "0" and "gift" not in single  # falsy fields vanish from single objects only
    assert isinstance(listed["id_customer"], int) and isinstance(listed["total_paid"], str)
    assert listed["total_paid"].count(".") == 1 and len(listed["total_paid"].split(".")[1]) == 6
    assert get(sandbox, "products", **{"filter[id]": "[999999]"}).text == "[]"
    empty_xml = get(sandbox, "products", json=False, **{"filter[id]": "[999999]"})
    assert SafeET.fromstring(empty_xml.content).find("products") is not None


def test_missing_object_is_a_bare_404_and_content_sha1_gives_304(sandbox: Sandbox) -> None:
    missing = get(sandbox, "products/999999")
    assert missing.status_code == 404 and missing.content == b"" and "Content-Type" not in missing.headers
    first = get(sandbox, "products/2")
    again = requests.get(
        f"{sandbox.prestashop.url}/products/2",
        params={"output_format": "JSON"},
        auth=(sandbox.prestashop.key, ""),
        headers={"Local-Content-Sha1": first.headers["Content-Sha1"]},
        timeout=30,
    )
    assert again.status_code == 304 and again.content == b""


def test_authentication_by_basic_user_or_ws_key_and_failures(sandbox: Sandbox) -> None:
    url = f"{sandbox.prestashop.url}/products"
    assert requests.get(url, params={"ws_key": sandbox.prestashop.key}, timeout=30).status_code == 200
    none = requests.get(url, timeout=30)
    assert none.status_code == 401 and none.text == "401 Unauthorized" and "WWW-Authenticate" in none.headers
    wrong = requests.get(url, auth=("A" * 32, ""), params={"output_format": "JSON"}, timeout=30)
    assert [e["code"] for e in wrong.json()["errors"]] == [20, 21] and wrong.headers["PSWS-Version"] == "0"
    short = requests.get(url, auth=("short", ""), params={"output_format": "JSON"}, timeout=30)
    assert short.json()["errors"][0]["code"] == 18


def test_languages_one_then_two_then_language_param(fresh_sandbox: Sandbox) -> None:
    one = rows(get(fresh_sandbox, "products", display="[id,name]", **{"filter[id]": "[1]"}), "products")[0]
    assert isinstance(one["name"], str)
    fresh_sandbox.admin("prestashop").settings(languages=2)
    two = rows(get(fresh_sandbox, "products", display="[id,name]", **{"filter[id]": "[1]"}), "products")[0]
    assert [v["id"] for v in two["name"]] == [1, 2]
    narrowed = rows(
        get(fresh_sandbox, "products", display="[id,name]", language="2", **{"filter[id]": "[1]"}), "products"
    )
    assert narrowed[0]["name"] == two["name"][1]["value"]


@pytest.mark.parametrize("languages", [1, 2])
def test_json_lists_rendered_by_sqlite_equal_the_objects_rendered_one_by_one(
    fresh_sandbox: Sandbox, languages: int
) -> None:
    # GIVEN the shop in one or two languages
    fresh_sandbox.admin("prestashop").settings(languages=languages)
    compared = 0
    for name, res in RESOURCES.items():
        listed = get(fresh_sandbox, name, display="full", limit="3", sort="[id_DESC]")
        if listed.content == b"[]":
            continue
        for obj in rows(listed, name):
            # WHEN the same object is asked for alone with every field and association named (rendered
            # object by object in Python) and in a full list of one (rendered by SQLite's JSON functions)
            shown = [f.name for f in res.fields] + [
                f"{a.name}[{','.join(a.fields)}]" for a in res.associations
            ]
            alone = get(fresh_sandbox, f"{name}/{obj['id']}", display="[" + ",".join(shown) + "]")
            listed_one = get(fresh_sandbox, name, display="full", **{"filter[id]": f"[{obj['id']}]"})
            # THEN both answers are the same bytes
            assert listed_one.content == alone.content, (name, obj["id"])
            compared += 1
    assert compared >= 30  # products (75 fields: several json_object calls), orders with rows, ...


# ------------------------------------------------------------------------------------------- writing
def test_stock_write_recomputes_the_total_row_and_leaves_date_upd_alone(fresh_sandbox: Sandbox) -> None:
    sb = fresh_sandbox
    comb = rows(get(sb, "combinations", display="[id,id_product]", limit="0,1"), "combinations")[0]
    product = comb["id_product"]
    before = rows(get(sb, "products", display="[id,date_upd]", **{"filter[id]": f"[{product}]"}), "products")[
        0
    ]
    stock = rows(
        get(sb, "stock_availables", display="full", **{"filter[id_product]": f"[{product}]"}),
        "stock_availables",
    )
    row = next(s for s in stock if s["id_product_attribute"] == comb["id"])
    # GIVEN the read-modify-write of the combination's row (PUT of the whole document)
    document = get(sb, f"stock_availables/{row['id']}", json=False).text.replace(
        f"<quantity><![CDATA[{row['quantity']}]]></quantity>", "<quantity><![CDATA[77]]></quantity>"
    )
    resp = send(sb, "PUT", f"stock_availables/{row['id']}", document)
    assert resp.status_code == 200
    # THEN the product-level row is the new sum, and the product's date_upd did not move
    after = rows(
        get(sb, "stock_availables", display="full", **{"filter[id_product]": f"[{product}]"}),
        "stock_availables",
    )
    total = next(s for s in after if s["id_product_attribute"] == 0)["quantity"]
    assert total == sum(s["quantity"] for s in after if s["id_product_attribute"] != 0)
    assert next(s for s in after if s["id"] == row["id"])["quantity"] == 77
    now = rows(get(sb, "products", display="[id,date_upd]", **{"filter[id]": f"[{product}]"}), "products")[0]
    assert now["date_upd"] == before["date_upd"]


def test_patch_needs_the_permission_then_changes_only_what_is_sent(fresh_sandbox: Sandbox) -> None:
    sb = fresh_sandbox
    body = XML.format("<product><id>2</id><price>12.500000</price></product>")
    assert error(send(sb, "PATCH", "products/2", body)) == (405, 25)
    sb.admin("prestashop").settings(patch_allowed=True)
    before = get(sb, "products/2").json()["product"]
    resp = send(sb, "PATCH", "products/2", body, output_format="JSON")
    after = resp.json()["product"]
    assert resp.status_code == 200 and after["price"] == "12.500000"
    assert after["reference"] == before["reference"] and after["date_upd"] >= before["date_upd"]


def test_put_is_a_full_replace_and_refuses_read_only_fields(fresh_sandbox: Sandbox) -> None:
    sb = fresh_sandbox
    document = get(sb, "products/3", json=False).text
    assert error(send(sb, "PUT", "products/3", document)) == (400, 93)  # manufacturer_name, as returned
    root = SafeET.fromstring(document.encode())
    product = root.find("product")
    for name in ("manufacturer_name", "quantity", "supplier_reference", "location"):
        product.remove(product.find(name))
    product.find("price").text = "19.990000"
    from xml.etree.ElementTree import tostring

    resp = send(sb, "PUT", "products/3", tostring(root, encoding="unicode"), output_format="JSON")
    assert resp.status_code == 200
    listed = rows(
        get(sb, "products", display="[id,price,supplier_reference,location]", **{"filter[id]": "[3]"}),
        "products",
    )[0]
    assert listed["price"] == "19.990000"
    assert listed["supplier_reference"] == "" and listed["location"] == ""  # omitted, so emptied
    no_price = XML.format("<product><id>3</id><reference>X</reference></product>")
    assert error(send(sb, "PUT", "products/3", no_price)) == (400, 41)
    assert error(send(sb, "PUT", "products/3", XML.format("<product><price>1</price></product>"))) == (
        400,
        90,
    )
    assert error(
        send(sb, "PUT", "products/999999", XML.format("<product><id>999999</id><price>1</price></product>"))
    ) == (404, 92)


def test_post_creates_without_id_and_delete_removes(fresh_sandbox: Sandbox) -> None:
    sb = fresh_sandbox
    customer = (
        "<customer><passwd>S3cret-Passw0rd</passwd><lastname>Sync</lastname><firstname>Jane</firstname>"
        "<email>jane.sync@example.com</email><active>1</active></customer>"
    )
    assert error(
        send(sb, "POST", "customers", XML.format(customer.replace("<customer>", "<customer><id>9</id>")))
    ) == (400, 91)
    created = send(sb, "POST", "customers", XML.format(customer), output_format="JSON")
    assert created.status_code == 201
    new = created.json()["customer"]
    assert new["passwd"].startswith("$2y$") and len(new["secure_key"]) == 32
    assert (
        requests.delete(
            f"{sb.prestashop.url}/customers/{new['id']}", auth=(sb.prestashop.key, ""), timeout=30
        ).status_code
        == 200
    )
    assert get(sb, f"customers/{new['id']}").status_code == 404
    assert error(
        requests.delete(
            f"{sb.prestashop.url}/customers/{new['id']}", auth=(sb.prestashop.key, ""), timeout=30
        )
    ) == (404, 87)


def test_order_history_changes_the_state_and_date_upd_tracking_number_reaches_the_order(
    fresh_sandbox: Sandbox,
) -> None:
    sb = fresh_sandbox
    sb.admin("prestashop").clock(freeze="2026-11-30T09:00:00Z")
    body = XML.format(
        "<order_history><id_order>1</id_order><id_order_state>6</id_order_state></order_history>"
    )
    assert send(sb, "POST", "order_histories", body, sendemail="1").status_code == 201
    order = get(sb, "orders/1").json()["order"]
    assert (
        order["current_state"] == 6 and order["date_upd"] == "2026-11-30 10:00:00"
    )  # Europe/Paris wall clock
    carrier = rows(
        get(sb, "order_carriers", display="full", **{"filter[id_order]": "[1]"}), "order_carriers"
    )[0]
    sb.admin("prestashop").settings(patch_allowed=True)
    patch = XML.format(
        f"<order_carrier><id>{carrier['id']}</id><tracking_number>6A000111222</tracking_number></order_carrier>"
    )
    assert send(sb, "PATCH", f"order_carriers/{carrier['id']}", patch).status_code == 200
    assert get(sb, "orders/1").json()["order"]["shipping_number"] == "6A000111222"


def test_stock_depending_on_stock_is_refused_and_bad_xml_is_code_127(fresh_sandbox: Sandbox) -> None:
    sb = fresh_sandbox
    sb.admin("prestashop").set_row("stock_availables", 1, depends_on_stock=1)
    sb.admin("prestashop").settings(patch_allowed=True)
    resp = send(
        sb,
        "PATCH",
        "stock_availables/1",
        XML.format("<stock_available><id>1</id><quantity>5</quantity></stock_available>"),
    )
    assert resp.status_code == 500
    assert [int(e.find("code").text) for e in SafeET.fromstring(resp.content).findall("errors/error")] == [
        133,
        46,
    ]
    bomb = '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><prestashop>&lol2;</prestashop>'
    assert error(send(sb, "POST", "customers", bomb)) == (500, 127)


@pytest.mark.parametrize("schema", ["blank", "synopsis"])
def test_schemas_describe_every_field(sandbox: Sandbox, schema: str) -> None:
    resp = get(sandbox, "products", json=False, schema=schema)
    product = SafeET.fromstring(resp.content).find("product")
    assert product.find("price") is not None and product.find("associations") is not None
    if schema == "synopsis":
        assert product.find("price").get("required") == "true"
        assert product.find("quantity").get("read_only") == "true"


def test_empty_json_list_form_is_a_setting(fresh_sandbox: Sandbox) -> None:
    assert get(fresh_sandbox, "products", **{"filter[id]": "[999999]"}).json() == []
    fresh_sandbox.admin("prestashop").settings(json_empty_list="object")
    assert get(fresh_sandbox, "products", **{"filter[id]": "[999999]"}).json() == {"products": []}
