"""The Dolibarr 23.0.1 REST emulator at `/api/index.php/`, backed by the world's `dolibarr.sqlite`."""

# ruff: noqa: S608 - table and column names in these SQL strings come from the fixed schema (checked
# against PRAGMA table_info where a request names them); every value is a bound parameter.

from __future__ import annotations

import math
import re
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

from sandbox.dolibarr.objects import Objects
from sandbox.dolibarr.render import SHAPES
from sandbox.dolibarr.schema import INDEXES
from sandbox.dolibarr.sqlfilters import FilterSqlError, FilterSyntaxError, compile_filters
from sandbox.httpcore import App, Request, Response, json_response, rows_admin

PREFIX = "/api/index.php/"
JSON_TYPE = "application/json; charset=utf-8"
VERSION = "23.0.1"
NO_KEY = (
    "Failed to login to API. Neither parameter 'HTTP_DOLAPIKEY' nor 'Authentication: Bearer' found on HTTP "
    "header (and no parameter DOLAPIKEY in URL)."
)
BAD_KEY = "Error user not valid (not found with api key or bad status or bad validity dates) (conf->entity=1)"
REASONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    500: "Internal Server Error",
    501: "Not Implemented",
    503: "Service Unavailable",
}
DATE_COLUMNS = {
    "datec",
    "tms",
    "datem",
    "date_creation",
    "date_valid",
    "date_cloture",
    "date_approve",
    "date_approve2",
    "date_reception",
    "date_delivery",
    "date_sync",
    "date_create",
    "date_closing",
    "date_pointoftax",
}
DAY_COLUMNS = {"date_commande", "date_livraison", "datef", "date_lim_reglement"}
# resource -> (table, extrafields table, default sortfield, error word, API class file)
RESOURCES: dict[str, tuple[str, str | None, str, str, str]] = {
    "products": ("product", "product_extrafields", "t.ref", "product", "api_products.class.php"),
    "warehouses": ("entrepot", None, "t.rowid", "warehouse", "api_warehouses.class.php"),
    "stockmovements": ("stock_mouvement", None, "t.rowid", "stock movement", "api_stockmovements.class.php"),
    "thirdparties": ("societe", "societe_extrafields", "t.rowid", "thirdparty", "api_thirdparties.class.php"),
    "contacts": ("socpeople", None, "t.rowid", "contact", "api_contacts.class.php"),
    "orders": ("commande", "commande_extrafields", "t.rowid", "commande", "api_orders.class.php"),
    "invoices": ("facture", "facture_extrafields", "t.rowid", "invoice", "api_invoices.class.php"),
    "supplierorders": (
        "commande_fournisseur",
        None,
        "t.rowid",
        "supplier order",
        "api_supplier_orders.class.php",
    ),
    "receptions": ("reception", None, "t.rowid", "reception", "api_receptions.class.php"),
    "supplierinvoices": (
        "facture_fourn",
        "facture_fourn_extrafields",
        "t.rowid",
        "supplier invoice",
        "api_supplier_invoices.class.php",
    ),
    "multicurrencies": ("multicurrency", None, "t.rowid", "currencies", "api_multicurrencies.class.php"),
    "shipments": ("expedition", None, "t.rowid", "shipment", "api_shipments.class.php"),
}
NOT_FOUND = {
    "products": "Product not found",
    "warehouses": "warehouse not found",
    "thirdparties": "Thirdparty not found",
    "contacts": "Contact not found",
    "orders": "Order not found",
    "invoices": "Invoice not found",
    "supplierorders": "Supplier order not found",
    "receptions": "Reception not found",
    "supplierinvoices": "Supplier invoice not found",
    "multicurrencies": "Currency not found",
    "stockmovements": "Stock movement not found",
    "shipments": "Shipment not found",
}
EMPTY_LIST_MESSAGES = {
    "thirdparties": "No third parties found",
    "orders": "No order found",
    "invoices": "No invoice found",
    "products": "No product found",
    "receptions": "No reception found",
    "contacts": "No contacts found",
    "supplierorders": "No supplier order found",
    "stockmovements": "No stock movement found",
    "supplierinvoices": "No supplier invoice found",
    "warehouses": "No warehouse found",
    "multicurrencies": "No currency found",
    "shipments": "No shipment found",
}


class RestError(Exception):
    """A Restler error: status, message (the reason phrase is prefixed at output) and extra details."""

    def __init__(
        self,
        status: int,
        message: str = "",
        details: list[str] | None = None,
        stage: str = "call",
        source: str = "",
    ) -> None:
        super().__init__(message)
        self.status, self.message, self.details, self.stage, self.source = (
            status,
            message,
            details or [],
            stage,
            source,
        )


