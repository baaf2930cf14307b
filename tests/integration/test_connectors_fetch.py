"""The fetcher against a real local server: slow-loris bodies and headers cut by the deadline,
silent servers by the read timeout, redirect loops, redirects to private addresses with the
guard on, gzip bombs, oversize bodies, wrong content types."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from connectors.fetch import Fetcher, FetchError
from pipeline.settings import FetchSettings
from tests.integration.connector_server import ScenarioServer

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def server() -> Iterator[ScenarioServer]:
    with ScenarioServer() as running:
        yield running


def guarded() -> Fetcher:
    """The SSRF guard on, with only the test server's own address allowed."""
    return Fetcher(FetchSettings(
        allowed_networks=("127.0.0.1/32",), connect_timeout_s=1.0, read_timeout_s=1.0,
        deadline_s=2.0, max_bytes=1024 * 1024,
    ))


def reason(fetcher: Fetcher, url: str, **kwargs: object) -> tuple[str, float]:
    started = time.monotonic()
    with pytest.raises(FetchError) as caught:
        fetcher.get(url, **kwargs)  # type: ignore[arg-type]
    return caught.value.reason, time.monotonic() - started


def test_a_plain_page_is_fetched(server: ScenarioServer) -> None:
    response = guarded().get(server.url("/articles/protest.html"))
    assert response.status == 200 and b"Bread protest" in response.body
    sent = server.headers_seen["/articles/protest.html"][-1]
    assert sent["User-Agent"].startswith("news-incidents/") and "gzip" in sent["Accept-Encoding"]


def test_slow_loris_body_is_cut_at_the_deadline(server: ScenarioServer) -> None:
    why, took = reason(guarded(), server.url("/articles/slow.html"))
    assert why == "deadline" and took < 4.0


def test_slow_loris_headers_are_cut_at_the_deadline(server: ScenarioServer) -> None:
    why, took = reason(guarded(), server.url("/articles/slow-headers.html"))
    assert why == "deadline" and took < 4.0


def test_a_silent_server_hits_the_read_timeout(server: ScenarioServer) -> None:
    why, took = reason(guarded(), server.url("/articles/silent.html"))
    assert why == "timeout" and took < 3.0


def test_redirect_loops_are_detected(server: ScenarioServer) -> None:
    assert reason(guarded(), server.url("/loop-a.xml"))[0] == "redirect-loop"


def test_redirects_to_private_addresses_are_blocked_with_the_guard_on(server: ScenarioServer) -> None:
    before = server.requests["/rss.xml"]
    assert reason(guarded(), server.url("/to-private.xml"))[0] == "blocked-address"
    assert reason(guarded(), server.url("/to-metadata.xml"))[0] == "blocked-address"
    assert server.requests["/rss.xml"] == before  # the private hop was never contacted


def test_without_any_exception_even_the_first_hop_to_loopback_is_blocked(server: ScenarioServer) -> None:
    assert reason(Fetcher(FetchSettings()), server.url("/rss.xml"))[0] == "blocked-address"


def test_a_gzip_bomb_stops_at_the_decoded_cap(server: ScenarioServer) -> None:
    why, took = reason(guarded(), server.url("/articles/bomb.html"))
    assert why == "too-large" and took < 3.0


def test_oversize_bodies_and_wrong_types_are_refused(server: ScenarioServer) -> None:
    assert reason(guarded(), server.url("/articles/big.html"))[0] == "too-large"
    why, _ = reason(guarded(), server.url("/articles/image.jpg"), accept=("text/html",))
    assert why == "content-type"


def test_http_errors_are_responses_not_exceptions(server: ScenarioServer) -> None:
    fetcher = guarded()
    assert fetcher.get(server.url("/articles/gone.html")).status == 410
    assert fetcher.get(server.url("/articles/error.html")).status == 500
    assert fetcher.get(server.url("/nowhere")).status == 404
    limited = fetcher.get(server.url("/429.xml"))
    assert limited.status == 429 and limited.header("Retry-After") == "3600"


def test_connection_refused_is_named() -> None:
    assert reason(guarded(), "http://127.0.0.1:9/")[0] == "connection"
