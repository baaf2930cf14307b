"""Scheduling: posting-frequency intervals, ttl, Cache-Control, Retry-After, back-off, and the
number of requests a feed costs over a simulated day (fake clock, no waiting)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from connectors.clock import FakeClock
from connectors.schedule import (
    cache_lifetime_s,
    plan_failure,
    plan_success,
    posting_interval_s,
    retry_after_s,
)
from connectors.state import FeedState, SeenEntry
from pipeline.settings import ConnectorSettings, FeedSchedule
from tests.unit.connectors_fakes import FakeWeb, PostingFeed, rig

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
CFG = FeedSchedule(jitter=0.0)


def seen(posted: datetime, n: int = 0) -> SeenEntry:
    return SeenEntry(id=f"e{n}", hash="h", first_seen=posted, posted=posted, last_seen=posted)


def test_posting_interval_follows_the_feed_and_is_clamped() -> None:
    hourly = [seen(NOW - timedelta(hours=h), h) for h in range(48)]
    assert 3400 <= posting_interval_s(hourly, NOW, CFG) <= 3600
    # 20 entries over the last 20 hours: the one-day floor on the window gives 1.2 h, not 8 h.
    recent = [seen(NOW - timedelta(hours=h), h) for h in range(20)]
    assert posting_interval_s(recent, NOW, CFG) == 86_400 / 20
    assert posting_interval_s([], NOW, CFG) == CFG.max_interval_s
    busy = FeedState(url="u", entries={str(i): seen(NOW - timedelta(minutes=i), i) for i in range(2000)})
    plan = plan_success(busy, {}, NOW, CFG, random.Random(1))
    assert plan.interval_s == CFG.min_interval_s and "min-interval" in plan.reason


def test_ttl_and_cache_control_lengthen_the_interval() -> None:
    state = FeedState(url="u", ttl_s=7200.0,
                      entries={str(i): seen(NOW - timedelta(minutes=10 * i), i) for i in range(100)})
    assert plan_success(state, {}, NOW, CFG, random.Random(1)).reason == "ttl"
    plan = plan_success(state, {"cache-control": "public, max-age=10800"}, NOW, CFG, random.Random(1))
    assert (plan.interval_s, plan.reason) == (10800.0, "cache-control")
    assert cache_lifetime_s({"cache-control": "no-cache, max-age=99"}, NOW) is None
    expires = {"date": "Fri, 20 Nov 2026 12:00:00 GMT", "expires": "Fri, 20 Nov 2026 13:00:00 GMT"}
    assert cache_lifetime_s(expires, NOW) == 3600.0


def test_retry_after_in_seconds_or_as_a_date() -> None:
    assert retry_after_s({"retry-after": "120"}, NOW) == 120.0
    assert retry_after_s({"retry-after": "Fri, 20 Nov 2026 12:30:00 GMT"}, NOW) == 1800.0
    assert retry_after_s({"retry-after": "soon"}, NOW) is None


def test_failures_back_off_exponentially_and_honour_retry_after() -> None:
    waits = []
    for failures in range(1, 5):
        plan = plan_failure(FeedState(url="u", failures=failures), {}, NOW, CFG, random.Random(1))
        waits.append(plan.interval_s)
    assert waits == [300.0, 600.0, 1200.0, 2400.0]
    plan = plan_failure(FeedState(url="u", failures=1), {"retry-after": "3600"}, NOW, CFG, random.Random(1))
    assert plan.reason == "retry-after" and plan.next_poll >= NOW + timedelta(seconds=3600)
    backed = plan_failure(FeedState(url="u", failures=9, backed_off=True), {}, NOW, CFG, random.Random(1))
    assert backed.interval_s == CFG.failure_backoff_max_s and backed.reason == "backed-off"


def test_jitter_spreads_polls_within_bounds() -> None:
    cfg = FeedSchedule(jitter=0.1)
    state = FeedState(url="u", entries={str(h): seen(NOW - timedelta(hours=h), h) for h in range(48)})
    waits = {(plan_success(state, {}, NOW, cfg, random.Random(s)).next_poll - NOW).total_seconds()
             for s in range(20)}
    assert len(waits) > 10 and all(3240 <= w <= 3960 for w in waits)


def simulate(days: int) -> dict[str, dict[str, int]]:
    """Poll an hourly and a weekly feed for ``days``; feed requests per day and page fetches."""
    start = datetime(2026, 11, 2, 0, 30, tzinfo=UTC)
    clock = FakeClock(start)
    web = FakeWeb()
    hourly = PostingFeed(web, clock, "https://hourly.example", start - timedelta(days=30),
                         timedelta(hours=1), keep=20)
    weekly = PostingFeed(web, clock, "https://weekly.example", start - timedelta(days=70),
                         timedelta(days=7), keep=10)
    settings = ConnectorSettings()
    r = rig(clock, web, settings=settings)
    scheduler = r.scheduler([hourly.url, weekly.url])
    per_day: dict[str, dict[str, int]] = {"hourly": {}, "weekly": {}}
    for day in range(days):
        mark = len(web.requests)
        end = start + timedelta(days=day + 1)
        while (due := scheduler.next_due()) is not None and due <= end:
            clock.set(due)
            scheduler.tick()
        clock.set(end)
        per_day["hourly"][f"day {day + 1}"] = hourly.requests(mark)
        per_day["weekly"][f"day {day + 1}"] = weekly.requests(mark)
    per_day["hourly"]["pages"] = sum(1 for u, _ in web.requests if u.startswith(hourly.base + "/articles"))
    per_day["weekly"]["pages"] = sum(1 for u, _ in web.requests if u.startswith(weekly.base + "/articles"))
    per_day["hourly"]["published"] = sum(1 for e in r.publisher.published if "hourly" in (e.url or ""))
    per_day["weekly"]["published"] = sum(1 for e in r.publisher.published if "weekly" in (e.url or ""))
    return per_day


def test_a_simulated_week_costs_an_hourly_feed_about_24_requests_a_day_and_a_weekly_one_1() -> None:
    result = simulate(days=8)
    print("\nfeed requests per simulated day:", result)
    hourly, weekly = result["hourly"], result["weekly"]
    assert 20 <= hourly["day 1"] <= 30
    assert 20 <= hourly["day 8"] <= 28
    # Daily, give or take the jitter (a 26-hour wait can skip a calendar day).
    assert all(weekly[f"day {d}"] <= 2 for d in range(1, 9))
    assert 6 <= sum(weekly[f"day {d}"] for d in range(1, 9)) <= 10
    # Every post of the hourly feed was published once: 20 at the first poll, then one per hour
    # (the one posted in the last half hour may not have been polled yet).
    assert 20 + 8 * 24 - 1 <= hourly["published"] <= 20 + 8 * 24
    # The weekly feed: its 10 listed entries, plus the one or two posted during the 8 days.
    assert 11 <= weekly["published"] <= 12
    assert hourly["pages"] == hourly["published"]
