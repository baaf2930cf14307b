"""Being a polite client: per-host spacing and concurrency, robots.txt, and a global rate limit.

* :class:`HostGate` spaces requests to one host by a delay (the larger of the configured
  per-host delay and the host's robots.txt ``Crawl-delay``, capped) and caps how many are in
  flight to it at once.
* :class:`RobotsCache` fetches ``/robots.txt`` once per host (through the same guarded fetcher)
  and keeps it for ``robots_cache_s``. As RFC 9309 says: a 4xx means no rules; a 5xx or an
  unreachable host means "disallow everything" for now (kept for a shorter time). The rules are
  read by protego, which implements RFC 9309's matching (``*`` and ``$`` wildcards, the longest
  matching rule wins, ``Allow`` on a tie) where the standard library's parser takes the first
  rule that matches a plain prefix.
* :class:`RateLimiter` spaces all requests of a backfill.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

from protego import Protego

from connectors.clock import Clock
from connectors.fetch import FetchError, HttpGet
from connectors.urls import host_of
from pipeline.settings import FetchSettings

log = logging.getLogger(__name__)

ROBOTS_AGENT = "news-incidents"
_ROBOTS_ERROR_TTL_S = 600.0


class _Host:
    def __init__(self, concurrency: int) -> None:
        self.slots = threading.BoundedSemaphore(concurrency)
        self.lock = threading.Lock()
        self.next_at = 0.0


class HostGate:
    def __init__(self, clock: Clock, concurrency: int) -> None:
        self._clock = clock
        self._concurrency = max(1, concurrency)
        self._hosts: dict[str, _Host] = {}
        self._lock = threading.Lock()

    def _host(self, host: str) -> _Host:
        with self._lock:
            entry = self._hosts.get(host)
            if entry is None:
                entry = self._hosts[host] = _Host(self._concurrency)
            return entry

    @contextlib.contextmanager
    def slot(self, url: str, delay_s: float) -> Iterator[None]:
        """Wait for a free slot on the URL's host and for its turn, then hold the slot."""
        entry = self._host(host_of(url))
        with entry.slots:
            with entry.lock:
                now = self._clock.monotonic()
                start = max(now, entry.next_at)
                entry.next_at = start + max(0.0, delay_s)
            self._clock.sleep(start - now)
            yield


class RateLimiter:
    """At most ``rate_per_s`` acquisitions per second, spaced evenly (0 or less: no limit)."""

    def __init__(self, clock: Clock, rate_per_s: float) -> None:
        self._clock = clock
        self._interval = 1.0 / rate_per_s if rate_per_s > 0 else 0.0
        self._next = 0.0
        self._lock = threading.Lock()

    def acquire(self) -> None:
        with self._lock:
            now = self._clock.monotonic()
            start = max(now, self._next)
            self._next = start + self._interval
        self._clock.sleep(start - now)


@dataclass
class _Robots:
    parser: Protego | None  # None: everything is disallowed for now
    expires: float
    reason: str | None = None


class RobotsCache:
    def __init__(self, fetcher: HttpGet, settings: FetchSettings, clock: Clock, gate: HostGate) -> None:
        self._fetcher = fetcher
        self._settings = settings
        self._clock = clock
        self._gate = gate
        self._cache: dict[str, _Robots] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()

    def check(self, url: str) -> str | None:
        """None if ``url`` may be fetched, else the reason it may not."""
        if not self._settings.respect_robots:
            return None
        robots = self._robots(url)
        if robots.parser is None:
            return robots.reason or "robots-unavailable"
        if not robots.parser.can_fetch(url, ROBOTS_AGENT):
            return "robots-disallowed"
        return None

    def delay_for(self, url: str) -> float:
        """The per-host delay for ``url``: the configured one, or the robots Crawl-delay if longer."""
        delay = self._settings.per_host_delay_s
        if self._settings.respect_robots:
            robots = self._robots(url)
            if robots.parser is not None:
                crawl_delay = robots.parser.crawl_delay(ROBOTS_AGENT)
                if crawl_delay is not None:
                    delay = max(delay, min(float(crawl_delay), self._settings.max_crawl_delay_s))
        return delay

    def _robots(self, url: str) -> _Robots:
        parts = urlsplit(url)
        key = f"{parts.scheme}://{parts.netloc.lower()}"
        with self._lock:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:  # one fetch per host, however many threads ask at once
            cached = self._cache.get(key)
            if cached is not None and cached.expires > self._clock.monotonic():
                return cached
            fresh = self._fetch(key)
            self._cache[key] = fresh
            return fresh

    def _fetch(self, origin: str) -> _Robots:
        now = self._clock.monotonic()
        robots_url = origin + "/robots.txt"
        try:
            with self._gate.slot(robots_url, self._settings.per_host_delay_s):
                response = self._fetcher.get(robots_url, max_bytes=self._settings.robots_max_bytes)
        except FetchError as exc:
            if exc.reason == "too-large":
                return _Robots(None, now + _ROBOTS_ERROR_TTL_S, "robots-too-large")
            log.info("robots.txt of %s unavailable (%s): not crawling it for now", origin, exc)
            return _Robots(None, now + _ROBOTS_ERROR_TTL_S, f"robots-{exc.reason}")
        if 400 <= response.status < 500:
            return _Robots(Protego.parse(""), now + self._settings.robots_cache_s)
        if response.status >= 500:
            return _Robots(None, now + _ROBOTS_ERROR_TTL_S, f"robots-http-{response.status}")
        if response.status != 200:
            return _Robots(Protego.parse(""), now + self._settings.robots_cache_s)
        parser = Protego.parse(response.body.decode("utf-8", "replace"))
        return _Robots(parser, now + self._settings.robots_cache_s)
