"""The simulated merchant: catalogue, partners and six months of events, written to both systems' stores.

The simulation walks the calendar day by day with an event queue (orders, payments, imports, shipments,
receptions, landed costs, returns, transfers, inventories), so every write happens in time order and only
orders still in flight are held in memory: the world streams to disk at any scale.
"""

# ruff: noqa: S608 - table and column names in these SQL strings come from the fixed schema (checked
# against PRAGMA table_info where a request names them); every value is a bound parameter.

from __future__ import annotations

import bisect
import hashlib
import heapq
import math
import random
import string
import unicodedata
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sandbox.dolibarr import schema as erp_schema
from sandbox.generator import shopref, vocab
from sandbox.generator.clock import WorldClock
from sandbox.generator.db import BufferedDB
from sandbox.generator.files import FileWriter
from sandbox.prestashop import schema as ps_schema

CALENDAR_START = date(2026, 5, 1)
CALENDAR_END = date(2026, 10, 31)
# Web orders paid after this many hours before the end of the calendar are not imported into the ERP yet.
IMPORT_BACKLOG_HOURS = 36
WH_CENTRAL, WH_STORES = 1, {"PARIS": 2, "LYON": 3}
PS_SHOP_ID, PS_LANG_FR, PS_LANG_EN = 1, 1, 2
EUR, GBP, USD = 1, 2, 3
DAY = 86400
# PrestaShop carrier id -> Dolibarr shipping mode (id in llx_c_shipment_mode, code, label)
SHIPMENT_MODES = {
    1: (1, "CATCH", "Retrait en boutique"),
    2: (3, "COLSUI", "Colissimo"),
    3: (9, "CHRONO", "Chronopost"),
}
HOUR = 3600


def r2(value: float) -> float:
    """Round half-up to cents (the ERP's and the costing note's rounding)."""
    return math.floor(value * 100 + 0.5 + 1e-9) / 100 if value >= 0 else -r2(-value)


def ascii_slug(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return "-".join("".join(c if c.isalnum() else " " for c in plain).split())


def ean13(body12: str) -> str:
    """A valid EAN-13 from 12 digits (GS1 check digit)."""
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body12))
    return body12 + str((10 - total % 10) % 10)


@dataclass(slots=True)
class Sku:
    idx: int
    ref: str
    erp_id: int
    model: Model
    ps_comb_id: int  # 0 for a simple product
    ps_stock_id: int
    ean: str
    price: float  # ERP selling price excl. tax (EUR, 2 decimals)
    cost: float  # purchase price in the supplier's currency
    weight: float
    label_fr: str
    label_en: str
    option_values: tuple[int, ...]
    pop: float = 1.0
    stores: tuple[str, ...] = ()


@dataclass(slots=True)
class Model:
    idx: int
    ref: str
    erp_id: int  # the parent product for variants, the product itself otherwise
    ps_id: int
    ps_stock_id: int  # its id_product_attribute=0 stock row
    category: int
    name_fr: str
    name_en: str
    price: float
    tva: float
    supplier: int
    launch_day: int
    skus: list[Sku] = field(default_factory=list)


@dataclass(slots=True)
class Person:
    first: str
    last: str
    email: str
    phone: str
    street: str
    postcode: str
    city: str
    ps_id: int = 0
    ps_address: int = 0
    erp_id: int = 0


