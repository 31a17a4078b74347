"""End-to-end: the UI in a real headless Chromium, served over a loopback port.

The browser comes from the Debian packages ``chromium`` and ``chromium-driver``,
installed by ``setup_browser.sh`` when missing; the tests skip, saying why, only
if they cannot be installed. Screenshots go to ``$NARRASCOPE_SCREENSHOTS`` (or a
temporary folder) for a person to look at.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from narrascope.store import open_store

CHROMIUM = Path("/usr/bin/chromium")
DRIVER = Path("/usr/bin/chromedriver")
SETUP = Path(__file__).with_name("setup_browser.sh")


def _ensure_browser() -> str | None:
    """None when chromium and its driver are there, else why they could not be installed."""
    if CHROMIUM.exists() and DRIVER.exists():
        return None
    if shutil.which("apt-get") is None:
        return "chromium is not installed and apt-get is not available to install it"
    done = subprocess.run(["sh", str(SETUP)], capture_output=True, text=True,  # noqa: PLW1510
                          timeout=900)
    if CHROMIUM.exists() and DRIVER.exists():
        return None
    return f"could not install chromium/chromium-driver: {done.stderr.strip()[-300:]}"


@pytest.fixture(scope="session")
def server(web_db: Path) -> Iterator[str]:
    from narrascope.web.server import make_http_server

    httpd = make_http_server(str(web_db), "127.0.0.1", 0)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    reason = _ensure_browser()
    if reason:
        pytest.skip(reason)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1280,1000", "--no-first-run", "--disable-extensions"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(str(DRIVER)), options=options)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


@pytest.fixture(scope="session")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = os.environ.get("NARRASCOPE_SCREENSHOTS")
    path = Path(folder) if folder else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


def _no_script_ran(driver: Any) -> None:
    from selenium.common.exceptions import NoAlertPresentException

    with pytest.raises(NoAlertPresentException):
        driver.switch_to.alert.text  # noqa: B018 - raises when no alert is open
    assert driver.execute_script("return typeof window.__xss") == "undefined"


def _ids(web_db: Path) -> dict[str, str]:
    with open_store(web_db, read_only=True) as store:
        hostile = store.query("SELECT id FROM documents WHERE title LIKE '%Hostile%'")[0]["id"]
        doc = store.query("SELECT d.id FROM documents d JOIN quotes q ON q.doc = d.id"
                          " WHERE d.id IN (SELECT doc FROM regions WHERE kind != 'content')"
                          " GROUP BY d.id ORDER BY count(*) DESC LIMIT 1")[0]["id"]
        ent = store.query("SELECT id, name FROM entities WHERE type = 'PERSON'"
                          " ORDER BY mention_count DESC LIMIT 1")[0]
    return {"hostile": hostile, "doc": doc, "entity": ent["id"], "name": ent["name"]}


def test_pages_render_in_chromium(browser: Any, server: str, web_db: Path, shots: Path) -> None:
    from selenium.webdriver.common.by import By

    ids = _ids(web_db)
    browser.get(server + "/")
    assert browser.title.startswith("Overview")
    rows = browser.find_elements(By.CSS_SELECTOR, "main table tbody tr")
    assert len(rows) >= 12
    assert ids["name"] in browser.find_element(By.TAG_NAME, "main").text
    assert browser.find_elements(By.CSS_SELECTOR, "svg.chart rect")
    browser.save_screenshot(str(shots / "overview.png"))

    browser.get(f"{server}/entity/{ids['entity']}")
    assert browser.find_element(By.TAG_NAME, "h1").text.startswith(ids["name"])
    assert len(browser.find_elements(By.CSS_SELECTOR, "ul.ctx mark")) > 0
    browser.save_screenshot(str(shots / "entity.png"))

    browser.get(f"{server}/timeline?zoom=decade")
    sections = browser.find_elements(By.CSS_SELECTOR, "section.bucket")
    assert sections
    assert all(s.find_element(By.TAG_NAME, "h2").text[:4].isdigit()
                            or "undated" in s.text for s in sections)
    browser.save_screenshot(str(shots / "timeline.png"))

    browser.get(f"{server}/search?q=Front")
    marks = browser.find_elements(By.CSS_SELECTOR, ".snippet mark")
    assert marks
    assert all(m.text.lower().startswith("front") for m in marks)
    browser.save_screenshot(str(shots / "search.png"))

    for page in ("claims", "reuse", "tables"):
        browser.get(f"{server}/{page}")
        assert browser.find_element(By.TAG_NAME, "h1").text
        _no_script_ran(browser)


def test_reader_highlights_and_toggles(browser: Any, server: str, web_db: Path,
                                       shots: Path) -> None:
    from selenium.webdriver.common.by import By

    ids = _ids(web_db)
    browser.get(f"{server}/doc/{ids['doc']}")
    quote = browser.find_element(By.CSS_SELECTOR, "article.text .hl-L1")
    coloured = quote.value_of_css_property("background-color")
    assert coloured not in ("rgba(0, 0, 0, 0)", "transparent")
    assert browser.find_elements(By.CSS_SELECTOR, "article.text .bp")
    browser.save_screenshot(str(shots / "reader.png"))
    browser.find_element(By.CSS_SELECTOR, "label[for='layer-1']").click()
    assert quote.value_of_css_property("background-color") == "rgba(0, 0, 0, 0)"
    browser.find_element(By.CSS_SELECTOR, "label[for='layer-1']").click()
    assert quote.value_of_css_property("background-color") == coloured


def test_script_payloads_do_not_run(browser: Any, server: str, web_db: Path,
                                    shots: Path) -> None:
    from selenium.webdriver.common.by import By

    ids = _ids(web_db)
    for url in (f"/doc/{ids['hostile']}", "/", "/search?q=payload",
                "/search?q=%3Cscript%3Ewindow.__xss%3D9%3C%2Fscript%3E", "/timeline"):
        browser.get(server + url)
        _no_script_ran(browser)
        assert not browser.find_elements(By.CSS_SELECTOR, "main script, main img, main iframe")
    browser.get(f"{server}/doc/{ids['hostile']}")
    text = browser.find_element(By.CSS_SELECTOR, "article.text").text
    assert "<script>window.__xss=1;alert(1)</script>" in text  # shown as text
    assert '<img src=x onerror="window.__xss=2">' in text
    browser.save_screenshot(str(shots / "hostile.png"))


def test_report_opens_offline(browser: Any, web_db: Path, tmp_path: Path, shots: Path) -> None:
    from selenium.webdriver.common.by import By

    from narrascope.web.report import write_report

    out = tmp_path / "report.html"
    with open_store(web_db, read_only=True) as store:
        write_report(store, out)
    browser.get(out.as_uri())
    assert browser.find_element(By.CSS_SELECTOR, "h1").text.startswith("narrascope report")
    assert len(browser.find_elements(By.CSS_SELECTOR, "svg")) >= 3
    _no_script_ran(browser)
    entries = browser.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name)")
    assert entries == []  # nothing was fetched
    browser.save_screenshot(str(shots / "report.png"))
