"""News pages for the end-to-end benchmark and the soak: real, redistributable text inside the
markup of a real news site, every page distinct.

Text (all under ``eval/open``, licences in ``eval/open/README.md``; nothing generated is stored)
    headline and lead: UCDP GED event headlines, Syria 2016-2017 and Central African Republic
    (CC BY 4.0, Uppsala Conflict Data Program), with the event's place and toll in a sentence
    of ours ("At least 4 people were killed, SOHR said."), so the tag stage has incidents to find;
    body: runs of 2-5 consecutive sentences from the GUM Wikinews documents (CC BY 2.5, Wikinews
    contributors), the re3d documents (public domain, OGL v3.0, CC BY-SA 3.0, CC BY 3.0 AU: each
    record's ``licence``) and the wikigold Wikipedia sentences (CC BY 4.0), 4-14 paragraphs, so
    an article has about 350-1,100 words (median 700); related-story teasers: other UCDP headlines.

Markup
    eight sites of three kinds: a classic layout (menus, sidebar, comments), a single-page-app
    layout (a large JSON state blob in a script, as Next.js sites ship) and a portal (a mega menu
    and many teasers). Every page has a head with metadata, JSON-LD and inline CSS, a cookie
    banner, "skip to content", navigation, in-article advertisement markers, a newsletter box,
    share buttons and "read more" links, related links, a footer with link columns and trailing
    scripts. Page sizes follow a log-normal distribution around 100 KiB (the median size of news
    pages), kept within 20-300 KiB, by filling the variable parts (teasers, menus, the state
    blob) to the page's size.

Distinct copies
    page ``n`` of a generator is a function of (seed, n): its own headline, body passages,
    teasers, URL and size. No two pages share their text, so the deduplicate stage sees new
    articles (no exact or near duplicates) and the clean stage's boilerplate learner sees each
    site's template, not its articles, repeat.

    python -m benchmarks.pages --count 20 --out /tmp/pages    # write pages to look at
"""

from __future__ import annotations

import argparse
import html
import json
import math
import random
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path

from pipeline.envelope import Envelope, FeedEntry, RawContent, article_id

OPEN = Path(__file__).resolve().parents[1] / "eval" / "open"
TEXT_SETS = ("gum_news.jsonl", "re3d.jsonl", "wikigold.jsonl")
EVENT_SETS = ("ucdp_ged_syria_2016_2017.jsonl", "ucdp_ged_car.jsonl")
MIN_BYTES = 20 * 1024
MAX_BYTES = 300 * 1024
MEDIAN_BYTES = 100 * 1024
SIZE_SIGMA = 0.6  # log-normal spread: about 10 % of pages at either bound
SECTIONS = (
    "World", "Africa", "Middle East", "Asia", "Europe", "Americas", "Politics", "Business",
    "Markets", "Technology", "Science", "Health", "Sport", "Culture", "Opinion", "Video",
    "Podcasts", "Weather", "Travel", "Climate", "Investigations", "Data",
)
_SENTENCE_END = re.compile(r"(?<=[.!?\u201d\"])\s+(?=[A-Z\u201c\"])")


@dataclass(frozen=True)
class Event:
    headline: str
    place: str
    region: str
    country: str
    deaths: int
    reported_by: str


@dataclass(frozen=True)
class Corpus:
    events: tuple[Event, ...]
    documents: tuple[tuple[str, ...], ...]  # each a document's sentences, in order

    @classmethod
    def load(cls, root: Path = OPEN) -> Corpus:
        return _corpus(root)