class DolibarrApp(App):
    """Answers the REST API as Dolibarr 23.0.1 does; settings toggle what differs between installs."""

    system = "dolibarr"

    def __init__(self, db_path: Path, *, port: int = 0) -> None:
        super().__init__(db_path, port)
        for statement in INDEXES:  # a world generated before an index was added gets it
            self.db.execute(statement)
        self.product_rows: dict[int, sqlite3.Row] = {}
        self.settings: dict[str, Any] = {
            "auth_delay": 1.0,
            "suppliers_module": True,
            "environment": "non-production",
            "empty_list_404": ["thirdparties"],
            "movement_touches_product_tms": False,
            "sqlfilters_colon_bug": False,
        }

    def now_sql(self) -> str:
        return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(self.clock.now()))

    def objects(self) -> Objects:
        return Objects(self.db, f"http://127.0.0.1:{self.port}", self.product_rows)

    # --------------------------------------------------------------------------------- dispatch
    def handle(self, request: Request) -> Response:
        path = request.path
        if not path.startswith(PREFIX):
            return Response(404, b"Not Found", [("Content-Type", "text/html; charset=utf-8")])
        parts = [p for p in path[len(PREFIX) :].split("/") if p]
        params = dict(request.query)
        try:
            if not self._authenticate(request, params):
                # The real server sleeps before answering a wrong key (anti brute force).
                wrong = RestError(401, BAD_KEY, stage="authenticate", source="api_access.class.php:242")
                return self._error(wrong, max(0.0, float(self.settings["auth_delay"])))
            return self._route(request.method, parts, params, request)
        except RestError as err:
            return self._error(err)

    def _authenticate(self, request: Request, params: dict[str, str]) -> bool:
        key = request.header("dolapikey")
        auth = request.header("authorization") or ""
        if key is None and auth.lower().startswith("bearer "):
            key = auth[7:].strip()
        if key is None:
            key = params.get("DOLAPIKEY", params.get("api_key"))
        if key is None or key == "":
            raise RestError(401, NO_KEY, stage="authenticate", source="api_access.class.php:317")
        row = self.db.execute("SELECT active FROM api_keys WHERE api_key = ?", (key,)).fetchone()
        return row is not None and bool(row[0])

    def _error(self, err: RestError, delay: float = 0.0) -> Response:
        message = REASONS.get(err.status, "Error")
        if err.message:
            message += f": {err.message}"
        error: dict[str, Any] = {"code": err.status, "message": message}
        for i, detail in enumerate(err.details):
            error[str(i)] = detail
        body: dict[str, Any] = {"error": error}
        if self.settings["environment"] != "production":
            if err.stage == "authenticate":
                stages = {"success": ["get", "route", "negotiate"], "failure": ["authenticate", "message"]}
            elif err.stage == "route":
                stages = {"success": ["get"], "failure": ["route", "negotiate", "message"]}
            else:
                stages = {
                    "success": ["get", "route", "negotiate", "authenticate", "validate"],
                    "failure": ["call", "message"],
                }
            body["debug"] = {
                "source": f"{err.source or 'api.class.php:0'} at {err.stage} stage",
                "stages": stages,
            }
        headers = [("Content-Type", JSON_TYPE)]
        if err.status == 401:
            headers.insert(0, ("WWW-Authenticate", ""))
        if err.status == 304:
            return Response(304, b"", [])
        return Response(err.status, orjson.dumps(body), headers, delay=delay)

    @staticmethod
    def _ok(payload: Any) -> Response:
        return Response(200, orjson.dumps(payload), [("Content-Type", JSON_TYPE)])

    def _route(self, method: str, parts: list[str], params: dict[str, str], request: Request) -> Response:
        if not parts:
            raise RestError(404, "", stage="route", source="Routes.php:476")
        resource = parts[0]
        body = _body(request)
        if resource == "status" and method == "GET":
            now = self.clock.now()
            return self._ok(
                {
                    "success": {
                        "code": 200,
                        "dolibarr_version": VERSION,
                        "access_locked": "0",
                        "environment": self.settings["environment"],
                        "timestamp_now_utc": int(now),
                        "timestamp_php_tz": "UTC",
                        "date_tz": self.now_sql(),
                    }
                }
            )
        if resource not in RESOURCES:
            raise RestError(404, "", stage="route", source="Routes.php:476")
        source = RESOURCES[resource][4]
        if (
            resource in ("supplierorders", "receptions", "supplierinvoices")
            and not self.settings["suppliers_module"]
        ):
            raise RestError(403, "", source=f"{source}:109")
        handler = _ROUTES.get((method, resource, _pattern(parts[1:])))
        if handler is None:
            raise RestError(404, "", stage="route", source="Routes.php:476")
        return handler(self, parts[1:], params, body)

    # ----------------------------------------------------------------------------------- lists
    def _list(
        self,
        resource: str,
        params: dict[str, str],
        extra_where: list[str] | None = None,
        extra_params: list[Any] | None = None,
        joined: tuple[str, str, str] | None = None,
    ) -> tuple[list[sqlite3.Row], int | None]:
        """The rows of a list route: filters, sort and page as Restler's `index` methods build them.

        `joined` is `(alias, table, condition)`: one more table joined to `t`, its columns usable in
        `sqlfilters` and `sortfield` under its alias (as `s.` in `products/purchase_prices`).
        """
        table, ef_table, default_sort, word, source = RESOURCES[resource]
        where = list(extra_where or [])
        values: list[Any] = list(extra_params or [])
        join = f" LEFT JOIN {ef_table} ef ON ef.fk_object = t.rowid" if ef_table else ""
        if joined:
            join += f" JOIN {joined[1]} {joined[0]} ON {joined[2]}"
        kind = self._column_kind(table, ef_table, joined[:2] if joined else None)
        if params.get("sqlfilters"):
            try:
                compiled = compile_filters(
                    params["sqlfilters"],
                    kind,
                    self.now_sql(),
                    colon_bug=bool(self.settings["sqlfilters_colon_bug"]),
                )
            except FilterSyntaxError as exc:
                raise RestError(
                    400, f"Error when validating parameter sqlfilters -> {exc}", source=f"{source}:246"
                ) from exc
            except FilterSqlError as exc:
                raise RestError(
                    503, f"Error when retrieve {word} list : {exc}", source=f"{source}:296"
                ) from exc
            where.append(compiled.sql)
            values += compiled.params
        order = []
        sortfield = params.get("sortfield") or default_sort
        direction = "DESC" if (params.get("sortorder") or "ASC").upper() == "DESC" else "ASC"
        for item in sortfield.split(","):
            alias, _, column = item.strip().rpartition(".")
            if kind(alias, column) is None:
                raise RestError(
                    503,
                    f"Error when retrieve {word} list : Unknown column '{item.strip()}' in 'ORDER BY'",
                    source=f"{source}:296",
                )
            order.append(f'{alias + "." if alias else ""}"{column}" {direction}')
        limit = _int(params.get("limit"), 100)
        page = max(0, _int(params.get("page"), 0))
        sql = f"SELECT t.* FROM {table} t{join}" + (" WHERE " + " AND ".join(where) if where else "")
        sql += " ORDER BY " + ", ".join(order)
        total = None
        try:
            if params.get("pagination_data") in ("true", "1"):
                total = self.db.execute(f"SELECT COUNT(*) FROM ({sql})", values).fetchone()[0]
            if limit > 0:
                sql += f" LIMIT {limit} OFFSET {limit * page}"
            rows = self.db.execute(sql, values).fetchall()
        except sqlite3.OperationalError as exc:
            raise RestError(
                503,
                f"Error when retrieve {word} list : You have an error in your SQL syntax; check the "
                f"manual that corresponds to your MariaDB server version ({exc})",
                source=f"{source}:296",
            ) from exc
        return rows, total

    def _column_kind(
        self, table: str, ef_table: str | None, joined: tuple[str, str] | None = None
    ) -> Callable[[str, str], str | None]:
        def kind(alias: str, column: str) -> str | None:
            if alias in ("t", "") and column in self.columns(table):
                pass
            elif alias == "ef" and ef_table and column in self.columns(ef_table):
                pass
            elif joined and alias == joined[0] and column in self.columns(joined[1]):
                pass
            else:
                return None
            if column in DATE_COLUMNS:
                return "date"
            if column in DAY_COLUMNS:
                return "day"
            return "text"

        return kind

    def _answer_list(
        self, resource: str, objects: list[Any], params: dict[str, str], total: int | None
    ) -> Response:
        props = {p.strip() for p in params.get("properties", "").split(",") if p.strip()}
        if props:
            objects = _only(objects, props)
        if total is not None:
            limit = _int(params.get("limit"), 100)
            page = max(0, _int(params.get("page"), 0))
            return self._ok(
                {
                    "data": objects,
                    "pagination": {
                        "total": total,
                        "page": page,
                        "page_count": math.ceil(total / limit) if limit else 1,
                        "limit": limit,
                    },
                }
            )
        if not objects and resource in self.settings["empty_list_404"]:
            raise RestError(404, EMPTY_LIST_MESSAGES[resource], source=f"{RESOURCES[resource][4]}:196")
        return self._ok(objects)

    def _one(self, resource: str, where: str, value: Any) -> sqlite3.Row:
        table, _ef, _s, _w, source = RESOURCES[resource]
        row = self.db.execute(f"SELECT * FROM {table} t WHERE {where}", (value,)).fetchone()
        if row is None:
            raise RestError(404, NOT_FOUND[resource], source=f"{source}:2436")
        return row

    # ----------------------------------------------------------------------------------- products
    def products_list(self, args: list[str], params: dict[str, str], body: Any) -> Response:
        where, values = [], []
        mode = _int(params.get("mode"), 0)
        if mode in (1, 2):
            where.append("t.fk_product_type = ?")
            values.append(mode - 1)
        variant = _int(params.get("variant_filter"), 0)
        if variant == 1:
            where.append(
                "t.rowid NOT IN (SELECT fk_product_child FROM product_attribute_combination) AND "
                "t.rowid NOT IN (SELECT fk_product_parent FROM product_attribute_combination)"
            )
        elif variant == 2:
            where.append("t.rowid IN (SELECT fk_product_parent FROM product_attribute_combination)")
        elif variant == 3:
            where.append("t.rowid IN (SELECT fk_product_child FROM product_attribute_combination)")
        rows, total = self._list("products", params, where, values)
        if params.get("ids_only") in ("true", "1"):
            return self._answer_list("products", [r["rowid"] for r in rows], {}, total)
        objs = self.objects().products(rows, with_stock=params.get("includestockdata") in ("1", "true"))
        return self._answer_list("products", objs, params, total)

    def product_get(self, args: list[str], params: dict[str, str], body: Any) -> Response:
        if args[0] == "ref":
            row = self._one("products", "t.ref = ?", args[1])
        elif args[0] == "ref_ext":
            row = self._one("products", "t.ref_ext = ?", args[1])
        elif args[0] == "barcode":
            row = self._one("products", "t.barcode = ?", args[1])
        else:
            row = self._one("products", "t.rowid = ?", _int(args[0], 0))
        return self._ok(
            self.objects().products([row], with_stock=params.get("includestockdata") in ("1", "true"))[0]
        )

    def product_stock(self, args: list[str], params: dict[str, str], body: Any) -> Response:
        row = self._one("products", "t.rowid = ?", _int(args[0], 0))
        selected = _int(params.get("selected_warehouse_id"), 0) or None
        return self._ok(self.objects().stock_of(row["rowid"], selected))

    def product_variants(self, args: list[str], params: dict[str, str], body: Any) -> Response:
        row = self._one("products", "t.rowid = ?", _int(args[0], 0))
        return self._ok(self.objects().variants(row["rowid"], params.get("includestock") in ("1", "true")))

    def product_purchase_prices(self, args: list[str], params: dict[str, str], body: Any) -> Response:
        row = self._one("products", "t.rowid = ?", _int(args[0], 0))
        return self._ok(self.objects().purchase_prices(row["rowid"]))

    def purchase_prices_list(self, args: list[str], params: dict[str, str], body: Any) -> Response:
        """`GET /products/purchase_prices` (`getSupplierProducts`): every product's supplier prices, by product id.

        As the real route: products joined to their prices (`s.` in `sqlfilters`), so `limit` and `page` count
        join rows (one per price) while each listed product carries all its prices; the answer maps product
        ids to price lists (`[]` when nothing matches, never a 404); `supplier` filters on `s.fk_soc`, `mode`
        on the product type; no product of this world is in a category. No `pagination_data` on this route.
        """
        where, values = [], []
        mode = _int(params.get("mode"), 0)
        if mode in (1, 2):
            where.append("t.fk_product_type = ?")
            values.append(mode - 1)
        supplier = _int(params.get("supplier"), 0)
        if supplier > 0:
            where.append("s.fk_soc = ?")
            values.append(supplier)
        if _int(params.get("category"), 0) > 0:
            where.append("0")
        listing = {k: v for k, v in params.items() if k != "pagination_data"}
        rows, _ = self._list(
            "products",
            listing,
            where,
            values,
            joined=("s", "product_fournisseur_price", "s.fk_product = t.rowid"),
        )
        objs = self.objects()
        # PHP keys the answer by product rowid: a product met twice (two prices) is one entry, in first order
        by_product = {str(row["rowid"]): row["rowid"] for row in rows}
        return self._ok({key: objs.purchase_prices(pid) for key, pid in by_product.items()} or [])

    def product_post(self, args: list[str], params: dict[str, str], body: Any) -> Response:
        data = _require(body, ("ref", "label"), "api_products.class.php:375")
        if self.db.execute("SELECT 1 FROM product WHERE ref = ?", (data["ref"],)).fetchone():
            raise RestError(
                500,
                "Error creating product",
                ["ErrorProductAlreadyExists"],
                source="api_products.class.php:380",
            )
        now = self.now_sql()
        values = {
            "ref": data["ref"],
            "label": data["label"],
            "datec": now,
            "tms": now,
            "fk_product_type": _int(data.get("type"), 0),
            "tosell": _int(data.get("status"), 1),
            "tobuy": _int(data.get("status_buy"), 1),
            "pmp": 0.0,
            "stock": 0,
            "price_base_type": data.get("price_base_type", "HT"),
            "tva_tx": _float(data.get("tva_tx"), 0.0),
        }
        pid = self._insert("product", values)
        self._update_product(pid, data, now)
        return self._ok(pid)

    def product_put(self, args: list[str], params: dict[str, str], body: Any) -> Response:
        row = self._one("products", "t.rowid = ?", _int(args[0], 0))
        if "stock_reel" in body:
            raise RestError(
                400,
                "Stock reel cannot be updated here. Use the /stockmovements endpoint instead",
                source="api_products.class.php:417",
            )
        self._update_product(row["rowid"], body, self.now_sql())
        fresh = self._one("products", "t.rowid = ?", row["rowid"])
        obj = self.objects().products([fresh])[0]
        # The answer is the object after update(): its unit fields are strings and the price level
        # arrays are filled (in one-price mode, level 0 holds the price).
        for key, value in SHAPES["product_after_put"]:
            obj[key] = value
        obj.update(
            multiprices=[float(fresh["price"])],
            multiprices_ttc=[float(fresh["price_ttc"])],
            multiprices_base_type=[fresh["price_base_type"]],
            multiprices_default_vat_code=[None],
            multiprices_min=[float(fresh["price_min"] or 0)],
            multiprices_min_ttc=[float(fresh["price_min_ttc"] or 0)],
            multiprices_tva_tx=[obj["tva_tx"]],
            duration="0",
        )
        return self._ok(obj)

    def _update_product(self, pid: int, data: dict[str, Any], now: str) -> None:
        self.product_rows.pop(pid, None)
        row = self.db.execute("SELECT * FROM product WHERE rowid = ?", (pid,)).fetchone()
        mapping = {
            "label": "label",
            "description": "description",
            "ref": "ref",
            "ref_ext": "ref_ext",
            "barcode": "barcode",
            "status": "tosell",
            "status_buy": "tobuy",
            "weight": "weight",
            "cost_price": "cost_price",
            "seuil_stock_alerte": "seuil_stock_alerte",
            "desiredstock": "desiredstock",
            "note_public": "note_public",
            "note_private": "note",
            "type": "fk_product_type",
            "fk_default_warehouse": "fk_default_warehouse",
        }
        sets = {col: data[key] for key, col in mapping.items() if key in data}
        tva = _float(data.get("tva_tx"), float(row["tva_tx"] or 0))
        base = data.get("price_base_type") or row["price_base_type"] or "HT"
        if "price" in data or "price_ttc" in data or "tva_tx" in data:
            if base == "TTC" and ("price_ttc" in data or "price" in data):
                ttc = _float(data.get("price_ttc", data.get("price")), 0.0)
                sets.update(price=round(ttc / (1 + tva / 100), 8), price_ttc=ttc)
            else:
                price = _float(data.get("price"), float(row["price"] or 0))
                sets.update(price=price, price_ttc=round(price * (1 + tva / 100), 8))
            sets.update(tva_tx=tva, price_base_type=base)
        sets["tms"] = now
        self._set("product", pid, sets)
        options = data.get("array_options")
        if isinstance(options, dict) and options:
            self.db.execute(
                "INSERT INTO product_extrafields (tms, fk_object) VALUES (?, ?) ON CONFLICT(fk_object) "
                "DO UPDATE SET tms = excluded.tms",
                (now, pid),
            )

    # ----------------------------------------------------------------------------------- warehouses, stock
    def warehouses_list(self, args: list[str], params: dict[str, str], body: Any) -> Response:
        rows, total = self._list("warehouses", params)
        return self._answer_list("warehouses", [self.objects().warehouse(r) for r in rows], params, total)

    def warehouse_get(self, args: list[str], params: dict[str, str], body: Any) -> Response:
        return self._ok(self.objects().warehouse(self._one("warehouses", "t.rowid = ?", _int(args[0], 0))))

    def movements_list(self, args: list[str], params: dict[str, str], body: Any) -> Response:
        rows, total = self._list("stockmovements", params)
        return self._answer_list("stockmovements", [self.objects().movement(r) for r in rows], params, total)

    def movement_post(self, args: list[str], params: dict[str, str], body: Any) -> Response:
        data = _require(body, ("product_id", "warehouse_id", "qty"), "api_stockmovements.class.php:205")
        qty = _float(data.get("qty"), 0.0)
        if qty == 0:
            raise RestError(
                503,
                "Making a stock movement with a quantity of 0 is not possible",
                source="api_stockmovements.class.php:219",
            )
        product = self._one("products", "t.rowid = ?", _int(str(data["product_id"]), 0))
        self._one("warehouses", "t.rowid = ?", _int(str(data["warehouse_id"]), 0))
        mtype = _int(str(data.get("type", 2)), 2)
        if qty > 0 and mtype == 2:
            mtype = 3
        elif qty > 0 and mtype == 1:
            mtype = 0
        price = _float(data.get("price"), 0.0) if qty > 0 else 0.0
        now = self.now_sql()
        datem = data.get("datem")
        datem_sql = (
            time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(int(str(datem))))
            if str(datem or "").isdigit()
            else now
        )
        self.db.execute("BEGIN")
        mid = self._insert(
            "stock_mouvement",
            {
                "tms": now,
                "datem": datem_sql,
                "fk_product": product["rowid"],
                "fk_entrepot": int(data["warehouse_id"]),
                "value": qty,
                "price": price,
                "type_mouvement": mtype,
                "fk_user_author": 1,
                "label": data.get("label") or "",
                "inventorycode": data.get("movementcode") or "",
                "fk_origin": _int(str(data.get("origin_id") or 0), 0),
                "origintype": data.get("origin_type") or "",
                "batch": data.get("batch") or "",
                "fk_projet": 0,
            },
        )
        self._apply_stock(product, int(data["warehouse_id"]), qty, price, now)
        self.db.execute("COMMIT")
        return self._ok(mid)

    def _apply_stock(self, product: sqlite3.Row, warehouse: int, qty: float, price: float, now: str) -> None:
        total = float(product["stock"] or 0)
        if qty > 0 and price > 0:
            pmp = price if total <= 0 else (float(product["pmp"] or 0) * total + price * qty) / (total + qty)
            self.db.execute("UPDATE product SET pmp = ? WHERE rowid = ?", (round(pmp, 8), product["rowid"]))
        self.db.execute(
            "INSERT INTO product_stock (tms, fk_product, fk_entrepot, reel) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(fk_product, fk_entrepot) DO UPDATE SET reel = reel + excluded.reel, tms = excluded.tms",
            (now, product["rowid"], warehouse, qty),
        )
        self.db.execute(
            "UPDATE product SET stock = COALESCE(stock, 0) + ? WHERE rowid = ?", (qty, product["rowid"])
        )
        if self.settings["movement_touches_product_tms"]:
            self.db.execute("UPDATE product SET tms = ? WHERE rowid = ?", (now, product["rowid"]))

    # ----------------------------------------------------------------------------------- third parties
    def thirdparties_list(self, args: list[str], params: dict[str, str], body: Any) -> Response:
        mode = _int(params.get("mode"), 0)
        where = {
            1: ["t.client IN (1, 3)"],
            2: ["t.client IN (2, 3)"],
            3: ["t.client = 0"],
            4: ["t.fournisseur = 1"],
        }.get(mode, [])
        rows, total = self._list("thirdparties", params, where)
        return self._answer_list("thirdparties", self.objects().thirdparties(rows), params, total)

    def thirdparty_get(self, args: list[str], params: dict[str, str], body: Any) -> Response:
        if args[0] == "email":
            row = self._one("thirdparties", "t.email = ?", args[1])
        elif args[0] == "barcode":
            row = self._one("thirdparties", "t.barcode = ?", args[1])
        else:
            row = self._one("thirdparties", "t.rowid = ?", _int(args[0], 0))
        return self._ok(self.objects().thirdparties([row], single=True)[0])

    def thirdparty_post(self, args: list[str], params: dict[str, str], body: Any) -> Response:
        data = _require(body, ("name",), "api_thirdparties.class.php:330")
        now = self.now_sql()
        values = {
            "nom": data["name"],
            "datec": now,
            "tms": now,
            "status": _int(str(data.get("status", 1)), 1),
            "client": _int(str(data.get("client", 0)), 0),
            "fournisseur": _int(str(data.get("fournisseur", 0)), 0),
        }
        for code, prefix in (("code_client", "CU"), ("code_fournisseur", "SU")):
            value = data.get(code)
            if str(value) == "-1":
                values[code] = self._next_code(prefix, code)
            elif value:
                values[code] = value
        tid = self._insert("societe", values)
        self._update_thirdparty(
            tid, {k: v for k, v in data.items() if k not in ("code_client", "code_fournisseur")}, now
        )
        return self._ok(tid)

    def thirdparty_put(self, args: list[str], params: dict[str, str], body: Any) -> Response:
        row = self._one("thirdparties", "t.rowid = ?", _int(args[0], 0))
        self._update_thirdparty(row["rowid"], body, self.now_sql())
        return self.thirdparty_get([str(row["rowid"])], {}, {})

    def _update_thirdparty(self, tid: int, data: dict[str, Any], now: str) -> None:
        mapping = {
            "name": "nom",
            "name_alias": "name_alias",
            "address": "address",
            "zip": "zip",
            "town": "town",
            "country_id": "fk_pays",
            "phone": "phone",
            "phone_mobile": "phone_mobile",
            "email": "email",
            "url": "url",
            "client": "client",
            "fournisseur": "fournisseur",
            "status": "status",
            "tva_intra": "tva_intra",
            "idprof1": "siren",
            "idprof2": "siret",
            "ref_ext": "ref_ext",
            "note_public": "note_public",
            "note_private": "note_private",
            "code_client": "code_client",
            "code_fournisseur": "code_fournisseur",
            "default_lang": "default_lang",
            "multicurrency_code": "multicurrency_code",
        }
        sets = {col: data[key] for key, col in mapping.items() if key in data}
        sets["tms"] = now
        self._set("societe", tid, sets)

    def _next_code(self, prefix: str, column: str) -> str:
        yymm = self.now_sql()[2:7].replace("-", "")
        last = self.db.execute(
            f"SELECT MAX(CAST(substr({column}, 8) AS INTEGER)) FROM societe WHERE {column} LIKE ?",
            (f"{prefix}{yymm}-%",),
        ).fetchone()[0]
        return f"{prefix}{yymm}-{(last or 0) + 1:05d}"

    def contacts_list(self, args: list[str], params: dict[str, str], body: Any) -> Response:
        where, values = _thirdparty_ids(params)
        rows, total = self._list("contacts", params, where, values)
        return self._answer_list("contacts", [self.objects().contact(r) for r in rows], params, total)

    def contact_get(self, args: list[str], params: dict[str, str], body: Any) -> Response:
        return self._ok(self.objects().contact(self._one("contacts", "t.rowid = ?", _int(args[0], 0))))

    # ----------------------------------------------------------------------------------- customer orders
    def orders_list(self, args: list[str], params: dict[str, str], body: Any) -> Response:
        where, values = _thirdparty_ids(params)
        rows, total = self._list("orders", params, where, values)
        return self._answer_list("orders", self.objects().orders(rows), params, total)

    def order_get(self, args: list[str], params: dict[str, str], body: Any) -> Response:
        if args[0] == "ref":
            row = self._one("orders", "t.ref = ?", args[1])
        elif args[0] == "ref_ext":
            row = self._one("orders", "t.ref_ext = ?", args[1])
        else:
            row = self._one("orders", "t.rowid = ?", _int(args[0], 0))
        return self._ok(self.objects().orders([row])[0])

    def order_lines(self, args: list[str], params: dict[str, str], body: Any) -> Response:
        row = self._one("orders", "t.rowid = ?", _int(args[0], 0))
        objs = self.objects()
        lines = self.db.execute(
            "SELECT * FROM commandedet WHERE fk_commande = ? ORDER BY rang, rowid", (row["rowid"],)
        )
        return self._ok([objs.order_line(line, "order_line_get") for line in lines])

    def order_post(self, args: list[str], params: dict[str, str], body: Any) -> Response:
        data = _require(body, ("socid",), "api_orders.class.php:390")
        self._one("thirdparties", "t.rowid = ?", _int(str(data["socid"]), 0))
        now = self.now_sql()
        date = data.get("date")
        day = (
            time.strftime("%Y-%m-%d", time.gmtime(int(str(date)))) if str(date or "").isdigit() else now[:10]
        )
        self.db.execute("BEGIN")
        oid = self._insert(
            "commande",
            {
                "ref": "(PROV)",
                "ref_client": data.get("ref_client"),
                "ref_ext": data.get("ref_ext"),
                "fk_soc": int(data["socid"]),
                "tms": now,
                "date_creation": now,
                "date_commande": day,
                "fk_user_author": 1,
                "fk_statut": 0,
                "note_private": data.get("note_private") or "",
                "note_public": data.get("note_public") or "",
                "model_pdf": "",
                "fk_warehouse": data.get("warehouse_id") or data.get("fk_warehouse"),
                "multicurrency_code": "EUR",
                "multicurrency_tx": 1.0,
            },
        )
        self._set("commande", oid, {"ref": f"(PROV{oid})"})
        for line in data.get("lines") or []:
            self._add_order_line(oid, line)
        self._order_extrafields(oid, data.get("array_options"), now)
        self._order_totals(oid)
        self.db.execute("COMMIT")
        return self._ok(oid)

    def order_line_post(self, args: list[str], params: dict[str, str], body: Any) -> Response:
        row = self._one("orders", "t.rowid = ?", _int(args[0], 0))
        lid = self._add_order_line(row["rowid"], body)
        self._order_totals(row["rowid"])
        return self._ok(lid)

    def _add_order_line(self, oid: int, line: dict[str, Any]) -> int:
        qty = _float(line.get("qty"), 0.0)
        sub = _float(line.get("subprice"), 0.0)
        remise = _float(line.get("remise_percent"), 0.0)
        tva = _float(line.get("tva_tx"), 0.0)
        ht = round(qty * sub * (1 - remise / 100), 2)
        tax = round(ht * tva / 100, 2)
        rang = self.db.execute(
            "SELECT COALESCE(MAX(rang), 0) + 1 FROM commandedet WHERE fk_commande = ?", (oid,)
        ).fetchone()[0]
        product = _int(str(line.get("fk_product") or 0), 0) or None
        pmp = 0.0
        if product:
            prow = self.db.execute("SELECT pmp, label FROM product WHERE rowid = ?", (product,)).fetchone()
            pmp = float(prow["pmp"] or 0) if prow else 0.0
        return self._insert(
            "commandedet",
            {
                "fk_commande": oid,
                "fk_product": product,
                "label": line.get("label"),
                "description": line.get("desc") or "",
                "tva_tx": tva,
                "qty": qty,
                "remise_percent": remise,
                "subprice": sub,
                "total_ht": ht,
                "total_tva": tax,
                "total_ttc": round(ht + tax, 2),
                "product_type": _int(str(line.get("product_type", 0)), 0),
                "buy_price_ht": _float(line.get("pa_ht"), pmp),
                "rang": rang,
                "multicurrency_subprice": sub,
                "multicurrency_total_ht": ht,
                "multicurrency_total_tva": tax,
                "multicurrency_total_ttc": round(ht + tax, 2),
            },
        )

    def _order_totals(self, oid: int) -> None:
        ht, tva, ttc = self.db.execute(
            "SELECT COALESCE(SUM(total_ht), 0), COALESCE(SUM(total_tva), 0), "
            "COALESCE(SUM(total_ttc), 0) FROM commandedet WHERE fk_commande = ?",
            (oid,),
        ).fetchone()
        self._set(
            "commande",
            oid,
            {
                "total_ht": ht,
                "total_tva": tva,
                "total_ttc": ttc,
                "multicurrency_total_ht": ht,
                "multicurrency_total_tva": tva,
                "multicurrency_total_ttc": ttc,
            },
        )

    def _order_extrafields(self, oid: int, options: Any, now: str) -> None:
        if not isinstance(options, dict):
            return
        values = {k.removeprefix("options_"): v for k, v in options.items()}
        cols = [
            c
            for c in values
            if c in self.columns("commande_extrafields") and c not in ("rowid", "tms", "fk_object")
        ]
        self.db.execute(
            "INSERT INTO commande_extrafields (tms, fk_object) VALUES (?, ?) ON CONFLICT(fk_object) DO UPDATE "
            "SET tms = excluded.tms",
            (now, oid),
        )
        for col in cols:
            self.db.execute(
                f'UPDATE commande_extrafields SET "{col}" = ? WHERE fk_object = ?', (values[col], oid)
            )

    def order_validate(self, args: list[str], params: dict[str, str], body: Any) -> Response:
        row = self._one("orders", "t.rowid = ?", _int(args[0], 0))
        if row["fk_statut"] != 0:
            raise RestError(304, "Error nothing done. May be object is already validated")
        now = self.now_sql()
        ref = self._next_ref("commande", "SO", now)
        self._set(
            "commande",
            row["rowid"],
            {"ref": ref, "fk_statut": 1, "date_valid": now, "fk_user_valid": 1, "tms": now},
        )
        fresh = self._one("orders", "t.rowid = ?", row["rowid"])
        return self._ok(self.objects().orders([fresh], shape="order_validate")[0])

    def order_close(self, args: list[str], params: dict[str, str], body: Any) -> Response:
        row = self._one("orders", "t.rowid = ?", _int(args[0], 0))
        now = self.now_sql()
        self._set(
            "commande", row["rowid"], {"fk_statut": 3, "date_cloture": now, "fk_user_cloture": 1, "tms": now}
        )
        return self.order_get([str(row["rowid"])], {}, {})

    def order_put(self, args: list[str], params: dict[str, str], body: Any) -> Response:
        row = self._one("orders", "t.rowid = ?", _int(args[0], 0))
        now = self.now_sql()
        mapping = {
            "ref_client": "ref_client",
            "ref_ext": "ref_ext",
            "note_public": "note_public",
            "note_private": "note_private",
            "warehouse_id": "fk_warehouse",
        }
        sets = {col: body[key] for key, col in mapping.items() if key in body}
        if str(body.get("date", "")).isdigit():
            sets["date_commande"] = time.strftime("%Y-%m-%d", time.gmtime(int(body["date"])))
        sets["tms"] = now
        self._set("commande", row["rowid"], sets)
        self._order_extrafields(row["rowid"], body.get("array_options"), now)
        return self.order_get([str(row["rowid"])], {}, {})

    def _next_ref(self, table: str, prefix: str, now: str) -> str:
        yymm = now[2:7].replace("-", "")
        last = self.db.execute(
            f"SELECT MAX(CAST(substr(ref, 8) AS INTEGER)) FROM {table} WHERE ref LIKE ?", (f"{prefix}____-%",)
        ).fetchone()[0]
        return f"{prefix}{yymm}-{(last or 0) + 1:04d}"

    # ----------------------------------------------------------------------------------- invoices
    def invoices_list(self, args: list[str], params: dict[str, str], body: Any) -> Response:
        where, values = _thirdparty_ids(params)
        status = params.get("status")
        where += {
            "draft": ["t.fk_statut = 0"],
            "unpaid": ["t.fk_statut = 1", "t.paye = 0"],
            "paid": ["t.fk_statut = 2"],
            "cancelled": ["t.fk_statut = 3"],
        }.get(status or "", [])
        rows, total = self._list("invoices", params, where, values)
        return self._answer_list("invoices", self.objects().invoices(rows), params, total)

    def invoice_get(self, args: list[str], params: dict[str, str], body: Any) -> Response:
        if args[0] == "ref":
            row = self._one("invoices", "t.ref = ?", args[1])
        else:
            row = self._one("invoices", "t.rowid = ?", _int(args[0], 0))
        return self._ok(self.objects().invoices([row])[0])

    def invoice_from_order(self, args: list[str], params: dict[str, str], body: Any) -> Response:
        order = self._one("orders", "t.rowid = ?", _int(args[1], 0))
        now = self.now_sql()
        self.db.execute("BEGIN")
        iid = self._insert(
            "facture",
            {
                "ref": "(PROV)",
                "ref_client": order["ref_client"],
                "type": 0,
                "fk_soc": order["fk_soc"],
                "datec": now,
                "datef": order["date_commande"] or now[:10],
                "tms": now,
                "paye": 0,
                "fk_statut": 0,
                "total_ht": order["total_ht"],
                "total_tva": order["total_tva"],
                "total_ttc": order["total_ttc"],
                "date_lim_reglement": order["date_commande"] or now[:10],
                "multicurrency_code": order["multicurrency_code"],
                "multicurrency_tx": 1.0,
                "multicurrency_total_ht": order["total_ht"],
                "multicurrency_total_tva": order["total_tva"],
                "multicurrency_total_ttc": order["total_ttc"],
                "note_private": "",
                "note_public": "",
            },
        )
        self._set("facture", iid, {"ref": f"(PROV{iid})"})
        for line in self.db.execute(
            "SELECT * FROM commandedet WHERE fk_commande = ? ORDER BY rang, rowid", (order["rowid"],)
        ).fetchall():
            values = {
                k: line[k]
                for k in line.keys()
                if k in self.columns("facturedet") and k not in ("rowid", "fk_commande")
            }
            self._insert("facturedet", {**values, "fk_facture": iid})
        self.db.execute("COMMIT")
        obj = self.objects().invoices([self._one("invoices", "t.rowid = ?", iid)])[0]
        # The answer is the object built in memory: ids and amounts are JSON numbers here.
        obj = _in_memory(obj)
        obj["lines"] = [_in_memory(line, "invoice_line_in_memory_numbers") for line in obj["lines"]]
        return self._ok(obj)

    # ----------------------------------------------------------------------------------- purchasing
    def supplierorders_list(self, args: list[str], params: dict[str, str], body: Any) -> Response:
        where, values = _thirdparty_ids(params)
        rows, total = self._list("supplierorders", params, where, values)
        return self._answer_list("supplierorders", self.objects().supplierorders(rows), params, total)

    def supplierorder_get(self, args: list[str], params: dict[str, str], body: Any) -> Response:
        return self._ok(
            self.objects().supplierorders([self._one("supplierorders", "t.rowid = ?", _int(args[0], 0))])[0]
        )

    def supplierorder_post(self, args: list[str], params: dict[str, str], body: Any) -> Response:
        data = _require(body, ("socid",), "api_supplier_orders.class.php:240")
        now = self.now_sql()
        self.db.execute("BEGIN")
        oid = self._insert(
            "commande_fournisseur",
            {
                "ref": "(PROV)",
                "ref_supplier": data.get("ref_supplier"),
                "fk_soc": int(data["socid"]),
                "tms": now,
                "date_creation": now,
                "fk_user_author": 1,
                "fk_statut": 0,
                "model_pdf": "cornas",
                "multicurrency_code": "EUR",
                "multicurrency_tx": 1.0,
                "note_private": "",
                "note_public": "",
            },
        )
        self._set("commande_fournisseur", oid, {"ref": f"(PROV{oid})"})
        total = 0.0
        for rang, line in enumerate(data.get("lines") or []):
            qty, sub = _float(line.get("qty"), 0.0), _float(line.get("subprice"), 0.0)
            ht = round(qty * sub, 2)
            total += ht
            self._insert(
                "commande_fournisseurdet",
                {
                    "fk_commande": oid,
                    "fk_product": _int(str(line.get("fk_product") or 0), 0) or None,
                    "qty": qty,
                    "subprice": sub,
                    "tva_tx": _float(line.get("tva_tx"), 0.0),
                    "total_ht": ht,
                    "total_tva": 0.0,
                    "total_ttc": ht,
                    "product_type": _int(str(line.get("product_type", 0)), 0),
                    "rang": rang,
                    "multicurrency_subprice": sub,
                    "multicurrency_total_ht": ht,
                    "multicurrency_total_tva": 0.0,
                    "multicurrency_total_ttc": ht,
                    "description": line.get("desc") or "",
                    "ref": line.get("ref_supplier") or "",
                },
            )
        self._set(
            "commande_fournisseur",
            oid,
            {
                "total_ht": total,
                "total_ttc": total,
                "multicurrency_total_ht": total,
                "multicurrency_total_ttc": total,
            },
        )
        self.db.execute("COMMIT")
        return self._ok(oid)

    def supplierorder_validate(self, args: list[str], params: dict[str, str], body: Any) -> Response:
        row = self._one("supplierorders", "t.rowid = ?", _int(args[0], 0))
        if row["fk_statut"] != 0:
            raise RestError(304, "Error nothing done. May be object is already validated")
        now = self.now_sql()
        ref = self._next_ref("commande_fournisseur", "PO", now)
        self._set(
            "commande_fournisseur",
            row["rowid"],
            {"ref": ref, "fk_statut": 1, "date_valid": now, "fk_user_valid": 1, "tms": now},
        )
        return self._ok({"success": {"code": 200, "message": f"Order validated (Ref={ref})"}})

    def receptions_list(self, args: list[str], params: dict[str, str], body: Any) -> Response:
        where, values = _thirdparty_ids(params)
        rows, total = self._list("receptions", params, where, values)
        return self._answer_list("receptions", self.objects().receptions(rows), params, total)

    def reception_get(self, args: list[str], params: dict[str, str], body: Any) -> Response:
        return self._ok(
            self.objects().receptions([self._one("receptions", "t.rowid = ?", _int(args[0], 0))])[0]
        )

    def supplierinvoices_list(self, args: list[str], params: dict[str, str], body: Any) -> Response:
        where, values = _thirdparty_ids(params)
        rows, total = self._list("supplierinvoices", params, where, values)
        return self._answer_list("supplierinvoices", self.objects().supplierinvoices(rows), params, total)

    def supplierinvoice_get(self, args: list[str], params: dict[str, str], body: Any) -> Response:
        return self._ok(
            self.objects().supplierinvoices([self._one("supplierinvoices", "t.rowid = ?", _int(args[0], 0))])[
                0
            ]
        )

    # ----------------------------------------------------------------------------------- shipments
    def shipments_list(self, args: list[str], params: dict[str, str], body: Any) -> Response:
        where, values = _thirdparty_ids(params)
        rows, total = self._list("shipments", params, where, values)
        return self._answer_list("shipments", self.objects().shipments(rows), params, total)

    def shipment_get(self, args: list[str], params: dict[str, str], body: Any) -> Response:
        return self._ok(
            self.objects().shipments([self._one("shipments", "t.rowid = ?", _int(args[0], 0))])[0]
        )

    # ----------------------------------------------------------------------------------- currencies
    def currencies_list(self, args: list[str], params: dict[str, str], body: Any) -> Response:
        rows, total = self._list("multicurrencies", params)
        objs = self.objects()
        return self._answer_list("multicurrencies", [objs.currency(r) for r in rows], params, total)

    def currency_get(self, args: list[str], params: dict[str, str], body: Any) -> Response:
        if args[0] == "bycode":
            row = self._one("multicurrencies", "t.code = ?", args[1])
        else:
            row = self._one("multicurrencies", "t.rowid = ?", _int(args[0], 0))
        return self._ok(self.objects().currency(row))

    def currency_rates(self, args: list[str], params: dict[str, str], body: Any) -> Response:
        row = self._one("multicurrencies", "t.rowid = ?", _int(args[0], 0))
        rates = self.db.execute(
            "SELECT * FROM multicurrency_rate WHERE fk_multicurrency = ? ORDER BY date_sync DESC, rowid DESC",
            (row["rowid"],),
        ).fetchall()
        return self._ok([Objects.rate(r) for r in rates])

    # ----------------------------------------------------------------------------------- storage helpers
    def _insert(self, table: str, values: dict[str, Any]) -> int:
        cols = [c for c in values if c in self.columns(table)]
        quoted = ", ".join(f'"{c}"' for c in cols)
        cur = self.db.execute(
            f"INSERT INTO {table} ({quoted}) VALUES ({', '.join('?' * len(cols))})", [values[c] for c in cols]
        )
        return int(cur.lastrowid or 0)

    def _set(self, table: str, rowid: int, values: dict[str, Any]) -> None:
        cols = [c for c in values if c in self.columns(table)]
        if cols:
            sets = ", ".join(f'"{c}" = ?' for c in cols)
            self.db.execute(f"UPDATE {table} SET {sets} WHERE rowid = ?", [*(values[c] for c in cols), rowid])

    # ----------------------------------------------------------------------------------- admin surface
    def admin_extra(self, request: Request, parts: list[str]) -> Response | None:
        route = parts[0]
        if route == "settings":
            if request.method == "POST":
                payload = orjson.loads(request.body or b"{}")
                unknown = sorted(set(payload) - set(self.settings))
                if unknown:
                    return json_response(
                        400, {"error": f"unknown settings {unknown}; known: {sorted(self.settings)}"}
                    )
                self.settings.update(payload)
            return json_response(200, self.settings)
        if route == "rows" and len(parts) >= 2:
            self.product_rows.clear()  # a direct mutation may touch products
            return rows_admin(self.db, self.columns, request, parts[1:], id_column="rowid")
        return None


