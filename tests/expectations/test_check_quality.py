"""The Prefect task around the gate: settings in, a blocked or errored gate stops the run with one clear line."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from quality_fixtures import good_tables, write_warehouse

from flows.config import Merchant, QualitySettings, Settings
from flows.errors import ConfigError, QualityGateBlocked, one_line_reason
from flows.quality import ARTIFACT_KEY, QualityGateError, check_quality


def settings_for(tmp_path: Path, tables=None, **quality) -> Settings:
    settings = Settings(
        data_dir=tmp_path / "data",
        merchant=Merchant(first_day=date(2026, 5, 1)),
        connections={},
        quality=QualitySettings(data_docs_dir=tmp_path / "data" / "quality" / "data_docs", **quality),
    )
    settings.warehouse_path.parent.mkdir(parents=True)
    write_warehouse(settings.warehouse_path, good_tables() if tables is None else tables)
    return settings


def test_a_clean_warehouse_passes_and_writes_data_docs(tmp_path: Path) -> None:
    settings = settings_for(tmp_path)

    result = check_quality.fn(settings, "run-ok")

    assert result.status == "passed"
    assert (settings.quality.data_docs_dir / "index.html").is_file()


def test_negative_stock_blocks_with_one_line_naming_the_check(tmp_path: Path) -> None:
    tables = good_tables()
    tables["core.fct_stock_levels"].loc[2, "quantity_on_hand"] = -3.0
    settings = settings_for(tmp_path, tables)

    with pytest.raises(QualityGateBlocked) as raised:
        check_quality.fn(settings, "run-blocked")

    assert type(raised.value) is QualityGateBlocked
    assert raised.value.exit_code == 3
    line = one_line_reason(raised.value)
    assert line.startswith("quality gate blocked (")
    assert "stock_levels.stock_not_negative (1 row, e.g. SKU-B|erp|1)" in line
    assert str(settings.quality.data_docs_dir / "index.html") in line
    assert "run_id = 'run-blocked'" in line


def test_a_check_that_cannot_run_stops_the_run_as_an_error(tmp_path: Path) -> None:
    tables = good_tables()
    tables["core.fct_stock_levels"] = tables["core.fct_stock_levels"].drop(columns=["quantity_reserved"])
    settings = settings_for(tmp_path, tables)

    with pytest.raises(QualityGateError, match=r"^quality gate error .*stock_levels\.reserved_not_negative"):
        check_quality.fn(settings, "run-error")


def test_a_severity_key_naming_no_check_is_a_configuration_error(tmp_path: Path) -> None:
    settings = settings_for(tmp_path, severity={"order_lines.sku_known_to_the_erp": "warning"})

    with pytest.raises(ConfigError, match="suite order_lines has no check 'sku_known_to_the_erp'"):
        check_quality.fn(settings, "run-config")


def test_the_merchant_can_make_a_blocking_check_a_warning(tmp_path: Path) -> None:
    tables = good_tables()
    tables["core.fct_order_lines"].loc[2, "sku"] = "SKU-ZZZ"
    settings = settings_for(tmp_path, tables, severity={"order_lines.sku_known_to_erp": "warning"})

    result = check_quality.fn(settings, "run-warned")

    assert result.status == "warned"
    assert result.quarantined == {"fct_order_lines": ["erp:7"]}


@pytest.mark.slow
def test_the_task_publishes_a_markdown_artifact_in_a_flow_run(tmp_path: Path) -> None:
    from prefect import flow
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey
    from prefect.testing.utilities import prefect_test_harness

    settings = settings_for(tmp_path)

    @flow
    def gate_only() -> str:
        return check_quality(settings, "run-artifact").status

    with prefect_test_harness():
        assert gate_only() == "passed"
        with get_client(sync_client=True) as client:
            artifacts = client.read_artifacts(
                artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[ARTIFACT_KEY]))
            )
    assert len(artifacts) == 1
    assert artifacts[0].data.startswith("## Data quality: passed")