@lru_cache(maxsize=2)
def _corpus(root: Path) -> Corpus:
    events: list[Event] = []
    for name in EVENT_SETS:
        for line in (root / name).read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            headline = _headline(str(row.get("headline") or ""))
            if len(headline.split()) >= 4:
                events.append(Event(
                    headline=headline,
                    place=str(row.get("where") or "").split(",")[0].removesuffix(" village"),
                    region=str(row.get("adm_1") or ""),
                    country="Syria" if "syria" in name else "Central African Republic",
                    deaths=int(row.get("best") or 0),
                    reported_by=_reporter(str(row.get("source_office") or "")),
                ))
    documents: list[tuple[str, ...]] = []
    for name in TEXT_SETS:
        for line in (root / name).read_text(encoding="utf-8").splitlines():
            sentences = _sentences(str(json.loads(line).get("text") or ""))
            if len(sentences) >= 3:
                documents.append(tuple(sentences))
    return Corpus(tuple(events), tuple(documents))


def _reporter(office: str) -> str:
    """Who reported the event, as a lead would name them (UCDP lists offices with ';')."""
    first = office.split(";")[0].strip()
    return first if first and not any(c.isdigit() or c == "/" for c in first) else "officials"


def _headline(text: str) -> str:
    text = " ".join(text.split()).rstrip(".")
    if text.isupper():  # wire-service capitals
        text = text.capitalize()
    return text


def _detokenise(line: str) -> str:
    """wikigold keeps its tokens apart ("Markets ." "did n't"): the words as written."""
    line = re.sub(r" ([.,;:!?%)\]])", r"\1", line)
    line = re.sub(r"([(\[$]) ", r"\1", line)
    return re.sub(r" (n't|'s|'re|'ve|'ll|'d|'m)\b", r"\1", line)


def _sentences(text: str) -> list[str]:
    out: list[str] = []
    for line in text.splitlines():
        line = _detokenise(" ".join(line.split()))
        out.extend(s for s in _SENTENCE_END.split(line) if len(s.split()) >= 4)
    return out


@dataclass(frozen=True)
class Site:
    host: str
    name: str
    kind: str  # "classic" | "app" | "portal"
    comments: bool


SITES = (
    Site("harbourgazette.example", "The Harbour Gazette", "classic", True),
    Site("dailyledger.example", "Daily Ledger", "portal", False),
    Site("metrowire.example", "MetroWire", "app", False),
    Site("frontlinepost.example", "Frontline Post", "classic", False),
    Site("sahelobserver.example", "Sahel Observer", "portal", True),
    Site("levantdesk.example", "Levant Desk", "app", True),
    Site("continentaltimes.example", "Continental Times", "portal", False),
    Site("evening-courier.example", "The Evening Courier", "classic", True),
)
# What share of a page's variable bytes each filler takes, by site kind.
FILL_SHARES: dict[str, dict[str, float]] = {
    "classic": {"menu": 0.2, "teasers": 0.5, "state": 0.3},
    "app": {"menu": 0.1, "teasers": 0.2, "state": 0.7},
    "portal": {"menu": 0.4, "teasers": 0.5, "state": 0.1},
}


@dataclass(frozen=True)
class Page:
    number: int
    site: Site
    url: str
    title: str
    summary: str
    published: datetime
    html: str
    text: str  # the article body as built, paragraphs separated by newlines