def _pattern(args: list[str]) -> str:
    """The route shape of the path after the resource: ids become `{id}`."""
    return "/".join("{id}" if a.isdigit() else (a if a in _WORDS else "{x}") for a in args)


_WORDS = {
    "ref",
    "ref_ext",
    "barcode",
    "email",
    "stock",
    "variants",
    "purchase_prices",
    "lines",
    "validate",
    "close",
    "createfromorder",
    "rates",
    "bycode",
}


def _only(objects: list[dict[str, Any]], props: set[str]) -> list[dict[str, Any]]:
    """The objects with only the `properties` asked for, in each object's own key order (as Dolibarr's
    `_filterObjectProperties` unsets the others); the kept keys are worked out once per object shape."""
    kept: dict[tuple[str, ...], list[str]] = {}
    out = []
    for obj in objects:
        shape = tuple(obj)
        keys = kept.get(shape)
        if keys is None:
            keys = kept[shape] = [k for k in shape if k in props]
        out.append({k: obj[k] for k in keys})
    return out


def _body(request: Request) -> Any:
    if not request.body:
        return {}
    try:
        data = orjson.loads(request.body)
    except orjson.JSONDecodeError as exc:
        raise RestError(400, "Error parsing request body: Syntax error") from exc
    return data if isinstance(data, dict) else {}


