"""The gate as a whole: severities, row counts across runs, hold-backs for the push, errors, Data Docs."""

from __future__ import annotations

import re
from pathlib import Path

import great_expectations.expectations as gxe
import pandas as pd
import pytest
from quality_fixtures import failed, gate, good_tables, outcome, sql, write_warehouse

from expectations.custom import ExpectColumnValuesToBeWholeNumbers
from expectations.runner import GateConfigError
from expectations.suite import Bounds, Check, GateParams, Suite
from expectations.suites import order_lines, products, stock_levels, web_orders


def negative_stock() -> dict[str, pd.DataFrame]:
    tables = good_tables()
    tables["core.fct_stock_levels"].loc[2, "quantity_on_hand"] = -3.0
    return tables


def test_a_blocking_check_overridden_to_warning_quarantines_instead(tmp_path: Path) -> None:
    result = gate(
        tmp_path,
        [stock_levels.suite],
        negative_stock(),
        severity={"stock_levels.stock_not_negative": "warning"},
    )

    assert result.status == "warned"
    assert result.passed
    # the stock push of that SKU is held back too
    assert result.quarantined == {
        "fct_stock_levels": ["SKU-B|erp|1"],
        "sync_prestashop__stock": ["webshop:SKU-B"],
    }
    assert sql(tmp_path / "warehouse.duckdb", "select severity from audit.dq_results where not success") == [
        ("warning",)
    ]


def test_a_check_turned_off_is_recorded_and_not_run(tmp_path: Path) -> None:
    result = gate(
        tmp_path, [stock_levels.suite], negative_stock(), severity={"stock_levels.stock_not_negative": "off"}
    )

    assert result.status == "passed"
    found = outcome(result, "stock_levels.stock_not_negative")
    assert (found.success, found.severity, found.observed_value) == (None, "off", "skipped: severity off")


@pytest.mark.parametrize(
    ("severity", "message"),
    [
        (
            {"stock_levels.stock_not_negativ": "warning"},
            "quality.severity.stock_levels.stock_not_negativ: suite stock_levels has no check 'stock_not_negativ'; "
            "its checks: erp_connection_not_null, key_unique, ",
        ),
        ({"stock_level.stock_not_negative": "warning"}, "no suite 'stock_level'; suites: stock_levels"),
        ({"stock_levels.stock_not_negative": "fatal"}, "expected blocking, warning, off, got 'fatal'"),
    ],
)
def test_a_wrong_severity_override_is_refused_before_anything_runs(
    tmp_path: Path, severity: dict[str, str], message: str
) -> None:
    with pytest.raises(GateConfigError, match=re.escape(message)):
        gate(tmp_path, [stock_levels.suite], severity=severity)

    assert sql(
        tmp_path / "warehouse.duckdb",
        "select count(*) from duckdb_tables() where schema_name = 'audit'",
    ) == [(0,)]


def test_row_count_collapse_against_the_last_run_let_through_blocks(tmp_path: Path) -> None:
    tables = good_tables()
    tables["core.fct_stock_levels"] = pd.concat([tables["core.fct_stock_levels"]] * 4, ignore_index=True)
    tables["core.fct_stock_levels"]["warehouse_id"] = [str(i) for i in range(12)]
    assert gate(tmp_path, [stock_levels.suite], tables, run_id="run-1").status == "passed"

    # WHEN the next build has 5 rows of 12 (a drop of 58% > 50%)
    tables["core.fct_stock_levels"] = tables["core.fct_stock_levels"].head(5)
    second = gate(tmp_path, [stock_levels.suite], tables, run_id="run-2")

    assert second.status == "blocked"
    assert failed(second) == ["stock_levels.row_count_not_collapsed"]
    assert outcome(second, "stock_levels.row_count_not_collapsed").observed_value == "5"
    # THEN a third run still compares with the 12 rows of the run that was let through, not the blocked 5
    third = gate(tmp_path, [stock_levels.suite], run_id="run-3")
    assert failed(third) == ["stock_levels.row_count_not_collapsed"]
    # and a merchant who accepts a larger drop lets it through
    assert gate(tmp_path, [stock_levels.suite], run_id="run-4", bounds=Bounds(row_count_drop_max=0.6)).passed


def test_rerunning_the_gate_for_a_run_replaces_its_rows(tmp_path: Path) -> None:
    tables = good_tables()
    tables["core.dim_products"].loc[1, "ean13"] = "5901234123458"
    gate(tmp_path, [products.suite], tables)
    gate(tmp_path, [products.suite])

    db = tmp_path / "warehouse.duckdb"
    assert sql(db, "select model, count(*) from audit.quarantine group by model order by model") == [
        ("dim_products", 1),
        ("sync_prestashop__products", 1),
    ]
    assert sql(db, "select count(*) from audit.dq_results where expectation = 'ean13_check_digit'") == [(1,)]


