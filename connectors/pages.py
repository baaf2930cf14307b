"""Fetching an article page politely: robots.txt, the per-host gate, the guarded fetcher, an
HTML content-type check and charset detection. Never raises: a failure is a reason."""

from __future__ import annotations

from dataclasses import dataclass

from connectors.charsets import decode_html
from connectors.clock import Clock
from connectors.fetch import FetchError, HttpGet, Response
from connectors.politeness import HostGate, RobotsCache
from pipeline.envelope import RawContent
from pipeline.settings import FetchSettings

HTML_ACCEPT = "text/html,application/xhtml+xml;q=0.9,text/plain;q=0.5"


@dataclass(frozen=True)
class PageResult:
    url: str
    raw: RawContent | None = None
    reason: str | None = None
    detail: str = ""
    http_status: int | None = None


class PageFetcher:
    def __init__(self, fetcher: HttpGet, settings: FetchSettings, clock: Clock) -> None:
        self.fetcher = fetcher
        self.settings = settings
        self.gate = HostGate(clock, settings.per_host_concurrency)
        self.robots = RobotsCache(fetcher, settings, clock, self.gate)

    def fetch_raw(
        self, url: str, accept: tuple[str, ...], accept_header: str, max_bytes: int | None = None
    ) -> Response | PageResult:
        """The response to a polite GET of ``url``, or a PageResult saying why there is none."""
        refused = self.robots.check(url)
        if refused is not None:
            return PageResult(url, reason=refused)
        try:
            with self.gate.slot(url, self.robots.delay_for(url)):
                response = self.fetcher.get(
                    url, {"Accept": accept_header}, accept=accept, max_bytes=max_bytes
                )
        except FetchError as exc:
            return PageResult(url, reason=exc.reason, detail=exc.detail)
        if response.status != 200:
            return PageResult(url, reason=f"http-{response.status}", http_status=response.status)
        return response

    def fetch(self, url: str) -> PageResult:
        """An article page, decoded to text, or the reason it could not be had."""
        response = self.fetch_raw(url, self.settings.page_content_types, HTML_ACCEPT)
        if isinstance(response, PageResult):
            return response
        content_type = response.header("content-type")
        decoded = decode_html(response.body, content_type)
        raw = RawContent(
            body=decoded.text,
            content_type=content_type,
            http_status=response.status,
            final_url=response.url,
            body_source="page",
        )
        return PageResult(url, raw=raw, http_status=response.status)
