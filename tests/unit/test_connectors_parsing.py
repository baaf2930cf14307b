"""Feed formats, entry identity, link hygiene, charsets, sitemaps and seed-page links."""

from __future__ import annotations

import gzip

import pytest

from connectors.charsets import decode_html
from connectors.feeds import FeedParseError, parse_feed
from connectors.urls import strip_tracking
from connectors.web import SitemapError, maybe_gunzip, parse_sitemap, seed_links

RDF = b"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
         xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel rdf:about="https://rdf.example/"><title>RDF</title><link>https://rdf.example/</link></channel>
  <item rdf:about="https://rdf.example/a"><title>A</title><link>https://rdf.example/a</link>
    <dc:date>2026-11-20T10:00:00Z</dc:date><description>About A</description></item>
</rdf:RDF>"""

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Atom</title><id>urn:feed</id>
  <updated>2026-11-20T10:00:00Z</updated>
  <entry><title>B</title><id>urn:b</id><link href="https://atom.example/b?fbclid=x"/>
    <updated>2026-11-20T10:00:00Z</updated><content type="html">&lt;p&gt;Body B&lt;/p&gt;</content></entry>
</feed>"""


def test_rdf_and_atom_entries_are_read() -> None:
    rdf = parse_feed(RDF, "https://rdf.example/feed")
    assert rdf.version == "rss10"
    assert [(i.link, i.entry.summary) for i in rdf.items] == [("https://rdf.example/a", "About A")]
    assert rdf.items[0].posted is not None
    atom = parse_feed(ATOM, "https://atom.example/feed")
    assert atom.version == "atom10" and atom.items[0].link == "https://atom.example/b"
    assert atom.items[0].entry.content == "<p>Body B</p>"


def test_entries_without_guid_or_link_are_identified_by_their_text() -> None:
    body = (b'<rss version="2.0"><channel><title>t</title><item><title>One</title><description>x'
            b'</description></item><item><title>Two</title><description>y</description></item>'
            b"</channel></rss>")
    parsed = parse_feed(body, "https://t.example/feed")
    assert len({i.key for i in parsed.items}) == 2
    assert parse_feed(body, "https://t.example/feed").items[0].key == parsed.items[0].key


def test_a_guid_equal_to_the_feed_link_is_not_trusted() -> None:
    body = (b'<rss version="2.0"><channel><title>t</title><link>https://t.example/</link><item>'
            b"<title>One</title><link>https://t.example/1</link><guid>https://t.example/</guid></item>"
            b"</channel></rss>")
    assert parse_feed(body, "https://t.example/feed").guid_unreliable


def test_html_and_empty_bodies_are_not_feeds() -> None:
    with pytest.raises(FeedParseError, match="not-a-feed"):
        parse_feed(b"<!DOCTYPE html><html><body><p>Home</p></body></html>", "u",
                   {"content-type": "text/html"})
    with pytest.raises(FeedParseError, match="malformed"):
        parse_feed(b"   ", "u")


def test_feedparser_never_reads_a_local_file_named_by_the_body() -> None:
    with pytest.raises(FeedParseError):
        parse_feed(b"/etc/passwd", "https://evil.example/feed")


def test_tracking_parameters_are_stripped_and_article_parameters_kept() -> None:
    assert strip_tracking("https://Ex.com/a?id=5&utm_source=rss&utm_campaign=x#top") == "https://ex.com/a?id=5"
    assert strip_tracking("https://ex.com/s?story=7&fbclid=1&gclid=2&at_medium=rss") == "https://ex.com/s?story=7"


def test_a_cp1251_page_without_a_charset_is_decoded() -> None:
    text = ("<html><body><p>Взрыв в центре города унёс жизни двенадцати человек, сообщили местные "
            "власти. Полиция начала расследование.</p></body></html>")
    decoded = decode_html(text.encode("cp1251"), "text/html")
    assert decoded.text == text and decoded.rule == "detected"
    wrong = decode_html(text.encode("cp1251"), "text/html; charset=iso-8859-1")
    assert wrong.text == text
    french = "<p>Café crème brûlée, à la française, déjà vu.</p>"
    assert decode_html(french.encode("cp1252"), "text/html; charset=windows-1252").text == french
    assert decode_html('<meta charset="utf-8"><p>é</p>'.encode(), None).rule == "meta"


SITEMAP_INDEX = b"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <sitemap><loc>https://s.example/news.xml</loc></sitemap><sitemap><loc>/more.xml.gz</loc></sitemap>
</sitemapindex>"""

NEWS_SITEMAP = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
  <url><loc>https://s.example/a</loc><news:news><news:publication><news:name>S</news:name>
    <news:language>en</news:language></news:publication>
    <news:publication_date>2026-11-20T08:00:00+00:00</news:publication_date>
    <news:title>Flood in the valley</news:title></news:news></url>
  <url><loc>https://s.example/b</loc></url>
</urlset>"""


def test_sitemaps_indexes_and_google_news_fields() -> None:
    children, pages = parse_sitemap(SITEMAP_INDEX, "https://s.example/sitemap.xml")
    assert children == ["https://s.example/news.xml", "https://s.example/more.xml.gz"] and pages == []
    children, pages = parse_sitemap(NEWS_SITEMAP, "https://s.example/news.xml")
    assert [p.url for p in pages] == ["https://s.example/a", "https://s.example/b"]
    assert pages[0].title == "Flood in the valley" and pages[0].published is not None
    assert pages[1].title is None


def test_sitemap_tricks_and_bombs_are_refused() -> None:
    with pytest.raises(SitemapError):
        parse_sitemap(b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><urlset>&a;</urlset>', "u")
    with pytest.raises(SitemapError):
        parse_sitemap(b"<urlset><url><loc>x</loc></urlset>", "u")
    with pytest.raises(SitemapError):
        maybe_gunzip(gzip.compress(b"<" * 5_000_000), 1_000_000)
    assert maybe_gunzip(gzip.compress(NEWS_SITEMAP), 1_000_000) == NEWS_SITEMAP


def test_seed_links_on_the_same_host_without_trackers() -> None:
    html = ('<base href="https://seed.example/news/"><a href="a.html?utm_source=x">A</a>'
            '<a href="/b.html">B</a><a href="https://other.example/c">C</a><a href="mailto:x@y">m</a>'
            '<a href="a.html">A again</a>')
    links = [t.url for t in seed_links(html, "https://seed.example/news/")]
    assert links == ["https://seed.example/news/a.html", "https://seed.example/b.html"]
    everywhere = [t.url for t in seed_links(html, "https://seed.example/news/", same_host=False)]
    assert "https://other.example/c" in everywhere
