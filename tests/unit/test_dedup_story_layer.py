"""The deduplicate stage's story layer on the in-memory state: other outlets' reports of one
story join the earliest report's story, other stories stay apart (hard negatives: the same
place and days with another event, the same kind of event elsewhere), and the layer only ever
sets ``story_id``. Texts from eval/stories (tuning split) and tests/fixtures."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from pipeline.dedup import story_evaluation, story_words
from pipeline.dedup.deduplicator import Decision, Deduplicator
from pipeline.dedup.es_state import ElasticsearchDedupState, _document, _record
from pipeline.dedup.state import DocRecord, MemoryState
from pipeline.dedup.stories import names, sketch
from pipeline.dedup.story_index import StoryTermIndex
from pipeline.envelope import CleanedContent, Envelope, Stage
from pipeline.errors import InvalidInput, RetriableError
from pipeline.stages.deduplicate import DeduplicateStage
from tests.fixtures.news import body, near_copy

ROWS = {r["id"]: r for r in story_evaluation.load()}
HOUR = 3600.0
DAY = 86400.0
T0 = 1_772_000_000.0


def text(doc_id: str) -> str:
    return f"{ROWS[doc_id]['title']}\n{ROWS[doc_id]['text']}"


def check_in_order(dedup: Deduplicator, ids: list[str], step: float = HOUR) -> dict[str, Decision]:
    return {doc_id: dedup.check(doc_id, T0 + i * step, text(doc_id)) for i, doc_id in enumerate(ids)}


def test_other_outlets_reports_join_the_story_of_the_first_report() -> None:
    ids = ["idlib-market-wire", "idlib-market-regional", "idlib-market-local"]
    got = check_in_order(Deduplicator(MemoryState()), ids)
    assert {d.story_id for d in got.values()} == {"idlib-market-wire"}
    assert all(d.duplicate_of is None and d.duplicate_kind is None for d in got.values())


def test_without_the_layer_the_minhash_bands_miss_them() -> None:
    ids = ["sylhet-floods-wire", "sylhet-floods-regional", "sylhet-floods-local"]
    got = check_in_order(Deduplicator(MemoryState(), story_cosine=None), ids)
    assert [d.story_id for d in got.values()] == ids


@pytest.mark.parametrize(
    ("first", "second"),
    [
        # The same place and days, another event.
        ("idlib-market-wire", "saraqeb-clinic-wire"),
        ("mogadishu-hotel-siege-wire", "mogadishu-market-blast-wire"),
        ("mogadishu-hotel-siege-local", "mogadishu-market-blast-regional"),
        # The same kind of event, the same country and days, another place.
        ("odisha-derailment-wire", "jharkhand-derailment-wire"),
        ("odisha-derailment-regional", "jharkhand-derailment-regional"),
        ("beledweyne-floods-regional", "sylhet-floods-wire"),
    ],
)
def test_hard_negatives_stay_apart(first: str, second: str) -> None:
    got = check_in_order(Deduplicator(MemoryState()), [first, second])
    assert got[second].story_id == second
    assert got[second].duplicate_of is None


def test_a_report_joins_its_own_story_among_hard_negatives() -> None:
    ids = [
        "mogadishu-hotel-siege-wire", "mogadishu-hotel-siege-regional",
        "mogadishu-market-blast-wire", "mogadishu-hotel-siege-local",
        "mogadishu-market-blast-regional", "mogadishu-market-blast-local",
    ]
    got = check_in_order(Deduplicator(MemoryState()), ids)
    for doc_id, decision in got.items():
        assert decision.story_id == f"{ROWS[doc_id]['story']}-wire", doc_id


def test_a_chain_of_links_points_to_the_earliest_report() -> None:
    """The local report is most like the regional one, which already joined the wire's story:
    it takes the regional report's story id, the wire's."""
    state = MemoryState()
    dedup = Deduplicator(state)
    ids = ["jharkhand-derailment-wire", "jharkhand-derailment-regional", "jharkhand-derailment-local"]
    got = check_in_order(dedup, ids)
    assert {d.story_id for d in got.values()} == {"jharkhand-derailment-wire"}
    record = state.get("jharkhand-derailment-local")
    assert record is not None and record.story_id == "jharkhand-derailment-wire"


def test_only_a_preceding_article_can_give_its_story() -> None:
    """An article first seen earlier but decided later does not join the later one's story:
    links point back in time only, so story ids cannot loop."""
    dedup = Deduplicator(MemoryState())
    later = dedup.check("idlib-market-regional", T0 + HOUR, text("idlib-market-regional"))
    earlier = dedup.check("idlib-market-wire", T0, text("idlib-market-wire"))
    assert later.story_id == "idlib-market-regional"
    assert earlier.story_id == "idlib-market-wire"
    # In the usual order the same two are linked.
    linked = Deduplicator(MemoryState())
    linked.check("idlib-market-wire", T0, text("idlib-market-wire"))
    again = linked.check("idlib-market-regional", T0 + HOUR, text("idlib-market-regional"))
    assert again.story_id == "idlib-market-wire"


def test_the_story_window_bounds_the_links() -> None:
    dedup = Deduplicator(MemoryState(), story_window_s=3 * DAY)
    dedup.check("idlib-market-wire", T0, text("idlib-market-wire"))
    late = dedup.check("idlib-market-local", T0 + 4 * DAY, text("idlib-market-local"))
    assert late.story_id == "idlib-market-local"
    within = dedup.check("idlib-market-regional", T0 + 2 * DAY, text("idlib-market-regional"))
    assert within.story_id == "idlib-market-wire"


def test_duplicates_keep_their_originals_story_and_the_layer_marks_no_duplicate() -> None:
    dedup = Deduplicator(MemoryState())
    dedup.check("wire", T0, body("adams-arrest"))
    copy = dedup.check("copy", T0 + 60, near_copy("adams-arrest"))
    assert (copy.duplicate_of, copy.duplicate_kind, copy.story_id) == ("wire", "near", "wire")


def _envelope(doc_id: str, seen: float) -> Envelope:
    row = ROWS[doc_id]
    return Envelope(
        id=doc_id, url=f"https://{row['outlet']}.example/{doc_id}", source=row["outlet"],
        first_seen=datetime.fromtimestamp(seen, UTC), stage=Stage.CLEANED,
        cleaned=CleanedContent(title=row["title"], text=row["text"]),
    )


def test_every_article_comes_out_once_and_none_is_marked_a_duplicate() -> None:
    """The counts balance: one output per input, and on reports that are all distinct texts
    the story layer marks none a duplicate, prepared in batches or one at a time."""
    envelopes = [_envelope(doc_id, T0 + i * 600) for i, doc_id in enumerate(sorted(ROWS))]
    alone = DeduplicateStage()
    expected = [alone.process(e) for e in envelopes]
    prepared = DeduplicateStage()
    got = []
    for first in range(0, len(envelopes), 7):
        part = envelopes[first : first + 7]
        prepared.prepare_batch(part)
        got.extend(prepared.process(e) for e in part)
        prepared.after_batch_written()
    assert got == expected
    assert [len(outputs) for outputs in got] == [1] * len(envelopes)
    infos = [outputs[0].dedup for outputs in got]
    assert all(info is not None and info.duplicate_of is None for info in infos)
    assert sum(info is not None and info.story_id != e.id for info, e in zip(infos, envelopes,
                                                                             strict=True)) >= 30


def test_sketches_survive_a_restart_and_a_discarded_article_is_no_candidate(
    tmp_path: Path,
) -> None:
    path = tmp_path / "dedup.state"
    state = MemoryState(path)
    Deduplicator(state).check("idlib-market-wire", T0, text("idlib-market-wire"))
    state.commit()
    restarted = MemoryState(path)
    dedup = Deduplicator(restarted)
    linked = dedup.check("idlib-market-regional", T0 + HOUR, text("idlib-market-regional"))
    assert linked.story_id == "idlib-market-wire"

    dedup.check("goma-camp-shelling-wire", T0, text("goma-camp-shelling-wire"))
    restarted.discard(["goma-camp-shelling-wire"])  # dead-lettered downstream
    alone = dedup.check("goma-camp-shelling-regional", T0 + HOUR, text("goma-camp-shelling-regional"))
    assert alone.story_id == "goma-camp-shelling-regional"


def test_the_in_memory_index_is_bounded() -> None:
    index = StoryTermIndex(capacity=2)
    sketches = {doc_id: sketch(text(doc_id)) for doc_id in (
        "sylhet-floods-wire", "odisha-derailment-wire", "azaz-car-bomb-wire",
    )}
    for offset, (doc_id, value) in enumerate(sketches.items()):
        index.add(doc_id, T0 + offset, value)
    assert len(index) == 2
    assert index.sketch_of("sylhet-floods-wire") is None  # the oldest went first
    probe = sketch(text("sylhet-floods-regional"))
    assert index.candidates(probe, T0 - DAY, T0 + DAY, exclude="x") == []
    roomy = StoryTermIndex(capacity=3)
    for offset, (doc_id, value) in enumerate(sketches.items()):
        roomy.add(doc_id, T0 + offset, value)
    found = roomy.candidates(probe, T0 - DAY, T0 + DAY, exclude="x")
    assert [entry.id for entry in found] == ["sylhet-floods-wire"]
    index.expire(T0 + 2)
    assert len(index) == 1


def test_a_sketch_is_stored_and_read_back_exactly() -> None:
    value = sketch(text("katsina-kidnapping-regional"))
    record = DocRecord("a", T0, "hash", None, sketch=value)
    assert _record("a", _document(record, pending=True, now=T0)).sketch == value


def test_names_are_capitalised_words_inside_sentences_but_countries() -> None:
    found = names(
        "Gunmen Kidnap Dozens Of Villagers In Katsina\n"
        "Bandits raided Yargoje in Kankara, northwest Nigeria, said spokesman Abubakar Sadiq. "
        "Police said more.",
        story_words.load().broad,
    )
    assert found == {"yargoje", "kankara", "abubakar", "sadiq"}


def test_a_broken_word_file_is_refused() -> None:
    data = yaml.safe_load(
        (Path(story_words.__file__).parents[1] / "data" / story_words.DATA_FILE).read_text()
    )
    story_words.StoryWords.model_validate(data)
    for broken in ({"frequencies": {"police": data["documents"] + 1}},
                   {"frequencies": {"Police": 2}}, {"frequencies": {"the": 2}},
                   {"documents": 0}):
        with pytest.raises(ValidationError):
            story_words.StoryWords.model_validate({**data, **broken})


class _Indices:
    def refresh(self, index: str) -> None:
        pass


class _NodeAnswering:
    """The two calls of a story query, answering each search with ``answer``."""

    def __init__(self, answer: dict[str, Any]) -> None:
        self.indices = _Indices()
        self.answer = answer

    def msearch(self, searches: list[dict[str, Any]]) -> dict[str, Any]:
        return {"responses": [self.answer for _ in searches[::2]]}


@pytest.mark.parametrize(
    ("status", "kind"), [(429, RetriableError), (503, RetriableError), (400, InvalidInput)]
)
def test_a_failed_story_query_is_classified_like_any_node_answer(
    status: int, kind: type[Exception]
) -> None:
    answer = {"status": status, "error": {"type": "some_exception", "reason": "no"}}
    state = ElasticsearchDedupState(
        _NodeAnswering(answer), "c", "r", create_indices=False  # type: ignore[arg-type]
    )
    with pytest.raises(kind):
        state.story_candidates("a", T0, sketch(text("idlib-market-wire")), T0 - DAY)
