"""Entity spans against annotated news and security documents (``eval/open/{re3d,gum_news,
wikigold}.jsonl``): micro precision, recall and F1 over (start, end, type) with types PER, ORG
and LOC, per corpus (their guidelines differ, so they are never pooled).

- The tagger's PERSON is PER, ORG (armed groups included) is ORG, PLACE is LOC.
- Gold spans: those with a coarse type; in GUM only named mentions (GUM annotates pronouns and
  common nouns too). Where gold spans nest, the outermost one is scored and a prediction equal to
  an inner one is neither right nor wrong.
- ``exact`` needs the same boundaries; ``relaxed`` counts an overlapping span of the same type
  (re3d and GUM spans include determiners and descriptions: "the Kurdish YPG").
- ``f1_names`` scores exact boundaries against the *name* in each gold span, the convention of
  CoNLL-style news sets: a leading determiner ("the United States") and a trailing possessive
  ("Thailand's") are left out, and spans without a capitalised word or that are pronouns ("we",
  "civilians", "He": re3d annotates them) are not scored.
The split is by document id.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.evaluation.splits import Part, part_of
from pipeline.tagging.entities import EntityRecognizer, split_headline
from pipeline.tagging.evaluation import Counts

if TYPE_CHECKING:
    from pipeline.tagging.tagger import Tagger

COARSE = {"PERSON": "PER", "ORG": "ORG", "PLACE": "LOC"}
TYPES = ("PER", "ORG", "LOC")
Span = tuple[int, int, str]


@dataclass(frozen=True, slots=True)
class AnnotatedDocument:
    doc_id: str
    text: str
    gold: frozenset[Span]
    inner: frozenset[Span]

    @property
    def gold_names(self) -> frozenset[Span]:
        return frozenset(n for n in (name_core(self.text, g) for g in self.gold) if n is not None)

    @property
    def part(self) -> Part:
        return part_of(self.doc_id)


_DETERMINERS = tuple(f"{w} " for w in ("the", "The", "this", "This", "these", "These", "a", "A", "an", "An"))
_POSSESSIVES = ("'s", "\u2019s", " 's", " \u2019s", "'", "\u2019")
PRONOUNS = frozenset(
    {"I", "We", "He", "She", "They", "It", "You", "Me", "Us", "Him", "Her", "Them", "Our", "His"}
    | {"Its", "Their", "My", "Your", "One", "Who"}
)


def name_core(text: str, span: Span) -> Span | None:
    """The name in a gold span, or None when it names nothing (a pronoun, a common noun)."""
    start, end, kind = span
    words = text[start:end]
    for determiner in _DETERMINERS:
        if words.startswith(determiner):
            start += len(determiner)
            words = words[len(determiner) :]
            break
    for possessive in _POSSESSIVES:
        if words.endswith(possessive) and len(words) > len(possessive):
            end -= len(possessive)
            words = words[: -len(possessive)]
            break
    if words in PRONOUNS or not any(w[:1].isupper() for w in words.split()):
        return None
    return (start, end, kind)


def _outermost(spans: list[Span]) -> tuple[set[Span], set[Span]]:
    outer: set[Span] = set()
    inner: set[Span] = set()
    for span in spans:
        nested = any(o != span and o[0] <= span[0] and span[1] <= o[1] for o in spans)
        (inner if nested else outer).add(span)
    return outer, inner


def load_documents(path: Path) -> list[AnnotatedDocument]:
    docs = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        spans = [
            (int(e["start"]), int(e["end"]), str(e["coarse"]))
            for e in row["entities"]
            if e.get("coarse") in TYPES and e.get("named", True)
        ]
        outer, inner = _outermost(spans)
        docs.append(AnnotatedDocument(row["doc_id"], row["text"], frozenset(outer), frozenset(inner)))
    return docs


def predicted_spans(recognizer: EntityRecognizer, text: str) -> set[Span]:
    """The recogniser's mentions as offsets into ``text``: the analysis numbers characters in
    the title and body it read (a first short line may become the title), so each part is
    located in the original text."""
    title, body = split_headline(None, text)
    analysis = recognizer.analyse(title, body)
    origins: list[tuple[int, int]] = []  # (offset in the analysis, offset in the text)
    base, cursor = 0, 0
    for part in ((title or "").strip(), (body or "").strip()):
        if not part:
            continue
        found = text.find(part, cursor)
        origins.append((base, found if found >= 0 else cursor))
        cursor = max(cursor, found + len(part)) if found >= 0 else cursor
        base += len(part) + 2
    spans: set[Span] = set()
    for mention in analysis.mentions:
        if mention.inferred:
            continue
        analysis_base, text_base = max((o for o in origins if o[0] <= mention.start), default=(0, 0))
        start = text_base + mention.start - analysis_base
        end = start + (mention.end - mention.start)
        spans.add((start, end, COARSE[mention.label]))
    return spans


@dataclass
class EntityScore:
    exact: dict[str, Counts] = field(default_factory=lambda: {t: Counts() for t in (*TYPES, "all")})
    relaxed: Counts = field(default_factory=Counts)
    names: Counts = field(default_factory=Counts)
    errors: list[str] = field(default_factory=list)

    def metrics(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name in TYPES:
            out[f"f1_{name}"] = round(self.exact[name].prf()[2], 3)
        p, r, f = (round(v, 3) for v in self.exact["all"].prf())
        out.update(precision=p, recall=r, f1=f, f1_relaxed=round(self.relaxed.prf()[2], 3))
        out["f1_names"] = round(self.names.prf()[2], 3)
        out["items"] = {"gold_spans": self.exact["all"].tp + self.exact["all"].fn}
        return out


def _overlaps(a: Span, b: Span) -> bool:
    return a[2] == b[2] and a[0] < b[1] and b[0] < a[1]


def _score_relaxed(counts: Counts, gold: frozenset[Span], pred: set[Span]) -> None:
    unmatched = set(gold)
    for span in sorted(pred):
        hit = next((g for g in sorted(unmatched) if _overlaps(g, span)), None)
        if hit is not None:
            unmatched.discard(hit)
            counts.tp += 1
        else:
            counts.fp += 1
    counts.fn += len(unmatched)


def score_documents(recognizer: EntityRecognizer, docs: Iterable[AnnotatedDocument]) -> EntityScore:
    score = EntityScore()
    for doc in docs:
        pred = predicted_spans(recognizer, doc.text) - doc.inner
        for kind in (*TYPES, "all"):
            gold_k = {g for g in doc.gold if kind in ("all", g[2])}
            pred_k = {p for p in pred if kind in ("all", p[2])}
            score.exact[kind].add(gold_k, pred_k)
        _score_relaxed(score.relaxed, doc.gold, pred)
        score.names.add(doc.gold_names, pred)
        for start, end, kind in sorted(doc.gold - pred):
            score.errors.append(f"{doc.doc_id}: missed {kind} {doc.text[start:end]!r}")
        for start, end, kind in sorted(pred - doc.gold):
            score.errors.append(f"{doc.doc_id}: spurious {kind} {doc.text[start:end]!r}")
    return score


# The day encyclopedic documents are read as published: their events are undated history.
ENCYCLOPEDIA_DAY = date(2020, 1, 1)


def quiet_share(tagger: Tagger, docs: Iterable[AnnotatedDocument]) -> tuple[float, list[str]]:
    """The share of documents in which the tagger finds no incident, and each false alarm."""
    alarms: list[str] = []
    quiet = total = 0
    for doc in docs:
        total += 1
        incidents = tagger.tag(None, doc.text, ENCYCLOPEDIA_DAY, doc.doc_id, fuse=False).incidents
        quiet += not incidents
        for incident in incidents:
            evidence = incident.evidence[0][:100] if incident.evidence else ""
            alarms.append(f"{doc.doc_id}: false alarm {incident.event_type}: {evidence!r}")
    return (round(quiet / total, 3) if total else 0.0), alarms
