"""trafilatura with a time budget, bounded input and periodic cache resets.

A pathological page (huge, deeply nested, adversarial) must not stall a partition. The budget is
enforced with a real-time interval timer (``SIGALRM``) when extraction runs in the main thread,
which is how the stage runner calls stages: the handler raises :class:`ExtractionTimeout` at the
next Python bytecode, abandoning the page. In other threads, where signals cannot be used, the
input-size cap is the only guard. Either way the caller marks the page instead
of dropping it.

trafilatura runs in fast mode (no comparison with its fallback extractors). On some portals that
keeps a whole navigation menu as the body; output whose lines are mostly short link texts of the
page is re-extracted without fast mode (``menu_like``).

The page is parsed once, with trafilatura's own loader (the parse ``trafilatura.extract`` would
do): trafilatura extracts from a copy of that tree, and htmldate, when the head states no
publication date, reads the untouched tree (it copies it too) instead of parsing the page again.
trafilatura's options are built once per extractor (building them reads its configuration file
each time) and copied per page with the page's URL.

trafilatura and htmldate keep LRU caches that grow by about 1 MB per page in long runs; they are
reset every ``reset_every`` documents.
"""

from __future__ import annotations

import contextlib
import copy
import re
import signal
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from types import FrameType
from typing import Any

import lxml.html
import trafilatura
from lxml.etree import ParserError
from lxml.html import HtmlElement
from trafilatura.meta import reset_caches
from trafilatura.settings import Extractor as ExtractionOptions
from trafilatura.utils import load_html

from pipeline.cleaning import dates, metadata

MAX_INPUT_CHARS = 5_000_000
# Menu-like output: at least this many lines, and at least this share of them link texts of at
# most this many words.
MENU_MIN_LINES = 10
MENU_MAX_WORDS = 5
MENU_SHARE = 0.6


class ExtractionTimeout(Exception):
    """The page took longer than its budget and was abandoned."""


@dataclass(frozen=True)
class Extracted:
    text: str
    title: str | None = None
    authors: tuple[str, ...] = ()
    site_name: str | None = None
    url: str | None = None
    language: str | None = None
    date: str | None = None
    date_searched: str | None = None  # htmldate's extensive search, when nothing else gave one
    modified: str | None = None
    page_type: str | None = None
    hostname: str | None = None


@contextlib.contextmanager
def time_budget(seconds: float) -> Iterator[None]:
    """Raise ExtractionTimeout inside the block after ``seconds`` (main thread only)."""
    if seconds <= 0 or threading.current_thread() is not threading.main_thread():
        yield
        return

    def on_alarm(signum: int, frame: FrameType | None) -> None:
        raise ExtractionTimeout(f"extraction exceeded {seconds:.1f}s")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


class Extractor:
    """Stateless apart from the cache-reset counter; one per worker."""

    def __init__(self, budget_s: float = 10.0, reset_every: int = 500) -> None:
        self.budget_s = budget_s
        self.reset_every = reset_every
        self._since_reset = 0
        self._options = ExtractionOptions(
            output_format="python", fast=True, comments=False, tables=True, with_metadata=False
        )

    def extract_html(self, html: str, url: str | None) -> Extracted:
        """Main text and metadata of an HTML page. Raises ExtractionTimeout."""
        self._count()
        html = html[:MAX_INPUT_CHARS]
        with time_budget(self.budget_s):
            head = metadata.read(html)
            options = copy.copy(self._options)
            options.url = url
            options.source = url and url.encode("utf-8", "replace").decode("utf-8")
            tree = load_html(html, options.max_file_size)
            text = _body_text(tree, options) if tree is not None else ""
            published, searched = _page_dates(head, tree, url)
        return Extracted(
            text=text,
            title=head.title,
            authors=head.authors,
            site_name=head.site_name,
            url=head.canonical_url,
            language=head.language,
            date=published,
            date_searched=searched,
            modified=head.modified,
            page_type=head.page_type,
        )

    def _count(self) -> None:
        self._since_reset += 1
        if self.reset_every and self._since_reset >= self.reset_every:
            reset_caches()
            self._since_reset = 0


def _run_trafilatura(tree: HtmlElement, options: ExtractionOptions) -> str:
    # trafilatura works on its own copy: ``tree`` stays intact for htmldate and a second run.
    document = trafilatura.bare_extraction(tree, options=options)
    if document is None:
        return ""
    data: dict[str, Any] = document.as_dict()  # type: ignore[union-attr]
    return str(data.get("text") or "")


def _body_text(tree: HtmlElement, options: ExtractionOptions) -> str:
    """The main text in fast mode; when that is a navigation menu (see :func:`menu_like`), the
    text of a second run without fast mode (trafilatura's comparison with its fallback
    extractors), if that one is not a menu too."""
    text = _run_trafilatura(tree, options)
    if not text or not menu_like(text, tree):
        return text
    thorough = copy.copy(options)
    thorough.fast = False
    again = _run_trafilatura(tree, thorough)
    return again if again and not menu_like(again, tree) else text


def _lines(text: str) -> list[str]:
    return [" ".join(line.split()).casefold() for line in text.split("\n") if line.strip()]


def menu_like(text: str, tree: HtmlElement) -> bool:
    """True when most lines of ``text`` are very short and are the text of a link in the page:
    a navigation menu or a list of section links kept as the body."""
    lines = _lines(text)
    if len(lines) < MENU_MIN_LINES:
        return False
    short = [line for line in lines if len(line.split()) <= MENU_MAX_WORDS]
    if len(short) < MENU_SHARE * len(lines):
        return False
    links = {" ".join(a.text_content().split()).casefold() for a in tree.iter("a")}
    return sum(1 for line in short if line in links) >= MENU_SHARE * len(lines)


def _page_dates(
    head: metadata.PageMetadata, tree: HtmlElement | None, url: str | None
) -> tuple[str | None, str | None]:
    """(published, searched): the head's publication date when it parses (in whatever form it is
    written); else htmldate's reading of the page; else, only then, htmldate's extensive search
    (dates in free text, less trusted: ``searched``)."""
    if head.published is not None and dates.parse_timestamp(head.published) is not None:
        return head.published, None
    if tree is None:
        return None, None
    found = metadata.htmldate_published(tree, url)
    if found is not None:
        return found, None
    return None, metadata.htmldate_published(tree, url, extensive=True)


_BLOCK_END = re.compile(r"(</(?:p|div|li|h[1-6]|blockquote|tr|pre)>|<br\s*/?>)", re.IGNORECASE)


def html_fragment_text(fragment: str) -> str:
    """Text of an HTML snippet (a feed's content or summary), one line per block element."""
    try:
        root = lxml.html.fragment_fromstring(fragment[:MAX_INPUT_CHARS], create_parent="div")
    except (ParserError, ValueError):
        return fragment
    for bad in root.xpath("//script|//style|//noscript"):
        bad.drop_tree()
    marked = _BLOCK_END.sub(r"\1\n", lxml.html.tostring(root, encoding="unicode"))
    text: str = lxml.html.fromstring(marked).text_content()
    return text


def looks_like_html(body: str, content_type: str | None) -> bool:
    if content_type:
        lowered = content_type.lower()
        if "html" in lowered or "xml" in lowered:
            return True
        if lowered.startswith("text/plain"):
            return False
    head = body[:2000].lstrip().lower()
    return head.startswith(("<!doctype", "<html", "<?xml")) or (
        "<p>" in head or "<div" in head or "<body" in head
    )


def is_full_page(body: str) -> bool:
    head = body[:5000].lower()
    return "<html" in head or "<body" in head or "<!doctype" in head
