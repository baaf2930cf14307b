"""The Elasticsearch output against an in-memory node: ids, monthly indices, per-item retries,
413 splits, dead-lettered items, waiting for as long as it takes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from pipeline.errors import RetriableError
from pipeline.index import ElasticsearchOutput, article_document, incident_document
from pipeline.runner import StageRunner
from pipeline.settings import ElasticsearchSettings, RunnerSettings
from pipeline.stages.passthrough import Identity
from tests.unit.es_fakes import FakeCluster, fake_client, incident, query_of, tagged
from tests.unit.fakes import CountingKeepalive, FakeDeadLetters, FakeSource, record


def es_settings(**overrides: Any) -> ElasticsearchSettings:
    return ElasticsearchSettings(index_prefix="news", **overrides)


class Sleeps:
    def __init__(self) -> None:
        self.delays: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


def output(
    cluster: FakeCluster, sleeps: Sleeps | None = None, **overrides: Any
) -> ElasticsearchOutput:
    return ElasticsearchOutput(
        fake_client(cluster), es_settings(**overrides), sleep=sleeps or Sleeps()
    )


def test_documents_get_deterministic_ids_and_monthly_indices() -> None:
    cluster = FakeCluster()
    report = output(cluster).write(
        [tagged(1, (incident("inc-1", date="2026-10-30"),)), tagged(2)]
    )
    assert report.permanent == {} and report.retriable == {}
    assert cluster.index_of("article-0001") == ["news-articles-2026.11"]
    assert cluster.index_of("article-0002") == ["news-articles-2026.11"]
    assert cluster.index_of("inc-1") == ["news-events-2026.10"]
    article = cluster.docs[("news-articles-2026.11", "article-0001")]
    assert article["incident_ids"] == ["inc-1"] and article["title"] == "Story 1"


def test_a_replay_overwrites_instead_of_adding() -> None:
    cluster = FakeCluster()
    batch = [tagged(n, (incident(f"inc-{n % 3}"),)) for n in range(10)]
    out = output(cluster)
    out.write(batch)
    out.write(batch)
    assert len(cluster.ids("news-articles")) == 10
    assert cluster.ids("news-events") == ["inc-0", "inc-1", "inc-2"]


def test_only_the_failed_items_are_sent_again() -> None:
    cluster = FakeCluster(item_statuses={"article-0003": [429, 503]})
    sleeps = Sleeps()
    report = output(cluster, sleeps).write([tagged(n) for n in range(6)])
    assert report.permanent == {} and report.retriable == {}
    assert cluster.bulk_ids() == [
        [f"article-{n:04d}" for n in range(6)],
        ["article-0003"],
        ["article-0003"],
    ]
    assert len(sleeps.delays) == 2
    assert len(cluster.ids("news-articles")) == 6
    assert out_stats(cluster, sleeps) == {}  # a fresh output has retried nothing


def out_stats(cluster: FakeCluster, sleeps: Sleeps) -> dict[str, int]:
    return output(cluster, sleeps).retried_by_status


def test_retried_actions_are_counted_by_status() -> None:
    cluster = FakeCluster(item_statuses={"article-0003": [429, 503]}, down_for=1)
    out = output(cluster, Sleeps())
    out.write([tagged(n) for n in range(4)])
    # The first request fails before the bulk (the template check), for all four articles.
    assert out.retried_by_status == {"connection": 4, "429": 1, "503": 1}


def test_connection_errors_are_retried_for_as_long_as_it_takes_with_capped_jittered_backoff() -> (
    None
):
    cluster = FakeCluster(down_for=12)
    sleeps = Sleeps()
    keepalive = CountingKeepalive()
    out = output(cluster, sleeps, retry_initial_backoff_s=1.0, retry_max_backoff_s=64.0)
    out.keepalive = keepalive
    report = out.write([tagged(n) for n in range(3)])
    assert report.permanent == {} and report.retriable == {}
    assert len(cluster.ids("news-articles")) == 3
    assert len(sleeps.delays) == 12
    for attempt, delay in enumerate(sleeps.delays, start=1):
        ceiling = min(64.0, 2.0 ** (attempt - 1))
        assert ceiling / 2 <= delay <= ceiling
    assert max(sleeps.delays) > 32  # the ceiling was reached
    assert keepalive.ticks == 12 and keepalive.releases == 1


@pytest.mark.parametrize("status", [429, 502, 503, 504, 401])
def test_retriable_request_statuses_are_retried(status: int) -> None:
    cluster = FakeCluster(request_statuses=[status, status])
    report = output(cluster).write([tagged(1), tagged(2)])
    assert report.permanent == {} and report.retriable == {}
    assert cluster.ids("news-articles") == ["article-0001", "article-0002"]


def test_a_mapping_conflict_is_permanent_for_its_envelope_only() -> None:
    cluster = FakeCluster()
    batch = [tagged(n) for n in range(5)]
    batch[2] = tagged(2, (incident("inc-bad", fatalities="dozens"),))
    report = output(cluster).write(batch)
    assert list(report.permanent) == [2]
    assert "inc-bad rejected: 400" in str(report.permanent[2])
    assert report.retriable == {}
    assert len(cluster.ids("news-articles")) == 5
    assert cluster.ids("news-events") == []


def test_a_413_splits_the_request_and_shrinks_later_requests() -> None:
    text = "word " * 400  # about 2 kB per article
    cluster = FakeCluster(max_content_length=9_000)
    sleeps = Sleeps()
    out = output(cluster, sleeps)
    report = out.write([tagged(n, text=text) for n in range(16)])
    assert report.permanent == {} and report.retriable == {}
    assert len(cluster.ids("news-articles")) == 16
    assert out.stats["splits"] >= 2 and sleeps.delays == []
    accepted = [len(body) for _, target, body in cluster.requests if target.startswith("/_bulk")]
    assert accepted[0] > 9_000
    # The next batch is cut below the limit at once: no 413 this time.
    before = out.stats["splits"]
    out.write([tagged(n, text=text) for n in range(16, 32)])
    assert out.stats["splits"] == before
    assert len(cluster.ids("news-articles")) == 32


def test_a_single_document_over_the_request_limit_is_permanent_and_the_rest_goes_on() -> None:
    cluster = FakeCluster(max_content_length=5_000)
    batch = [tagged(n) for n in range(4)]
    batch[1] = tagged(1, text="long " * 2_000)
    report = output(cluster).write(batch)
    assert list(report.permanent) == [1]
    assert "http.max_content_length" in str(report.permanent[1])
    assert cluster.ids("news-articles") == ["article-0000", "article-0002", "article-0003"]


def test_a_document_over_max_document_bytes_is_never_sent() -> None:
    cluster = FakeCluster()
    batch = [tagged(0), tagged(1, text="long " * 2_000)]
    report = output(cluster, max_document_bytes=4_000).write(batch)
    assert list(report.permanent) == [1] and "exceeds the 4000-byte limit" in str(
        report.permanent[1]
    )
    assert cluster.bulk_ids() == [["article-0000"]]


def test_requests_are_bounded_by_count_and_by_bytes() -> None:
    cluster = FakeCluster()
    output(cluster, bulk_max_docs=4).write([tagged(n) for n in range(10)])
    assert [len(ids) for ids in cluster.bulk_ids()] == [4, 4, 2]

    cluster = FakeCluster()
    text = "word " * 200  # about 1 kB
    output(cluster, bulk_max_bytes=3_500).write([tagged(n, text=text) for n in range(6)])
    sizes = [len(body) for _, target, body in cluster.requests if target.startswith("/_bulk")]
    assert len(sizes) == 3 and all(size <= 3_500 for size in sizes)


def test_cancel_stops_the_wait_without_acknowledging() -> None:
    cluster = FakeCluster(down_for=1_000)
    out = output(cluster)
    calls = 0

    def sleep(_: float) -> None:
        nonlocal calls
        calls += 1
        if calls == 3:
            out.cancel()

    out._sleep_override = sleep
    with pytest.raises(RetriableError, match="1 writes not acknowledged"):
        out.write([tagged(1)])
    assert cluster.docs == {}


def test_an_incident_revised_into_another_month_stays_where_it_was_first_written() -> None:
    cluster = FakeCluster()
    output(cluster).write([tagged(1, (incident("inc-1", date="2026-10-31"),))])
    revised = incident("inc-1", date="2026-11-02", fatalities=7, article_ids=["a", "b"])
    # A new process (no memory of the first write) asks where the incident is.
    fresh = output(cluster)
    seen = len(cluster.requests)
    fresh.write([tagged(2, (revised,))])
    assert cluster.index_of("inc-1") == ["news-events-2026.10"]
    assert cluster.docs[("news-events-2026.10", "inc-1")]["fatalities"] == 7
    lookups = [t for _, t, _ in cluster.requests[seen:] if t.startswith(("/_alias/", "/_mget"))]
    assert lookups[0].startswith("/_alias/news-events") and lookups[1].startswith("/_mget")
    # The same process remembers: no second lookup.
    seen = len(cluster.requests)
    fresh.write([tagged(3, (revised,))])
    assert [t for _, t, _ in cluster.requests[seen:] if not t.startswith("/_bulk")] == []


def test_two_reports_of_one_incident_in_a_batch_write_the_fuller_one_once() -> None:
    cluster = FakeCluster()
    fuller = incident(
        "inc-1", fatalities=9, article_ids=["article-0000", "article-0001", "article-0002"]
    )
    report = output(cluster).write(
        [tagged(2, (fuller,)), tagged(1, (incident("inc-1", fatalities=3),))]
    )
    assert report.permanent == {}
    assert [ids.count("inc-1") for ids in cluster.bulk_ids()] == [1]
    assert cluster.docs[("news-events-2026.11", "inc-1")]["fatalities"] == 9


def test_an_article_twice_in_a_batch_is_written_once_in_its_later_version() -> None:
    cluster = FakeCluster()
    later = tagged(1).model_copy(update={"revision": 2})
    report = output(cluster).write([tagged(1), tagged(2), later])
    assert report.permanent == {}
    assert sorted(cluster.bulk_ids()[0]) == ["article-0001", "article-0002"]
    assert cluster.docs[("news-articles-2026.11", "article-0001")]["revision"] == 2


def test_large_writes_are_shared_between_concurrent_requests() -> None:
    cluster = FakeCluster()
    out = output(cluster, bulk_concurrency=2, bulk_max_docs=1000)
    out.write([tagged(n) for n in range(600)])
    assert sorted(len(ids) for ids in cluster.bulk_ids()) == [300, 300]
    assert len(cluster.ids("news-articles")) == 600
    out.close()


def test_a_failed_shared_incident_dead_letters_every_envelope_that_carries_it() -> None:
    cluster = FakeCluster()
    bad = incident("inc-1", fatalities="many")
    report = output(cluster).write([tagged(1, (bad,)), tagged(2), tagged(3, (bad,))])
    assert sorted(report.permanent) == [0, 2]


def test_a_stale_versioned_incident_is_acknowledged() -> None:
    cluster = FakeCluster(item_statuses={"inc-1": [409]})
    report = output(cluster).write([tagged(1, (incident("inc-1", revision=2),))])
    assert report.permanent == {} and report.retriable == {}
    (pairs,) = cluster.bulk_bodies
    header = next(h for h, _ in pairs if h["_id"] == "inc-1")
    assert header["version"] == 2 and header["version_type"] == "external_gte"


def test_an_incident_without_an_id_or_with_a_bad_date_is_permanent() -> None:
    cluster = FakeCluster()
    no_id = incident("")
    bad_date = incident("inc-2", date="sometime")
    report = output(cluster).write([tagged(1, (no_id,)), tagged(2, (bad_date,)), tagged(3)])
    assert sorted(report.permanent) == [0, 1]
    assert "incident_id" in str(report.permanent[0]) and "not a date" in str(report.permanent[1])
    assert cluster.ids("news-articles") == ["article-0003"]


def test_bulk_requests_ask_only_for_what_the_sink_reads() -> None:
    cluster = FakeCluster()
    output(cluster).write([tagged(1)])
    (bulk,) = [t for _, t, _ in cluster.requests if t.startswith("/_bulk")]
    assert query_of(bulk)["filter_path"] == [
        "errors,items.*.status,items.*.error.type,items.*.error.reason"
    ]


def test_missing_templates_are_created_before_the_first_write(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    created: list[str] = []

    def fake_ensure(es: Any, settings: ElasticsearchSettings, now: Any = None) -> list[str]:
        created.append(settings.index_prefix)
        return []

    monkeypatch.setattr("pipeline.index.ensure_templates", fake_ensure)
    out = output(FakeCluster(templates=False))
    out.write([tagged(1)])
    out.write([tagged(2)])
    assert created == ["news"]


def test_documents_follow_the_envelope() -> None:
    envelope = tagged(5, (incident("inc-9", actors=[{"name": "Army"}, "Rebels"]),))
    article = article_document(envelope)
    assert article["article_id"] == "article-0005" and article["date"] == article["first_seen"]
    event = incident_document(incident("inc-9", actors=[{"name": "Army"}, "Rebels"]), envelope)
    assert event["actors"] == ["Army", "Rebels"]
    assert event["actors_detail"] == [{"name": "Army"}, "Rebels"]
    assert event["article_ids"] == ["article-0000", "article-0005"]
    assert event["article_count"] == 2 and event["last_article_id"] == "article-0005"
    undated = incident_document(incident("inc-8", date=None), envelope)
    assert undated["date_precision"] == "reported"
    assert undated["date"] == envelope.first_seen.isoformat()


def test_published_later_than_first_seen_is_not_the_article_date() -> None:
    from pipeline.envelope import CleanedContent

    envelope = tagged(1).model_copy(
        update={
            "cleaned": CleanedContent(
                text="x", published=datetime(2030, 1, 1, tzinfo=UTC)
            )
        }
    )
    assert article_document(envelope)["date"] == envelope.first_seen.isoformat()


def test_with_the_runner_a_conflict_is_dead_lettered_and_the_batch_committed() -> None:
    from pipeline.envelope import encode

    cluster = FakeCluster()
    envelopes = [tagged(n) for n in range(5)]
    envelopes[3] = tagged(3, (incident("inc-bad", fatalities="many"),))
    events: list[str] = []
    source = FakeSource([[record(n, encode(e)) for n, e in enumerate(envelopes)]], events=events)
    dead = FakeDeadLetters(events)
    runner = StageRunner(
        Identity(), source, output(cluster), dead, RunnerSettings(), sleep=lambda _: None
    )
    counters = runner.run(until_drained=True)
    assert counters.written == 4 and counters.dead_lettered == 1 and counters.balanced()
    assert [r.offset for r, *_ in dead.sent] == [3]
    assert "rejected: 400" in dead.sent[0][2]
    assert source.commits == [{("in", 0): 5}]
    assert len(cluster.ids("news-articles")) == 5


def test_an_incident_links_to_every_article_that_reported_it() -> None:
    reports = [
        {"article_id": "article-0001", "url": "https://news.example/1"},
        {"article_id": "article-0002", "url": "https://other.example/2"},
        {"article_id": "old", "published": "2026-11-18"},
    ]
    envelope = tagged(3)
    doc = incident_document(incident("inc-1", reports=reports), envelope)
    assert doc["article_urls"] == ["https://news.example/1", "https://other.example/2", envelope.url]
    assert doc["last_article_url"] == envelope.url