class PageGenerator:
    """Page ``n`` is a function of (``seed``, ``n``): see the module docstring."""

    def __init__(self, seed: int = 0, corpus: Corpus | None = None) -> None:
        self.seed = seed
        self.corpus = corpus or Corpus.load()

    def page(self, number: int, published: datetime | None = None) -> Page:
        rng = random.Random(f"{self.seed}:{number}")
        site = SITES[number % len(SITES)]
        event = rng.choice(self.corpus.events)
        when = published or datetime(2026, 11, 1, tzinfo=UTC) + timedelta(minutes=number)
        slug = re.sub(r"[^a-z0-9]+", "-", event.headline.lower()).strip("-")[:60]
        url = f"https://{site.host}/{when:%Y/%m/%d}/{slug}-{self.seed}-{number}"
        paragraphs = [self._lead(rng, event), *self._body(rng)]
        target = _target_bytes(rng)
        markup = _render(rng, self.corpus, site, event, url, when, paragraphs, target)
        while len(markup.encode("utf-8")) > MAX_BYTES:  # a large last filler item overshot
            target -= len(markup.encode("utf-8")) - MAX_BYTES + 4096
            markup = _render(rng, self.corpus, site, event, url, when, paragraphs, target)
        return Page(number, site, url, event.headline, paragraphs[0], when, markup,
                    "\n".join(paragraphs))

    def pages(self, start: int, count: int, published: datetime | None = None) -> list[Page]:
        return [self.page(n, published) for n in range(start, start + count)]

    def _lead(self, rng: random.Random, event: Event) -> str:
        where = ", ".join(p for p in (event.place, event.region) if p)
        lead = f"{where.upper()}, {event.country} — {event.headline}."
        if event.deaths:
            toll = "one person was" if event.deaths == 1 else f"{event.deaths} people were"
            lead += f" At least {toll} killed, {event.reported_by} said."
        others = [e for e in rng.sample(self.corpus.events, 6) if e.country == event.country]
        return " ".join([lead, *(f"{e.headline}." for e in others[:2])])

    def _body(self, rng: random.Random) -> list[str]:
        paragraphs: list[str] = []
        for _ in range(rng.randint(4, 14)):
            document = rng.choice(self.corpus.documents)
            length = min(rng.randint(2, 5), len(document))
            start = rng.randrange(0, len(document) - length + 1)
            paragraphs.append(" ".join(document[start : start + length]))
        return paragraphs


def _target_bytes(rng: random.Random) -> int:
    size = math.exp(rng.gauss(math.log(MEDIAN_BYTES), SIZE_SIGMA))
    # Room below the upper bound for the last filler item to overshoot.
    return int(min(max(size, MIN_BYTES), MAX_BYTES - 4096))


def _render(
    rng: random.Random, corpus: Corpus, site: Site, event: Event, url: str, when: datetime,
    paragraphs: list[str], target: int,
) -> str:
    head = _head(rng, site, event, url, when, paragraphs[0])
    article = _article(rng, corpus, site, event, when, paragraphs)
    banner, footer, scripts = _banner(site), _footer(site), _trailing_scripts(rng, site)
    comments = _comments(rng, corpus) if site.comments else ""
    fixed = (head, article, banner, footer, scripts, comments)
    left = max(0, target - sum(len(part) for part in fixed))
    shares = FILL_SHARES[site.kind]
    menu = _menu(rng, site, int(left * shares["menu"]))
    teasers = _teasers(rng, corpus, site, when, int(left * shares["teasers"]))
    state = _state_blob(rng, corpus, site, url, int(left * shares["state"]))
    body = (
        f'<body class="{site.kind} article-page">{banner}<header class="site-header">'
        f'<a class="logo" href="/">{html.escape(site.name)}</a>{menu}</header>'
        f'<main id="main">{article}{comments}</main><aside class="related">{teasers}</aside>'
        f"{footer}{state}{scripts}</body>"
    )
    return f'<!DOCTYPE html>\n<html lang="en">{head}{body}</html>\n'


def _head(
    rng: random.Random, site: Site, event: Event, url: str, when: datetime, summary: str
) -> str:
    title = html.escape(event.headline)
    description = html.escape(summary[:200])
    ld = json.dumps({
        "@context": "https://schema.org", "@type": "NewsArticle", "headline": event.headline,
        "datePublished": when.isoformat(), "author": {"@type": "Organization", "name": site.name},
        "publisher": {"@type": "Organization", "name": site.name}, "mainEntityOfPage": url,
    })
    rules = "".join(
        f".c{i}{{margin:{i % 7}px {i % 5}px;padding:{i % 3}em;color:#{rng.randrange(16**6):06x};"
        f"font:{12 + i % 6}px/1.{i % 9} Georgia,serif}}"
        for i in range(rng.randint(40, 200))
    )
    return (
        f'<head><meta charset="utf-8"><title>{title} | {html.escape(site.name)}</title>'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta name="description" content="{description}">'
        f'<meta property="og:type" content="article"><meta property="og:title" content="{title}">'
        f'<meta property="og:site_name" content="{html.escape(site.name)}">'
        f'<meta property="og:url" content="{url}">'
        f'<meta property="article:published_time" content="{when.isoformat()}">'
        f'<link rel="canonical" href="{url}"><link rel="stylesheet" href="/static/site.css">'
        f'<script type="application/ld+json">{ld}</script><style>{rules}</style>'
        '<script async src="/static/analytics.js"></script></head>'
    )


