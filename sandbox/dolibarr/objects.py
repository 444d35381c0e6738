"""Rows of the Dolibarr tables turned into the objects the REST API returns."""

# ruff: noqa: S608 - table and column names in these SQL strings come from the fixed schema (checked
# against PRAGMA table_info where a request names them); every value is a bound parameter.

from __future__ import annotations

import sqlite3
from typing import Any
from urllib.parse import quote

from sandbox.dolibarr.render import COUNTRY_CODES, build, money, num, rate, sid, unix, unix_or_none


class Objects:
    """Builds API objects from rows; the lines read their product through a cache of product rows."""

    def __init__(
        self, db: sqlite3.Connection, base_url: str, products: dict[int, sqlite3.Row] | None = None
    ) -> None:
        self.db = db
        self.base_url = base_url  # "http://127.0.0.1:<port>"
        # Product rows the lines name (ref, label...); the app keeps them across requests and drops
        # them when a product is written.
        self._products: dict[int, sqlite3.Row] = {} if products is None else products

    # ------------------------------------------------------------------------------ helpers
    def _extrafields(self, table: str, ids: list[int]) -> dict[int, dict[str, Any]]:
        if not ids:
            return {}
        cols = [r[1] for r in self.db.execute(f"PRAGMA table_info({table})")]
        extra = [c for c in cols if c not in ("rowid", "tms", "fk_object")]
        out: dict[int, dict[str, Any]] = {}
        for chunk in _chunks(ids):
            marks = ",".join("?" * len(chunk))
            for r in self.db.execute(f"SELECT * FROM {table} WHERE fk_object IN ({marks})", chunk):
                out[r["fk_object"]] = {
                    "_tms": r["tms"],
                    **{f"options_{c}": r[c] for c in extra if r[c] is not None},
                }
        return out

    def product_row(self, pid: int | None) -> sqlite3.Row | None:
        if pid is None:
            return None
        if pid not in self._products:
            self._products[pid] = self.db.execute("SELECT * FROM product WHERE rowid = ?", (pid,)).fetchone()
        return self._products[pid]

    def prefetch_products(self, ids: set[int]) -> None:
        """Read the products a page of lines names in one query per chunk, not one per line."""
        missing = [pid for pid in ids if pid is not None and pid not in self._products]
        for chunk in _chunks(missing):
            marks = ",".join("?" * len(chunk))
            for row in self.db.execute(f"SELECT * FROM product WHERE rowid IN ({marks})", chunk):
                self._products[row["rowid"]] = row

    # ------------------------------------------------------------------------------ products
    def products(self, rows: list[sqlite3.Row], with_stock: bool = False) -> list[dict[str, Any]]:
        ef = self._extrafields("product_extrafields", [r["rowid"] for r in rows])
        stock: dict[int, dict[str, dict[str, str | None]]] = {}
        if with_stock and rows:
            for chunk in _chunks([r["rowid"] for r in rows]):
                marks = ",".join("?" * len(chunk))
                for s in self.db.execute(
                    f"SELECT fk_product, fk_entrepot, reel FROM product_stock WHERE fk_product IN ({marks}) "
                    "ORDER BY fk_entrepot",
                    chunk,
                ):
                    stock.setdefault(s["fk_product"], {})[str(s["fk_entrepot"])] = {
                        "real": num(s["reel"]),
                        "id": str(s["fk_entrepot"]),
                    }
        return [
            self.product(r, ef.get(r["rowid"]), stock.get(r["rowid"], {}) if with_stock else None)
            for r in rows
        ]

    def product(
        self, r: sqlite3.Row, extra: dict[str, Any] | None, stock: dict[str, Any] | None
    ) -> dict[str, Any]:
        options = {k: v for k, v in (extra or {}).items() if k != "_tms"}
        # GREATEST(p.tms, pef.tms) is NULL without an extrafields row: date_modification "" and tms null.
        tms = max(r["tms"], extra["_tms"]) if extra and extra.get("_tms") else None
        is_service = r["fk_product_type"] == 1
        values = {
            "id": str(r["rowid"]),
            "array_options": options or [],
            "ref": r["ref"],
            "ref_ext": r["ref_ext"],
            "status": sid(r["tosell"]),
            "date_creation": unix_or_none(r["datec"]),
            "date_modification": unix(tms) if tms else "",
            "tms": unix_or_none(tms) if tms else None,
            "label": r["label"],
            "description": r["description"],
            "type": sid(r["fk_product_type"]),
            "price": money(r["price"]),
            "price_ttc": money(r["price_ttc"]),
            "price_min": money(r["price_min"]),
            "price_min_ttc": money(r["price_min_ttc"]),
            "price_base_type": r["price_base_type"],
            "tva_tx": rate(r["tva_tx"]),
            "stock_reel": None if is_service or r["stock"] is None else num(r["stock"]),
            "cost_price": money(r["cost_price"]),
            "pmp": money(r["pmp"]),
            "seuil_stock_alerte": num(r["seuil_stock_alerte"]),
            "desiredstock": num(r["desiredstock"]),
            "status_buy": sid(r["tobuy"]),
            "status_batch": sid(r["tobatch"]),
            "weight": num(r["weight"]),
            "barcode": r["barcode"],
            "barcode_type": sid(r["fk_barcode_type"]),
            "fk_default_warehouse": sid(r["fk_default_warehouse"]),
            "note_public": r["note_public"],
            "note_private": r["note"],
            "stock_warehouse": [],
        }
        if stock is not None:
            values["stock_warehouse"] = stock or []
            total = sum((float(s["real"]) for s in stock.values()), 0.0)
            values["stock_reel"] = int(total) if total.is_integer() else total
            values["stock_theorique"] = values["stock_reel"]
        return build("product", values)

    def stock_of(self, pid: int, warehouse: int | None) -> dict[str, Any]:
        rows = self.db.execute(
            "SELECT fk_entrepot, reel FROM product_stock WHERE fk_product = ? "
            + ("AND fk_entrepot = ? " if warehouse else "")
            + "ORDER BY fk_entrepot",
            (pid, warehouse) if warehouse else (pid,),
        ).fetchall()
        per = {str(r["fk_entrepot"]): {"real": num(r["reel"]), "id": str(r["fk_entrepot"])} for r in rows}
        total = sum((float(r["reel"]) for r in rows), 0.0)
        total_out: Any = int(total) if total.is_integer() else total
        return {"stock_reel": total_out, "stock_theorique": total_out, "stock_warehouses": per}

    def variants(self, parent: int, with_stock: bool) -> list[dict[str, Any]]:
        out = []
        for c in self.db.execute(
            "SELECT * FROM product_attribute_combination WHERE fk_product_parent = ? ORDER BY rowid",
            (parent,),
        ):
            attrs = [
                {
                    "id": str(a["rowid"]),
                    "fk_prod_combination": str(a["fk_prod_combination"]),
                    "fk_prod_attr": str(a["fk_prod_attr"]),
                    "fk_prod_attr_val": str(a["fk_prod_attr_val"]),
                }
                for a in self.db.execute(
                    "SELECT * FROM product_attribute_combination2val WHERE fk_prod_combination = ? ORDER BY rowid",
                    (c["rowid"],),
                )
            ]
            item: dict[str, Any] = {
                "id": str(c["rowid"]),
                "entity": str(c["entity"]),
                "fk_product_parent": str(c["fk_product_parent"]),
                "fk_product_child": str(c["fk_product_child"]),
                "variation_price": money(c["variation_price"]),
                "variation_price_percentage": str(c["variation_price_percentage"]),
                "variation_weight": num(c["variation_weight"]),
                "variation_ref_ext": c["variation_ref_ext"],
                "combination_price_levels": [],
                "attributes": attrs,
            }
            if with_stock:
                item["stock_warehouse"] = self.stock_of(c["fk_product_child"], None)["stock_warehouses"] or []
            out.append(item)
        return out

    def purchase_prices(self, pid: int) -> list[dict[str, Any]]:
        out = []
        for r in self.db.execute(
            "SELECT * FROM product_fournisseur_price WHERE fk_product = ? ORDER BY rowid", (pid,)
        ):
            out.append(
                {
                    "id": str(r["rowid"]),
                    "product_fourn_price_id": str(r["rowid"]),
                    "fk_product": str(r["fk_product"]),
                    "fourn_id": str(r["fk_soc"]),
                    "fourn_ref": r["ref_fourn"],
                    "ref_supplier": r["ref_fourn"],
                    "desc_supplier": r["desc_fourn"],
                    "fourn_price": money(r["price"]),
                    "fourn_qty": num(r["quantity"]),
                    "fourn_unitprice": money(r["unitprice"]),
                    "fourn_remise_percent": num(r["remise_percent"]),
                    "fourn_tva_tx": rate(r["tva_tx"]),
                    "fourn_multicurrency_id": sid(r["fk_multicurrency"]),
                    "fourn_multicurrency_code": r["multicurrency_code"],
                    "fourn_multicurrency_tx": money(r["multicurrency_tx"]),
                    "fourn_multicurrency_price": money(r["multicurrency_price"]),
                    "fourn_multicurrency_unitprice": money(r["multicurrency_unitprice"]),
                    "delivery_time_days": sid(r["delivery_time_days"]),
                    "date_creation": unix_or_none(r["datec"]),
                    "date_modification": unix_or_none(r["tms"]),
                }
            )
        return out

    # ------------------------------------------------------------------------------ warehouses, movements
    def warehouse(self, r: sqlite3.Row) -> dict[str, Any]:
        return build(
            "warehouse",
            {
                "id": str(r["rowid"]),
                "ref": r["ref"],
                "statut": sid(r["statut"]),
                "status": sid(r["statut"]),
                "country_id": sid(r["fk_pays"]),
                "date_creation": r["datec"],
                "date_modification": r["tms"],
                "warehouse_id": str(r["rowid"]),
                "label": r["ref"],
                "description": r["description"],
                "lieu": r["lieu"],
                "address": r["address"] or "",
                "zip": r["zip"] or "",
                "town": r["town"] or "",
                "phone": r["phone"] or "",
                "fax": r["fax"] or "",
                "fk_parent": sid(r["fk_parent"]),
                "warehouse_usage": sid(r["warehouse_usage"]),
                "fk_departement": sid(r["fk_departement"] or 0),
                "barcode": r["barcode"] or "",
            },
        )

    def movement(self, r: sqlite3.Row) -> dict[str, Any]:
        return build(
            "stockmovement",
            {
                "id": str(r["rowid"]),
                "origin_type": r["origintype"] or "",
                "origin_id": str(r["fk_origin"] or 0),
                "tms": unix_or_none(r["tms"]),
                "warehouse_id": str(r["fk_entrepot"]),
                "product_id": str(r["fk_product"]),
                "qty": num(r["value"]),
                "type": sid(r["type_mouvement"]),
                "datem": unix_or_none(r["datem"]),
                "price": money(r["price"]),
                "fk_user_author": sid(r["fk_user_author"]),
                "label": r["label"] or "",
                "fk_origin": str(r["fk_origin"] or 0),
                "origintype": r["origintype"] or "",
                "inventorycode": r["inventorycode"] or "",
                "movementcode": r["inventorycode"] or "",
                "batch": r["batch"] or "",
                "eatby": r["eatby"] or "",
                "sellby": r["sellby"] or "",
            },
        )

    # ------------------------------------------------------------------------------ third parties, contacts
    def thirdparties(self, rows: list[sqlite3.Row], single: bool = False) -> list[dict[str, Any]]:
        ef = self._extrafields("societe_extrafields", [r["rowid"] for r in rows])
        out = []
        for r in rows:
            extra = ef.get(r["rowid"])
            tms = max(r["tms"], extra["_tms"]) if extra and extra.get("_tms") else None
            obj = build(
                "thirdparty",
                {
                    "id": str(r["rowid"]),
                    "array_options": {k: v for k, v in (extra or {}).items() if k != "_tms"} or [],
                    "ref": r["nom"],
                    "ref_ext": r["ref_ext"],
                    "status": sid(r["status"]),
                    "country_id": sid(r["fk_pays"]),
                    "country_code": COUNTRY_CODES.get(r["fk_pays"], ""),
                    "fk_multicurrency": sid(r["fk_multicurrency"] or 0),
                    "multicurrency_code": r["multicurrency_code"] or "",
                    "note_public": r["note_public"],
                    "note_private": r["note_private"],
                    "name": r["nom"],
                    "date_creation": unix_or_none(r["datec"]),
                    "date_modification": unix(tms) if tms else "",
                    "tms": unix_or_none(tms) if tms else None,
                    "user_creation_id": sid(r["fk_user_creat"]),
                    "user_modification_id": sid(r["fk_user_modif"]),
                    "name_alias": r["name_alias"] or "",
                    "phone": r["phone"],
                    "phone_mobile": r["phone_mobile"],
                    "fax": r["fax"],
                    "email": r["email"],
                    "url": r["url"],
                    "barcode": r["barcode"],
                    "idprof1": r["siren"] or "",
                    "idprof2": r["siret"] or "",
                    "idprof3": r["ape"] or "",
                    "idprof4": r["idprof4"] or "",
                    "idprof5": r["idprof5"] or "",
                    "idprof6": r["idprof6"] or "",
                    "tva_assuj": sid(r["tva_assuj"]),
                    "tva_intra": r["tva_intra"] or "",
                    "client": sid(r["client"]),
                    "fournisseur": sid(r["fournisseur"]),
                    "code_client": r["code_client"],
                    "code_fournisseur": r["code_fournisseur"],
                    "stcomm_id": sid(r["fk_stcomm"] or 0),
                    "default_lang": r["default_lang"],
                    "address": r["address"],
                    "zip": r["zip"],
                    "town": r["town"],
                    "prospect": 1 if r["client"] in (2, 3) else 0,
                },
            )
            if single:
                obj["absolute_discount"] = "0"
                obj["absolute_creditnote"] = "0"
            out.append(obj)
        return out

    def contact(self, r: sqlite3.Row) -> dict[str, Any]:
        # Not recorded on 23.0.1: the fields of Contact::fetch the connectors need, in the class's order.
        return {
            "module": "societe",
            "id": str(r["rowid"]),
            "entity": str(r["entity"]),
            "array_options": [],
            "ref": None,
            "ref_ext": r["ref_ext"],
            "statut": sid(r["statut"]),
            "status": sid(r["statut"]),
            "country_id": sid(r["fk_pays"]),
            "country_code": COUNTRY_CODES.get(r["fk_pays"], ""),
            "note_public": r["note_public"],
            "note_private": r["note_private"],
            "lastname": r["lastname"],
            "firstname": r["firstname"],
            "civility_id": None,
            "civility_code": r["civility"] or "",
            "date_creation": unix_or_none(r["datec"]),
            "date_modification": unix_or_none(r["tms"]),
            "address": r["address"] or "",
            "zip": r["zip"] or "",
            "town": r["town"] or "",
            "poste": r["poste"] or "",
            "socid": sid(r["fk_soc"]),
            "fk_soc": sid(r["fk_soc"]),
            "phone_pro": r["phone"] or "",
            "phone_perso": r["phone_perso"] or "",
            "phone_mobile": r["phone_mobile"] or "",
            "fax": r["fax"] or "",
            "email": r["email"] or "",
            "default_lang": r["default_lang"],
            "socialnetworks": [],
            "roles": [],
        }

    # ------------------------------------------------------------------------------ customer orders
    def orders(self, rows: list[sqlite3.Row], shape: str = "order") -> list[dict[str, Any]]:
        ids = [r["rowid"] for r in rows]
        ef = self._extrafields("commande_extrafields", ids)
        lines = self._lines("commandedet", "fk_commande", ids)
        return [self.order(r, ef.get(r["rowid"]), lines.get(r["rowid"], []), shape) for r in rows]

    def order(
        self, r: sqlite3.Row, extra: dict[str, Any] | None, lines: list[sqlite3.Row], shape: str = "order"
    ) -> dict[str, Any]:
        tms = max(r["tms"], extra["_tms"]) if extra and extra.get("_tms") else r["tms"]
        return build(
            shape,
            {
                "id": str(r["rowid"]),
                "entity": str(r["entity"]),
                "array_options": {k: v for k, v in (extra or {}).items() if k != "_tms"} or [],
                "contacts_ids": [],
                "ref": r["ref"],
                "ref_ext": r["ref_ext"],
                "statut": sid(r["fk_statut"]),
                "status": sid(r["fk_statut"]),
                "fk_multicurrency": sid(r["fk_multicurrency"] or 0),
                "multicurrency_code": r["multicurrency_code"],
                "multicurrency_tx": money(r["multicurrency_tx"]),
                **_multicurrency_totals(r),
                "model_pdf": r["model_pdf"] or "",
                "note_public": r["note_public"] or "",
                "note_private": r["note_private"] or "",
                **_totals(r),
                "lines": [self.order_line(line, "order_line") for line in lines],
                "date_creation": unix_or_none(r["date_creation"]),
                "date_validation": unix_or_none(r["date_valid"]),
                "date_modification": unix_or_none(tms),
                "date_cloture": unix_or_none(r["date_cloture"]),
                "user_creation_id": sid(r["fk_user_author"]),
                "user_validation_id": sid(r["fk_user_valid"]),
                "user_closing_id": sid(r["fk_user_cloture"]),
                "user_modification_id": sid(r["fk_user_modif"] or r["fk_user_author"]),
                "warehouse_id": sid(r["fk_warehouse"]),
                "socid": sid(r["fk_soc"]),
                "ref_client": r["ref_client"],
                "ref_customer": r["ref_client"],
                "billed": sid(r["facture"]),
                "date": unix_or_none(r["date_commande"]),
                "date_commande": unix_or_none(r["date_commande"]),
                "delivery_date": unix(r["date_livraison"]),
                "source": sid(r["source"]),
                "module_source": r["module_source"],
                "pos_source": r["pos_source"],
                "user_author_id": sid(r["fk_user_author"]),
                "fk_account": sid(r["fk_account"]),
                "online_payment_url": f"{self.base_url}/public/payment/newpayment.php?source=order&ref={quote(r['ref'] or '')}",
                "trackid": f"ord{r['rowid']}",
            },
        )

    def _lines(self, table: str, parent: str, ids: list[int]) -> dict[int, list[sqlite3.Row]]:
        out: dict[int, list[sqlite3.Row]] = {}
        for chunk in _chunks(ids):
            marks = ",".join("?" * len(chunk))
            for line in self.db.execute(
                f"SELECT * FROM {table} WHERE {parent} IN ({marks}) ORDER BY rang, rowid", chunk
            ):
                out.setdefault(line[parent], []).append(line)
        self.prefetch_products({line["fk_product"] for lines in out.values() for line in lines})
        return out

    def _line_common(self, line: sqlite3.Row) -> dict[str, Any]:
        p = self.product_row(line["fk_product"])
        pa = float(line["buy_price_ht"] or 0) if "buy_price_ht" in line.keys() else 0.0
        sub = float(line["subprice"] or 0)
        values = {
            "id": str(line["rowid"]),
            "rowid": str(line["rowid"]),
            "ref": p["ref"] if p else None,
            **_multicurrency_totals(line),
            **_totals(line),
            "weight": num(p["weight"]) if p else None,
            "product_type": sid(line["product_type"]),
            "fk_product": sid(line["fk_product"]),
            "desc": line["description"] or "",
            "description": line["description"] or "",
            "product_ref": p["ref"] if p else None,
            "product_label": p["label"] if p else None,
            "product_barcode": p["barcode"] if p else None,
            "product_desc": p["description"] if p else None,
            "product_custom_code": (p["customcode"] if p else None),
            "fk_product_type": sid(line["product_type"]),
            "qty": num(line["qty"]),
            "remise_percent": num(line["remise_percent"]),
            "info_bits": sid(line["info_bits"]),
            "special_code": sid(line["special_code"]),
            "subprice": money(line["subprice"]),
            "tva_tx": rate(line["tva_tx"]),
            "multicurrency_subprice": money(line["multicurrency_subprice"]),
            "label": line["label"],
            "libelle": (p["label"] if p else line["label"]),
            "product_tosell": sid(p["tosell"]) if p else None,
            "product_tobuy": sid(p["tobuy"]) if p else None,
            "product_tobatch": sid(p["tobatch"]) if p else None,
            "vat_src_code": line["vat_src_code"] or "",
            "localtax1_tx": rate(line["localtax1_tx"]),
            "localtax2_tx": rate(line["localtax2_tx"]),
            "rang": sid(line["rang"]),
            "pa_ht": money(pa),
            "marge_tx": "" if not pa else round((sub - pa) / pa * 100, 8),
            "marque_tx": 100 if not pa else (round((sub - pa) / sub * 100, 8) if sub else ""),
            "fk_unit": sid(line["fk_unit"]),
            "fk_parent_line": sid(line["fk_parent_line"]),
            "date_start": unix(line["date_start"]),
            "date_end": unix(line["date_end"]),
        }
        return values

    def order_line(self, line: sqlite3.Row, shape: str) -> dict[str, Any]:
        values = self._line_common(line)
        values.update(
            {
                "fk_commande": str(line["fk_commande"]),
                "commande_id": str(line["fk_commande"]),
                "array_options": [],
            }
        )
        if shape == "order_line_get":
            values["multicurrency_code"] = "EUR"
        return build(shape, values)

    # ------------------------------------------------------------------------------ invoices
    def invoices(self, rows: list[sqlite3.Row]) -> list[dict[str, Any]]:
        ids = [r["rowid"] for r in rows]
        lines = self._lines("facturedet", "fk_facture", ids)
        line_ef = self._extrafields(
            "facturedet_extrafields", [x["rowid"] for ls in lines.values() for x in ls]
        )
        ef = self._extrafields("facture_extrafields", ids)
        orders: dict[int, int] = {}
        refs = [r["ref_client"] for r in rows if r["ref_client"]]
        for chunk in _chunks(refs):
            marks = ",".join("?" * len(chunk))
            for o in self.db.execute(
                f"SELECT rowid, ref_client FROM commande WHERE ref_client IN ({marks})", chunk
            ):
                orders[o["ref_client"]] = o["rowid"]
        credit_notes: dict[int, list[str]] = {}
        for chunk in _chunks(ids):
            marks = ",".join("?" * len(chunk))
            for c in self.db.execute(
                f"SELECT rowid, fk_facture_source FROM facture WHERE fk_facture_source IN ({marks})", chunk
            ):
                credit_notes.setdefault(c["fk_facture_source"], []).append(str(c["rowid"]))
        out = []
        for r in rows:
            extra = ef.get(r["rowid"])
            linked = orders.get(r["ref_client"])
            paid = r["paye"] == 1
            obj = build(
                "invoice",
                {
                    "id": str(r["rowid"]),
                    "entity": str(r["entity"]),
                    "array_options": {k: v for k, v in (extra or {}).items() if k != "_tms"} or [],
                    "contacts_ids": [],
                    "linkedObjectsIds": {"commande": {"1": str(linked)}} if linked and r["type"] == 0 else [],
                    "ref": r["ref"],
                    "ref_ext": r["ref_ext"],
                    "statut": sid(r["fk_statut"]),
                    "status": sid(r["fk_statut"]),
                    "mode_reglement_id": sid(r["fk_mode_reglement"] or 0),
                    "cond_reglement_id": sid(r["fk_cond_reglement"] or 0),
                    "fk_multicurrency": sid(r["fk_multicurrency"] or 0),
                    "multicurrency_code": r["multicurrency_code"],
                    "multicurrency_tx": money(r["multicurrency_tx"]),
                    **_multicurrency_totals(r),
                    "model_pdf": r["model_pdf"],
                    "note_public": r["note_public"],
                    "note_private": r["note_private"],
                    "total_ht": money(r["total_ht"]),
                    "total_tva": money(r["total_tva"]),
                    "total_localtax1": money(r["localtax1"]),
                    "total_localtax2": money(r["localtax2"]),
                    "total_ttc": money(r["total_ttc"]),
                    "lines": [
                        self.invoice_line(x, line_ef.get(x["rowid"])) for x in lines.get(r["rowid"], [])
                    ],
                    "date_creation": unix_or_none(r["datec"]),
                    "date_validation": unix(r["date_valid"]),
                    "date_modification": unix_or_none(r["tms"]),
                    "date_cloture": unix_or_none(r["date_closing"]),
                    "user_validation_id": sid(r["fk_user_valid"]),
                    "user_closing_id": sid(r["fk_user_closing"]),
                    "totalpaid": float(r["total_ttc"]) if paid else 0,
                    "type": sid(r["type"]),
                    "subtype": sid(r["subtype"]),
                    "socid": sid(r["fk_soc"]),
                    "paye": sid(r["paye"]),
                    "date": unix_or_none(r["datef"]),
                    "date_lim_reglement": unix_or_none(r["date_lim_reglement"]),
                    "revenuestamp": money(r["revenuestamp"]),
                    "remaintopay": "0" if paid else f"{float(r['total_ttc']):g}",
                    "creditnote_ids": credit_notes.get(r["rowid"], []),
                    "ref_client": r["ref_client"],
                    "ref_customer": r["ref_client"],
                    "fk_user_author": sid(r["fk_user_author"]),
                    "fk_user_valid": sid(r["fk_user_valid"]),
                    "datem": unix_or_none(r["tms"]),
                    "module_source": r["module_source"],
                    "pos_source": r["pos_source"],
                    "fk_facture_source": sid(r["fk_facture_source"]),
                    "date_pointoftax": unix(r["date_pointoftax"]),
                    "situation_final": sid(r["situation_final"]),
                    "retained_warranty": num(r["retained_warranty"]),
                    "retained_warranty_date_limit": "",
                    "date_closing": unix_or_none(r["date_closing"]),
                    "online_payment_url": f"{self.base_url}/public/payment/newpayment.php?source=invoice&ref={quote(r['ref'] or '', safe='')}",
                },
            )
            out.append(obj)
        return out

    def invoice_line(self, line: sqlite3.Row, extra: dict[str, Any] | None) -> dict[str, Any]:
        values = self._line_common(line)
        values.update(
            {
                "array_options": {k: v for k, v in (extra or {}).items() if k != "_tms"} or [],
                "fk_facture": str(line["fk_facture"]),
                "fk_code_ventilation": sid(line["fk_code_ventilation"]),
                "situation_percent": num(line["situation_percent"]),
                "batch": line["batch"] or "",
                "fk_warehouse": sid(line["fk_warehouse"] or 0),
                "fk_prev_id": sid(line["fk_prev_id"]),
                "buy_price_ht": None,
            }
        )
        # Invoice lines carry their margin rates as the strings read from the database.
        for key in ("marge_tx", "marque_tx"):
            if isinstance(values[key], int | float):
                values[key] = f"{values[key]:g}"
        return build("invoice_line", values)

    # ------------------------------------------------------------------------------ purchasing
    def supplierorders(self, rows: list[sqlite3.Row]) -> list[dict[str, Any]]:
        ids = [r["rowid"] for r in rows]
        lines = self._lines("commande_fournisseurdet", "fk_commande", ids)
        receptions: dict[int, list[str]] = {}
        for chunk in _chunks(ids):
            marks = ",".join("?" * len(chunk))
            for rec in self.db.execute(
                f"SELECT rowid, origin_id FROM reception WHERE origin_id IN ({marks})", chunk
            ):
                receptions.setdefault(rec["origin_id"], []).append(str(rec["rowid"]))
        out = []
        for r in rows:
            out.append(
                build(
                    "supplierorder",
                    {
                        "id": str(r["rowid"]),
                        "entity": str(r["entity"]),
                        "ref": r["ref"],
                        "ref_ext": r["ref_ext"],
                        "statut": sid(r["fk_statut"]),
                        "status": sid(r["fk_statut"]),
                        "fk_multicurrency": sid(r["fk_multicurrency"] or 0),
                        "multicurrency_code": r["multicurrency_code"],
                        "multicurrency_tx": money(r["multicurrency_tx"]),
                        **_multicurrency_totals(r),
                        "model_pdf": r["model_pdf"] or "",
                        "note_public": r["note_public"] or "",
                        "note_private": r["note_private"] or "",
                        "total_ht": money(r["total_ht"]),
                        "total_tva": money(r["total_tva"]),
                        "total_localtax1": money(r["localtax1"]),
                        "total_localtax2": money(r["localtax2"]),
                        "total_ttc": money(r["total_ttc"]),
                        "lines": [self.supplierorder_line(x) for x in lines.get(r["rowid"], [])],
                        "date_creation": unix_or_none(r["date_creation"]),
                        "date_validation": unix_or_none(r["date_valid"]),
                        "date_modification": unix_or_none(r["tms"]),
                        "user_creation_id": sid(r["fk_user_author"]),
                        "user_validation_id": sid(r["fk_user_valid"]),
                        "ref_supplier": r["ref_supplier"],
                        "ref_fourn": r["ref_supplier"],
                        "billed": sid(r["billed"]),
                        "socid": sid(r["fk_soc"]),
                        "fourn_id": sid(r["fk_soc"]),
                        "date": unix_or_none(r["date_creation"]),
                        "date_valid": unix_or_none(r["date_valid"]),
                        "date_approve": unix(r["date_approve"]),
                        "date_approve2": unix(r["date_approve2"]),
                        "date_commande": unix(r["date_commande"]),
                        "remise_percent": num(r["remise_percent"]),
                        "methode_commande_id": sid(r["fk_input_method"] or 0),
                        "delivery_date": unix(r["date_livraison"]),
                        "source": sid(r["source"] or 0),
                        "user_author_id": sid(r["fk_user_author"]),
                        "user_approve_id": sid(r["fk_user_approve"]),
                        "user_approve_id2": sid(r["fk_user_approve2"]),
                        "receptions": receptions.get(r["rowid"], []),
                    },
                )
            )
        return out

    def supplierorder_line(self, line: sqlite3.Row) -> dict[str, Any]:
        p = self.product_row(line["fk_product"])
        return build(
            "supplierorder_line",
            {
                "id": str(line["rowid"]),
                "ref": p["ref"] if p else None,
                **_multicurrency_totals(line),
                **_totals(line),
                "product_type": sid(line["product_type"]),
                "fk_product": sid(line["fk_product"]),
                "desc": line["description"] or "",
                "description": line["description"] or "",
                "product_ref": p["ref"] if p else None,
                "product_label": p["label"] if p else None,
                "product_desc": p["description"] if p else None,
                "qty": num(line["qty"]),
                "remise_percent": num(line["remise_percent"]),
                "subprice": money(line["subprice"]),
                "subprice_ttc": money(0),
                "tva_tx": rate(line["tva_tx"]),
                "multicurrency_subprice": money(line["multicurrency_subprice"]),
                "multicurrency_subprice_ttc": money(0),
                "libelle": p["label"] if p else line["label"],
                "label": line["label"],
                "product_tobatch": sid(p["tobatch"]) if p else None,
                "fk_commande": str(line["fk_commande"]),
                "rang": sid(line["rang"]),
                "pu_ht": money(line["subprice"]),
                "pu_ttc": money(0),
                "ref_supplier": line["ref"] or "",
                "ref_fourn": line["ref"] or "",
                "localtax1_tx": rate(line["localtax1_tx"]),
                "localtax2_tx": rate(line["localtax2_tx"]),
            },
        )

    def receptions(self, rows: list[sqlite3.Row]) -> list[dict[str, Any]]:
        # Not recorded on 23.0.1: Reception::fetch and fetch_lines (lines carry the supplier order
        # line's subprice / multicurrency_subprice), in the class's property order.
        ids = [r["rowid"] for r in rows]
        lines = self._lines_plain("receptiondet_batch", "fk_reception", ids)
        po_lines: dict[int, sqlite3.Row] = {}
        det_ids = [x["fk_elementdet"] for ls in lines.values() for x in ls if x["fk_elementdet"]]
        for chunk in _chunks(det_ids):
            marks = ",".join("?" * len(chunk))
            for d in self.db.execute(
                f"SELECT * FROM commande_fournisseurdet WHERE rowid IN ({marks})", chunk
            ):
                po_lines[d["rowid"]] = d
        out = []
        for r in rows:
            out.append(
                {
                    "module": None,
                    "id": str(r["rowid"]),
                    "entity": str(r["entity"]),
                    "array_options": [],
                    "linkedObjectsIds": {"order_supplier": {"1": str(r["origin_id"])}}
                    if r["origin_id"]
                    else [],
                    "origin_type": r["origin"],
                    "origin_id": sid(r["origin_id"]),
                    "origin": r["origin"],
                    "ref": r["ref"],
                    "ref_ext": r["ref_ext"],
                    "statut": sid(r["fk_statut"]),
                    "status": sid(r["fk_statut"]),
                    "note_public": r["note_public"],
                    "note_private": r["note_private"],
                    "model_pdf": r["model_pdf"],
                    "date_creation": unix_or_none(r["date_creation"]),
                    "date_validation": unix_or_none(r["date_valid"]),
                    "date_modification": unix_or_none(r["tms"]),
                    "user_author_id": sid(r["fk_user_author"]),
                    "socid": sid(r["fk_soc"]),
                    "ref_supplier": r["ref_supplier"],
                    "entrepot_id": None,
                    "tracking_number": r["tracking_number"] or "",
                    "tracking_url": "",
                    "billed": sid(r["billed"]),
                    "trueWeight": num(r["weight"]),
                    "weight_units": sid(r["weight_units"]),
                    "trueWidth": num(r["width"]),
                    "width_units": sid(r["size_units"]),
                    "trueHeight": num(r["height"]),
                    "height_units": sid(r["size_units"]),
                    "trueDepth": num(r["size"]),
                    "depth_units": sid(r["size_units"]),
                    "date_delivery": unix(r["date_delivery"]),
                    "date": unix(r["date_reception"]),
                    "date_reception": unix(r["date_reception"]),
                    "date_valid": unix(r["date_valid"]),
                    "fk_incoterms": sid(r["fk_incoterms"]),
                    "location_incoterms": r["location_incoterms"] or "",
                    "lines": [
                        self.reception_line(x, po_lines.get(x["fk_elementdet"]))
                        for x in lines.get(r["rowid"], [])
                    ],
                }
            )
        return out

    def _lines_plain(self, table: str, parent: str, ids: list[int]) -> dict[int, list[sqlite3.Row]]:
        out: dict[int, list[sqlite3.Row]] = {}
        for chunk in _chunks(ids):
            marks = ",".join("?" * len(chunk))
            for line in self.db.execute(
                f"SELECT * FROM {table} WHERE {parent} IN ({marks}) ORDER BY rowid", chunk
            ):
                out.setdefault(line[parent], []).append(line)
        self.prefetch_products({line["fk_product"] for lines in out.values() for line in lines})
        return out

    def reception_line(self, line: sqlite3.Row, po_line: sqlite3.Row | None) -> dict[str, Any]:
        p = self.product_row(line["fk_product"])
        return {
            "id": str(line["rowid"]),
            "fk_reception": sid(line["fk_reception"]),
            "fk_element": sid(line["fk_element"]),
            "fk_elementdet": sid(line["fk_elementdet"]),
            "element_type": line["element_type"],
            "fk_commande": sid(line["fk_element"]),
            "fk_commandefourndet": sid(line["fk_elementdet"]),
            "fk_product": sid(line["fk_product"]),
            "product_ref": p["ref"] if p else None,
            "product_label": p["label"] if p else None,
            "qty": num(line["qty"]),
            "qty_asked": num(po_line["qty"]) if po_line else "0",
            "fk_entrepot": sid(line["fk_entrepot"]),
            "fk_user": sid(line["fk_user"]),
            "comment": line["comment"] or "",
            "batch": line["batch"] or "",
            "eatby": unix(line["eatby"]),
            "sellby": unix(line["sellby"]),
            "status": sid(line["status"]),
            "datec": unix_or_none(line["datec"]),
            "cost_price": money(line["cost_price"]),
            "subprice": money(po_line["subprice"]) if po_line else None,
            "multicurrency_subprice": money(po_line["multicurrency_subprice"]) if po_line else None,
            "tva_tx": rate(po_line["tva_tx"]) if po_line else None,
            "remise_percent": num(po_line["remise_percent"]) if po_line else None,
            "ref_supplier": po_line["ref"] if po_line else None,
            "total_ht": money(float(po_line["subprice"]) * float(line["qty"])) if po_line else None,
            "label": p["label"] if p else None,
            "description": po_line["description"] if po_line else "",
            "array_options": [],
        }

    def shipments(self, rows: list[sqlite3.Row]) -> list[dict[str, Any]]:
        # Not recorded on 23.0.1: Expedition::fetch and its lines (20+ names fk_element/fk_elementdet, and
        # fk_origin_line, the order line), with the carrier's code and tracking number.
        ids = [r["rowid"] for r in rows]
        lines = self._lines_plain("expeditiondet", "fk_expedition", ids)
        modes = {m["rowid"]: m["code"] for m in self.db.execute("SELECT rowid, code FROM c_shipment_mode")}
        out = []
        for r in rows:
            out.append(
                {
                    "module": None,
                    "id": str(r["rowid"]),
                    "entity": str(r["entity"]),
                    "array_options": [],
                    "linkedObjectsIds": {"commande": {"1": str(r["origin_id"])}} if r["origin_id"] else [],
                    "origin_type": r["origin"],
                    "origin_id": sid(r["origin_id"]),
                    "origin": r["origin"],
                    "ref": r["ref"],
                    "ref_ext": r["ref_ext"],
                    "ref_customer": r["ref_customer"],
                    "statut": sid(r["fk_statut"]),
                    "status": sid(r["fk_statut"]),
                    "socid": sid(r["fk_soc"]),
                    "billed": sid(r["billed"]),
                    "date_creation": unix_or_none(r["date_creation"]),
                    "date_valid": unix_or_none(r["date_valid"]),
                    "date_validation": unix_or_none(r["date_valid"]),
                    "date_modification": unix_or_none(r["tms"]),
                    "date_delivery": unix(r["date_delivery"]),
                    "date_shipping": unix(r["date_expedition"]),
                    "date_expedition": unix(r["date_expedition"]),
                    "shipping_method_id": sid(r["fk_shipping_method"]),
                    "shipping_method": modes.get(r["fk_shipping_method"]),
                    "tracking_number": r["tracking_number"] or "",
                    "tracking_url": "",
                    "trueWeight": num(r["weight"]),
                    "weight_units": sid(r["weight_units"]),
                    "user_author_id": sid(r["fk_user_author"]),
                    "note_public": r["note_public"],
                    "note_private": r["note_private"],
                    "model_pdf": r["model_pdf"],
                    "lines": [self.shipment_line(x) for x in lines.get(r["rowid"], [])],
                }
            )
        return out

    def shipment_line(self, line: sqlite3.Row) -> dict[str, Any]:
        p = self.product_row(line["fk_product"])
        return {
            "id": str(line["rowid"]),
            "fk_expedition": sid(line["fk_expedition"]),
            "fk_element": sid(line["fk_element"]),
            "fk_elementdet": sid(line["fk_elementdet"]),
            "element_type": line["element_type"],
            "fk_origin_line": sid(line["fk_elementdet"]),
            "origin_line_id": sid(line["fk_elementdet"]),
            "fk_product": sid(line["fk_product"]),
            "product_ref": p["ref"] if p else None,
            "product_label": p["label"] if p else None,
            "entrepot_id": sid(line["fk_entrepot"]),
            "qty": num(line["qty"]),
            "qty_shipped": num(line["qty"]),
            "rang": sid(line["rang"]),
            "array_options": [],
        }

    def supplierinvoices(self, rows: list[sqlite3.Row]) -> list[dict[str, Any]]:
        # Not recorded on 23.0.1: FactureFournisseur::fetch, with the landed-cost extrafields.
        ids = [r["rowid"] for r in rows]
        ef = self._extrafields("facture_fourn_extrafields", ids)
        lines = self._lines("facture_fourn_det", "fk_facture_fourn", ids)
        out = []
        for r in rows:
            extra = ef.get(r["rowid"])
            out.append(
                {
                    "module": None,
                    "id": str(r["rowid"]),
                    "entity": str(r["entity"]),
                    "array_options": {k: v for k, v in (extra or {}).items() if k != "_tms"} or [],
                    "ref": r["ref"],
                    "ref_ext": r["ref_ext"],
                    "ref_supplier": r["ref_supplier"],
                    "label": r["libelle"],
                    "libelle": r["libelle"],
                    "type": sid(r["type"]),
                    "subtype": sid(r["subtype"]),
                    "socid": sid(r["fk_soc"]),
                    "fourn_id": sid(r["fk_soc"]),
                    "statut": sid(r["fk_statut"]),
                    "status": sid(r["fk_statut"]),
                    "paye": sid(r["paye"]),
                    "paid": sid(r["paye"]),
                    "date": unix_or_none(r["datef"]),
                    "date_echeance": unix_or_none(r["date_lim_reglement"]),
                    "date_creation": unix_or_none(r["datec"]),
                    "date_validation": unix_or_none(r["date_valid"]),
                    "date_modification": unix_or_none(r["tms"]),
                    "total_ht": money(r["total_ht"]),
                    "total_tva": money(r["total_tva"]),
                    "total_localtax1": money(r["localtax1"]),
                    "total_localtax2": money(r["localtax2"]),
                    "total_ttc": money(r["total_ttc"]),
                    "fk_multicurrency": sid(r["fk_multicurrency"] or 0),
                    "multicurrency_code": r["multicurrency_code"],
                    "multicurrency_tx": money(r["multicurrency_tx"]),
                    **_multicurrency_totals(r),
                    "fk_facture_source": sid(r["fk_facture_source"]),
                    "note_public": r["note_public"],
                    "note_private": r["note_private"],
                    "model_pdf": r["model_pdf"],
                    "lines": [self.supplierinvoice_line(x) for x in lines.get(r["rowid"], [])],
                }
            )
        return out

    def supplierinvoice_line(self, line: sqlite3.Row) -> dict[str, Any]:
        p = self.product_row(line["fk_product"])
        return {
            "id": str(line["rowid"]),
            "rowid": str(line["rowid"]),
            "fk_facture_fourn": str(line["fk_facture_fourn"]),
            "fk_product": sid(line["fk_product"]),
            "product_ref": p["ref"] if p else None,
            "ref": line["ref"] or None,
            "label": line["label"],
            "description": line["description"] or "",
            "desc": line["description"] or "",
            "pu_ht": money(line["pu_ht"]),
            "subprice": money(line["pu_ht"]),
            "pu_ttc": money(line["pu_ttc"]),
            "qty": num(line["qty"]),
            "remise_percent": num(line["remise_percent"]),
            "tva_tx": rate(line["tva_tx"]),
            "total_ht": money(line["total_ht"]),
            "total_tva": money(line["tva"]),
            "total_ttc": money(line["total_ttc"]),
            "product_type": sid(line["product_type"]),
            "rang": sid(line["rang"]),
            "multicurrency_subprice": money(line["multicurrency_subprice"]),
            **_multicurrency_totals(line),
            "array_options": [],
        }

    # ------------------------------------------------------------------------------ currencies
    def currency(self, r: sqlite3.Row) -> dict[str, Any]:
        latest = self.db.execute(
            "SELECT * FROM multicurrency_rate WHERE fk_multicurrency = ? ORDER BY date_sync DESC, rowid DESC LIMIT 1",
            (r["rowid"],),
        ).fetchone()
        return {
            "id": str(r["rowid"]),
            "code": r["code"],
            "name": r["name"],
            "rate": self.rate(latest) if latest else None,
        }

    @staticmethod
    def rate(r: sqlite3.Row) -> dict[str, Any]:
        return {"id": str(r["rowid"]), "rate": money(r["rate"]), "date_sync": unix_or_none(r["date_sync"])}


def _totals(row: sqlite3.Row) -> dict[str, str | None]:
    """Amounts excl. tax, taxes and incl. tax as 8-decimal strings (document or line)."""
    return {
        key: money(row[key])
        for key in ("total_ht", "total_tva", "total_localtax1", "total_localtax2", "total_ttc")
    }


def _multicurrency_totals(row: sqlite3.Row) -> dict[str, str | None]:
    """The document-currency totals every Dolibarr document and line carries, as 8-decimal strings."""
    return {
        key: money(row[key])
        for key in ("multicurrency_total_ht", "multicurrency_total_tva", "multicurrency_total_ttc")
    }


def _chunks(ids: list[Any], size: int = 900) -> list[list[Any]]:
    return [ids[i : i + size] for i in range(0, len(ids), size)]
