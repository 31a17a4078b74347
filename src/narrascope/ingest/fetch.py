"""Polite fetching of web pages for ``narrascope build --urls FILE``.

Every request sends ``settings.user_agent``, times out after
``settings.fetch_timeout`` seconds, waits ``settings.fetch_delay`` seconds
between requests to the same host, and is retried ``settings.fetch_retries``
times with exponential backoff on connection errors, 429 and 5xx (honouring
``Retry-After`` up to :data:`RETRY_AFTER_CAP`). ``robots.txt`` is obeyed when
``settings.respect_robots`` (fetched once per host). Only ``http``/``https``
URLs are fetched, and unless ``settings.fetch_allow_private`` no host that
resolves to a loopback, private, link-local or otherwise non-global address,
redirects included. Bodies are streamed and abandoned past
``settings.fetch_max_bytes``; only HTML and plain-text responses are kept.

A :class:`ResponseCache` (the store provides one) answers repeated URLs with
no network request at all. Every failure becomes ``Skipped(url, reason)``.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol
from urllib.parse import urljoin, urlsplit
from urllib.robotparser import RobotFileParser

from narrascope.errors import FetchError, InputError
from narrascope.ingest.decode import decode_bytes, read_bytes
from narrascope.ingest.html import declared_charset
from narrascope.ingest.text import check_not_blank
from narrascope.model import RawDocument, Skipped
from narrascope.settings import Settings

if TYPE_CHECKING:
    import requests

__all__ = [
    "CONTENT_TYPES",
    "MAX_REDIRECTS",
    "RETRY_AFTER_CAP",
    "CachedResponse",
    "ResponseCache",
    "fetch_urls",
    "read_url_list",
]

#: Media types accepted; the value says whether the body is markup.
CONTENT_TYPES: dict[str, bool] = {
    "text/html": True,
    "application/xhtml+xml": True,
    "text/plain": False,
}
#: Redirects followed before giving up.
MAX_REDIRECTS = 10
#: Longest ``Retry-After`` honoured, in seconds.
RETRY_AFTER_CAP = 60.0
#: First backoff pause in seconds; doubled after each failed attempt.
BACKOFF_BASE = 0.5
#: Largest robots.txt read.
ROBOTS_MAX_BYTES = 512_000

_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_CHUNK = 1 << 16


@dataclass(frozen=True, slots=True)
class CachedResponse:
    """A fetched response as a cache keeps it."""

    url: str
    status: int
    content_type: str
    headers: dict[str, str]
    body: bytes
    fetched_at: str


class ResponseCache(Protocol):
    """Where fetched responses are kept between builds (keyed by the requested URL)."""

    def get(self, url: str) -> CachedResponse | None: ...

    def put(self, url: str, response: CachedResponse) -> None: ...


def read_url_list(path: Path) -> list[str]:
    """The URLs in ``path``: one a line, blank lines and ``#`` comments ignored.

    Duplicates are dropped, keeping the first. Raises :class:`InputError` when
    the file cannot be read.
    """
    data = read_bytes(path, 50_000_000)
    text, _ = decode_bytes(data)
    urls: list[str] = []
    seen: set[str] = set()
    for line in text.splitlines():
        url = line.strip()
        if not url or url.startswith("#") or url in seen:
            continue
        seen.add(url)
        urls.append(url)
    return urls


def _media_type(content_type: str) -> tuple[str, str | None]:
    main, *params = content_type.split(";")
    charset = None
    for param in params:
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset":
            charset = value.strip().strip("\"'") or None
    return main.strip().lower(), charset


def _check_address(host: str, port: int, allow_private: bool) -> None:
    """Raise :class:`FetchError` if ``host`` resolves to a non-global address."""
    if allow_private:
        return
    try:
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError) as exc:
        raise FetchError(f"cannot resolve host {host!r}: {exc}") from None
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
            address = address.ipv4_mapped
        if not address.is_global or address.is_multicast:
            raise FetchError(
                f"refused: {host} resolves to a non-public address ({address}); "
                "set fetch_allow_private to allow it"
            )


def _split(url: str) -> tuple[str, str, int]:
    """``(scheme, host, port)``; :class:`FetchError` for a URL that must not be fetched."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise FetchError(f"invalid URL: {exc}") from None
    scheme = parts.scheme.lower()
    if scheme not in {"http", "https"}:
        shown = scheme or "none"
        raise FetchError(f"refused: unsupported URL scheme {shown!r} (only http and https)")
    host = (parts.hostname or "").lower()
    if not host:
        raise FetchError("invalid URL: no host")
    return scheme, host, port or (443 if scheme == "https" else 80)


