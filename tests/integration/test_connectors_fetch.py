"""The fetcher against a real local server: slow-loris bodies and headers cut by the deadline,
silent servers by the read timeout, redirect loops, redirects to private addresses with the
guard on, gzip bombs, oversize bodies, wrong content types; and over HTTPS (a self-signed
certificate made for the test), where the deadline must cut slow handshakes, headers and bodies
just the same."""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from pathlib import Path

import pytest

from connectors.fetch import Fetcher, FetchError
from pipeline.settings import FetchSettings
from tests.integration.connector_server import HandshakeDripServer, ScenarioServer, self_signed_certificate

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def server() -> Iterator[ScenarioServer]:
    with ScenarioServer() as running:
        yield running


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return self_signed_certificate(tmp_path_factory.mktemp("tls"))


@pytest.fixture(scope="module")
def tls_server(certificate: tuple[Path, Path]) -> Iterator[ScenarioServer]:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*certificate)
    with ScenarioServer(tls=context) as running:
        yield running


def guarded(ca_file: Path | None = None) -> Fetcher:
    """The SSRF guard on, with only the test server's own address allowed; ``ca_file``: the
    certificate HTTPS servers are verified against, instead of the public roots."""
    return Fetcher(FetchSettings(
        allowed_networks=("127.0.0.1/32",), connect_timeout_s=1.0, read_timeout_s=1.0,
        deadline_s=2.0, max_bytes=1024 * 1024,
    ), ca_file=str(ca_file) if ca_file is not None else None)


def reason(fetcher: Fetcher, url: str, **kwargs: object) -> str:
    with pytest.raises(FetchError) as caught:
        fetcher.get(url, **kwargs)  # type: ignore[arg-type]
    return caught.value.reason


def test_a_plain_page_is_fetched(server: ScenarioServer) -> None:
    response = guarded().get(server.url("/articles/protest.html"))
    assert response.status == 200 and b"Bread protest" in response.body
    sent = server.headers_seen["/articles/protest.html"][-1]
    assert sent["User-Agent"].startswith("news-incidents/") and "gzip" in sent["Accept-Encoding"]


# The server keeps each of these going for a minute or more: the timeout marks are hang guards
# only; the reason is what shows which limit stopped the request.
@pytest.mark.timeout(60)
def test_slow_loris_body_is_cut_at_the_deadline(server: ScenarioServer) -> None:
    assert reason(guarded(), server.url("/articles/slow.html")) == "deadline"
    assert server.wait_dropped("/articles/slow.html")  # given up while the server still sent


@pytest.mark.timeout(60)
def test_slow_loris_headers_are_cut_at_the_deadline(server: ScenarioServer) -> None:
    assert reason(guarded(), server.url("/articles/slow-headers.html")) == "deadline"
    assert server.wait_dropped("/articles/slow-headers.html")


@pytest.mark.timeout(60)
def test_a_silent_server_hits_the_read_timeout(server: ScenarioServer) -> None:
    assert reason(guarded(), server.url("/articles/silent.html")) == "timeout"


def test_redirect_loops_are_detected(server: ScenarioServer) -> None:
    assert reason(guarded(), server.url("/loop-a.xml")) == "redirect-loop"


def test_redirects_to_private_addresses_are_blocked_with_the_guard_on(server: ScenarioServer) -> None:
    before = server.requests["/rss.xml"]
    assert reason(guarded(), server.url("/to-private.xml")) == "blocked-address"
    assert reason(guarded(), server.url("/to-metadata.xml")) == "blocked-address"
    assert server.requests["/rss.xml"] == before  # the private hop was never contacted


def test_without_any_exception_even_the_first_hop_to_loopback_is_blocked(server: ScenarioServer) -> None:
    assert reason(Fetcher(FetchSettings()), server.url("/rss.xml")) == "blocked-address"


def test_a_gzip_bomb_stops_at_the_decoded_cap(server: ScenarioServer) -> None:
    assert reason(guarded(), server.url("/articles/bomb.html")) == "too-large"


def test_oversize_bodies_and_wrong_types_are_refused(server: ScenarioServer) -> None:
    assert reason(guarded(), server.url("/articles/big.html")) == "too-large"
    assert reason(guarded(), server.url("/articles/image.jpg"), accept=("text/html",)) == "content-type"


def test_http_errors_are_responses_not_exceptions(server: ScenarioServer) -> None:
    fetcher = guarded()
    assert fetcher.get(server.url("/articles/gone.html")).status == 410
    assert fetcher.get(server.url("/articles/error.html")).status == 500
    assert fetcher.get(server.url("/nowhere")).status == 404
    limited = fetcher.get(server.url("/429.xml"))
    assert limited.status == 429 and limited.header("Retry-After") == "3600"


def test_connection_refused_is_named() -> None:
    assert reason(guarded(), "http://127.0.0.1:9/") == "connection"


def test_an_https_page_is_fetched_when_its_certificate_is_trusted(
    tls_server: ScenarioServer, certificate: tuple[Path, Path]
) -> None:
    response = guarded(certificate[0]).get(tls_server.url("/articles/protest.html"))
    assert response.status == 200 and b"Bread protest" in response.body


def test_an_untrusted_certificate_is_refused(tls_server: ScenarioServer) -> None:
    assert reason(guarded(), tls_server.url("/articles/protest.html")) == "tls"


@pytest.mark.timeout(60)
def test_https_slow_loris_body_is_cut_at_the_deadline(
    tls_server: ScenarioServer, certificate: tuple[Path, Path]
) -> None:
    assert reason(guarded(certificate[0]), tls_server.url("/articles/slow.html")) == "deadline"
    assert tls_server.wait_dropped("/articles/slow.html")  # given up while the server still sent


@pytest.mark.timeout(60)
def test_https_slow_loris_headers_are_cut_at_the_deadline(
    tls_server: ScenarioServer, certificate: tuple[Path, Path]
) -> None:
    assert reason(guarded(certificate[0]), tls_server.url("/articles/slow-headers.html")) == "deadline"
    assert tls_server.wait_dropped("/articles/slow-headers.html")


@pytest.mark.timeout(60)
def test_https_silent_server_hits_the_read_timeout(
    tls_server: ScenarioServer, certificate: tuple[Path, Path]
) -> None:
    assert reason(guarded(certificate[0]), tls_server.url("/articles/silent.html")) == "timeout"


@pytest.mark.timeout(60)
def test_a_dripped_tls_handshake_is_cut_at_the_deadline(certificate: tuple[Path, Path]) -> None:
    # CPython bounds a whole handshake by the socket timeout, so a read timeout longer than the
    # deadline leaves the deadline to stop it.
    fetcher = Fetcher(FetchSettings(
        allowed_networks=("127.0.0.1/32",), connect_timeout_s=1.0, read_timeout_s=30.0,
        deadline_s=2.0,
    ), ca_file=str(certificate[0]))
    with HandshakeDripServer() as server:
        assert reason(fetcher, server.url) == "deadline"
