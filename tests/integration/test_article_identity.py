"""Article identity end to end: a feed whose entries differ only in a content parameter
(``news.php?newsid=77`` / ``78``, ``story.aspx?storyid=5`` / ``6``) gives one Elasticsearch
document per article, through the real connector, every stage and the sink; tracking variants of
one article's link add none."""

from __future__ import annotations

from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape

import pytest
from elasticsearch import Elasticsearch

from connectors.commands import publish_feeds_once
from connectors.feedlist import FeedSpec
from pipeline.envelope import article_id
from pipeline.identity import canonical_url
from pipeline.messaging import ensure_topics
from pipeline.search_setup import articles_alias, ensure_templates
from pipeline.settings import Settings
from pipeline.topology import STEPS, all_topics, build_runner
from tests.integration.connector_server import NOW, Reply, ScenarioServer
from tests.integration.sink_helpers import drop_indices

pytestmark = pytest.mark.integration

HTML = (("Content-Type", "text/html; charset=utf-8"),)
STORIES = {
    ("newsid", "77"): ("Flood waters close the river road",
                       "Flood waters rose over the river road on Tuesday and the council closed it "
                       "to traffic between the bridge and the mill, officials said."),
    ("newsid", "78"): ("Council approves the new school budget",
                       "The council approved the school budget for next year after a long debate "
                       "about teachers' pay and the repair of two old buildings."),
    ("storyid", "5"): ("Fire destroys a warehouse near the port",
                       "A fire destroyed a warehouse near the port overnight; firefighters fought "
                       "the blaze for six hours and no one was hurt, the fire service said."),
    ("storyid", "6"): ("Hospital opens a children's ward",
                       "The regional hospital opened a children's ward with forty beds on Monday, "
                       "the first expansion of the hospital in a decade."),
}


def _page(handler: BaseHTTPRequestHandler, name: str) -> Reply:
    value = (parse_qs(urlsplit(handler.path).query).get(name) or [""])[0]
    story = STORIES.get((name, value))
    if story is None:
        return Reply(404, b"no such article", HTML)
    title, paragraph = story
    body = f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1>"
    body += f"<p>{paragraph}</p>" * 4 + "</article></body></html>"
    return Reply(200, body.encode("utf-8"), HTML)


def _feed(server: ScenarioServer, links: list[tuple[str, str]]) -> bytes:
    items = "".join(
        f"<item><guid isPermaLink='false'>{guid}</guid><title>{guid}</title>"
        f"<link>{escape(server.url(path))}</link><description>Summary {guid}</description></item>"
        for guid, path in links
    )
    return (f"<?xml version='1.0'?><rss version='2.0'><channel><title>Ids</title>"
            f"<link>{server.base}/</link><lastBuildDate>{NOW:%a, %d %b %Y %H:%M:%S} GMT"
            f"</lastBuildDate>{items}</channel></rss>").encode()


LINKS = [
    ("a", "/news.php?newsid=77"),
    ("b", "/news.php?newsid=78"),
    ("c", "/news.php?newsid=77&utm_source=rss&utm_medium=feed"),
    ("d", "/story.aspx?storyid=5"),
    ("e", "/story.aspx?fbclid=IwAR0abc&storyid=6"),
    ("f", "/story.aspx?storyid=5&ref=home&share=twitter#comments"),
]


@pytest.fixture
def server() -> Iterator[ScenarioServer]:
    with ScenarioServer() as running:
        running.routes["/news.php"] = lambda h: _page(h, "newsid")
        running.routes["/story.aspx"] = lambda h: _page(h, "storyid")
        body = _feed(running, LINKS)
        running.routes["/ids.xml"] = lambda h: Reply(200, body, (("Content-Type", "application/rss+xml"),))
        yield running


def _run_pipeline(s: Settings, feed_url: str) -> None:
    s.fetch.allowed_networks = ("127.0.0.1/32",)
    s.fetch.per_host_delay_s = 0.0
    s.connectors.schedule.first_poll_spread_s = 0.0
    ensure_topics(s.kafka, all_topics(s))
    report = publish_feeds_once([FeedSpec(url=feed_url)], s)
    assert report.published == len(LINKS), report
    for current in STEPS:
        counters = build_runner(current.name, s).run(until_drained=True, idle_timeout_s=60)
        assert counters.balanced() and counters.dead_lettered == 0, counters


def test_content_parameters_make_two_documents_and_tracking_variants_none(
    kafka_ready: str, es_ready: Any, isolated_settings: Settings, server: ScenarioServer
) -> None:
    s = isolated_settings
    es: Elasticsearch = es_ready
    ensure_templates(es, s.elasticsearch)
    try:
        _run_pipeline(s, server.url("/ids.xml"))
        alias = articles_alias(s.elasticsearch)
        es.indices.refresh(index=alias)
        hits = es.search(index=alias, size=50, query={"match_all": {}})["hits"]["hits"]
        docs = {hit["_id"]: hit["_source"] for hit in hits}
        expected = {
            canonical_url(server.url(path)): title
            for path, title in (
                ("/news.php?newsid=77", "Flood waters close the river road"),
                ("/news.php?newsid=78", "Council approves the new school budget"),
                ("/story.aspx?storyid=5", "Fire destroys a warehouse near the port"),
                ("/story.aspx?storyid=6", "Hospital opens a children's ward"),
            )
        }
        assert len(docs) == 4, sorted(doc["url"] for doc in docs.values())
        assert {doc["url"]: doc["title"] for doc in docs.values()} == expected
        assert set(docs) == {article_id(url) for url in expected}
        # Each article kept its own text: none was overwritten by its neighbour.
        texts = {title: paragraph for title, paragraph in STORIES.values()}
        for doc in docs.values():
            assert texts[doc["title"]][:40] in doc["text"], doc["url"]
    finally:
        drop_indices(es, s.elasticsearch.index_prefix)
