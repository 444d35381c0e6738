"""The PrestaShop 8.1.2 webservice emulator at `/api/`, backed by the world's `prestashop.sqlite`."""

# ruff: noqa: S608 - table and column names in these SQL strings come from the fixed schema (checked
# against PRAGMA table_info where a request names them); every value is a bound parameter.

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element

import orjson
from defusedxml import ElementTree as SafeET

from sandbox.generator.clock import WorldClock
from sandbox.httpcore import App, Request, Response, json_response, rows_admin
from sandbox.prestashop.query import WsError, compile_list, did_you_mean, parse_display, parse_languages
from sandbox.prestashop.render import XML_HEAD, XML_TAIL, Renderer, cdata
from sandbox.prestashop.schema import ALL_RESOURCE_NAMES, RESOURCES, Field, Resource

PS_VERSION = "8.1.2"
REALM = 'Basic realm="Welcome to PrestaShop Webservice, please enter the authentication key as the login. No password required."'
METHODS = ("GET", "PUT", "POST", "PATCH", "DELETE", "HEAD")
XML_TYPE = "text/xml;charset=utf-8"
JSON_TYPE = "application/json"


class PrestaShopApp(App):
    """Answers the webservice as a real 8.1.2 shop does; settings toggle what real shops differ on."""

    system = "prestashop"

    def __init__(self, db_path: Path, *, port: int = 0) -> None:
        super().__init__(db_path, port)
        meta = dict(self.db.execute("SELECT key, value FROM meta").fetchall())
        self.settings: dict[str, Any] = {
            "patch_allowed": False,
            "languages": 1,
            "timezone": meta.get("timezone", "Europe/Paris"),
            "shop_name": "Maison Exemple",
            "json_empty_list": "bare",
        }
        self._wall: WorldClock | None = None

    # ------------------------------------------------------------------------------------- helpers
    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/"

    def languages(self) -> list[int]:
        return [1, 2][: max(1, min(2, int(self.settings["languages"])))]

    def local_now(self) -> str:
        """The shop's wall-clock time (PrestaShop stores dates in its configured zone, without offset)."""
        tz = str(self.settings["timezone"])
        if self._wall is None or self._wall.tz.key != tz:
            self._wall = WorldClock(tz)
        return self._wall.local(self.clock.now())

    # ------------------------------------------------------------------------------------ dispatch
    def handle(self, request: Request) -> Response:
        path = request.path
        if not (path == "/api" or path.startswith("/api/")):
            return Response(404, b"Not Found", [("Content-Type", "text/html; charset=utf-8")])
        params = dict(request.query)
        filters = {}
        for key, value in request.query:
            m = re.fullmatch(r"filter\[([^\]]*)\]", key)
            if m:
                filters[m.group(1)] = value
        method = params.get("ps_method", request.method).upper()
        out = (
            request.header("io-format")
            or request.header("output-format")
            or params.get("io_format")
            or params.get("output_format")
            or "XML"
        ).upper()
        json_out = out == "JSON"
        rest = path[len("/api") :].lstrip("/")
        segments = rest.split("/") if rest else [""]
        resource_name = segments[0]
        object_id = segments[1] if len(segments) > 1 else ""
        try:
            self._authenticate(request, params)
            if resource_name == "":
                return self._resource_list(json_out, method)
            if resource_name not in ALL_RESOURCE_NAMES:
                raise WsError(
                    400,
                    (
                        27,
                        did_you_mean(
                            f'Resource of type "{resource_name}" does not exists',
                            resource_name,
                            list(ALL_RESOURCE_NAMES),
                        ),
                    ),
                )
            if method not in METHODS:
                raise WsError(405, (23, f"Method {method} is not valid"))
            res = RESOURCES.get(resource_name)
            forbidden = res.forbidden if res else ("PUT", "POST", "PATCH", "DELETE")
            if method in forbidden:
                raise WsError(405, (101, f"Method {method} is not allowed for the resource {resource_name}"))
            if method == "PATCH" and not self.settings["patch_allowed"]:
                raise WsError(
                    405,
                    (
                        25,
                        f"Method PATCH is not allowed for the resource {resource_name} with this "
                        "authentication key",
                    ),
                )
            if res is None:
                return self._empty_resource(resource_name, object_id, json_out)
            if method in ("GET", "HEAD"):
                return self._get(res, object_id, params, filters, json_out, request)
            if method == "DELETE":
                return self._delete(res, object_id, params, json_out)
            return self._write(res, method, object_id, request.body, json_out, params)
        except WsError as err:
            return self._error(err, json_out)

    def _authenticate(self, request: Request, params: dict[str, str]) -> str:
        key: str | None = None
        auth = request.header("authorization") or ""
        if auth.lower().startswith("basic "):
            try:
                key = base64.b64decode(auth[6:].strip()).decode("utf-8", "replace").split(":", 1)[0]
            except ValueError:
                key = ""
        if key is None and "ws_key" in params:
            key = params["ws_key"]
        if key is None:
            raise _Unauthorized()
        if key == "":
            raise WsError(401, (17, "Authentication key is empty"))
        if len(key) != 32:
            raise WsError(401, (18, "Invalid authentication key format"))
        row = self.db.execute("SELECT active FROM ws_keys WHERE key = ?", (key,)).fetchone()
        if row is None or not row[0]:
            raise WsError(
                401,
                (20, "Authentification key is not active"),
                (21, "No permission for this authentication key"),
            )
        return key

    # -------------------------------------------------------------------------------------- output
    def _headers(
        self, json_out: bool, *, sha: str | None = None, version: str = PS_VERSION
    ) -> list[tuple[str, str]]:
        """The answer's headers; `Content-Sha1` when a successful answer has a body (`sha`: its SHA-1)."""
        headers = [
            # the server's clock at the answer: the same clock that stamps `date_upd` on writes
            ("Access-Time", str(int(self.clock.now()))),
            ("X-Powered-By", "PrestaShop Webservice"),
            ("PSWS-Version", version),
            ("Execution-Time", "0.003"),
        ]
        if sha is not None:
            headers.append(("Content-Sha1", sha))
        headers.append(("Content-Type", JSON_TYPE if json_out else XML_TYPE))
        return headers

    def _ok(self, status: int, body: bytes, json_out: bool, request: Request | None = None) -> Response:
        sha = hashlib.sha1(body).hexdigest()
        if request is not None and request.header("local-content-sha1") == sha:
            return Response(304, b"", [("PSWS-Version", PS_VERSION), ("Content-Sha1", sha)])
        return Response(status, body, self._headers(json_out, sha=sha if body else None))

    def _error(self, err: WsError, json_out: bool) -> Response:
        if isinstance(err, _Unauthorized):
            return Response(
                401,
                b"401 Unauthorized",
                [("WWW-Authenticate", REALM), ("Content-Type", "text/html; charset=utf-8")],
            )
        if json_out:
            body = orjson.dumps({"errors": [{"code": c, "message": m} for c, m in err.errors]})
        else:
            inner = "".join(
                f"<error>\n<code>{cdata(c)}</code>\n<message>{cdata(m)}</message>\n</error>\n"
                for c, m in err.errors
            )
            body = (XML_HEAD + "<errors>\n" + inner + "</errors>\n" + XML_TAIL).encode()
        headers = self._headers(json_out, version="0" if err.status == 401 else PS_VERSION)
        if err.status == 401:
            headers.insert(0, ("WWW-Authenticate", REALM))
        return Response(err.status, body, headers)

    def _empty_json(self, resource: str) -> bytes:
        """8.1.2 answers an empty JSON list as a bare `[]`; other releases as `{"<resource>": []}`."""
        return b"[]" if self.settings["json_empty_list"] == "bare" else orjson.dumps({resource: []})

    def _renderer(self, params: dict[str, str]) -> Renderer:
        available = self.languages()
        shown = parse_languages(params.get("language"), available)
        return Renderer(self.base, available, shown)

    # ------------------------------------------------------------------------------------ reading
    def _resource_list(self, json_out: bool, method: str) -> Response:
        if json_out:
            # 8.1.2 under PHP 8 fails here (TypeError in the JSON renderer): 500 with an empty body.
            return Response(500, b"", [("Content-Type", "text/html; charset=utf-8")])
        parts = [XML_HEAD, f'<api shopName="{self.settings["shop_name"]}">\n']
        for name in sorted(ALL_RESOURCE_NAMES):
            res = RESOURCES.get(name)
            # Resources the emulator holds no data for are listed read-only (they answer empty lists).
            allowed = set(METHODS) - set(res.forbidden) if res else {"GET", "HEAD"}
            if not self.settings["patch_allowed"]:
                allowed.discard("PATCH")
            attrs = " ".join(
                f'{m.lower()}="{"true" if m in allowed else "false"}"'
                for m in ("GET", "PUT", "POST", "PATCH", "DELETE", "HEAD")
            )
            href = f'xlink:href="{self.base}{name}"'
            description = res.description if res else "The " + name.replace("_", " ")
            parts.append(
                f"<{name} {href} {attrs}>\n<description {href} {attrs}>\n{description}</description>\n"
            )
            if res:
                parts.append(f'<schema xlink:href="{self.base}{name}?schema=blank" type="blank"/>\n')
                parts.append(f'<schema xlink:href="{self.base}{name}?schema=synopsis" type="synopsis"/>\n')
            parts.append(f"</{name}>\n")
        parts.append("</api>\n" + XML_TAIL)
        return self._ok(200, "".join(parts).encode(), False)

    def _empty_resource(self, name: str, object_id: str, json_out: bool) -> Response:
        if object_id:
            return Response(404, b"", [("PSWS-Version", PS_VERSION)])
        body = (
            self._empty_json(name) if json_out else (XML_HEAD + f"<{name}>\n</{name}>\n" + XML_TAIL).encode()
        )
        return self._ok(200, body, json_out)

    def _get(
        self,
        res: Resource,
        object_id: str,
        params: dict[str, str],
        filters: dict[str, str],
        json_out: bool,
        request: Request,
    ) -> Response:
        renderer = self._renderer(params)
        if "schema" in params:
            if params["schema"] not in ("blank", "synopsis"):
                raise WsError(
                    400,
                    (
                        28,
                        "Please select a schema of type 'synopsis' to get the whole schema informations "
                        "(which fields are required, which kind of content...) or 'blank' to get an "
                        "empty schema to fill before using POST request",
                    ),
                )
            if json_out:
                blank = {f.name: "" for f in res.fields if f.name != "id"}
                return self._ok(200, orjson.dumps({res.node: blank}), True, request)
            return self._ok(
                200,
                (XML_HEAD + renderer.xml_blank(res, params["schema"] == "synopsis") + XML_TAIL).encode(),
                False,
                request,
            )
        display = parse_display(res, params.get("display"))
        if object_id:
            row = self.db.execute(f'SELECT * FROM "{res.name}" WHERE id = ?', (_int(object_id),)).fetchone()
            if row is None:
                # A missing object answers 404 with no body and no content type, even in JSON.
                return Response(404, b"", [("PSWS-Version", PS_VERSION)])
            if display.mode == "some":
                return self._render_list(res, [dict(row)], display, renderer, json_out, request)
            return self._render_single(res, dict(row), renderer, json_out, 200, request)
        languages = renderer.shown or self.languages()
        q = compile_list(
            res,
            filters,
            params.get("sort"),
            params.get("limit"),
            params.get("date") not in (None, "", "0"),
            languages,
        )
        order = q.order or [f'main."{res.default_order}" ASC']
        if json_out and display.mode != "ids":
            return self._json_list(res, display, renderer, q, order, request)
        # Only the columns the answer shows (large pages of a few fields are what sweeps ask for).
        if display.mode == "full":
            selected = "main.*"
        else:
            wanted = {"id", *display.fields}
            selected = ", ".join(f'main."{f.name}"' for f in res.plain_fields if f.name in wanted)
        sql = f'SELECT {selected} FROM "{res.name}" main {q.join} WHERE {_where_order_limit(q, order)}'
        cursor = self.db.execute(sql, q.order_params + q.params)
        names = [d[0] for d in cursor.description]
        rows = [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]
        return self._render_list(res, rows, display, renderer, json_out, request)

    def _json_list(
        self, res: Resource, display: Any, renderer: Renderer, q: Any, order: list[str], request: Request
    ) -> Response:
        """A JSON list rendered by SQLite's JSON functions: the bytes `_render_list` gives, without a Python
        object per row (large pages are what a sync reads)."""
        fields, assoc_fields = self._fields_for(res, display)
        assocs = []
        for a in res.associations:
            sql = _ASSOC_SQL.get((res.name, a.name))
            if a.name in assoc_fields and sql:
                wanted = set(assoc_fields[a.name])
                keys = [k for k in self._assoc_columns(sql) if k in wanted]
                assocs.append((a.name, sql.format(ids="main.id"), keys))
        select, joins, lang_params = renderer.json_list_sql(res, fields, assocs)
        sql = f'SELECT {select} FROM "{res.name}" main {q.join}{joins} WHERE {_where_order_limit(q, order)}'
        objects = []
        for obj, *arrays in self.db.execute(sql, q.order_params + lang_params + q.params):
            shown = [f'"{name}":{array}' for (name, _, _), array in zip(assocs, arrays, strict=True) if array]
            objects.append(obj[:-1] + ',"associations":{' + ",".join(shown) + "}}" if shown else obj)
        if not objects:
            return self._ok(200, self._empty_json(res.name), True, request)
        body = ('{"' + res.name + '":[' + ",".join(objects) + "]}").encode()
        return self._ok(200, body, True, request)

    def _assoc_columns(self, sql: str) -> list[str]:
        """The item columns an association's SQL selects (its owner aside), asked of SQLite once per SQL."""
        columns = _ASSOC_COLUMNS.get(sql)
        if columns is None:
            cursor = self.db.execute(f"SELECT * FROM ({sql.format(ids='NULL')}) LIMIT 0")
            columns = _ASSOC_COLUMNS[sql] = [d[0] for d in cursor.description if d[0] != "_owner"]
        return columns

    def _fields_for(self, res: Resource, display: Any) -> tuple[list[Field], dict[str, list[str]]]:
        if display.mode == "full":
            return list(res.fields), {a.name: list(a.fields) for a in res.associations}
        wanted = set(display.fields) | {"id"}
        fields = [f for f in res.fields if f.name in wanted]
        return fields, {
            name: (subs if "id" in subs else ["id", *subs]) for name, subs in display.associations.items()
        }

    def _render_list(
        self,
        res: Resource,
        rows: list[dict[str, Any]],
        display: Any,
        renderer: Renderer,
        json_out: bool,
        request: Request,
    ) -> Response:
        if display.mode == "ids":
            if json_out:
                body = (
                    orjson.dumps({res.name: [{"id": r["id"]} for r in rows]})
                    if rows
                    else self._empty_json(res.name)
                )
            else:
                items = "".join(
                    f'<{res.node} id="{r["id"]}" xlink:href="{self.base}{res.name}/{r["id"]}"/>\n'
                    for r in rows
                )
                body = (XML_HEAD + f"<{res.name}>\n{items}</{res.name}>\n" + XML_TAIL).encode()
            return self._ok(200, body, json_out, request)
        fields, assoc_fields = self._fields_for(res, display)
        ids = [r["id"] for r in rows]
        lang_names = [f.name for f in fields if f.lang]
        langs = self._lang_rows(res, ids, renderer.shown, lang_names) if lang_names else {}
        assocs = self._associations(res, ids, assoc_fields)
        if json_out:
            if not rows:
                return self._ok(200, self._empty_json(res.name), True, request)
            objects = renderer.json_objects(res, rows, langs, assocs, fields, assoc_fields)
            return self._ok(200, orjson.dumps({res.name: objects}), True, request)
        parts = [XML_HEAD, f"<{res.name}>\n"]
        for r in rows:
            parts.append(
                renderer.xml_object(
                    res,
                    r,
                    langs.get(r["id"], {}),
                    {k: v.get(r["id"], []) for k, v in assocs.items()},
                    fields,
                    assoc_fields,
                )
            )
        parts.append(f"</{res.name}>\n" + XML_TAIL)
        return self._ok(200, "".join(parts).encode(), False, request)

    def _render_single(
        self,
        res: Resource,
        row: dict[str, Any],
        renderer: Renderer,
        json_out: bool,
        status: int,
        request: Request | None = None,
    ) -> Response:
        fields, assoc_fields = list(res.fields), {a.name: list(a.fields) for a in res.associations}
        langs = self._lang_rows(res, [row["id"]], renderer.shown) if res.lang_fields else {}
        assocs = {
            k: v.get(row["id"], []) for k, v in self._associations(res, [row["id"]], assoc_fields).items()
        }
        if json_out:
            obj = renderer.json_object(res, row, langs.get(row["id"], {}), assocs, fields, assoc_fields)
            # A single object in JSON goes through PHP's array_filter: every falsy value disappears.
            obj = {k: v for k, v in obj.items() if v not in (0, "0", "", None, False, [])}
            body = orjson.dumps({res.node: obj})
        else:
            body = (
                XML_HEAD
                + renderer.xml_object(res, row, langs.get(row["id"], {}), assocs, fields, assoc_fields)
                + XML_TAIL
            ).encode()
        return self._ok(status, body, json_out, request)

    def _lang_rows(
        self, res: Resource, ids: list[int], shown: list[int], names: list[str] | None = None
    ) -> dict[int, dict[int, dict[str, Any]]]:
        out: dict[int, dict[int, dict[str, Any]]] = {}
        if not ids or not shown:
            return out
        names = names or [f.name for f in res.lang_fields]
        columns = ", ".join(f'"{n}"' for n in names)
        lmarks = ",".join("?" * len(shown))
        for chunk in _chunks(ids):
            marks = ",".join("?" * len(chunk))
            for r in self.db.execute(
                f'SELECT id, id_lang, {columns} FROM "{res.name}_lang" WHERE id IN ({marks}) AND id_lang IN ({lmarks})',
                [*chunk, *shown],
            ):
                out.setdefault(r[0], {})[r[1]] = dict(zip(names, r[2:], strict=True))
        return out

    def _associations(
        self, res: Resource, ids: list[int], wanted: dict[str, list[str]]
    ) -> dict[str, dict[int, list[dict[str, Any]]]]:
        out: dict[str, dict[int, list[dict[str, Any]]]] = {}
        for name in wanted:
            sql = _ASSOC_SQL.get((res.name, name))
            data: dict[int, list[dict[str, Any]]] = {}
            if sql and ids:
                for chunk in _chunks(ids):
                    marks = ",".join("?" * len(chunk))
                    for r in self.db.execute(sql.format(ids=marks), chunk):
                        item = dict(r)
                        owner = item.pop("_owner")
                        data.setdefault(owner, []).append(item)
            out[name] = data
        return out

    # ------------------------------------------------------------------------------------ writing
    def _write(
        self, res: Resource, method: str, object_id: str, body: bytes, json_out: bool, params: dict[str, str]
    ) -> Response:
        text = body.decode("utf-8", "replace")
        if text.startswith("xml="):
            text = text[4:]
        try:
            root = SafeET.fromstring(text)
        except Exception as exc:  # noqa: BLE001 - any parse failure (incl. defused entities) is code 127
            raise WsError(
                500, (127, f"XML error : {exc}\nXML length : {len(text)}\nOriginal XML : {text}")
            ) from exc
        entities = list(root)
        ids = [(e.findtext("id") or "").strip() for e in entities]
        if method in ("PUT", "PATCH"):
            present = [i for i in ids if i != ""]
            if len(set(present)) != len(present):
                raise WsError(400, (89, "id is duplicate in request"))
            if len(present) != len(entities):
                raise WsError(400, (90, "id is required when modifying a resource"))
        elif method == "POST" and any(ids):
            raise WsError(400, (91, "id is forbidden when adding a new resource"))
        now = self.local_now()
        saved: list[int] = []
        self.db.execute("BEGIN")
        try:
            for entity in entities:
                saved.append(self._save_entity(res, method, entity, now, params))
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        row = self.db.execute(f'SELECT * FROM "{res.name}" WHERE id = ?', (saved[-1],)).fetchone()
        return self._render_single(
            res, dict(row), self._renderer({}), json_out, 201 if method == "POST" else 200
        )

    def _save_entity(
        self, res: Resource, method: str, entity: Element, now: str, params: dict[str, str]
    ) -> int:
        current: dict[str, Any] | None = None
        if method in ("PUT", "PATCH"):
            oid = _int((entity.findtext("id") or "").strip())
            found = self.db.execute(f'SELECT * FROM "{res.name}" WHERE id = ?', (oid,)).fetchone()
            if found is None:
                raise WsError(404, (92, "Invalid ID"))
            current = dict(found)
        values: dict[str, Any] = {}
        lang_values: dict[str, dict[int, str]] = {}
        for f in res.fields:
            node = entity.find(f.name)
            if method == "PATCH" and node is None:
                continue
            if f.name == "id":
                continue
            if f.lang:
                if node is not None and node.find("language") is not None:
                    lang_values[f.name] = {
                        _int(lang.get("id", "0")): lang.text or "" for lang in node.findall("language")
                    }
                elif method != "PATCH" or node is not None:
                    lang_values[f.name] = dict.fromkeys(
                        self.languages(), (node.text or "") if node is not None else ""
                    )
                continue
            if node is not None:
                if f.ro:
                    raise WsError(
                        400,
                        (93, f'parameter "{f.name}" not writable. Please remove this attribute of this XML'),
                    )
                values[f.name] = _parse_value(res, f, node.text or "")
            elif f.req:
                raise WsError(400, (41, f'parameter "{f.name}" required'))
            elif not f.getter:
                values[f.name] = _default(f)  # omitted: emptied (PUT is a full replace)
        for f in res.lang_fields:
            if f.req and f.name in lang_values and not lang_values[f.name].get(1, "").strip():
                raise WsError(
                    400,
                    (
                        84,
                        f'Validation error: "Property {_class(res)}->{f.name} is empty for default language."',
                    ),
                )
        return self._apply(res, method, current, values, lang_values, entity, now, params)

    def _apply(
        self,
        res: Resource,
        method: str,
        current: dict[str, Any] | None,
        values: dict[str, Any],
        lang_values: dict[str, dict[int, str]],
        entity: Element,
        now: str,
        params: dict[str, str],
    ) -> int:
        name = res.name
        if name == "stock_availables":
            depends = values.get("depends_on_stock", current.get("depends_on_stock") if current else 0)
            if depends:
                raise WsError(
                    500,
                    (133, "You cannot update the available stock when it depends on stock."),
                    (46, "Unable to save resource"),
                )
        if name == "customers":
            passwd = values.get("passwd")
            if passwd is not None and (current is None or passwd != current.get("passwd")):
                values["passwd"] = "$2y$10$" + hashlib.sha256(f"{passwd}:{now}".encode()).hexdigest()[:53]
                values["last_passwd_gen"] = now
            if current is None:
                values["secure_key"] = hashlib.md5(f"{values.get('email')}:{now}".encode()).hexdigest()
            email = values.get("email") if "email" in values else None
            if email is not None and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email):
                raise WsError(400, (85, 'Validation error: "Property Customer->email is not valid."'))
        if "date_upd" in res.field_map and name not in ("stock_availables",):
            values["date_upd"] = now
        if current is None and "date_add" in res.field_map:
            values["date_add"] = values.get("date_add") or now
        if (
            name == "orders"
            and current is not None
            and values.get("current_state") not in (None, current["current_state"])
        ):
            self._add_history(current["id"], int(values["current_state"]), now)
        if current is None:
            oid = self._next_id(name)
            row = {f.name: _default(f) for f in res.plain_fields}
            row.update({k: v for k, v in values.items() if v is not None})
            row["id"] = oid
            if name == "order_histories":
                row["date_add"] = now
            cols = list(row)
            quoted = ", ".join(f'"{c}"' for c in cols)
            self.db.execute(
                f'INSERT INTO "{name}" ({quoted}) VALUES ({", ".join("?" * len(cols))})',
                [row[c] for c in cols],
            )
        else:
            oid = current["id"]
            if values:
                sets = ", ".join(f'"{k}" = ?' for k in values)
                self.db.execute(f'UPDATE "{name}" SET {sets} WHERE id = ?', [*values.values(), oid])
        for fname, per_lang in lang_values.items():
            for lid, text in per_lang.items():
                self.db.execute(
                    f'INSERT INTO "{name}_lang" (id, id_lang) VALUES (?, ?) ON CONFLICT DO NOTHING',
                    (oid, lid),
                )
                self.db.execute(
                    f'UPDATE "{name}_lang" SET "{fname}" = ? WHERE id = ? AND id_lang = ?', (text, oid, lid)
                )
        assoc_root = entity.find("associations")
        if assoc_root is not None:
            for block in assoc_root:
                self._write_association(res, oid, block)
        self._side_effects(res, oid, current, values, now)
        return oid

    def _write_association(self, res: Resource, oid: int, block: Element) -> None:
        if res.association(block.tag) is None and block.tag != "i18n":
            raise WsError(400, (86, f'The association "{block.tag}" does not exists'))
        ids = [_int(item.findtext("id") or "0") for item in block]
        target = _ASSOC_WRITE.get((res.name, block.tag))
        if target is None:
            return
        table, owner, col = target
        self.db.execute(f'DELETE FROM "{table}" WHERE "{owner}" = ?', (oid,))
        for pos, value in enumerate(ids):
            if table in ("product_categories", "product_images"):
                self.db.execute(f'INSERT INTO "{table}" VALUES (?, ?, ?)', (oid, value, pos))
            else:
                self.db.execute(f'INSERT INTO "{table}" ("{owner}", "{col}") VALUES (?, ?)', (oid, value))

    def _side_effects(
        self, res: Resource, oid: int, current: dict[str, Any] | None, values: dict[str, Any], now: str
    ) -> None:
        db = self.db
        if res.name == "products" and current is None:
            db.execute(
                "INSERT INTO stock_availables (id, id_product, id_product_attribute, id_shop, id_shop_group, quantity, "
                "depends_on_stock, out_of_stock, location) VALUES (?, ?, 0, 1, 0, 0, 0, 2, '')",
                (self._next_id("stock_availables"), oid),
            )
        if res.name == "combinations" and current is None:
            product = values.get("id_product")
            db.execute(
                "INSERT INTO stock_availables (id, id_product, id_product_attribute, id_shop, id_shop_group, quantity, "
                "depends_on_stock, out_of_stock, location) VALUES (?, ?, ?, 1, 0, 0, 0, 2, '')",
                (self._next_id("stock_availables"), product, oid),
            )
            db.execute("UPDATE products SET product_type = 'combinations' WHERE id = ?", (product,))
        if res.name == "stock_availables":
            row = db.execute(
                "SELECT id_product, id_product_attribute FROM stock_availables WHERE id = ?", (oid,)
            ).fetchone()
            if row["id_product_attribute"] != 0:
                # The product-level row is the sum of its combinations, recomputed at once.
                db.execute(
                    "UPDATE stock_availables SET quantity = (SELECT COALESCE(SUM(quantity), 0) FROM stock_availables "
                    "WHERE id_product = ? AND id_product_attribute != 0) WHERE id_product = ? AND id_product_attribute = 0",
                    (row["id_product"], row["id_product"]),
                )
        if res.name == "order_histories" and current is None:
            order_id, state = values.get("id_order"), values.get("id_order_state")
            if db.execute("SELECT 1 FROM orders WHERE id = ?", (order_id,)).fetchone() is None:
                raise WsError(400, (85, 'Validation error: "Property OrderHistory->id_order is not valid."'))
            db.execute(
                "UPDATE order_histories SET id_employee = COALESCE(id_employee, 0) WHERE id = ?", (oid,)
            )
            self._order_state(int(str(order_id)), int(str(state)), now)
        if res.name == "order_carriers" and "tracking_number" in values:
            order_id = db.execute("SELECT id_order FROM order_carriers WHERE id = ?", (oid,)).fetchone()[0]
            db.execute(
                "UPDATE orders SET shipping_number = ? WHERE id = ?",
                (values["tracking_number"] or "", order_id),
            )

    def _add_history(self, order_id: int, state: int, now: str) -> None:
        self.db.execute(
            "INSERT INTO order_histories (id, id_employee, id_order_state, id_order, date_add) VALUES (?, 0, ?, ?, ?)",
            (self._next_id("order_histories"), state, order_id, now),
        )
        self._order_state(order_id, state, now)

    def _order_state(self, order_id: int, state: int, now: str) -> None:
        logable = self.db.execute("SELECT logable FROM order_states WHERE id = ?", (state,)).fetchone()
        valid = 1 if logable and logable[0] else 0
        self.db.execute(
            "UPDATE orders SET current_state = ?, date_upd = ?, valid = ? WHERE id = ?",
            (state, now, valid, order_id),
        )

    def _next_id(self, table: str) -> int:
        return int(self.db.execute(f'SELECT COALESCE(MAX(id), 0) + 1 FROM "{table}"').fetchone()[0])

    def _delete(self, res: Resource, object_id: str, params: dict[str, str], json_out: bool) -> Response:
        if object_id:
            ids = [str(_int(object_id))]
        else:
            m = re.match(r"^\[(.*)\]$", params.get("id", ""))
            ids = m.group(1).split(",") if m else []
        missing = [
            i
            for i in ids
            if self.db.execute(f'SELECT 1 FROM "{res.name}" WHERE id = ?', (_int(i),)).fetchone() is None
        ]
        if missing or not ids:
            raise WsError(404, (87, "Id(s) not exists: " + ", ".join(missing)))
        self.db.execute("BEGIN")
        for i in ids:
            oid = _int(i)
            self.db.execute(f'DELETE FROM "{res.name}" WHERE id = ?', (oid,))
            if res.lang_fields:
                self.db.execute(f'DELETE FROM "{res.name}_lang" WHERE id = ?', (oid,))
            if res.name == "products":
                for table in ("stock_availables", "combinations", "specific_prices"):
                    self.db.execute(f'DELETE FROM "{table}" WHERE id_product = ?', (oid,))
                self.db.execute("DELETE FROM product_categories WHERE id_product = ?", (oid,))
        self.db.execute("COMMIT")
        return Response(200, b"", self._headers(json_out)[:-1])

    # ------------------------------------------------------------------------------- admin surface
    def admin_extra(self, request: Request, parts: list[str]) -> Response | None:
        route = parts[0]
        if route == "settings":
            if request.method == "POST":
                payload = _json(request)
                unknown = sorted(set(payload) - set(self.settings))
                if unknown:
                    return json_response(
                        400, {"error": f"unknown settings {unknown}; known: {sorted(self.settings)}"}
                    )
                self.settings.update(payload)
            return json_response(200, self.settings)
        if route == "rows" and len(parts) >= 2:
            return rows_admin(self.db, self.columns, request, parts[1:], id_column="id")
        return None