def _require(body: Any, fields: tuple[str, ...], source: str) -> dict[str, Any]:
    for name in fields:
        if not isinstance(body, dict) or name not in body:
            raise RestError(400, f"{name} field missing", source=source)
    return body


def _thirdparty_ids(params: dict[str, str]) -> tuple[list[str], list[Any]]:
    raw = params.get("thirdparty_ids", "")
    ids = [int(x) for x in raw.split(",") if x.strip().isdigit()]
    if not ids:
        return [], []
    return [f"t.fk_soc IN ({', '.join('?' * len(ids))})"], ids


def _int(value: str | None, default: int) -> int:
    m = re.match(r"^\s*-?\d+", value or "")
    return int(m.group(0)) if m else default


def _float(value: Any, default: float) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return default


def _in_memory(obj: dict[str, Any], shape: str = "invoice_in_memory_numbers") -> dict[str, Any]:
    """An invoice as PHP holds it before a fetch: the scalar fields it sets itself are numbers."""
    numeric = {k for k, _ in SHAPES[shape]}
    out: dict[str, Any] = {}
    for key, value in obj.items():
        if key in numeric and isinstance(value, str) and re.fullmatch(r"-?\d+(\.\d+)?", value):
            number = float(value)
            out[key] = int(number) if number.is_integer() else number
        else:
            out[key] = value
    return out


