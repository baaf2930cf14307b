"""Feed and fetch details on real-style inputs: feedparser gets the response's headers and the
URL after redirects, every member of a gzip body is decoded, robots.txt follows RFC 9309."""

from __future__ import annotations

import gzip
from collections.abc import Mapping
from datetime import UTC, datetime

import pytest

from connectors.clock import FakeClock
from connectors.feeds import feedparser_headers, parse_feed
from connectors.fetch import FetchError, Response, _Inflater, inflate
from connectors.state import FeedState
from connectors.web import SitemapError, maybe_gunzip, parse_sitemap
from tests.unit.connectors_fakes import FakeWeb, page, rig
from tests.unit.test_connectors_politeness import robots

T0 = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)

# An Atom feed with relative links, as many CMSs write them (no xml:base).
ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Desk</title><id>urn:desk</id>
<updated>2026-11-20T10:00:00Z</updated>
<entry><id>urn:desk:1</id><title>Port fire</title><updated>2026-11-20T09:00:00Z</updated>
<link rel="alternate" href="stories/port-fire.html"/>
<content type="html">&lt;p&gt;A warehouse burned.&lt;/p&gt;</content></entry>
</feed>"""


def test_relative_links_resolve_against_the_url_after_redirects() -> None:
    parsed = parse_feed(ATOM, "https://old.example/rss", {"content-type": "application/atom+xml"},
                        base_url="https://www.new.example/feeds/desk.xml")
    assert [item.link for item in parsed.items] == ["https://www.new.example/feeds/stories/port-fire.html"]
    # The entry still belongs to the feed as configured.
    assert parsed.items[0].entry.feed_url == "https://old.example/rss"


def test_the_server_content_location_is_the_base_made_absolute() -> None:
    headers = {"Content-Type": "application/atom+xml", "Content-Location": "/mirror/desk.xml",
               "Content-Language": "fr"}
    given = feedparser_headers(headers, "https://www.new.example/feeds/desk.xml")
    assert given["content-location"] == "https://www.new.example/mirror/desk.xml"
    assert given["content-language"] == "fr" and given["content-type"] == "application/atom+xml"
    parsed = parse_feed(ATOM, "https://old.example/rss", headers,
                        base_url="https://www.new.example/feeds/desk.xml")
    assert parsed.items[0].link == "https://www.new.example/mirror/stories/port-fire.html"


def test_a_redirected_feed_publishes_its_articles_at_their_real_addresses() -> None:
    r = rig(FakeClock(T0))
    feed, final = "https://old.example/rss", "https://www.new.example/feeds/desk.xml"

    def redirected(headers: Mapping[str, str]) -> Response:
        return Response(final, 200, {"content-type": "application/atom+xml"}, ATOM, (feed,))

    r.web.routes[feed] = redirected
    article = "https://www.new.example/feeds/stories/port-fire.html"
    r.web.routes[article] = page(article)
    outcome = r.poller.poll(FeedState(url=feed))
    assert outcome.published == 1
    [published] = r.publisher.published
    assert published.url == article and published.raw.body_source == "page"


def test_every_member_of_a_concatenated_gzip_body_is_decoded() -> None:
    # What `cat part1.gz part2.gz` and some servers' chunked gzip writers produce.
    first = gzip.compress(b"<html><body><p>The first half of the story.</p>")
    second = gzip.compress(b"<p>The second half of the story.</p></body></html>")
    body = first + second
    assert inflate(body, "gzip", 10_000).endswith(b"second half of the story.</p></body></html>")
    # Delivered a few bytes at a time, as a socket does, the members still join up.
    inflater = _Inflater("gzip", 10_000)
    pieces = b"".join(inflater.feed(body[i:i + 7]) for i in range(0, len(body), 7))
    assert pieces == inflate(body, "gzip", 10_000)
    # Zero padding after the last member is not an error.
    assert inflate(body + b"\0" * 16, "gzip", 10_000) == pieces


def test_the_size_cap_applies_to_all_members_together() -> None:
    member = gzip.compress(b"x" * 600)
    assert len(inflate(member, "gzip", 1000)) == 600
    with pytest.raises(FetchError) as caught:
        inflate(member + member, "gzip", 1000)
    assert caught.value.reason == "too-large"


def test_a_gzipped_sitemap_in_two_members_lists_every_page() -> None:
    head = b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
    one = b"<url><loc>https://news.example/a.html</loc></url>"
    two = b"<url><loc>https://news.example/b.html</loc></url></urlset>"
    body = gzip.compress(head + one) + gzip.compress(two)
    _, pages = parse_sitemap(maybe_gunzip(body, 100_000), "https://news.example/sitemap.xml.gz")
    assert [p.url for p in pages] == ["https://news.example/a.html", "https://news.example/b.html"]
    with pytest.raises(SitemapError, match="inflated"):
        maybe_gunzip(body, 50)


ROBOTS = b"""User-agent: *
Disallow: /
Allow: /news/
Disallow: /*?share=
Disallow: /*.pdf$
"""


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        ("/news/2026/port-fire.html", True),  # Allow: /news/ is longer than Disallow: /
        ("/about", False),
        ("/news/2026/port-fire.html?share=twitter", False),  # wildcard
        ("/news/report.pdf", False),  # $ anchors the end
        ("/news/report.pdf?download=1", True),
    ],
)
def test_robots_txt_wildcards_and_the_longest_match(path: str, allowed: bool) -> None:
    cache = robots(FakeWeb(), body=ROBOTS)
    verdict = cache.check("https://r.example" + path)
    assert (verdict is None) is allowed, verdict
