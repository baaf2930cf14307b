"""The story layer on the shared Elasticsearch state, against the real node: reports of one
story decided by different workers join one story, other stories of the same place or kind stay
apart, and two reports decided at the same moment never get story ids that contradict."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from pipeline.dedup import es_state
from pipeline.dedup.es_state import ElasticsearchDedupState, claims_index, records_index
from pipeline.dedup.stories import StoryCandidate, StorySketch
from pipeline.dedup.story_evaluation import load
from pipeline.envelope import CleanedContent, DedupInfo, Envelope, Stage
from pipeline.search_setup import client
from pipeline.settings import Settings
from pipeline.stages.deduplicate import DeduplicateStage
from tests.integration.side_by_side import run_side_by_side

pytestmark = pytest.mark.integration

ROWS = {r["id"]: r for r in load()}
T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def report(doc_id: str, minutes: float) -> Envelope:
    row = ROWS[doc_id]
    return Envelope(
        id=doc_id, url=f"https://{row['outlet']}.example/{doc_id}", source=row["outlet"],
        first_seen=T0 + timedelta(minutes=minutes), stage=Stage.CLEANED,
        cleaned=CleanedContent(title=row["title"], text=row["text"]),
    )


@pytest.fixture
def es(es_ready: Any, isolated_settings: Settings) -> Iterator[Settings]:
    yield isolated_settings
    node = client(isolated_settings.elasticsearch)
    for name in (claims_index, records_index):
        node.indices.delete(index=name(isolated_settings.elasticsearch), ignore_unavailable=True)
    node.close()


def worker(settings: Settings, state_type: type[ElasticsearchDedupState] = ElasticsearchDedupState
           ) -> DeduplicateStage:
    """One deduplicate worker: its own client and state object on the shared indices."""
    config = settings.elasticsearch
    state = state_type(client(config), claims_index(config), records_index(config))
    return DeduplicateStage(state=state)


def run_batch(stage: DeduplicateStage, envelopes: Sequence[Envelope]) -> dict[str, DedupInfo]:
    stage.prepare_batch(envelopes)
    outputs = [stage.process(envelope) for envelope in envelopes]
    stage.after_batch_written()
    assert [len(out) for out in outputs] == [1] * len(envelopes)  # nothing dropped or added
    found: dict[str, DedupInfo] = {}
    for (out,) in outputs:
        assert out.dedup is not None
        found[out.id] = out.dedup
    return found


def test_reports_decided_by_two_workers_join_one_story_and_others_stay_apart(
    es: Settings,
) -> None:
    first, second = worker(es), worker(es)
    wires = [
        "mogadishu-hotel-siege-wire", "odisha-derailment-wire", "idlib-market-wire",
        "mogadishu-market-blast-wire", "jharkhand-derailment-wire", "saraqeb-clinic-wire",
    ]
    got = run_batch(first, [report(doc_id, i) for i, doc_id in enumerate(wires)])
    # The other outlets' reports, decided by the other worker (in a batch), then one at a time
    # by the first worker again.
    later = [
        "mogadishu-hotel-siege-regional", "odisha-derailment-regional", "idlib-market-regional",
        "mogadishu-market-blast-regional", "jharkhand-derailment-regional",
        "saraqeb-clinic-regional",
    ]
    got |= run_batch(second, [report(doc_id, 60 + i) for i, doc_id in enumerate(later)])
    for i, doc_id in enumerate(["mogadishu-hotel-siege-local", "idlib-market-local"]):
        (out,) = first.process(report(doc_id, 120 + i))
        assert out.dedup is not None
        got[doc_id] = out.dedup
    first.after_batch_written()

    for doc_id, info in got.items():
        assert info.duplicate_of is None, doc_id  # the story layer marks no duplicate
        assert info.story_id == f"{ROWS[doc_id]['story']}-wire", doc_id


class _HoldBeforeStoryQuery(ElasticsearchDedupState):
    """Holds each worker at its story query until both are there: each has stored its
    pending record, neither has decided."""

    barrier: threading.Barrier

    def story_candidates_many(
        self, requests: Sequence[tuple[str, float, StorySketch, float]]
    ) -> list[list[StoryCandidate]]:
        self.barrier.wait(timeout=30)
        return super().story_candidates_many(requests)


class _HoldAfterClaims(ElasticsearchDedupState):
    """Holds each worker after its claims until both have claimed; the story queries then race
    with the other worker's decision."""

    barrier: threading.Barrier

    def claim(self, keys: Any, record: Any, horizon: float) -> list[str]:
        owners = super().claim(keys, record, horizon)
        self.barrier.wait(timeout=30)
        return owners


def _race(settings: Settings, state_type: type[Any], envelopes: list[Envelope]) -> list[DedupInfo]:
    barrier = threading.Barrier(2)
    stages = [worker(settings, state_type) for _ in range(2)]
    for stage in stages:
        stage.state.barrier = barrier  # type: ignore[attr-defined]

    def work(index: int) -> DedupInfo:
        (out,) = stages[index].process(envelopes[index])
        stages[index].after_batch_written()
        assert out.dedup is not None
        return out.dedup

    return run_side_by_side([lambda: work(0), lambda: work(1)])


@pytest.mark.parametrize("story", ["idlib-market", "mogadishu-hotel-siege", "goma-camp-shelling"])
def test_two_reports_decided_at_the_same_moment_start_two_stories_the_next_joins_one(
    es: Settings, story: str
) -> None:
    """Both pending, neither decided: neither takes the other's story (that one could still
    become anything), so each starts its own; nothing points both ways. A report decided
    afterwards joins one of the two."""
    earlier, later = report(f"{story}-wire", 0), report(f"{story}-regional", 30)
    first, second = _race(es, _HoldBeforeStoryQuery, [later, earlier])
    assert (second.story_id, first.story_id) == (earlier.id, later.id)
    assert first.duplicate_of is None and second.duplicate_of is None
    (out,) = worker(es).process(report(f"{story}-local", 600))
    assert out.dedup is not None and out.dedup.story_id in {earlier.id, later.id}


@pytest.mark.parametrize("story", ["odisha-derailment", "katsina-kidnapping"])
def test_reports_racing_after_their_claims_never_contradict(es: Settings, story: str) -> None:
    """Whether the later report sees the earlier one decided depends on timing; either way the
    earlier keeps its own story and the later takes the earlier's or its own."""
    earlier, later = report(f"{story}-wire", 0), report(f"{story}-regional", 30)
    first, second = _race(es, _HoldAfterClaims, [later, earlier])
    assert second.story_id == earlier.id
    assert first.story_id in {earlier.id, later.id}
    assert first.duplicate_of is None and second.duplicate_of is None


def test_a_records_index_made_before_the_story_fields_gets_them(es: Settings) -> None:
    config = es.elasticsearch
    node = client(config)
    old = {k: v for k, v in es_state.RECORDS_MAPPINGS["properties"].items()
           if k not in es_state.ADDED_RECORD_FIELDS}
    node.indices.create(
        index=records_index(config), settings={"number_of_shards": 1, "number_of_replicas": 0},
        mappings={"dynamic": "strict", "properties": old},
    )
    got = run_batch(worker(es), [report("idlib-market-wire", 0), report("idlib-market-regional", 60)])
    assert got["idlib-market-regional"].story_id == "idlib-market-wire"
    mapping = node.indices.get_mapping(index=records_index(config))
    properties = mapping[records_index(config)]["mappings"]["properties"]
    assert set(es_state.ADDED_RECORD_FIELDS) <= set(properties)
    node.close()
