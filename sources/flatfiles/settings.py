"""Flat-file source constants: the canonical layouts (raw tables and columns), folders, defaults."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sources._common.columns import DEC, INT, LOCAL_TS, MONEY, TEXT, Conversion, TableSpec, table

# Money keeps 6 decimals, like the PrestaShop raw tables; files rarely carry more than 4.
MONEY_SCALE = 6
CONVERSION = Conversion(money_scale=MONEY_SCALE)

# Where settled files go, inside the drop folder; the listing never descends into them.
PROCESSED_DIR = "processed"
REJECTED_DIR = "rejected"
# Names a writer uses while a file is still being written (copied, uploaded) are never picked up.
PARTIAL_SUFFIXES = (".tmp", ".part", ".partial", ".crdownload", ".filepart", "~")
# A file younger than this may still be growing: it waits for the next run.
MIN_AGE_SECONDS = 10.0
# Arrow data of one file kept in memory before it spills to a temporary Parquet file (a file loads all at
# once or not at all); a spilled table goes to dlt as that file. It is read once, by DuckDB, from the same
# disk: written plain (no compression, dictionaries or statistics), which halves its writing time for the
# same load time (bench/bench_flatfiles.py).
SPILL_BYTES = 64 * 1024 * 1024
SPILL_PARQUET = {"compression": "none", "use_dictionary": False, "write_statistics": False}
# Bytes per block the CSV parser hands over (a batch of rows); larger blocks measured slower here.
BLOCK_BYTES = 4 * 1024 * 1024
XML_BATCH_ROWS = 20_000
# Threads typing batches while the parser reads the next ones and another thread buffers the typed ones;
# on 2 cores one typing thread measured fastest (the parser has its own threads).
TYPING_THREADS = 1
# Line errors written into a reason file and kept in dlt state per file (all of them go to the table).
REASON_LINES = 20
ON_ERROR = ("skip_line", "reject_file")

# Columns every layout table carries: the file (its sequence number in this connection) and the line.
FILE_ID = "_file_id"
LINE = "_line"
_TRACE = {FILE_ID: INT, LINE: INT}


@dataclass(frozen=True)
class Layout:
    """A canonical layout: the raw table a mapping fills, its required columns, and any child table.

    Attributes:
        name: the layout name a connection's `layout` option gives.
        table: the main raw table (canonical column names and kinds, plus `_file_id` and `_line`).
        required: canonical columns every mapping must provide (a file lacking one is rejected).
        children: tables built from repeated header groups (e.g. one stock column per warehouse); their
            first columns are the main table's key, then the group's captured names.
        snapshot: each file is a complete picture (an export); otherwise each file adds events.
        mapping: the ready mapping of this layout (the sandbox's file format), in `mappings/`.
    """

    name: str
    table: TableSpec
    required: tuple[str, ...]
    children: tuple[TableSpec, ...] = ()
    snapshot: bool = False
    mapping: str = ""

    @property
    def mapping_path(self) -> Path:
        return Path(__file__).resolve().parent / "mappings" / self.mapping

    def child(self, name: str) -> TableSpec:
        for spec in self.children:
            if spec.name == name:
                return spec
        raise KeyError(name)


def _layout_table(name: str, columns: dict[str, str], key: tuple[str, ...]) -> TableSpec:
    # Append: a file is loaded once; a corrected re-export is a new file whose rows win in staging.
    return table(name, {**columns, **_TRACE}, key=key, soft_delete=False, write_disposition="append")


POS_SALES = Layout(
    name="pos_sales",
    table=_layout_table(
        "pos_sales_lines",
        {
            "store_code": TEXT,
            "ticket_id": TEXT,
            "line_number": INT,
            "sold_at": LOCAL_TS,
            "sku": TEXT,
            "ean13": TEXT,
            "quantity": DEC,
            "unit_price_incl_tax": MONEY,
            "discount_incl_tax": MONEY,
            "vat_rate_percent": DEC,
            "currency_code": TEXT,
            "payment_method": TEXT,
            "customer_email": TEXT,
            "customer_phone": TEXT,
            "original_ticket_id": TEXT,
        },
        ("store_code", "ticket_id", "line_number"),
    ),
    required=("store_code", "ticket_id", "line_number", "sold_at", "quantity", "unit_price_incl_tax"),
    mapping="pos_sales.toml",
)

MARKETPLACE_ORDERS = Layout(
    name="marketplace_orders",
    table=_layout_table(
        "marketplace_order_lines",
        {
            "order_id": TEXT,
            "order_line_id": TEXT,
            "ordered_at": LOCAL_TS,
            "order_status": TEXT,
            "sku": TEXT,
            "ean13": TEXT,
            "quantity": DEC,
            "unit_price_incl_tax": MONEY,
            "discount_incl_tax": MONEY,
            "vat_rate_percent": DEC,
            "shipping_incl_tax": MONEY,
            "currency_code": TEXT,
            "buyer_email": TEXT,
            "ship_postal_code": TEXT,
            "ship_city": TEXT,
            "shipped_at": LOCAL_TS,
            "quantity_returned": DEC,
            "returned_at": LOCAL_TS,
        },
        ("order_id", "order_line_id"),
    ),
    required=("order_id", "order_line_id", "ordered_at", "quantity", "unit_price_incl_tax"),
    mapping="marketplace_orders.toml",
)

ERP_PRODUCTS = Layout(
    name="erp_products",
    table=_layout_table(
        "erp_products",
        {
            "sku": TEXT,
            "product_name": TEXT,
            "ean13": TEXT,
            "product_nature": TEXT,
            "selling_price_excl_tax": MONEY,
            "vat_rate_percent": DEC,
            "selling_price_incl_tax": MONEY,
            "weighted_average_cost": MONEY,
            "quantity_on_hand": DEC,
            "quantity_reserved": DEC,
        },
        ("sku",),
    ),
    required=("sku",),
    children=(
        _layout_table(
            "erp_product_stocks",
            {"sku": TEXT, "warehouse_ref": TEXT, "quantity_on_hand": DEC, "quantity_available": DEC},
            ("sku", "warehouse_ref"),
        ),
    ),
    snapshot=True,
    mapping="erp_products.toml",
)

LAYOUTS = {layout.name: layout for layout in (POS_SALES, MARKETPLACE_ORDERS, ERP_PRODUCTS)}

# The file register and the bad lines: loaded in the same load as the rows, so they commit together.
LOADED_FILES = table(
    "loaded_files",
    {
        "file_id": INT,
        "file_name": TEXT,
        "file_size": INT,
        "modified_at": LOCAL_TS,
        "sha256": TEXT,
        "layout": TEXT,
        "status": TEXT,
        "rows_loaded": INT,
        "lines_quarantined": INT,
        "reason": TEXT,
        "duplicate_of": INT,
        "picked_up_at": LOCAL_TS,
    },
    key="file_id",
    soft_delete=False,
    write_disposition="append",
)
QUARANTINED_LINES = table(
    "quarantined_lines",
    {"file_id": INT, "file_name": TEXT, "line": INT, "field": TEXT, "reason": TEXT, "content": TEXT},
    key=("file_id", "line"),
    soft_delete=False,
    write_disposition="append",
)
