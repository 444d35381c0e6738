"""CSV in, CSV out: the seven input files of a data set and the five result files of the worked example."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from warehouse.costing.engine import CostingResult, compute_costs
from warehouse.costing.errors import CostingInputError
from warehouse.costing.fixed import decimal_unscaled, to_decimal
from warehouse.costing.inputs import TABLES

OUTPUT_FILES = ("receipt_costs.csv", "line_costs.csv", "movement_costs.csv", "kpis.csv", "product_kpis.csv")


def read_input_dir(input_dir: Path) -> dict[str, pa.Table]:
    """The seven input CSV files, every column as text (numbers are parsed exactly later); others ignored.

    Raises:
        CostingInputError: a file is missing or is not readable CSV.
    """
    tables = {}
    for name in TABLES:
        path = input_dir / f"{name}.csv"
        if not path.is_file():
            raise CostingInputError(str(path), "input file is missing")
        with path.open(encoding="utf-8", newline="") as fh:
            header = next(csv.reader(fh), [])
        try:
            tables[name] = pacsv.read_csv(
                path,
                convert_options=pacsv.ConvertOptions(
                    column_types=dict.fromkeys(header, pa.string()), strings_can_be_null=False
                ),
            )
        except pa.ArrowInvalid as exc:
            raise CostingInputError(f"{name}.csv", f"not a readable CSV file ({exc})") from exc
    return tables


def _text_column(column: pa.ChunkedArray | pa.Array) -> pa.Array:
    """One output column as text: money and ratios with their fixed decimals, datetimes as in the inputs."""
    if pa.types.is_timestamp(column.type):
        column = pc.strftime(pc.cast(column, pa.timestamp("s")), format="%Y-%m-%d %H:%M:%S")
    return pc.cast(column, pa.string()).fill_null("")


def _plain_number(column: pa.ChunkedArray | pa.Array) -> pa.Array:
    """A decimal without its trailing zeros (an FX rate of 1.0000 prints as 1, 0.8712 stays)."""
    text = pc.cast(column, pa.string())
    return pc.replace_substring_regex(pc.replace_substring_regex(text, r"(\.\d*?)0+$", r"\1"), r"\.$", "")


def receipt_costs_csv(result: CostingResult) -> pa.Table:
    """receipt_costs.csv: the receipt lines with one `lc_<landed_cost_id>` column per landed cost (file order)."""
    receipts, shares = result.receipt_costs, result.landed_cost_shares
    row = pc.index_in(shares.column("line_id"), value_set=receipts.column("line_id")).to_numpy()
    cost = pc.dictionary_encode(shares.column("landed_cost_id").combine_chunks())  # shares come in file order
    cents = decimal_unscaled(shares.column("share_eur").combine_chunks().cast(pa.decimal128(38, 2)))
    matrix = np.zeros((receipts.num_rows, len(cost.dictionary)), dtype=np.int64)
    np.add.at(matrix, (row, cost.indices.to_numpy()), cents)
    columns = {
        name: _text_column(receipts.column(name)) for name in ("receipt_id", "line_id", "product_id", "qty")
    }
    columns["currency"] = _text_column(receipts.column("currency"))
    columns["fx_units_per_eur"] = _plain_number(receipts.column("fx_units_per_eur"))
    for name in ("purchase_value_eur", "landed_cost_eur"):
        columns[name] = _text_column(receipts.column(name))
    for k, cost_id in enumerate(cost.dictionary.to_pylist()):
        columns[f"lc_{cost_id}"] = _text_column(to_decimal(matrix[:, k], 2))
    for name in ("lot_value_eur", "unit_cost_eur"):
        columns[name] = _text_column(receipts.column(name))
    return pa.table(columns)


def csv_tables(result: CostingResult) -> dict[str, pa.Table]:
    """The five output files as text tables, in the layout of the worked example's expected_*.csv."""

    def as_text(table: pa.Table) -> pa.Table:
        return pa.table({name: _text_column(table.column(name)) for name in table.column_names})

    return {
        "receipt_costs.csv": receipt_costs_csv(result),
        "line_costs.csv": as_text(result.line_costs),
        "movement_costs.csv": as_text(result.movement_costs),
        "kpis.csv": as_text(result.kpis),
        "product_kpis.csv": as_text(result.product_kpis),
    }


def run_costing_files(input_dir: Path, output_dir: Path) -> list[Path]:
    """Cost the data set of `input_dir` and write the five result CSV files into `output_dir`.

    Everything is computed and formatted before the first file is written, so a refused data set leaves
    `output_dir` untouched.

    Args:
        input_dir: folder with products, fx_rates, receipts, landed_costs, sales, returns and adjustments
            CSV files (other files are ignored).
        output_dir: folder to write into (created if needed).

    Returns:
        The paths written, in the order of OUTPUT_FILES.

    Raises:
        CostingInputError: the data set is refused; the message names the file, the line and the rule.
    """
    result = compute_costs(read_input_dir(Path(input_dir)), csv=True)
    tables = csv_tables(result)
    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name in OUTPUT_FILES:
        path = output_dir / name
        with path.open("wb") as fh:
            fh.write(csv_bytes(tables[name]))
        written.append(path)
    return written


def _csv_cells(column: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """Text cells as Python's csv writer puts them: quoted, quotes doubled, only if they hold `,` `"` or a newline.

    (Arrow's own writer quotes every text cell.)
    """
    special = pc.match_substring_regex(column, '[,"\n]')
    if not pc.any(special).as_py():
        return column  # numbers, dates, most ids
    quote, empty = pa.scalar('"', pa.large_string()), pa.scalar("", pa.large_string())
    quoted = pc.binary_join_element_wise(quote, pc.replace_substring(column, '"', '""'), quote, empty)
    return pc.if_else(special, quoted, column)


def csv_bytes(table: pa.Table) -> memoryview:
    """A text table as CSV bytes (header, `,`, `\n` line ends, minimal quoting), built column-wise.

    Each line is joined by Arrow; the lines' contiguous UTF-8 data is the file's body, so no Python object is
    made per row or cell.
    """
    header = io.StringIO()
    csv.writer(header, lineterminator="\n").writerow(table.column_names)
    head = header.getvalue().encode("utf-8")
    if table.num_rows == 0:
        return memoryview(head)
    cells = [_csv_cells(column.cast(pa.large_string())) for column in table.columns]
    text = {c: pa.scalar(c, pa.large_string()) for c in (",", "\n", "")}
    lines = pc.binary_join_element_wise(pc.binary_join_element_wise(*cells, text[","]), text["\n"], text[""])
    lines = lines.combine_chunks()
    offsets = np.frombuffer(lines.buffers()[1], dtype=np.int64)[lines.offset : lines.offset + len(lines) + 1]
    body = memoryview(lines.buffers()[2])[offsets[0] : offsets[-1]]
    out = bytearray(head)
    out += body
    return memoryview(out)
