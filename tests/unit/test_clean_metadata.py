# ruff: noqa: RUF001  (Chinese and Japanese sample text uses full-width punctuation)
"""Page metadata on real-style pages: written-out <meta> dates, htmldate's fallback, the language
of the text against the declared one, word counts of unspaced scripts, menus kept as bodies."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from trafilatura.utils import load_html

from pipeline.cleaning import dates
from pipeline.cleaning.extract import Extractor, menu_like
from pipeline.cleaning.language import decide_language
from pipeline.cleaning.normalise import load_scripts, word_count
from pipeline.envelope import Envelope, RawContent, article_id
from pipeline.stages.clean import CleanStage

FIRST_SEEN = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)
PARAGRAPH = (
    "<p>The provincial council met on Tuesday to debate the budget for the coming year, and "
    "members argued for hours about the cost of repairing roads and schools in the district, "
    "officials said after the session closed late in the evening.</p>"
)


def page(head: str, body: str = PARAGRAPH * 3, lang: str = "en") -> str:
    return (f'<html lang="{lang}"><head>{head}<title>Council debates the budget</title></head>'
            f"<body><article><h1>Council debates the budget</h1>{body}</article></body></html>")


def clean(html: str, url: str = "https://news.example/politics/council-budget") -> Envelope:
    envelope = Envelope(
        id=article_id(url), url=url, source="test", first_seen=FIRST_SEEN,
        raw=RawContent(body=html, content_type="text/html", final_url=url),
    )
    [out] = CleanStage().process(envelope)
    return out


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("November 19, 2019, 07:47 PM EST", datetime(2019, 11, 20, 0, 47, tzinfo=UTC)),
        ("19 Nov 2019 07:09 GMT", datetime(2019, 11, 19, 7, 9, tzinfo=UTC)),
        ("Tue, 19 Nov 2019 07:09:00 +0100", datetime(2019, 11, 19, 6, 9, tzinfo=UTC)),
        ("Tue, 19 Nov 2019 07:09:00 GMT", datetime(2019, 11, 19, 7, 9, tzinfo=UTC)),
        ("Nov. 19, 2019 at 7:47 p.m. ET", datetime(2019, 11, 20, 0, 47, tzinfo=UTC)),
        ("19 noviembre 2019 10:00", datetime(2019, 11, 19, 10, 0, tzinfo=UTC)),
        ("Published: 19/11/2019", datetime(2019, 11, 19, tzinfo=UTC)),
        ("2019-11-19T10:00:00+0100", datetime(2019, 11, 19, 9, 0, tzinfo=UTC)),
        ("2019-11-19", datetime(2019, 11, 19, tzinfo=UTC)),
    ],
)
def test_stated_dates_in_written_forms_parse(value: str, expected: datetime) -> None:
    assert dates.parse_timestamp(value) == expected


@pytest.mark.parametrize("value", ["yesterday", "11/12/2019 10:00", "not a date 2019", "1574192820", ""])
def test_relative_ambiguous_or_meaningless_values_are_not_guessed(value: str) -> None:
    assert dates.parse_timestamp(value) is None


def test_a_written_meta_date_is_the_published_date() -> None:
    html = page('<meta property="article:published_time" content="November 19, 2019, 07:47 PM EST">')
    cleaned = clean(html).cleaned
    assert cleaned is not None
    assert cleaned.published == datetime(2019, 11, 20, 0, 47, tzinfo=UTC)
    assert cleaned.date_source == dates.PAGE


def test_an_unparseable_meta_date_does_not_stop_htmldate() -> None:
    # The head states a date htmldate and we cannot read; the page's <time> element has one.
    body = '<p><time datetime="2019-11-18">18 November 2019</time></p>' + PARAGRAPH * 3
    html = page('<meta name="pubdate" content="sometime last week">', body)
    cleaned = clean(html).cleaned
    assert cleaned is not None
    assert cleaned.published == datetime(2019, 11, 18, tzinfo=UTC)
    assert cleaned.date_source == dates.PAGE


def test_htmldate_extensive_search_is_the_last_page_fallback() -> None:
    body = PARAGRAPH * 3 + "<p>Filed by our district correspondent on 3 March 2018.</p>"
    extracted = Extractor().extract_html(page('<meta name="date" content="n/a">', body),
                                         "https://news.example/politics/council-budget")
    assert extracted.date is None and extracted.date_searched == "2018-03-03"
    cleaned = clean(page('<meta name="date" content="n/a">', body)).cleaned
    assert cleaned is not None
    assert cleaned.published == datetime(2018, 3, 3, tzinfo=UTC)
    assert cleaned.date_source == dates.PAGE_SEARCH


def test_the_feed_date_outranks_the_extensive_search() -> None:
    decision = dates.decide(
        FIRST_SEEN,
        feed_published=datetime(2024, 5, 30, tzinfo=UTC),
        page_searched=datetime(2018, 3, 3, tzinfo=UTC),
    )
    assert decision.source == dates.FEED


FRENCH = (
    "<p>Des centaines de personnes ont manifesté vendredi dans la ville du nord contre la hausse "
    "du prix du pain, ont rapporté des témoins, en marchant de la vieille ville jusqu'au bureau "
    "du gouverneur.</p>"
)


def test_the_text_decides_the_language_and_the_declared_one_is_kept() -> None:
    cleaned = clean(page("", FRENCH * 3, lang="en-US")).cleaned
    assert cleaned is not None
    assert cleaned.language == "fr"
    assert cleaned.language_declared == "en"
    assert cleaned.language_source == "text"


def test_the_declared_language_stands_when_the_text_is_too_short_to_tell() -> None:
    decision = decide_language("Sign in", "pt-BR")
    assert (decision.language, decision.declared, decision.source) == ("pt", "pt", "declared")


CHINESE = (
    "<p>周五，数百人在北部城市抗议面包价格大幅上涨。目击者说，他们从老城区游行到省长办公室，"
    "要求政府降低基本食品的价格并增加对贫困家庭的补贴。警方在现场维持秩序，没有人员受伤的报告。</p>"
)
JAPANESE = (
    "<p>金曜日、北部の都市で数百人がパンの価格の急騰に抗議した。目撃者によると、参加者は旧市街から"
    "知事室まで行進し、基本的な食料品の値下げと貧困家庭への補助金の増額を求めた。</p>"
)
THAI = (
    "<p>เมื่อวันศุกร์ที่ผ่านมา ประชาชนหลายร้อยคนได้ออกมาประท้วงในเมืองทางตอนเหนือ"
    "เพื่อต่อต้านการขึ้นราคาขนมปังอย่างรวดเร็ว พยานกล่าวว่าผู้ประท้วงเดินขบวนจากเมืองเก่าไปยังสำนักงานผู้ว่าราชการ</p>"
)


@pytest.mark.parametrize(("body", "language"), [(CHINESE, "zh"), (JAPANESE, "ja"), (THAI, "th")])
def test_long_articles_in_unspaced_scripts_are_not_too_short(body: str, language: str) -> None:
    # Three distinct paragraphs (trafilatura drops repeated ones): about 120-200 words' worth.
    paragraphs = "".join(body.replace("<p>", f"<p>（{n}）") for n in range(1, 4))
    cleaned = clean(page("", paragraphs, lang="en")).cleaned
    assert cleaned is not None
    assert cleaned.language == language
    assert cleaned.quality == "article", cleaned.quality_reason
    assert cleaned.word_count >= 50
    # Split on spaces alone, these texts are a handful of "words".
    assert len(cleaned.text.split()) < 20


def test_word_count_of_spaced_text_is_unchanged_and_punctuation_runs_are_not_words() -> None:
    assert word_count("Hundreds of people protested on Friday.") == 6
    assert word_count("数百人。") == 2  # three Han characters / 1.5; the full stop is no word


def test_the_scripts_file_is_validated() -> None:
    with pytest.raises(ValueError, match="hex code points"):
        load_scripts("scripts: [{name: han, ranges: [4E00-XYZ], chars_per_word: 1.5}]")
    with pytest.raises(ValueError, match="chars_per_word"):
        load_scripts("scripts: [{name: han, ranges: [4E00-9FFF], chars_per_word: 0}]")


SECTIONS = ["Home", "Politics", "Economy", "Sports", "Culture", "World", "Opinion", "Health",
            "Science", "Technology", "Travel", "Weather", "Video", "Photos", "Podcasts",
            "Contact", "About us", "Advertise", "Archive", "Subscribe"]
SHORT_ARTICLE = (
    "The provincial governor inaugurated a new water treatment plant on Monday in the eastern "
    "district, officials said. The plant will supply clean drinking water to about forty thousand "
    "residents of six villages that until now relied on wells and tanker trucks. Construction took "
    "two years and cost an estimated twelve million dollars, paid for by the provincial budget."
)


def portal_page() -> str:
    """A portal whose article text sits in a bare <div> after a long section menu: trafilatura's
    fast mode keeps the menu as the body (150 lines of link texts), its full mode the article."""
    menu = "".join(f"<li><a href='/s/{i}'>{SECTIONS[i % 20]} {i}</a></li>" for i in range(150))
    return (f"<html><body><div id='nav'><ul>{menu}</ul></div>"
            f"<div class='newsbody'>{SHORT_ARTICLE}</div></body></html>")


def test_a_menu_kept_by_fast_mode_is_re_extracted() -> None:
    extracted = Extractor().extract_html(portal_page(), "https://portal.example/news/1")
    assert "water treatment plant" in extracted.text
    assert "Politics 1" not in extracted.text
    assert len(extracted.text.split()) < 80


def test_menu_detection_needs_link_texts_not_just_short_lines() -> None:
    tree = load_html(portal_page())
    assert tree is not None
    menu_text = "\n".join(f"{SECTIONS[i % 20]} {i}" for i in range(40))
    assert menu_like(menu_text, tree)
    # Short lines that are not links (a list of figures in the article) are not a menu.
    figures = "\n".join(f"District {i}: {i * 7} votes" for i in range(40))
    assert not menu_like(figures, tree)
    assert not menu_like(SHORT_ARTICLE, tree)
