"""The incidents view as an analyst uses it, in headless Chromium (Debian's `chromium`, driven by
Playwright with the system browser; nothing is downloaded): the demo run indexed into this
test's own indices, `python -m pipeline ui` on a free loopback port, then map, filters, the Abu
Kamal incident with its revised toll, its article, and the GeoJSON export.

Screenshots of each page go to a temporary folder (or to ``NEWS_UI_SCREENSHOTS`` when set, which
is how the ones in docs/ were made)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pipeline.settings import Settings
from tests.integration.es_node import free_port
from tests.integration.sink_helpers import drop_indices

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
BROWSERS = ("chromium", "chromium-browser", "google-chrome")


def _required() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true") or os.environ.get(
        "NEWS_REQUIRE_SERVICES"
    ) == "1"


def browser_path() -> str:
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    message = "no Chromium found (apt-get install chromium; .ci/run installs it)"
    if _required():
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def env_for(settings: Settings, port: int) -> dict[str, str]:
    env = dict(os.environ)
    env["NEWS_KAFKA__TOPIC_PREFIX"] = settings.kafka.topic_prefix
    env["NEWS_ELASTICSEARCH__INDEX_PREFIX"] = settings.elasticsearch.index_prefix
    env["NEWS_KAFKA__PARTITIONS"] = str(settings.kafka.partitions)
    env["NEWS_UI__PORT"] = str(port)
    env["PYTHONPATH"] = str(ROOT)
    return env


def wait_until_serving(url: str, process: subprocess.Popen[str], timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        assert process.poll() is None, f"the view exited: {process.communicate()[0][-2000:]}"
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.3)
    raise AssertionError(f"the view did not answer on {url} in {timeout_s}s")


@pytest.fixture
def served_demo(
    kafka_ready: str, es_ready: Any, isolated_settings: Settings
) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    s = isolated_settings
    port = free_port()
    env = env_for(s, port)
    try:
        run = subprocess.run(
            [sys.executable, "-m", "pipeline", "run", "--feeds", "demo/feeds.yaml", "--once"],
            env=env, cwd=ROOT, timeout=300, capture_output=True, text=True,
        )
        assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
        assert f"make ui (or python -m pipeline ui), then open http://127.0.0.1:{port}/" in run.stdout
        view = subprocess.Popen(
            [sys.executable, "-m", "pipeline", "ui"], env=env, cwd=ROOT,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        try:
            wait_until_serving(f"http://127.0.0.1:{port}/", view)
            yield f"http://127.0.0.1:{port}", view
        finally:
            if view.poll() is None:
                view.kill()
                view.communicate(timeout=30)
    finally:
        drop_indices(es_ready, s.elasticsearch.index_prefix)


@pytest.fixture
def screenshots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("NEWS_UI_SCREENSHOTS") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_an_analyst_finds_the_abu_kamal_battle_and_its_revised_toll(
    served_demo: tuple[str, subprocess.Popen[str]], screenshots: Path, tmp_path: Path
) -> None:
    from playwright.sync_api import sync_playwright

    base, view = served_demo
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=browser_path(), args=["--no-sandbox"])
        try:
            context = browser.new_context(accept_downloads=True, viewport={"width": 1300, "height": 1000})
            page = context.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda error: errors.append(str(error)))
            browse_map_and_filter(page, base, screenshots)
            read_incident_and_article(page, screenshots)
            export_geojson(page, base, tmp_path)
            page.goto(f"{base}/?min_deaths=lots")
            assert "min_deaths: 'lots' is not a whole number" in page.inner_text("#reason")
            assert errors == [], errors
        finally:
            browser.close()
    # Ctrl-C stops the view cleanly.
    view.send_signal(signal.SIGINT)
    output = view.communicate(timeout=30)[0]
    assert view.returncode == 0, output[-2000:]
    assert "Traceback" not in output


def browse_map_and_filter(page: Any, base: str, screenshots: Path) -> None:
    page.goto(base + "/")
    page.wait_for_selector("#map[data-loaded]")
    total = int(page.inner_text("#total"))
    assert total >= 3
    # Every incident with coordinates is a circle on the map, over the offline country outlines.
    assert int(page.get_attribute("#map", "data-loaded")) >= 3
    assert page.locator("#map path.leaflet-interactive").count() >= 3
    # One path per event type in each chart: the demo has battles, bombings and a protest.
    assert page.locator("#timeline svg.chart path").count() >= 3
    page.screenshot(path=str(screenshots / "incidents.png"), full_page=True)

    page.select_option("#f-country", "Syria")
    page.select_option("#f-type", "Battles")
    page.click("#apply")
    page.wait_for_url("**/?*country=Syria*")
    assert "event_type=Battles" in page.url
    page.wait_for_selector("#map[data-loaded]")
    rows = page.locator("#incidents tbody tr")
    assert 1 <= rows.count() < total
    assert all("Battles" in text for text in rows.all_inner_texts())
    assert any("Abu Kamal, Syria" in text for text in rows.all_inner_texts())
    assert page.get_attribute("#map", "data-loaded") == str(rows.count())
    page.screenshot(path=str(screenshots / "incidents-filtered.png"), full_page=True)


def read_incident_and_article(page: Any, screenshots: Path) -> None:
    page.locator("#incidents tbody tr", has_text="Abu Kamal").locator("a.incident-link").click()
    page.wait_for_url("**/incident/*")
    assert "Battles" in page.inner_text("#heading")
    assert page.inner_text("#date").startswith("2026-11-19")
    assert "Abu Kamal" in page.inner_text("#place")
    assert "Islamic State" in page.inner_text("#actors")
    deaths = page.inner_text("#deaths")
    assert deaths.startswith("40")
    assert "earlier 25" in page.inner_text("#toll-history")
    assert "25 → 40" in page.inner_text("#toll-history")
    assert "At least 40 fighters died" in page.inner_text("#evidence")
    original = page.get_attribute("#sources a.original-link", "href")
    assert original.startswith("http://127.0.0.1:")
    page.screenshot(path=str(screenshots / "incident.png"), full_page=True)

    page.click("#sources a.article-link")
    page.wait_for_url("**/article/*")
    assert "Abu Kamal" in page.inner_text("#title")
    evidence = page.locator("#text mark.evidence").all_inner_texts()
    assert any("At least 40 fighters died" in text for text in evidence)
    assert page.locator("#text mark.place, #text mark.actor").count() >= 1
    assert page.locator("#article-incidents li a").count() >= 2
    page.screenshot(path=str(screenshots / "article.png"), full_page=True)


def export_geojson(page: Any, base: str, tmp_path: Path) -> None:
    page.goto(f"{base}/?country=Syria&event_type=Battles")
    with page.expect_download() as download_info:
        page.click("#export-geojson")
    target = tmp_path / "incidents.geojson"
    download_info.value.save_as(target)
    collection = json.loads(target.read_text(encoding="utf-8"))
    assert collection["type"] == "FeatureCollection"
    places = {f["properties"]["place"]: f for f in collection["features"]}
    abu_kamal = places["Abu Kamal"]
    assert abu_kamal["properties"]["fatalities_history"] == [25, 40]
    lon, lat = abu_kamal["geometry"]["coordinates"]
    assert 40 < lon < 42 and 34 < lat < 35
    assert {f["properties"]["event_type"] for f in collection["features"]} == {"Battles"}
