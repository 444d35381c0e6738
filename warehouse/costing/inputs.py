"""Reads the seven input tables into typed arrays and checks the data contract of the spec (§2.1, §2.2, §11)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import NamedTuple, NoReturn, TypeAlias

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from warehouse.costing.errors import CostingInputError
from warehouse.costing.fixed import decimal_unscaled

TABLES = ("products", "fx_rates", "receipts", "landed_costs", "sales", "returns", "adjustments")
CHANNELS = ("web", "store", "marketplace")
FULFILLMENTS = ("ship", "click_collect", "in_store")
SPLIT_METHODS = ("by_value", "by_quantity", "by_weight", "equal")
RETURN_TYPES = ("customer", "supplier")
_DECIMAL_RE = r"^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)$"
_US_PER_DAY = 86_400_000_000


# A text column: a column that comes in several chunks (DuckDB, Parquet row groups) is kept so, not copied.
Text: TypeAlias = pa.Array | pa.ChunkedArray


class Fixed(NamedTuple):
    """A decimal column as exact integers: value = unscaled / 10**scale."""

    unscaled: np.ndarray
    scale: int


def _blank(arr: Text) -> Text | None:
    """Where a text cell is empty or only whitespace (null where null), or None when no cell is."""
    if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
        return None
    length = pc.utf8_length(arr)  # no copy of the strings
    space = pc.utf8_is_space(arr)
    if pc.min(length).as_py() != 0 and not pc.any(space).as_py():
        return None  # the usual case: one pass each, no mask to build
    return pc.or_(pc.equal(length, 0), space)


def _empty(arr: Text) -> np.ndarray:
    """True where a cell is null or blank."""
    blank = _blank(arr)
    if blank is None:
        return arr.is_null().to_numpy(zero_copy_only=False)
    return pc.or_kleene(arr.is_null(), blank).fill_null(True).to_numpy(zero_copy_only=False)


class Table:
    """One input table and how to name its rows in an error (`sales.csv, line 5` or `sales, row 4`)."""

    def __init__(self, name: str, data: pa.Table | pd.DataFrame, *, csv: bool) -> None:
        self.name = f"{name}.csv" if csv else name
        self.data = data if isinstance(data, pa.Table) else pa.Table.from_pandas(data, preserve_index=False)
        self.rows = self.data.num_rows
        # CSV: line 1 is the header, so data row i is line i + 2; tables count rows from 1.
        self._first, self._unit = (2, "line") if csv else (1, "row")

    def where(self, row: int) -> str:
        """The place of data row `row` (0-based) as a person reads it."""
        return f"{self.name}, {self._unit} {row + self._first}"

    def fail(self, row: int, reason: str) -> NoReturn:
        """Refuse the data set because of data row `row`."""
        raise CostingInputError(self.where(row), reason)

    def fail_first(
        self, bad: np.ndarray, reason: str | None = None, values: np.ndarray | Text | None = None
    ) -> None:
        """Refuse at the first row where `bad` is true; `reason` may use `{value}` from `values`."""
        hits = np.flatnonzero(bad)
        if hits.size:
            row = int(hits[0])
            value = None
            if values is not None:
                value = values[row].as_py() if isinstance(values, pa.Array | pa.ChunkedArray) else values[row]
            self.fail(row, (reason or "invalid value").format(value=value))

    def column(self, name: str) -> Text:
        """The column (text as it comes, other types as one array); a missing column is refused at the header."""
        if name not in self.data.column_names:
            raise CostingInputError(
                f"{self.name}, {'line 1' if self._first == 2 else 'columns'}", f"missing column {name!r}"
            )
        column = self.data.column(name)
        if column.num_chunks == 1:
            return column.chunk(0)
        if pa.types.is_string(column.type):
            return column  # every text operation takes chunks: no copy of the strings
        return column.combine_chunks()  # numbers and times become numpy arrays: one copy either way

    def text(self, name: str, *, required: bool = True) -> Text:
        """A text column as Arrow strings; a blank cell is null (refused when `required`)."""
        arr = pc.cast(self.column(name), pa.string())
        if required:
            self.fail_first(_empty(arr), f"{name} is empty")
            return arr
        blank = _blank(arr)  # blank cells become null; null ones already are (no copy when none is blank)
        return arr if blank is None else pc.if_else(blank.fill_null(False), pa.scalar(None, pa.string()), arr)

    def decimal(self, name: str) -> Fixed:
        """A number column, exactly (strings are parsed as decimals, never through float)."""
        arr = self.column(name)
        self.fail_first(_empty(arr), f"{name} is empty")
        if pa.types.is_integer(arr.type):
            return Fixed(arr.to_numpy().astype(np.int64), 0)
        if pa.types.is_floating(arr.type):
            arr = pc.cast(arr, pa.string())  # shortest round-trip text: 0.2 stays 0.2
        if pa.types.is_decimal(arr.type):
            scale = arr.type.scale
        else:
            arr = pc.utf8_trim_whitespace(pc.cast(arr, pa.string()))
            ok = pc.match_substring_regex(arr, _DECIMAL_RE).to_numpy(zero_copy_only=False)
            self.fail_first(~ok, f"{name} is not a number: {{value!r}}", arr)
            dot = pc.find_substring(arr, ".").to_numpy()
            length = pc.utf8_length(arr).to_numpy()
            scale = int(np.where(dot >= 0, length - dot - 1, 0).max(initial=0))
        if scale > 12:
            self.fail(0, f"{name} has more than 12 decimals")
        try:
            # a DECIMAL(18, s) column is read as it is
            exact = arr if pa.types.is_decimal128(arr.type) else pc.cast(arr, pa.decimal128(38, scale))
            if isinstance(exact, pa.ChunkedArray):  # parsed from chunked text
                exact = exact.combine_chunks()
            return Fixed(decimal_unscaled(exact), scale)
        except (OverflowError, pa.ArrowInvalid):
            values = arr.to_pylist()
            big = np.array([abs(float(v)) >= 9e18 / 10**scale for v in values])
            self.fail_first(big, f"{name} is too large: {{value}}", np.array(values, dtype=object))
            raise

    def integer(self, name: str) -> np.ndarray:
        """A whole-number column (quantities): '5' and '5.00' are accepted, '2.5' is refused."""
        fixed = self.decimal(name)
        if fixed.scale == 0:
            return fixed.unscaled
        unit = 10**fixed.scale
        self.fail_first(
            fixed.unscaled % unit != 0,
            f"{name} must be a whole number of units, got {{value}}",
            fixed.unscaled / unit,
        )
        return fixed.unscaled // unit

    def _parsed(self, name: str, fmt: str, what: str) -> Text:
        arr = self.column(name)
        self.fail_first(_empty(arr), f"{name} is empty")
        if pa.types.is_timestamp(arr.type):
            return pc.cast(pc.local_timestamp(arr) if arr.type.tz else arr, pa.timestamp("us"))
        if pa.types.is_date(arr.type):
            return pc.cast(pc.cast(arr, pa.date32()), pa.timestamp("us"))
        text = pc.utf8_trim_whitespace(pc.cast(arr, pa.string()))
        parsed = pc.strptime(text, format=fmt, unit="us", error_is_null=True)
        self.fail_first(
            parsed.is_null().to_numpy(zero_copy_only=False),
            f"{name} is not a {what}: {{value!r}}",
            text,
        )
        return parsed

    def timestamp(self, name: str) -> np.ndarray:
        """A 'YYYY-MM-DD HH:MM:SS' column (or a timestamp column) as int64 microseconds, wall-clock time."""
        return (
            self._parsed(name, "%Y-%m-%d %H:%M:%S", "datetime YYYY-MM-DD HH:MM:SS").to_numpy().view(np.int64)
        )

    def day(self, name: str) -> np.ndarray:
        """A 'YYYY-MM-DD' column (or a date column) as int64 days since 1970-01-01."""
        return self._parsed(name, "%Y-%m-%d", "date YYYY-MM-DD").to_numpy().view(np.int64) // _US_PER_DAY

    def choice(self, name: str, allowed: tuple[str, ...]) -> np.ndarray:
        """A column restricted to `allowed`, as int8 codes (positions in `allowed`)."""
        values = self.text(name)
        code = lookup(values, pa.array(allowed))
        self.fail_first(code < 0, f"{name} must be one of {', '.join(allowed)}, got {{value!r}}", values)
        return code.astype(np.int8)

    def positive(self, values: np.ndarray, name: str, *, strict: bool = True) -> None:
        """Refuse a value ≤ 0 (strict) or < 0."""
        bad = values <= 0 if strict else values < 0
        self.fail_first(bad, f"{name} must be {'> 0' if strict else '>= 0'}, got {{value}}", values)

    def unique(self, keys: list[Text | np.ndarray], label: str) -> None:
        """Refuse the second row that repeats a key (one or more columns)."""
        if len(keys) == 1 and not isinstance(keys[0], np.ndarray) and len(pc.unique(keys[0])) == self.rows:
            return  # the common case, without building codes
        combined = np.zeros(self.rows, dtype=np.int64)
        for key in keys:
            code = np.unique(key, return_inverse=True)[1] if isinstance(key, np.ndarray) else codes(key)
            combined = combined * (int(code.max(initial=0)) + 2) + code + 1
        first = np.zeros(self.rows, dtype=bool)
        first[np.unique(combined, return_index=True)[1]] = True
        if not first.all():
            row = int(np.flatnonzero(~first)[0])
            earlier = int(np.flatnonzero(combined == combined[row])[0])
            shown = ", ".join(str(k[row] if isinstance(k, np.ndarray) else k[row].as_py()) for k in keys)
            self.fail(row, f"duplicate {label} {shown} (already at {self.where(earlier)})")


def lookup(values: Text, keys: Text) -> np.ndarray:
    """Position of each value in `keys` (first match), -1 where absent or null."""
    if len(keys) <= 2 * len(values) + 4096 or keys.null_count:
        return pc.index_in(values, value_set=keys).fill_null(-1).to_numpy().astype(np.int64)
    # Few values, many keys (returns against sale lines): hashing the distinct values and probing the
    # keys with them is much cheaper than hashing every key.
    value_code, distinct = dictionary_codes(values)
    hit = pc.index_in(keys, value_set=distinct).fill_null(-1).to_numpy().astype(np.int64)
    rows = np.flatnonzero(hit >= 0)
    first = np.full(len(distinct), len(keys), dtype=np.int64)
    np.minimum.at(first, hit[rows], rows)
    first[first == len(keys)] = -1
    return take(first, value_code, -1)


def dictionary_codes(values: Text) -> tuple[np.ndarray, pa.Array]:
    """Dictionary codes of a text column, numbered in order of first appearance (null: -1), and the values."""
    encoded = pc.dictionary_encode(values)
    if isinstance(encoded, pa.ChunkedArray):  # the chunks are encoded with one shared dictionary
        if encoded.num_chunks == 0:
            return np.zeros(0, dtype=np.int64), pa.array([], pa.string())
        indices = pa.chunked_array([chunk.indices for chunk in encoded.chunks])
        dictionary = encoded.chunk(encoded.num_chunks - 1).dictionary
    else:
        indices, dictionary = encoded.indices, encoded.dictionary
    return indices.fill_null(-1).to_numpy().astype(np.int64), dictionary


def codes(values: Text) -> np.ndarray:
    """Dictionary codes numbered in order of first appearance (null: -1)."""
    return dictionary_codes(values)[0]


def concat_text(parts: list[Text]) -> pa.ChunkedArray:
    """Text columns one after the other, without copying their strings."""
    chunks = [
        chunk for part in parts for chunk in (part.chunks if isinstance(part, pa.ChunkedArray) else [part])
    ]
    return pa.chunked_array(chunks, type=pa.string())


def first_rows(code: np.ndarray) -> np.ndarray:
    """Row of the first appearance of each code 0..n-1 (codes numbered by first appearance, as `codes`)."""
    seen = np.maximum.accumulate(np.concatenate([[-1], code[:-1]])) if code.size else code
    return np.flatnonzero(code > seen)


def take(values: np.ndarray, index: np.ndarray, fill: int) -> np.ndarray:
    """`values[index]`, with `fill` where index is -1 (and when `values` is empty)."""
    if values.size == 0:
        return np.full(index.shape, fill, dtype=values.dtype)
    return np.where(index >= 0, values[np.maximum(index, 0)], fill)


def sort_rows(columns: list[np.ndarray], ties: Callable[[np.ndarray], pa.Table] | None = None) -> np.ndarray:
    """Row order by integer `columns` (most significant first), then by the Arrow sort keys of `ties`.

    The columns are packed into one int64 key when their ranges fit (one argsort instead of a lexsort;
    a column is divided by the common step of its values first, e.g. whole seconds in microseconds).
    Rows equal on every column are rare: only those are ordered by `ties(rows)`, a table whose columns
    are the next sort keys (ascending) of the given rows.

    Args:
        columns: int64 arrays of one length.
        ties: optional, the tie-break keys of some rows (text ids, line numbers...).

    Returns:
        The permutation that sorts the rows.
    """
    size = columns[0].size
    if size == 0:
        return np.zeros(0, dtype=np.int64)
    shifted = [c.astype(np.int64) - c.min() for c in columns]
    bits = [int(c.max()).bit_length() for c in shifted]
    if sum(bits) > 63:
        steps = [int(np.gcd.reduce(c)) or 1 for c in shifted]
        shifted = [c // step if step > 1 else c for c, step in zip(shifted, steps, strict=True)]
        bits = [int(c.max()).bit_length() for c in shifted]
    if sum(bits) <= 63:
        key = shifted[0]
        for column, width in zip(shifted[1:], bits[1:], strict=True):
            key = (key << width) | column
        order = np.argsort(key, kind="stable")
        ordered = key[order]
        same = ordered[1:] == ordered[:-1]
    else:
        order = np.lexsort(columns[::-1])
        same = np.ones(size - 1, dtype=bool)
        for column in columns:
            ordered = column[order]
            same &= ordered[1:] == ordered[:-1]
    if ties is not None and same.any():
        tied = np.flatnonzero(np.r_[same, False] | np.r_[False, same])
        extra = ties(order[tied])
        keys = pa.table(
            {
                "group": np.cumsum(np.r_[True, ~same])[tied],
                **{name: extra.column(name) for name in extra.column_names},
            }
        )
        order[tied] = order[tied][
            pc.sort_indices(keys, sort_keys=[(k, "ascending") for k in keys.column_names]).to_numpy()
        ]
    return order


@dataclass
class Products:
    """products.csv: one row per product, in file order (a product's index is its row)."""

    ids: Text
    weight: Fixed
    fallback: Fixed
    active_day: np.ndarray


@dataclass
class FxRates:
    """fx_rates.csv: units of the currency per 1 EUR from a date on."""

    currency: Text
    day: np.ndarray
    rate: Fixed


@dataclass
class Receipts:
    """receipts.csv: one row per receipt line, i.e. per FIFO lot."""

    receipt_id: Text
    line_no: np.ndarray
    line_id: Text
    time: np.ndarray
    product: np.ndarray
    qty: np.ndarray
    price: Fixed
    currency: Text


@dataclass
class LandedCosts:
    """landed_costs.csv: one cost spread over the lines of one receipt."""

    ids: Text
    day: np.ndarray
    receipt_id: Text
    amount: Fixed
    currency: Text
    split: np.ndarray


@dataclass
class Sales:
    """sales.csv: one row per order line."""

    order_id: Text
    line_id: Text
    time: np.ndarray
    channel: Text
    fulfillment: Text
    email: Text
    phone: Text
    product: np.ndarray
    qty: np.ndarray
    price: Fixed
    discount: Fixed
    tax: Fixed
    # Order number by first appearance, set by the order check (`_check_orders`).
    order_code: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))


