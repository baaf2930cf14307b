"""The tagger's shortcuts give exactly what the plain computation gives: the trigger rules' word
filter and priority order, the figure word filter, the per-document token table, and resources
loaded when the tagger is built."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest

from pipeline.tagging import dates, tolls
from pipeline.tagging.entities import Analysis, _Tokens, recognizer
from pipeline.tagging.incident.triggers import (
    _ARMED_KILLED,
    _ARMED_LOSSES,
    _CIVILIAN_VICTIMS,
    _EXPLOSIONS_HEARD,
    _KILLED_ARMED,
    BATTLES,
    DISRUPTED,
    EXPLOSIONS,
    RULE_WORDS,
    RULES,
    VAC,
    Trigger,
    _kills,
    classify,
    is_accident,
    lacks_context,
)
from pipeline.tagging.tagger import Tagger

EVAL = Path(__file__).resolve().parents[2] / "eval" / "incidents.jsonl"
EXTRA = [
    "Suicide bomber blew himself up at a checkpoint, killing 12 soldiers.",
    "Fighter jets struck rebel positions; an IED exploded near the market.",
    "Police fired tear gas and rubber bullets to disperse the crowd of protesters.",
    "Rioters torched cars and threw stones at police.",
    "Militants seized the town of Kalamata and took control of the airport.",
    "Gunmen kidnapped 20 students from a school in Kaduna state.",
    "The two sides signed a ceasefire agreement on Sunday.",
    "Troops recaptured the district after heavy fighting.",
    "ATTACKERS KILLED FIVE SOLDIERS AT A BASE IN THE NORTH.",
    "Des hommes armés ont attaqué le village de Sévaré ; the attack killed 3 people.",
    "Ein Angriff in Köln: airstrikes hit the KILLED list.",
    "A mob lynched a man accused of theft.",
    "The weather was fine and the market reopened.",
    "Rally organisers said thousands marched through the capital.",
    "Ukrainian drones struck an oil depot; a kamikaze drone hit a substation.",
    "Unknown assailants set fire to a church; protesters torched the governor's office.",
    "A gas cylinder explosion at a fireworks factory killed 12 workers.",
    "Security forces arrested 11 suspected members of the group.",
]


def _sentences() -> list[str]:
    out = list(EXTRA)
    for line in EVAL.read_text(encoding="utf-8").splitlines():
        if line.strip():
            item = json.loads(line)
            out.append(item.get("title") or "")
            out.extend(re.split(r"(?<=[.!?])\s+|\n+", item["text"]))
    return [s for s in out if s.strip()]


def _classify_every_rule(sentence: str) -> Trigger | None:
    """The trigger rules as first written: every rule scanned, the highest priority kept."""
    best: Trigger | None = None
    for pattern, event_type, sub_type, priority, needs_context in RULES:
        match = pattern.search(sentence)
        if match and (best is None or priority > best.priority):
            best = Trigger(event_type, sub_type, priority, match.group(0), match.start(), needs_context)
    if best is None or is_accident(sentence, best) or lacks_context(sentence, best):
        return None
    if best.event_type == EXPLOSIONS and not _kills(sentence):
        for pattern, event_type, sub_type, priority, needs_context in RULES:
            match = pattern.search(sentence) if sub_type == DISRUPTED else None
            if match and (match.start() < best.position or _EXPLOSIONS_HEARD.search(sentence)):
                return Trigger(event_type, sub_type, priority, match.group(0), match.start(), needs_context)
            if match:
                break
    armed = (
        _KILLED_ARMED.search(sentence) or _ARMED_KILLED.search(sentence) or _ARMED_LOSSES.search(sentence)
    ) and not (
        _CIVILIAN_VICTIMS.search(sentence)
    )
    if best.event_type == VAC and best.sub_event_type == "Attack" and best.priority <= 52 and armed:
        return Trigger(BATTLES, "Armed clash", 53, best.text, best.position)
    return best


def test_every_rule_match_contains_one_of_its_words() -> None:
    assert len(RULE_WORDS) == len(RULES)
    matched = 0
    for sentence in _sentences():
        for (pattern, *_), words in zip(RULES, RULE_WORDS, strict=True):
            for match in pattern.finditer(sentence):
                matched += 1
                assert any(word in match.group(0).lower() for word in words), (pattern.pattern, match)
    assert matched > 100


def test_classify_gives_what_scanning_every_rule_gives() -> None:
    sentences = _sentences()
    variants = [*sentences, *(s.upper() for s in sentences), *(s.lower() for s in sentences)]
    for sentence in variants:
        assert classify(sentence) == _classify_every_rule(sentence), sentence


DATED = [
    "On 3 March 2015, on March 3rd, on 2015-03-04, last Tuesday, yesterday, last night, overnight.",
    "Today, this morning, this afternoon, this evening, tonight, earlier today, two days ago.",
    "A day earlier, last week, earlier this week, a week ago, earlier this month, last month.",
    "In early May 2015, in mid-June, in Sept 2014, ON THE 5TH OF DECEMBER, MONDAY.",
]


def _find_dates_scanning_every_pattern(text: str, published: date) -> list[dates.ResolvedDate]:
    """Dates as first found: every pattern scanned."""
    cues = dict(dates.PATTERN_CUES)
    try:
        dates.PATTERN_CUES.update({kind: () for kind in cues})
        return dates.find_dates(text, published)
    finally:
        dates.PATTERN_CUES.update(cues)


def test_every_date_match_contains_its_cues() -> None:
    assert [kind for kind, _ in dates._PATTERNS] == list(dates.PATTERN_CUES)
    matched = 0
    for sentence in [*_sentences(), *DATED]:
        for kind, pattern in dates._PATTERNS:
            for match in pattern.finditer(sentence):
                matched += 1
                found = match.group(0).lower()
                assert all(any(cue in found for cue in group) for group in dates.PATTERN_CUES[kind]), (
                    kind,
                    match,
                )
    assert matched > 100


def test_find_dates_gives_what_scanning_every_pattern_gives() -> None:
    sentences = [*_sentences(), *DATED]
    published = date(2015, 3, 6)
    for sentence in [*sentences, *(s.upper() for s in sentences), *(s.lower() for s in sentences)]:
        assert dates.find_dates(sentence, published) == _find_dates_scanning_every_pattern(
            sentence, published
        ), sentence


def test_every_figure_match_contains_a_figure_word() -> None:
    patterns = [
        tolls.REVISION,
        tolls.CONJOINED,
        tolls.DEATH_SINGLE,
        tolls.DEATH_BEFORE,
        tolls.DEATH_AFTER,
        tolls.INJURY_BEFORE,
        tolls.INJURY_AFTER,
    ]
    matched = 0
    for sentence in [*_sentences(), "one man was shot dead", "the toll rose to 45", "hurting 3"]:
        for pattern in patterns:
            for match in pattern.finditer(sentence):
                matched += 1
                assert tolls._FIGURE_WORDS.search(match.group(0)), (pattern.pattern, match)
    assert matched > 50


@pytest.mark.parametrize(
    "text",
    [
        "Abu Bakr al-Baghdadi  spoke.\n\n  Then  Mr. Smith-Jones left Deir ez-Zor.  ",
        "Ça va — Sévaré, Köln; co-op\tU.S.-backed forces (SDF) entered.",
        "x",
    ],
)
def test_token_table_is_what_spacy_says(text: str) -> None:
    doc = recognizer().nlp(text)
    tokens = _Tokens(doc, text)
    assert tokens.text == [t.text for t in doc]
    assert tokens.idx == [t.idx for t in doc]
    assert [tokens.space(i) for i in range(len(doc))] == [bool(t.whitespace_) for t in doc]
    for start in range(len(doc) + 1):
        for end in range(start, len(doc) + 1):
            assert tokens.span_text(start, end) == doc[start:end].text


def _shape(analysis: Analysis) -> list[tuple[object, ...]]:
    return [(m.text, m.label, m.sentence, m.start, m.end, m.canonical) for m in analysis.mentions]


def test_one_article_leaves_nothing_behind_for_the_next() -> None:
    first = (
        "Lagos Attack",
        "Gunmen attacked a church in Lagos on Sunday, killing 12 people, police said. "
        "Commissioner Hakeem Odumosu said the attackers fled toward Ibadan.",
    )
    second = (
        None,
        "Odumosu visited Kabul. Fighting in Kandahar killed 4 soldiers, Afghan officials said.",
    )
    alone = recognizer().analyse(*second)
    recognizer().analyse(*first)
    after = recognizer().analyse(*second)
    assert _shape(after) == _shape(alone)
    assert [s.text for s in after.sentences] == [s.text for s in alone.sentences]
    tagger = Tagger()
    tagged = tagger.tag(second[0], second[1], date(2026, 11, 1), "second", fuse=False)
    assert tagged.persons == alone.persons()


def test_the_small_town_index_is_loaded_with_the_tagger() -> None:
    tagger = Tagger()
    assert tagger.recognizer.gazetteer._small is not None
