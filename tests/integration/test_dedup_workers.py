"""Deduplication with the shared Elasticsearch state, against the real broker and node: two
workers of one consumer group, two near-duplicates decided at the same moment by different
workers, restarts, the pending/confirmed records and the time window."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from pipeline.dedup.deduplicator import Deduplicator
from pipeline.dedup.es_state import ElasticsearchDedupState, claims_index, records_index
from pipeline.dedup.signatures import all_keys, signature
from pipeline.dedup.state import DocRecord, MemoryState
from pipeline.envelope import CleanedContent, DedupInfo, Envelope, Stage, article_id, decode, encode
from pipeline.runner import StageCounters
from pipeline.search_setup import client
from pipeline.settings import Settings
from pipeline.stages.deduplicate import DeduplicateStage
from pipeline.topology import build_runner
from tests.fixtures.news import (
    ARTICLES,
    NAMES,
    REWRITE_ADAMS,
    REWRITE_TRAIN,
    body,
    near_copy,
    syndicated,
)
from tests.integration.kafka_helpers import committed_offsets, produce_envelopes, read_topic
from tests.integration.side_by_side import run_side_by_side

pytestmark = pytest.mark.integration

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def headline(name: str) -> str:
    return (ARTICLES / f"{name}.txt").read_text(encoding="utf-8").strip().split("\n")[0]


def cleaned(
    url: str, title: str, text: str, minutes: float, revision: int = 0
) -> Envelope:
    return Envelope(
        id=article_id(url),
        url=url,
        source=url.split("/")[2],
        first_seen=T0 + timedelta(minutes=minutes),
        revision=revision,
        stage=Stage.CLEANED,
        cleaned=CleanedContent(title=title, text=text, word_count=len(text.split())),
    )


def retyped(text: str) -> str:
    """What a partner's CMS does to a wire copy: straight quotes, different spacing."""
    for curly, plain in (("\u201c", '"'), ("\u201d", '"'), ("\u2019", "'"), ("\u2018", "'")):
        text = text.replace(curly, plain)
    return text.replace(". ", ".  ").replace("\n\n", "\n")


def edited(name: str) -> str:
    """An edited copy whose text differs from the original's (a sentence cut, words changed; or,
    where that leaves the words unchanged, a credit line added)."""
    copy = near_copy(name)
    if signature(copy).content_hash == signature(body(name)).content_hash:
        copy = syndicated(name)
    return copy


def rewrite(text: str) -> tuple[str, str]:
    title, _, rest = text.partition("\n\n")
    return title, rest


def wire(name: str, minutes: float) -> Envelope:
    return cleaned(f"https://wire.example/{name}", headline(name), body(name), minutes)


@pytest.fixture
def shared(es_ready: Any, kafka_ready: str, isolated_settings: Settings) -> Iterator[Settings]:
    yield isolated_settings
    es = client(isolated_settings.elasticsearch)
    for name in (claims_index, records_index):
        es.indices.delete(index=name(isolated_settings.elasticsearch), ignore_unavailable=True)
    es.close()


def run_workers(settings: Settings, workers: int = 2) -> list[StageCounters]:
    """``workers`` deduplicate runners of one consumer group, in threads, until drained."""
    runners = [
        build_runner("deduplicate", settings, stage=DeduplicateStage.from_settings(settings))
        for _ in range(workers)
    ]
    counters: list[StageCounters] = []
    errors: list[BaseException] = []
    start = threading.Barrier(workers)

    def work(index: int) -> None:
        try:
            start.wait()
            counters.append(runners[index].run(until_drained=True, idle_timeout_s=60))
        except BaseException as exc:  # reported by the test thread
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    assert not errors, errors
    assert len(counters) == workers
    return counters


def decisions(settings: Settings) -> dict[tuple[str, int], DedupInfo]:
    """The decision per (id, revision) on the deduplicated topic. A record re-read after a
    rebalance is written again; every copy must carry the same decision."""
    found: dict[tuple[str, int], DedupInfo] = {}
    for record in read_topic(settings, settings.kafka.topic("deduplicated")):
        envelope = decode(record.value)  # type: ignore[attr-defined]
        assert envelope.stage is Stage.DEDUPLICATED and envelope.dedup is not None
        key = (envelope.id, envelope.revision)
        assert found.setdefault(key, envelope.dedup) == envelope.dedup, key
    return found


