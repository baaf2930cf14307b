from __future__ import annotations

from datetime import UTC, datetime

import pytest

from pipeline.envelope import (
    CleanedContent,
    Envelope,
    Stage,
    article_id,
    decode,
    encode,
)
from pipeline.errors import InvalidInput
from pipeline.identity import canonical_url


def make() -> Envelope:
    return Envelope(
        id=article_id("https://news.example/a"),
        url="https://news.example/a",
        source="https://news.example/feed.xml",
        first_seen=datetime(2026, 11, 20, 9, 30, tzinfo=UTC),
    )


def test_tracking_parameters_and_fragments_do_not_change_the_id() -> None:
    plain = article_id("https://News.Example/world/story-1?id=7")
    tracked = article_id(
        "https://news.example/world/story-1?utm_source=rss&utm_medium=feed&id=7#comments"
    )
    assert plain == tracked
    assert canonical_url("https://News.Example/world/story-1?utm_source=x&id=7#c") == (
        "https://news.example/world/story-1?id=7"
    )


def test_different_articles_get_different_ids_and_entry_ids_are_a_fallback() -> None:
    assert article_id("https://news.example/a") != article_id("https://news.example/b")
    assert article_id(None, "guid-1") != article_id(None, "guid-2")
    assert len(article_id(None, "guid-1")) == 32
    with pytest.raises(InvalidInput):
        article_id(None, None)


def test_round_trip_and_stage_advance_keep_everything() -> None:
    env = make()
    cleaned = env.advance(Stage.CLEANED, cleaned=CleanedContent(text="Some text", word_count=2))
    assert env.stage is Stage.RAW and env.cleaned is None  # the original is untouched
    back = decode(encode(cleaned))
    assert back == cleaned
    assert back.stage is Stage.CLEANED and back.cleaned is not None
    assert back.cleaned.text == "Some text"


def test_envelopes_are_frozen() -> None:
    env = make()
    with pytest.raises(Exception, match="frozen"):
        env.id = "other"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (None, "tombstone"),
        (b"\xff\xfe\x00", "not a valid envelope"),
        (b'{"schema_version": 2, "id": "x"}', "schema_version"),
        (b'{"schema_version": 1, "id": "x", "source": "s", "first_seen": "yesterday"}', "first_seen"),
        (b'{"schema_version": 1, "id": "x", "source": "s", "first_seen": "2026-11-20T00:00:00Z",'
         b' "surprise": 1}', "surprise"),
    ],
)
def test_decode_rejects_what_is_not_a_current_envelope(data: bytes | None, fragment: str) -> None:
    with pytest.raises(InvalidInput, match=fragment):
        decode(data)