def _header(headers: dict[str, str], name: str) -> str | None:
    """The value of header ``name`` in ``headers``, whatever the case of its key."""
    wanted = name.lower()
    return next((value for key, value in headers.items() if key.lower() == wanted), None)


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - datetime.now(UTC)).total_seconds()
    return min(max(seconds, 0.0), RETRY_AFTER_CAP)


@dataclass
class _Fetcher:
    settings: Settings
    session: requests.Session
    last_request: dict[str, float] = field(default_factory=dict)
    #: Per origin: parsed rules, True (allow all), or why robots.txt is unavailable.
    robots: dict[tuple[str, str, int], RobotFileParser | bool | str] = field(default_factory=dict)

    def _wait_for(self, host: str) -> None:
        last = self.last_request.get(host)
        if last is not None:
            pause = self.settings.fetch_delay - (time.monotonic() - last)
            if pause > 0:
                time.sleep(pause)
        self.last_request[host] = time.monotonic()

    def _attempt(self, url: str, host: str, max_bytes: int, check_type: bool) -> CachedResponse:
        """One GET without following redirects; raises requests errors for retrying."""
        self._wait_for(host)
        timeout = self.settings.fetch_timeout
        # The socket timeout bounds each read; this bounds a slow drip of bytes.
        deadline = time.monotonic() + max(timeout, 1.0) * 3
        with self.session.get(url, stream=True, allow_redirects=False, timeout=timeout) as resp:
            headers = dict(resp.headers.items())
            content_type = resp.headers.get("Content-Type", "")
            body = b""
            if resp.status_code == 200:
                media, _ = _media_type(content_type)
                if check_type and media not in CONTENT_TYPES:
                    shown = media or "none given"
                    raise FetchError(f"unsupported content type ({shown}): not HTML or text")
                length = resp.headers.get("Content-Length", "")
                if length.isdigit() and int(length) > max_bytes:
                    raise FetchError(f"response too large: {int(length):,} bytes > {max_bytes:,}")
                chunks: list[bytes] = []
                total = 0
                for chunk in resp.iter_content(_CHUNK):
                    total += len(chunk)
                    if total > max_bytes:
                        raise FetchError(f"response too large: more than {max_bytes:,} bytes")
                    if time.monotonic() > deadline:
                        raise FetchError("timed out while reading the response body")
                    chunks.append(chunk)
                body = b"".join(chunks)
            return CachedResponse(
                url=url,
                status=resp.status_code,
                content_type=content_type,
                headers=headers,
                body=body,
                fetched_at=datetime.now(UTC).isoformat(timespec="seconds"),
            )

    def _get(self, url: str, host: str, max_bytes: int, check_type: bool) -> CachedResponse:
        """One URL with retries on connection errors, 429 and 5xx."""
        import requests

        retries = self.settings.fetch_retries
        for attempt in range(retries + 1):
            pause = BACKOFF_BASE * (2**attempt)
            try:
                response = self._attempt(url, host, max_bytes, check_type)
            except (
                requests.ConnectionError,
                requests.Timeout,
                requests.exceptions.ChunkedEncodingError,
            ) as exc:
                if attempt == retries:
                    kind = "timed out" if isinstance(exc, requests.Timeout) else "connection failed"
                    tries = f"{attempt + 1} attempt(s)"
                    raise FetchError(f"{kind} after {tries}: {_short(exc)}") from None
            except requests.RequestException as exc:
                raise FetchError(f"request failed: {_short(exc)}") from None
            else:
                if response.status != 429 and response.status < 500:
                    return response
                if attempt == retries:
                    return response
                waited = _retry_after(_header(response.headers, "Retry-After"))
                if waited is not None:
                    pause = waited
            time.sleep(pause)
        raise AssertionError("unreachable")  # pragma: no cover

    def fetch(self, url: str, *, max_bytes: int, robots_file: bool = False) -> CachedResponse:
        """``url`` with redirects followed, each hop checked; :class:`FetchError` on refusal.

        For a page (not ``robots_file``) every hop is checked against robots.txt
        and a 200 response must have an accepted content type.
        """
        current = url
        for _ in range(MAX_REDIRECTS + 1):
            scheme, host, port = _split(current)
            _check_address(host, port, self.settings.fetch_allow_private)
            if not robots_file:
                self._check_robots(current, scheme, host, port)
            response = self._get(current, host, max_bytes, check_type=not robots_file)
            location = _header(response.headers, "Location")
            if response.status in _REDIRECTS and location:
                current = urljoin(current, location.strip())
                continue
            return response
        raise FetchError(f"too many redirects (more than {MAX_REDIRECTS})")

    def _check_robots(self, url: str, scheme: str, host: str, port: int) -> None:
        if not self.settings.respect_robots:
            return
        key = (scheme, host, port)
        rules = self.robots.get(key)
        if rules is None:
            rules = self._load_robots(scheme, host, port)
            self.robots[key] = rules
        if isinstance(rules, str):
            raise FetchError(f"robots.txt of {host} is unavailable ({rules}); not fetching")
        if rules is True:
            return
        if isinstance(rules, RobotFileParser) and rules.can_fetch(self.settings.user_agent, url):
            return
        raise FetchError(f"disallowed by robots.txt of {host}")

    def _load_robots(self, scheme: str, host: str, port: int) -> RobotFileParser | bool | str:
        """Rules per RFC 9309: 4xx means allow all; 5xx or unreachable means disallow all."""
        default = 443 if scheme == "https" else 80
        netloc = host if port == default else f"{host}:{port}"
        if ":" in host and port == default:
            netloc = f"[{host}]"
        elif ":" in host:
            netloc = f"[{host}]:{port}"
        try:
            response = self.fetch(
                f"{scheme}://{netloc}/robots.txt", max_bytes=ROBOTS_MAX_BYTES, robots_file=True
            )
        except FetchError as exc:
            return str(exc)
        if 400 <= response.status < 500 and response.status != 429:
            return True
        if response.status != 200:
            return f"HTTP status {response.status}"
        parser = RobotFileParser()
        parser.parse(response.body.decode("utf-8", "replace").splitlines())
        return parser