@dataclass
class Returns:
    """returns.csv: customer returns (ref = sale line index) and supplier returns (ref = receipt line index)."""

    ids: Text
    time: np.ndarray
    supplier: np.ndarray
    ref_line_id: Text
    ref: np.ndarray
    product: np.ndarray
    qty: np.ndarray


@dataclass
class Adjustments:
    """adjustments.csv: inventory gains (+) and losses (−)."""

    ids: Text
    time: np.ndarray
    product: np.ndarray
    qty_delta: np.ndarray


@dataclass
class Inputs:
    """The seven input tables, typed and checked, plus where each one came from (for error messages)."""

    products: Products
    fx: FxRates
    receipts: Receipts
    landed: LandedCosts
    sales: Sales
    returns: Returns
    adjustments: Adjustments
    sources: dict[str, Table]


def _product_refs(table: Table, ids: Text) -> np.ndarray:
    values = table.text("product_id")
    index = lookup(values, ids)
    table.fail_first(index < 0, "unknown product_id {value!r} (not in products)", values)
    return index


def read_inputs(tables: Mapping[str, pa.Table | pd.DataFrame], *, csv: bool = False) -> Inputs:
    """Type and check the seven tables; refuse the whole data set at the first broken rule.

    Args:
        tables: the seven tables by name (`products`, `fx_rates`, `receipts`, `landed_costs`, `sales`,
            `returns`, `adjustments`), as Arrow tables or DataFrames with the CSV columns. Text columns
            are parsed exactly; typed columns (DECIMAL, TIMESTAMP, DATE, integers) are taken as they are.
        csv: name rows as CSV lines (`sales.csv, line 5`) instead of table rows (`sales, row 4`).

    Returns:
        The typed inputs.

    Raises:
        CostingInputError: a rule of §2.2/§11.1 that can be checked without costing is broken.
    """
    missing = [name for name in TABLES if name not in tables]
    if missing:
        raise CostingInputError(missing[0] + (".csv" if csv else ""), "input table is missing")
    src = {name: Table(name, tables[name], csv=csv) for name in TABLES}

    t = src["products"]
    product_ids = t.text("product_id")
    t.unique([product_ids], "product_id")
    products = Products(
        product_ids, t.decimal("weight_kg"), t.decimal("fallback_unit_cost"), t.day("active_from")
    )
    t.positive(products.weight.unscaled, "weight_kg", strict=False)
    t.positive(products.fallback.unscaled, "fallback_unit_cost", strict=False)

    t = src["fx_rates"]
    fx = FxRates(t.text("currency"), t.day("date"), t.decimal("units_per_eur"))
    t.positive(fx.rate.unscaled, "units_per_eur")
    t.unique([fx.currency, fx.day], "(currency, date)")

    t = src["receipts"]
    receipts = Receipts(
        t.text("receipt_id"),
        t.integer("line_no"),
        t.text("line_id"),
        t.timestamp("datetime"),
        _product_refs(t, product_ids),
        t.integer("qty"),
        t.decimal("unit_price"),
        t.text("currency"),
    )
    t.positive(receipts.qty, "qty")
    t.positive(receipts.price.unscaled, "unit_price", strict=False)
    t.unique([receipts.line_id], "line_id")
    t.unique([receipts.receipt_id, receipts.line_no], "(receipt_id, line_no)")

    t = src["landed_costs"]
    landed = LandedCosts(
        t.text("landed_cost_id"),
        t.day("date"),
        t.text("receipt_id"),
        t.decimal("amount"),
        t.text("currency"),
        t.choice("split_method", SPLIT_METHODS),
    )
    t.unique([landed.ids], "landed_cost_id")
    known = lookup(landed.receipt_id, receipts.receipt_id)
    t.fail_first(known < 0, "unknown receipt_id {value!r} (not in receipts)", landed.receipt_id)

    t = src["sales"]
    sales = Sales(
        t.text("order_id"),
        t.text("line_id"),
        t.timestamp("datetime"),
        t.text("channel"),
        t.text("fulfillment"),
        t.text("customer_email", required=False),
        t.text("customer_phone", required=False),
        _product_refs(t, product_ids),
        t.integer("qty"),
        t.decimal("unit_price_incl_tax"),
        t.decimal("discount_incl_tax"),
        t.decimal("tax_rate"),
    )
    channel_code = t.choice("channel", CHANNELS)
    fulfillment_code = t.choice("fulfillment", FULFILLMENTS)
    t.positive(sales.qty, "qty")
    t.positive(sales.price.unscaled, "unit_price_incl_tax", strict=False)
    t.positive(sales.discount.unscaled, "discount_incl_tax", strict=False)
    t.positive(sales.tax.unscaled, "tax_rate (a fraction such as 0.20)", strict=False)
    t.fail_first(
        sales.tax.unscaled >= 10**sales.tax.scale,
        "tax_rate must be a fraction such as 0.20, not a percentage: got {value}",
        sales.tax.unscaled / 10**sales.tax.scale,
    )
    t.unique([sales.line_id], "line_id")
    _check_orders(t, sales, channel_code, fulfillment_code)

    t = src["returns"]
    returns = Returns(
        t.text("return_id"),
        t.timestamp("datetime"),
        t.choice("return_type", RETURN_TYPES) == 1,
        t.text("ref_line_id"),
        np.full(t.rows, -1, dtype=np.int64),
        _product_refs(t, product_ids),
        t.integer("qty"),
    )
    t.positive(returns.qty, "qty")
    t.unique([returns.ids], "return_id")
    _check_returns(t, returns, sales, receipts, product_ids)

    t = src["adjustments"]
    adjustments = Adjustments(
        t.text("adjustment_id"),
        t.timestamp("datetime"),
        _product_refs(t, product_ids),
        t.integer("qty_delta"),
    )
    t.fail_first(adjustments.qty_delta == 0, "qty_delta must not be 0")
    t.unique([adjustments.ids], "adjustment_id")
    clash = lookup(adjustments.ids, returns.ids) >= 0
    t.fail_first(
        clash, "adjustment_id {value!r} is also a return_id (movement ids must be unique)", adjustments.ids
    )

    return Inputs(products, fx, receipts, landed, sales, returns, adjustments, src)


