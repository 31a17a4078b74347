"""Entity corrections from the web UI (``narrascope serve --allow-corrections``), in-process.

Off by default (every POST is 405); with the flag only ``POST /entity/ID/correct``
writes, and only with the token, from this server's own pages (Origin/Referer), with
a small form-encoded body. A merge made through the form changes the entity and is
applied again by a later ``narrascope build``.
"""

from __future__ import annotations

import io
import os
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest

from narrascope.store import open_store
from narrascope.web import make_app
from narrascope.web.corrections import COOKIE, MAX_BODY, new_token

from .conftest import Reply, call

HOST = "127.0.0.1:8001"
ORIGIN = f"http://{HOST}"


def _post(app: Any, url: str, fields: dict[str, str] | None = None, *, body: bytes | None = None,
          ctype: str = "application/x-www-form-urlencoded", origin: str | None = ORIGIN,
          referer: str | None = None, host: str = HOST, length: str | None = None) -> Reply:
    """One POST through the WSGI app, with the headers a browser would send."""
    data = body if body is not None else urlencode(fields or {}).encode()
    got: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]]) -> None:
        got["status"], got["headers"] = status, headers

    environ = {"REQUEST_METHOD": "POST", "PATH_INFO": urlsplit(url).path, "QUERY_STRING": "",
               "HTTP_HOST": host, "wsgi.input": io.BytesIO(data), "CONTENT_TYPE": ctype,
               "CONTENT_LENGTH": length if length is not None else str(len(data)),
               "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8001", "wsgi.url_scheme": "http"}
    if origin is not None:
        environ["HTTP_ORIGIN"] = origin
    if referer is not None:
        environ["HTTP_REFERER"] = referer
    out = b"".join(app(environ, start_response))
    return Reply(got["status"], got["headers"], out)


def _get(app: Any, url: str, cookie: str | None = None, path: str | None = None) -> Reply:
    if cookie is None and path is None:
        return call(app, url)
    parts = urlsplit(url)
    got: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]]) -> None:
        got["status"], got["headers"] = status, headers

    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": path or parts.path,
               "QUERY_STRING": parts.query, "HTTP_HOST": HOST, "HTTP_COOKIE": cookie or "",
               "wsgi.input": io.BytesIO(b""),
               "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8001", "wsgi.url_scheme": "http"}
    out = b"".join(app(environ, start_response))
    return Reply(got["status"], got["headers"], out)


def _entity(db: Path, name: str) -> dict[str, Any] | None:
    with open_store(db, read_only=True) as store:
        rows = store.query("SELECT * FROM entities WHERE name = ?", (name,))
        return dict(rows[0]) if rows else None


def _log(db: Path) -> list[dict[str, Any]]:
    with open_store(db, read_only=True) as store:
        return [dict(r) for r in store.query("SELECT * FROM entity_corrections ORDER BY id")]


@pytest.fixture
def db(tmp_path: Path, web_db: Path) -> Path:
    """A writable copy of the web test store."""
    copy = tmp_path / "copy.db"
    copy.write_bytes(web_db.read_bytes())
    return copy


@pytest.fixture
def token() -> str:
    return new_token()


@pytest.fixture
def app(db: Path, token: str) -> Any:
    return make_app(str(db), corrections_token=token)


def _id(db: Path, name: str) -> str:
    ent = _entity(db, name)
    assert ent is not None, name
    return str(ent["id"])


def test_read_only_by_default(web_db: Path) -> None:
    app = make_app(str(web_db))
    eid = _id(web_db, "Dagny Lindqvist")
    for url in (f"/entity/{eid}/correct", f"/entity/{eid}", "/"):
        r = _post(app, url, {"action": "rename", "argument": "X", "token": "guess"})
        assert r.status == 405, url
    page = call(app, f"/entity/{eid}").text
    assert "<form class=\"correct\"" not in page
    assert "Correct this entity" not in page
    assert call(app, f"/entity/{eid}?token=guess").status == 200  # no login route either
    assert call(app, "/").headers["referrer-policy"] == "no-referrer"


def test_token_is_required(app: Any, db: Path, token: str) -> None:
    eid = _id(db, "Dagny Lindqvist")
    url = f"/entity/{eid}/correct"
    fields = {"action": "rename", "argument": "Someone Else"}
    for sent in (fields, {**fields, "token": ""}, {**fields, "token": token[:-1] + "x"},
                 {**fields, "token": token + "x"}):
        r = _post(app, url, sent)
        assert r.status == 403
        assert "token" in r.text
    assert _log(db) == []
    assert _entity(db, "Dagny Lindqvist") is not None