class World:
    """Generates one world into `out` (prestashop.sqlite, dolibarr.sqlite, files/, ground truth inputs)."""

    def __init__(self, out: Path, *, seed: int, scale: float, timezone: str = "Europe/Paris") -> None:
        self.out = out
        self.seed = seed
        self.scale = scale
        self.clock = WorldClock(timezone)
        self.timezone = timezone
        self.rng = random.Random(f"omnicanal-world:{seed}")
        self.start_ts = self.clock.day_start(CALENDAR_START)
        self.end_ts = self.clock.day_start(CALENDAR_END + timedelta(days=1)) - 1
        self.ndays = (CALENDAR_END - CALENDAR_START).days + 1
        self.ps = BufferedDB(out / "prestashop.sqlite", ps_schema.create_tables_sql())
        self.erp = BufferedDB(out / "dolibarr.sqlite", erp_schema.create_tables_sql())
        self.files = FileWriter(out / "files", self.clock)
        self._declare_tables()
        self.events: list[tuple[float, int, str, Any]] = []
        self._seq = 0
        self.ids: dict[str, int] = {}
        self.refs: dict[str, int] = {}
        self.models: list[Model] = []
        self.skus: list[Sku] = []
        self.sku_by_ref: dict[str, Sku] = {}
        self.on_hand: list[list[int]] = []
        self.committed: list[int] = []
        self.on_order: list[int] = []
        self.pmp: list[float] = []
        self.reorder: list[tuple[int, int]] = []  # (reorder point, order-up-to) at the central warehouse
        self.store_targets: dict[str, dict[int, int]] = {}
        self.store_dirty: dict[str, set[int]] = {}
        self.web_customers: list[Person] = []
        self.loyalty: list[Person] = []
        self.persons_made = 0
        self.rates: dict[int, list[tuple[int, float]]] = {GBP: [], USD: []}
        self.rate_days: dict[int, list[int]] = {GBP: [], USD: []}
        self.suppliers: list[dict[str, Any]] = []
        self.forwarders: dict[str, int] = {}
        self.special_soc: dict[str, int] = {}
        self.promos: list[tuple[float, float, set[int], float]] = []
        self.ps_refs: set[str] = set()
        self.pos_buffer: dict[str, list[list[Any]]] = {}
        self.truth: dict[str, Any] = {
            "below_cost_lines": [],
            "duplicate_customers": [],
            "orders_missing_in_erp": [],
            "order_status_mismatches": [],
            "costing_edge_cases": {},
        }
        self.pending_qty: dict[int, int] = {}
        self.free_goods_sku: int | None = None
        self.below_cost_sku: int | None = None
        self.negative_sku: int | None = None
        self.duplicate_done = False
        self.untold_shipments = 0
        self.n_untold = max(2, round(3 * math.sqrt(scale)))
        self.late_key_done = False
        self.below_cost_planned = False
        self.free_goods_done = False

    # ---------------------------------------------------------------- ids, events, randomness helpers
    def next_id(self, key: str) -> int:
        value = self.ids.get(key, 0) + 1
        self.ids[key] = value
        return value

    def next_ref(self, prefix: str, ts: float, width: int = 4) -> str:
        """Dolibarr-style numbering: PREFIXyymm-nnnn with one counter per prefix."""
        n = self.refs.get(prefix, 0) + 1
        self.refs[prefix] = n
        ym = self.clock.local_day(ts)[2:7].replace("-", "")
        return f"{prefix}{ym}-{n:0{width}d}"

    def schedule(self, ts: float, kind: str, payload: Any = None) -> None:
        self._seq += 1
        heapq.heappush(self.events, (ts, self._seq, kind, payload))

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def count(self, mean: float) -> int:
        """A deterministic integer draw with the given mean (Poisson-like spread)."""
        if mean <= 0:
            return 0
        n = int(mean)
        if self.rng.random() < mean - n:
            n += 1
        if mean > 2:
            n += self.rng.choice((-1, 0, 0, 1))
        return max(0, n)

    def scaled(self, base: float, minimum: int = 1) -> int:
        return max(minimum, round(base * self.scale))

    # ---------------------------------------------------------------- table declarations
    def _declare_tables(self) -> None:
        for res in ps_schema.RESOURCES.values():
            cols = [f.name for f in res.plain_fields]
            if res.default_order == "_pos":
                cols.append("_pos")
            self.ps.declare(res.name, cols)
            if res.lang_fields:
                self.ps.declare(f"{res.name}_lang", ["id", "id_lang", *[f.name for f in res.lang_fields]])
        self.ps.declare("product_categories", ["id_product", "id_category", "position"])
        self.ps.declare("product_images", ["id_product", "id_image", "position"])
        self.ps.declare("combination_option_values", ["id_combination", "id_option_value"])
        self.ps.declare("customer_groups", ["id_customer", "id_group"])
        self.ps.declare("ws_keys", ["key", "active", "description"])
        self.ps.declare("meta", ["key", "value"])
        for table, spec_text in erp_schema.TABLES.items():
            names: list[str] = []
            defaults: dict[str, Any] = {}
            for spec in _split_columns(spec_text):
                words = spec.split()
                if words[0] == "UNIQUE":
                    continue
                names.append(words[0])
                if "DEFAULT" in words:
                    raw = words[words.index("DEFAULT") + 1]
                    defaults[words[0]] = (
                        raw.strip("'") if raw.startswith("'") else (float(raw) if "." in raw else int(raw))
                    )
            self.erp.declare(table, names, defaults)

    # ---------------------------------------------------------------- run
    def run(self) -> dict[str, Any]:
        self.build_reference()
        self.build_catalog()
        self.plan_promotions()
        self.opening_stock()
        for day in range(self.ndays):
            self.simulate_day(day)
        return self.finish()

    # ---------------------------------------------------------------- reference data
    def build_reference(self) -> None:
        clock = self.clock
        created = self.start_ts - 60 * DAY + 9 * HOUR
        created_utc = clock.utc(created)
        # FX: units of currency per 1 EUR, business days from two months before the calendar.
        self.erp.insert_dict(
            "multicurrency", {"rowid": EUR, "date_create": created_utc, "code": "EUR", "name": "Euros"}
        )
        self.erp.insert_dict(
            "multicurrency",
            {"rowid": GBP, "date_create": created_utc, "code": "GBP", "name": "Livre sterling"},
        )
        self.erp.insert_dict(
            "multicurrency", {"rowid": USD, "date_create": created_utc, "code": "USD", "name": "Dollar US"}
        )
        self.erp.insert_dict(
            "multicurrency_rate",
            {
                "rowid": self.next_id("mcrate"),
                "date_sync": created_utc,
                "rate": 1.0,
                "rate_indirect": 1.0,
                "fk_multicurrency": EUR,
            },
        )
        level = {GBP: 0.8612, USD: 1.0874}
        day = CALENDAR_START - timedelta(days=45)
        while day <= CALENDAR_END:
            if day.weekday() < 5:
                ts = clock.day_start(day) + 16 * HOUR
                for cur in (GBP, USD):
                    level[cur] = round(level[cur] * (1 + self.rng.uniform(-0.004, 0.004)), 4)
                    self.rates[cur].append((ts, level[cur]))
                    self.rate_days[cur].append(ts)
                    self.erp.insert_dict(
                        "multicurrency_rate",
                        {
                            "rowid": self.next_id("mcrate"),
                            "date_sync": clock.utc(ts),
                            "rate": level[cur],
                            "rate_indirect": round(1 / level[cur], 8),
                            "fk_multicurrency": cur,
                        },
                    )
            day += timedelta(days=1)
        # Warehouses: the central one serves the web shop and the marketplace; one per store.
        self._warehouse(
            WH_CENTRAL,
            "WH-CENTRAL",
            "Entrepôt central",
            "12 rue des Entrepôts",
            "69800",
            "Saint-Priest",
            created,
        )
        for code, name, postcode, city in vocab.STORES:
            self._warehouse(
                WH_STORES[code], f"WH-{code}", name, "8 place du Commerce", postcode, city, created
            )
        # Partners.
        n_extra = max(0, round(math.sqrt(self.scale)) - 1)
        for rank in range(1 + n_extra):
            for name, country, currency, lead in vocab.SUPPLIERS:
                label = name if rank == 0 else f"{name} ({rank + 1})"
                cur_id = {"EUR": EUR, "GBP": GBP, "USD": USD}[currency]
                soc = self._thirdparty(label, created, supplier=True, country=country, currency=currency)
                self._contact(
                    soc,
                    "Service",
                    "Commercial",
                    f"commandes@{ascii_slug(label)}.example",
                    "",
                    "",
                    "",
                    country,
                    created,
                )
                self.suppliers.append(
                    {
                        "soc": soc,
                        "name": label,
                        "currency": cur_id,
                        "lead": lead,
                        "skus": [],
                        "offset": len(self.suppliers) % 7,
                    }
                )
        for name, kind in vocab.FORWARDERS:
            self.forwarders[kind] = self._thirdparty(name, created, supplier=True, country=1, currency="EUR")
        self.special_soc["marketplace"] = self._thirdparty(
            vocab.MARKETPLACE, created, customer=True, country=1
        )
        for code, name, _, _ in vocab.STORES:
            self.special_soc[code] = self._thirdparty(
                f"Client comptoir {name}", created, customer=True, country=1
            )
        for mode_id, code, label in SHIPMENT_MODES.values():
            self.erp.insert_dict(
                "c_shipment_mode",
                {"rowid": mode_id, "code": code, "libelle": label, "tracking": "", "active": 1},
            )
        self._ps_reference(created)

    def _warehouse(
        self, rowid: int, ref: str, label: str, address: str, zip_: str, town: str, ts: float
    ) -> None:
        self.erp.insert_dict(
            "entrepot",
            {
                "rowid": rowid,
                "ref": ref,
                "datec": self.clock.utc(ts),
                "tms": self.clock.utc(ts),
                "description": label,
                "lieu": label,
                "address": address,
                "zip": zip_,
                "town": town,
                "fk_departement": 0,
                "fk_pays": 1,
                "phone": "",
                "fax": "",
                "statut": 1,
                "fk_user_author": 0,
                "barcode": "",
                "fk_barcode_type": 0,
            },
        )

    def _thirdparty(
        self,
        name: str,
        ts: float,
        *,
        customer: bool = False,
        supplier: bool = False,
        country: int = 1,
        currency: str = "",
        person: Person | None = None,
        email: str | None = None,
        phone: str | None = None,
    ) -> int:
        rowid = self.next_id("societe")
        code_client = self.next_ref("CU", ts, 5) if customer else None
        code_fournisseur = self.next_ref("SU", ts, 5) if supplier else None
        cur_id = {"EUR": EUR, "GBP": GBP, "USD": USD}.get(currency, 0)
        self.erp.insert_dict(
            "societe",
            {
                "rowid": rowid,
                "nom": name,
                "status": 1,
                "code_client": code_client,
                "code_fournisseur": code_fournisseur,
                "address": person.street if person else "",
                "zip": person.postcode if person else "",
                "town": person.city if person else "",
                "fk_pays": country,
                "phone": phone if phone is not None else (person.phone if person else None),
                "email": email if email is not None else (person.email if person else None),
                "client": 1 if customer else 0,
                "fournisseur": 1 if supplier else 0,
                "fk_multicurrency": cur_id,
                "multicurrency_code": currency,
                "datec": self.clock.utc(ts),
                "tms": self.clock.utc(ts),
            },
        )
        return rowid

    def _contact(
        self,
        soc: int,
        first: str,
        last: str,
        email: str,
        phone: str,
        street: str,
        postcode: str,
        country: int,
        ts: float,
        city: str = "",
    ) -> None:
        self.erp.insert_dict(
            "socpeople",
            {
                "rowid": self.next_id("socpeople"),
                "datec": self.clock.utc(ts),
                "tms": self.clock.utc(ts),
                "fk_soc": soc,
                "civility": "",
                "lastname": last,
                "firstname": first,
                "address": street,
                "zip": postcode,
                "town": city,
                "fk_pays": country,
                "poste": "",
                "phone": phone,
                "phone_perso": "",
                "phone_mobile": phone,
                "email": email,
                "statut": 1,
            },
        )

    def _ps_reference(self, ts: float) -> None:
        loc = self.clock.local(ts)
        for lid, name, iso, locale, code, lite, full in shopref.LANGUAGES:
            self.ps.insert_dict(
                "languages",
                {
                    "id": lid,
                    "name": name,
                    "iso_code": iso,
                    "locale": locale,
                    "language_code": code,
                    "active": 1,
                    "is_rtl": 0,
                    "date_format_lite": lite,
                    "date_format_full": full,
                },
            )
        self.ps.insert_dict(
            "shops",
            {
                "id": PS_SHOP_ID,
                "id_shop_group": 1,
                "id_category": 2,
                "active": 1,
                "deleted": 0,
                "name": "Maison Exemple",
                "theme_name": "classic",
            },
        )
        self.ps.insert_dict(
            "currencies",
            {
                "id": 1,
                "name": "Euro",
                "iso_code": "EUR",
                "numeric_iso_code": "978",
                "precision": 2,
                "conversion_rate": 1.0,
                "deleted": 0,
                "active": 1,
                "unofficial": 0,
                "modified": 0,
            },
        )
        for lid in (PS_LANG_FR, PS_LANG_EN):
            self.ps.insert_dict(
                "currencies_lang",
                {
                    "id": 1,
                    "id_lang": lid,
                    "names": "Euro" if lid == 1 else "Euro",
                    "symbol": "€",
                    "pattern": "#,##0.00 ¤" if lid == 1 else "¤#,##0.00",
                },
            )
        for pos, (sid, fr, en, flags) in enumerate(shopref.ORDER_STATES):
            row = {"id": sid, "_pos": pos, **dict(zip(shopref.ORDER_STATE_FLAGS, flags[:-1], strict=True))}
            self.ps.insert_dict("order_states", row)
            self.ps.insert_dict(
                "order_states_lang", {"id": sid, "id_lang": 1, "name": fr, "template": flags[-1]}
            )
            self.ps.insert_dict(
                "order_states_lang", {"id": sid, "id_lang": 2, "name": en, "template": flags[-1]}
            )
        for cid, name, free, url, dfr, den, _cost, _cc in shopref.CARRIERS:
            self.ps.insert_dict(
                "carriers",
                {
                    "id": cid,
                    "deleted": 0,
                    "is_module": 0,
                    "id_tax_rules_group": 1,
                    "id_reference": cid,
                    "name": name,
                    "active": 1,
                    "is_free": free,
                    "url": url,
                    "shipping_handling": 0 if free else 1,
                    "shipping_external": 0,
                    "range_behavior": 0,
                    "shipping_method": 1 if free else 2,
                    "max_width": 0,
                    "max_height": 0,
                    "max_depth": 0,
                    "max_weight": 0.0,
                    "grade": 0 if free else (9 if cid == 3 else 5),
                    "external_module_name": "",
                    "need_range": 0,
                    "position": cid - 1,
                },
            )
            self.ps.insert_dict("carriers_lang", {"id": cid, "id_lang": 1, "delay": dfr})
            self.ps.insert_dict("carriers_lang", {"id": cid, "id_lang": 2, "delay": den})
        for gid, name, tax_id, rate in shopref.TAXES:
            self.ps.insert_dict(
                "tax_rule_groups",
                {"id": gid, "name": name, "active": 1, "deleted": 0, "date_add": loc, "date_upd": loc},
            )
            self.ps.insert_dict("taxes", {"id": tax_id, "rate": rate, "active": 1, "deleted": 0})
            self.ps.insert_dict("taxes_lang", {"id": tax_id, "id_lang": 1, "name": f"TVA FR {rate:g}%"})
            self.ps.insert_dict("taxes_lang", {"id": tax_id, "id_lang": 2, "name": f"VAT FR {rate:g}%"})
            self.ps.insert_dict(
                "tax_rules",
                {
                    "id": gid,
                    "id_tax_rules_group": gid,
                    "id_state": 0,
                    "id_country": shopref.FRANCE_PS_COUNTRY_ID,
                    "zipcode_from": "0",
                    "zipcode_to": "0",
                    "id_tax": tax_id,
                    "behavior": 0,
                    "description": "",
                },
            )
        for gid, gtype, fr, en in shopref.OPTION_GROUPS:
            self.ps.insert_dict(
                "product_options",
                {
                    "id": gid,
                    "is_color_group": 1 if gtype == "color" else 0,
                    "group_type": gtype,
                    "position": gid - 1,
                },
            )
            self.ps.insert_dict(
                "product_options_lang", {"id": gid, "id_lang": 1, "name": fr, "public_name": fr}
            )
            self.ps.insert_dict(
                "product_options_lang", {"id": gid, "id_lang": 2, "name": en, "public_name": en}
            )
            values = vocab.COLORS if gtype == "color" else vocab.SIZES
            for pos, (_code, vfr, ven) in enumerate(values):
                vid = self.next_id("ps_option_value")
                self.ps.insert_dict(
                    "product_option_values",
                    {
                        "id": vid,
                        "id_attribute_group": gid,
                        "color": f"#{self.rng.randrange(1 << 24):06x}" if gtype == "color" else "",
                        "position": pos,
                    },
                )
                self.ps.insert_dict("product_option_values_lang", {"id": vid, "id_lang": 1, "name": vfr})
                self.ps.insert_dict("product_option_values_lang", {"id": vid, "id_lang": 2, "name": ven})
        # Categories: 1 root, 2 home, then one per product family.
        for cid, parent, depth, fr, en in [(1, 0, 0, "Racine", "Root"), (2, 1, 1, "Accueil", "Home")] + [
            (3 + i, 2, 2, c[1], c[2]) for i, c in enumerate(vocab.CATEGORIES)
        ]:
            self.ps.insert_dict(
                "categories",
                {
                    "id": cid,
                    "id_parent": parent,
                    "level_depth": depth,
                    "nb_products_recursive": 0,
                    "active": 1,
                    "id_shop_default": 1,
                    "is_root_category": 1 if cid == 2 else 0,
                    "position": max(0, cid - 3),
                    "date_add": loc,
                    "date_upd": loc,
                },
            )
            for lid, name in ((1, fr), (2, en)):
                self.ps.insert_dict(
                    "categories_lang",
                    {
                        "id": cid,
                        "id_lang": lid,
                        "name": name,
                        "link_rewrite": ascii_slug(name),
                        "description": "",
                        "meta_title": "",
                        "meta_description": "",
                        "meta_keywords": "",
                    },
                )
        # ERP attributes for variants (colour, size).
        self.erp.insert_dict(
            "product_attribute", {"rowid": 1, "ref": "COULEUR", "label": "Couleur", "position": 0}
        )
        self.erp.insert_dict(
            "product_attribute", {"rowid": 2, "ref": "TAILLE", "label": "Taille", "position": 1}
        )
        for pos, (code, fr, _en) in enumerate(vocab.COLORS):
            self.erp.insert_dict(
                "product_attribute_value",
                {"rowid": 1 + pos, "fk_product_attribute": 1, "ref": code, "value": fr, "position": pos},
            )
        for pos, (code, fr, _en) in enumerate(vocab.SIZES):
            self.erp.insert_dict(
                "product_attribute_value",
                {
                    "rowid": 1 + len(vocab.COLORS) + pos,
                    "fk_product_attribute": 2,
                    "ref": code,
                    "value": fr,
                    "position": pos,
                },
            )

    # ---------------------------------------------------------------- catalogue
    def build_catalog(self) -> None:
        n_models = self.scaled(300, 12)
        created = self.start_ts - 40 * DAY + 9 * HOUR
        per_cat = [0] * len(vocab.CATEGORIES)
        for midx in range(n_models):
            cat_i = self.rng.randrange(len(vocab.CATEGORIES))
            code, cat_fr, cat_en, tva, (pmin, pmax), (wmin, wmax) = vocab.CATEGORIES[cat_i]
            per_cat[cat_i] += 1
            item = self.rng.choice(vocab.ITEMS[code])
            style = self.rng.choice(vocab.STYLES)
            name_fr = f"{item} {style}"
            name_en = f"{item} {style}"
            price = round(self.rng.uniform(pmin, pmax), 1) - 0.01 + self.rng.choice((0.0, 0.01))
            price = max(1.99, round(price, 2))
            supplier = self.rng.randrange(len(self.suppliers))
            launch = 0 if self.chance(0.9) or midx < 4 else self.rng.randrange(20, self.ndays - 40)
            ref = f"MX-{code}-{midx + 1:05d}"
            with_variants = self.chance(0.45)
            model = Model(
                idx=midx,
                ref=ref,
                erp_id=self.next_id("product"),
                ps_id=self.next_id("ps_product"),
                ps_stock_id=0,
                category=cat_i,
                name_fr=name_fr,
                name_en=name_en,
                price=price,
                tva=tva,
                supplier=supplier,
                launch_day=launch,
            )
            weight = round(self.rng.uniform(wmin, wmax), 3)
            ratio = self.rng.uniform(0.30, 0.55)
            if with_variants:
                model.ps_stock_id = self.next_id("ps_stock")  # its id_product_attribute=0 total row
                variants: list[tuple[str, str, str, tuple[int, ...], float]] = []
                colors = self.rng.sample(range(len(vocab.COLORS)), self.rng.randint(1, 3))
                sizes = (
                    self.rng.sample(range(len(vocab.SIZES)), self.rng.randint(1, 3))
                    if self.chance(0.5)
                    else []
                )
                for c in colors:
                    size_options: list[int | None] = list(sizes) if sizes else [None]
                    for size in size_options:
                        parts_code = [vocab.COLORS[c][0]] + (
                            [vocab.SIZES[size][0]] if size is not None else []
                        )
                        parts_fr = [f"Couleur : {vocab.COLORS[c][1]}"] + (
                            [f"Taille : {vocab.SIZES[size][1]}"] if size is not None else []
                        )
                        parts_en = [f"Color : {vocab.COLORS[c][2]}"] + (
                            [f"Size : {vocab.SIZES[size][2]}"] if size is not None else []
                        )
                        opts: tuple[int, ...] = (1 + c,) + (
                            (1 + len(vocab.COLORS) + size,) if size is not None else ()
                        )
                        impact = {None: 0.0, 0: 0.0, 1: 2.0, 2: 5.0}[size]
                        variants.append(
                            ("-".join(parts_code), ", ".join(parts_fr), ", ".join(parts_en), opts, impact)
                        )
                if len(variants) == 1:
                    variants.append(
                        (
                            f"{vocab.COLORS[(colors[0] + 1) % len(vocab.COLORS)][0]}",
                            f"Couleur : {vocab.COLORS[(colors[0] + 1) % len(vocab.COLORS)][1]}",
                            f"Color : {vocab.COLORS[(colors[0] + 1) % len(vocab.COLORS)][2]}",
                            (1 + (colors[0] + 1) % len(vocab.COLORS),),
                            0.0,
                        )
                    )
                for suffix, lfr, len_, opts, impact in variants:
                    sprice = round(price + impact, 2)
                    self._new_sku(
                        model,
                        f"{ref}-{suffix}",
                        self.next_id("product"),
                        self.next_id("ps_comb"),
                        sprice,
                        round(sprice * ratio, 2),
                        weight,
                        f"{name_fr} - {lfr}",
                        f"{name_en} - {len_}",
                        opts,
                    )
            else:
                self._new_sku(
                    model, ref, model.erp_id, 0, price, round(price * ratio, 2), weight, name_fr, name_en, ()
                )
                model.ps_stock_id = model.skus[0].ps_stock_id
            self.models.append(model)
            self.suppliers[supplier]["skus"].extend(s.idx for s in model.skus)
        # Popularity: a long tail, so a few articles sell every day and most sell now and then.
        order = list(range(len(self.skus)))
        self.rng.shuffle(order)
        for rank, sidx in enumerate(order):
            self.skus[sidx].pop = 1.0 / (rank + 1) ** 0.75
        total = sum(s.pop for s in self.skus)
        for s in self.skus:
            s.pop /= total
        self.cum_pop = []
        acc = 0.0
        for s in self.skus:
            acc += s.pop
            self.cum_pop.append(acc)
        # Store assortments and targets.
        for code, *_ in vocab.STORES:
            self.store_targets[code] = {}
            self.store_dirty[code] = set()
        for s in self.skus:
            stores = tuple(code for code, *_ in vocab.STORES if self.chance(0.6))
            s.stores = stores
            for code in stores:
                self.store_targets[code][s.idx] = 2 + min(6, int(s.pop * 400 * 6))
        self._write_catalog(created)
        # Which articles carry the deliberate costing edge cases (chosen now, used during the run).
        costed = sorted(self.skus, key=lambda s: s.idx)
        self.free_goods_sku = costed[1].idx
        below = [
            s
            for s in costed
            if s.cost / s.price >= 0.4
            and s.idx != self.free_goods_sku
            and s.stores
            and self.suppliers[s.model.supplier]["currency"] == EUR
        ]
        self.below_cost_sku = (below or costed)[0].idx
        late = [m for m in self.models if m.launch_day > 30]
        self.negative_sku = late[0].skus[0].idx if late else None

    def _new_sku(
        self,
        model: Model,
        ref: str,
        erp_id: int,
        comb_id: int,
        price: float,
        cost_eur: float,
        weight: float,
        label_fr: str,
        label_en: str,
        opts: tuple[int, ...],
    ) -> None:
        idx = len(self.skus)
        supplier_cur = self.suppliers[model.supplier]["currency"]
        cost = (
            cost_eur if supplier_cur == EUR else round(cost_eur * (0.86 if supplier_cur == GBP else 1.09), 2)
        )
        sku = Sku(
            idx,
            ref,
            erp_id,
            model,
            comb_id,
            self.next_id("ps_stock"),
            ean13(f"376{self.seed % 1000:03d}{idx + 1:06d}"),
            price,
            cost,
            weight,
            label_fr,
            label_en,
            opts,
        )
        model.skus.append(sku)
        self.skus.append(sku)
        self.sku_by_ref[ref] = sku
        self.on_hand.append([0, 0, 0, 0])
        self.committed.append(0)
        self.on_order.append(0)
        self.pmp.append(0.0)

    def _write_catalog(self, created: float) -> None:
        clock = self.clock
        for model in self.models:
            launch_ts = created if model.launch_day == 0 else self.start_ts + model.launch_day * DAY - 3 * DAY
            variants = model.skus[0].ps_comb_id != 0
            # ERP: the parent (variants) or the product itself.
            parent_values = self._erp_product_values(
                model,
                model.ref,
                model.name_fr,
                model.price,
                model.skus[0].ean if not variants else None,
                model.skus[0].weight,
                launch_ts,
            )
            self.erp.insert_dict("product", {"rowid": model.erp_id, **parent_values})
            if variants:
                for s in model.skus:
                    values = self._erp_product_values(
                        model, s.ref, s.label_fr, s.price, s.ean, s.weight, launch_ts
                    )
                    self.erp.insert_dict("product", {"rowid": s.erp_id, **values})
                    comb = self.next_id("erp_comb")
                    self.erp.insert_dict(
                        "product_attribute_combination",
                        {
                            "rowid": comb,
                            "fk_product_parent": model.erp_id,
                            "fk_product_child": s.erp_id,
                            "variation_price": round(s.price - model.price, 2),
                            "variation_price_percentage": 0,
                            "variation_weight": 0.0,
                            "variation_ref_ext": None,
                        },
                    )
                    for opt in s.option_values:
                        attr = 1 if opt <= len(vocab.COLORS) else 2
                        self.erp.insert_dict(
                            "product_attribute_combination2val",
                            {
                                "rowid": self.next_id("erp_comb2val"),
                                "fk_prod_combination": comb,
                                "fk_prod_attr": attr,
                                "fk_prod_attr_val": opt,
                            },
                        )
            for s in model.skus:
                sup = self.suppliers[model.supplier]
                rate = {EUR: 1.0, GBP: 0.86, USD: 1.09}[sup["currency"]]
                self.erp.insert_dict(
                    "product_fournisseur_price",
                    {
                        "rowid": self.next_id("pfp"),
                        "datec": clock.utc(launch_ts),
                        "tms": clock.utc(launch_ts),
                        "fk_product": s.erp_id,
                        "fk_soc": sup["soc"],
                        "ref_fourn": f"F-{s.ref}",
                        "desc_fourn": "",
                        "price": round(s.cost / rate, 2),
                        "quantity": 1,
                        "unitprice": round(s.cost / rate, 2),
                        "tva_tx": 0.0 if sup["currency"] != EUR else model.tva,
                        "fk_multicurrency": sup["currency"],
                        "multicurrency_code": {EUR: "EUR", GBP: "GBP", USD: "USD"}[sup["currency"]],
                        "multicurrency_tx": rate,
                        "multicurrency_price": s.cost,
                        "multicurrency_unitprice": s.cost,
                        "delivery_time_days": sup["lead"][0],
                    },
                )
            # PrestaShop: product, its combinations, categories, image.
            loc = clock.local(launch_ts)
            upd_ts = (
                launch_ts
                if not self.chance(0.2)
                else self.start_ts
                + self.rng.randrange(self.ndays) * DAY
                + self.rng.randrange(8 * HOUR, 19 * HOUR)
            )
            default_comb = model.skus[0].ps_comb_id
            image = self.next_id("ps_image")
            self.ps.insert_dict(
                "products",
                {
                    "id": model.ps_id,
                    "id_manufacturer": 1,
                    "id_supplier": 0,
                    "id_category_default": 3 + model.category,
                    "new": None,
                    "cache_default_attribute": default_comb,
                    "id_default_image": image,
                    "id_default_combination": default_comb,
                    "id_tax_rules_group": 1 if model.tva == 20.0 else 2,
                    "position_in_category": model.idx % 97,
                    "manufacturer_name": "Maison Exemple",
                    "quantity": 0,
                    "type": "simple",
                    "id_shop_default": PS_SHOP_ID,
                    "reference": model.ref,
                    "supplier_reference": "",
                    "location": "",
                    "width": 0.0,
                    "height": 0.0,
                    "depth": 0.0,
                    "weight": 0.0 if variants else model.skus[0].weight,
                    "quantity_discount": 0,
                    "ean13": "" if variants else model.skus[0].ean,
                    "isbn": "",
                    "upc": "",
                    "mpn": "",
                    "cache_is_pack": 0,
                    "cache_has_attachments": 0,
                    "is_virtual": 0,
                    "state": 1,
                    "additional_delivery_times": 1,
                    "product_type": "combinations" if variants else "standard",
                    "on_sale": 0,
                    "online_only": 0,
                    "ecotax": 0.0,
                    "minimal_quantity": 1,
                    "low_stock_threshold": 0,
                    "low_stock_alert": 0,
                    "price": model.price,
                    "wholesale_price": round(
                        min(s.cost for s in model.skus)
                        / {EUR: 1.0, GBP: 0.86, USD: 1.09}[self.suppliers[model.supplier]["currency"]],
                        6,
                    ),
                    "unity": "",
                    "unit_price": 0.0,
                    "unit_price_ratio": 0.0,
                    "additional_shipping_cost": 0.0,
                    "customizable": 0,
                    "text_fields": 0,
                    "uploadable_files": 0,
                    "active": 1,
                    "redirect_type": "301-category",
                    "id_type_redirected": 0,
                    "available_for_order": 1,
                    "available_date": "0000-00-00",
                    "show_condition": 0,
                    "condition": "new",
                    "show_price": 1,
                    "indexed": 1,
                    "visibility": "both",
                    "advanced_stock_management": 0,
                    "date_add": loc,
                    "date_upd": clock.local(max(upd_ts, launch_ts)),
                    "pack_stock_type": 3,
                },
            )
            for lid, name in ((PS_LANG_FR, model.name_fr), (PS_LANG_EN, model.name_en)):
                self.ps.insert_dict(
                    "products_lang",
                    {
                        "id": model.ps_id,
                        "id_lang": lid,
                        "delivery_in_stock": "",
                        "delivery_out_stock": "",
                        "meta_description": "",
                        "meta_keywords": "",
                        "meta_title": "",
                        "link_rewrite": ascii_slug(name),
                        "name": name,
                        "description": f"<p>{name} – collection {vocab.CATEGORIES[model.category][1 if lid == 1 else 2]}.</p>",
                        "description_short": f"<p>{name}</p>",
                        "available_now": "",
                        "available_later": "",
                    },
                )
            self.ps.insert("product_categories", (model.ps_id, 2, model.idx))
            self.ps.insert("product_categories", (model.ps_id, 3 + model.category, model.idx))
            self.ps.insert("product_images", (model.ps_id, image, 1))
            if variants:
                for pos, s in enumerate(model.skus):
                    rate = {EUR: 1.0, GBP: 0.86, USD: 1.09}[self.suppliers[model.supplier]["currency"]]
                    self.ps.insert_dict(
                        "combinations",
                        {
                            "id": s.ps_comb_id,
                            "id_product": model.ps_id,
                            "ean13": s.ean,
                            "isbn": "",
                            "upc": "",
                            "mpn": "",
                            "reference": s.ref,
                            "supplier_reference": "",
                            "wholesale_price": round(s.cost / rate, 6),
                            "price": round(s.price - model.price, 6),
                            "ecotax": 0.0,
                            "weight": s.weight,
                            "unit_price_impact": 0.0,
                            "minimal_quantity": 1,
                            "low_stock_threshold": None,
                            "low_stock_alert": 0,
                            "default_on": 1 if pos == 0 else None,
                            "available_date": "0000-00-00",
                        },
                    )
                    for lid in (PS_LANG_FR, PS_LANG_EN):
                        self.ps.insert_dict(
                            "combinations_lang",
                            {"id": s.ps_comb_id, "id_lang": lid, "available_now": "", "available_later": ""},
                        )
                    for opt in s.option_values:
                        self.ps.insert("combination_option_values", (s.ps_comb_id, opt))

    def _erp_product_values(
        self, model: Model, ref: str, label: str, price: float, barcode: str | None, weight: float, ts: float
    ) -> dict[str, Any]:
        return {
            "ref": ref,
            "label": label,
            "description": label,
            "fk_product_type": 0,
            "price": price,
            "price_ttc": r2(price * (1 + model.tva / 100)),
            "price_min": 0.0,
            "price_min_ttc": 0.0,
            "price_base_type": "HT",
            "tva_tx": model.tva,
            "tosell": 1,
            "tobuy": 1,
            "tobatch": 0,
            "barcode": barcode,
            "fk_barcode_type": 2 if barcode else None,
            "stock": None,
            "pmp": 0.0,
            "cost_price": None,
            "seuil_stock_alerte": 0,
            "desiredstock": 0,
            "weight": weight,
            "weight_units": 0,
            "datec": self.clock.utc(ts),
            "tms": self.clock.utc(ts),
            "customcode": "",
        }

    # ---------------------------------------------------------------- FX
    def rate(self, cur: int, ts: float) -> float:
        """Units of `cur` per EUR: the latest published rate on or before `ts`."""
        if cur == EUR:
            return 1.0
        i = bisect.bisect_right(self.rate_days[cur], ts) - 1
        return self.rates[cur][max(0, i)][1]

    # ---------------------------------------------------------------- stock and movements
    def movement(
        self,
        sidx: int,
        wh: int,
        qty: int,
        mtype: int,
        ts: float,
        *,
        price: float = 0.0,
        label: str = "",
        code: str = "",
        origin: int = 0,
        origintype: str = "",
    ) -> None:
        sku = self.skus[sidx]
        self.erp.insert_dict(
            "stock_mouvement",
            {
                "rowid": self.next_id("movement"),
                "tms": self.clock.utc(ts),
                "datem": self.clock.utc(ts),
                "fk_product": sku.erp_id,
                "batch": "",
                "eatby": None,
                "sellby": None,
                "fk_entrepot": wh,
                "value": qty,
                "price": round(price, 8),
                "type_mouvement": mtype,
                "fk_user_author": 1,
                "label": label,
                "inventorycode": code,
                "fk_origin": origin,
                "origintype": origintype,
                "fk_projet": 0,
            },
        )
        total_before = sum(self.on_hand[sidx])
        self.on_hand[sidx][wh] += qty
        if qty > 0 and price > 0 and mtype in (0, 3) and origintype in ("reception", "facture"):
            # Dolibarr recomputes the weighted average cost on priced inputs.
            if total_before <= 0:
                self.pmp[sidx] = price
            else:
                self.pmp[sidx] = (self.pmp[sidx] * total_before + price * qty) / (total_before + qty)

    def atp(self, sidx: int) -> int:
        """Available to promise at the central warehouse."""
        return self.on_hand[sidx][WH_CENTRAL] - self.committed[sidx]

    def pick_sku(self, launched_day: int, wh: int | None = None, store: str | None = None) -> int | None:
        for _ in range(6):
            sidx = min(len(self.skus) - 1, bisect.bisect_left(self.cum_pop, self.rng.random()))
            sku = self.skus[sidx]
            if sku.model.launch_day > launched_day:
                continue
            if store is not None and store not in sku.stores:
                continue
            return sidx
        return None

    # ---------------------------------------------------------------- opening stock and purchasing
    def opening_stock(self) -> None:
        lines_per_day_central = 10.9 * self.scale * 0.65 * 1.6
        lines_per_day_store = 10.9 * self.scale * 0.35 * 1.5
        for s in self.skus:
            lead = self.suppliers[s.model.supplier]["lead"][1]
            demand = s.pop * (lines_per_day_central + lines_per_day_store * 0.6) * 1.3
            rp = int(demand * (lead + 9) * 1.3) + 2
            upto = rp + int(demand * 28) + 3
            self.reorder.append((rp, upto))
        # One opening purchase order per supplier, received the first morning (or at launch for late articles).
        for sup_i, sup in enumerate(self.suppliers):
            lines = []
            late: dict[int, list[tuple[int, int]]] = {}
            for sidx in sup["skus"]:
                sku = self.skus[sidx]
                store_need = sum(self.store_targets[c].get(sidx, 0) for c in sku.stores)
                qty = self.reorder[sidx][1] + store_need
                if sku.model.launch_day == 0:
                    lines.append((sidx, qty))
                else:
                    late.setdefault(sku.model.launch_day, []).append((sidx, qty))
            if lines:
                order_ts = self.start_ts - self.rng.randint(*sup["lead"]) * DAY + 10 * HOUR
                self.purchase(sup_i, lines, order_ts, arrival=self.start_ts + 7 * HOUR + sup_i * 300)
            for day, day_lines in sorted(late.items()):
                arrival = self.start_ts + day * DAY + 7 * HOUR
                if self.negative_sku is not None and any(s == self.negative_sku for s, _ in day_lines):
                    arrival += 2 * DAY  # the launch sale ships before this first receipt
                self.schedule(
                    arrival - sup["lead"][0] * DAY,
                    "purchase",
                    {"sup": sup_i, "lines": day_lines, "arrival": arrival},
                )
        for code, *_ in vocab.STORES:
            self.schedule(self.start_ts + 9 * HOUR, "transfer", {"store": code, "all": True})

    def purchase(
        self,
        sup_i: int,
        lines: list[tuple[int, int]],
        ts: float,
        arrival: float | None = None,
        free: bool = False,
    ) -> None:
        """A supplier order (validated and ordered), with its reception scheduled at `arrival`."""
        sup = self.suppliers[sup_i]
        cur = sup["currency"]
        rate = self.rate(cur, ts)
        po_id = self.next_id("po")
        ref = self.next_ref("PO", ts)
        po_lines = []
        total_cur = 0.0
        for rang, (sidx, qty) in enumerate(lines):
            sku = self.skus[sidx]
            unit = 0.0 if free and sidx == self.free_goods_sku else sku.cost
            line_id = self.next_id("po_line")
            ht_cur = r2(qty * unit)
            total_cur += ht_cur
            self.erp.insert_dict(
                "commande_fournisseurdet",
                {
                    "rowid": line_id,
                    "fk_commande": po_id,
                    "fk_product": sku.erp_id,
                    "ref": f"F-{sku.ref}",
                    "label": sku.label_fr,
                    "description": "",
                    "tva_tx": 0.0 if cur != EUR else sku.model.tva,
                    "qty": qty,
                    "subprice": round(unit / rate, 8),
                    "total_ht": r2(ht_cur / rate),
                    "total_tva": 0.0,
                    "total_ttc": r2(ht_cur / rate),
                    "product_type": 0,
                    "rang": rang,
                    "multicurrency_subprice": unit,
                    "multicurrency_total_ht": ht_cur,
                    "multicurrency_total_tva": 0.0,
                    "multicurrency_total_ttc": ht_cur,
                },
            )
            self.on_order[sidx] += qty
            po_lines.append((sidx, qty, unit, line_id))
        self.erp.insert_dict(
            "commande_fournisseur",
            {
                "rowid": po_id,
                "ref": ref,
                "ref_supplier": f"CMD-{po_id:06d}",
                "fk_soc": sup["soc"],
                "tms": self.clock.utc(ts),
                "date_creation": self.clock.utc(ts),
                "date_valid": self.clock.utc(ts),
                "date_approve": self.clock.utc(ts),
                "date_commande": self.clock.utc(ts),
                "fk_user_valid": 1,
                "fk_user_approve": 1,
                "fk_statut": 3,
                "total_ht": r2(total_cur / rate),
                "total_tva": 0.0,
                "total_ttc": r2(total_cur / rate),
                "model_pdf": "cornas",
                "fk_input_method": 1,
                "date_livraison": self.clock.utc(arrival) if arrival else None,
                "fk_multicurrency": cur,
                "multicurrency_code": _code(cur),
                "multicurrency_tx": rate,
                "multicurrency_total_ht": round(total_cur, 2),
                "multicurrency_total_tva": 0.0,
                "multicurrency_total_ttc": round(total_cur, 2),
            },
        )
        if arrival is None:
            arrival = ts + self.rng.randint(*sup["lead"]) * DAY
        self.schedule(
            arrival, "reception", {"po": po_id, "po_ref": ref, "sup": sup_i, "lines": po_lines, "ordered": ts}
        )

    def reorder_check(self, sup_i: int, ts: float, day: int) -> None:
        lines = []
        for sidx in self.suppliers[sup_i]["skus"]:
            if self.skus[sidx].model.launch_day > day:
                continue
            rp, upto = self.reorder[sidx]
            projected = self.atp(sidx) + self.on_order[sidx]
            if projected < rp:
                lines.append((sidx, upto - projected))
        free = False
        fg = self.free_goods_sku
        if (
            lines
            and not self.free_goods_done
            and day > 30
            and fg is not None
            and self.skus[fg].model.supplier == sup_i
            and all(s != fg for s, _ in lines)
        ):
            lines.append((fg, 3))  # free samples: a zero-priced receipt line
            self.free_goods_done = free = True
        if lines:
            self.purchase(sup_i, lines, ts, free=free)

    def on_purchase(self, ts: float, p: dict[str, Any]) -> None:
        self.purchase(p["sup"], p["lines"], ts, arrival=p["arrival"])

    def on_reception(self, ts: float, p: dict[str, Any]) -> None:
        sup = self.suppliers[p["sup"]]
        cur = sup["currency"]
        if "effective" not in p and not self.late_key_done and ts > self.start_ts + 40 * DAY:
            # Keyed in late: the goods arrived at `ts` but the reception is entered nine days later.
            self.late_key_done = True
            self.schedule(ts + 9 * DAY + 2 * HOUR, "reception", {**p, "effective": ts, "late": True})
            return
        late_key = bool(p.get("late"))
        booked = ts
        ts = p.get("effective", ts - self.rng.randint(5, 50) * 60)
        rec_id = self.next_id("reception")
        ref = self.next_ref("RCP", booked)
        rate = self.rate(cur, ts)
        weight_total = 0.0
        value_eur = 0.0
        rec_lines = []
        for sidx, qty, unit, po_line in p["lines"]:
            sku = self.skus[sidx]
            unit_eur = unit / rate
            line_id = self.next_id("reception_line")
            self.erp.insert_dict(
                "receptiondet_batch",
                {
                    "rowid": line_id,
                    "fk_element": p["po"],
                    "fk_product": sku.erp_id,
                    "fk_elementdet": po_line,
                    "element_type": "supplier_order",
                    "qty": qty,
                    "fk_entrepot": WH_CENTRAL,
                    "fk_user": 1,
                    "comment": "",
                    "batch": "",
                    "status": 1,
                    "datec": self.clock.utc(booked),
                    "tms": self.clock.utc(booked),
                    "fk_reception": rec_id,
                    "cost_price": round(unit_eur, 8),
                },
            )
            self.on_order[sidx] -= qty
            self.movement(
                sidx,
                WH_CENTRAL,
                qty,
                3,
                booked,
                price=unit_eur,
                label=f"Réception {ref}",
                origin=rec_id,
                origintype="reception",
            )
            weight_total += qty * sku.weight
            value_eur += qty * unit_eur
            rec_lines.append((sidx, qty, unit_eur))
            if unit == 0.0:
                self.truth["costing_edge_cases"]["zero_price_receipt_line"] = {
                    "reception_ref": ref,
                    "sku": sku.ref,
                }
        self.erp.insert_dict(
            "reception",
            {
                "rowid": rec_id,
                "tms": self.clock.utc(booked),
                "ref": ref,
                "fk_soc": sup["soc"],
                "ref_supplier": f"BL-{rec_id:06d}",
                "date_creation": self.clock.utc(booked),
                "date_valid": self.clock.utc(booked),
                "fk_user_valid": 1,
                "date_delivery": self.clock.utc(ts),
                "date_reception": self.clock.utc(ts),
                "tracking_number": "",
                "fk_statut": 1,
                "billed": 0,
                "weight": round(weight_total, 3),
                "weight_units": 0,
                "size_units": 0,
                "note_private": None,
                "note_public": None,
                "model_pdf": "squille",
                "origin_id": p["po"],
                "origin": "order_supplier",
            },
        )
        self.erp.execute(
            "UPDATE commande_fournisseur SET fk_statut = 5, tms = ? WHERE rowid = ?",
            (self.clock.utc(booked), p["po"]),
            flush="commande_fournisseur",
        )
        if late_key:
            self.truth["costing_edge_cases"]["late_keyed_reception"] = {
                "reception_ref": ref,
                "date_reception": self.clock.utc(ts),
                "booked_at": self.clock.utc(booked),
            }
        # Landed costs: freight always, customs and insurance on goods from outside the EU.
        freight = r2(25 + 0.6 * weight_total)
        split = "by_weight" if rec_id % 3 else "by_quantity"
        self.schedule(
            ts + self.rng.randint(0, 4) * DAY + 11 * HOUR,
            "landed_cost",
            {"reception": ref, "kind": "freight", "amount": freight, "currency": EUR, "split": split},
        )
        if cur != EUR:
            customs = r2(value_eur * self.rng.uniform(0.04, 0.12))
            late_lc = (
                "late_landed_cost" not in self.truth["costing_edge_cases"] and ts > self.start_ts + 20 * DAY
            )
            delay = 35 * DAY if late_lc else self.rng.randint(2, 10) * DAY
            self.schedule(
                ts + delay + 10 * HOUR,
                "landed_cost",
                {
                    "reception": ref,
                    "kind": "customs",
                    "amount": customs,
                    "currency": EUR,
                    "split": "by_value",
                    "late": late_lc,
                },
            )
            if cur == USD:
                self.schedule(
                    ts + 3 * DAY + 9 * HOUR,
                    "landed_cost",
                    {
                        "reception": ref,
                        "kind": "insurance",
                        "amount": r2(value_eur * rate * 0.006),
                        "currency": USD,
                        "split": "equal",
                    },
                )
        # Now and then a defective share goes back to the supplier.
        for sidx, qty, unit_eur in rec_lines:
            if qty >= 4 and self.chance(0.02):
                self.schedule(
                    ts + self.rng.randint(3, 10) * DAY + 14 * HOUR,
                    "supplier_return",
                    {
                        "sidx": sidx,
                        "qty": max(1, qty // 4),
                        "reception": rec_id,
                        "ref": ref,
                        "unit": unit_eur,
                    },
                )

    def on_landed_cost(self, ts: float, p: dict[str, Any]) -> None:
        kind = p["kind"]
        cur = p["currency"]
        rate = self.rate(cur, ts)
        inv_id = self.next_id("supplier_invoice")
        ref = self.next_ref("SI", ts)
        amount = p["amount"]
        tva = 0.0 if kind == "customs" or cur != EUR else 20.0
        ht_eur = r2(amount / rate)
        self.erp.insert_dict(
            "facture_fourn",
            {
                "rowid": inv_id,
                "ref": ref,
                "ref_supplier": f"{kind[:3].upper()}-{inv_id:06d}",
                "type": 0,
                "fk_soc": self.forwarders[kind],
                "datec": self.clock.utc(ts),
                "datef": self.clock.local_day(ts),
                "date_valid": self.clock.utc(ts),
                "tms": self.clock.utc(ts),
                "libelle": {
                    "freight": "Transport",
                    "customs": "Droits de douane",
                    "insurance": "Assurance transport",
                }[kind]
                + f" {p['reception']}",
                "paye": 0,
                "total_ht": ht_eur,
                "total_tva": r2(ht_eur * tva / 100),
                "total_ttc": r2(ht_eur * (1 + tva / 100)),
                "fk_statut": 1,
                "fk_user_valid": 1,
                "date_lim_reglement": self.clock.local_day(ts + 30 * DAY),
                "fk_multicurrency": cur,
                "multicurrency_code": _code(cur),
                "multicurrency_tx": rate,
                "multicurrency_total_ht": amount,
                "multicurrency_total_tva": r2(amount * tva / 100),
                "multicurrency_total_ttc": r2(amount * (1 + tva / 100)),
            },
        )
        self.erp.insert_dict(
            "facture_fourn_extrafields",
            {
                "rowid": inv_id,
                "tms": self.clock.utc(ts),
                "fk_object": inv_id,
                "landed_cost_reception": p["reception"],
                "landed_cost_split": p["split"],
                "landed_cost_type": kind,
            },
        )
        self.erp.insert_dict(
            "facture_fourn_det",
            {
                "rowid": self.next_id("supplier_invoice_line"),
                "fk_facture_fourn": inv_id,
                "fk_product": None,
                "ref": "",
                "label": f"{kind} {p['reception']}",
                "description": f"{kind} {p['reception']}",
                "pu_ht": ht_eur,
                "pu_ttc": r2(ht_eur * (1 + tva / 100)),
                "qty": 1,
                "tva_tx": tva,
                "total_ht": ht_eur,
                "tva": r2(ht_eur * tva / 100),
                "total_ttc": r2(ht_eur * (1 + tva / 100)),
                "product_type": 1,
                "multicurrency_subprice": amount,
                "multicurrency_total_ht": amount,
                "multicurrency_total_tva": r2(amount * tva / 100),
                "multicurrency_total_ttc": r2(amount * (1 + tva / 100)),
            },
        )
        if p.get("late"):
            self.truth["costing_edge_cases"]["late_landed_cost"] = {
                "supplier_invoice_ref": ref,
                "reception_ref": p["reception"],
                "invoice_date": self.clock.local_day(ts),
            }

    def on_supplier_return(self, ts: float, p: dict[str, Any]) -> None:
        sidx, qty = p["sidx"], p["qty"]
        qty = min(qty, self.atp(sidx))
        if qty <= 0:
            return
        self.movement(
            sidx,
            WH_CENTRAL,
            -qty,
            1,
            ts,
            price=p["unit"],
            label=f"Retour fournisseur {p['ref']}",
            origin=p["reception"],
            origintype="reception",
        )

    def on_transfer(self, ts: float, p: dict[str, Any]) -> None:
        store = p["store"]
        wh = WH_STORES[store]
        targets = self.store_targets[store]
        candidates = list(targets) if p.get("all") else sorted(self.store_dirty[store])
        self.store_dirty[store] = set()
        day = int((ts - self.start_ts) // DAY)
        code = f"TRF-{self.clock.local_day(ts).replace('-', '')}-{store}"
        for sidx in candidates:
            if self.skus[sidx].model.launch_day > day:
                continue
            need = targets[sidx] - self.on_hand[sidx][wh]
            qty = min(need, self.atp(sidx) - 1)
            if qty <= 0:
                continue
            price = self.pmp[sidx]
            self.movement(
                sidx, WH_CENTRAL, -qty, 1, ts, price=price, label=f"Transfert vers WH-{store}", code=code
            )
            self.movement(sidx, wh, qty, 0, ts, price=price, label="Transfert depuis WH-CENTRAL", code=code)

    def on_inventory(self, ts: float, day: int) -> None:
        month = self.clock.local_day(ts)[:7].replace("-", "")
        for wh in (WH_CENTRAL, *WH_STORES.values()):
            code = f"INV-{month}-{wh}"
            for _ in range(self.count(3 * math.sqrt(self.scale))):
                sidx = self.pick_sku(day)
                if sidx is None:
                    continue
                if self.chance(0.3):
                    self.movement(
                        sidx,
                        wh,
                        1,
                        0,
                        ts,
                        price=self.pmp[sidx],
                        label="Inventaire : écart positif",
                        code=code,
                    )
                else:
                    available = self.on_hand[sidx][wh] - (self.committed[sidx] if wh == WH_CENTRAL else 0)
                    qty = min(available, self.rng.randint(1, 2))
                    if qty > 0:
                        self.movement(
                            sidx,
                            wh,
                            -qty,
                            1,
                            ts,
                            price=self.pmp[sidx],
                            label="Inventaire : casse ou perte",
                            code=code,
                        )

    # ---------------------------------------------------------------- people
    def new_person(self) -> Person:
        n = self.persons_made
        self.persons_made += 1
        first = self.rng.choice(vocab.FIRST_NAMES)
        last = self.rng.choice(vocab.LAST_NAMES)
        email = f"{ascii_slug(first)}.{ascii_slug(last)}.{n + 1}@{self.rng.choice(vocab.EMAIL_DOMAINS)}"
        digits = f"{(n * 7919 + self.seed * 104729) % 100000000:08d}"
        phone = f"0{self.rng.choice('67')} {digits[0:2]} {digits[2:4]} {digits[4:6]} {digits[6:8]}"
        postcode, city = self.rng.choice(vocab.CITIES)
        street = f"{self.rng.randint(1, 180)} {self.rng.choice(vocab.STREETS)}"
        return Person(first, last, email, phone, street, postcode, city)

    def ps_customer(self, person: Person, ts: float) -> None:
        person.ps_id = self.next_id("ps_customer")
        loc = self.clock.local(ts)
        token = hashlib.sha1(f"{self.seed}:{person.ps_id}:token".encode()).hexdigest()
        has_token = self.chance(0.05)
        self.ps.insert_dict(
            "customers",
            {
                "id": person.ps_id,
                "id_default_group": 3,
                "id_lang": PS_LANG_FR,
                "newsletter_date_add": loc if self.chance(0.3) else None,
                "ip_registration_newsletter": None,
                "last_passwd_gen": loc,
                "secure_key": hashlib.md5(f"{self.seed}:{person.ps_id}:sk".encode()).hexdigest(),
                "deleted": 0,
                "passwd": _bcrypt_like(self.seed, person.ps_id),
                "lastname": person.last.upper(),
                "firstname": person.first,
                "email": person.email,
                "id_gender": self.rng.choice((1, 2)),
                "birthday": f"{self.rng.randint(1950, 2004)}-{self.rng.randint(1, 12):02d}-{self.rng.randint(1, 28):02d}",
                "newsletter": 1 if self.chance(0.3) else 0,
                "optin": 0,
                "website": None,
                "company": None,
                "siret": None,
                "ape": None,
                "outstanding_allow_amount": 0.0,
                "show_public_prices": 0,
                "id_risk": 0,
                "max_payment_days": 0,
                "active": 1,
                "note": None,
                "is_guest": 0,
                "id_shop": PS_SHOP_ID,
                "id_shop_group": 1,
                "date_add": loc,
                "date_upd": loc,
                "reset_password_token": token if has_token else None,
                "reset_password_validity": self.clock.local(ts + DAY) if has_token else "0000-00-00 00:00:00",
            },
        )
        self.ps.insert("customer_groups", (person.ps_id, 3))
        person.ps_address = self.next_id("ps_address")
        self.ps.insert_dict(
            "addresses",
            {
                "id": person.ps_address,
                "id_customer": person.ps_id,
                "id_manufacturer": 0,
                "id_supplier": 0,
                "id_warehouse": 0,
                "id_country": shopref.FRANCE_PS_COUNTRY_ID,
                "id_state": 0,
                "alias": "Mon adresse",
                "company": "",
                "lastname": person.last.upper(),
                "firstname": person.first,
                "vat_number": "",
                "address1": person.street,
                "address2": "",
                "postcode": person.postcode,
                "city": person.city,
                "other": "",
                "phone": person.phone,
                "phone_mobile": "",
                "dni": "",
                "deleted": 0,
                "date_add": loc,
                "date_upd": loc,
            },
        )

    def erp_customer(
        self, person: Person, ts: float, email: str | None = None, phone: str | None = None
    ) -> int:
        soc = self._thirdparty(
            f"{person.first} {person.last}",
            ts,
            customer=True,
            country=1,
            person=person,
            email=email,
            phone=phone,
        )
        self._contact(
            soc,
            person.first,
            person.last,
            email or person.email,
            phone or person.phone,
            person.street,
            person.postcode,
            1,
            ts,
            person.city,
        )
        return soc

    # ---------------------------------------------------------------- days
    def simulate_day(self, day: int) -> None:
        d = CALENDAR_START + timedelta(days=day)
        start = self.clock.day_start(d)
        weekday = d.weekday()
        season = 1.0 + 0.25 * math.sin((day / self.ndays) * math.pi)
        web_mean = 4.9 * self.scale * season * (1.15 if weekday in (0, 6) else 0.95)
        for _ in range(self.count(web_mean)):
            self.schedule(start + self._time_of_day(web=True), "web_order")
        if weekday != 6:
            for code, _name, _pc, _city in vocab.STORES:
                share = 0.55 if code == "PARIS" else 0.45
                mean = 3.8 * self.scale * share * season * (1.6 if weekday == 5 else 0.9) * 7 / 6
                for _ in range(self.count(mean)):
                    self.schedule(start + self.rng.randint(10 * HOUR, 19 * HOUR), "store_ticket", code)
        for _ in range(self.count(2.2 * self.scale * season)):
            self.schedule(start + self._time_of_day(web=True), "mkp_order")
        for sup_i, sup in enumerate(self.suppliers):
            if day % 7 == sup["offset"] and day > 0:
                self.schedule(start + 7 * HOUR + sup_i, "reorder", sup_i)
        if weekday in (0, 3) and day > 0:
            for code, *_ in vocab.STORES:
                self.schedule(start + 8 * HOUR, "transfer", {"store": code})
        if (d + timedelta(days=1)).month != d.month:
            self.schedule(start + 19 * HOUR + 30 * 60, "inventory", day)
        if day >= 100 and weekday != 6 and not self.truth["below_cost_lines"] and not self.below_cost_planned:
            # a clearance sale in a store, on an opening day (stores close on Sundays)
            self.below_cost_planned = True
            self.schedule(start + 16 * HOUR, "below_cost_ticket")
        if self.negative_sku is not None and day == self.skus[self.negative_sku].model.launch_day:
            self.schedule(start + 9 * HOUR + 30 * 60, "negative_stock_order")
        day_end = start + DAY
        while self.events and self.events[0][0] < day_end:
            ts, _seq, kind, payload = heapq.heappop(self.events)
            if ts > self.end_ts:
                continue
            self.dispatch(kind, ts, payload, day)
        self.files.flush_pos_day(d, self.pos_buffer)
        self.pos_buffer = {}
        self.ps.flush()
        self.erp.flush()

    def _time_of_day(self, web: bool) -> int:
        if web and self.chance(0.35):
            return self.rng.randint(19 * HOUR, 23 * HOUR)
        return self.rng.randint(7 * HOUR, 23 * HOUR)

    def dispatch(self, kind: str, ts: float, p: Any, day: int) -> None:
        if kind == "reorder":
            self.reorder_check(p, ts, day)
            return
        handler = getattr(self, f"on_{kind}")
        if kind in ("web_order", "mkp_order", "inventory", "below_cost_ticket", "negative_stock_order"):
            handler(ts, day)
        elif kind == "store_ticket":
            handler(ts, p, day)
        else:
            handler(ts, p)

    # ---------------------------------------------------------------- web orders (PrestaShop, then ERP)
    def _lines(self, day: int, check: Any) -> list[tuple[int, int]]:
        lines: dict[int, int] = {}
        for _ in range(1 + min(4, int(self.rng.expovariate(1.4)))):
            sidx = self.pick_sku(day)
            if sidx is None or sidx in lines:
                continue
            qty = 1 if self.chance(0.8) else self.rng.randint(2, 3)
            if check(sidx, qty):
                lines[sidx] = qty
        return list(lines.items())

    def on_web_order(self, ts: float, day: int) -> None:
        lines = self._lines(day, lambda s, q: self.atp(s) >= q)
        if lines:
            self.web_order(ts, lines)

    def on_negative_stock_order(self, ts: float, day: int) -> None:
        sidx = self.negative_sku
        assert sidx is not None
        order = self.web_order(ts, [(sidx, 1)], force_card=True, ship_after=DAY)
        self.truth["costing_edge_cases"]["negative_stock"] = {
            "sku": self.skus[sidx].ref,
            "warehouse": "WH-CENTRAL",
            "shop_order_reference": order["reference"],
        }

    def web_order(
        self,
        ts: float,
        lines: list[tuple[int, int]],
        force_card: bool = False,
        ship_after: float | None = None,
    ) -> dict[str, Any]:
        if self.web_customers and self.chance(0.38):
            person = self.rng.choice(self.web_customers)
        else:
            person = self.new_person()
            self.ps_customer(person, ts - self.rng.randint(60, 900))
            self.web_customers.append(person)

        ps_id = self.next_id("ps_order")
        reference = self._ps_reference_code()
        module, payment = vocab.PAYMENTS_WEB[0] if force_card or self.chance(0.85) else vocab.PAYMENTS_WEB[1]
        carrier = self.rng.choices((1, 2, 3), weights=(20, 60, 20))[0]
        cc_store = self.rng.choice([c for c, *_ in vocab.STORES]) if carrier == 1 else None
        reduction = self._promo(ts)
        details: list[dict[str, Any]] = []
        total_excl = total_incl = 0.0
        weight = 0.0
        for sidx, qty in lines:
            sku = self.skus[sidx]
            red = reduction.get(sku.model.idx, 0.0)
            unit_excl = round(sku.price * (1 - red), 6)
            tva = sku.model.tva / 100
            unit_incl = round(unit_excl * (1 + tva), 6)
            line_excl = r2(unit_excl * qty)
            line_incl = r2(unit_incl * qty)
            total_excl += line_excl
            total_incl += line_incl
            weight += sku.weight * qty
            details.append(
                {
                    "sidx": sidx,
                    "qty": qty,
                    "red": red,
                    "unit_excl": unit_excl,
                    "unit_incl": unit_incl,
                    "excl": line_excl,
                    "incl": line_incl,
                    "id": self.next_id("ps_order_detail"),
                }
            )
        ship_incl = (
            0.0
            if carrier == 1 or total_incl >= shopref.FREE_SHIPPING_FROM_TTC
            else shopref.CARRIERS[carrier - 1][6]
        )
        ship_excl = round(ship_incl / 1.2, 6)
        loc = self.clock.local(ts)
        if module == "ps_checkout" and not force_card and self.chance(0.02):
            first_state, paid_at = 8, None
        elif module == "ps_checkout":
            first_state, paid_at = 2, ts
        else:
            first_state = 10
            paid_at = (
                None
                if self.chance(0.1)
                else ts + self.rng.randint(1, 3) * DAY + self.rng.randint(9 * HOUR, 17 * HOUR) - (ts % DAY)
            )
        order = {
            "ps_id": ps_id,
            "reference": reference,
            "person": person,
            "details": details,
            "carrier": carrier,
            "cc_store": cc_store,
            "ts": ts,
            "ship_incl": ship_incl,
            "ship_excl": ship_excl,
            "total_excl": r2(total_excl),
            "total_incl": r2(total_incl),
            "weight": weight,
            "payment": payment,
            "module": module,
            "erp_id": None,
            "stock_committed": False,
            "state": first_state,
        }
        self.ps.insert_dict(
            "orders",
            {
                "id": ps_id,
                "id_address_delivery": person.ps_address,
                "id_address_invoice": person.ps_address,
                "id_cart": ps_id,
                "id_currency": 1,
                "id_lang": PS_LANG_FR,
                "id_customer": person.ps_id,
                "id_carrier": carrier,
                "current_state": first_state,
                "module": module,
                "invoice_number": 0,
                "invoice_date": "0000-00-00 00:00:00",
                "delivery_number": 0,
                "delivery_date": "0000-00-00 00:00:00",
                "valid": 0,
                "date_add": loc,
                "date_upd": loc,
                "shipping_number": "",
                "note": "",
                "id_shop_group": 1,
                "id_shop": PS_SHOP_ID,
                "secure_key": hashlib.md5(f"{self.seed}:{person.ps_id}:sk".encode()).hexdigest(),
                "payment": payment,
                "recyclable": 0,
                "gift": 0,
                "gift_message": "",
                "mobile_theme": 0,
                "total_discounts": 0.0,
                "total_discounts_tax_incl": 0.0,
                "total_discounts_tax_excl": 0.0,
                "total_paid": r2(total_incl + ship_incl),
                "total_paid_tax_incl": r2(total_incl + ship_incl),
                "total_paid_tax_excl": r2(total_excl + ship_excl),
                "total_paid_real": 0.0,
                "total_products": r2(total_excl),
                "total_products_wt": r2(total_incl),
                "total_shipping": ship_incl,
                "total_shipping_tax_incl": ship_incl,
                "total_shipping_tax_excl": ship_excl,
                "carrier_tax_rate": 20.0,
                "total_wrapping": 0.0,
                "total_wrapping_tax_incl": 0.0,
                "total_wrapping_tax_excl": 0.0,
                "round_mode": 2,
                "round_type": 2,
                "conversion_rate": 1.0,
                "reference": reference,
            },
        )
        for det in details:
            sku = self.skus[det["sidx"]]
            rate = {EUR: 1.0, GBP: 0.86, USD: 1.09}[self.suppliers[sku.model.supplier]["currency"]]
            self.ps.insert_dict(
                "order_details",
                {
                    "id": det["id"],
                    "id_order": ps_id,
                    "product_id": sku.model.ps_id,
                    "product_attribute_id": sku.ps_comb_id,
                    "product_quantity_reinjected": 0,
                    "group_reduction": 0.0,
                    "discount_quantity_applied": 0,
                    "download_hash": "",
                    "download_deadline": "0000-00-00 00:00:00",
                    "id_order_invoice": 0,
                    "id_warehouse": 0,
                    "id_shop": PS_SHOP_ID,
                    "id_customization": 0,
                    "product_name": sku.label_fr,
                    "product_quantity": det["qty"],
                    "product_quantity_in_stock": det["qty"],
                    "product_quantity_return": 0,
                    "product_quantity_refunded": 0,
                    "product_price": sku.price,
                    "reduction_percent": round(det["red"] * 100, 2),
                    "reduction_amount": 0.0,
                    "reduction_amount_tax_incl": 0.0,
                    "reduction_amount_tax_excl": 0.0,
                    "product_quantity_discount": 0.0,
                    "product_ean13": sku.ean,
                    "product_isbn": "",
                    "product_upc": "",
                    "product_mpn": "",
                    "product_reference": sku.ref,
                    "product_supplier_reference": "",
                    "product_weight": sku.weight,
                    "tax_computation_method": 0,
                    "id_tax_rules_group": 1 if sku.model.tva == 20.0 else 2,
                    "ecotax": 0.0,
                    "ecotax_tax_rate": 0.0,
                    "download_nb": 0,
                    "unit_price_tax_incl": det["unit_incl"],
                    "unit_price_tax_excl": det["unit_excl"],
                    "total_price_tax_incl": det["incl"],
                    "total_price_tax_excl": det["excl"],
                    "total_shipping_price_tax_excl": 0.0,
                    "total_shipping_price_tax_incl": 0.0,
                    "purchase_supplier_price": round(sku.cost / rate, 6),
                    "original_product_price": sku.price,
                    "original_wholesale_price": round(sku.cost / rate, 6),
                    "total_refunded_tax_excl": 0.0,
                    "total_refunded_tax_incl": 0.0,
                },
            )
        order["carrier_row"] = self.next_id("ps_order_carrier")
        self.ps.insert_dict(
            "order_carriers",
            {
                "id": order["carrier_row"],
                "id_order": ps_id,
                "id_carrier": carrier,
                "id_order_invoice": 0,
                "weight": round(weight, 6),
                "shipping_cost_tax_excl": ship_excl,
                "shipping_cost_tax_incl": ship_incl,
                "tracking_number": "",
                "date_add": loc,
            },
        )
        if first_state != 2:
            self.ps_history(order, first_state, ts)
        if first_state == 8:
            return order
        # The shop takes the stock when the order is placed (cancelled unpaid orders give it back).
        for det in details:
            self.committed[det["sidx"]] += det["qty"]
        order["stock_committed"] = True
        order["forced"] = ship_after is not None
        if paid_at is None:
            self.schedule(ts + 8 * DAY + 10 * HOUR, "web_cancel", order)
        elif paid_at == ts:
            self.on_web_paid(ts, {"order": order, "ship_after": ship_after})
        else:
            self.schedule(paid_at, "web_paid", {"order": order, "ship_after": ship_after})
        return order

    def _ps_reference_code(self) -> str:
        while True:
            ref = "".join(self.rng.choice(string.ascii_uppercase) for _ in range(9))
            if ref not in self.ps_refs:
                self.ps_refs.add(ref)
                return ref

    def _promo(self, ts: float) -> dict[int, float]:
        for start, end, models, red in self.promos:
            if start <= ts <= end:
                return dict.fromkeys(models, red)
        return {}

    def ps_history(self, order: dict[str, Any], state: int, ts: float) -> None:
        loc = self.clock.local(ts)
        self.ps.insert_dict(
            "order_histories",
            {
                "id": self.next_id("ps_history"),
                "id_employee": 0 if state in (2, 8, 10) else 1,
                "id_order_state": state,
                "id_order": order["ps_id"],
                "date_add": loc,
            },
        )
        sets = ["current_state = ?", "date_upd = ?"]
        params: list[Any] = [state, loc]
        if state == 2:
            sets += [
                "valid = 1",
                "invoice_number = ?",
                "invoice_date = ?",
                "total_paid_real = total_paid_tax_incl",
            ]
            params += [self.next_id("ps_invoice_number"), loc]
        if state == 3:
            sets += ["delivery_number = ?"]
            params += [self.next_id("ps_delivery_number")]
        if state == 4:
            sets += ["delivery_date = ?"]
            params += [loc]
        if state in (6, 8):
            sets += ["valid = 0"]
        params.append(order["ps_id"])
        self.ps.execute(f"UPDATE orders SET {', '.join(sets)} WHERE id = ?", params, flush="orders")
        order["state"] = state

    def on_web_paid(self, ts: float, p: dict[str, Any]) -> None:
        order = p["order"]
        if order["state"] == 6:
            return
        self.ps_history(order, 2, ts)
        backlog = ts > self.end_ts - IMPORT_BACKLOG_HOURS * HOUR
        if backlog:
            self.truth["orders_missing_in_erp"].append(
                {"shop_order_id": order["ps_id"], "reference": order["reference"]}
            )
            for det in order["details"]:
                self.pending_qty[det["sidx"]] = self.pending_qty.get(det["sidx"], 0) + det["qty"]
            return
        if not order["forced"] and self.chance(0.015):
            self.schedule(ts + self.rng.randint(2, 12) * HOUR, "web_import", order)
            self.schedule(ts + self.rng.randint(14, 22) * HOUR, "web_cancel", order)
            return
        self.schedule(ts + self.rng.randint(1, 10) * HOUR, "web_import", order)
        ship_after = p["ship_after"] or self.rng.randint(1, 3) * DAY
        ship_ts = ts + ship_after + self.rng.randint(-2, 3) * HOUR
        self.schedule(ship_ts - 3 * HOUR, "web_processing", order)
        self.schedule(ship_ts, "web_ship", order)

    def on_web_processing(self, ts: float, order: dict[str, Any]) -> None:
        if order["state"] == 2:
            self.ps_history(order, 3, ts)

    def on_web_cancel(self, ts: float, order: dict[str, Any]) -> None:
        if order["state"] in (4, 5, 6):
            return
        self.ps_history(order, 6, ts)
        if order["stock_committed"]:
            for det in order["details"]:
                self.committed[det["sidx"]] -= det["qty"]
            order["stock_committed"] = False
        if order["erp_id"]:
            self.erp.execute(
                "UPDATE commande SET fk_statut = -1, tms = ? WHERE rowid = ?",
                (self.clock.utc(ts), order["erp_id"]),
                flush="commande",
            )

    def on_web_import(self, ts: float, order: dict[str, Any]) -> None:
        person: Person = order["person"]
        if not person.erp_id:
            person.erp_id = self.erp_customer(person, ts)
        lines = [(det["sidx"], det["qty"], round(det["red"] * 100, 2)) for det in order["details"]]
        shipping = order["ship_excl"] if order["ship_incl"] else 0.0
        order["erp_id"], order["erp_ref"], order["erp_lines"] = self.erp_order(
            ts,
            person.erp_id,
            order["reference"],
            order["ts"],
            lines,
            "web",
            "click_collect" if order["carrier"] == 1 else "ship",
            WH_CENTRAL,
            shipping=shipping,
        )

    def on_web_ship(self, ts: float, order: dict[str, Any]) -> None:
        if order["state"] not in (2, 3):
            return
        tracking = ""
        if order["carrier"] == 2:
            tracking = f"6A{self.rng.randrange(10**11):011d}"
        elif order["carrier"] == 3:
            tracking = f"XW{self.rng.randrange(10**9):09d}FR"
        order["tracking"] = tracking
        for det in order["details"]:
            self.committed[det["sidx"]] -= det["qty"]
        order["stock_committed"] = False
        self.erp_ship(ts, order, WH_CENTRAL)
        if self.untold_shipments < self.n_untold and ts > self.end_ts - 12 * DAY and tracking:
            # The warehouse shipped from the ERP, but the shop was never told: still "processing" there.
            self.untold_shipments += 1
            self.truth["order_status_mismatches"].append(
                {
                    "shop_order_id": order["ps_id"],
                    "reference": order["reference"],
                    "shop_state": order["state"],
                    "erp_order_ref": order["erp_ref"],
                    "erp_status": 3,
                    "tracking_number": tracking,
                }
            )
            return
        self.ps_history(order, 4, ts)
        if tracking:
            self.ps.execute(
                "UPDATE order_carriers SET tracking_number = ? WHERE id = ?",
                (tracking, order["carrier_row"]),
                flush="order_carriers",
            )
            self.ps.execute(
                "UPDATE orders SET shipping_number = ? WHERE id = ?",
                (tracking, order["ps_id"]),
                flush="orders",
            )
        self.schedule(
            ts + self.rng.randint(1, 3) * DAY + self.rng.randint(0, 6) * HOUR, "web_delivered", order
        )

    def on_web_delivered(self, ts: float, order: dict[str, Any]) -> None:
        self.ps_history(order, 5, ts)
        self.maybe_return(ts, order, 0.05, WH_CENTRAL)

    # ---------------------------------------------------------------- ERP orders, shipments, invoices, returns
    def erp_order(
        self,
        ts: float,
        soc: int,
        ref_client: str,
        order_ts: float,
        lines: list[tuple[int, int, float]],
        channel: str,
        fulfillment: str,
        wh: int,
        shipping: float = 0.0,
        closed: bool = False,
    ) -> tuple[int, str, list[dict[str, Any]]]:
        oid = self.next_id("commande")
        ref = self.next_ref("SO", ts)
        utc = self.clock.utc(ts)
        out: list[dict[str, Any]] = []
        tot_ht = tot_tva = 0.0
        for rang, (sidx, qty, remise) in enumerate(lines):
            sku = self.skus[sidx]
            lid = self.next_id("commandedet")
            ht = r2(qty * sku.price * (1 - remise / 100))
            tva = r2(ht * sku.model.tva / 100)
            tot_ht += ht
            tot_tva += tva
            pa = round(self.pmp[sidx], 8)
            self.erp.insert_dict(
                "commandedet",
                {
                    "rowid": lid,
                    "fk_commande": oid,
                    "fk_product": sku.erp_id,
                    "label": None,
                    "description": sku.label_fr,
                    "tva_tx": sku.model.tva,
                    "qty": qty,
                    "remise_percent": remise,
                    "subprice": sku.price,
                    "total_ht": ht,
                    "total_tva": tva,
                    "total_ttc": r2(ht + tva),
                    "product_type": 0,
                    "buy_price_ht": pa,
                    "rang": rang + 1,
                    "multicurrency_subprice": sku.price,
                    "multicurrency_total_ht": ht,
                    "multicurrency_total_tva": tva,
                    "multicurrency_total_ttc": r2(ht + tva),
                },
            )
            out.append(
                {"id": lid, "sidx": sidx, "qty": qty, "remise": remise, "ht": ht, "tva": tva, "pa": pa}
            )
        if shipping:
            lid = self.next_id("commandedet")
            ht = r2(shipping)
            tva = r2(ht * 0.2)
            tot_ht += ht
            tot_tva += tva
            self.erp.insert_dict(
                "commandedet",
                {
                    "rowid": lid,
                    "fk_commande": oid,
                    "fk_product": None,
                    "label": "Frais de port",
                    "description": "Frais de port",
                    "tva_tx": 20.0,
                    "qty": 1,
                    "remise_percent": 0,
                    "subprice": round(shipping, 8),
                    "total_ht": ht,
                    "total_tva": tva,
                    "total_ttc": r2(ht + tva),
                    "product_type": 1,
                    "buy_price_ht": 0.0,
                    "rang": len(lines) + 1,
                    "multicurrency_subprice": round(shipping, 8),
                    "multicurrency_total_ht": ht,
                    "multicurrency_total_tva": tva,
                    "multicurrency_total_ttc": r2(ht + tva),
                },
            )
            out.append(
                {
                    "id": lid,
                    "sidx": None,
                    "qty": 1,
                    "remise": 0.0,
                    "ht": ht,
                    "tva": tva,
                    "pa": 0.0,
                    "subprice": round(shipping, 8),
                }
            )
        self.erp.insert_dict(
            "commande",
            {
                "rowid": oid,
                "ref": ref,
                "ref_client": ref_client,
                "fk_soc": soc,
                "tms": utc,
                "date_creation": utc,
                "date_valid": utc,
                "date_cloture": utc if closed else None,
                "date_commande": self.clock.local_day(order_ts),
                "fk_user_author": 1,
                "fk_user_valid": 1,
                "fk_user_cloture": 1 if closed else None,
                "source": None,
                "fk_statut": 3 if closed else 1,
                "total_ht": r2(tot_ht),
                "total_tva": r2(tot_tva),
                "total_ttc": r2(tot_ht + tot_tva),
                "note_private": "",
                "note_public": "",
                "model_pdf": "",
                "facture": 1 if closed else 0,
                "fk_warehouse": wh,
                "fk_multicurrency": 0,
                "multicurrency_code": "EUR",
                "multicurrency_tx": 1.0,
                "multicurrency_total_ht": r2(tot_ht),
                "multicurrency_total_tva": r2(tot_tva),
                "multicurrency_total_ttc": r2(tot_ht + tot_tva),
                "module_source": "takepos" if channel == "store" else None,
                "pos_source": None,
            },
        )
        self.erp.insert_dict(
            "commande_extrafields",
            {"rowid": oid, "tms": utc, "fk_object": oid, "channel": channel, "fulfillment": fulfillment},
        )
        return oid, ref, out

    def erp_ship(self, ts: float, order: dict[str, Any], wh: int) -> None:
        """Stock out, order closed and a paid invoice, at the moment the parcel leaves (or the ticket is rung)."""
        if not order.get("erp_id"):
            return
        utc = self.clock.utc(ts)
        label = f"Expédition {order['erp_ref']}"
        for line in order["erp_lines"]:
            if line["sidx"] is not None:
                self.movement(
                    line["sidx"],
                    wh,
                    -line["qty"],
                    2,
                    ts,
                    price=self.pmp[line["sidx"]],
                    label=label,
                    origin=order["erp_id"],
                    origintype="commande",
                )
        if not order.get("erp_closed"):
            self.erp.execute(
                "UPDATE commande SET fk_statut = 3, facture = 1, date_cloture = ?, fk_user_cloture = 1, tms = ? WHERE rowid = ?",
                (utc, utc, order["erp_id"]),
                flush="commande",
            )
        order["invoice"] = self.invoice(ts, order, credit_of=None)
        if order.get("channel") != "store":
            self.shipment(ts, order, wh)

    def shipment(self, ts: float, order: dict[str, Any], wh: int) -> None:
        """The ERP shipment of a web or marketplace order: lines per order line, carrier and tracking number."""
        sid = self.next_id("expedition")
        utc = self.clock.utc(ts)
        carrier = order.get("carrier", 2)
        for rang, line in enumerate(order["erp_lines"]):
            if line["sidx"] is not None:
                self.erp.insert_dict(
                    "expeditiondet",
                    {
                        "rowid": self.next_id("expeditiondet"),
                        "fk_expedition": sid,
                        "fk_element": order["erp_id"],
                        "fk_elementdet": line["id"],
                        "element_type": "order",
                        "fk_product": self.skus[line["sidx"]].erp_id,
                        "fk_entrepot": wh,
                        "qty": line["qty"],
                        "rang": rang,
                    },
                )
        tracking = order.get("tracking")
        if tracking is None:  # marketplace parcels leave with Colissimo
            tracking = f"6A{self.rng.randrange(10**11):011d}"
        self.erp.insert_dict(
            "expedition",
            {
                "rowid": sid,
                "tms": utc,
                "ref": self.next_ref("SH", ts),
                "fk_soc": order.get("soc") or order["person"].erp_id,
                "ref_customer": order.get("ref_client") or order.get("reference"),
                "date_creation": utc,
                "date_valid": utc,
                "fk_user_valid": 1,
                "date_delivery": None,
                "date_expedition": utc,
                "fk_shipping_method": SHIPMENT_MODES[carrier][0],
                "tracking_number": tracking,
                "fk_statut": 2,
                "billed": 1,
                "weight": round(
                    sum(
                        self.skus[x["sidx"]].weight * x["qty"]
                        for x in order["erp_lines"]
                        if x["sidx"] is not None
                    ),
                    3,
                ),
                "weight_units": 0,
                "size_units": 0,
                "model_pdf": "espadon",
                "origin_id": order["erp_id"],
                "origin": "commande",
            },
        )

    def invoice(
        self,
        ts: float,
        order: dict[str, Any],
        credit_of: dict[str, Any] | None,
        returned: list[tuple[dict[str, Any], int]] | None = None,
    ) -> dict[str, Any]:
        inv_id = self.next_id("facture")
        credit = credit_of is not None
        ref = self.next_ref("AV" if credit else "FA", ts)
        utc = self.clock.utc(ts)
        sign = -1 if credit else 1
        rows = returned if returned is not None else [(line, line["qty"]) for line in order["erp_lines"]]
        tot_ht = tot_tva = 0.0
        line_ids = {}
        for rang, (line, qty) in enumerate(rows):
            lid = self.next_id("facturedet")
            line_ids[line["id"]] = lid
            if line["sidx"] is None:
                sub = line.get("subprice", line["ht"])
                tva_tx, fk_product, label, ptype = 20.0, None, "Frais de port", 1
            else:
                sku = self.skus[line["sidx"]]
                sub, tva_tx, fk_product, label, ptype = sku.price, sku.model.tva, sku.erp_id, None, 0
            ht = sign * r2(qty * sub * (1 - line["remise"] / 100))
            tva = sign * r2(abs(ht) * tva_tx / 100)
            tot_ht += ht
            tot_tva += tva
            self.erp.insert_dict(
                "facturedet",
                {
                    "rowid": lid,
                    "fk_facture": inv_id,
                    "fk_product": fk_product,
                    "label": label,
                    "description": label
                    or (self.skus[line["sidx"]].label_fr if line["sidx"] is not None else ""),
                    "tva_tx": tva_tx,
                    "qty": qty,
                    "remise_percent": line["remise"],
                    "subprice": sign * sub,
                    "total_ht": ht,
                    "total_tva": tva,
                    "total_ttc": r2(ht + tva),
                    "product_type": ptype,
                    "buy_price_ht": line["pa"],
                    "rang": rang + 1,
                    "situation_percent": 100,
                    "batch": "",
                    "fk_warehouse": 0,
                    "multicurrency_subprice": sign * sub,
                    "multicurrency_total_ht": ht,
                    "multicurrency_total_tva": tva,
                    "multicurrency_total_ttc": r2(ht + tva),
                },
            )
            if credit:
                self.erp.insert_dict(
                    "facturedet_extrafields",
                    {"rowid": lid, "tms": utc, "fk_object": lid, "origin_line_id": str(line["id"])},
                )
        self.erp.insert_dict(
            "facture",
            {
                "rowid": inv_id,
                "ref": ref,
                "ref_client": order.get("ref_client") or order.get("reference"),
                "type": 2 if credit else 0,
                "fk_soc": order["soc"] if "soc" in order else order["person"].erp_id,
                "datec": utc,
                "datef": self.clock.local_day(ts),
                "date_valid": utc,
                "tms": utc,
                "date_closing": utc,
                "paye": 1,
                "total_tva": r2(tot_tva),
                "total_ht": r2(tot_ht),
                "total_ttc": r2(tot_ht + tot_tva),
                "fk_statut": 2,
                "fk_user_valid": 1,
                "fk_user_closing": 1,
                "fk_facture_source": credit_of["id"] if credit_of is not None else None,
                "fk_cond_reglement": 1,
                "fk_mode_reglement": 6,
                "date_lim_reglement": self.clock.local_day(ts),
                "note_private": None,
                "note_public": None,
                "model_pdf": "sponge",
                "module_source": "takepos" if order.get("channel") == "store" else None,
                "fk_multicurrency": 0,
                "multicurrency_code": "EUR",
                "multicurrency_tx": 1.0,
                "multicurrency_total_ht": r2(tot_ht),
                "multicurrency_total_tva": r2(tot_tva),
                "multicurrency_total_ttc": r2(tot_ht + tot_tva),
            },
        )
        return {"id": inv_id, "ref": ref, "lines": line_ids}

    def maybe_return(self, ts: float, order: dict[str, Any], p: float, wh: int) -> None:
        if not order.get("invoice"):
            return
        returned = []
        for line in order["erp_lines"]:
            if line["sidx"] is not None and self.chance(p):
                returned.append((line, self.rng.randint(1, line["qty"])))
        if returned:
            self.schedule(
                ts + self.rng.randint(3, 20) * DAY + self.rng.randint(9 * HOUR, 17 * HOUR) - (ts % HOUR),
                "customer_return",
                {"order": order, "lines": returned, "wh": wh},
            )

    def on_customer_return(self, ts: float, p: dict[str, Any]) -> None:
        order = p["order"]
        credit = self.invoice(ts, order, credit_of=order["invoice"], returned=p["lines"])
        for line, qty in p["lines"]:
            self.movement(
                line["sidx"],
                p["wh"],
                qty,
                3,
                ts,
                price=line["pa"],
                label=f"Retour client {credit['ref']}",
                origin=credit["id"],
                origintype="facture",
            )
            if p["wh"] != WH_CENTRAL:
                self.store_dirty_mark(p["wh"], line["sidx"])
        if order.get("channel") == "store":
            self.pos_line_return(ts, order, p["lines"])

    def store_dirty_mark(self, wh: int, sidx: int) -> None:
        for code, wid in WH_STORES.items():
            if wid == wh:
                self.store_dirty[code].add(sidx)

    # ---------------------------------------------------------------- marketplace
    def on_mkp_order(self, ts: float, day: int) -> None:
        lines = self._lines(day, lambda s, q: self.atp(s) >= q)
        if not lines:
            return
        n = self.next_id("mkp")
        mkp_ref = f"MKE-{n:09d}"
        postcode, city = self.rng.choice(vocab.CITIES)
        buyer = hashlib.sha1(f"{self.seed}:buyer:{n}".encode()).hexdigest()[:16]
        order: dict[str, Any] = {
            "ref_client": mkp_ref,
            "soc": self.special_soc["marketplace"],
            "channel": "marketplace",
            "ts": ts,
            "buyer_email": f"{buyer}@relay.marketplace-europa.example",
            "city": city,
            "postcode": postcode,
        }
        for sidx, qty in lines:
            self.committed[sidx] += qty
        order["erp_id"], order["erp_ref"], order["erp_lines"] = self.erp_order(
            ts, order["soc"], mkp_ref, ts, [(s, q, 0.0) for s, q in lines], "marketplace", "ship", WH_CENTRAL
        )
        order["lines"] = lines
        ship_ts = ts + self.rng.randint(1, 2) * DAY + self.rng.randint(-3, 3) * HOUR
        returns = [
            (line, self.rng.randint(1, line["qty"])) for line in order["erp_lines"] if self.chance(0.03)
        ]
        return_ts = ship_ts + self.rng.randint(5, 22) * DAY
        order["ship_ts"], order["returns"], order["return_ts"] = ship_ts, returns, return_ts
        self.files.marketplace_order(order, self.skus, self.end_ts)
        self.schedule(ship_ts, "mkp_ship", order)

    def on_mkp_ship(self, ts: float, order: dict[str, Any]) -> None:
        for sidx, qty in order["lines"]:
            self.committed[sidx] -= qty
        self.erp_ship(ts, order, WH_CENTRAL)
        if order["returns"]:
            self.schedule(
                order["return_ts"],
                "customer_return",
                {"order": order, "lines": order["returns"], "wh": WH_CENTRAL},
            )

    # ---------------------------------------------------------------- stores
    def on_store_ticket(
        self, ts: float, store: str, day: int, forced: list[tuple[int, int, float]] | None = None
    ) -> dict[str, Any] | None:
        wh = WH_STORES[store]
        if forced is None:
            lines = [(s, q, 0.0) for s, q in self._lines_store(day, store, wh)]
        else:
            lines = forced
        if not lines:
            return None
        person: Person | None = None
        if forced is None and self.chance(0.3):
            if self.loyalty and self.chance(0.5):
                person = self.rng.choice(self.loyalty)
            elif not self.duplicate_done and day > 20 and any(c.erp_id for c in self.web_customers):
                person = self._duplicate_person(ts)
            else:
                person = self.new_person()
                person.erp_id = self.erp_customer(person, ts)
                self.loyalty.append(person)
        soc = person.erp_id if person else self.special_soc[store]
        ticket = f"T-{store}-{self.clock.local_day(ts).replace('-', '')}-{self.next_id('ticket_' + store + str(day)):04d}"
        order = {
            "ref_client": ticket,
            "soc": soc,
            "channel": "store",
            "store": store,
            "person": person,
            "ts": ts,
            "payment": self.rng.choice(vocab.POS_PAYMENTS),
        }
        order["erp_id"], order["erp_ref"], order["erp_lines"] = self.erp_order(
            ts, soc, ticket, ts, lines, "store", "in_store", wh, closed=True
        )
        order["erp_closed"] = True
        self.erp_ship(ts, order, wh)
        for sidx, _q, _r in lines:
            self.store_dirty[store].add(sidx)
        self.pos_ticket(order)
        self.maybe_return(ts - 2 * DAY, order, 0.01, wh)
        return order

    def _lines_store(self, day: int, store: str, wh: int) -> list[tuple[int, int]]:
        lines: dict[int, int] = {}
        for _ in range(1 + min(3, int(self.rng.expovariate(1.6)))):
            sidx = self.pick_sku(day, store=store)
            if sidx is None or sidx in lines:
                continue
            qty = 1 if self.chance(0.85) else 2
            if self.on_hand[sidx][wh] >= qty:
                lines[sidx] = qty
        return list(lines.items())

    def _duplicate_person(self, ts: float) -> Person:
        """One person, already a web customer in the ERP, gets a loyalty card: a second third party."""
        web = next(c for c in self.web_customers if c.erp_id)
        twin = Person(web.first, web.last, web.email, web.phone, web.street, web.postcode, web.city)
        local, _, domain = web.email.partition("@")
        email_variant = f" {local.title()}@{domain.upper()} "
        digits = "".join(ch for ch in web.phone if ch.isdigit())
        phone_variant = "+33" + digits[1:]
        twin.erp_id = self.erp_customer(twin, ts, email=email_variant, phone=phone_variant)
        self.loyalty.append(twin)
        self.duplicate_done = True
        self.truth["duplicate_customers"].append(
            {
                "email_variants": [web.email, email_variant],
                "phone_variants": [web.phone, phone_variant],
                "erp_thirdparty_ids": [web.erp_id, twin.erp_id],
                "shop_customer_ids": [web.ps_id],
                "normalized_email": web.email.strip().lower(),
                "normalized_phone": phone_variant,
            }
        )
        return twin

    def on_below_cost_ticket(self, ts: float, day: int) -> None:
        sidx = self.below_cost_sku
        assert sidx is not None
        store = self.skus[sidx].stores[0]
        wh = WH_STORES[store]
        if self.on_hand[sidx][wh] < 1:
            self.movement(
                sidx,
                WH_CENTRAL,
                -1,
                1,
                ts - 3600,
                price=self.pmp[sidx],
                label=f"Transfert vers WH-{store}",
                code=f"TRF-{self.clock.local_day(ts).replace('-', '')}-{store}-SOLDE",
            )
            self.movement(
                sidx,
                wh,
                1,
                0,
                ts - 3600,
                price=self.pmp[sidx],
                label="Transfert depuis WH-CENTRAL",
                code=f"TRF-{self.clock.local_day(ts).replace('-', '')}-{store}-SOLDE",
            )
        order = self.on_store_ticket(ts, store, day, forced=[(sidx, 1, 80.0)])
        assert order is not None
        line = order["erp_lines"][0]
        sku = self.skus[sidx]
        self.truth["below_cost_lines"].append(
            {
                "channel": "store",
                "order_ref": order["ref_client"],
                "erp_order_ref": order["erp_ref"],
                "line_id": line["id"],
                "sku": sku.ref,
                "unit_price_excl_tax": round(sku.price * 0.2, 2),
                "unit_cost": round(line["pa"], 4),
            }
        )

    def pos_ticket(self, order: dict[str, Any]) -> None:
        person = order["person"]
        rows = self.pos_buffer.setdefault(order["store"], [])
        for n, line in enumerate(order["erp_lines"], start=1):
            sku = self.skus[line["sidx"]]
            unit_ttc = r2(sku.price * (1 + sku.model.tva / 100))
            gross = r2(unit_ttc * line["qty"])
            net = r2(line["ht"] + line["tva"])
            rows.append(
                [
                    order["store"],
                    order["ref_client"],
                    self.clock.local(order["ts"]),
                    n,
                    sku.ref,
                    sku.ean,
                    line["qty"],
                    f"{unit_ttc:.2f}",
                    f"{r2(gross - net):.2f}",
                    f"{sku.model.tva:g}",
                    order["payment"],
                    person.email.strip() if person else "",
                    person.phone if person else "",
                    "",
                ]
            )

    def pos_line_return(
        self, ts: float, order: dict[str, Any], lines: list[tuple[dict[str, Any], int]]
    ) -> None:
        rows = self.pos_buffer.setdefault(order["store"], [])
        ticket = f"R-{order['store']}-{self.clock.local_day(ts).replace('-', '')}-{self.next_id('return_ticket'):04d}"
        for n, (line, qty) in enumerate(lines, start=1):
            sku = self.skus[line["sidx"]]
            unit_ttc = r2(sku.price * (1 + sku.model.tva / 100) * (1 - line["remise"] / 100))
            rows.append(
                [
                    order["store"],
                    ticket,
                    self.clock.local(ts),
                    n,
                    sku.ref,
                    sku.ean,
                    -qty,
                    f"{unit_ttc:.2f}",
                    "0.00",
                    f"{sku.model.tva:g}",
                    order["payment"],
                    "",
                    "",
                    order["ref_client"],
                ]
            )

    # ---------------------------------------------------------------- promotions
    def plan_promotions(self) -> None:
        for _ in range(max(2, round(3 * math.sqrt(self.scale)))):
            start = self.start_ts + self.rng.randrange(10, self.ndays - 20) * DAY
            end = start + self.rng.randint(7, 14) * DAY - 1
            models = set(self.rng.sample(range(len(self.models)), max(1, len(self.models) // 12)))
            red = self.rng.choice((0.10, 0.15, 0.20, 0.25))
            self.promos.append((start, end, models, red))
            for midx in sorted(models):
                self.ps.insert_dict(
                    "specific_prices",
                    {
                        "id": self.next_id("ps_specific_price"),
                        "id_shop_group": 0,
                        "id_shop": 0,
                        "id_cart": 0,
                        "id_product": self.models[midx].ps_id,
                        "id_product_attribute": 0,
                        "id_currency": 0,
                        "id_country": 0,
                        "id_group": 0,
                        "id_customer": 0,
                        "id_specific_price_rule": 0,
                        "price": -1.0,
                        "from_quantity": 1,
                        "reduction": red,
                        "reduction_tax": 1,
                        "reduction_type": "percentage",
                        "from": self.clock.local(start),
                        "to": self.clock.local(end),
                    },
                )

    # ---------------------------------------------------------------- the end: stock snapshots and truth
    def finish(self) -> dict[str, Any]:
        from sandbox.generator.truth import finish_world

        return finish_world(self)


def _split_columns(cols: str) -> list[str]:
    parts: list[str] = []
    cur: list[str] = []
    depth = 0
    for ch in cols:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    parts.append("".join(cur))
    return [p for p in (x.strip() for x in parts) if p]


def _code(cur: int) -> str:
    return {EUR: "EUR", GBP: "GBP", USD: "USD"}[cur]


def _bcrypt_like(seed: int, n: int) -> str:
    """A string shaped like PrestaShop's bcrypt `passwd` (not a hash of any real password)."""
    alphabet = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    digest = hashlib.sha512(f"{seed}:{n}:pw".encode()).digest()
    return "$2y$10$" + "".join(alphabet[b % 64] for b in digest[:53])
