"""fetch_urls against a local HTTP server: politeness, refusals, limits, cache."""

from __future__ import annotations

import itertools
import threading
import time
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

import narrascope.ingest.fetch as fetch_module
from narrascope.errors import FetchError, InputError
from narrascope.ingest.fetch import CachedResponse, fetch_urls, read_url_list
from narrascope.model import RawDocument, Skipped
from narrascope.settings import Settings

ARTICLE = b"<html><head><title>Hello</title></head><body><p>Local article.</p></body></html>"
ROBOTS = b"User-agent: *\nDisallow: /private\n"


class _State:
    def __init__(self) -> None:
        self.hits: Counter[str] = Counter()
        self.times: list[float] = []
        self.agents: list[str] = []
        self.lock = threading.Lock()


class _Handler(BaseHTTPRequestHandler):
    state: _State

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass

    def _send(
        self,
        status: int,
        body: bytes,
        ctype: str = "text/html; charset=utf-8",
        headers: dict[str, str] | None = None,
        length: bool = True,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        if length:
            self.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        state = self.state
        with state.lock:
            state.hits[self.path] += 1
            count = state.hits[self.path]
            state.times.append(time.monotonic())
            state.agents.append(self.headers.get("User-Agent", ""))
        path = self.path
        if path == "/robots.txt":
            self._send(200, ROBOTS, "text/plain")
        elif path in ("/article", "/private/page"):
            self._send(200, ARTICLE)
        elif path == "/flaky":
            if count == 1:
                self._send(500, b"oops")
            else:
                self._send(200, ARTICLE)
        elif path == "/busy":
            if count == 1:
                self._send(429, b"slow down", headers={"Retry-After": "3600"})
            else:
                self._send(200, ARTICLE)
        elif path == "/always500":
            self._send(503, b"down")
        elif path == "/image.png":
            self._send(200, b"\x89PNG\r\n\x1a\n" + bytes(100), "image/png")
        elif path == "/big":
            self._send(200, b"<p>" + b"x" * 5000 + b"</p>")
        elif path == "/big-stream":
            self._send(200, b"<p>" + b"x" * 5000 + b"</p>", length=False)
        elif path == "/plain":
            self._send(200, "Crème brûlée.".encode("latin-1"), "text/plain; charset=ISO-8859-1")
        elif path == "/redirect":
            self._send(302, b"", headers={"Location": "/article"})
        elif path == "/redirect-ftp":
            self._send(301, b"", headers={"Location": "ftp://example.com/file"})
        elif path == "/redirect-loop":
            self._send(302, b"", headers={"Location": "/redirect-loop"})
        elif path == "/slow":
            threading.Event().wait(1.5)
            self._send(200, ARTICLE)
        else:
            self._send(404, b"not found")


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # clients that give up early (size cap, timeout) break the pipe on purpose


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[str, _State]]:
    state = _State()
    handler = type("Handler", (_Handler,), {"state": state})
    httpd = _QuietServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", state
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def site(server: tuple[str, _State], monkeypatch: pytest.MonkeyPatch) -> tuple[str, _State]:
    base, state = server
    with state.lock:
        state.hits.clear()
        state.times.clear()
        state.agents.clear()
    monkeypatch.setattr(fetch_module, "BACKOFF_BASE", 0.01)
    return base, state


@pytest.fixture
def local() -> Settings:
    return Settings().replace(fetch_allow_private=True, fetch_delay=0, fetch_timeout=5)


class MemoryCache:
    def __init__(self) -> None:
        self.data: dict[str, CachedResponse] = {}

    def get(self, url: str) -> CachedResponse | None:
        return self.data.get(url)

    def put(self, url: str, response: CachedResponse) -> None:
        self.data[url] = response


def _one(urls: list[str], settings: Settings, cache: MemoryCache | None = None) -> RawDocument:
    (item,) = list(fetch_urls(urls, settings, cache))
    assert isinstance(item, RawDocument), item
    return item


def _skip(url: str, settings: Settings) -> Skipped:
    (item,) = list(fetch_urls([url], settings, None))
    assert isinstance(item, Skipped), item
    assert item.source == url
    return item


def test_fetch_html_page(site: tuple[str, _State], local: Settings) -> None:
    base, state = site
    doc = _one([f"{base}/article"], local)
    assert doc.body == ARTICLE.decode()
    assert (doc.format, doc.source, doc.url, doc.is_html) == (
        "url",
        f"{base}/article",
        f"{base}/article",
        True,
    )
    assert doc.site == doc.collection == "127.0.0.1"
    assert doc.encoding == "utf-8"
    assert set(state.agents) == {local.user_agent}


def test_plain_text_with_declared_charset(site: tuple[str, _State], local: Settings) -> None:
    base, _ = site
    doc = _one([f"{base}/plain"], local)
    assert not doc.is_html
    assert doc.body == "Crème brûlée."


def test_robots_txt_is_obeyed_and_fetched_once(site: tuple[str, _State], local: Settings) -> None:
    base, state = site
    items = list(fetch_urls([f"{base}/private/page", f"{base}/article"], local, None))
    assert isinstance(items[0], Skipped)
    assert "robots.txt" in items[0].reason
    assert isinstance(items[1], RawDocument)
    assert state.hits["/robots.txt"] == 1
    assert state.hits["/private/page"] == 0
    ignoring = local.replace(respect_robots=False)
    assert _one([f"{base}/private/page"], ignoring).body == ARTICLE.decode()


def test_retry_after_server_error(site: tuple[str, _State], local: Settings) -> None:
    base, state = site
    assert _one([f"{base}/flaky"], local).body == ARTICLE.decode()
    assert state.hits["/flaky"] == 2


