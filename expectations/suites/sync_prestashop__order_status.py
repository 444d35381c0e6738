"""Suite for `sync.sync_prestashop__order_status`: the order states and tracking numbers about to be set in PrestaShop."""

from __future__ import annotations

import great_expectations.expectations as gxe

from expectations.checks import sync_suite
from expectations.suite import Check, GateParams, Suite

MODEL = "sync_prestashop__order_status"
# PrestaShop's `Validate::isTrackingNumber`, which the order carrier's `tracking_number` must pass
TRACKING_NUMBER = r"^[~:#,%&_=()\[\].? +\-@/a-zA-Z0-9]+$"


def suite(params: GateParams) -> Suite:
    """Contract key; the state written is a state id, a tracking number one the shop accepts; the order is known."""
    return sync_suite(
        MODEL,
        [
            Check(
                "desired_state_id",
                gxe.ExpectColumnValuesToMatchRegex(
                    column="desired_value",
                    regex=r"^[1-9][0-9]*$",
                    row_condition='field == "current_state"',
                    condition_parser="pandas",
                ),
                "blocking",
                "order state to write is not a state id",
            ),
            Check(
                "desired_tracking_number",
                gxe.ExpectColumnValuesToMatchRegex(
                    column="desired_value",
                    regex=TRACKING_NUMBER,
                    row_condition='field == "tracking_number"',
                    condition_parser="pandas",
                ),
                "warning",
                "tracking number to write has characters PrestaShop refuses",
            ),
            Check(
                "target_order_known",
                gxe.ExpectColumnValuesToNotBeNull(column="target_id"),
                "blocking",
                "order to update has no shop order id",
            ),
        ],
    )