_ROUTES: dict[tuple[str, str, str], Callable[..., Response]] = {
    ("GET", "products", ""): DolibarrApp.products_list,
    ("GET", "products", "{id}"): DolibarrApp.product_get,
    ("GET", "products", "ref/{x}"): DolibarrApp.product_get,
    ("GET", "products", "ref/{id}"): DolibarrApp.product_get,
    ("GET", "products", "ref_ext/{x}"): DolibarrApp.product_get,
    ("GET", "products", "barcode/{id}"): DolibarrApp.product_get,
    ("GET", "products", "barcode/{x}"): DolibarrApp.product_get,
    ("GET", "products", "{id}/stock"): DolibarrApp.product_stock,
    ("GET", "products", "{id}/variants"): DolibarrApp.product_variants,
    ("GET", "products", "purchase_prices"): DolibarrApp.purchase_prices_list,
    ("GET", "products", "{id}/purchase_prices"): DolibarrApp.product_purchase_prices,
    ("POST", "products", ""): DolibarrApp.product_post,
    ("PUT", "products", "{id}"): DolibarrApp.product_put,
    ("GET", "warehouses", ""): DolibarrApp.warehouses_list,
    ("GET", "warehouses", "{id}"): DolibarrApp.warehouse_get,
    ("GET", "stockmovements", ""): DolibarrApp.movements_list,
    ("POST", "stockmovements", ""): DolibarrApp.movement_post,
    ("GET", "thirdparties", ""): DolibarrApp.thirdparties_list,
    ("GET", "thirdparties", "{id}"): DolibarrApp.thirdparty_get,
    ("GET", "thirdparties", "email/{x}"): DolibarrApp.thirdparty_get,
    ("GET", "thirdparties", "barcode/{x}"): DolibarrApp.thirdparty_get,
    ("GET", "thirdparties", "barcode/{id}"): DolibarrApp.thirdparty_get,
    ("POST", "thirdparties", ""): DolibarrApp.thirdparty_post,
    ("PUT", "thirdparties", "{id}"): DolibarrApp.thirdparty_put,
    ("GET", "contacts", ""): DolibarrApp.contacts_list,
    ("GET", "contacts", "{id}"): DolibarrApp.contact_get,
    ("GET", "orders", ""): DolibarrApp.orders_list,
    ("GET", "orders", "{id}"): DolibarrApp.order_get,
    ("GET", "orders", "ref/{x}"): DolibarrApp.order_get,
    ("GET", "orders", "ref_ext/{x}"): DolibarrApp.order_get,
    ("GET", "orders", "ref_ext/{id}"): DolibarrApp.order_get,
    ("GET", "orders", "{id}/lines"): DolibarrApp.order_lines,
    ("POST", "orders", ""): DolibarrApp.order_post,
    ("POST", "orders", "{id}/lines"): DolibarrApp.order_line_post,
    ("POST", "orders", "{id}/validate"): DolibarrApp.order_validate,
    ("POST", "orders", "{id}/close"): DolibarrApp.order_close,
    ("PUT", "orders", "{id}"): DolibarrApp.order_put,
    ("GET", "invoices", ""): DolibarrApp.invoices_list,
    ("GET", "invoices", "{id}"): DolibarrApp.invoice_get,
    ("GET", "invoices", "ref/{x}"): DolibarrApp.invoice_get,
    ("POST", "invoices", "createfromorder/{id}"): DolibarrApp.invoice_from_order,
    ("GET", "supplierorders", ""): DolibarrApp.supplierorders_list,
    ("GET", "supplierorders", "{id}"): DolibarrApp.supplierorder_get,
    ("POST", "supplierorders", ""): DolibarrApp.supplierorder_post,
    ("POST", "supplierorders", "{id}/validate"): DolibarrApp.supplierorder_validate,
    ("GET", "receptions", ""): DolibarrApp.receptions_list,
    ("GET", "receptions", "{id}"): DolibarrApp.reception_get,
    ("GET", "supplierinvoices", ""): DolibarrApp.supplierinvoices_list,
    ("GET", "supplierinvoices", "{id}"): DolibarrApp.supplierinvoice_get,
    ("GET", "shipments", ""): DolibarrApp.shipments_list,
    ("GET", "shipments", "{id}"): DolibarrApp.shipment_get,
    ("GET", "multicurrencies", ""): DolibarrApp.currencies_list,
    ("GET", "multicurrencies", "{id}"): DolibarrApp.currency_get,
    ("GET", "multicurrencies", "bycode/{x}"): DolibarrApp.currency_get,
    ("GET", "multicurrencies", "{id}/rates"): DolibarrApp.currency_rates,
}