def test_requests_from_other_sites_are_refused(app: Any, db: Path, token: str) -> None:
    eid = _id(db, "Dagny Lindqvist")
    url = f"/entity/{eid}/correct"
    fields = {"action": "nonsense", "token": token}  # would be a 400 if it got through
    for origin, referer in (("http://evil.example", None), ("null", None),
                            ("http://127.0.0.1:9999", None), (None, "http://evil.example/x"),
                            ("https://127.0.0.1:8001.evil.example", None)):
        r = _post(app, url, fields, origin=origin, referer=referer)
        assert r.status == 403, (origin, referer)
    assert _post(app, url, fields, host="evil.example:8001",
                 origin="http://evil.example:8001").status == 403  # DNS rebinding
    assert _post(app, url, fields, origin=None, referer=f"{ORIGIN}/entity/{eid}").status == 400
    assert _post(app, url, fields, origin=None).status == 400  # curl: no Origin, token enough
    assert _log(db) == []


def test_body_and_encoding_limits(app: Any, db: Path, token: str) -> None:
    url = f"/entity/{_id(db, 'Dagny Lindqvist')}/correct"
    big = {"action": "rename", "argument": "x" * MAX_BODY, "token": token}
    assert _post(app, url, big).status == 413
    assert _post(app, url, body=b"", length=str(10**9)).status == 413
    assert _post(app, url, body=b"", length="lots").status == 400
    assert _post(app, url, {"token": token}, ctype="multipart/form-data; boundary=x").status == 415
    assert _post(app, url, body=b"token=\xff\xfe&action=merge").status == 400
    assert _log(db) == []


def test_bad_actions_get_a_clear_error_page(app: Any, db: Path, token: str) -> None:
    eid = _id(db, "Dagny Lindqvist")
    r = _post(app, f"/entity/{eid}/correct", {"action": "delete", "token": token})
    assert r.status == 400
    assert "unknown correction" in r.text
    assert "merge, split, rename, ignore" in r.text
    r = _post(app, f"/entity/{eid}/correct", {"action": "merge", "argument": " ", "token": token})
    assert r.status == 400
    assert "needs a second name" in r.text
    r = _post(app, "/entity/nosuchentity/correct", {"action": "ignore", "token": token})
    assert r.status == 404
    r = _post(app, f"/entity/{eid}/correct", {"action": "merge", "argument": "Nobody Atall",
                                               "token": token})
    assert r.status == 422
    assert "no such entity" in r.text
    assert [c["action"] for c in _log(db)] == ["merge"]  # kept in the log, like the CLI


def test_only_the_correct_route_takes_post(app: Any, db: Path, token: str) -> None:
    eid = _id(db, "Dagny Lindqvist")
    fields = {"action": "rename", "argument": "X", "token": token}
    for url in ("/", f"/entity/{eid}", f"/api/entity/{eid}/correct", f"/doc/{eid}/correct",
                f"/entity/{eid}/correct/more"):
        assert _post(app, url, fields).status == 405, url
    assert _post(app, "/entity/../correct", fields).status == 404  # an id, never a path
    assert call(app, f"/entity/{eid}/correct").status == 404  # GET: no such page
    assert _log(db) == []


def test_the_token_reaches_only_a_browser_that_opened_the_printed_url(app: Any, db: Path,
                                                                    token: str) -> None:
    eid = _id(db, "Dagny Lindqvist")
    page = call(app, f"/entity/{eid}")
    assert page.status == 200
    assert "Correct this entity" in page.text
    assert token not in page.text
    assert 'name="token"' not in page.text
    assert page.headers["referrer-policy"] == "same-origin"
    assert '<meta name="referrer" content="same-origin">' in page.text
    assert call(app, f"/entity/{eid}?token=wrong").status == 403
    login = call(app, f"/entity/{eid}?token={token}")
    assert login.status == 303
    assert login.headers["location"] == f"/entity/{eid}"
    cookie = login.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE}={token};")
    assert "HttpOnly" in cookie
    assert "SameSite=Strict" in cookie
    assert _get(app, f"/?token={token}", path="//evil.example").headers["location"] == (
        "/evil.example")  # the redirect stays on this server
    page = _get(app, f"/entity/{eid}", cookie=f"{COOKIE}={token}")
    assert f'<input type="hidden" name="token" value="{token}">' in page.text
    assert f'action="/entity/{eid}/correct" method="post"' in page.text
    assert "<script" not in page.text.lower()
    assert token not in _get(app, f"/api/entity/{eid}", cookie=f"{COOKIE}={token}").text
    assert 'name="token"' not in _get(app, f"/entity/{eid}", cookie=f"{COOKIE}=wrong").text


