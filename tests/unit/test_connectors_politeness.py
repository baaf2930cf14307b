"""Per-host spacing and concurrency, robots.txt rules and caching, the backfill rate limit."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

from connectors.clock import FakeClock
from connectors.fetch import Response
from connectors.politeness import HostGate, RateLimiter, RobotsCache
from pipeline.settings import FetchSettings
from tests.unit.connectors_fakes import FakeWeb, static

T0 = datetime(2026, 11, 20, tzinfo=UTC)


def test_requests_to_one_host_are_spaced_and_other_hosts_are_not_held_up() -> None:
    clock = FakeClock(T0)
    gate = HostGate(clock, concurrency=2)
    starts: list[tuple[str, float]] = []
    for url in ["https://a.example/1", "https://a.example/2", "https://b.example/1", "https://a.example/3"]:
        with gate.slot(url, delay_s=5.0):
            starts.append((url.split("/")[2], clock.monotonic() - T0.timestamp()))
    a_times = [t for host, t in starts if host == "a.example"]
    assert a_times == [0.0, 5.0, 10.0]
    assert dict(starts)["b.example"] == 5.0  # b waited for no one (the clock had moved on for a)


def test_the_host_concurrency_cap_holds_across_threads() -> None:
    clock = FakeClock(T0)
    gate = HostGate(clock, concurrency=2)
    inside, peak, lock = [0], [0], threading.Lock()
    release = threading.Event()

    def work() -> None:
        with gate.slot("https://a.example/x", 0.0):
            with lock:
                inside[0] += 1
                peak[0] = max(peak[0], inside[0])
            release.wait(0.2)
            with lock:
                inside[0] -= 1

    threads = [threading.Thread(target=work) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(5)
    assert peak[0] == 2


def test_rate_limiter_spaces_acquisitions() -> None:
    clock = FakeClock(T0)
    limiter = RateLimiter(clock, rate_per_s=4.0)
    for _ in range(9):
        limiter.acquire()
    assert clock.monotonic() - T0.timestamp() == 2.0


def robots(web: FakeWeb, status: int = 200, body: bytes = b"") -> RobotsCache:
    web.routes["https://r.example/robots.txt"] = static("https://r.example/robots.txt", body, "text/plain",
                                                        status=status)
    clock = FakeClock(T0)
    return RobotsCache(web, FetchSettings(per_host_delay_s=1.0), clock, HostGate(clock, 2))


def test_robots_rules_and_crawl_delay_are_honoured_and_cached() -> None:
    web = FakeWeb()
    cache = robots(web, body=b"User-agent: *\nDisallow: /private/\nCrawl-delay: 7\n")
    assert cache.check("https://r.example/private/x") == "robots-disallowed"
    assert cache.check("https://r.example/news/x") is None
    assert cache.delay_for("https://r.example/news/x") == 7.0
    assert web.count("https://r.example/robots.txt") == 1


def test_missing_robots_allows_and_a_failing_one_disallows_for_now() -> None:
    assert robots(FakeWeb(), status=404).check("https://r.example/a") is None
    assert robots(FakeWeb(), status=503).check("https://r.example/a") == "robots-http-503"


def test_an_unreachable_robots_txt_is_a_reason_not_a_crash() -> None:
    web = FakeWeb()

    def broken(headers: object) -> Response:
        from connectors.fetch import FetchError

        raise FetchError("timeout", "no data")

    web.routes["https://r.example/robots.txt"] = broken
    clock = FakeClock(T0)
    cache = RobotsCache(web, FetchSettings(), clock, HostGate(clock, 2))
    assert cache.check("https://r.example/a") == "robots-timeout"
