"""flows.extract maps a configured connection to the source's parameters, and refuses what cannot work."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from flows.config import Connection, Secret
from flows.errors import ConfigError
from flows.extract import ExtractResult, source_parameters


def shop(**options: object) -> Connection:
    return Connection(
        name="shop_fr",
        kind="prestashop",
        role="channel",
        channel="web",
        url="https://shop.example.com/api",
        api_key=Secret("K" * 32),
        timezone="Europe/Paris",
        options=dict(options),
    )


def test_options_become_typed_source_parameters():
    params = source_parameters(
        shop(page_size="150", concurrency=2, initial_value="2025-06-01", stock_warehouses=["1"])
    )
    assert params == {
        "base_url": "https://shop.example.com/api",
        "api_key": "K" * 32,
        "connection": "shop_fr",
        "timezone": "Europe/Paris",
        "page_size": 150,
        "concurrency": 2,
        "initial_value": datetime(2025, 6, 1, tzinfo=UTC),
    }


def test_a_bad_option_or_a_missing_key_is_a_configuration_error():
    with pytest.raises(ConfigError, match=r"connections.shop_fr.page_size: expected int, got 'many'"):
        source_parameters(shop(page_size="many"))
    with pytest.raises(ConfigError, match="connections.shop_fr.api_key: required"):
        source_parameters(Connection(name="shop_fr", kind="prestashop", role="channel", url="https://x/api"))
    with pytest.raises(ConfigError, match="no API source for kind 'odoo'"):
        source_parameters(Connection(name="odoo_erp", kind="odoo", role="erp", url="https://x/jsonrpc"))


def test_the_result_line_says_what_happened():
    result = ExtractResult(
        "webshop", "prestashop", rows={"orders": 12, "products": 0}, requests=9, retries=2, seconds=1.5
    )
    assert result.render() == (
        "webshop (prestashop, incremental): 12 rows into 1 of 2 tables, 9 requests (2 retried), 1.5 s"
    )
