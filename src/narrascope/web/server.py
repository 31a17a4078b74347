"""Serving the web UI on a loopback address with the standard library's WSGI server."""

from __future__ import annotations

import socketserver
from collections.abc import Callable
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from narrascope.errors import ConfigError

__all__ = ["LOOPBACK", "ThreadingServer", "make_http_server", "serve"]

#: Addresses treated as local; anything else must be asked for explicitly.
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


class ThreadingServer(socketserver.ThreadingMixIn, WSGIServer):
    """A WSGI server answering each request in its own thread."""

    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib name
        pass


def make_http_server(db: str, host: str = "127.0.0.1", port: int = 8001, *,
                     corrections_token: str | None = None) -> WSGIServer:
    """A server for the store at ``db`` (``port`` 0 picks a free one); not yet serving.

    ``corrections_token`` enables the corrections route (see :mod:`narrascope.web.corrections`).
    """
    from narrascope.web.app import make_app

    app = make_app(db, allowed_hosts=[host], corrections_token=corrections_token)
    try:
        return make_server(host, port, app, server_class=ThreadingServer,
                           handler_class=_QuietHandler)
    except OSError as exc:
        raise ConfigError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None


def serve(db: str, host: str = "127.0.0.1", port: int = 8001,
          ready: Callable[[str], None] | None = None, *,
          corrections_token: str | None = None) -> None:
    """Serve the store at ``db`` until interrupted; ``ready(url)`` is called once listening."""
    server = make_http_server(db, host, port, corrections_token=corrections_token)
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{server.server_port}/"
    if ready is not None:
        ready(url)
    try:
        server.serve_forever()
    finally:
        server.server_close()
