"""The clean stage: raw page (HTML or plain text) -> article text and metadata.

For an HTML page trafilatura extracts the main text and metadata within a time budget; plain text
(feeds and upstream scrapers that deliver text) is used as it is. Both then go through the same
steps: site boilerplate learned across the site's articles is removed, Unicode is normalised, the
dates are decided (published, modified and first-seen kept apart, with the source of
``published`` recorded), the language is decided from the text (the declared one kept beside it)
and the result is marked ``article``, ``too_short``, ``not_article`` or
``extraction_timeout`` (the page was abandoned after its time budget; the feed's text, if any,
stands in), with ``quality_reason`` saying why it is not ``article``. Nothing is dropped: a page
that yields no text is still passed on, marked.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Literal
from urllib.parse import urlsplit

from pipeline.cleaning import dates
from pipeline.cleaning.boilerplate import BoilerplateLearner
from pipeline.cleaning.extract import (
    Extracted,
    ExtractionTimeout,
    Extractor,
    html_fragment_text,
    is_full_page,
    looks_like_html,
)
from pipeline.cleaning.language import decide_language
from pipeline.cleaning.normalise import normalise_text, word_count
from pipeline.envelope import CleanedContent, Envelope, Stage
from pipeline.identity import canonical_url

log = logging.getLogger(__name__)

Quality = Literal["article", "too_short", "not_article", "extraction_timeout"]

# og:type / schema values that say "this is not a news article".
NON_ARTICLE_TYPES = frozenset(
    {"website", "product", "profile", "video", "video.other", "video.movie", "music.song",
     "book", "place", "event", "collectionpage", "searchresultspage", "homepage"}
)


class CleanStage:
    name = "clean"

    def __init__(
        self,
        min_words: int = 50,
        budget_s: float = 10.0,
        boilerplate: BoilerplateLearner | None = None,
        extractor: Extractor | None = None,
    ) -> None:
        self.min_words = min_words
        self.extractor = extractor or Extractor(budget_s=budget_s)
        self.boilerplate = boilerplate or BoilerplateLearner()

    def process(self, envelope: Envelope) -> Sequence[Envelope]:
        cleaned = self.clean(envelope)
        # The page body has served its purpose: later topics carry the text, not the HTML, so a
        # large page cannot make the cleaned record too large to send.
        raw = envelope.raw.model_copy(update={"body": None})
        return [envelope.advance(Stage.CLEANED, cleaned=cleaned, raw=raw)]

    def after_batch_written(self) -> None:
        # The boilerplate counts are a cache that relearns itself; nothing to persist.
        return None

    # ------------------------------------------------------------------------------------------

    def clean(self, envelope: Envelope) -> CleanedContent:
        raw = envelope.raw
        feed = envelope.feed
        page_url = raw.final_url or envelope.url
        extracted, html, timed_out = self._extract(envelope, page_url)

        site = _site_key(page_url, extracted.hostname)
        text = normalise_text(extracted.text)
        cleaned = self.boilerplate.clean(site, text)
        text = cleaned.text
        title = _first(extracted.title, feed.title if feed else None)
        if title:
            title = normalise_text(title)
            text = _drop_leading_title(text, title)

        decision = _decide_dates(envelope, extracted, html is not None, page_url, text)
        language = decide_language(text, extracted.language)
        words = word_count(text)
        quality, reason = self._quality(timed_out, extracted.page_type, page_url, words)
        return CleanedContent(
            title=title,
            text=text,
            authors=extracted.authors or (feed.authors if feed else ()),
            site_name=extracted.site_name or site,
            canonical_url=_canonical(extracted.url, page_url),
            language=language.language,
            language_declared=language.declared,
            language_source=language.source,
            published=decision.published,
            modified=decision.modified,
            date_source=decision.source,
            word_count=words,
            quality=quality,
            quality_reason=reason,
            boilerplate_removed=cleaned.removed,
        )

    def _extract(
        self, envelope: Envelope, page_url: str | None
    ) -> tuple[Extracted, str | None, str | None]:
        """(extracted, the HTML page if it was one, why extraction was abandoned if it was)."""
        raw, feed = envelope.raw, envelope.feed
        html: str | None = None
        timed_out: str | None = None
        extracted = Extracted(text="")
        body = raw.body
        if not body and feed is not None:
            body = feed.content or feed.summary
        if body and looks_like_html(body, raw.content_type if raw.body else None):
            if is_full_page(body):
                html = body
                try:
                    extracted = self.extractor.extract_html(body, page_url)
                except ExtractionTimeout as exc:
                    log.warning("clean: %s abandoned: %s", envelope.id, exc)
                    timed_out = str(exc) or "extraction exceeded its time budget"
            else:
                extracted = Extracted(text=html_fragment_text(body))
        elif body:
            extracted = Extracted(text=body)
        if timed_out and feed is not None and (feed.content or feed.summary):
            text_source = feed.content or feed.summary or ""
            extracted = Extracted(
                text=html_fragment_text(text_source)
                if looks_like_html(text_source, None)
                else text_source
            )
            timed_out += "; the feed's text stands in"
        return extracted, html, timed_out

    def _quality(
        self, timed_out: str | None, page_type: str | None, page_url: str | None, words: int
    ) -> tuple[Quality, str | None]:
        not_article = _not_article(page_type, page_url, words, self.min_words)
        if timed_out:
            return "extraction_timeout", timed_out
        if not_article:
            return "not_article", not_article
        if words < self.min_words:
            return "too_short", f"{words} words, fewer than {self.min_words}"
        return "article", None


def _decide_dates(
    envelope: Envelope, extracted: Extracted, from_html: bool, page_url: str | None, text: str
) -> dates.DateDecision:
    feed = envelope.feed
    page_published: datetime | None = None
    page_modified: datetime | None = None
    searched: datetime | None = None
    if from_html:
        page_published, page_modified = dates.page_dates(extracted.date, extracted.modified)
        searched = dates.parse_timestamp(extracted.date_searched)
    return dates.decide(
        envelope.first_seen,
        page_published=page_published,
        page_modified=page_modified,
        feed_published=feed.published if feed else None,
        feed_updated=feed.updated if feed else None,
        url=page_url,
        text=text,
        page_searched=searched,
    )


def _first(*values: str | None) -> str | None:
    return next((value for value in values if value and value.strip()), None)


def _site_key(url: str | None, hostname: str | None) -> str | None:
    host = hostname or (urlsplit(url).hostname if url else None)
    if not host:
        return None
    host = host.lower()
    return host[4:] if host.startswith("www.") else host


def _canonical(declared: str | None, page_url: str | None) -> str | None:
    for candidate in (declared, page_url):
        if candidate and candidate.startswith(("http://", "https://")):
            try:
                return canonical_url(candidate)
            except ValueError:
                continue
    return None


def _drop_leading_title(text: str, title: str) -> str:
    """trafilatura sometimes repeats the headline as the first line of the text."""
    first, _, rest = text.partition("\n")
    if first.strip().casefold() == title.strip().casefold():
        return rest.lstrip()
    return text


def _not_article(
    page_type: str | None, url: str | None, words: int, min_words: int
) -> str | None:
    """Why the page is not a news article, or None."""
    if page_type and page_type.lower() in NON_ARTICLE_TYPES and words < 4 * min_words:
        return f"page type {page_type.lower()!r} with {words} words"
    if url:
        path = urlsplit(url).path.strip("/")
        if not path and words < 4 * min_words:
            return f"site front page with {words} words"
    return None