def _banner(site: Site) -> str:
    return (
        '<a class="skip" href="#main">Skip to main content</a><div class="cookie-banner">'
        f"<p>{html.escape(site.name)} uses cookies to improve your experience and to show "
        "relevant advertising.</p><button>Accept all cookies</button><button>Manage choices"
        "</button></div>"
    )


def _article(
    rng: random.Random, corpus: Corpus, site: Site, event: Event, when: datetime,
    paragraphs: list[str],
) -> str:
    parts: list[str] = []
    for index, paragraph in enumerate(paragraphs):
        parts.append(f"<p>{html.escape(paragraph)}</p>")
        if index == 1:
            parts.append('<div class="ad-slot" data-slot="mid-1"><p>Advertisement</p></div>')
        if index == 3:
            other = rng.choice(corpus.events).headline
            parts.append(f'<p class="read-more"><a href="/news/{rng.randrange(10**6)}">'
                         f"Read more: {html.escape(other)}</a></p>")
        if index == 4:
            parts.append('<aside class="newsletter"><p>Sign up for our newsletter</p><p>The day\'s '
                         "top stories in your inbox every morning.</p><form><input type=email "
                         'placeholder="Enter your email"><button>Sign up</button></form></aside>')
    figure = html.escape(rng.choice(rng.choice(corpus.documents)))
    return (
        f'<article class="story"><nav class="breadcrumb"><a href="/">Home</a> / '
        f'<a href="/world">World</a> / <a href="/world/{event.country.lower().replace(" ", "-")}">'
        f'{html.escape(event.country)}</a></nav><h1>{html.escape(event.headline)}</h1>'
        f'<p class="byline">By {html.escape(site.name)} staff · <time datetime="{when.isoformat()}">'
        f"{when:%d %B %Y, %H:%M} UTC</time></p><figure><img src=\"/img/{rng.randrange(10**8)}.jpg\" "
        f'alt=""><figcaption>{figure}</figcaption></figure><div class="article-body">'
        + "".join(parts)
        + '</div><div class="share"><a href="#">Share</a> | <a href="#">Tweet</a> | '
        '<a href="#">Email</a> | <a href="#">Print</a></div><ul class="tags">'
        + "".join(f'<li><a href="/topic/{s.lower()}">{s}</a></li>' for s in rng.sample(SECTIONS, 4))
        + "</ul></article>"
    )


def _fill(budget: int, item: Callable[[int], str]) -> Iterator[str]:
    """Items ``item(0), item(1), ...`` until they add up to ``budget`` characters."""
    used = index = 0
    while used < budget:
        piece = item(index)
        used += len(piece)
        index += 1
        yield piece


def _menu(rng: random.Random, site: Site, budget: int) -> str:
    def section(index: int) -> str:
        name = SECTIONS[index % len(SECTIONS)]
        slug = name.lower().replace(" ", "-")
        links = "".join(
            f'<li><a href="/{slug}/{rng.randrange(10**4)}">{name} {k + 1}</a></li>'
            for k in range(rng.randint(4, 12))
        )
        return f'<li class="menu-section"><a href="/{slug}">{name}</a><ul>{links}</ul></li>'

    items = "".join(_fill(max(budget, 600), section))
    return f'<nav class="main-menu" aria-label="Sections"><ul>{items}</ul></nav>'


