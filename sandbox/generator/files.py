"""The flat files of the world: POS daily sales exports, marketplace order reports, the ERP's French export."""

from __future__ import annotations

import csv
import sqlite3
from datetime import date
from pathlib import Path
from typing import IO, Any

from sandbox.generator.clock import WorldClock

POS_HEADER = [
    "store_code",
    "ticket_id",
    "ticket_datetime",
    "line_no",
    "sku",
    "ean13",
    "quantity",
    "unit_price_incl_tax",
    "discount_incl_tax",
    "vat_rate",
    "payment_method",
    "customer_email",
    "customer_phone",
    "original_ticket_id",
]
MARKETPLACE_HEADER = [
    "order_id",
    "order_date",
    "order_status",
    "item_id",
    "sku",
    "ean",
    "quantity",
    "unit_price_incl_tax",
    "item_discount_incl_tax",
    "vat_rate",
    "shipping_price_incl_tax",
    "currency",
    "buyer_email",
    "ship_postcode",
    "ship_city",
    "shipped_at",
    "quantity_returned",
    "returned_at",
]
ERP_EXPORT_HEADER = [
    "Réf. produit",
    "Libellé",
    "Code-barres",
    "Nature",
    "Prix de vente HT",
    "Taux TVA",
    "Prix de vente TTC",
    "PMP",
    "Stock WH-CENTRAL",
    "Stock WH-PARIS",
    "Stock WH-LYON",
    "Stock physique",
    "Réservé commandes clients",
    "Disponible WH-CENTRAL",
]