def test_a_merge_through_the_form_survives_a_rebuild(app: Any, db: Path, token: str) -> None:
    from narrascope.cli import main
    from narrascope.demo import sample_corpus

    keep, other = _entity(db, "Dagny Lindqvist"), _entity(db, "Joran Pelt")
    assert keep is not None
    assert other is not None
    url = f"/entity/{keep['id']}/correct"
    r = _post(app, url, {"action": "merge", "argument": "Joran Pelt", "note": "test merge",
                         "token": token})
    assert r.status == 303, r.text
    location = r.headers["location"]
    assert re.fullmatch(r"/entity/[^/?]+\?corrected=1", location), location
    merged = _entity(db, "Dagny Lindqvist")
    assert merged is not None
    assert _entity(db, "Joran Pelt") is None
    assert merged["mention_count"] == keep["mention_count"] + other["mention_count"]
    page = _get(app, location, cookie=f"{COOKIE}={token}")
    assert page.status == 200
    assert "Correction 1 recorded" in page.text
    assert "Joran Pelt" in page.text  # a spelling of the entity now, and in the log
    assert "test merge" in page.text
    assert "correction:merge" in page.text  # the rule, in "why these mentions are one entity"
    assert [(c["action"], c["target"], c["argument"]) for c in _log(db)] == [
        ("merge", "Dagny Lindqvist", "Joran Pelt")]

    with sample_corpus() as sample:  # a later build applies the log again
        assert main(["build", str(sample), "--db", str(db), "-q"]) == 0
    again = _entity(db, "Dagny Lindqvist")
    assert again is not None
    assert _entity(db, "Joran Pelt") is None
    assert again["mention_count"] == merged["mention_count"]


def test_rename_leads_to_the_renamed_entity(app: Any, db: Path, token: str) -> None:
    eid = _id(db, "Dagny Lindqvist")
    r = _post(app, f"/entity/{eid}/correct", {"action": "rename", "argument": "D. Lindqvist",
                                               "token": token}, origin=None)
    assert r.status == 303
    renamed = _entity(db, "D. Lindqvist")
    assert renamed is not None
    assert r.headers["location"] == f"/entity/{renamed['id']}?corrected=1"
    r = _post(app, f"/entity/{renamed['id']}/correct", {"action": "ignore", "token": token})
    assert r.status == 303
    assert r.headers["location"] == "/"
    assert _entity(db, "D. Lindqvist") is None


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes read-only files")
def test_a_store_that_cannot_be_written_is_refused_at_start(db: Path, token: str) -> None:
    from narrascope.errors import NarrascopeError

    db.chmod(0o444)
    try:
        with pytest.raises(NarrascopeError):
            make_app(str(db), corrections_token=token)
    finally:
        db.chmod(0o644)


# -- in a real browser: the form posts, the CSP allows it, the Origin check passes -----------

from . import test_browser as _browser  # noqa: E402 - its session fixtures, shared

browser = _browser.browser
shots = _browser.shots


def test_correcting_in_chromium(browser: Any, shots: Path, db: Path, token: str) -> None:
    import threading

    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait

    from narrascope.web.server import make_http_server

    httpd = make_http_server(str(db), "127.0.0.1", 0, corrections_token=token)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    server = f"http://127.0.0.1:{httpd.server_port}"
    try:
        eid = _id(db, "Dagny Lindqvist")
        browser.delete_all_cookies()
        browser.get(f"{server}/entity/{eid}")
        assert not browser.find_elements(By.CSS_SELECTOR, "form.correct")
        browser.get(f"{server}/?token={token}")  # the printed URL: sets the cookie
        assert "token=" not in browser.current_url
        browser.get(f"{server}/entity/{eid}")
        form = browser.find_element(By.CSS_SELECTOR, "form.correct")
        Select(form.find_element(By.NAME, "action")).select_by_value("merge")
        form.find_element(By.NAME, "argument").send_keys("Joran Pelt")
        form.find_element(By.NAME, "note").send_keys("same person, per the interview")
        browser.save_screenshot(str(shots / "correct-form.png"))
        form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        WebDriverWait(browser, 60).until(lambda d: "corrected=" in d.current_url)
        assert "Correction 1 recorded" in browser.find_element(By.TAG_NAME, "main").text
        assert browser.execute_script("return typeof window.__xss") == "undefined"
        browser.save_screenshot(str(shots / "corrected.png"))
        assert _entity(db, "Joran Pelt") is None
        assert [c["argument"] for c in _log(db)] == ["Joran Pelt"]
    finally:
        browser.delete_all_cookies()
        httpd.shutdown()
        httpd.server_close()
