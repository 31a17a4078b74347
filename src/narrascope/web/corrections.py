"""Entity corrections from the web UI: the one write route, off unless asked for.

``narrascope serve --allow-corrections`` makes a random token, prints it with the
URL, and answers ``POST /entity/ID/correct`` (form fields ``action``, ``argument``,
``note``, ``token``): the correction is appended to the store's log
(:func:`narrascope.corpus.corrections.record_correction`) and the corpus stages run
again, as ``narrascope entities merge ...`` does; then a 303 leads back to the entity.

What a request must pass, in order: the server's own host name (as for every
request), an ``Origin`` (or, without one, a ``Referer``) of this server or none at
all (a browser always sends one on a cross-site POST: CSRF), a body of at most
:data:`MAX_BODY` bytes, form encoding, then the token. A browser gets the token
once, from the printed URL (``/?token=...``), as an HttpOnly, SameSite=Strict
cookie; only then does the entity page carry it in its form's hidden field, so
reading pages is not enough to learn it.
"""

from __future__ import annotations

import re
import secrets
import threading
from http.cookies import CookieError, SimpleCookie
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, quote, urlsplit

from narrascope.errors import NarrascopeError

if TYPE_CHECKING:
    from narrascope.web.app import App
    from narrascope.web.data import Corpus

__all__ = ["COOKIE", "CORRECT_ROUTE", "MAX_BODY", "Corrections", "new_token"]

#: The write route: ``/entity/ID/correct``.
CORRECT_ROUTE = re.compile(r"/entity/([A-Za-z0-9_.:-]{1,100})/correct")
#: Largest form body accepted, in bytes.
MAX_BODY = 16 * 1024
COOKIE = "narrascope_token"
_FORM = "application/x-www-form-urlencoded"

Headers = list[tuple[str, str]]
Reply = tuple[str, str, bytes, Headers]  # status, content type, body, extra headers


def new_token() -> str:
    """A fresh random token (32 bytes, URL-safe)."""
    return secrets.token_urlsafe(32)


