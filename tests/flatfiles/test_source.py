"""The flat-file source on the sandbox's drop folders: every line once, typed, files settled after the commit."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import fsspec
import pytest
from dlt.pipeline.exceptions import PipelineStepFailed
from flatfile_harness import Loader, copy_drop_folder, csv_rows, tree

from sources.flatfiles.folder import DropFile, DropFolder


def _all_rows(folder: Path, pattern: str, **kw: str) -> list[dict[str, str]]:
    return [row for path in sorted(folder.glob(pattern)) for row in csv_rows(path, **kw)]


def test_pos_files_load_every_line_once_and_move_to_processed(
    small_world: Path, loader: Loader, tmp_path: Path
) -> None:
    # GIVEN the POS drop folder of the world: one CSV per store and day, in a folder per store
    drop = copy_drop_folder(small_world, "pos", tmp_path / "pos")
    dropped = tree(drop)
    expected = _all_rows(drop, "*/*.csv")
    assert len(dropped) > 20 and len(expected) > 50

    # WHEN the source runs and the folder is settled
    counts = loader.run("pos", drop, "pos_sales", timezone="Europe/Paris")

    # THEN every line is loaded once, typed, the store's wall clock converted to UTC
    assert counts["pos_sales_lines"] == len(expected)
    assert loader.sql("select count(*) from raw_pos.pos_sales_lines")[0][0] == len(expected)
    first = expected[0]
    row = loader.sql(
        "select store_code, sold_at, quantity, unit_price_incl_tax, vat_rate_percent, payment_method, currency_code"
        " from raw_pos.pos_sales_lines where ticket_id = ? and line_number = ?",
        first["ticket_id"],
        int(first["line_no"]),
    )
    local = datetime.fromisoformat(first["ticket_datetime"]).replace(tzinfo=ZoneInfo("Europe/Paris"))
    assert row == [
        (
            first["store_code"],
            local.astimezone(UTC),
            Decimal(first["quantity"]),
            Decimal(first["unit_price_incl_tax"]),
            Decimal(first["vat_rate"]),
            first["payment_method"],
            "EUR",
        )
    ]
    # returns are lines with a negative quantity and the ticket they return
    returns = [r for r in expected if r["original_ticket_id"]]
    assert loader.sql("select count(*) from raw_pos.pos_sales_lines where original_ticket_id is not null")[0][
        0
    ] == len(returns)
    # every file is registered as loaded and now sits in processed/, the inbox is empty
    files = loader.files("pos")
    assert sorted(files) == dropped
    # each file's content hash, taken while it was parsed, is the hash of the whole file
    hashes = dict(loader.sql("select file_name, sha256 from raw_pos.loaded_files"))
    assert hashes == {
        name: hashlib.sha256((drop / "processed" / name).read_bytes()).hexdigest() for name in dropped
    }
    assert {status for status, *_ in files.values()} == {"loaded"}
    assert tree(drop) == [f"processed/{name}" for name in dropped]

    # WHEN it runs again THEN nothing new is read
    again = loader.run("pos", drop, "pos_sales", timezone="Europe/Paris")
    assert again.get("pos_sales_lines", 0) == 0 and again.get("loaded_files", 0) == 0
    assert loader.sql("select count(*) from raw_pos.pos_sales_lines")[0][0] == len(expected)


def test_marketplace_report_with_bom_quotes_and_utc_times(
    small_world: Path, loader: Loader, tmp_path: Path
) -> None:
    drop = copy_drop_folder(small_world, "marketplace", tmp_path / "marketplace")
    assert (next(drop.glob("*.csv"))).read_bytes().startswith(b"\xef\xbb\xbf")
    expected = _all_rows(drop, "*.csv")

    loader.run("marketplace", drop, "marketplace_orders")

    rows = loader.sql(
        "select order_id, order_line_id, ordered_at, order_status, sku, quantity, unit_price_incl_tax,"
        " quantity_returned, returned_at, buyer_email from raw_marketplace.marketplace_order_lines"
        " order by _file_id, _line"
    )
    assert len(rows) == len(expected)

    def utc(text: str) -> datetime | None:
        return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC) if text else None

    assert rows == [
        (
            r["order_id"],
            r["item_id"],
            utc(r["order_date"]),
            r["order_status"],
            r["sku"],
            Decimal(r["quantity"]),
            Decimal(r["unit_price_incl_tax"]),
            Decimal(r["quantity_returned"]),
            utc(r["returned_at"]),
            r["buyer_email"],
        )
        for r in expected
    ]


def test_erp_export_in_french_format(small_world: Path, loader: Loader, tmp_path: Path) -> None:
    # GIVEN the ERP export: `;`, decimal comma, CP1252, a stock column per warehouse
    drop = copy_drop_folder(small_world, "erp_export", tmp_path / "erp")
    expected = _all_rows(drop, "*.csv", encoding="cp1252", delimiter=";")
    accented = next(r for r in expected if any(ch in r["Libellé"] for ch in "éèàôç"))

    loader.run("erp_files", drop, "erp_products")

    row = loader.sql(
        "select product_name, selling_price_excl_tax, selling_price_incl_tax, vat_rate_percent,"
        " weighted_average_cost, quantity_on_hand, product_nature from raw_erp_files.erp_products where sku = ?",
        accented["Réf. produit"],
    )

    def fr(text: str) -> Decimal:
        return Decimal(text.replace(",", "."))

    nature = {"Produit": "product", "Variante": "variant", "Produit parent": "parent"}[accented["Nature"]]
    assert row == [
        (
            accented["Libellé"],
            fr(accented["Prix de vente HT"]),
            fr(accented["Prix de vente TTC"]),
            fr(accented["Taux TVA"]),
            fr(accented["PMP"]),
            Decimal(accented["Stock physique"]),
            nature,
        )
    ]
    # one stock row per product and warehouse; the available quantity only where the export has it
    stocks = loader.sql(
        "select warehouse_ref, quantity_on_hand, quantity_available from raw_erp_files.erp_product_stocks"
        " where sku = ? order by warehouse_ref",
        accented["Réf. produit"],
    )
    assert stocks == [
        ("WH-CENTRAL", Decimal(accented["Stock WH-CENTRAL"]), Decimal(accented["Disponible WH-CENTRAL"])),
        ("WH-LYON", Decimal(accented["Stock WH-LYON"]), None),
        ("WH-PARIS", Decimal(accented["Stock WH-PARIS"]), None),
    ]
    assert loader.sql("select count(*) from raw_erp_files.erp_products")[0][0] == len(expected)


def test_a_crash_between_load_and_move_neither_loses_nor_reloads(
    small_world: Path, loader: Loader, tmp_path: Path
) -> None:
    # GIVEN a load that committed but whose process died before moving the files
    drop = copy_drop_folder(small_world, "marketplace", tmp_path / "marketplace")
    dropped = tree(drop)
    first = loader.run("marketplace", drop, "marketplace_orders", settle=False)
    assert tree(drop) == dropped
    loaded = loader.sql("select count(*) from raw_marketplace.marketplace_order_lines")[0][0]
    assert first["marketplace_order_lines"] == loaded > 0
    # the committed register knows every file by fingerprint and content hash
    register = loader.state("marketplace")["files"]
    assert sorted(e["name"] for e in register.values()) == dropped
    assert all(len(e["sha256"]) == 64 and e["status"] == "loaded" for e in register.values())

    # WHEN the next run comes
    again = loader.run("marketplace", drop, "marketplace_orders")

    # THEN it reads nothing again and moves the files
    assert again.get("marketplace_order_lines", 0) == 0
    assert loader.sql("select count(*) from raw_marketplace.marketplace_order_lines")[0][0] == loaded
    assert loader.sql("select count(*) from raw_marketplace.loaded_files")[0][0] == len(dropped)
    assert tree(drop) == [f"processed/{name}" for name in dropped]


def test_the_same_file_dropped_again_or_renamed_is_a_duplicate(
    small_world: Path, loader: Loader, tmp_path: Path
) -> None:
    drop = copy_drop_folder(small_world, "marketplace", tmp_path / "marketplace")
    name = sorted(p.name for p in drop.glob("*.csv"))[0]
    loader.run("marketplace", drop, "marketplace_orders")
    rows = loader.sql("select count(*) from raw_marketplace.marketplace_order_lines")[0][0]

    # WHEN the same file is dropped again (a new modification time) and a renamed copy next to it
    shutil.copyfile(drop / "processed" / name, drop / name)
    shutil.copyfile(drop / "processed" / name, drop / "copy_of_report.csv")
    os.utime(drop / "copy_of_report.csv", (1_900_000_000, 1_900_000_000))
    counts = loader.run("marketplace", drop, "marketplace_orders")

    # THEN neither loads a row; both are registered as duplicates of the first and moved to rejected/
    assert counts.get("marketplace_order_lines", 0) == 0
    assert loader.sql("select count(*) from raw_marketplace.marketplace_order_lines")[0][0] == rows
    original_id = loader.sql(
        "select file_id from raw_marketplace.loaded_files where file_name = ? and status = 'loaded'", name
    )[0][0]
    duplicates = loader.sql(
        "select file_name, duplicate_of, rows_loaded from raw_marketplace.loaded_files where status = 'duplicate' order by file_name"
    )
    assert duplicates == [("copy_of_report.csv", original_id, 0), (name, original_id, 0)]
    assert sorted(p.name for p in (drop / "rejected").iterdir()) == sorted(
        [name, f"{name}.reason.txt", "copy_of_report.csv", "copy_of_report.csv.reason.txt"]
    )
    reason = (drop / "rejected" / "copy_of_report.csv.reason.txt").read_text()
    assert "duplicate" in reason and f"same content (sha256) as {name} (file id {original_id})" in reason


def test_young_partial_and_unrelated_files_wait_in_the_folder(
    small_world: Path, loader: Loader, tmp_path: Path
) -> None:
    drop = copy_drop_folder(small_world, "marketplace", tmp_path / "marketplace")
    (drop / "upload.csv.part").write_text("order_id\n")
    (drop / ".hidden.csv").write_text("order_id\n")
    (drop / "notes.txt").write_text("not a report\n")
    reports = sorted(p.name for p in drop.glob("marketplace_orders_*.csv"))
    for name in reports[:-1]:
        os.utime(drop / name, (1_700_000_000, 1_700_000_000))
    # a report written a moment ago may still be growing
    young = drop / reports[-1]
    os.utime(young, None)

    loader.run("marketplace", drop, "marketplace_orders", min_age_seconds=600)

    assert sorted(loader.files("marketplace")) == reports[:-1] != []
    assert sorted(p.name for p in drop.iterdir() if p.is_file()) == sorted(
        [young.name, "upload.csv.part", ".hidden.csv", "notes.txt"]
    )


def test_a_remote_folder_through_fsspec(small_world: Path, loader: Loader) -> None:
    # GIVEN the marketplace reports in an in-memory filesystem (any fsspec URL reads the same way)
    fs = fsspec.filesystem("memory")
    local = sorted((small_world / "files" / "marketplace").glob("*.csv"))
    for path in local:
        fs.pipe(f"/exchange/marketplace/{path.name}", path.read_bytes())
    expected = sum(len(csv_rows(p)) for p in local)
    try:
        counts = loader.run("marketplace", "memory://exchange/marketplace", "marketplace_orders")
        assert counts["marketplace_order_lines"] == expected
        assert sorted(fs.ls("/exchange/marketplace/processed", detail=False)) == [
            f"/exchange/marketplace/processed/{p.name}" for p in local
        ]
        assert [p for p in fs.ls("/exchange/marketplace", detail=False) if p.endswith(".csv")] == []
    finally:
        fs.rm("/exchange", recursive=True)


def test_a_file_larger_than_the_memory_budget_loads_through_its_spill_file(
    small_world: Path, loader: Loader, tmp_path: Path
) -> None:
    # GIVEN the ERP export (a main table and a child table) and a memory budget of one byte
    drop = copy_drop_folder(small_world, "erp_export", tmp_path / "spilled")
    twin = copy_drop_folder(small_world, "erp_export", tmp_path / "in_memory")

    # WHEN one copy is read spilling every table to Parquet, the other in memory
    spilled = loader.run("spilled", drop, "erp_products", spill_bytes=1)
    in_memory = loader.run("in_memory", twin, "erp_products")

    # THEN both load the same rows, and no temporary file is left behind
    assert spilled == in_memory
    for table in ("erp_products", "erp_product_stocks"):
        query = f"select * exclude (_file_id) from raw_{{}}.{table} order by all"
        assert loader.sql(query.format("spilled")) == loader.sql(query.format("in_memory")) != []
    assert not list(Path(tempfile.gettempdir()).glob("omnicanal-flatfile-*"))


def test_a_run_that_fails_midway_registers_and_moves_nothing(
    small_world: Path, loader: Loader, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN a folder whose third report cannot be read (a network share gone away)
    drop = copy_drop_folder(small_world, "marketplace", tmp_path / "marketplace")
    dropped = tree(drop)
    opened: list[str] = []
    real_open = DropFolder.open

    def flaky_open(self: DropFolder, file: DropFile) -> Any:
        opened.append(file.name)
        if len(opened) == 3:
            raise OSError("Input/output error")
        return real_open(self, file)

    monkeypatch.setattr(DropFolder, "open", flaky_open)

    # WHEN the run fails THEN the error names the connection and the file, and nothing is loaded or moved
    with pytest.raises(PipelineStepFailed) as failed:
        loader.run("marketplace", drop, "marketplace_orders")
    assert (
        f"connection 'marketplace', resource 'marketplace_order_lines', file {opened[2]}: cannot be read"
        in str(failed.value)
    )
    assert tree(drop) == dropped
    assert "raw_marketplace" not in {
        s for (s,) in loader.sql("select schema_name from information_schema.schemata")
    }

    # WHEN the share is back THEN the next run loads every file once
    monkeypatch.setattr(DropFolder, "open", real_open)
    counts = loader.run("marketplace", drop, "marketplace_orders")
    assert counts["loaded_files"] == len(dropped)
    assert tree(drop) == [f"processed/{name}" for name in dropped]