def test_a_price_below_cost_holds_back_the_price_push_of_that_sku(tmp_path: Path) -> None:
    tables = good_tables()
    tables["core.dim_products"].loc[1, "price_excl_tax_eur"] = 7.99
    tables["sync.sync_prestashop__prices"] = pd.DataFrame(
        {
            "record_key": ["webshop:SKU-B", "webshop:SKU-A"],
            "field": ["price", "price"],
            "desired_value": ["7.990000", "10.000000"],
            "sku": ["SKU-B", "SKU-A"],
        }
    )

    result = gate(tmp_path, [products.suite], tables)

    assert result.status == "warned"
    assert result.quarantined == {"dim_products": ["SKU-B"], "sync_prestashop__prices": ["webshop:SKU-B"]}
    held = sql(
        tmp_path / "warehouse.duckdb",
        "select reason, record->>'desired_value' from audit.quarantine where model = 'sync_prestashop__prices'",
    )
    assert held == [
        (
            "held back: ERP price excluding tax is below the unit cost (products.price_not_below_cost)",
            "7.990000",
        )
    ]


def broken_suite(params: GateParams) -> Suite:
    """A suite with one sound check, one on a column the model lacks and one whose metric cannot compute."""
    return Suite(
        name="broken",
        schema="core",
        model="dim_products",
        key=("sku",),
        track_row_count=False,
        checks=[
            Check("sku_not_null", gxe.ExpectColumnValuesToNotBeNull(column="sku"), "blocking", "no SKU"),
            Check("colour_set", gxe.ExpectColumnValuesToNotBeNull(column="colour"), "warning", "no colour"),
            Check(
                "names_whole", ExpectColumnValuesToBeWholeNumbers(column="product_name"), "warning", "text"
            ),
        ],
    )


def test_an_expectation_that_errors_fails_the_gate_as_an_error(tmp_path: Path) -> None:
    result = gate(tmp_path, [broken_suite])

    assert result.status == "error"
    assert not result.passed
    assert [o.label for o in result.errors] == ["broken.colour_set", "broken.names_whole"]
    assert "colour" in outcome(result, "broken.colour_set").error
    assert outcome(result, "broken.sku_not_null").success is True
    line = result.render()
    assert line.startswith("quality gate error")
    assert "broken.colour_set: expectation errored" in line
    assert "audit.dq_results and audit.quarantine where run_id = 'run-1'" in line
    # an errored warning check quarantines nothing, and the error is recorded
    db = tmp_path / "warehouse.duckdb"
    assert sql(db, "select count(*) from audit.quarantine") == [(0,)]
    assert sql(db, "select expectation from audit.dq_results where error is not null order by 1") == [
        ("colour_set",),
        ("names_whole",),
    ]


def test_a_missing_required_model_is_an_error_and_a_missing_optional_one_is_skipped(tmp_path: Path) -> None:
    tables = good_tables()
    del tables["core.fct_stock_levels"]
    del tables["staging.stg_prestashop__orders"]

    result = gate(tmp_path, [stock_levels.suite, web_orders.suite], tables)

    assert result.status == "error"
    assert outcome(result, "stock_levels.model_present").error == (
        "model core.fct_stock_levels is missing from the warehouse"
    )
    skipped = outcome(result, "web_orders.model_present")
    assert (skipped.error, skipped.severity, skipped.success) == (None, "off", None)


def test_a_model_that_cannot_be_read_is_an_error(tmp_path: Path) -> None:
    tables = good_tables()
    tables["core.dim_products"] = tables["core.dim_products"].drop(columns=["sku"])

    result = gate(tmp_path, [order_lines.suite], tables)

    assert result.status == "error"
    assert outcome(result, "order_lines.model_readable").error.startswith("cannot read core.fct_order_lines:")


def test_blocked_result_names_the_failed_checks_and_where_to_read_more(tmp_path: Path) -> None:
    result = gate(tmp_path, [stock_levels.suite], negative_stock())

    line = result.render()
    assert line.startswith("quality gate blocked (9 checks, 0 warnings, 0 rows quarantined): ")
    assert "stock_levels.stock_not_negative (1 row, e.g. SKU-B|erp|1)" in line
    assert f"Data Docs {tmp_path / 'docs' / 'index.html'}" in line
    assert "| stock_levels.stock_not_negative | blocking | fct_stock_levels | 1 | SKU-B\\|erp\\|1 |" in (
        result.markdown()
    )


def test_data_docs_are_written_where_asked(tmp_path: Path) -> None:
    (tmp_path / "docs" / "validations" / "old_suite").mkdir(parents=True)

    result = gate(tmp_path, [products.suite, stock_levels.suite])

    assert result.data_docs == tmp_path / "docs"
    assert (tmp_path / "docs" / "index.html").is_file()
    assert sorted(p.name for p in (tmp_path / "docs" / "validations").iterdir()) == [
        "products",
        "stock_levels",
    ]
    page = (tmp_path / "docs" / "expectations" / "products.html").read_text()
    assert "price_excl_tax_eur" in page
    # custom expectations read as sentences, not as their raw arguments
    assert "values must be 13 digits with a valid EAN-13 check digit." in page


def test_the_gate_reads_through_a_read_only_connection(tmp_path: Path) -> None:
    # GIVEN the file is open read-only by an analyst in this process, the gate still validates and writes
    import duckdb

    path = write_warehouse(tmp_path / "warehouse.duckdb", good_tables())
    result = gate(tmp_path, [products.suite])
    with duckdb.connect(str(path), read_only=True) as con:
        assert con.execute("select count(*) from audit.dq_results").fetchall() == [(len(result.outcomes),)]
