"""Every page and API route of the web UI, in-process, over the sample corpus."""

from __future__ import annotations

import csv
import io
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from narrascope.store import open_store
from narrascope.web import CSP, make_app

from .conftest import HOSTILE_TITLE, PAYLOADS, call


class _Markup(HTMLParser):
    """Collects what could run script: script elements, on* handlers, javascript: URLs."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "iframe", "object", "embed"):
            self.found.append(tag)
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"{tag} {name}")
            if value and re.sub(r"\s", "", value).lower().startswith("javascript:"):
                self.found.append(f"{tag} {name}={value}")


def _dangerous(html: str) -> list[str]:
    parser = _Markup()
    parser.feed(html)
    return parser.found


def _ids(web_db: Path) -> dict[str, str]:
    with open_store(web_db, read_only=True) as store:
        hostile = store.query("SELECT id FROM documents WHERE title LIKE '%Hostile%'")[0]["id"]
        doc = store.query("SELECT id FROM documents WHERE title NOT LIKE '%Hostile%'"
                          " ORDER BY source LIMIT 1")[0]["id"]
        ent = store.query("SELECT id, name FROM entities ORDER BY mention_count DESC"
                          " LIMIT 1")[0]
    return {"hostile": hostile, "doc": doc, "entity": ent["id"], "entity_name": ent["name"]}


@pytest.fixture(scope="module")
def ids(web_db: Path) -> dict[str, str]:
    return _ids(web_db)


def _pages(ids: dict[str, str]) -> list[str]:
    return ["/", "/overview", f"/doc/{ids['doc']}", f"/doc/{ids['hostile']}",
            f"/entity/{ids['entity']}", "/timeline", "/timeline?zoom=decade",
            f"/timeline?zoom=month&entity={ids['entity']}", "/claims", "/reuse",
            "/search?q=Front", "/tables"]


def test_every_page_renders_with_real_data_and_security_headers(get: Any,
                                                                ids: dict[str, str]) -> None:
    for url in _pages(ids):
        r = get(url)
        assert r.status == 200, url
        assert r.headers["content-type"].startswith("text/html")
        assert r.headers["content-security-policy"] == CSP
        assert "script-src" not in CSP
        assert "default-src 'none'" in CSP
        assert r.headers["x-content-type-options"] == "nosniff"
        assert "<script" not in r.text.lower(), url
    overview = get("/").text
    assert "Anselm Korvik" in overview  # a top entity of the sample corpus
    assert overview.count('href="/doc/') >= 12
    assert "Top entities" in overview
    assert "Technique mix" in overview


def test_every_api_route_answers_json(get: Any, ids: dict[str, str]) -> None:
    for url in _pages(ids):
        r = get("/api" + (url if url != "/" else "/"))
        assert r.status == 200, url
        assert r.headers["content-type"].startswith("application/json")
        assert isinstance(r.json(), dict)
    overview = get("/api/").json()
    assert overview["counts"]["documents"] >= 12
    assert overview["entities"][0]["mention_count"] >= overview["entities"][-1]["mention_count"]
    doc = get(f"/api/doc/{ids['doc']}").json()
    assert "html" not in doc
    assert doc["text"]
    for layer in doc["layers"]:
        for s in layer["spans"]:
            assert 0 <= s["start"] < s["end"] <= len(doc["text"])
    ent = get(f"/api/entity/{ids['entity']}").json()
    assert ent["name"] == ids["entity_name"]
    assert len(ent["mentions"]) == ent["mention_count"]
    assert all(m["text"] for m in ent["mentions"])
    hits = get("/api/search?q=Front").json()["hits"]
    assert hits
    assert all("\x02" in h["snippet"] for h in hits)


def test_reader_highlights_layers_and_greys_boilerplate(get: Any, ids: dict[str, str]) -> None:
    doc = get(f"/api/doc/{ids['doc']}").json()
    html = get(f"/doc/{ids['doc']}").text
    keys = [la["key"] for la in doc["layers"]]
    assert keys[:3] == ["mentions", "quotes", "timexes"]
    assert sum(la["count"] for la in doc["layers"]) > 0
    for la in doc["layers"]:
        assert f'id="layer-{la["slot"]}"' in html  # a toggle per layer
        if la["count"]:
            assert f'hl-L{la["slot"]}' in html
    assert 'class="bp"' in html
    assert "boilerplate:" in html
    assert 'href="/entity/' in html
    assert "speaker:" in html  # quotes carry their speaker in the label


def test_focus_marks_the_evidence(get: Any, ids: dict[str, str]) -> None:
    ent = get(f"/api/entity/{ids['entity']}").json()
    m = ent["mentions"][0]
    html = get(f"/doc/{m['doc']}?focus={m['start']}-{m['end']}").text
    assert html.count('id="focus"') == 1


def test_timeline_zoom_and_entity_filter(get: Any, ids: dict[str, str]) -> None:
    year = get("/api/timeline?zoom=year").json()
    decade = get("/api/timeline?zoom=decade").json()
    assert year["entries"]
    assert len(decade["buckets"]) <= len(year["buckets"])
    assert all(b.endswith("s") or b == "undated" for b, _ in decade["buckets"])
    assert sum(n for _, n in year["buckets"]) == len(year["entries"])
    assert all(e["evidence"] for e in year["entries"])
    one = get(f"/api/timeline?entity={ids['entity']}").json()
    assert len(one["entries"]) < len(year["entries"])
    assert all(any(a.get("entity") == ids["entity"] for a in e["actors"])
               for e in one["entries"])


def test_hostile_document_is_escaped_everywhere(get: Any, ids: dict[str, str]) -> None:
    html = get(f"/doc/{ids['hostile']}").text
    for payload in PAYLOADS:
        assert payload not in html
    assert "&lt;script&gt;window.__xss=1" in html
    assert "&lt;img src=x onerror=" in html
    assert "&lt;svg onload=" in html
    assert 'href="javascript:' not in html
    pages = [f"/doc/{ids['hostile']}", "/", "/search?q=payload", "/search?q=Hostile",
             "/timeline", "/search?q=" + PAYLOADS[0], "/tables", "/claims"]
    for url in pages:
        assert _dangerous(get(url).text) == [], url
    assert _dangerous('<p><img src=x onerror="1"></p>') == ["img onerror"]  # the check works
    assert HOSTILE_TITLE not in get("/").text
    r = get(f"/api/doc/{ids['hostile']}")
    assert r.headers["content-type"].startswith("application/json")
    assert r.json()["title"] == HOSTILE_TITLE  # the data itself is kept as written


def test_tables_as_json_and_csv(get: Any) -> None:
    tables = get("/api/tables").json()["tables"]
    names = {t["name"] for t in tables}
    assert {"documents", "mentions", "entities", "regions"} <= names
    for name in names:
        assert get(f"/api/table/{name}.json?limit=5").status == 200, name
    rows = get("/api/table/documents.json?limit=3&offset=1").json()["rows"]
    assert len(rows) == 3
    assert rows[0]["text"]
    text = get("/api/table/mentions.csv?limit=1000").text
    parsed = list(csv.DictReader(io.StringIO(text)))
    assert parsed
    assert set(parsed[0]) >= {"doc", "start", "end", "text", "label"}


def test_errors_and_refusals(get: Any) -> None:
    assert get("/doc/0000000000000000").status == 404
    assert get("/entity/nope").status == 404
    assert get("/nowhere").status == 404
    assert get("/doc").status == 404
    assert get("/doc/../../etc/passwd").status == 404
    assert get("/api/table/nope.json").status == 404
    assert get("/api/table/documents.xml").status == 404
    assert get("/static/../app.py").status == 404
    assert get("/static/style.css").headers["content-type"].startswith("text/css")
    assert get("/", method="POST").status == 405
    assert get("/", host="attacker.example:8001").status == 403
    head = get("/", method="HEAD")
    assert head.status == 200
    assert head.body == b""


def test_missing_tables_show_empty_states(tmp_path: Path, web_db: Path) -> None:
    db = tmp_path / "old.db"
    db.write_bytes(web_db.read_bytes())
    with open_store(db) as store:
        for table in ("quotes", "timexes", "events", "timeline", "techniques", "citations",
                      "sentence_attribution", "claim_members", "claims", "reuse", "aliases",
                      "relations", "sentence_sentiment", "stance", "network_edges"):
            store.execute(f"DROP TABLE IF EXISTS {table}")
        store.execute("DELETE FROM mentions")
        store.execute("DROP TABLE entities")
    app = make_app(str(db))
    assert "the entity stage has not run" in call(app, "/").text
    assert "no techniques table" in call(app, "/").text
    assert "the dates stage has not run" in call(app, "/timeline").text
    assert "the claims stage has not run" in call(app, "/claims").text
    assert "the reuse stage has not run" in call(app, "/reuse").text
    with open_store(db, read_only=True) as store:
        doc = store.query("SELECT id FROM documents LIMIT 1")[0]["id"]
    r = call(app, f"/doc/{doc}")
    assert r.status == 200
    assert "No findings stored" in r.text
    assert call(app, "/entity/x").status == 404


def test_empty_store(tmp_path: Path) -> None:
    db = tmp_path / "empty.db"
    with open_store(db):
        pass
    app = make_app(str(db))
    assert "has no documents yet" in call(app, "/").text
    assert call(app, "/search?q=anything").status == 200
    assert call(app, "/api/timeline").json()["entries"] == []


def test_every_entity_page_renders(web_db: Path) -> None:
    """Whatever rules formed an entity (one spelling, aliases, corrections), its page renders."""
    app = make_app(str(web_db))
    with open_store(web_db, read_only=True) as store:
        ids = [r["id"] for r in store.query("SELECT id FROM entities")]
    assert ids
    for entity_id in ids:
        reply = call(app, f"/entity/{entity_id}")
        assert reply.status == 200, entity_id
        assert "Why these mentions are one entity" in reply.text