class FileWriter:
    """Writes the drop files under `<root>/{pos,marketplace,erp_export}/` as the world unfolds."""

    def __init__(self, root: Path, clock: WorldClock) -> None:
        self.root = root
        self.clock = clock
        for sub in ("pos", "marketplace", "erp_export"):
            (root / sub).mkdir(parents=True, exist_ok=True)
        self._mkp: dict[str, tuple[IO[str], Any]] = {}
        self.counts = {"pos_files": 0, "marketplace_files": 0, "erp_export_files": 0}

    def flush_pos_day(self, day: date, buffer: dict[str, list[list[Any]]]) -> None:
        """One file per store and opening day (stores close on Sundays), header-only when nothing sold."""
        if day.weekday() == 6:
            return
        from sandbox.generator.vocab import STORES

        for code, *_ in STORES:
            folder = self.root / "pos" / code
            folder.mkdir(exist_ok=True)
            path = folder / f"ventes_{code}_{day.strftime('%Y%m%d')}.csv"
            with path.open("w", encoding="utf-8", newline="") as fh:
                writer = csv.writer(fh, lineterminator="\n")
                writer.writerow(POS_HEADER)
                writer.writerows(buffer.get(code, []))
            self.counts["pos_files"] += 1

    def marketplace_order(self, order: dict[str, Any], skus: list[Any], end_ts: float) -> None:
        """All lines of one marketplace order, with its status as of the end of the calendar."""
        month = self.clock.local_day(order["ts"])[:7]
        if month not in self._mkp:
            fh = (self.root / "marketplace" / f"marketplace_orders_{month}.csv").open(
                "w", encoding="utf-8-sig", newline=""
            )
            writer = csv.writer(fh, lineterminator="\r\n", quoting=csv.QUOTE_ALL)
            writer.writerow(MARKETPLACE_HEADER)
            self._mkp[month] = (fh, writer)
            self.counts["marketplace_files"] += 1
        writer = self._mkp[month][1]
        shipped = order["ship_ts"] <= end_ts
        returned = (
            {line["id"]: qty for line, qty in order["returns"]}
            if order["return_ts"] <= end_ts and shipped
            else {}
        )
        for n, line in enumerate(order["erp_lines"], start=1):
            sku = skus[line["sidx"]]
            unit = round(sku.price * (1 + sku.model.tva / 100) + 1e-9, 2)
            writer.writerow(
                [
                    order["ref_client"],
                    self.clock.iso_utc(order["ts"]),
                    "shipped" if shipped else "awaiting_shipment",
                    f"{order['ref_client']}-{n}",
                    sku.ref,
                    sku.ean,
                    line["qty"],
                    f"{unit:.2f}",
                    "0.00",
                    f"{sku.model.tva:g}",
                    "0.00",
                    "EUR",
                    order["buyer_email"],
                    order["postcode"],
                    order["city"],
                    self.clock.iso_utc(order["ship_ts"]) if shipped else "",
                    returned.get(line["id"], 0),
                    self.clock.iso_utc(order["return_ts"]) if line["id"] in returned else "",
                ]
            )

    def erp_export(self, conn: sqlite3.Connection, day: date) -> None:
        """Dolibarr's product/price/stock export as a French spreadsheet user gets it: `;`, decimal comma, CP1252."""
        path = self.root / "erp_export" / f"export_produits_{day.strftime('%Y%m%d')}.csv"
        # Aggregates first, then one pass over the products: the export stays linear at any scale.
        rows = conn.execute(
            """
            WITH stock AS (
                SELECT fk_product,
                       SUM(CASE WHEN fk_entrepot = 1 THEN reel ELSE 0 END) AS central,
                       SUM(CASE WHEN fk_entrepot = 2 THEN reel ELSE 0 END) AS paris,
                       SUM(CASE WHEN fk_entrepot = 3 THEN reel ELSE 0 END) AS lyon
                FROM product_stock GROUP BY fk_product),
            reserved AS (
                SELECT d.fk_product, SUM(d.qty) AS qty FROM commandedet d JOIN commande o ON o.rowid = d.fk_commande
                WHERE o.fk_statut = 1 AND o.fk_warehouse = 1 AND d.fk_product IS NOT NULL GROUP BY d.fk_product),
            parents AS (SELECT DISTINCT fk_product_parent AS id FROM product_attribute_combination),
            children AS (SELECT DISTINCT fk_product_child AS id FROM product_attribute_combination)
            SELECT p.ref, p.label, COALESCE(p.barcode, ''),
                   CASE WHEN c.id IS NOT NULL THEN 'Variante' WHEN pa.id IS NOT NULL THEN 'Produit parent'
                        ELSE 'Produit' END,
                   p.price, p.tva_tx, p.price_ttc, p.pmp, COALESCE(s.central, 0), COALESCE(s.paris, 0),
                   COALESCE(s.lyon, 0), COALESCE(p.stock, 0), COALESCE(r.qty, 0)
            FROM product p
            LEFT JOIN stock s ON s.fk_product = p.rowid
            LEFT JOIN reserved r ON r.fk_product = p.rowid
            LEFT JOIN parents pa ON pa.id = p.rowid
            LEFT JOIN children c ON c.id = p.rowid
            ORDER BY p.ref
            """
        )
        with path.open("w", encoding="cp1252", newline="") as fh:
            writer = csv.writer(fh, delimiter=";", lineterminator="\r\n")
            writer.writerow(ERP_EXPORT_HEADER)
            for (
                ref,
                label,
                barcode,
                nature,
                price,
                tva,
                ttc,
                pmp,
                central,
                paris,
                lyon,
                total,
                reserved,
            ) in rows:
                writer.writerow(
                    [
                        ref,
                        label,
                        barcode,
                        nature,
                        _fr(price, 2),
                        _fr(tva, 1),
                        _fr(ttc, 2),
                        _fr(pmp, 4),
                        int(central),
                        int(paris),
                        int(lyon),
                        int(total),
                        int(reserved),
                        int(central - reserved),
                    ]
                )
        self.counts["erp_export_files"] += 1

    def close(self) -> None:
        for fh, _writer in self._mkp.values():
            fh.close()
        self._mkp.clear()


def _fr(value: float, decimals: int) -> str:
    return f"{value:.{decimals}f}".replace(".", ",")
