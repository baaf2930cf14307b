"""The clean stage on real pages (Wikinews text in news-site templates, see eval/extraction)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from pipeline.cleaning.extract import Extracted, ExtractionTimeout, Extractor, time_budget
from pipeline.envelope import Envelope, FeedEntry, RawContent, Stage, article_id
from pipeline.stages.clean import CleanStage
from tests.fixtures.news import NAMES, body

PAGES = Path(__file__).resolve().parents[2] / "eval" / "extraction" / "pages"
FIRST_SEEN = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)


def envelope(url: str, body_text: str | None, content_type: str | None = "text/html",
             feed: FeedEntry | None = None) -> Envelope:
    return Envelope(
        id=article_id(url),
        url=url,
        source="https://feeds.example/rss",
        first_seen=FIRST_SEEN,
        feed=feed,
        raw=RawContent(body=body_text, content_type=content_type, final_url=url),
    )


def pages_of(site: str) -> list[dict[str, str]]:
    index = json.loads((PAGES / "index.json").read_text(encoding="utf-8"))
    return [entry for entry in index if entry["site"] == site]


def test_html_page_gives_text_and_metadata() -> None:
    stage = CleanStage()
    entry = pages_of("harbourgazette.example")[0]
    html = (PAGES / entry["page"]).read_text(encoding="utf-8")
    [out] = stage.process(envelope(entry["url"], html))
    cleaned = out.cleaned
    assert out.stage is Stage.CLEANED and cleaned is not None
    assert cleaned.title == "Gerry Adams arrested over 1972 Jean McConville murder"
    assert cleaned.site_name == "The Harbour Gazette"
    assert cleaned.canonical_url == "https://harbourgazette.example/news/adams-arrest"
    assert cleaned.language == "en"
    assert cleaned.quality == "article"
    assert "Jean McConville" in cleaned.text
    assert "Skip to main content" not in cleaned.text
    assert "cookies" not in cleaned.text
    # htmldate reads the visible dateline of the page
    assert cleaned.published == datetime(2014, 5, 2, tzinfo=UTC)
    assert cleaned.date_source == "page_metadata"


def test_site_boilerplate_inside_the_article_is_learned() -> None:
    stage = CleanStage()
    outputs = []
    for entry in pages_of("metrowire.example"):
        html = (PAGES / entry["page"]).read_text(encoding="utf-8")
        [out] = stage.process(envelope(entry["url"], html))
        assert out.cleaned is not None
        outputs.append(out.cleaned)
    blurb = "MetroWire is free to read"
    assert blurb in outputs[0].text  # not yet learned
    assert all(blurb not in cleaned.text for cleaned in outputs[4:])
    assert outputs[-1].boilerplate_removed >= 2


def test_plain_text_with_boilerplate_is_cleaned_too() -> None:
    stage = CleanStage()
    footer = "This story was distributed by the Regional Wire Service. Reuse needs a licence."
    results = []
    for name in NAMES:
        text = f"Skip to main content\n{body(name)}\n{footer}"
        url = f"https://regionalwire.example/story/{name}"
        [out] = stage.process(envelope(url, text, content_type="text/plain"))
        assert out.cleaned is not None
        results.append(out.cleaned)
    assert "Skip to main content" not in results[0].text
    assert footer not in results[-1].text
    assert results[-1].text == body(NAMES[-1])


def test_feed_text_is_used_when_the_page_is_missing() -> None:
    feed = FeedEntry(
        feed_url="https://feeds.example/rss",
        entry_id="e1",
        title="Major train wreck in Southern India",
        content="<p>" + body("india-train").replace("\n\n", "</p><p>") + "</p>",
        published=datetime(2005, 10, 29, 9, 0, tzinfo=UTC),
    )
    [out] = CleanStage().process(envelope("https://feeds.example/a/1", None, feed=feed))
    cleaned = out.cleaned
    assert cleaned is not None
    assert cleaned.title == "Major train wreck in Southern India"
    assert "Andhra Pradesh" in cleaned.text
    assert cleaned.published == datetime(2005, 10, 29, 9, 0, tzinfo=UTC)
    assert cleaned.date_source == "feed"


def test_short_and_non_article_pages_are_marked_not_dropped() -> None:
    stage = CleanStage()
    [short] = stage.process(envelope("https://x.example/news/brief", "Police closed the road.",
                                     content_type="text/plain"))
    assert short.cleaned is not None and short.cleaned.quality == "too_short"
    assert short.cleaned.quality_reason == "4 words, fewer than 50"
    home = "<html><head><meta property='og:type' content='website'></head><body><ul>" + "".join(
        f"<li><a href='/n/{i}'>Headline number {i}</a></li>" for i in range(40)
    ) + "</ul></body></html>"
    [front] = stage.process(envelope("https://x.example/", home))
    assert front.cleaned is not None and front.cleaned.quality == "not_article"
    assert front.cleaned.quality_reason is not None
    assert "'website'" in front.cleaned.quality_reason


def test_an_article_has_no_quality_reason() -> None:
    entry = pages_of("harbourgazette.example")[0]
    html = (PAGES / entry["page"]).read_text(encoding="utf-8")
    [out] = CleanStage().process(envelope(entry["url"], html))
    assert out.cleaned is not None
    assert out.cleaned.quality == "article" and out.cleaned.quality_reason is None


# The budget's alarm replaces pytest-timeout's own: a thread-based guard stops a run that the
# budget failed to interrupt.
@pytest.mark.timeout(60, method="thread")
def test_time_budget_abandons_a_slow_extraction() -> None:
    with pytest.raises(ExtractionTimeout, match="exceeded"), time_budget(0.2):
        while True:
            sum(range(1000))


class _Stuck(Extractor):
    def extract_html(self, html: str, url: str | None) -> Extracted:
        with time_budget(self.budget_s):
            while True:
                sum(range(1000))


def test_a_pathological_page_is_marked_and_the_stage_goes_on() -> None:
    feed = FeedEntry(feed_url="https://feeds.example/rss", entry_id="e2",
                     summary=body("buffalo-sinkhole"))
    stage = CleanStage(extractor=_Stuck(budget_s=0.2))
    [out] = stage.process(envelope("https://x.example/n/1", "<html><body>...</body></html>",
                                   feed=feed))
    assert out.cleaned is not None
    assert out.cleaned.quality == "extraction_timeout"
    assert out.cleaned.quality_reason is not None
    assert "0.2s" in out.cleaned.quality_reason
    assert "feed" in out.cleaned.quality_reason
    assert "sinkhole" in out.cleaned.text  # the feed's text stands in


def test_a_timed_out_page_without_feed_text_is_marked_too() -> None:
    stage = CleanStage(extractor=_Stuck(budget_s=0.2))
    [out] = stage.process(envelope("https://x.example/n/2", "<html><body>...</body></html>"))
    assert out.cleaned is not None
    assert out.cleaned.quality == "extraction_timeout"
    assert out.cleaned.quality_reason == "extraction exceeded 0.2s"
    assert out.cleaned.text == ""