def test_two_workers_link_copies_updates_and_stories_exactly(shared: Settings) -> None:
    settings = shared
    settings.kafka.batch_size = 3
    topic = settings.kafka.topic("cleaned")

    # The wire's reports: five distinct stories.
    originals = {name: wire(name, i) for i, name in enumerate(NAMES)}
    produce_envelopes(settings, topic, originals.values())
    first = run_workers(settings)
    assert sum(c.written for c in first) >= len(originals)

    # Then what other outlets make of them, spread over both partitions and both workers.
    drugs_a = cleaned(
        "https://partner-a.example/drugs", headline("drugs-seizure"),
        retyped(body("drugs-seizure")), 30,
    )
    drugs_b = cleaned(
        "https://partner-b.example/2026/drugs", headline("drugs-seizure").upper(),
        retyped(body("drugs-seizure")), 31,
    )
    adams_near = cleaned(
        "https://partner-c.example/adams", headline("adams-arrest"),
        near_copy("adams-arrest"), 32,
    )
    train_near = cleaned(
        "https://partner-d.example/train", headline("india-train"),
        syndicated("india-train"), 33,
    )
    canisius_near = cleaned(
        "https://partner-a.example/canisius", headline("canisius-chloroform"),
        edited("canisius-chloroform"), 34,
    )
    sinkhole_update = cleaned(
        "https://wire.example/buffalo-sinkhole", headline("buffalo-sinkhole"),
        body("buffalo-sinkhole") + "\n\nCity engineers closed the street on Wednesday while "
        "crews examine the collapsed water main beneath it.",
        35, revision=1,
    )
    adams_story = cleaned("https://gazette.example/adams", *rewrite(REWRITE_ADAMS), 36)
    train_story = cleaned("https://ledger.example/train", *rewrite(REWRITE_TRAIN), 37)
    second_wave = [
        drugs_a, drugs_b, adams_near, train_near, canisius_near, sinkhole_update,
        adams_story, train_story,
    ]
    produce_envelopes(settings, topic, second_wave)
    second = run_workers(settings)
    assert sum(c.read for c in second) >= len(second_wave)
    assert all(c.dead_lettered == 0 for c in first + second)

    got = decisions(settings)
    assert len(got) == len(originals) + len(second_wave)

    def link(envelope: Envelope) -> tuple[str | None, str | None, bool, str]:
        info = got[(envelope.id, envelope.revision)]
        return info.duplicate_of, info.duplicate_kind, info.is_update, info.story_id

    for envelope in originals.values():
        assert link(envelope) == (None, None, False, envelope.id)
    drugs = originals["drugs-seizure"].id
    adams = originals["adams-arrest"].id
    train = originals["india-train"].id
    canisius = originals["canisius-chloroform"].id
    sinkhole = originals["buffalo-sinkhole"].id
    assert link(drugs_a) == (drugs, "exact", False, drugs)
    assert link(drugs_b) == (drugs, "exact", False, drugs)
    assert link(adams_near) == (adams, "near", False, adams)
    assert link(train_near) == (train, "near", False, train)
    assert link(canisius_near) == (canisius, "near", False, canisius)
    assert link(sinkhole_update) == (None, None, True, sinkhole)
    assert sinkhole_update.id == sinkhole
    assert link(adams_story) == (None, None, False, adams)
    assert link(train_story) == (None, None, False, train)
    for near in (adams_near, train_near, canisius_near):
        similarity = got[(near.id, 0)].similarity
        assert similarity is not None and 0.8 <= similarity < 1.0

    group = f"{settings.kafka.topic_prefix}.deduplicate"
    offsets = committed_offsets(settings, topic, group)
    assert sum(o or 0 for o in offsets.values()) == len(originals) + len(second_wave)


class _ClaimThenWait(ElasticsearchDedupState):
    """Holds every worker after its claims until all have claimed: the two decisions are then
    taken at the same moment, each knowing only what the claims told it."""

    barrier: threading.Barrier

    def claim(self, keys: Any, record: DocRecord, horizon: float) -> list[str]:
        owners = super().claim(keys, record, horizon)
        self.barrier.wait(timeout=30)
        return owners


def _racing_stage(settings: Settings, barrier: threading.Barrier) -> DeduplicateStage:
    es = settings.elasticsearch
    state = _ClaimThenWait(client(es), claims_index(es), records_index(es))
    state.barrier = barrier
    return DeduplicateStage(state=state)


