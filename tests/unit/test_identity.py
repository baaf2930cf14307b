"""Article identity: content parameters make different articles, tracking parameters do not."""

from __future__ import annotations

from pathlib import Path

import pytest

from connectors.urls import strip_tracking
from pipeline.envelope import article_id
from pipeline.identity import (
    TrackingRules,
    bundled_list,
    canonical_url,
    parse_list,
)
from pipeline.settings import IdentitySettings

# Real-style URL pairs: the same site, the same script, another article.
CONTENT_PAIRS = [
    ("http://www.dailytimes.example/news.php?newsid=77", "http://www.dailytimes.example/news.php?newsid=78"),
    ("https://www.herald.example/story.aspx?storyid=5", "https://www.herald.example/story.aspx?storyid=6"),
    ("https://news.example/article.php?articleid=1201", "https://news.example/article.php?articleid=1202"),
    ("https://www.gazette.example/index.php?option=com_content&sid=44",
     "https://www.gazette.example/index.php?option=com_content&sid=45"),
    ("https://portal.example/node?nid=9001", "https://portal.example/node?nid=9002"),
    ("https://tv.example/watch.asp?cid=3&item=17", "https://tv.example/watch.asp?cid=3&item=18"),
    ("https://tv.example/watch.asp?cid=3&item=17", "https://tv.example/watch.asp?cid=4&item=17"),
    ("https://paper.example/detail.jsp?no=20191119000456", "https://paper.example/detail.jsp?no=20191119000457"),
    ("https://agency.example/en/news?n=a1b2", "https://agency.example/en/news?n=a1b3"),
    ("https://site.example/?p=311", "https://site.example/?p=312"),
]

TRACKED_VARIANTS = [
    "https://www.herald.example/story.aspx?storyid=5",
    "https://WWW.Herald.Example/story.aspx?storyid=5#comments",
    "https://www.herald.example/story.aspx?utm_source=rss&utm_medium=feed&storyid=5",
    "https://www.herald.example/story.aspx?storyid=5&fbclid=IwAR3xyz",
    "https://www.herald.example/story.aspx?storyid=5&gclid=Cj0K&mc_cid=ab12&mc_eid=cd34",
    "https://www.herald.example/story.aspx?ref=homepage&storyid=5&share=twitter",
    "https://www.herald.example:443/story.aspx?storyid=5&UTM_Campaign=Morning",
    "https://www.herald.example/story.aspx?storyid=5&amp;utm_content=top",
]


@pytest.mark.parametrize(("first", "second"), CONTENT_PAIRS)
def test_urls_that_differ_in_a_content_parameter_are_two_articles(first: str, second: str) -> None:
    assert article_id(first) != article_id(second)
    assert canonical_url(first) != canonical_url(second)


def test_tracking_variants_of_one_url_are_one_article() -> None:
    ids = {article_id(url) for url in TRACKED_VARIANTS}
    assert len(ids) == 1
    assert {canonical_url(url) for url in TRACKED_VARIANTS} == {
        "https://www.herald.example/story.aspx?storyid=5"
    }


def test_parameters_are_sorted_and_those_without_a_value_are_kept() -> None:
    url = "https://x.example/read.php?storyid=5&print&b=2&a=1&utm_source=rss"
    assert canonical_url(url) == "https://x.example/read.php?a=1&b=2&print&storyid=5"
    assert article_id("https://x.example/read.php?b=2&a=1") == article_id(
        "https://x.example/read.php?a=1&b=2"
    )
    # A parameter that is present selects another page than one that is absent.
    assert article_id("https://x.example/read.php?id=5&print") != article_id(
        "https://x.example/read.php?id=5"
    )
    # A repeated name keeps its values' order.
    assert canonical_url("https://x.example/s?tag=b&tag=a") == "https://x.example/s?tag=b&tag=a"


def test_parameter_names_that_look_like_html_entities_are_kept() -> None:
    # "&reg", "&copy", "&para" and "&not" are HTML entities without their semicolon.
    url = "https://x.example/list.php?id=5&reg=eu&copy=1&para=2&not=3"
    assert canonical_url(url) == "https://x.example/list.php?copy=1&id=5&not=3&para=2&reg=eu"
    assert canonical_url("https://x.example/list.php?id=5&amp;page=2") == (
        "https://x.example/list.php?id=5&page=2"
    )


