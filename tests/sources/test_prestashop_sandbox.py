"""The PrestaShop source against the emulated shop over real HTTP: loads, cursors, sweeps, requests sent."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import orjson
import pytest
from sandbox_harness import Harness

from sources.prestashop import helpers as prestashop_helpers

# raw table -> ground-truth key of the generated world
TRUTH_KEYS = {
    "products": "products",
    "combinations": "combinations",
    "stock_availables": "stock_availables",
    "specific_prices": "specific_prices",
    "categories": "categories",
    "customers": "customers",
    "addresses": "addresses",
    "orders": "orders",
    "order_rows": "order_details",
    "order_histories": "order_histories",
    "order_carriers": "order_carriers",
    "carriers": "carriers",
    "order_states": "order_states",
}
ALL_TABLES = [*TRUTH_KEYS, "taxes", "tax_rule_groups", "tax_rules", "currencies", "languages", "shops"]


def id_spans(requests) -> list[str]:
    """The `filter[id]=[a,b]` spans of these requests by their first id: spans are read a few at a time,
    so the server may log them in any order; each must be there exactly once."""
    return sorted(
        (r.param("filter[id]") for r in requests), key=lambda span: int(span.strip("[]").split(",")[0])
    )


def _asked_ids(value: str) -> list[int]:
    """The order ids of a `filter[id_order]` value: `[a|b|...]` or the interval `[a,b]`."""
    inner = value.strip("[]")
    if "," in inner:
        low, high = map(int, inner.split(","))
        return list(range(low, high + 1))
    return [int(i) for i in inner.split("|")]


def test_order_ids_are_asked_for_as_an_interval_only_when_they_follow_each_other(
    monkeypatch: pytest.MonkeyPatch,
):
    assert prestashop_helpers.id_filter([12]) == "[12]"
    assert prestashop_helpers.id_filter([3, 4, 5, 6]) == "[3,6]"
    assert prestashop_helpers.id_filter([3, 4, 6]) == "[3|4|6]"
    # consecutive ids go by larger groups (one interval each), scattered ones by lists of the smaller size
    monkeypatch.setattr(prestashop_helpers, "ORDER_IDS_PER_REQUEST", 3)
    monkeypatch.setattr(prestashop_helpers, "ORDER_IDS_PER_INTERVAL", 6)
    groups = [list(g) for g in prestashop_helpers.order_groups([*range(1, 9), 10, 12, 14, 16, 17])]
    assert groups == [[1, 2, 3, 4, 5, 6], [7, 8, 10], [12, 14, 16], [17]]


def shop_zone(h: Harness) -> ZoneInfo:
    return ZoneInfo(h.sandbox.world().get("timezone", "Europe/Paris"))


def local(h: Harness, instant: datetime) -> str:
    """An instant as the shop writes it: wall-clock time of its zone, no offset."""
    return instant.astimezone(shop_zone(h)).strftime("%Y-%m-%d %H:%M:%S")


def window_end(h: Harness, request_params: list[tuple[str, str]]) -> datetime:
    """The UTC upper bound of the `filter[date_upd]=[a,b]` a request sent."""
    value = dict(request_params)["filter[date_upd]"]
    upper = value.strip("[]").split(",")[1]
    return datetime.strptime(upper, "%Y-%m-%d %H:%M:%S").replace(tzinfo=shop_zone(h)).astimezone(UTC)


def count(h: Harness, table: str, where: str = "true") -> int:
    return h.sql(f"select count(*) from raw_webshop.{table} where {where}")[0][0]


def test_first_load_reads_every_table_with_the_world_counts(harness: Harness, options):
    # GIVEN a shop whose specific prices were all removed (an empty resource)
    admin = harness.admin("prestashop")
    for row in admin.rows("specific_prices"):
        admin.delete_row("specific_prices", row["id"])
    mark = harness.mark("prestashop")

    # WHEN the first extraction runs
    result = harness.extract("webshop", options)

    # THEN every table exists, typed, with exactly the generated rows (none for specific prices)
    truth = harness.truth("prestashop")
    for table, key in TRUTH_KEYS.items():
        expected = 0 if table == "specific_prices" else truth[key]
        assert count(harness, table) == expected, table
        assert result.rows[table] == expected, table
    for table in ALL_TABLES:
        assert count(harness, table) >= (0 if table == "specific_prices" else 1), table
    types = dict(
        harness.sql(
            "select column_name, data_type from duckdb_columns() where schema_name = 'raw_webshop' "
            "and table_name = 'orders'"
        )
    )
    assert types["total_paid_tax_incl"] == "DECIMAL(18,6)"
    assert types["date_upd"] == "TIMESTAMP WITH TIME ZONE"
    assert not harness.secret_columns()
    # the first read of an entity goes by id ranges of one page each, inside [initial value, shop clock]
    products = [r for r in harness.requests("prestashop", mark) if r.path == "/api/products"]
    ranged = [r for r in products if (r.param("filter[id]") or "").startswith("[")]
    assert id_spans(ranged) == ["[1,20]", "[21,31]"]
    assert {r.param("limit") for r in ranged} == {"20"} and {r.param("date") for r in ranged} == {"1"}
    assert ranged[0].param("filter[date_upd]").startswith("[2000-01-01 01:00:00,")
    # the saved cursor is the upper bound of the window read, i.e. the shop clock at the start
    cursor = harness.state("webshop")["prestashop"]["resources"]["products"]["incremental"]["date_upd"]
    assert cursor["last_value"] == window_end(harness, ranged[0].params)


def test_shop_times_are_converted_to_utc_and_names_kept_per_language(harness: Harness, options):
    admin = harness.admin("prestashop")
    admin.settings(languages=2)
    harness.extract("webshop", options)
    shop_row = admin.rows("products", id=5)[0]
    ((date_upd, name),) = harness.sql("select date_upd, name from raw_webshop.products where id = 5")
    wall = datetime.strptime(shop_row["date_upd"], "%Y-%m-%d %H:%M:%S").replace(tzinfo=shop_zone(harness))
    assert date_upd == wall.astimezone(UTC)
    assert set(orjson.loads(name)) == {"1", "2"}


def test_incremental_run_reads_only_the_window_and_pages_equal_timestamps_by_id(harness: Harness, options):
    harness.extract("webshop", options)
    before = dict(harness.sql("select id, price from raw_webshop.products"))
    cursor = harness.state("webshop")["prestashop"]["resources"]["products"]["incremental"]["date_upd"][
        "last_value"
    ]
    # GIVEN 25 products (more than a page of 20) changed in the same second, after the last run
    time.sleep(1.1)
    stamp = local(harness, datetime.now(UTC))
    admin = harness.admin("prestashop")
    changed = sorted(before)[:25]
    for product_id in changed:
        admin.set_row("products", product_id, price=float(before[product_id]) + 1, date_upd=stamp)
    mark = harness.mark("prestashop")

    # WHEN the next run extracts
    result = harness.extract("webshop", options)

    # THEN it read exactly those rows, in two id-keyset pages inside the window [cursor - 10 min, now]
    requests = [r for r in harness.requests("prestashop", mark) if r.path == "/api/products"]
    assert [r.param("filter[id]") for r in requests] == [">[0]", f">[{changed[19]}]"]
    low = local(harness, cursor - timedelta(minutes=10))
    assert requests[0].param("filter[date_upd]").startswith(f"[{low},")
    assert [(r.param("sort"), r.param("limit"), r.param("date")) for r in requests] == [
        ("[id_ASC]", "20", "1")
    ] * 2
    assert result.rows["products"] == 25
    # no duplicate, every change applied, the others untouched
    after = dict(harness.sql("select id, price from raw_webshop.products"))
    assert len(after) == len(before) == count(harness, "products")
    assert {i for i in after if after[i] != before[i]} == set(changed)
    assert all(after[i] == before[i] + 1 for i in changed)
    new_cursor = harness.state("webshop")["prestashop"]["resources"]["products"]["incremental"]["date_upd"]
    assert new_cursor["last_value"] == window_end(harness, requests[0].params)


def test_a_late_commit_inside_the_overlap_is_read_again(harness: Harness, options):
    harness.extract("webshop", options)
    cursor = harness.state("webshop")["prestashop"]["resources"]["products"]["incremental"]["date_upd"][
        "last_value"
    ]
    # GIVEN a change stamped 4 minutes before the saved cursor (its transaction committed late)
    # and one stamped 20 minutes before it (older than the 10-minute overlap)
    admin = harness.admin("prestashop")
    admin.set_row("products", 3, price=123.45, date_upd=local(harness, cursor - timedelta(minutes=4)))
    admin.set_row("products", 4, price=543.21, date_upd=local(harness, cursor - timedelta(minutes=20)))

    harness.extract("webshop", options)

    prices = dict(harness.sql("select id, price from raw_webshop.products where id in (3, 4)"))
    assert prices[3] == Decimal("123.450000")
    assert prices[4] != Decimal("543.210000")  # outside the overlap: left for the next sweep or full run


def test_stock_only_changes_are_found_by_the_sweep(harness: Harness, options):
    harness.extract("webshop", options)
    admin = harness.admin("prestashop")
    row = admin.rows("stock_availables", id=7)[0]
    product_before = admin.rows("products", id=row["id_product"])[0]["date_upd"]
    # GIVEN a stock change in the shop, which moves no timestamp
    admin.set_row("stock_availables", 7, quantity=row["quantity"] + 40)
    assert admin.rows("products", id=row["id_product"])[0]["date_upd"] == product_before

    # WHEN an incremental run without sweep extracts, THEN the stock is not re-read
    harness.extract("webshop", {**options, "sweep_every_hours": 1000})
    assert (
        harness.sql("select quantity from raw_webshop.stock_availables where id = 7")[0][0] == row["quantity"]
    )

    # WHEN the sweep runs, THEN the new quantity is loaded, with no duplicate row
    mark = harness.mark("prestashop")
    harness.extract("webshop", options, sweep=True)
    assert (
        harness.sql("select quantity from raw_webshop.stock_availables where id = 7")[0][0]
        == row["quantity"] + 40
    )
    assert count(harness, "stock_availables") == harness.truth("prestashop")["stock_availables"]
    stock_requests = [r for r in harness.requests("prestashop", mark) if r.path == "/api/stock_availables"]
    assert id_spans([r for r in stock_requests if r.param("display") != "[id]"]) == ["[1,50]", "[51,75]"]


def test_a_deleted_product_is_marked_deleted_by_the_sweep_only(harness: Harness, options):
    harness.extract("webshop", options)
    ((reference, price),) = harness.sql("select reference, price from raw_webshop.products where id = 9")
    harness.admin("prestashop").delete_row("products", 9)

    harness.extract("webshop", {**options, "sweep_every_hours": 1000})
    assert harness.sql("select _deleted from raw_webshop.products where id = 9") == [(False,)]

    harness.extract("webshop", options, sweep=True)
    # kept with its last values, marked deleted; nothing else is marked
    assert harness.sql("select reference, price, _deleted from raw_webshop.products where id = 9") == [
        (reference, price, True)
    ]
    assert count(harness, "products", "_deleted") == 1


def test_changed_orders_bring_their_rows_histories_and_carriers(harness: Harness, options):
    harness.extract("webshop", options)
    admin = harness.admin("prestashop")
    order = admin.rows("orders", id=12)[0]
    time.sleep(1.1)
    stamp = local(harness, datetime.now(UTC))
    # GIVEN order 12 shipped: a new state in its history and a tracking number on its carrier row
    history_id = max(r["id"] for r in admin.rows("order_histories")) + 1
    carrier = admin.rows("order_carriers", id_order=12)[0]
    admin.set_row("orders", 12, current_state=4, date_upd=stamp)
    admin.set_row("order_carriers", carrier["id"], tracking_number="6A123456789")
    mark = harness.mark("prestashop")

    harness.extract("webshop", options)

    assert harness.sql("select current_state from raw_webshop.orders where id = 12") == [(4,)]
    assert harness.sql("select tracking_number from raw_webshop.order_carriers where id_order = 12") == [
        ("6A123456789",)
    ]
    assert count(harness, "order_rows") == harness.truth("prestashop")["order_details"]
    children = [
        r
        for r in harness.requests("prestashop", mark)
        if r.path in ("/api/order_histories", "/api/order_carriers")
    ]
    assert {(r.path, r.param("filter[id_order]")) for r in children} == {
        ("/api/order_histories", "[12]"),
        ("/api/order_carriers", "[12]"),
    }
    assert order["current_state"] != 4 and history_id > 0


def test_histories_and_carriers_of_many_order_groups_read_a_few_at_once_each_order_once(
    harness: Harness, options, monkeypatch: pytest.MonkeyPatch
):
    # GIVEN order children asked for 7 orders per request (14 when their ids follow each other, as a first
    # load's do): the first load's orders make many groups, which the source reads a few at a time
    monkeypatch.setattr(prestashop_helpers, "ORDER_IDS_PER_REQUEST", 7)
    monkeypatch.setattr(prestashop_helpers, "ORDER_IDS_PER_INTERVAL", 14)
    mark = harness.mark("prestashop")

    harness.extract("webshop", options)

    # THEN every history and carrier row is there exactly once
    truth = harness.truth("prestashop")
    for table in ("order_histories", "order_carriers"):
        assert count(harness, table) == truth[table], table
        assert harness.sql(f"select count(*) - count(distinct id) from raw_webshop.{table}") == [(0,)]
        # AND each order was asked for in exactly one group (its rows in keyset pages), of at most 14
        filters = dict.fromkeys(
            r.param("filter[id_order]")
            for r in harness.requests("prestashop", mark)
            if r.path == f"/api/{table}"
        )
        groups = [_asked_ids(value) for value in filters]
        asked = [order_id for group in groups for order_id in group]
        assert sorted(asked) == list(range(1, truth["orders"] + 1)), table
        assert max(len(group) for group in groups) == 14 and len(groups) >= 3, table
        # AND a first load's groups of consecutive ids are asked for as intervals
        assert all(
            "," in r.param("filter[id_order]")
            for r in harness.requests("prestashop", mark)
            if r.path == f"/api/{table}" and len(_asked_ids(r.param("filter[id_order]"))) > 1
        ), table


def test_backfill_window_reloads_without_moving_cursors(harness: Harness, options):
    harness.extract("webshop", options)
    state_before = harness.state("webshop")
    harness.sql("select 1")
    mark = harness.mark("prestashop")
    start, end = datetime(2026, 3, 22, 0, 0, tzinfo=UTC), datetime(2026, 3, 23, 0, 0, tzinfo=UTC)

    result = harness.extract("webshop", options, window=(start, end))

    products = [r for r in harness.requests("prestashop", mark) if r.path == "/api/products"]
    assert products[0].param("filter[date_upd]") == f"[{local(harness, start)},{local(harness, end)}]"
    assert result.rows["products"] == count(
        harness, "products", "date_upd between '2026-03-22 00:00:00+00' and '2026-03-23 00:00:00+00'"
    )
    assert harness.state("webshop") == state_before
    assert not [r for r in harness.requests("prestashop", mark) if r.path == "/api/stock_availables"]


@pytest.mark.parametrize(
    ("kind", "spec"),
    [
        ("status", {"status": 429, "retry_after": "1", "path_prefix": "/api/orders", "count": 2}),
        ("status", {"status": 500, "path_prefix": "/api/customers", "count": 2}),
        ("status", {"status": 503, "path_prefix": "/api/order_histories", "count": 1}),
        ("truncate", {"path_prefix": "/api/products", "count": 2}),
        (
            "malformed",
            {"body": "<html>proxy error</html>", "path_prefix": "/api/stock_availables", "count": 1},
        ),
        ("slow", {"delay": 3, "path_prefix": "/api/addresses", "count": 1}),
        ("reset", {"path_prefix": "/api/combinations", "count": 1}),
    ],
)
def test_transient_faults_are_retried_and_the_load_is_exact(harness: Harness, options, kind, spec):
    # GIVEN a fault on some pages of the shop (a slow page longer than the 1.5 s request timeout)
    harness.admin("prestashop").faults(kind, **spec)
    mark = harness.mark("prestashop")

    harness.extract("webshop", {**options, "request_timeout": 1.5})

    truth = harness.truth("prestashop")
    for table, key in TRUTH_KEYS.items():
        assert count(harness, table) == truth[key], table
    faulty = [r for r in harness.requests("prestashop", mark) if r.path.startswith(spec["path_prefix"])]
    if kind == "status":
        assert [r.status for r in faulty[: spec["count"] + 1]] == [spec["status"]] * spec["count"] + [200]


def test_a_persistent_fault_fails_naming_the_page_and_loads_nothing(harness: Harness, options):
    harness.extract("webshop", options)
    state_before = harness.state("webshop")
    time.sleep(1.1)
    admin = harness.admin("prestashop")
    admin.set_row("products", 2, price=77.0, date_upd=local(harness, datetime.now(UTC)))
    # GIVEN every orders page answers a truncated body
    admin.faults("truncate", path_prefix="/api/orders", count=None)

    from flows.extract import ExtractionFailed

    with pytest.raises(ExtractionFailed) as failure:
        harness.extract("webshop", options)
    message = str(failure.value)
    assert "connection 'webshop', resource 'orders', page 1 (ids > 0)" in message
    assert "truncated body" in message and "still failing after 4 attempts" in message
    # THEN nothing of that run was recorded: the product change is not loaded, the cursors did not move
    assert harness.sql("select price from raw_webshop.products where id = 2")[0][0] != Decimal("77.000000")
    assert harness.state("webshop") == state_before

    # WHEN the fault is gone, THEN the next run loads the change
    admin.clear_faults()
    harness.extract("webshop", options)
    assert harness.sql("select price from raw_webshop.products where id = 2") == [(Decimal("77.000000"),)]


@pytest.mark.parametrize("empty_list", ["bare", "object"])
def test_empty_answers_in_either_form_read_as_no_rows(harness: Harness, options, empty_list):
    # PrestaShop 8.1.2 answers an empty list with a bare [], other releases with {"products": []}
    harness.extract("webshop", options)
    harness.admin("prestashop").settings(json_empty_list=empty_list)
    mark = harness.mark("prestashop")

    result = harness.extract("webshop", options)

    assert result.rows["products"] == result.rows["orders"] == 0
    assert count(harness, "products") == harness.truth("prestashop")["products"]
    assert all(r.status == 200 for r in harness.requests("prestashop", mark))