@pytest.mark.parametrize(
    ("name", "kind"), [*((name, "near") for name in NAMES), *((name, "exact") for name in NAMES[:2])]
)
def test_copies_decided_at_the_same_moment_by_two_workers_are_linked(
    shared: Settings, name: str, kind: str
) -> None:
    barrier = threading.Barrier(2)
    stages = [_racing_stage(shared, barrier) for _ in range(2)]
    # The copy is first seen earlier: whichever claims first, they must agree.
    copy = edited(name) if kind == "near" else retyped(body(name))
    envelopes = [
        cleaned(f"https://wire.example/{name}", headline(name), body(name), 5),
        cleaned(f"https://partner.example/{name}", headline(name), copy, 0),
    ]
    start = threading.Barrier(2)

    def work(index: int) -> DedupInfo:
        start.wait(timeout=30)
        (out,) = stages[index].process(envelopes[index])
        assert out.dedup is not None
        return out.dedup

    first, second = results = run_side_by_side([lambda: work(0), lambda: work(1)])
    ids = [e.id for e in envelopes]
    linked = [(i, info) for i, info in enumerate(results) if info and info.duplicate_of]
    assert len(linked) == 1, results  # exactly one original, the other links to it
    copy_index, decided = linked[0]
    original = ids[1 - copy_index]
    assert decided.duplicate_of == original and decided.duplicate_kind == kind
    assert first.story_id == second.story_id == original


def test_restarted_worker_links_to_what_it_saw_before_and_confirms_after_the_write(
    shared: Settings,
) -> None:
    es = client(shared.elasticsearch)
    stage = DeduplicateStage.from_settings(shared)
    wire_copy = wire("india-train", 0)
    (out,) = stage.process(wire_copy)
    assert out.dedup is not None and out.dedup.duplicate_of is None

    def pending(doc_id: str) -> bool:
        return bool(es.get(index=records_index(shared.elasticsearch), id=doc_id)["_source"]["pending"])

    assert pending(wire_copy.id)  # not confirmed before the downstream write is acknowledged
    stage.after_batch_written()
    assert not pending(wire_copy.id)

    restarted = DeduplicateStage.from_settings(shared)  # a new process: nothing in memory
    partner = cleaned(
        "https://partner.example/train", headline("india-train"), syndicated("india-train"), 60
    )
    (linked,) = restarted.process(partner)
    assert linked.dedup is not None
    assert (linked.dedup.duplicate_of, linked.dedup.story_id) == (wire_copy.id, wire_copy.id)
    # A replay of the same record (crash before the commit) gives the same decision.
    (again,) = DeduplicateStage.from_settings(shared).process(partner)
    assert again.dedup == linked.dedup
    es.close()


def test_a_dead_workers_pending_record_is_not_an_original(shared: Settings) -> None:
    es = shared.elasticsearch
    now = [1_000_000.0]
    dying = ElasticsearchDedupState(client(es), claims_index(es), records_index(es),
                                    lease_s=600, clock=lambda: now[0])
    Deduplicator(dying).check("ghost", 100.0, body("adams-arrest"))  # never committed
    now[0] += 601  # the lease has run out: its worker is gone
    alive = ElasticsearchDedupState(client(es), claims_index(es), records_index(es),
                                    lease_s=600, clock=lambda: now[0])
    decision = Deduplicator(alive).check("real", 200.0, body("adams-arrest"))
    assert decision.duplicate_of is None and decision.story_id == "real"
    keys = all_keys(signature(body("adams-arrest")))
    record = alive.get("real")
    assert record is not None
    assert set(alive.claim(keys, record, 0.0)) == {"real"}  # the ghost's keys were taken over
    alive.commit()
    later = Deduplicator(alive).check("copy", 300.0, body("adams-arrest"))
    assert (later.duplicate_of, later.duplicate_kind) == ("real", "exact")


def test_window_expiry_forgets_old_articles(shared: Settings) -> None:
    es = shared.elasticsearch
    state = ElasticsearchDedupState(client(es), claims_index(es), records_index(es))
    dedup = Deduplicator(state, window_s=14 * 86400.0)
    day = 86400.0
    dedup.check("old", 1_000_000.0, body("buffalo-sinkhole"))
    dedup.check("recent", 1_000_000.0 + 10 * day, body("canisius-chloroform"))
    state.commit()
    # Beyond the window the same text is not linked to the old article, whose keys pass on.
    late = dedup.check("late", 1_000_000.0 + 15 * day, body("buffalo-sinkhole"))
    assert late.duplicate_of is None
    state.commit()
    assert state.expire(1_000_000.0 + day) == 1
    assert state.get("old") is None and state.get("recent") is not None
    again = dedup.check("again", 1_000_000.0 + 15 * day + 60, body("buffalo-sinkhole"))
    assert (again.duplicate_of, again.duplicate_kind) == ("late", "exact")