def _short(exc: BaseException) -> str:
    text = str(exc)
    return text if len(text) <= 200 else text[:200] + "..."


def _document(url: str, response: CachedResponse) -> RawDocument:
    """The document in a successful response; :class:`FetchError` otherwise."""
    if response.status != 200:
        raise FetchError(f"HTTP status {response.status}")
    media, charset = _media_type(response.content_type)
    if media not in CONTENT_TYPES:
        raise FetchError(f"unsupported content type ({media or 'none given'}): not HTML or text")
    if not response.body:
        raise FetchError("empty response body")
    is_html = CONTENT_TYPES[media]
    hint = charset or (declared_charset(response.body) if is_html else None)
    try:
        body, encoding = decode_bytes(response.body, hint)
        check_not_blank(body, "response")
    except InputError as exc:
        raise FetchError(str(exc)) from None
    host = (urlsplit(response.url).hostname or "").lower() or None
    return RawDocument(
        source=url,
        format="url",
        body=body,
        is_html=is_html,
        url=response.url,
        site=host,
        collection=host or "",
        encoding=encoding,
    )


def fetch_urls(
    urls: Iterable[str], settings: Settings, cache: ResponseCache | None = None
) -> Iterator[RawDocument | Skipped]:
    """Fetch each URL politely and yield its document, or ``Skipped(url, reason)``.

    A URL the ``cache`` holds is answered from it with no network request;
    successful responses are put into the cache.
    """
    fetcher: _Fetcher | None = None
    try:
        for raw in urls:
            url = raw.strip()
            result: RawDocument | Skipped
            fresh: CachedResponse | None = None
            try:
                _split(url)
                cached = cache.get(url) if cache is not None else None
                if cached is not None:
                    result = _document(url, cached)
                else:
                    if fetcher is None:
                        fetcher = _Fetcher(settings, _session(settings))
                    response = fetcher.fetch(url, max_bytes=settings.fetch_max_bytes)
                    result = _document(url, response)
                    fresh = response
            except FetchError as exc:
                result = Skipped(url, str(exc))
            except Exception as exc:  # noqa: BLE001 - one bad URL must never stop a build
                result = Skipped(url, f"unexpected error ({type(exc).__name__}: {_short(exc)})")
            if fresh is not None and cache is not None:
                cache.put(url, fresh)  # a store failure is not the URL's fault: let it raise
            yield result
    finally:
        if fetcher is not None:
            fetcher.session.close()


def _session(settings: Settings) -> requests.Session:
    import requests

    session = requests.Session()
    # No proxies or .netrc from the environment: the address checks must see
    # the real destination, and builds must not depend on the caller's shell.
    session.trust_env = False
    session.headers.update(
        {
            "User-Agent": settings.user_agent,
            "Accept": "text/html,application/xhtml+xml,text/plain;q=0.9,*/*;q=0.1",
        }
    )
    return session
