"""One module per guarded model; `SUITES` lists their builders in the order the gate runs them."""

from __future__ import annotations

from collections.abc import Callable

from expectations.suite import GateParams, Suite
from expectations.suites import (
    customers,
    erp_order_lines,
    fx_rates,
    order_line_margins,
    order_lines,
    products,
    receipt_lines,
    stock_levels,
    sync_dolibarr__customers,
    sync_dolibarr__orders,
    sync_prestashop__order_status,
    sync_prestashop__prices,
    sync_prestashop__products,
    sync_prestashop__stock,
    web_orders,
)

SuiteBuilder = Callable[[GateParams], Suite]

SUITES: tuple[SuiteBuilder, ...] = (
    products.suite,
    stock_levels.suite,
    customers.suite,
    fx_rates.suite,
    receipt_lines.suite,
    erp_order_lines.suite,
    web_orders.suite,
    order_lines.suite,
    order_line_margins.suite,
    sync_prestashop__stock.suite,
    sync_prestashop__prices.suite,
    sync_prestashop__products.suite,
    sync_prestashop__order_status.suite,
    sync_dolibarr__customers.suite,
    sync_dolibarr__orders.suite,
)
