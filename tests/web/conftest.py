"""Fixtures of the web tests: the sample corpus plus a hostile document, in one store."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from narrascope.settings import Settings

#: Each payload sets window.__xss if it ever runs; the browser tests check it stays unset.
PAYLOADS = (
    "<script>window.__xss=1;alert(1)</script>",
    '<img src=x onerror="window.__xss=2">',
    '<svg onload="window.__xss=3"></svg>',
    '<a href="javascript:window.__xss=4">click me</a>',
)
HOSTILE_TITLE = "<script>window.__xss=5</script> Hostile title"
HOSTILE_TEXT = (
    "Marta Quell said the council met in Brandholm on 3 March 2021 to discuss the plan.\n\n"
    + "\n\n".join(f"Payload {i}: {p} and the story of Marta Quell goes on in Brandholm."
                  for i, p in enumerate(PAYLOADS))
    + "\n\n\"We will not be silenced,\" said Marta Quell, the leader of the Brandholm "
    "Council, in 2022.\n"
)


@pytest.fixture(scope="session")
def web_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store with the sample corpus and one document full of script payloads."""
    from narrascope.demo import sample_corpus
    from narrascope.pipeline import build
    from narrascope.store import open_store

    folder = tmp_path_factory.mktemp("web")
    hostile = folder / "hostile.jsonl"
    hostile.write_text(json.dumps({
        "text": HOSTILE_TEXT, "title": HOSTILE_TITLE, "url": "javascript:window.__xss=6",
        "site": '<img src=x onerror="window.__xss=7">', "published": "2022-01-05",
    }) + "\n", encoding="utf-8")
    db = folder / "web.db"
    settings = Settings()
    with open_store(db) as store, sample_corpus() as sample:
        report = build([str(sample), str(hostile)], store, settings)
        if report.added == 0 and hasattr(settings, "techniques"):
            # a store without technique spans still exercises every page
            report = build([str(sample), str(hostile)], store,
                           replace(settings, techniques=False))
    assert report.added >= 12, report
    return db


@pytest.fixture(scope="session")
def app(web_db: Path) -> Any:
    from narrascope.web import make_app

    return make_app(str(web_db))


class Reply:
    """One response of the WSGI app."""

    def __init__(self, status: str, headers: list[tuple[str, str]], body: bytes) -> None:
        self.status = int(status.split(maxsplit=1)[0])
        self.headers = {k.lower(): v for k, v in headers}
        self.body = body
        self.text = body.decode("utf-8")

    def json(self) -> Any:
        return json.loads(self.body)


def call(app: Any, url: str, *, method: str = "GET", host: str = "127.0.0.1:8001") -> Reply:
    """Run one request through the WSGI app in-process."""
    parts = urlsplit(url)
    got: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]]) -> None:
        got["status"], got["headers"] = status, headers

    environ = {"REQUEST_METHOD": method, "PATH_INFO": parts.path, "QUERY_STRING": parts.query,
               "HTTP_HOST": host, "wsgi.input": io.BytesIO(b""), "SERVER_NAME": "127.0.0.1",
               "SERVER_PORT": "8001", "wsgi.url_scheme": "http"}
    body = b"".join(app(environ, start_response))
    return Reply(got["status"], got["headers"], body)


@pytest.fixture
def get(app: Any) -> Iterator[Any]:
    return lambda url, **kw: call(app, url, **kw)
