"""The web UI, the self-contained report and the graph exports."""

from __future__ import annotations

from narrascope.web.app import CSP, App, make_app
from narrascope.web.server import serve

__all__ = ["CSP", "App", "make_app", "serve"]
