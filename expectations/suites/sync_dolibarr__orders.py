"""Suite for `sync.sync_dolibarr__orders`: the channel orders about to be created in the ERP."""

from __future__ import annotations

import great_expectations.expectations as gxe

from expectations.checks import sync_suite
from expectations.suite import Check, GateParams, Suite

MODEL = "sync_dolibarr__orders"


def suite(params: GateParams) -> Suite:
    """Contract key; the order has a reference and a net amount that is not negative."""
    return sync_suite(
        MODEL,
        [
            Check(
                "order_ref_present",
                gxe.ExpectColumnValuesToNotBeNull(column="order_ref"),
                "blocking",
                "order to create has no channel reference",
            ),
            Check(
                "net_not_negative",
                gxe.ExpectColumnValuesToBeBetween(column="net_excl_tax", min_value=0),
                "warning",
                "order to create has a negative net amount",
            ),
        ],
    )
