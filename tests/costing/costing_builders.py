"""Builders for small costing data sets, and keyed access to the engine's results (used by the tests here)."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pandas as pd

from warehouse.costing import CostingResult, compute_costs

COLUMNS = {
    "products": ["product_id", "name", "weight_kg", "fallback_unit_cost", "active_from"],
    "fx_rates": ["date", "currency", "units_per_eur"],
    "receipts": [
        "receipt_id", "line_no", "line_id", "datetime", "booked_at", "supplier_id", "product_id", "qty",
        "unit_price", "currency",
    ],
    "landed_costs": ["landed_cost_id", "date", "receipt_id", "cost_type", "amount", "currency", "split_method"],
    "sales": [
        "order_id", "line_id", "datetime", "channel", "fulfillment", "customer_email", "customer_phone",
        "product_id", "qty", "unit_price_incl_tax", "discount_incl_tax", "tax_rate",
    ],
    "returns": ["return_id", "datetime", "return_type", "ref_line_id", "product_id", "qty", "reason"],
    "adjustments": ["adjustment_id", "datetime", "product_id", "qty_delta", "reason"],
}  # fmt: skip


@dataclass
class Dataset:
    """A data set written row by row, every value as text (as in the CSV files)."""

    rows: dict[str, list[dict[str, str]]] = field(default_factory=lambda: {name: [] for name in COLUMNS})
    columns: dict[str, list[str]] = field(
        default_factory=lambda: {name: list(cols) for name, cols in COLUMNS.items()}
    )

    def drop_column(self, table: str, column: str) -> Dataset:
        """Leave a column out of a table (to test a file missing one)."""
        self.columns[table].remove(column)
        for row in self.rows[table]:
            row.pop(column, None)
        return self

    def add(self, table: str, **values: object) -> Dataset:
        self.rows[table].append({k: str(v) for k, v in values.items()})
        return self

    def product(self, product_id="P1", *, weight="1", fallback="10.00", active_from="2024-01-01") -> Dataset:
        return self.add(
            "products", product_id=product_id, name=product_id, weight_kg=weight,
            fallback_unit_cost=fallback, active_from=active_from,
        )  # fmt: skip

    def fx(self, date: str, currency: str, rate: str) -> Dataset:
        return self.add("fx_rates", date=date, currency=currency, units_per_eur=rate)

    def receipt(self, receipt_id, line_no, when, qty, price, *, product="P1", currency="EUR", booked=None,
                line_id=None) -> Dataset:  # fmt: skip
        return self.add(
            "receipts", receipt_id=receipt_id, line_no=line_no, line_id=line_id or f"{receipt_id}-{line_no}",
            datetime=when, booked_at=booked or when, supplier_id="SUP", product_id=product, qty=qty,
            unit_price=price, currency=currency,
        )  # fmt: skip

    def landed(self, cost_id, date, receipt_id, amount, split, *, currency="EUR") -> Dataset:
        return self.add(
            "landed_costs", landed_cost_id=cost_id, date=date, receipt_id=receipt_id, cost_type="freight",
            amount=amount, currency=currency, split_method=split,
        )  # fmt: skip

    def sale(self, order_id, when, qty, price, *, product="P1", line_id=None, channel="web", fulfillment="ship",
             email="", phone="", discount="0.00", tax="0.20") -> Dataset:  # fmt: skip
        return self.add(
            "sales", order_id=order_id, line_id=line_id or f"{order_id}-1", datetime=when, channel=channel,
            fulfillment=fulfillment, customer_email=email, customer_phone=phone, product_id=product, qty=qty,
            unit_price_incl_tax=price, discount_incl_tax=discount, tax_rate=tax,
        )  # fmt: skip

    def customer_return(self, return_id, when, line_id, qty, *, product="P1") -> Dataset:
        return self.add(
            "returns", return_id=return_id, datetime=when, return_type="customer", ref_line_id=line_id,
            product_id=product, qty=qty, reason="",
        )  # fmt: skip

    def supplier_return(self, return_id, when, line_id, qty, *, product="P1") -> Dataset:
        return self.add(
            "returns", return_id=return_id, datetime=when, return_type="supplier", ref_line_id=line_id,
            product_id=product, qty=qty, reason="",
        )  # fmt: skip

    def adjustment(self, adjustment_id, when, qty_delta, *, product="P1") -> Dataset:
        return self.add(
            "adjustments", adjustment_id=adjustment_id, datetime=when, product_id=product, qty_delta=qty_delta,
            reason="count",
        )  # fmt: skip

    def frames(self) -> dict[str, pd.DataFrame]:
        return {
            name: pd.DataFrame(self.rows[name], columns=cols, dtype="string")
            for name, cols in COLUMNS.items()
        }

    def write(self, folder: Path) -> Path:
        """Write the seven CSV files into `folder`; returns it."""
        folder.mkdir(parents=True, exist_ok=True)
        for name, cols in self.columns.items():
            with (folder / f"{name}.csv").open("w", encoding="utf-8", newline="") as fh:
                writer = csv.DictWriter(fh, fieldnames=cols, lineterminator="\n")
                writer.writeheader()
                writer.writerows(self.rows[name])
        return folder

    def cost(self) -> Costed:
        return Costed(compute_costs(self.frames()))


def _keyed(table, *key: str) -> dict:
    rows = table.to_pylist()
    return {tuple(row[k] for k in key) if len(key) > 1 else row[key[0]]: row for row in rows}


class Costed:
    """The engine's result, looked up by key; money is Decimal, so comparisons are exact."""

    def __init__(self, result: CostingResult) -> None:
        self.result = result
        self.lines = _keyed(result.line_costs, "line_id")
        self.moves = _keyed(result.movement_costs, "movement_id")
        self.lots = _keyed(result.receipt_costs, "line_id")
        self.kpis = _keyed(result.kpis, "month", "channel")
        self.products = _keyed(result.product_kpis, "month", "product_id")
        self.shares = _keyed(result.landed_cost_shares, "landed_cost_id", "line_id")

    def line(self, line_id: str, *cols: str) -> tuple:
        return tuple(self.lines[line_id][c] for c in cols)

    def move(self, movement_id: str, *cols: str) -> tuple:
        return tuple(self.moves[movement_id][c] for c in cols)

    def product(self, month: str, product_id: str, *cols: str) -> tuple:
        return tuple(self.products[(month, product_id)][c] for c in cols)

    def kpi(self, month: str, channel: str, *cols: str) -> tuple:
        return tuple(self.kpis[(month, channel)][c] for c in cols)


def D(*values: str) -> tuple[Decimal, ...]:
    """Decimals from text, to compare with the engine's exact results."""
    return tuple(Decimal(v) for v in values)
