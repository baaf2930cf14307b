"""Which stage is slowest: clean, deduplicate and tag, each as a pure function over the same
articles in the same run (no Kafka, no Elasticsearch; in-memory state for dedup and tag).

The articles are the extraction-quality pages (real article text in site templates), repeated
with distinct URLs, in two sizes: as they are (about 2.5 KB of HTML each), and padded with the
page furniture of a real news site (menus, inline scripts and data, related-article lists, a
comment thread) to about 115 KB, the median size of real news pages. The clean stage's cost
follows the size of the HTML, the other stages' the size of the article text, so both sizes are
reported. Reported: documents per second per stage, the slowest stage, and the tag stage's
resident-memory growth.
"""

from __future__ import annotations

import json
import resource
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pipeline.envelope import Envelope, RawContent, article_id

PAGES = Path(__file__).resolve().parents[1] / "eval" / "extraction" / "pages"


def _furniture(target_bytes: int) -> tuple[str, str]:
    """Markup before and after the article that a real news page carries."""
    menu = "".join(
        f'<li><a href="/section/{i}/topic-{i * 7 % 97}">Section {i} topic {i * 7 % 97}</a></li>'
        for i in range(400)
    )
    script = "<script>window.__DATA__ = " + ",".join(
        f'{{"id":{i},"slot":"ad-{i % 9}","targeting":{{"kw":["news","world","region-{i % 13}"]}}}}'
        for i in range(300)
    ) + ";</script>"
    related = "".join(
        f'<li class="related"><a href="/2026/11/{i}/story-{i}"><img src="/img/{i}.jpg" alt="">'
        f"<span>Related story number {i} about events in the region</span></a></li>"
        for i in range(150)
    )
    comments = "".join(
        f'<div class="comment"><b>reader{i}</b><p>Comment {i}: I read this and have thoughts '
        "about it that I would like to share with everyone here.</p></div>"
        for i in range(120)
    )
    before = f"<nav><ul>{menu}</ul></nav>{script}"
    after = f'<aside><ul>{related}</ul></aside><section id="comments">{comments}</section>'
    filler_needed = max(0, target_bytes - len(before) - len(after))
    after += "<footer>" + ("<p>Site information and legal notices.</p>" * (filler_needed // 40)) + "</footer>"
    return before, after


def _padded(html: str, before: str, after: str) -> str:
    html = html.replace("<body>", "<body>" + before, 1)
    return html.replace("</body>", after + "</body>", 1)


def _raw_envelopes(copies: int, pad_to: int = 0) -> list[Envelope]:
    index = json.loads((PAGES / "index.json").read_text(encoding="utf-8"))
    start = datetime(2026, 11, 1, tzinfo=UTC)
    before, after = _furniture(pad_to) if pad_to else ("", "")
    envelopes = []
    for copy in range(copies):
        for n, entry in enumerate(index):
            url = f"{entry['url']}?copy={copy}"
            envelopes.append(
                Envelope(
                    id=article_id(url), url=url, source="bench",
                    first_seen=start + timedelta(minutes=copy * len(index) + n),
                    raw=RawContent(
                        body=_padded(
                            (PAGES / entry["page"]).read_text(encoding="utf-8"), before, after
                        ),
                        content_type="text/html", final_url=url,
                    ),
                )
            )
    return envelopes


def _rss_mib() -> float:
    """Resident memory now (not the peak), from /proc."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * resource.getpagesize() / 2**20


def _measure(raw: list[Envelope]) -> dict[str, object]:
    from pipeline.stages.clean import CleanStage
    from pipeline.stages.deduplicate import DeduplicateStage
    from pipeline.stages.tag import TagStage

    rates: dict[str, float] = {}
    clean = CleanStage()
    started = time.perf_counter()
    cleaned = [out for env in raw for out in clean.process(env)]
    rates["clean"] = len(raw) / (time.perf_counter() - started)

    dedup = DeduplicateStage()
    started = time.perf_counter()
    deduplicated = [out for env in cleaned for out in dedup.process(env)]
    dedup.after_batch_written()
    rates["deduplicate"] = len(cleaned) / (time.perf_counter() - started)

    rss_before = _rss_mib()
    tag = TagStage()
    tag.process(deduplicated[0])  # loading gazetteers and patterns happens once per process
    started = time.perf_counter()
    tagged = [out for env in deduplicated for out in tag.process(env)]
    tag.after_batch_written()
    rates["tag"] = len(deduplicated) / (time.perf_counter() - started)
    assert len(tagged) == len(raw)

    results: dict[str, object] = {
        "documents": len(raw),
        "html_kib_per_page": round(sum(len(e.raw.body or "") for e in raw) / len(raw) / 1024, 1),
    }
    for name, rate in rates.items():
        results[f"{name}_docs_per_s"] = round(rate, 1)
    slowest = min(rates, key=lambda name: rates[name])
    results["slowest_stage"] = slowest
    results["tag_rate_relative_to_clean"] = round(rates["tag"] / rates["clean"], 2)
    results["tag_rss_growth_mib"] = round(_rss_mib() - rss_before, 1)
    return results


def run(copies: int = 20) -> dict[str, object]:
    return {
        "short_pages": _measure(_raw_envelopes(copies)),
        "news_sized_pages": _measure(_raw_envelopes(copies, pad_to=115 * 1024)),
    }
