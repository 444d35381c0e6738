"""Suite for `sync.sync_prestashop__order_status`: the order states about to be set in PrestaShop."""

from __future__ import annotations

import great_expectations.expectations as gxe

from expectations.checks import sync_suite
from expectations.suite import Check, GateParams, Suite

MODEL = "sync_prestashop__order_status"


def suite(params: GateParams) -> Suite:
    """Contract key; the state written is a state id and the order is known by its id."""
    return sync_suite(
        MODEL,
        [
            Check(
                "desired_state_id",
                gxe.ExpectColumnValuesToMatchRegex(column="desired_value", regex=r"^[1-9][0-9]*$"),
                "blocking",
                "order state to write is not a state id",
            ),
            Check(
                "target_order_known",
                gxe.ExpectColumnValuesToNotBeNull(column="target_id"),
                "blocking",
                "order to update has no shop order id",
            ),
        ],
    )