def test_the_fetch_address_keeps_the_parameter_order_but_loses_the_trackers() -> None:
    url = "https://x.example/read.php?storyid=5&utm_source=rss&page=2#top"
    assert strip_tracking(url) == "https://x.example/read.php?storyid=5&page=2"
    # The kept parameters are not re-encoded: the server reads them as it always did.
    odd = "https://x.example/a.php?q=a,b;c=d&utm_source=x&path=%2Fnews"
    assert strip_tracking(odd) == "https://x.example/a.php?q=a,b;c=d&path=%2Fnews"


def test_urls_without_a_query_keep_the_ids_they_had() -> None:
    # Ids computed with the old rule (courlan strict): no query, or only parameters that rule
    # kept (id, page, p, ...), give the same id as before; docs/architecture.md says which change.
    assert article_id("https://news.example/a") == "84458d0a4a5a0625c707b977a31fa2a1"
    assert article_id("https://News.Example/world/story-1?id=7&utm_source=x#c") == (
        "e888608ac3b048ef99a3ba7c00c0ef8b"
    )
    assert article_id("https://x.example/a?page=2&id=3") == "574a31f840c5a603c65c30c3b92c120a"
    # One the old rule collapsed (storyid was dropped, leaving the bare path) gets a new id.
    assert article_id("https://www.herald.example/story.aspx?storyid=5") != (
        "748ac4cc3f89b2a417463f8f2a49577c"
    )


def test_the_bundled_list_denies_known_trackers_and_no_content_parameter() -> None:
    rules = TrackingRules.from_list(bundled_list())
    for tracker in ("utm_source", "utm_whatever", "fbclid", "gclid", "mc_cid", "mc_eid", "ref",
                    "share", "at_medium", "pk_campaign", "_ga"):
        assert rules.is_tracking(tracker), tracker
    for content in ("id", "newsid", "storyid", "articleid", "article_id", "sid", "nid", "cid",
                    "item", "itemid", "p", "page", "no", "n", "option", "lang", "story", "aid"):
        assert not rules.is_tracking(content), content


def test_settings_add_names_and_prefixes_and_keep_a_listed_name(tmp_path: Path) -> None:
    settings = IdentitySettings(
        tracking_parameters_extra=("src", "cmp_*"), tracking_parameters_keep=("ref",)
    )
    rules = TrackingRules.from_settings(settings)
    assert rules.is_tracking("src") and rules.is_tracking("cmp_newsletter")
    assert not rules.is_tracking("ref") and rules.is_tracking("utm_source")
    url = "https://x.example/a?ref=77&src=mail&cmp_x=1&utm_source=rss"
    assert canonical_url(url, rules) == "https://x.example/a?ref=77"

    own = tmp_path / "trackers.yaml"
    own.write_text("version: 1\nnames: [campaign]\nprefixes: []\n", encoding="utf-8")
    replaced = TrackingRules.from_settings(IdentitySettings(tracking_parameters_file=str(own)))
    assert replaced.is_tracking("campaign") and not replaced.is_tracking("utm_source")


@pytest.mark.parametrize(
    ("document", "problem"),
    [
        ("names: [UTM_Source]\n", "lower case"),
        ("names: [fbclid, fbclid]\n", "listed twice"),
        ("prefixes: [u]\n", "shorter than"),
        ("names: [a b]\n", "lower case"),
        ("tracking: [fbclid]\n", "tracking"),
        ("- fbclid\n", "expected a mapping"),
    ],
)
def test_a_malformed_deny_list_is_refused_with_the_reason(document: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        parse_list(document, "trackers.yaml")


def test_a_bad_deny_list_stops_the_command_at_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pipeline.cli import main

    bad = tmp_path / "trackers.yaml"
    bad.write_text("names: [UTM_Source]\n", encoding="utf-8")
    monkeypatch.setenv("NEWS_IDENTITY__TRACKING_PARAMETERS_FILE", str(bad))
    assert main(["settings", "show"]) == 2
    monkeypatch.setenv("NEWS_IDENTITY__TRACKING_PARAMETERS_FILE", str(tmp_path / "missing.yaml"))
    assert main(["settings", "show"]) == 2
    monkeypatch.delenv("NEWS_IDENTITY__TRACKING_PARAMETERS_FILE")
    assert main(["settings", "show"]) == 0
