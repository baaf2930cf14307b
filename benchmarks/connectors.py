"""Feed connector throughput: feeds polled per minute by one connector process (conditional GETs,
mostly answered 304, each poll's state saved to the compacted state topic and acknowledged),
against raw feedparser parsing of the same feed bytes in the same run. Needs the local Kafka.

All feeds are served by one local server, standing in for many publishers: the per-host
limits are lifted to the worker count and the per-host delay to zero, so the figure is the
connector's own cost, not politeness.
"""

from __future__ import annotations

import hashlib
import io
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import feedparser

from connectors.clock import SystemClock
from connectors.commands import connector
from connectors.feedlist import FeedSpec
from connectors.scheduler import FeedScheduler
from pipeline.messaging import wait_for_broker
from pipeline.settings import load_settings

FEEDS = 300
ITEMS = 10
ROUNDS = 3
CHANGED_PER_ROUND = 0.05  # this share of feeds gains an entry between rounds (the rest: 304)


class _Site:
    def __init__(self) -> None:
        self.extra: dict[int, int] = {}
        self.lock = threading.Lock()

    def feed(self, n: int) -> bytes:
        with self.lock:
            count = ITEMS + self.extra.get(n, 0)
        items = "".join(
            f"<item><title>Feed {n} story {k}</title><link>{{base}}/p/{n}/{k}.html</link>"
            f'<guid isPermaLink="false">f{n}-{k}</guid><pubDate>Fri, 20 Nov 2026 {k % 24:02d}:00:00 +0000'
            f"</pubDate><description>Summary of story {k} in feed {n}, a sentence or two long, as "
            f"feeds usually carry.</description></item>"
            for k in range(count - 1, -1, -1)
        )
        return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Feed {n}'
                f"</title><link>{{base}}/</link><description>d</description>{items}</channel></rss>"
                ).encode()


@contextmanager
def _serve(site: _Site) -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            parts = self.path.strip("/").split("/")
            if parts[0] == "feed":
                body = site.feed(int(parts[1].split(".")[0])).replace(b"{base}", base.encode())
                etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
                if self.headers.get("If-None-Match") == etag:
                    self._reply(304, b"", etag)
                else:
                    self._reply(200, body, etag, "application/rss+xml")
            elif parts[0] == "p":
                self._reply(200, b"<html><body><p>" + b"Article text. " * 200 + b"</p></body></html>",
                            None, "text/html; charset=utf-8")
            else:
                self._reply(404, b"", None)

        def _reply(self, status: int, body: bytes, etag: str | None, kind: str | None = None) -> None:
            self.send_response(status)
            if etag:
                self.send_header("ETag", etag)
            if kind:
                self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield base
    finally:
        server.shutdown()
        server.server_close()


def _feedparser_rate(body: bytes, seconds: float = 3.0) -> float:
    """Parses per second of one feed document by bare feedparser."""
    count, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        feedparser.parse(io.BytesIO(body))
        count += 1
    return count / (time.perf_counter() - started)


def run() -> dict[str, object]:
    settings = load_settings()
    settings.kafka.topic_prefix = "bench" + uuid.uuid4().hex[:8]
    settings.fetch.allow_private_addresses = True  # the local server is on 127.0.0.1
    settings.fetch.per_host_delay_s = 0.0
    settings.fetch.respect_robots = True
    settings.connectors.per_host_feed_concurrency = settings.connectors.workers
    settings.fetch.per_host_concurrency = settings.connectors.workers
    settings.connectors.schedule.first_poll_spread_s = 0.0
    wait_for_broker(settings.kafka)
    site = _Site()
    with _serve(site) as base, connector(settings) as parts:
        specs = [FeedSpec(url=f"{base}/feed/{n}.xml") for n in range(FEEDS)]
        scheduler = FeedScheduler([s.url for s in specs], parts.poller, parts.store,
                                  settings.connectors, SystemClock())
        scheduler.adopt_all()
        warm = scheduler.run_once()  # every feed new: 200s, pages fetched and published
        assert sum(o.published for o in warm) == FEEDS * ITEMS, "warm-up did not publish everything"
        polls = not_modified = published = 0
        started = time.perf_counter()
        for round_no in range(ROUNDS):
            with site.lock:
                for n in range(0, FEEDS, int(1 / CHANGED_PER_ROUND)):
                    site.extra[(n + round_no) % FEEDS] = site.extra.get((n + round_no) % FEEDS, 0) + 1
            outcomes = scheduler.run_once()
            polls += len(outcomes)
            not_modified += sum(o.status == "not-modified" for o in outcomes)
            published += sum(o.published for o in outcomes)
        elapsed = time.perf_counter() - started
        scheduler.close()
        sample = site.feed(0).replace(b"{base}", base.encode())
    parse_per_s = _feedparser_rate(sample)
    polls_per_min = polls / elapsed * 60
    return {
        "feeds": FEEDS,
        "polls": polls,
        "share_304": round(not_modified / polls, 3),
        "entries_published_while_polling": published,
        "connector_feeds_per_min": round(polls_per_min),
        "feedparser_parses_per_min": round(parse_per_s * 60),
        "ratio_polls_to_feedparser_parses": round(polls_per_min / (parse_per_s * 60), 2),
        "workers": settings.connectors.workers,
    }


if __name__ == "__main__":
    print(run())
