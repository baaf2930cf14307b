"""The logic of the end-to-end benchmark and the soak: the pages they produce, and the rates,
slopes and option parsing they report with. No broker, no timing."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from benchmarks.__main__ import requested
from benchmarks.flow import percentiles, slope, steady_rate
from benchmarks.pages import MAX_BYTES, MIN_BYTES, SITES, Page, PageGenerator, raw_envelope
from benchmarks.soak import rss_slopes
from pipeline.envelope import decode, encode


@pytest.fixture(scope="module")
def pages() -> list[Page]:
    return PageGenerator(seed=3).pages(0, 64)


def test_pages_are_distinct_and_within_the_stated_sizes(pages: list[Page]) -> None:
    sizes = [len(p.html.encode("utf-8")) for p in pages]
    assert all(MIN_BYTES <= size <= MAX_BYTES for size in sizes), (min(sizes), max(sizes))
    assert max(sizes) > 2 * min(sizes)  # a spread of sizes, not one size
    assert len({p.url for p in pages}) == len({p.html for p in pages}) == len(pages)
    assert len({p.text for p in pages}) == len(pages)
    assert {p.site.host for p in pages} == {site.host for site in SITES}


def test_a_page_is_the_same_for_the_same_seed_and_number() -> None:
    when = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
    one, other = PageGenerator(seed=5), PageGenerator(seed=5)
    assert one.page(17, when).html == other.page(17, when).html
    assert one.page(17, when).html != PageGenerator(seed=6).page(17, when).html


def test_a_page_carries_the_article_text_and_the_site_furniture(pages: list[Page]) -> None:
    page = pages[0]
    first_paragraph = page.text.split("\n")[0]
    assert page.title in first_paragraph
    for furniture in ("Skip to main content", "Accept all cookies", "<nav", "<footer", "<script",
                      "Related stories", "Sign up for our newsletter", "Advertisement"):
        assert furniture in page.html


def test_the_raw_envelope_is_what_a_connector_publishes(pages: list[Page]) -> None:
    page = pages[1]
    seen = datetime(2026, 12, 1, 12, tzinfo=UTC)
    envelope = decode(encode(raw_envelope(page, seen)))
    assert envelope.raw.body == page.html and envelope.raw.final_url == page.url
    assert envelope.feed is not None and envelope.feed.title == page.title
    assert envelope.first_seen == seen


def test_slope_is_the_least_squares_fit() -> None:
    assert slope([(0.0, 1.0), (1.0, 3.0), (2.0, 5.0)]) == pytest.approx(2.0)
    assert slope([(0.0, 1.0), (1.0, 0.0), (2.0, 1.0), (3.0, 0.0)]) == pytest.approx(-0.2)
    assert slope([(1.0, 5.0)]) == 0.0 and slope([(1.0, 5.0), (1.0, 6.0)]) == 0.0


def test_rss_slopes_leave_out_the_warm_up_and_are_per_minute() -> None:
    # Growing fast during the first minute, then 0.5 MiB per minute.
    samples = [(t, {"tag-1": 100.0 + (t if t < 60 else 60 + (t - 60) / 120)}) for t in range(0, 600, 10)]
    assert rss_slopes(samples, after_s=60)["tag-1"] == pytest.approx(0.5)
    assert rss_slopes(samples, after_s=0)["tag-1"] > 0.5


def test_the_steady_rate_leaves_out_fill_and_drain() -> None:
    # 100 articles sent at t=0; the first comes out at t=10, then 5 per second.
    sent = [0.0] * 100
    found = [10.0 + n / 5 for n in range(100)]
    rate = steady_rate(sent, found)
    assert rate["steady"] == pytest.approx(5.0)
    assert rate["whole"] == pytest.approx(100 / found[-1], abs=0.01)


def test_percentiles_of_the_sample() -> None:
    values = [float(n) for n in range(1, 101)]
    assert percentiles(values) == {"p50": pytest.approx(50.5), "p95": pytest.approx(95.05),
                                   "p99": pytest.approx(99.01)}


def test_options_follow_the_benchmark_they_belong_to() -> None:
    assert requested(["e2e", "--pages", "200", "sink", "soak", "--minutes=3", "--rate", "5"]) == [
        ("e2e", ["--pages", "200"]), ("sink", []), ("soak", ["--minutes=3", "--rate", "5"]),
    ]
    assert [name for name, _ in requested([])][-1] == "e2e"