class Corrections:
    """The token, the checks and the write of one corrections-enabled server."""

    def __init__(self, db: str, token: str) -> None:
        if len(token) < 16:
            raise ValueError("the corrections token is too short")
        self.db = db
        self.token = token
        self._lock = threading.Lock()  # one correction at a time
        from narrascope.store import open_store

        with open_store(db) as store, store.transaction():
            pass  # fail now if the store cannot be written

    # -- the token -----------------------------------------------------------------

    def valid(self, value: str | None) -> bool:
        return bool(value) and secrets.compare_digest(str(value).encode(), self.token.encode())

    def editor(self, environ: dict[str, Any]) -> bool:
        """Whether this request comes from a browser that opened the URL with the token."""
        try:
            jar = SimpleCookie(str(environ.get("HTTP_COOKIE", "")))
        except CookieError:
            return False
        morsel = jar.get(COOKIE)
        return morsel is not None and self.valid(morsel.value)

    def login(self, app: App, path: str, value: str) -> Reply:
        """``GET PATH?token=T``: with the right token, a cookie and a redirect to PATH."""
        if not self.valid(value):
            return (*app._error("403 Forbidden", "wrong token"), [])
        cookie = f"{COOKIE}={self.token}; Path=/; HttpOnly; SameSite=Strict"
        here = "/" + path.lstrip("/")  # never "//host": a redirect stays on this server
        return ("303 See Other", "text/plain; charset=utf-8", b"",
                [("Location", quote(here)), ("Set-Cookie", cookie)])

    # -- the write route -------------------------------------------------------------

    def _same_origin(self, environ: dict[str, Any], hosts: set[str]) -> bool:
        """No Origin and no Referer (not a browser), or ones naming this server."""
        host = str(environ.get("HTTP_HOST", ""))
        for header in ("HTTP_ORIGIN", "HTTP_REFERER"):
            value = environ.get(header)
            if value is None:
                continue
            parts = urlsplit(str(value))
            return (parts.scheme in ("http", "https") and parts.netloc == host
                    and (parts.hostname or "") in {h.strip("[]") for h in hosts})
        return True

    def post(self, app: App, environ: dict[str, Any], entity_id: str) -> Reply:
        """Answer ``POST /entity/ID/correct``."""
        if not self._same_origin(environ, app.allowed_hosts):
            return (*app._error("403 Forbidden", "this form may only be sent from this "
                                "server's own pages"), [])
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return (*app._error("400 Bad Request", "bad Content-Length"), [])
        if length > MAX_BODY or length < 0:
            return (*app._error("413 Content Too Large", f"at most {MAX_BODY} bytes"), [])
        ctype = str(environ.get("CONTENT_TYPE", "")).split(";", 1)[0].strip().lower()
        if ctype != _FORM:
            return (*app._error("415 Unsupported Media Type", f"send the form as {_FORM}"), [])
        try:
            body = environ["wsgi.input"].read(length).decode("utf-8") if length else ""
            fields = {k: v[0] for k, v in parse_qs(body, max_num_fields=10).items()}
        except (UnicodeDecodeError, ValueError):
            return (*app._error("400 Bad Request", "the form could not be read"), [])
        if not self.valid(fields.get("token")):
            return (*app._error("403 Forbidden", "a correction needs the token printed by "
                                "narrascope serve --allow-corrections"), [])
        try:
            return self._correct(app, entity_id, fields)
        except NarrascopeError as exc:  # the store could not be opened or written
            return (*app._error("500 Internal Server Error", str(exc)), [])

    def _correct(self, app: App, entity_id: str, fields: dict[str, str]) -> Reply:
        from narrascope.corpus.corrections import ACTIONS, record_correction
        from narrascope.pipeline import run_corpus_stages
        from narrascope.store import open_store

        action = fields.get("action", "")
        argument = (fields.get("argument", "").strip() or None) if ACTIONS.get(action) else None
        note = fields.get("note", "").strip() or None
        if action not in ACTIONS:
            return (*app._error("400 Bad Request", f"unknown correction {action[:40]!r}; "
                                f"choose one of: {', '.join(ACTIONS)}"), [])
        if ACTIONS[action] and not argument:
            return (*app._error("400 Bad Request", f"'{action}' needs a second name "
                                "(the argument)"), [])
        with self._lock, open_store(self.db) as store:
            rows = store.query("SELECT name FROM entities WHERE id = ?", (entity_id,))
            if not rows:
                return (*app._error("404 Not Found", f"no entity {entity_id}"), [])
            name = str(rows[0]["name"])
            before = [int(r["id"]) for r in store.query(
                "SELECT id FROM mentions WHERE entity = ?", (entity_id,))]
            try:
                cid = record_correction(store, action, name, argument, note)
                unmatched: list[str] = []
                run_corpus_stages(store, unmatched=unmatched)
            except NarrascopeError as exc:
                return (*app._error("400 Bad Request", str(exc)), [])
            mine = [line for line in unmatched if line.startswith(f"correction {cid} ")]
            if mine:
                return (*app._error("422 Unprocessable Content", f"{mine[0]}. It is kept in "
                                    "the log and applies once a build finds that name."), [])
            target = _where(store, argument if action == "rename" else name, before)
        location = f"/entity/{quote(target)}?corrected={cid}" if target else "/"
        return ("303 See Other", "text/plain; charset=utf-8", b"", [("Location", location)])

    # -- the entity page ---------------------------------------------------------------

    def context(self, corpus: Corpus, entity: dict[str, Any], params: dict[str, str],
                editor: bool) -> dict[str, Any]:
        """What the entity page's corrections section shows."""
        names = sorted({entity["name"], *(a["text"] for a in entity.get("aliases", []))})
        marks = ",".join("?" * len(names))
        sql = ("SELECT id, action, target, argument, note, created_at FROM entity_corrections"  # noqa: S608 - placeholders only
               f" WHERE target IN ({marks}) OR argument IN ({marks}) ORDER BY id")
        log = corpus.q(sql, (*names, *names)) if "entity_corrections" in corpus.tables else []
        done = params.get("corrected", "")
        return {"enabled": True, "token": self.token if editor else None,
                "done": int(done) if done.isdigit() else None, "log": log}


def _where(store: Any, name: str | None, mentions: list[int]) -> str | None:
    """The entity now called ``name``, else the one holding most of ``mentions``."""
    if name:
        rows = store.query("SELECT id FROM entities WHERE name = ? ORDER BY mention_count DESC"
                           " LIMIT 1", (name,))
        if rows:
            return str(rows[0]["id"])
    held: dict[str, int] = {}
    for start in range(0, len(mentions), 500):
        chunk = mentions[start:start + 500]
        sql = ("SELECT entity FROM mentions WHERE entity IS NOT NULL AND id IN"  # noqa: S608 - placeholders only
               f" ({','.join('?' * len(chunk))})")
        for r in store.query(sql, chunk):
            held[r["entity"]] = held.get(r["entity"], 0) + 1
    return max(held, key=lambda e: held[e]) if held else None
