"""Backfill against scripted pages: results are published as they arrive (a slow page holds up
nothing but itself), with a bounded number of pages fetched and not yet published."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import UTC, datetime

import pytest

from connectors.clock import FakeClock
from connectors.pages import PageFetcher, PageResult
from connectors.reporting import MemoryErrorSink, Metrics, Reporter
from connectors.web import Backfill, Target
from pipeline.envelope import Envelope, RawContent
from pipeline.settings import FetchSettings
from tests.unit.connectors_fakes import FakePublisher, FakeWeb

T0 = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
SLOW = "https://news.example/slow.html"


class ScriptedPages(PageFetcher):
    """Every page is there at once, except ``SLOW``, which comes when ``release`` is set. Notes,
    as each fetch starts, how many had started and how many pages were published by then."""

    def __init__(self, clock: FakeClock, published: list[Envelope]) -> None:
        super().__init__(FakeWeb(), FetchSettings(), clock)
        self.release = threading.Event()
        self.starts: list[tuple[int, int]] = []  # (fetches started, pages published)
        self._published = published
        self._lock = threading.Lock()

    def fetch(self, url: str) -> PageResult:
        with self._lock:
            self.starts.append((len(self.starts) + 1, len(self._published)))
        if url == SLOW:
            # A hang guard only: if nothing releases it, the order check below fails.
            self.release.wait(30)
        raw = RawContent(body=f"<html><body><p>{url}</p></body></html>", content_type="text/html",
                         http_status=200, final_url=url)
        return PageResult(url, raw=raw, http_status=200)


def backfill(workers: int, window: int) -> tuple[Backfill, ScriptedPages, FakePublisher]:
    clock = FakeClock(T0)
    publisher = FakePublisher()
    pages = ScriptedPages(clock, publisher.published)
    run = Backfill(pages, publisher, Reporter(Metrics(), MemoryErrorSink()), clock, rate_per_s=0,
                   max_record_bytes=1_000_000, workers=workers, batch_size=1, window=window)
    return run, pages, publisher


def targets(count: int) -> list[Target]:
    return [Target(SLOW)] + [Target(f"https://news.example/{n}.html") for n in range(count)]


@pytest.mark.timeout(60)
def test_pages_are_published_as_they_arrive_not_behind_a_slow_one() -> None:
    run, pages, publisher = backfill(workers=3, window=6)

    def on_publish(envelopes: Sequence[Envelope]) -> None:
        if len(publisher.published) + len(envelopes) == 10:  # every page but the slow one
            pages.release.set()

    publisher.on_publish = on_publish
    report = run.run(targets(10), "test", progress=False)
    assert (report.fetched, report.published, report.publish_failed) == (11, 11, 0)
    assert publisher.published[-1].url == SLOW


@pytest.mark.timeout(60)
def test_at_most_a_window_of_pages_is_fetched_ahead_of_publishing() -> None:
    run, pages, publisher = backfill(workers=2, window=4)
    publisher.on_publish = lambda envelopes: (
        pages.release.set() if len(publisher.published) + len(envelopes) == 12 else None
    )
    report = run.run(targets(12), "test", progress=False)
    assert report.published == 13 and publisher.published[-1].url == SLOW
    assert len(pages.starts) == 13
    # A fetch starts only once it is within the window of what has been published.
    assert all(started <= published + 4 for started, published in pages.starts), pages.starts
