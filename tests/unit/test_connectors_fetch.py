"""The fetcher's guard and limits that need no network: address checks, DNS answers that
include a private address, bounded inflation of gzip bodies."""

from __future__ import annotations

import gzip

import pytest

from connectors.fetch import Fetcher, FetchError, _Inflater, is_public_address
from pipeline.settings import FetchSettings


@pytest.mark.parametrize(
    "address",
    ["127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0",
     "::1", "fe80::1", "fc00::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "2002:7f00:1::1",
     "64:ff9b::a00:1", "224.0.0.1", "240.0.0.1", "not-an-ip"],
)
def test_non_public_addresses_are_refused(address: str) -> None:
    assert not is_public_address(address)


@pytest.mark.parametrize("address", ["93.184.216.34", "1.1.1.1", "2606:4700:4700::1111"])
def test_public_addresses_pass(address: str) -> None:
    assert is_public_address(address)


def test_one_private_answer_among_public_ones_blocks_the_host() -> None:
    fetcher = Fetcher(FetchSettings(), resolver=lambda host, port: ["93.184.216.34", "10.0.0.7"])
    with pytest.raises(FetchError) as caught:
        fetcher.get("http://rebind.example/feed.xml")
    assert caught.value.reason == "blocked-address"


def test_allowed_networks_open_only_what_they_name() -> None:
    settings = FetchSettings(allowed_networks=("10.9.0.0/16",))
    with pytest.raises(FetchError) as caught:
        Fetcher(settings, resolver=lambda h, p: ["10.1.0.1"]).get("http://internal.example/")
    assert caught.value.reason == "blocked-address"


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://x.example/", "http:///nohost", "gopher://x/"])
def test_only_http_urls_are_fetched(url: str) -> None:
    with pytest.raises(FetchError) as caught:
        Fetcher(FetchSettings()).get(url)
    assert caught.value.reason == "bad-url"


def test_a_gzip_bomb_stops_at_the_cap_without_inflating_it_all() -> None:
    bomb = gzip.compress(b"\0" * (50 * 1024 * 1024))
    assert len(bomb) < 100_000
    inflater = _Inflater("gzip", 1024 * 1024)
    with pytest.raises(FetchError) as caught:
        for start in range(0, len(bomb), 65536):
            inflater.feed(bomb[start:start + 65536])
    assert caught.value.reason == "too-large"
    assert inflater.size <= 1024 * 1024 + 1


def test_unknown_or_corrupt_encodings_are_named() -> None:
    with pytest.raises(FetchError, match="bad-encoding"):
        _Inflater("br", 1000)
    with pytest.raises(FetchError, match="bad-encoding"):
        _Inflater("gzip", 1000).feed(b"\x1f\x8b\x08\x00garbage-garbage")
    assert _Inflater("deflate", 1000).feed(__import__("zlib").compress(b"hello")) == b"hello"