def _teasers(
    rng: random.Random, corpus: Corpus, site: Site, when: datetime, budget: int
) -> str:
    def teaser(index: int) -> str:
        event = rng.choice(corpus.events)
        blurb = html.escape(rng.choice(rng.choice(corpus.documents)))
        day = when - timedelta(hours=rng.randint(1, 400))
        return (
            f'<li class="teaser"><a href="/{day:%Y/%m/%d}/story-{rng.randrange(10**7)}">'
            f'<img src="/img/t{rng.randrange(10**7)}.jpg" alt="" loading="lazy">'
            f"<h3>{html.escape(event.headline)}</h3></a><p>{blurb}</p>"
            f'<time datetime="{day.isoformat()}">{day:%d %b}</time></li>'
        )

    items = "".join(_fill(max(budget, 1500), teaser))
    return f"<h2>Related stories</h2><ul>{items}</ul><h2>Most read</h2>"


def _state_blob(rng: random.Random, corpus: Corpus, site: Site, url: str, budget: int) -> str:
    def entry(index: int) -> str:
        event = rng.choice(corpus.events)
        return json.dumps({
            "id": rng.randrange(10**9), "headline": event.headline, "url": f"{url}#{index}",
            "section": rng.choice(SECTIONS), "image": {"src": f"/img/{rng.randrange(10**8)}.jpg",
                                                      "width": 1200, "height": 675},
            "ad": {"slot": f"ad-{index % 9}", "targeting": ["news", event.country.lower()]},
        }) + ","

    entries = "".join(_fill(max(budget, 500), entry)).rstrip(",")
    return (
        f'<script id="__STATE__" type="application/json">{{"site":"{site.host}",'
        f'"page":{{"url":"{url}"}},"items":[{entries}]}}</script>'
    )


def _comments(rng: random.Random, corpus: Corpus) -> str:
    items = "".join(
        f'<li class="comment"><b>reader{rng.randrange(10**5)}</b>'
        f"<p>{html.escape(rng.choice(rng.choice(corpus.documents)))}</p></li>"
        for _ in range(rng.randint(3, 25))
    )
    return f'<section id="comments"><h2>Comments</h2><ol>{items}</ol></section>'


def _footer(site: Site) -> str:
    columns = "".join(
        f"<ul><li><b>{s}</b></li>"
        + "".join(f'<li><a href="/{s.lower()}/{k}">{s} {k}</a></li>' for k in range(8))
        + "</ul>"
        for s in SECTIONS[:8]
    )
    return (
        f'<footer class="site-footer">{columns}<p>About us · Contact · Careers · Advertise · '
        f"Privacy policy · Cookie settings · Terms of use</p><p>© 2026 {html.escape(site.name)}. "
        "All rights reserved.</p></footer>"
    )


def _trailing_scripts(rng: random.Random, site: Site) -> str:
    slots = ",".join(f'{{"id":"ad-{i}","sizes":[[300,250],[728,90]]}}' for i in range(9))
    return (
        f'<script>window.dataLayer=window.dataLayer||[];dataLayer.push({{"site":"{site.host}",'
        f'"build":"{rng.randrange(16**8):08x}"}});window.adSlots=[{slots}];</script>'
        '<script src="/static/app.js" defer></script>'
    )


def raw_envelope(page: Page, first_seen: datetime) -> Envelope:
    """The page as a connector publishes it: the fetched page and its feed entry."""
    feed_url = f"https://{page.site.host}/feed.xml"
    return Envelope(
        id=article_id(page.url),
        url=page.url,
        source=feed_url,
        first_seen=first_seen,
        feed=FeedEntry(
            feed_url=feed_url, entry_id=article_id(page.url), title=page.title,
            summary=page.summary[:300], published=page.published,
        ),
        raw=RawContent(
            body=page.html, content_type="text/html; charset=utf-8", http_status=200,
            final_url=page.url,
        ),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="write benchmark pages to a folder")
    parser.add_argument("--count", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    generator = PageGenerator(args.seed)
    for page in generator.pages(0, args.count):
        (args.out / f"page-{page.number:05d}.html").write_text(page.html, encoding="utf-8")
    print(f"{args.count} pages in {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
