"""Odd data in one envelope dead-letters that envelope; the rest of the batch is indexed."""

from __future__ import annotations

import math
from datetime import UTC, datetime

import pytest

from pipeline.envelope import decode
from pipeline.errors import InvalidInput
from pipeline.index import ElasticsearchOutput, incident_month
from pipeline.settings import ElasticsearchSettings
from tests.unit.es_fakes import FakeCluster, fake_client, incident, tagged


def write(batch: list[object]) -> tuple[FakeCluster, dict[int, InvalidInput]]:
    cluster = FakeCluster()
    out = ElasticsearchOutput(
        fake_client(cluster), ElasticsearchSettings(index_prefix="news"), sleep=lambda _: None
    )
    report = out.write(batch)  # type: ignore[arg-type]
    assert report.retriable == {}
    return cluster, report.permanent


@pytest.mark.parametrize("bad_date", [1e20, math.nan, True, "not a date", "20x6-11-19"])
def test_an_impossible_incident_date_fails_only_its_envelope(bad_date: object) -> None:
    cluster, permanent = write(
        [tagged(1), tagged(2, (incident("inc-bad", date=bad_date),)), tagged(3)]  # type: ignore[arg-type]
    )
    assert set(permanent) == {1}
    assert "date" in str(permanent[1]) or "JSON" in str(permanent[1])
    assert "article-0001" in cluster.ids("news-articles")
    assert "article-0003" in cluster.ids("news-articles")
    assert cluster.ids("news-events") == []


def test_incident_month_rejects_what_is_not_a_date() -> None:
    assert incident_month({"date": "2026-11-19"}) == datetime(2026, 11, 1, tzinfo=UTC)
    for value in (True, 1e20, "soon"):
        with pytest.raises(InvalidInput):
            incident_month({"date": value})


def test_an_incident_that_is_not_a_mapping_fails_only_its_envelope() -> None:
    broken = tagged(2).model_copy(
        update={"tags": tagged(2).tags.model_copy(update={"incidents": ({"incident_id": None},)})}  # type: ignore[union-attr]
    )
    _, permanent = write([tagged(1), broken, tagged(3)])
    assert set(permanent) == {1}


def test_naive_timestamps_never_reach_the_sink() -> None:
    data = tagged(1).model_dump_json().replace("+00:00", "").replace("Z", "").encode()
    with pytest.raises(InvalidInput, match="first_seen"):
        decode(data)


@pytest.mark.parametrize("status", [401, 403])
def test_refused_credentials_stop_the_sink_instead_of_waiting_forever(status: int) -> None:
    from pipeline.errors import RetriableError

    cluster = FakeCluster(request_statuses=[status] * 50)
    out = ElasticsearchOutput(
        fake_client(cluster), ElasticsearchSettings(index_prefix="news", auth_failure_attempts=3),
        sleep=lambda _: None,
    )
    with pytest.raises(RetriableError, match="credentials"):
        out.write([tagged(1)])
    assert cluster.docs == {}