def test_gives_up_after_retries(site: tuple[str, _State], local: Settings) -> None:
    base, state = site
    skip = _skip(f"{base}/always500", local.replace(fetch_retries=2))
    assert "HTTP status 503" in skip.reason
    assert state.hits["/always500"] == 3


def test_retry_after_header_is_capped(
    site: tuple[str, _State], local: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    base, _ = site
    pauses: list[float] = []
    monkeypatch.setattr(time, "sleep", pauses.append)
    assert _one([f"{base}/busy"], local).body == ARTICLE.decode()
    assert pauses == [fetch_module.RETRY_AFTER_CAP]


def test_delay_between_requests_to_same_host(site: tuple[str, _State], local: Settings) -> None:
    base, state = site
    items = list(fetch_urls([f"{base}/article", f"{base}/plain"], local.replace(fetch_delay=0.3)))
    assert all(isinstance(i, RawDocument) for i in items)
    times = sorted(state.times)  # robots.txt, then both pages
    assert len(times) == 3
    assert all(b - a >= 0.2 for a, b in itertools.pairwise(times))


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/image.png", "unsupported content type (image/png)"),
        ("/missing", "HTTP status 404"),
        ("/redirect-ftp", "unsupported URL scheme 'ftp'"),
        ("/redirect-loop", "too many redirects"),
    ],
)
def test_refusals(site: tuple[str, _State], local: Settings, path: str, reason: str) -> None:
    base, _ = site
    assert reason in _skip(f"{base}{path}", local).reason


def test_body_size_cap(site: tuple[str, _State], local: Settings) -> None:
    base, _ = site
    capped = local.replace(fetch_max_bytes=1000)
    assert "response too large: 5,007 bytes" in _skip(f"{base}/big", capped).reason
    assert "more than 1,000 bytes" in _skip(f"{base}/big-stream", capped).reason
    assert _one([f"{base}/big"], local).body.startswith("<p>xxx")


def test_timeout(site: tuple[str, _State], local: Settings) -> None:
    base, state = site
    skip = _skip(f"{base}/slow", local.replace(fetch_timeout=0.3, fetch_retries=1))
    assert "timed out after 2 attempt(s)" in skip.reason
    assert state.hits["/slow"] == 2


def test_redirect_is_followed(site: tuple[str, _State], local: Settings) -> None:
    base, _ = site
    doc = _one([f"{base}/redirect"], local)
    assert doc.source == f"{base}/redirect"
    assert doc.url == f"{base}/article"


def test_redirect_target_is_checked(
    site: tuple[str, _State], local: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    base, state = site
    real_check = fetch_module._check_address

    def refuse_article(host: str, port: int, allow_private: bool) -> None:
        if state.hits["/redirect"]:
            raise FetchError(f"refused: {host} resolves to a non-public address")
        real_check(host, port, allow_private)

    monkeypatch.setattr(fetch_module, "_check_address", refuse_article)
    skip = _skip(f"{base}/redirect", local)
    assert "non-public" in skip.reason
    assert state.hits["/article"] == 0


def test_loopback_refused_without_allow_private(site: tuple[str, _State]) -> None:
    base, state = site
    strict = Settings().replace(fetch_delay=0)
    skip = _skip(f"{base}/article", strict)
    assert "non-public address (127.0.0.1)" in skip.reason
    assert "fetch_allow_private" in skip.reason
    assert _skip("http://localhost:9/x", strict).reason.startswith("refused")
    assert _skip("http://[::1]:9/x", strict).reason.startswith("refused")
    assert _skip("http://10.1.2.3/x", strict).reason.startswith("refused")
    assert _skip("http://169.254.169.254/latest/meta-data", strict).reason.startswith("refused")
    assert sum(state.hits.values()) == 0


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "ftp://example.com/a.html", "gopher://x", "not a url", ""]
)
def test_non_http_schemes_refused(url: str, local: Settings) -> None:
    skip = _skip(url, local)
    assert "only http and https" in skip.reason or "invalid URL" in skip.reason


def test_cache_avoids_network(site: tuple[str, _State], local: Settings) -> None:
    base, state = site
    cache = MemoryCache()
    first = _one([f"{base}/article"], local, cache)
    assert set(cache.data) == {f"{base}/article"}
    hits = sum(state.hits.values())
    second = _one([f"{base}/article"], local, cache)
    assert second == first
    assert sum(state.hits.values()) == hits
    stored = cache.data[f"{base}/article"]
    assert stored.status == 200
    assert stored.body == ARTICLE
    assert stored.fetched_at.endswith("+00:00")


def test_cached_response_needs_no_network_at_all() -> None:
    cache = MemoryCache()
    url = "https://no-such-host.invalid/story"
    cache.put(
        url,
        CachedResponse(
            url=url,
            status=200,
            content_type="text/html",
            headers={},
            body=ARTICLE,
            fetched_at="2024-01-01T00:00:00+00:00",
        ),
    )
    doc = _one([url], Settings(), cache)
    assert doc.site == "no-such-host.invalid"
    assert doc.body == ARTICLE.decode()


def test_unresolvable_host() -> None:
    skip = _skip("http://no-such-host.invalid/x", Settings())
    assert "cannot resolve host" in skip.reason


def test_read_url_list(tmp_path: Path) -> None:
    path = tmp_path / "urls.txt"
    path.write_text(
        "# my list\n\nhttps://a.example/1\n  https://b.example/2  \r\n"
        "https://a.example/1\n# https://commented.example\n",
        encoding="utf-8",
    )
    assert read_url_list(path) == ["https://a.example/1", "https://b.example/2"]
    with pytest.raises(InputError):
        read_url_list(tmp_path / "missing.txt")
