from __future__ import annotations

from datetime import UTC, datetime

from pipeline.envelope import Envelope, RawContent, encode
from pipeline.stages.clean import CleanStage

PARAGRAPH = (
    "<p>Clashes between government forces and separatist fighters in the port city killed seven "
    "people on Sunday, security officials said, and fifteen others were injured.</p>"
)


def test_the_cleaned_record_carries_the_text_not_the_page() -> None:
    padding = "<div class='ad'>" + "x" * 900_000 + "</div>"
    html = f"<html><body>{padding}<article><h1>Clashes</h1>{PARAGRAPH * 4}</article></body></html>"
    raw = Envelope(
        id="a1", url="https://news.example/a1", source="test",
        first_seen=datetime(2026, 11, 22, 12, tzinfo=UTC),
        raw=RawContent(body=html, content_type="text/html", http_status=200),
    )
    [cleaned] = CleanStage().process(raw)
    assert cleaned.raw.body is None
    assert cleaned.raw.http_status == 200 and cleaned.raw.content_type == "text/html"
    assert cleaned.cleaned is not None and "separatist fighters" in cleaned.cleaned.text
    assert len(encode(cleaned)) < 10_000 < len(encode(raw))