def test_prepared_batches_decide_as_one_article_at_a_time(shared: Settings) -> None:
    """``prepare_batch`` on the shared state (records, claims and owners of a batch in a few
    bulk requests) gives the decisions of ``process`` alone, with originals and their copies in
    the same batch, an update, a replay of a whole batch and copies first seen earlier than
    their original."""
    es = shared.elasticsearch
    stream = [wire(name, i) for i, name in enumerate(NAMES)]
    stream += [
        cleaned(f"https://partner.example/{name}", headline(name), edited(name), 10 + i)
        for i, name in enumerate(NAMES)
    ]
    stream += [
        cleaned(f"https://early.example/{name}", headline(name), retyped(body(name)), -5 - i)
        for i, name in enumerate(NAMES[:3])
    ]
    stream.append(cleaned("https://gazette.example/adams", *rewrite(REWRITE_ADAMS), 20))
    stream.append(
        cleaned("https://wire.example/india-train", headline("india-train"),
                body("india-train") + "\n\nThe line reopened on Friday.", 25, revision=1)
    )
    batches = [stream[:4], stream[4:11], stream[11:], stream[11:]]  # the last batch replayed

    alone = DeduplicateStage(state=MemoryState())
    expected = [alone.process(envelope)[0].dedup for part in batches for envelope in part]
    state = ElasticsearchDedupState(client(es), claims_index(es), records_index(es))
    stage = DeduplicateStage(state=state)
    got: list[DedupInfo | None] = []
    for part in batches:
        stage.prepare_batch(part)
        assert stage._prepared
        got.extend(stage.process(envelope)[0].dedup for envelope in part)
        stage.after_batch_written()
    assert got == expected
    assert sum(info is not None and info.duplicate_of is not None for info in got) >= 8


def test_short_texts_are_not_duplicates_on_the_shared_state(shared: Settings) -> None:
    """Empty and too-short pages claim nothing in Elasticsearch: each is its own story, one by
    one and in prepared batches, while a real copy in the same batch is still found."""
    es = shared.elasticsearch
    stream = [
        cleaned(f"https://blank.example/{index}", "", text, index)
        for index, text in enumerate(["", " ", "\n\n", "Subscribe to read", "Subscribe to read"])
    ]
    stream.append(wire("drugs-seizure", 10))
    stream.append(
        cleaned("https://partner.example/drugs", "", retyped(body("drugs-seizure")), 11)
    )
    state = ElasticsearchDedupState(client(es), claims_index(es), records_index(es))
    stage = DeduplicateStage(state=state)
    stage.prepare_batch(stream)
    got = [stage.process(envelope)[0].dedup for envelope in stream]
    stage.after_batch_written()
    for info, envelope in zip(got[:5], stream, strict=False):
        assert info is not None
        assert info.duplicate_of is None and info.story_id == envelope.id
    copy = got[-1]
    assert copy is not None and copy.duplicate_of == stream[-2].id
    later = cleaned("https://blank.example/later", "", "", 30)
    (out,) = DeduplicateStage(state=state).process(later)
    assert out.dedup is not None and out.dedup.duplicate_of is None


def test_an_article_dead_lettered_downstream_is_forgotten(shared: Settings) -> None:
    """The wire copy's output is too large for the topic (it goes to the dead-letter topic as a
    notice): the shared state must not keep it, so the partner's copy that arrives next is an
    original, not a duplicate of an article that is not downstream."""
    settings = shared
    topic = settings.kafka.topic("cleaned")
    original = wire("india-train", 0)
    # Padding in a field the deduplicator does not read makes the wire copy the only large record.
    padded = original.model_copy(
        update={"raw": original.raw.model_copy(update={"body": "x" * 20_000})}
    )
    (probe,) = DeduplicateStage(state=MemoryState()).process(padded)
    size_in, size_out = len(encode(padded)), len(encode(probe))
    assert size_out > size_in
    settings.kafka.max_record_bytes = (size_in + size_out) // 2  # the input fits, the output not
    other = wire("adams-arrest", 1)
    produce_envelopes(settings, topic, [padded, other])
    (first,) = run_workers(settings, workers=1)
    assert (first.read, first.written, first.dead_lettered) == (2, 1, 1) and first.balanced()
    (notice,) = read_topic(settings, f"{topic}.dlq")
    assert b"record too large" in notice.value  # type: ignore[attr-defined]

    es = client(settings.elasticsearch)
    assert not es.exists(index=records_index(settings.elasticsearch), id=padded.id)
    assert es.exists(index=records_index(settings.elasticsearch), id=other.id)
    es.close()

    partner = cleaned(
        "https://partner.example/train", headline("india-train"), syndicated("india-train"), 60
    )
    produce_envelopes(settings, topic, [partner])
    (second,) = run_workers(settings, workers=1)
    assert (second.read, second.written) == (1, 1)
    found = decisions(settings)
    assert found[(partner.id, 0)].duplicate_of is None
    assert found[(other.id, 0)].duplicate_of is None
    assert (padded.id, 0) not in found
