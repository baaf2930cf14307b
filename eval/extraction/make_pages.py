"""Build the evaluation pages: real article texts inside three realistic news-site templates.

Each template reproduces what trafilatura has to get past on real news sites: navigation,
a cookie banner, a "Skip to main content" link, and, inside the article container, a newsletter
box, share buttons, a "related stories" list and a publisher blurb. The reference text of a page
is the article body it was built from. Run ``python eval/extraction/make_pages.py`` to rebuild
``pages/``.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

HERE = Path(__file__).parent
ARTICLES = HERE.parent.parent / "tests" / "fixtures" / "articles"

SITES = {
    "harbourgazette.example": {
        "name": "The Harbour Gazette",
        "inside": [
            '<aside class="newsletter"><p>Get the Morning Briefing: the day\'s top stories in '
            "your inbox every weekday.</p><form><input type=email></form></aside>",
        ],
        "after": [
            "<p>The Harbour Gazette is an independent, reader-funded newsroom since 1921. "
            "Support our journalism today.</p>",
            '<div class="share">Share | Tweet | Email</div>',
        ],
    },
    "dailyledger.example": {
        "name": "Daily Ledger",
        "inside": [
            "<p><strong>Sign up for our newsletter</strong></p>",
            "<p>Daily Ledger journalists verify every story. Found an error? Write to "
            "corrections@dailyledger.example.</p>",
        ],
        "after": [
            "<p>© 2024 Daily Ledger Media Group. All rights reserved.</p>",
            '<p class="related">Related stories: Council budget vote delayed again · '
            "Weather warning for the weekend · Transport strike called off</p>",
        ],
    },
    "metrowire.example": {
        "name": "MetroWire",
        "inside": [
            "<p>Advertisement</p>",
            "<p>MetroWire is free to read. Become a member to keep it that way and get "
            "ad-free access to every story.</p>",
        ],
        "after": [
            "<p>Follow MetroWire on social media for breaking news alerts around the clock.</p>",
        ],
    },
}


def page(site: str, slug: str, title: str, dateline: str, paragraphs: list[str]) -> str:
    spec = SITES[site]
    inside = spec["inside"]
    body: list[str] = []
    for index, paragraph in enumerate(paragraphs):
        body.append(f"<p>{html.escape(paragraph)}</p>")
        if index == 0:
            body.extend(inside[:1])
    body.extend(inside[1:])
    body.extend(spec["after"])
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>{html.escape(title)} | {spec["name"]}</title>
<meta property="og:type" content="article">
<meta property="og:site_name" content="{spec["name"]}">
<meta property="og:title" content="{html.escape(title)}">
<link rel="canonical" href="https://{site}/news/{slug}">
</head><body>
<a href="#main" class="skip">Skip to main content</a>
<div class="cookie">We use cookies to improve your experience. <button>Accept all cookies</button></div>
<header><nav><ul><li><a href="/">Home</a></li><li><a href="/news">News</a></li>
<li><a href="/sport">Sport</a></li><li><a href="/opinion">Opinion</a></li></ul></nav></header>
<main id="main"><article>
<h1>{html.escape(title)}</h1>
<p class="byline">By Staff Reporter · {html.escape(dateline)}</p>
<div class="article-body">
{chr(10).join(body)}
</div></article></main>
<footer><p>About us · Contact · Privacy policy · Terms</p>
<p>{spec["name"]} — news you can trust.</p></footer>
</body></html>
"""


def main() -> None:
    out = HERE / "pages"
    out.mkdir(exist_ok=True)
    index = []
    for site in SITES:
        for source in sorted(ARTICLES.glob("*.txt")):
            lines = source.read_text(encoding="utf-8").strip().split("\n")
            title, dateline = lines[0], lines[1]
            paragraphs = [p for p in "\n".join(lines[2:]).split("\n") if p.strip()]
            name = f"{site.split('.')[0]}-{source.stem}"
            (out / f"{name}.html").write_text(
                page(site, source.stem, title, dateline, paragraphs), encoding="utf-8"
            )
            (out / f"{name}.txt").write_text("\n".join(paragraphs) + "\n", encoding="utf-8")
            index.append({"page": f"{name}.html", "reference": f"{name}.txt",
                          "url": f"https://{site}/news/{source.stem}", "site": site})
    (out / "index.json").write_text(json.dumps(index, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
