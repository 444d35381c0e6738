"""PrestaShop destination constants: batch sizes, element names, the fields a PUT must not carry."""

from __future__ import annotations

# Written against the webservice of PrestaShop 8.1.2 (../shared/reference/api-contracts.md section 1.6).
# Ids per `filter[id]=[a|b|...]` read: one list call re-reads a whole batch before and after the writes
# (the URL stays well under the 8 KB most servers accept).
READ_BATCH = 100
# Writes in flight per connection: PrestaShop writes one object per request; 2-4 help a PHP server.
CONCURRENCY = 4
# The element a resource's object is wrapped in.
NODES = {
    "products": "product",
    "combinations": "combination",
    "stock_availables": "stock_available",
    "orders": "order",
    "order_histories": "order_history",
    "order_carriers": "order_carrier",
}
# Fields without a setter: a PUT carrying them is refused (code 93); `position_in_category` has a setter
# that moves the product in its category, so it is not sent back either.
READ_ONLY = {
    "products": ("manufacturer_name", "quantity", "position_in_category"),
}
# Category a product created from the ERP is filed under until the merchant places it (Home).
DEFAULT_CATEGORY_ID = 2
XLINK = "http://www.w3.org/1999/xlink"