def _check_orders(t: Table, sales: Sales, channel: np.ndarray, fulfillment: np.ndarray) -> None:
    """Order-level fields must be the same on every line of an order (§2.1, §11.1)."""
    order = sales.order_code = codes(sales.order_id)
    first = first_rows(order)[order]  # the first line of each line's order
    for name, values in {"datetime": sales.time, "channel": channel, "fulfillment": fulfillment}.items():
        differs = values != values[first]
        t.fail_first(differs, f"{name} differs between the lines of order {{value!r}}", sales.order_id)
    for name, text in {"customer_email": sales.email, "customer_phone": sales.phone}.items():
        other = text.take(first)
        same = pc.or_(pc.equal(text, other).fill_null(False), pc.and_(text.is_null(), other.is_null()))
        differs = ~same.to_numpy(zero_copy_only=False)
        t.fail_first(differs, f"{name} differs between the lines of order {{value!r}}", sales.order_id)


def _check_returns(t: Table, returns: Returns, sales: Sales, receipts: Receipts, product_ids: Text) -> None:
    """References, product, dates and the returned quantity of customer returns (§2.2, §11.1)."""
    customer = ~returns.supplier
    sale_ref = lookup(returns.ref_line_id, sales.line_id)
    receipt_ref = lookup(returns.ref_line_id, receipts.line_id)
    returns.ref[:] = np.where(customer, sale_ref, receipt_ref)
    t.fail_first(
        customer & (sale_ref < 0),
        "customer return: ref_line_id {value!r} is not a sale line (line_id in sales)",
        returns.ref_line_id,
    )
    t.fail_first(
        ~customer & (receipt_ref < 0),
        "supplier return: ref_line_id {value!r} is not a receipt line (line_id in receipts)",
        returns.ref_line_id,
    )
    ref_product = np.where(
        customer, take(sales.product, sale_ref, -1), take(receipts.product, receipt_ref, -1)
    )
    t.fail_first(
        ref_product != returns.product,
        "product_id differs from the product of the referenced line ({value})",
        product_ids.take(pa.array(np.maximum(ref_product, 0))) if len(product_ids) else None,
    )
    sale_time = np.where(customer, take(sales.time, sale_ref, 0), np.iinfo(np.int64).min)
    t.fail_first(
        returns.time <= sale_time,
        "customer return dated at or before its sale line {value!r}",
        returns.ref_line_id,
    )
    # Cumulative returned quantity per sale line, in effective order (§2.3 tie-break: the return id).
    rows = np.flatnonzero(customer)
    by_time = pa.table({"time": returns.time[rows], "id": returns.ids.take(pa.array(rows, pa.int64()))})
    rows = rows[pc.sort_indices(by_time, sort_keys=[("time", "ascending"), ("id", "ascending")]).to_numpy()]
    refs = returns.ref[rows]
    by_ref = np.argsort(refs, kind="stable")  # keeps the effective order within each sale line
    qty = returns.qty[rows][by_ref]
    total = np.cumsum(qty)
    start = np.flatnonzero(np.r_[True, refs[by_ref][1:] != refs[by_ref][:-1]]) if rows.size else rows
    before = np.repeat(total[start] - qty[start], np.diff(np.r_[start, rows.size]))
    cumulative = np.empty(rows.size, dtype=np.int64)
    cumulative[by_ref] = total - before
    over = np.zeros(t.rows, dtype=bool)
    over[rows] = cumulative > sales.qty[refs]
    t.fail_first(
        over, "customer returns of sale line {value!r} exceed the quantity sold", returns.ref_line_id
    )
