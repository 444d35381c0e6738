"""Both sources loaded from the sandbox: no secret anywhere, and the staging models build and pass their tests."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from sandbox_harness import Harness

WAREHOUSE = Path(__file__).resolve().parents[2] / "warehouse"


def dbt_build_staging(harness: Harness, target: Path) -> dict:
    dbt_vars = {
        "connections": {"prestashop": ["webshop"], "dolibarr": ["erp"]},
        "connection_settings": {
            "webshop": {"timezone": "Europe/Paris", "click_collect_carriers": [1]},
            "erp": {"timezone": "UTC"},
        },
    }
    env = {
        **os.environ,
        "OMNICANAL_DUCKDB_PATH": str(harness.warehouse),
        "DBT_TARGET_PATH": str(target),
        "DBT_LOG_PATH": str(target / "logs"),
    }
    command = [
        str(Path(sys.executable).parent / "dbt"),
        "build",
        "--select",
        "staging",
        "--project-dir",
        str(WAREHOUSE),
        "--profiles-dir",
        str(WAREHOUSE),
        "--vars",
        json.dumps(dbt_vars),
    ]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stdout[-4000:]
    return json.loads((target / "run_results.json").read_text())


def test_full_loads_hold_no_secret_and_staging_builds_with_passing_tests(harness: Harness, options, tmp_path):
    # GIVEN the shop and the ERP extracted from the sandbox
    harness.extract("webshop", options)
    harness.extract("erp", options)

    # THEN no column anywhere in the warehouse is a secret (passwd, secure_key, reset tokens...)
    assert not harness.secret_columns()
    names = {
        r[0]
        for r in harness.sql("select column_name from duckdb_columns() where schema_name = 'raw_webshop'")
    }
    assert {"email", "date_upd"} <= names

    # WHEN dbt builds the staging layer
    results = dbt_build_staging(harness, tmp_path / "dbt")

    # THEN every model and every test passed, key tests included
    statuses = {r["unique_id"]: r["status"] for r in results["results"]}
    models = {u.removeprefix("model.omnicanal.") for u in statuses if u.startswith("model.omnicanal.stg_")}
    tests = [u for u in statuses if u.startswith("test.omnicanal.")]
    # every staging model of both systems was built (the flat-file ones are disabled without such a connection)
    assert models == {
        path.stem
        for system in ("prestashop", "dolibarr")
        for path in (WAREHOUSE / "models" / "staging" / system).glob("stg_*.sql")
    }
    assert len(tests) > 100
    assert {statuses[f"model.omnicanal.{m}"] for m in models} == {"success"} and {
        statuses[u] for u in tests
    } == {"pass"}
    # and the staging answers what the core models need
    items = harness.sql("select count(*), count(distinct sku) from staging.stg_prestashop__sellable_items")[0]
    products, combinations, parents = harness.sql(
        "select (select count(*) from raw_webshop.products), (select count(*) from raw_webshop.combinations), "
        "(select count(distinct id_product) from raw_webshop.combinations)"
    )[0]
    assert items == (products - parents + combinations, products - parents + combinations)
    click_collect = harness.sql(
        "select count(*) filter (where is_click_and_collect), count(*) filter (where carrier_id = '1') "
        "from staging.stg_prestashop__orders"
    )[0]
    assert click_collect[0] == click_collect[1] > 0
    channels = dict(harness.sql("select channel, count(*) from staging.stg_dolibarr__orders group by 1"))
    assert set(channels) == {"web", "store", "marketplace"}
    credit_lines = harness.sql(
        "select count(*), count(origin_order_line_id) from staging.stg_dolibarr__invoice_lines where is_credit_note_line"
    )[0]
    assert credit_lines[0] == credit_lines[1] > 0
    lots = harness.sql("select distinct currency_code from staging.stg_dolibarr__reception_lines order by 1")
    assert [c for (c,) in lots] == ["EUR", "GBP", "USD"]
