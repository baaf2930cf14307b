"""Date rules: sources kept apart, nothing later than first-seen, the source recorded."""

from __future__ import annotations

from datetime import UTC, datetime

from pipeline.cleaning import dates

FIRST_SEEN = datetime(2014, 5, 2, 12, 0, tzinfo=UTC)


def test_page_metadata_wins_and_is_named() -> None:
    decision = dates.decide(
        FIRST_SEEN,
        page_published=datetime(2014, 5, 1, 9, 30, tzinfo=UTC),
        feed_published=datetime(2014, 5, 1, 10, 0, tzinfo=UTC),
        url="https://news.example/2014/04/30/adams",
    )
    assert decision.published == datetime(2014, 5, 1, 9, 30, tzinfo=UTC)
    assert decision.source == dates.PAGE


def test_date_after_first_seen_is_rejected_and_next_source_used() -> None:
    decision = dates.decide(
        FIRST_SEEN,
        page_published=datetime(2014, 5, 3, tzinfo=UTC),  # in the future of first-seen
        feed_published=datetime(2014, 5, 2, 8, 0, tzinfo=UTC),
    )
    assert decision.published == datetime(2014, 5, 2, 8, 0, tzinfo=UTC)
    assert decision.source == dates.FEED
    assert "page_metadata:after_first_seen" in decision.rejected


def test_url_then_text_fallbacks() -> None:
    from_url = dates.decide(FIRST_SEEN, url="https://news.example/2014/05/01/adams-arrested")
    assert (from_url.published, from_url.source) == (datetime(2014, 5, 1, tzinfo=UTC), dates.URL)
    text = "Friday, May 2, 2014\n\nGerry Adams, the leader of Sinn Féin, was arrested Wednesday"
    from_text = dates.decide(FIRST_SEEN, text=text)
    assert (from_text.published, from_text.source) == (datetime(2014, 5, 2, tzinfo=UTC), dates.TEXT)


def test_modified_kept_apart_and_never_before_published() -> None:
    decision = dates.decide(
        FIRST_SEEN,
        page_published=datetime(2014, 5, 1, 9, tzinfo=UTC),
        page_modified=datetime(2014, 5, 1, 15, tzinfo=UTC),
    )
    assert decision.modified == datetime(2014, 5, 1, 15, tzinfo=UTC)
    backwards = dates.decide(
        FIRST_SEEN,
        page_published=datetime(2014, 5, 1, 9, tzinfo=UTC),
        page_modified=datetime(2014, 4, 1, tzinfo=UTC),
    )
    assert backwards.modified is None


def test_nothing_plausible_gives_none() -> None:
    decision = dates.decide(FIRST_SEEN, page_published=datetime(1970, 1, 1, tzinfo=UTC))
    assert decision.published is None and decision.source is None


def test_page_metadata_reads_meta_tags_with_time() -> None:
    from pipeline.cleaning import metadata

    html = (
        '<html><head><meta property="article:published_time" content="2014-05-01T09:30:00+01:00">'
        '<meta content="2014-05-01T15:00:00Z" property="article:modified_time"></head></html>'
    )
    head = metadata.read(html)
    published, modified = dates.page_dates(head.published, head.modified)
    assert published == datetime(2014, 5, 1, 8, 30, tzinfo=UTC)
    assert modified == datetime(2014, 5, 1, 15, 0, tzinfo=UTC)