class _Unauthorized(WsError):
    def __init__(self) -> None:
        super().__init__(401, (16, "Please enter the authentication key as the login. No password required"))


def _json(request: Request) -> dict[str, Any]:
    try:
        data = orjson.loads(request.body or b"{}")
    except orjson.JSONDecodeError:
        return {}
    return data if isinstance(data, dict) else {}


def _int(text: str) -> int:
    m = re.match(r"^\s*-?\d+", text or "")
    return int(m.group(0)) if m else 0


def _class(res: Resource) -> str:
    return "".join(part.capitalize() for part in res.node.split("_"))


def _default(f: Field) -> Any:
    if f.type in ("id", "int", "bool"):
        return 0
    if f.type in ("dec", "dec3"):
        return 0.0
    if f.type == "date":
        return "0000-00-00 00:00:00"
    if f.type == "day":
        return "0000-00-00"
    if f.type in ("nbool", "defon"):
        return None
    return ""


def _parse_value(res: Resource, f: Field, text: str) -> Any:
    value = text.strip() if f.type not in ("str",) else text
    if f.type in ("id", "int", "bool", "nbool", "defon"):
        if value == "":
            return None if f.type in ("nbool", "defon") else 0
        if not re.fullmatch(r"-?\d+", value):
            raise WsError(400, (85, f'Validation error: "Property {_class(res)}->{f.name} is not valid."'))
        return int(value)
    if f.type in ("dec", "dec3"):
        if value == "":
            return 0.0
        try:
            return float(value)
        except ValueError as exc:
            raise WsError(
                400, (85, f'Validation error: "Property {_class(res)}->{f.name} is not valid."')
            ) from exc
    return value


