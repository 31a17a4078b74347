"""The local web UI: a small read-only WSGI application over one store.

Pages are rendered on the server by Jinja2 with autoescaping, so scraped text
is always escaped; every response carries a Content-Security-Policy that allows
no script at all and loads nothing from outside the server. Each page has a
JSON twin under ``/api/``, and every table can be read as JSON or CSV.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterable
from importlib import resources
from typing import Any
from urllib.parse import parse_qs

from narrascope.errors import NarrascopeError
from narrascope.store import open_store
from narrascope.web.corrections import CORRECT_ROUTE as _CORRECT
from narrascope.web.corrections import Corrections
from narrascope.web.data import Corpus

__all__ = ["CSP", "App", "environment", "make_app"]

#: No script, no plugins, no frames, nothing from another origin.
CSP = ("default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
       "base-uri 'none'; frame-ancestors 'none'")

_HEADERS = [("Content-Security-Policy", CSP), ("X-Content-Type-Options", "nosniff"),
            ("Referrer-Policy", "no-referrer"), ("X-Frame-Options", "DENY"),
            ("Cache-Control", "no-store")]
_STATIC = {"style.css": "text/css; charset=utf-8"}
_ID = re.compile(r"[A-Za-z0-9_.:-]{1,100}")
_TABLE_ROWS = 1000

StartResponse = Callable[..., Any]
Response = tuple[str, str, bytes]  # status, content type, body


def environment() -> Any:
    """The Jinja2 environment of the templates in package data (autoescape on)."""
    from jinja2 import Environment, PackageLoader, StrictUndefined

    from narrascope.web.svg import bar_chart, graph_svg

    env = Environment(loader=PackageLoader("narrascope.web", "templates"), autoescape=True,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.globals.update(bar_chart=bar_chart, graph_svg=graph_svg)
    env.filters["short"] = lambda s, n=80: (
        s if s is None or len(str(s)) <= n else str(s)[: n - 1] + "…")
    env.filters["snippet"] = _snippet
    return env


def _snippet(text: str) -> Any:
    """An FTS5 snippet escaped, with only our own \\x02..\\x03 hit marks as ``<mark>``."""
    from markupsafe import Markup, escape

    html = str(escape(text)).replace("\x02", "<mark>").replace("\x03", "</mark>")
    return Markup(html)  # noqa: S704 - escaped above; only our marks become tags


def _json_default(value: Any) -> Any:
    return str(value)


class App:
    """WSGI callable serving one store file, opened read-only for each request.

    With ``corrections_token``, ``POST /entity/ID/correct`` also records entity
    corrections (see :mod:`narrascope.web.corrections`); without it every method but
    GET and HEAD is refused.
    """

    def __init__(self, db: str, *, allowed_hosts: Iterable[str] = (),
                 corrections_token: str | None = None) -> None:
        self.db = db
        self.env = environment()
        self.allowed_hosts = {"127.0.0.1", "localhost", "[::1]", "::1", *allowed_hosts}
        self.headers = list(_HEADERS)
        self.corrections: Corrections | None = None
        with open_store(db, read_only=True):
            pass  # fail now, not on the first request, if the store cannot be read
        if corrections_token is not None:
            self.corrections = Corrections(db, corrections_token)
            # our own form posts must carry an Origin (no-referrer would send "null")
            self.headers = [(k, "same-origin" if k == "Referrer-Policy" else v)
                            for k, v in _HEADERS]
            self.env.globals["referrer_policy"] = "same-origin"

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> list[bytes]:
        method = environ.get("REQUEST_METHOD", "GET")
        path = environ.get("PATH_INFO", "/") or "/"
        params = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
        host = str(environ.get("HTTP_HOST", "127.0.0.1")).rsplit(":", 1)[0]
        extra: list[tuple[str, str]] = []
        fix = self.corrections
        write = _CORRECT.fullmatch(path) if fix is not None else None
        if host not in self.allowed_hosts:  # DNS rebinding: only our own names
            status, ctype, body = self._error("403 Forbidden", "unknown host")
        elif fix is not None and write is not None and method == "POST":
            status, ctype, body, extra = fix.post(self, environ, write.group(1))
        elif method not in ("GET", "HEAD"):
            status, ctype, body = self._error("405 Method Not Allowed", "read-only server")
        elif fix is not None and "token" in params:
            status, ctype, body, extra = fix.login(self, path, params["token"])
        else:
            try:
                status, ctype, body = self.handle(
                    path, params, editor=fix is not None and fix.editor(environ))
            except NarrascopeError as exc:
                status, ctype, body = self._error("500 Internal Server Error", str(exc))
        headers = [("Content-Type", ctype), ("Content-Length", str(len(body))), *extra,
                   *self.headers]
        start_response(status, headers)
        return [b""] if method == "HEAD" else [body]

    # -- routing -------------------------------------------------------------------

    def handle(self, path: str, params: dict[str, str], *, editor: bool = False) -> Response:
        """Answer one GET request: ``(status, content type, body)``.

        ``editor``: the request carries the corrections token (its cookie).
        """
        if path.startswith("/static/"):
            return self._static(path[len("/static/"):])
        api = path.startswith("/api/")
        route = path[len("/api"):] if api else path
        parts = [p for p in route.split("/") if p]
        name, arg = (parts[0] if parts else ""), ("/".join(parts[1:]) or None)
        if arg is not None and not _ID.fullmatch(arg):
            return self._error("404 Not Found", "no such page")
        with open_store(self.db, read_only=True) as store:
            corpus = Corpus(store)
            if name == "table" and api and arg:
                return self._table(corpus, arg, params)
            view = _VIEWS.get(name)
            if view is None or (arg is None) != (name not in ("doc", "entity")):
                return self._error("404 Not Found", "no such page")
            data = view(corpus, arg, params)
            if data is not None and name == "entity" and self.corrections is not None:
                data["corrections"] = self.corrections.context(corpus, data["entity"], params,
                                                               editor)
        if data is None:
            return self._error("404 Not Found", f"no {name} {arg}")
        if api:
            data = data.get(name, data) if name in ("doc", "entity") else data
            data.pop("corrections", None)  # never the token
            data = {k: v for k, v in data.items() if k != "html"}  # the page's markup
            body = json.dumps(data, ensure_ascii=False, default=_json_default)
            return "200 OK", "application/json; charset=utf-8", body.encode()
        template = self.env.get_template(f"{name or 'overview'}.html")
        return "200 OK", "text/html; charset=utf-8", template.render(**data).encode()

    def _static(self, name: str) -> Response:
        if name not in _STATIC:
            return self._error("404 Not Found", "no such file")
        body = (resources.files("narrascope.web") / "static" / name).read_bytes()
        return "200 OK", _STATIC[name], body

    def _table(self, corpus: Corpus, name: str, params: dict[str, str]) -> Response:
        table, _, fmt = name.rpartition(".")
        if fmt not in ("json", "csv") or table not in corpus.tables:
            return self._error("404 Not Found", f"no table {name}")
        limit = min(int(params.get("limit", "100") or 100) if params.get(
            "limit", "").isdigit() else 100, _TABLE_ROWS)
        offset = int(params["offset"]) if params.get("offset", "").isdigit() else 0
        rows = corpus.q(f'SELECT * FROM "{table}" LIMIT ? OFFSET ?',  # noqa: S608 - name from sqlite_master
                        (limit, offset))
        cols = corpus.tables[table]
        rows = [{k: (v.hex() if isinstance(v, bytes) else v) for k, v in r.items()}
                for r in rows]
        if fmt == "json":
            body = json.dumps({"table": table, "columns": cols, "offset": offset,
                               "rows": rows}, ensure_ascii=False)
            return "200 OK", "application/json; charset=utf-8", body.encode()
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=cols, lineterminator="\r\n",
                                extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
        return "200 OK", "text/csv; charset=utf-8", out.getvalue().encode()

    def _error(self, status: str, message: str) -> Response:
        body = self.env.get_template("error.html").render(status=status, message=message)
        return status, "text/html; charset=utf-8", body.encode()


def _overview(c: Corpus, _: str | None, p: dict[str, str]) -> dict[str, Any]:
    return {"page": "overview", **c.overview()}


def _doc(c: Corpus, arg: str | None, p: dict[str, str]) -> dict[str, Any] | None:
    m = re.fullmatch(r"(\d+)-(\d+)", p.get("focus", ""))
    doc = c.document(arg or "", (int(m.group(1)), int(m.group(2))) if m else None)
    return None if doc is None else {"page": "doc", "doc": doc}


def _entity(c: Corpus, arg: str | None, p: dict[str, str]) -> dict[str, Any] | None:
    ent = c.entity(arg or "") if "entities" in c.tables else None
    return None if ent is None else {"page": "entity", "entity": ent}


def _timeline(c: Corpus, _: str | None, p: dict[str, str]) -> dict[str, Any]:
    data = c.timeline(p.get("zoom", "year"), p.get("entity") or None)
    return {"page": "timeline", **data, "choices": c.entity_choices()}


def _claims(c: Corpus, _: str | None, p: dict[str, str]) -> dict[str, Any]:
    return {"page": "claims", **c.claims()}


def _reuse(c: Corpus, _: str | None, p: dict[str, str]) -> dict[str, Any]:
    return {"page": "reuse", **c.reuse()}


def _search(c: Corpus, _: str | None, p: dict[str, str]) -> dict[str, Any]:
    q = p.get("q", "")
    return {"page": "search", "q": q, "hits": c.search(q)}


def _tables(c: Corpus, _: str | None, p: dict[str, str]) -> dict[str, Any]:
    names = [t for t in sorted(c.tables) if not t.startswith(("sqlite_", "documents_fts_"))]
    return {"page": "tables", "tables": [{"name": t, "columns": c.tables[t]} for t in names]}


_VIEWS: dict[str, Callable[[Corpus, str | None, dict[str, str]], dict[str, Any] | None]] = {
    "": _overview, "overview": _overview, "doc": _doc, "entity": _entity,
    "timeline": _timeline, "claims": _claims, "reuse": _reuse, "search": _search,
    "tables": _tables,
}


def make_app(db: str, *, allowed_hosts: Iterable[str] = (),
             corrections_token: str | None = None) -> App:
    """The WSGI application serving the store at ``db`` (read-only unless a token is given)."""
    return App(db, allowed_hosts=allowed_hosts, corrections_token=corrections_token)
