"""An XML order report reads into the same rows as the CSV report of the same orders, streamed."""

from __future__ import annotations

from itertools import groupby
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from flatfile_harness import Loader, csv_rows

COLUMNS = (
    "order_id, order_line_id, ordered_at, order_status, sku, ean13, quantity, unit_price_incl_tax,"
    " discount_incl_tax, vat_rate_percent, shipping_incl_tax, currency_code, buyer_email, ship_postal_code,"
    " ship_city, shipped_at, quantity_returned, returned_at"
)


def _element(tag: str, text: str) -> str:
    return f"<{tag}>{escape(text)}</{tag}>" if text else ""


def report_as_xml(rows: list[dict[str, str]]) -> str:
    """The marketplace CSV report as the XML report of `mappings/marketplace_orders_xml.toml`."""
    out = ['<?xml version="1.0" encoding="UTF-8"?>', "<OrderReport>"]
    for order_id, items in groupby(rows, key=lambda r: r["order_id"]):
        items = list(items)
        head = items[0]
        out.append(f"<Order id={quoteattr(order_id)} status={quoteattr(head['order_status'])}>")
        out.append(_element("OrderDate", head["order_date"]) + _element("Currency", head["currency"]))
        out.append(
            "<Buyer>"
            + _element("Email", head["buyer_email"])
            + _element("PostalCode", head["ship_postcode"])
            + _element("City", head["ship_city"])
            + "</Buyer>"
            + _element("ShippedAt", head["shipped_at"])
        )
        out.append("<Items>")
        for item in items:
            returned = (
                f"<Returned quantity={quoteattr(item['quantity_returned'])}"
                + (f" at={quoteattr(item['returned_at'])}" if item["returned_at"] else "")
                + "/>"
            )
            out.append(
                f"<Item id={quoteattr(item['item_id'])}>"
                + _element("Sku", item["sku"])
                + _element("Ean", item["ean"])
                + _element("Quantity", item["quantity"])
                + _element("UnitPrice", item["unit_price_incl_tax"])
                + _element("Discount", item["item_discount_incl_tax"])
                + _element("VatRate", item["vat_rate"])
                + _element("Shipping", item["shipping_price_incl_tax"])
                + returned
                + "</Item>"
            )
        out.append("</Items></Order>")
    out.append("</OrderReport>")
    return "\n".join(out) + "\n"


def test_xml_report_gives_the_csv_rows(small_world: Path, loader: Loader, tmp_path: Path) -> None:
    # GIVEN the same marketplace orders as CSV reports and as XML reports
    csv_drop, xml_drop = tmp_path / "csv", tmp_path / "xml"
    csv_drop.mkdir()
    xml_drop.mkdir()
    for path in sorted((small_world / "files" / "marketplace").glob("*.csv")):
        (csv_drop / path.name).write_bytes(path.read_bytes())
        (xml_drop / path.with_suffix(".xml").name).write_text(report_as_xml(csv_rows(path)), encoding="utf-8")

    # WHEN both are loaded, the XML through the XML mapping
    loader.run("mkp_csv", csv_drop, "marketplace_orders")
    loader.run("mkp_xml", xml_drop, "marketplace_orders", mapping="marketplace_orders_xml")

    # THEN the rows are the same, and each XML row knows the line its record starts on
    from_csv = loader.sql(f"select {COLUMNS} from raw_mkp_csv.marketplace_order_lines order by order_line_id")
    from_xml = loader.sql(f"select {COLUMNS} from raw_mkp_xml.marketplace_order_lines order by order_line_id")
    assert len(from_csv) > 50
    assert from_xml == from_csv
    first_item_line = loader.sql(
        "select min(_line) from raw_mkp_xml.marketplace_order_lines join raw_mkp_xml.loaded_files"
        " on _file_id = file_id where file_name like '%05.xml'"
    )[0][0]
    text = (xml_drop / "processed").glob("*05.xml")
    first = next(text).read_text().splitlines()
    assert first[first_item_line - 1].startswith("<Item id=")