def _chunks(ids: list[int], size: int = 900) -> list[list[int]]:
    return [ids[i : i + size] for i in range(0, len(ids), size)]


def _where_order_limit(q: Any, order: list[str]) -> str:
    """The WHERE conditions, ORDER BY and LIMIT of a list query (its values are bound parameters)."""
    sql = (" AND ".join(q.where) or "1") + " ORDER BY " + ", ".join(order)
    if q.limit is not None:
        offset, count = q.limit
        sql += f" LIMIT {int(count) if count is not None else -1} OFFSET {int(offset)}"
    return sql


_ASSOC_SQL: dict[tuple[str, str], str] = {
    ("products", "categories"): "SELECT id_product AS _owner, id_category AS id FROM product_categories "
    "WHERE id_product IN ({ids}) ORDER BY id_product, position",
    (
        "products",
        "images",
    ): "SELECT id_product AS _owner, id_image AS id FROM product_images WHERE id_product IN ({ids}) "
    "ORDER BY id_product, position",
    (
        "products",
        "combinations",
    ): "SELECT id_product AS _owner, id FROM combinations WHERE id_product IN ({ids}) ORDER BY id",
    ("products", "product_option_values"): "SELECT DISTINCT c.id_product AS _owner, v.id_option_value AS id "
    "FROM combinations c JOIN combination_option_values v ON v.id_combination = c.id WHERE c.id_product IN ({ids})",
    (
        "products",
        "stock_availables",
    ): "SELECT id_product AS _owner, id, id_product_attribute FROM stock_availables "
    "WHERE id_product IN ({ids}) ORDER BY id",
    ("combinations", "product_option_values"): "SELECT id_combination AS _owner, id_option_value AS id "
    "FROM combination_option_values WHERE id_combination IN ({ids})",
    ("combinations", "images"): "SELECT c.id AS _owner, i.id_image AS id FROM combinations c "
    "JOIN product_images i ON i.id_product = c.id_product WHERE c.id IN ({ids})",
    (
        "customers",
        "groups",
    ): "SELECT id_customer AS _owner, id_group AS id FROM customer_groups WHERE id_customer IN ({ids})",
    (
        "categories",
        "categories",
    ): "SELECT id_parent AS _owner, id FROM categories WHERE id_parent IN ({ids}) ORDER BY id",
    ("categories", "products"): "SELECT id_category AS _owner, id_product AS id FROM product_categories "
    "WHERE id_category IN ({ids}) ORDER BY id_product",
    (
        "product_options",
        "product_option_values",
    ): "SELECT id_attribute_group AS _owner, id FROM product_option_values "
    "WHERE id_attribute_group IN ({ids}) ORDER BY id",
    (
        "orders",
        "order_rows",
    ): "SELECT id_order AS _owner, id, product_id, product_attribute_id, product_quantity, "
    "product_name, product_reference, product_ean13, product_isbn, product_upc, product_price, id_customization, "
    "unit_price_tax_incl, unit_price_tax_excl FROM order_details WHERE id_order IN ({ids}) ORDER BY id",
}
_ASSOC_COLUMNS: dict[str, list[str]] = {}  # the fixed association SQL -> its item columns
_ASSOC_WRITE: dict[tuple[str, str], tuple[str, str, str]] = {
    ("products", "categories"): ("product_categories", "id_product", "id_category"),
    ("products", "images"): ("product_images", "id_product", "id_image"),
    ("combinations", "product_option_values"): (
        "combination_option_values",
        "id_combination",
        "id_option_value",
    ),
    ("customers", "groups"): ("customer_groups", "id_customer", "id_group"),
}
