"""One feed poll against an in-memory web: new vs updated entries, conditional GET, failures,
back-off, the feed-text fallback, and publish-before-state ordering."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

from connectors.clock import FakeClock
from connectors.fetch import Response
from connectors.state import FeedState
from pipeline.envelope import encode
from pipeline.settings import ConnectorSettings, FeedSchedule
from tests.unit.connectors_fakes import Handler, Rig, page, rig, rss, static

T0 = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
FEED = "https://news.example/feed.xml"


def items(*numbers: int, title: str = "Story") -> bytes:
    return rss(
        (f"g{n}", f"https://news.example/{n}.html?utm_source=rss&utm_medium=feed", f"{title} {n}",
         T0 - timedelta(hours=n))
        for n in numbers
    )


def routes_for_pages(web_routes: dict[str, Handler], *numbers: int) -> None:
    for n in numbers:
        web_routes[f"https://news.example/{n}.html"] = page(f"https://news.example/{n}.html")


def test_new_entries_are_published_with_pages_and_tracking_stripped() -> None:
    r = rig(FakeClock(T0))
    r.web.routes[FEED] = static(FEED, items(1, 2), etag='"v1"')
    routes_for_pages(r.web.routes, 1, 2)
    outcome = r.poller.poll(FeedState(url=FEED))
    assert (outcome.status, outcome.new, outcome.published) == ("ok", 2, 2)
    urls = sorted(e.url or "" for e in r.publisher.published)
    assert urls == ["https://news.example/1.html", "https://news.example/2.html"]
    assert all(e.raw.body_source == "page" and e.revision == 0 for e in r.publisher.published)
    # Pages were fetched without the tracking parameters.
    assert "https://news.example/1.html" in [u for u, _ in r.web.requests]
    assert outcome.state.etag == '"v1"' and len(outcome.state.entries) == 2


def test_conditional_get_turns_an_unchanged_feed_into_a_304() -> None:
    r = rig(FakeClock(T0))
    r.web.routes[FEED] = static(FEED, items(1), etag='"v1"')
    routes_for_pages(r.web.routes, 1)
    state = r.poller.poll(FeedState(url=FEED)).state
    second = r.poller.poll(state)
    assert second.status == "not-modified" and second.published == 0
    feed_requests = [h for u, h in r.web.requests if u == FEED]
    assert feed_requests[1]["If-None-Match"] == '"v1"'
    assert len(r.publisher.published) == 1


def test_an_updated_entry_is_republished_as_a_revision_of_the_same_article() -> None:
    clock = FakeClock(T0)
    r = rig(clock)
    r.web.routes[FEED] = static(FEED, items(1, 2))
    routes_for_pages(r.web.routes, 1, 2)
    state = r.poller.poll(FeedState(url=FEED)).state
    first = {e.feed.title: e for e in r.publisher.published if e.feed}
    clock.advance(3600)
    r.web.routes[FEED] = static(FEED, rss([
        ("g1", "https://news.example/1.html", "Story 1 (corrected)", T0),
        ("g2", "https://news.example/2.html?utm_source=rss&utm_medium=feed", "Story 2",
         T0 - timedelta(hours=2)),
    ]))
    outcome = r.poller.poll(state)
    assert (outcome.new, outcome.updated, outcome.published) == (0, 1, 1)
    update = r.publisher.published[-1]
    assert update.revision == 1
    assert update.id == first["Story 1"].id
    assert update.first_seen == first["Story 1"].first_seen == T0


def test_feeds_that_reuse_one_guid_are_identified_by_link() -> None:
    r = rig(FakeClock(T0))
    body = rss([("same", f"https://news.example/{n}.html", f"S{n}", T0) for n in range(3)])
    r.web.routes[FEED] = static(FEED, body)
    outcome = r.poller.poll(FeedState(url=FEED))
    assert outcome.new == 3 and outcome.state.guid_unreliable
    assert len({e.id for e in r.publisher.published}) == 3


def test_an_unfetchable_page_falls_back_to_the_feed_text_and_is_marked() -> None:
    r = rig(FakeClock(T0))
    r.web.routes[FEED] = static(FEED, items(1))
    outcome = r.poller.poll(FeedState(url=FEED))  # no route for the page: 404
    envelope = r.publisher.published[0]
    assert outcome.published == 1
    assert envelope.raw.body_source == "feed" and envelope.raw.body == "Summary of Story 1."
    assert envelope.raw.http_status == 404 and envelope.raw.fetch_error == "http-404"
    assert r.metrics.failures["page-http-404"] == 1
    assert [rec.reason for rec in r.sink.records] == ["http-404"]


def test_a_page_too_large_for_a_record_is_replaced_by_the_feed_text() -> None:
    r = rig(FakeClock(T0), max_record_bytes=5_000)
    r.web.routes[FEED] = static(FEED, items(1))
    r.web.routes["https://news.example/1.html"] = page("https://news.example/1.html", "<p>x</p>" * 2000)
    r.poller.poll(FeedState(url=FEED))
    envelope = r.publisher.published[0]
    assert envelope.raw.body_source == "feed" and envelope.raw.fetch_error == "too-large-for-record"


def test_unacknowledged_records_are_not_marked_seen_and_the_feed_is_refetched_whole() -> None:
    clock = FakeClock(T0)
    r = rig(clock)
    r.web.routes[FEED] = static(FEED, items(1, 2), etag='"v1"')
    routes_for_pages(r.web.routes, 1, 2)
    r.publisher.fail_next = 1
    outcome = r.poller.poll(FeedState(url=FEED))
    assert outcome.published == 0 and outcome.publish_failed == 2
    assert outcome.state.entries == {} and outcome.state.etag is None
    assert outcome.state.next_poll_reason == "publish-retry"
    retry = r.poller.poll(outcome.state)
    assert retry.status == "ok" and retry.published == 2  # a full 200, not a 304
    assert len(r.publisher.published) == 2


def test_429_waits_for_retry_after_and_repeated_failures_back_the_feed_off() -> None:
    clock = FakeClock(T0)
    settings = ConnectorSettings(schedule=FeedSchedule(backoff_after_failures=3))
    r = rig(clock, settings=settings)
    r.web.routes[FEED] = static(FEED, b"slow down", "text/plain", status=429,
                                extra={"retry-after": "7200"})
    state = r.poller.poll(FeedState(url=FEED)).state
    assert state.failures == 1 and state.next_poll is not None
    assert state.next_poll >= T0 + timedelta(seconds=7200)
    r.web.routes[FEED] = static(FEED, b"oops", "text/html", status=500)
    outcomes = []
    for _ in range(3):
        clock.set(state.next_poll or T0)
        outcome = r.poller.poll(state)
        outcomes.append(outcome)
        state = outcome.state
    assert [o.became_backed_off for o in outcomes] == [False, True, False]
    assert state.backed_off and state.next_poll_reason == "backed-off"
    assert r.metrics.failures["feed-backed-off"] == 1
    assert r.metrics.failures["feed-http-500"] == 3
    # It recovers as soon as the feed answers again.
    r.web.routes[FEED] = static(FEED, items(1))
    clock.set(state.next_poll or T0)
    recovered = r.poller.poll(state)
    assert recovered.status == "ok" and not recovered.state.backed_off and recovered.state.failures == 0


def test_gone_feeds_are_backed_off_at_once() -> None:
    r = rig(FakeClock(T0))
    r.web.routes[FEED] = static(FEED, b"", "text/html", status=410)
    outcome = r.poller.poll(FeedState(url=FEED))
    assert outcome.became_backed_off and outcome.reason == "http-410"


def test_malformed_and_html_feeds_are_failures_with_their_reason() -> None:
    r = rig(FakeClock(T0))
    r.web.routes[FEED] = static(FEED, b"<html><body>Welcome</body></html>", "text/html")
    assert r.poller.poll(FeedState(url=FEED)).reason == "not-a-feed"
    r.web.routes[FEED] = static(FEED, b"<rss version='2.0'><channel><title>broken &", "application/rss+xml")
    assert r.poller.poll(FeedState(url=FEED)).reason == "malformed"
    assert r.metrics.failures["feed-not-a-feed"] == 1 and r.metrics.failures["feed-malformed"] == 1
    # Truncated, but with an entry feedparser could recover: used, and the damage recorded.
    r.web.routes[FEED] = static(FEED, b"<rss version='2.0'><channel><item><title>cut", "application/rss+xml")
    outcome = r.poller.poll(FeedState(url=FEED))
    assert outcome.status == "ok" and outcome.new == 1
    assert r.metrics.failures["feed-malformed-but-usable"] == 1


def test_a_restarted_connector_publishes_only_what_is_new() -> None:
    clock = FakeClock(T0)
    r = rig(clock, settings=ConnectorSettings(schedule=FeedSchedule(first_poll_spread_s=0)))
    served: dict[str, bytes] = {"body": items(1, 2, 3)}

    def feed(headers: Mapping[str, str]) -> Response:
        return Response(FEED, 200, {"content-type": "application/rss+xml"}, served["body"])

    r.web.routes[FEED] = feed
    routes_for_pages(r.web.routes, 1, 2, 3, 4, 5)
    first = r.scheduler([FEED])
    first.run_once()
    assert len(r.publisher.published) == 3
    served["body"] = items(1, 2, 3, 4, 5)
    clock.advance(3600)
    again = r.restarted().scheduler([FEED])  # new process: state comes from the store only
    again.run_once()
    ids = [e.id for e in r.publisher.published]
    assert len(ids) == 5 == len(set(ids))


def page_requests(r: Rig) -> int:
    return sum(1 for url, _ in r.web.requests if url.endswith(".html"))


def test_a_long_feed_is_published_in_chunks_and_its_state_saved_after_the_last() -> None:
    r = rig(FakeClock(T0))
    numbers = range(1, 46)
    r.web.routes[FEED] = static(FEED, items(*numbers), etag='"v1"')
    routes_for_pages(r.web.routes, *numbers)
    seen_at_publish: list[tuple[int, int]] = []  # (pages fetched, states saved) at each publish
    r.publisher.on_publish = lambda _: seen_at_publish.append((page_requests(r), r.store.saves))
    outcome = r.poller.poll(FeedState(url=FEED))
    assert [len(call) for call in r.publisher.calls] == [20, 20, 5]
    # Each chunk's pages are fetched just before it is published, not all of them up front.
    assert seen_at_publish == [(20, 0), (40, 0), (45, 0)]
    assert (outcome.new, outcome.published, outcome.publish_failed) == (45, 45, 0)
    assert outcome.state.etag == '"v1"' and len(outcome.state.entries) == 45
    assert r.store.saves == 1


def test_chunks_are_also_bounded_by_bytes() -> None:
    r = rig(FakeClock(T0), chunk_bytes=250_000)
    numbers = range(1, 8)
    r.web.routes[FEED] = static(FEED, items(*numbers))
    big = "<html><body><p>" + "word " * 20_000 + "</p></body></html>"  # about 100 kB
    for n in numbers:
        r.web.routes[f"https://news.example/{n}.html"] = page(f"https://news.example/{n}.html", big)
    outcome = r.poller.poll(FeedState(url=FEED))
    assert outcome.published == 7
    assert [len(call) for call in r.publisher.calls] == [3, 3, 1]
    for call in r.publisher.calls:  # a chunk closes once it reaches the bound
        assert sum(len(encode(e)) for e in call[:-1]) < 250_000


def test_a_failed_chunk_stops_the_poll_and_keeps_the_validators() -> None:
    clock = FakeClock(T0)
    r = rig(clock)
    numbers = range(1, 46)
    r.web.routes[FEED] = static(FEED, items(*numbers), etag='"v1"')
    routes_for_pages(r.web.routes, *numbers)
    r.publisher.fail_calls = {1}
    outcome = r.poller.poll(FeedState(url=FEED))
    assert [len(call) for call in r.publisher.calls] == [20, 20]
    assert page_requests(r) == 40  # the last five pages are left for the retry
    assert (outcome.published, outcome.publish_failed) == (20, 25)
    # The acknowledged chunk is seen; nothing else is, and the ETag is not taken.
    first_chunk = {e.id for e in r.publisher.calls[0]}
    assert {s.id for s in outcome.state.entries.values()} == first_chunk
    assert outcome.state.etag is None and outcome.state.next_poll_reason == "publish-retry"
    assert r.store.saves == 1

    retry = r.poller.poll(outcome.state)  # the whole feed again (no validators sent)
    assert (retry.new, retry.published, retry.publish_failed) == (25, 25, 0)
    assert {e.id for e in r.publisher.calls[2] + r.publisher.calls[3]}.isdisjoint(first_chunk)
    assert retry.state.etag == '"v1"' and len(retry.state.entries) == 45
    assert len({e.id for e in r.publisher.published}) == 45
