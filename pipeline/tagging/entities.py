"""Named entities without a statistical model: spaCy's tokenizer and rules over gazetteers.

The text is tokenised and split into sentences by a blank English spaCy pipeline. Actors come
from a PhraseMatcher over the actor catalogue. Every other run of capitalised words (with name
particles such as "al-", "bin", "of") is a candidate, classified in this order: a title before it
or a known given name (person); an organisation word at its end (organisation); a gazetteer entry
(place); a particle name such as "Abu Bakr al-Baghdadi" (person). Later surname-only mentions are
linked to the full name. When an English spaCy model is installed (``en_core_web_sm`` by default,
the ``tag.spacy_model`` setting to choose another, ``none`` to disable), its entities fill in spans the
rules left unclassified.
"""

from __future__ import annotations

import itertools
import logging
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any, Literal

import yaml

from pipeline.tagging.actors import Actor, ActorCatalogue, catalogue
from pipeline.tagging.naming import INSTITUTION_HEADS, REPORTING_VERBS, NameContext, type_name
from pipeline.tagging.options import DEFAULT_SPACY_MODEL, TagOptions
from pipeline.tagging.places import Gazetteer, Place, ResolvedPlace, gazetteer
from pipeline.tagging.rules import event_words
from pipeline.tagging.text import fold
from pipeline.tagging.tokenizing import ChunkTokenizer
from pipeline.tagging.truecase import CaseRestorer

log = logging.getLogger(__name__)

Label = Literal["PERSON", "ORG", "PLACE"]
DEFAULT_MODEL = DEFAULT_SPACY_MODEL
MODEL_CONTEXT_TOKENS = 60
# Strings the tokenizer may add to a pipeline's vocabulary before it is built afresh (each costs
# about 0.4 KiB with its lexeme: some 40 MiB at the limit).
VOCAB_GROWTH_LIMIT = 100_000
# A single-word town this large keeps its capitals in a headline restored to sentence case.
KNOWN_TOWN_POPULATION = 50_000
PARTICLES = frozenset(
    [
        "al",
        "el",
        "ad",
        "ar",
        "as",
        "ash",
        "az",
        "ez",
        "an",
        "at",
        "bin",
        "ibn",
        "bint",
        "abu",
        "abd",
        "abdel",
        "abdul",
        "de",
        "da",
        "del",
        "der",
        "van",
        "von",
        "la",
        "le",
        "du",
        "ul",
        "di",
        "dos",
        "das",
        "e",
        "i",
    ]
)
PLACE_SUFFIXES = {
    "province": "province",
    "governorate": "governorate",
    "state": "state",
    "district": "district",
    "region": "region",
    "oblast": "oblast",
    "county": "county",
    "prefecture": "prefecture",
}
# Second-order divisions written after a town's name with capitals: not part of the name.
DISTRICT_WORDS = (
    ("local", "government", "area"),
    ("local", "government", "council"),
    ("local", "government"),
    ("lga",),
    ("district",),
    ("sub-district",),
    ("subdistrict",),
    # A headline capitalises the place noun too: "Al-Raqqah City", "Hama Countryside".
    ("city",),
    ("town",),
    ("village",),
    ("countryside",),
)
PLURAL_PLACE_SUFFIXES = {
    "provinces": "province",
    "governorates": "governorate",
    "states": "state",
    "districts": "district",
    "regions": "region",
    "oblasts": "oblast",
    "counties": "county",
}
SHORT_ALIAS = 4


def _name_words(tokens: Sequence[str]) -> list[str]:
    """The words of a run, hyphens dropped, a lower-case syllable kept with the word before it
    ("Lee", "Hsien-loong"; "Al", "Shabaab")."""
    words: list[str] = []
    for k, token in enumerate(tokens):
        if token == "-":
            continue
        if words and k > 0 and tokens[k - 1] == "-" and token.islower():
            words[-1] = f"{words[-1]}-{token}"
        else:
            words.append(token)
    return words


# The longest lower-case syllable after a hyphen taken as part of a name ("chung" of "Yiu-chung").
NAME_SYLLABLE_MAX = 5


def _unlike_acronym(word: str, actor: Actor) -> bool:
    """Whether a short word matched case-insensitively is spelled unlike every alias of the
    actor ("Let" for "LeT", "Who" for "WHO"); capitals ("LET") are taken as the acronym."""
    if len(word) > SHORT_ALIAS or word.isupper():
        return False
    return word not in actor.aliases and word not in actor.exact_aliases and word != actor.name


# A town this large, after a locative word and in one country only, tells a text that names no
# country where it is ("12 killed during clashes in Inkhel").
LONE_TOWN_POPULATION = 20_000
ALTERNATE_LONE_TOWN_POPULATION = 100_000
LOCATIVE = frozenset(
    ["in", "near", "at", "outside", "from", "into", "to", "toward", "towards", "around", "across", "of"]
)
PLACE_NOUNS = re.compile(
    r"\b(?:town|city|village|villages|district|suburb|neighbourhood|neighborhood|province|"
    r"region|area|capital|outskirts|camp|port|border town|hamlet|community|county|parish|island|"
    r"municipality|governorate|prefecture|oblast|commune|township)\s+of\s*$",
    re.I,
)


_APPOSITIVE = re.compile(
    # not "Kharkiv, where officials reported": a clause about the place, not a person's title
    # nor a speaker after it ("Haditha, says official")
    r"^,\s*(?i:(?:a|an|the)?\s*(?:(?!(?:where|which|who|whose|when|while|as|after|and|but|since|"
    rf"because|though|although|if|whereas|{REPORTING_VERBS})\b)\w+\s)?(?:spokes\w+|official|commander|leader|"
    r"resident|witness|governor|chief|head|minister|member|police|officer|"
    r"deputy|director|activist|doctor|chairman))"
    # one person's title, not a plural ("Mubi, residents flee")
    r"(?!e?s\b)"
    # ... and not the title of the name after it ("Ogossagou and Welingara, local official
    # Moulaye Guindo said"), nor a speaker ("drone hits Belgorod, Russian governor says")
    rf"[\w-]*\b(?!\s+{REPORTING_VERBS}\b)(?:\s+[a-z][\w-]*\b){{0,2}}(?!\s+[A-Z])"
)
_REGION_OF = re.compile(r"\b(province|governorate|region|state|district|oblast)\s+of\s*$", re.I)
# The rural area of a province named after its seat: "the countryside of Idlib", "rural Damascus",
# "Hama countryside", "Aleppo's countryside", "the desert of Homs".
_RURAL_BEFORE = re.compile(
    r"\b(?i:countryside|countrysides|desert|badia|rural areas?)\s+of(?:\s+the)?"
    # "the countryside of Hama and Idlib": every name of the list.
    r"(?:\s+[A-Z][\w'\u2019-]*(?:\s+[A-Z][\w'\u2019-]*)?\s*(?:,|\band\b))*\s*"
    # "the countryside of al-Qameshly": the article attached to the name
    r"(?:(?i:al|el|ad|ar|as|ash|at|az|an)-)?$|\b(?i:rural)\s*$",
)
RURAL_LOOKBACK_TOKENS = 8
ATTACHED_ARTICLES = frozenset(["al", "el", "ad", "ar", "as", "ash", "at", "az", "an"])
_PARTY_NOUN_AFTER = re.compile(
    r"(?:-(?:backed|led|made|supplied|trained|allied)\b|\s+(?:(?:air|special|security|armed|regime|"
    r"government|ground)\s+)?(?:raids?|air ?strikes?|strikes?|warplanes|jets|planes|aircraft|helicopters|"
    r"drones?|forces|troops|soldiers|army|military|navy|militias?|militiamen|fighters|mercenaries|"
    r"shelling|bombardment|artillery|missiles?|rockets?|advisers|advisors|officers|commanders?|"
    r"patrols?|convoys?)\b)",
    re.I,
)
# A country's capital named by the country: "the Afghan capital", "C.African capital",
# "Somalia's capital", "the capital of Iraq" (not "the Afghan capital, Kabul", whose name is a
# mention of its own, nor "capital punishment", "the capital region").
_COUNTRY_WORDS = r"[A-Z][\w.'\u2019-]*(?:\s+[A-Z][\w.'\u2019-]*){0,2}?"
_CAPITAL_PHRASE = re.compile(
    rf"(?P<phrase>(?P<before>{_COUNTRY_WORDS})(?:'s|\u2019s)?\s+(?i:capital)(?:\s+(?i:city))?"
    rf"(?!\s*,?\s*[A-Z]|\s+(?i:of|punishment|markets?|gains?|flight|expenditure|investments?|"
    rf"region|district|territory|province|area)\b)"
    rf"|(?i:capital)(?:\s+(?i:city))?\s+of\s+(?:the\s+)?(?P<after>{_COUNTRY_WORDS})"
    rf"(?![\w.'\u2019-]|\s+[A-Z]))"
)
# "in the capital", "on the outskirts of the capital" (not "the capital, Kabul", "the capital of
# Borno state", "the capital's markets").
_BARE_CAPITAL = re.compile(
    r"\b(?:in|at|near|across|around|outside|into|of|inside|to)\s+(?P<phrase>the\s+capital)\b"
    r"(?!\s*,?\s*[A-Z]|['\u2019]s|\s+(?:of|city of|punishment|markets?|gains?|flight|expenditure|"
    r"investments?|region|district|territory|province|area)\b)"
)
RURAL_AFTER = frozenset(["countryside", "countrysides", "desert", "badia"])
DIRECTIONS = frozenset(
    f"{word}{suffix}"
    for word in (
        "north",
        "south",
        "east",
        "west",
        "northeast",
        "northwest",
        "southeast",
        "southwest",
        "north-east",
        "north-west",
        "south-east",
        "south-west",
    )
    for suffix in ("", "ern")
)


# What lies between a place and the province it is said to be in: "village in the western
# countryside of", "town in", ", in the north of".
_INSIDE_REGION = re.compile(
    r"[\s,]*(?:(?:village|town|city|area|camp|district|sub-district)\s+)?(?:in|of)\s+(?:the\s+)?"
    r"(?:(?:north|south|east|west|north-?east|north-?west|south-?east|south-?west)(?:ern)?\s+)?"
    r"(?:(?:countryside|province|governorate|state|region|part|outskirts)\s+of\s+(?:the\s+)?)?",
    re.I,
)


@dataclass(frozen=True, slots=True)
class Sentence:
    index: int
    text: str
    start: int
    end: int
    is_title: bool = False


@dataclass(slots=True)
class Mention:
    text: str
    label: Label
    sentence: int
    start: int
    end: int
    canonical: str
    actor: Actor | None = None
    place: ResolvedPlace | None = None
    # Read from a phrase rather than named ("the Afghan capital" -> Kabul): a place for the
    # incidents of its sentence, not one of the article's names.
    inferred: bool = False


@dataclass
class Analysis:
    """Everything the entity pass found in one article."""

    sentences: list[Sentence]
    mentions: list[Mention]
    countries: list[str] = field(default_factory=list)
    # The gazetteer the places were resolved with (incident extraction asks it about countries).
    gazetteer: Gazetteer | None = field(default=None, repr=False, compare=False)
    _by_sentence: dict[int, list[Mention]] | None = field(default=None, init=False, repr=False, compare=False)
    _indexed: int = field(default=0, init=False, repr=False, compare=False)

    def of_label(self, label: Label) -> list[Mention]:
        return [m for m in self.mentions if m.label == label and not m.inferred]

    def persons(self) -> list[str]:
        return list(dict.fromkeys(m.canonical for m in self.of_label("PERSON")))

    def organizations(self) -> list[str]:
        return list(dict.fromkeys(m.canonical for m in self.of_label("ORG")))

    def places(self) -> list[ResolvedPlace]:
        seen: dict[tuple[str, str], ResolvedPlace] = {}
        for m in self.of_label("PLACE"):
            if m.place is not None:
                seen.setdefault((m.place.place.name, m.place.place.country), m.place)
        return list(seen.values())

    def place_names(self) -> list[str]:
        return list(dict.fromkeys(m.canonical for m in self.of_label("PLACE")))

    def actors(self) -> list[Actor]:
        found: dict[str, Actor] = {}
        for m in self.mentions:
            if m.actor is not None:
                found.setdefault(m.actor.name, m.actor)
        return list(found.values())

    def in_sentence(self, index: int) -> list[Mention]:
        # Indexed once (and again if mentions were added): a scan of every mention per
        # sentence would make long articles quadratic.
        if self._by_sentence is None or self._indexed != len(self.mentions):
            by_sentence: dict[int, list[Mention]] = {}
            for m in self.mentions:
                by_sentence.setdefault(m.sentence, []).append(m)
            self._by_sentence = by_sentence
            self._indexed = len(self.mentions)
        return list(self._by_sentence.get(index, ()))


@dataclass(frozen=True)
class WordLists:
    first_names: frozenset[str]
    titles: frozenset[str]
    org_heads: frozenset[str]
    common: frozenset[str]
    compound_suffixes: frozenset[str] = frozenset()


@lru_cache(maxsize=1)
def word_lists() -> WordLists:
    text = resources.files("pipeline.data").joinpath("names.yaml").read_text("utf-8")
    data = yaml.safe_load(text)
    return WordLists(
        first_names=frozenset(str(w) for w in data["first_names"]),
        titles=frozenset(
            piece for w in data["titles"] for piece in {str(w).lower(), *str(w).lower().split()}
        ),
        org_heads=frozenset(str(w) for w in data["org_heads"]),
        common=frozenset(str(w) for w in data["common"]),
        compound_suffixes=frozenset(str(w) for w in data.get("compound_suffixes", [])),
    )


_HEADLINE_END = re.compile(r"[.!?:\"'\u201d\u2019)]\s*$")
HEADLINE_MAX_WORDS = 25


def _same_line(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def split_headline(title: str | None, body: str | None) -> tuple[str | None, str | None]:
    """Title and body with a headline repeated at the top of the body moved to the title.

    Extracted pages often repeat the headline as the body's first line. Such a line is dropped
    when it equals the title; without a title, a short first line with no closing punctuation
    followed by more text is taken as the headline.
    """
    if not body:
        return title, body
    stripped = body.lstrip()
    first, sep, rest = stripped.partition("\n")
    if not sep or not rest.strip():
        return title, body
    if title and title.strip():
        return (title, rest.lstrip()) if _same_line(first, title) else (title, body)
    words = first.split()
    if 0 < len(words) <= HEADLINE_MAX_WORDS and not _HEADLINE_END.search(first):
        return first.strip(), rest.lstrip()
    return title, body


class _Tokens:
    """One document's token attributes as plain lists. ``doc[i]`` builds a new spaCy Token on
    every call, and the rules read each token many times. ``text[i].lower()`` is the token's
    ``lower_`` (what the blank English vocabulary computes); ``space``, ``stop`` and ``punct``
    are the token's ``whitespace_``, ``is_stop`` and ``is_punct``, read in one array."""

    __slots__ = ("doc", "doc_text", "idx", "is_punct", "is_stop", "name", "spaces", "text")

    def __init__(self, doc: Any, text: str) -> None:
        """``text`` is ``doc.text``, which spaCy would otherwise rebuild token by token."""
        from spacy.attrs import IDX, IS_PUNCT, IS_STOP, SPACY

        self.doc = doc
        self.doc_text = text
        # One list per attribute: a list per token is some twenty times slower to build.
        columns: list[list[int]] = (
            doc.to_array([IDX, SPACY, IS_STOP, IS_PUNCT]).T.tolist() if len(doc) else [[], [], [], []]
        )
        self.idx: list[int] = columns[0]
        self.spaces: list[bool] = [bool(flag) for flag in columns[1]]
        self.is_stop: list[bool] = [bool(flag) for flag in columns[2]]
        self.is_punct: list[bool] = [bool(flag) for flag in columns[3]]
        # Tokens tile the text: each is followed by its trailing space, if any, then the next.
        ends = [*self.idx[1:], len(self.doc_text)] if self.idx else []
        self.text: list[str] = [
            self.doc_text[start : end - space]
            for start, space, end in zip(self.idx, columns[1], ends, strict=True)
        ]
        self.name: list[bool] = [t[:1].isupper() and _is_name_text(t) for t in self.text]

    def space(self, i: int) -> bool:
        return self.spaces[i]

    def stop(self, i: int) -> bool:
        return self.is_stop[i]

    def punct(self, i: int) -> bool:
        return self.is_punct[i]

    def span_text(self, start: int, end: int) -> str:
        """``doc[start:end].text``."""
        if end <= start:
            return ""
        return self.doc_text[self.idx[start] : self.idx[end - 1] + len(self.text[end - 1])]


class EntityRecognizer:
    """Loaded once per process (see :func:`recognizer`).

    spaCy keeps every token text it has met in its vocabulary for good, and a stream's
    vocabulary never stops growing (names, figures, misspellings): once the tokenizer has added
    ``vocab_growth_limit`` strings, the pipeline and its matchers are built afresh (about a
    tenth of a second; results do not change), and so is the optional model."""

    def __init__(
        self,
        actors: ActorCatalogue | None = None,
        places: Gazetteer | None = None,
        model: str | None = DEFAULT_MODEL,
        vocab_growth_limit: int = VOCAB_GROWTH_LIMIT,
    ) -> None:
        self.catalogue = actors or catalogue()
        self.gazetteer = places or gazetteer()
        self.words = word_lists()
        self.vocab_growth_limit = vocab_growth_limit
        self.rebuilds = 0
        self._model_name = model
        self._build_pipeline()
        self.model: Any = _load_model(model)
        self._model_strings = _string_count(self.model)
        self._aliases = frozenset(
            alias.lower() for actor in self.catalogue.actors for alias in (*actor.aliases, actor.name)
        ) | frozenset(alias for actor in self.catalogue.actors for alias in actor.exact_aliases)
        self.case_restorer = CaseRestorer.with_words(self._names_a_name, {*event_words(), *self.words.common})

    def _build_pipeline(self) -> None:
        import spacy
        from spacy.matcher import PhraseMatcher

        self.nlp = spacy.blank("en")
        self.nlp.add_pipe("sentencizer")
        self.nlp.max_length = 2_000_000
        self.documents = ChunkTokenizer(self.nlp)  # nlp(text), from cached chunk tokens
        self._actor_by_key: dict[str, Actor] = {}
        self.lower_matcher = PhraseMatcher(self.nlp.vocab, attr="LOWER")
        self.exact_matcher = PhraseMatcher(self.nlp.vocab, attr="ORTH")
        for index, actor in enumerate(self.catalogue.actors):
            key = f"actor{index}"
            self._actor_by_key[key] = actor
            self.lower_matcher.add(key, [self.nlp.make_doc(a) for a in actor.aliases])
            if actor.exact_aliases:
                self.exact_matcher.add(key, [self.nlp.make_doc(a) for a in actor.exact_aliases])
        self._pipeline_strings = _string_count(self.nlp)

    def _bound_vocabulary(self) -> None:
        """Build the pipeline (and the model) afresh once its vocabulary has grown too much."""
        if _string_count(self.nlp) - self._pipeline_strings > self.vocab_growth_limit:
            self._build_pipeline()
            self.rebuilds += 1
        if self.model is not None and (
            _string_count(self.model) - self._model_strings > self.vocab_growth_limit
        ):
            self.model = _load_model(self._model_name)
            self._model_strings = _string_count(self.model)

    # -- public ---------------------------------------------------------------------------------

    def _names_a_name(self, text: str) -> bool:
        """Whether a headline's words are a known name, kept capitalised when the headline is
        restored to sentence case: a country or nationality, an actor, a multi-word place, a
        sizeable or curated single-word place, a first name."""
        if self.gazetteer.country_of_word(text) or text.lower() in self._aliases or text in self._aliases:
            return True
        found, exact = self.gazetteer.candidates(text)
        if exact and found:
            if " " in text or "-" in text:
                return True
            # A single word by its own name only ("Add" is an alternate name of Addis Ababa).
            key = fold(text)
            return any(
                (key, p.name) in self.gazetteer.primary
                and (p.curated or p.kind != "city" or p.population >= KNOWN_TOWN_POPULATION)
                for p in found
            )
        first, _, rest = text.partition(" ")
        return first in self.words.first_names and (not rest or " " not in rest)

    def analyse(self, title: str | None, body: str | None) -> Analysis:
        self._bound_vocabulary()
        title, body = split_headline(title, body)
        if title:
            title = self.case_restorer.restore(title)
        parts = [(title or "").strip(), (body or "").strip()]
        sentences: list[Sentence] = []
        mentions: list[Mention] = []
        offset = 0
        docs = []
        tables: dict[int, _Tokens] = {}
        for part_index, part in enumerate(parts):
            if not part:
                continue
            doc = self.documents(part)
            docs.append((doc, offset, part_index == 0))
            tables[id(doc)] = _Tokens(doc, part)
            offset += len(part) + 2
        spans: list[tuple[int, Any, int, bool]] = []  # (sentence index, span, char offset, title)
        for doc, base, is_title in docs:
            tokens = tables[id(doc)]
            sents = [doc[:]] if is_title else list(doc.sents)
            for sent in sents:
                index = len(sentences)
                sent_text = tokens.span_text(sent.start, sent.end)
                stripped = sent_text.strip()
                lead = len(sent_text) - len(sent_text.lstrip())
                start_char = tokens.idx[sent.start] if sent.end > sent.start else 0
                sentences.append(
                    Sentence(
                        index,
                        stripped,
                        base + start_char + lead,
                        base + start_char + lead + len(stripped),
                        is_title,
                    )
                )
                spans.append((index, sent, base, is_title))
        # Actors first: they claim their tokens.
        claimed: set[tuple[int, int]] = set()
        for index, sent, base, _ in spans:
            tokens = tables[id(sent.doc)]
            for match in self._actor_matches(sent):
                start, end, actor = match
                mentions.append(
                    Mention(
                        tokens.span_text(start, end),
                        "ORG",
                        index,
                        base + tokens.idx[start],
                        base + tokens.idx[end - 1] + len(tokens.text[end - 1]),
                        actor.name,
                        actor=actor,
                    )
                )
                claimed.update((id(sent.doc), i) for i in range(start, end))
        countries = self._countries(sentences, mentions)
        candidates: list[tuple[int, Any, int, int, int]] = []
        for index, sent, base, is_title in spans:
            tokens = tables[id(sent.doc)]
            for start, end in self._capitalised_runs(sent, is_title, tokens):
                if any((id(sent.doc), i) in claimed for i in range(start, end)):
                    start, end = _trim_claimed(sent.doc, start, end, claimed)
                    if start >= end:
                        continue
                    # What is left of "The al-Shabab" is an article, not a name.
                    if end - start == 1 and (tokens.stop(start) or tokens.text[start] in self.words.common):
                        continue
                    start = self._after_titles(tokens, start, end)
                candidates.append((index, sent, base, start, end))
        if not countries:
            countries = self._shared_country(
                [tables[id(c[1].doc)].span_text(c[3], c[4]) for c in candidates],
                {
                    tables[id(c[1].doc)].span_text(c[3], c[4])
                    for c in candidates
                    if c[3] > c[1].start and tables[id(c[1].doc)].text[c[3] - 1].lower() in LOCATIVE
                },
            )
        persons: dict[str, str] = {}
        pending: list[tuple[int, Any, int, int, int]] = []
        # The body first: a headline capitalises every word, so a capitalised pair there
        # ("Claims Responsibility", "Funeral Held") is a person only if the body names them.
        candidates.sort(key=lambda c: sentences[c[0]].is_title)
        body_persons: set[str] | None = None
        for index, sent, base, start, end in candidates:
            in_title = sentences[index].is_title
            if in_title and body_persons is None:
                body_persons = set(persons.values())
            known = dict(persons) if in_title else persons
            mention = self._classify(sent, tables[id(sent.doc)], start, end, index, base, countries, known)
            if (
                mention is not None
                and in_title
                and mention.label == "PERSON"
                and mention.canonical not in (body_persons or set())
            ):
                mention = None
            if mention is None:
                pending.append((index, sent, base, start, end))
            else:
                mentions.append(mention)
        for index, sent, base, start, end in pending:
            span = sent.doc[start:end]
            surname = persons.get(span.text)
            if surname:
                mentions.append(
                    Mention(span.text, "PERSON", index, base + span.start_char, base + span.end_char, surname)
                )
            elif self.model is not None:
                mentions.extend(self._model_guess(span, index, base))
        mentions = self._with_capitals(sentences, mentions, countries)
        mentions.sort(key=lambda m: (m.start, m.end))
        self._inside_named_regions(sentences, mentions)
        return Analysis(sentences, mentions, countries, gazetteer=self.gazetteer)

    # -- steps ----------------------------------------------------------------------------------

    def _with_capitals(
        self, sentences: Sequence[Sentence], mentions: list[Mention], countries: Sequence[str]
    ) -> list[Mention]:
        """ "the Afghan capital", "Somalia's capital", "the capital of Iraq": the country's capital
        city, as an inferred mention beside the country's name; "in the capital" alone, the
        capital of the article's country."""
        found: list[Mention] = []
        # the article's country, else that of the first place it names (its dateline's)
        leading = next(
            iter([*countries[:1], *(m.place.place.country for m in mentions if m.place is not None)]), None
        )
        home_capital = self.gazetteer.capital_of(leading) if leading else None
        for sentence in sentences:
            if "apital" not in sentence.text:
                continue
            if home_capital is not None:
                found.extend(_bare_capitals(sentence, home_capital))
            for match in _CAPITAL_PHRASE.finditer(sentence.text):
                name = re.sub(r"['\u2019]s$", "", match.group("before") or match.group("after") or "")
                words = name.split()
                # "In Afghan Capital" (a headline): the shortest tail of the words that is a country.
                tails = [" ".join(words[k:]) for k in range(len(words))]
                code = next(filter(None, map(self.gazetteer.country_of_word, tails)), None)
                capital = self.gazetteer.capital_of(code) if code else None
                if capital is None:
                    continue
                phrase_start = match.start("phrase")
                if match.group("before"):
                    tail = next(t for t in tails if self.gazetteer.country_of_word(t) == code)
                    phrase_start = match.start("before") + match.group("before").rfind(tail)
                start, end = sentence.start + phrase_start, sentence.start + match.end("phrase")
                text = sentence.text[phrase_start : match.end("phrase")]
                canonical = capital.to_dict()["name"]
                found.append(
                    Mention(
                        text, "PLACE", sentence.index, start, end, canonical, place=capital, inferred=True
                    )
                )
        return mentions + found if found else mentions

    def _inside_named_regions(self, sentences: Sequence[Sentence], mentions: list[Mention]) -> None:
        """A place named inside a province ("Abyan village in the western countryside of Aleppo",
        "Sinjar in the countryside of Idlib") lies in it: a namesake elsewhere gives way to a
        small town of that name in the province, else to no coordinates at all (the incident
        then falls back to the province)."""
        for m, region in itertools.pairwise(mentions):
            if m.place is None or region.place is None or m.sentence != region.sentence:
                continue
            if region.place.precision != "admin1" or m.place.place.admin1 == region.place.place.admin1:
                continue
            sentence = sentences[m.sentence]
            between = sentence.text[m.end - sentence.start : region.start - sentence.start]
            if not _INSIDE_REGION.fullmatch(between):
                continue
            town = self.gazetteer.small_town(m.text, region.place.place.country)
            if town is not None and town.admin1 == region.place.place.admin1:
                m.place = ResolvedPlace(m.text, town, region.place.country_name)
            else:
                m.place, m.canonical = None, m.text

    def _after_titles(self, tokens: _Tokens, start: int, end: int) -> int:
        """Where the name starts in what an organisation left of a run: "CIA Director John
        Brennan", "UN Secretary-General Antonio Guterres" (titles are no part of the name)."""
        titles = self.words.titles
        while end - start > 1 and (
            tokens.text[start].lower().rstrip(".") in titles or tokens.text[start] == "-"
        ):
            start += 1
        return start

    def _actor_matches(self, sent: Any) -> Iterator[tuple[int, int, Actor]]:
        doc = sent.doc
        found: list[tuple[int, int, Actor]] = []
        for matcher in (self.lower_matcher, self.exact_matcher):
            for key, start, end in matcher(doc[sent.start : sent.end]):  # doc offsets
                actor = self._actor_by_key[self.nlp.vocab.strings[key]]
                found.append((start, end, actor))
        found.sort(key=lambda f: (f[0], -(f[1] - f[0])))
        last_end = -1
        for start, end, actor in found:
            if start < last_end:
                continue
            # A lower-case common word ("is", "who") never names an actor, nor does a short word
            # spelled unlike the acronym it matches ("Let Yet Kone village" is not LeT, "Who"
            # not the WHO): such a word must be in capitals or written as one of the aliases.
            if end - start == 1 and doc[start].is_lower and not doc[start].text.isupper():
                continue
            if end - start == 1 and _unlike_acronym(doc[start].text, actor):
                continue
            last_end = end
            yield start, end, actor

    def _countries(self, sentences: Sequence[Sentence], mentions: Sequence[Mention]) -> list[str]:
        counts: Counter[str] = Counter()
        for sentence in sentences:
            weight = 2 if sentence.index < 3 else 1
            for match in re.finditer(r"[A-Z][\w'\u2019.-]*(?:\s[A-Z][\w'\u2019-]*)?", sentence.text):
                word = match.group(0)
                for candidate in (word, word.split()[0]):
                    code = self.gazetteer.country_of_word(candidate)
                    if code:
                        if not self._party_demonym(candidate, sentence.text, match.start() + len(candidate)):
                            counts[code] += weight
                        break
        for mention in mentions:
            if mention.actor is not None and mention.actor.country:
                counts[mention.actor.country] += 1
        return [code for code, _ in counts.most_common()]

    def _party_demonym(self, word: str, text: str, end: int) -> bool:
        """ "Russian raids", "Turkish-backed factions", "Iranian militias": a nationality that names
        a party to the fighting says nothing about where it happens."""
        return self.gazetteer.is_demonym(word) and bool(_PARTY_NOUN_AFTER.match(text, end))

    def _shared_country(self, names: Sequence[str], located: AbstractSet[str] = frozenset()) -> list[str]:
        """For a text that names no country: the one country in which at least two of its names
        are places ("Talbiseh" and "Homs" are both Syrian towns), or one a curated place, or one
        sizeable town after a locative word ("clashes in Inkhel") that no other country has, so
        that each resolves there and not to a same-named town abroad. Nothing when no country
        stands out."""
        support: Counter[str] = Counter()
        for name in dict.fromkeys(names):
            found, exact = self.gazetteer.candidates(name)
            if not exact:
                continue
            # A curated place ("Eastern Ghouta") is evidence enough on its own.
            weights: dict[str, int] = {}
            for place in found:
                # "Hama" is also one of the other names of a Japanese town: no evidence of Japan.
                if not (place.curated or self._names_itself(name, place)):
                    continue
                weights[place.country] = max(weights.get(place.country, 0), 2 if place.curated else 1)
            if (
                name in located
                and len(weights) == 1
                and max(self._lone_town_weight(name, place) for place in found) >= LONE_TOWN_POPULATION
            ):
                weights = dict.fromkeys(weights, 2)
            support.update(weights)
        ranked = support.most_common(2)
        if not ranked or ranked[0][1] < 2 or (len(ranked) > 1 and ranked[1][1] == ranked[0][1]):
            return []
        return [ranked[0][0]]

    def _lone_town_weight(self, name: str, place: Place) -> int:
        """A town's population as evidence of its country when named alone: by its own name or a
        spelling of it ("Inkhel" for Inkhil), or by another name only for a city ("Bassa" is one
        of Passau's names, and a town in Nigeria)."""
        return place.population if self._names_itself(name, place) else 0

    def _names_itself(self, name: str, place: Place) -> bool:
        """Whether ``name`` is the place's own name (or a spelling of it), or one of the other
        names of a city large enough to be known by it."""
        return place.population >= ALTERNATE_LONE_TOWN_POPULATION or self.gazetteer.is_own_name(name, place)

    def _name_syllable(self, word: str) -> bool:
        """A short lower-case syllable that goes on a hyphenated name ("un" of "Jong-un"), not the
        English word of a compound ("led" of "Kurdish-led")."""
        return (
            word.isalpha()
            and word.islower()
            and len(word) <= NAME_SYLLABLE_MAX
            and word not in self.words.compound_suffixes
        )

    def _capitalised_runs(self, sent: Any, is_title: bool, tokens: _Tokens) -> Iterator[tuple[int, int]]:
        text, space, name = tokens.text, tokens.space, tokens.name
        i = sent.start
        end = sent.end
        while i < end:
            if not name[i]:
                i += 1
                continue
            j = i + 1
            while j < end:
                if name[j]:
                    j += 1
                    continue
                nxt = j + 1 if j + 1 < end else None
                if (
                    text[j] == "-"
                    and not space(j - 1)
                    and nxt is not None
                    and not space(j)
                    and (name[nxt] or text[nxt].lower() in PARTICLES)
                ):
                    j += 1
                    continue
                if (
                    text[j] == "-"
                    and not space(j - 1)
                    and nxt is not None
                    and not space(j)
                    and (self._name_syllable(text[nxt]))
                ):
                    j += 2  # "Kim Jong-un": the syllable after the hyphen is the name's
                    continue
                if (
                    text[j].lower() in PARTICLES
                    and nxt is not None
                    and (name[nxt] or (text[nxt] == "-" and not space(j)))
                ):
                    j += 1
                    continue
                if (
                    (text[j].lower() == "of" and text[j - 1] in self.words.org_heads)
                    or (text[j].lower() in ("on", "for") and text[j - 1] in INSTITUTION_HEADS)
                ) and (nxt is not None and name[nxt]):
                    j += 1
                    continue
                break
            start = i

            # Drop sentence-initial and headline common words, titles and demonyms at the front
            # (not from a country's name: "Central African Republic").
            # An organisation's name keeps its first words ("Central Bank raises rates"), not
            # the article before them.
            organisation = j - i > 1 and text[j - 1] in self.words.org_heads

            def opening_word(k: int, organisation: bool = organisation) -> bool:
                # A line break before the run starts a sentence as much as a full stop does.
                opens = k == sent.start or is_title or tokens.punct(k - 1) or text[k - 1].isspace()
                common = text[k] in self.words.common and not organisation
                return opens and (common or tokens.stop(k)) and not self._known_name(text[k])

            strip = (
                opening_word(start)
                and not self._whole_name(tokens.span_text(i, j), j - i)
                and not self._division_by_its_word(tokens, sent, i, j)
            )
            while strip and start < j and opening_word(start):
                start += 1
            # A headline's "Al-Raqqah" loses its article above: the run is "Raqqah", looked up
            # with the attached article as "al-Raqqah" is.
            while start < j and text[start] == "-" and start > sent.start and not space(start - 1):
                start += 1
            whole = tokens.span_text(start, j)
            keep_whole = (
                self.gazetteer.country_of_word(whole) is not None
                or (bool(self.gazetteer.candidates(whole)[0]) and j - start > 1)
                or self.gazetteer.is_feature(whole)
                # "the Interior Ministry", "the Defence Ministry": a title word before an
                # organisation word is part of the organisation's name.
                or (j - start > 1 and text[j - 1] in self.words.org_heads)
                # "Somali National Army", "U.S. Africa Command": the country is part of the name.
                or (
                    j - start > 1
                    and self.gazetteer.is_demonym(text[start])
                    and any(text[k] in self.words.org_heads for k in range(start + 1, j))
                    and text[start + 1].lower().rstrip(".") not in self.words.titles
                )
            )
            while (
                not keep_whole
                and start < j
                and (
                    text[start].lower().rstrip(".") in self.words.titles
                    or text[start].lower() in self.words.titles
                    or self.gazetteer.is_demonym(text[start])
                )
                and start + 1 < j
            ):
                start += 1
            stop = j
            while stop > start and (text[stop - 1] == "-" or text[stop - 1].lower() in PARTICLES):
                stop -= 1
            stop = self._without_district_word(tokens, start, stop)
            if stop > start and not self._lone_word_no_name(tokens, sent, start, stop):
                yield start, stop
            i = max(j, i + 1)

    def _lone_word_no_name(self, tokens: _Tokens, sent: Any, start: int, stop: int) -> bool:
        """Whether a run is one common word or demonym, which names nothing ("North", "Syrian"),
        unless a division word after it makes a division of it ("Cameroon's Northwest region")."""
        word = tokens.text[start]
        if stop - start != 1 or not (word in self.words.common or self.gazetteer.is_demonym(word)):
            return False
        return not self._division_by_its_word(tokens, sent, start, stop)

    def _division_by_its_word(self, tokens: _Tokens, sent: Any, start: int, stop: int) -> bool:
        """Whether the run and the division word after it name a first-order division
        ("Northwest region", "Centre province")."""
        nxt = tokens.text[stop].lower() if stop < sent.end else ""
        if nxt not in PLACE_SUFFIXES:
            return False
        places, _ = self.gazetteer.candidates(f"{tokens.span_text(start, stop)} {nxt}")
        return any(place.kind == "admin1" for place in places)

    def _without_district_word(self, tokens: _Tokens, start: int, stop: int) -> int:
        """Where a run ends without a trailing district word: "Bassa LGA" and "Kajuru Local
        Government Area" name the towns "Bassa" and "Kajuru". The word stays when the whole is a
        known name or the rest is no place ("Irving Independent School District")."""
        words = [t.lower() for t in tokens.text[start:stop]]
        for suffix in DISTRICT_WORDS:
            n = len(suffix)
            if len(words) > n and tuple(words[-n:]) == suffix:
                if self.gazetteer.candidates(tokens.span_text(start, stop))[0]:
                    return stop
                town, _ = self.gazetteer.candidates(tokens.span_text(start, stop - n))
                return stop - n if town else stop
        return stop

    def _whole_name(self, run: str, length: int) -> bool:
        """Whether a headline run keeps its first word: a country ("Central African Republic")
        or a place spelled exactly so ("El Fasher", "North Kivu"), not "Fasher" or "Kivu"."""
        if self.gazetteer.country_of_word(run) is not None:
            return True
        if length < 2:
            return False
        found, exact = self.gazetteer.candidates(run)
        return exact and bool(found)

    def _known_name(self, word: str) -> bool:
        return word in self.words.first_names and word not in self.words.common

    def _classify(
        self,
        sent: Any,
        tokens: _Tokens,
        start: int,
        end: int,
        index: int,
        base: int,
        countries: Sequence[str],
        persons: dict[str, str],
    ) -> Mention | None:
        token_text = tokens.text
        text = tokens.span_text(start, end)
        upper_word = text.isupper() and len(text) > 3 and " " not in text
        text_for_lookup = text.title() if upper_word else text
        words = _name_words(token_text[start:end])
        if not words:
            return None
        if (
            end + 1 < sent.end
            and token_text[end] == "-"
            and token_text[end + 1].lower()
            in ("based", "backed", "led", "linked", "allied", "born", "owned", "made", "held")
        ):
            return None
        char_start = base + tokens.idx[start]
        char_end = base + tokens.idx[end - 1] + len(token_text[end - 1])
        before_text = tokens.span_text(max(sent.start, start - 3), start)
        # "al-Busayrah": the run is "Busayrah", the place is looked up with its article first.
        attached = (
            start - 2 >= sent.start
            and token_text[start - 1] == "-"
            and token_text[start - 2].lower() in ATTACHED_ARTICLES
            and not tokens.space(start - 2)
            and not tokens.space(start - 1)
        )
        # the word before the name, before its attached article ("in al-Atarib": "in")
        before = start - 3 if attached else start - 1
        prev = token_text[before] if before >= sent.start else None
        titled = prev is not None and (
            prev.lower().rstrip(".") in self.words.titles or prev.lower() in self.words.titles
        )
        after_raw = tokens.span_text(end, min(sent.end, end + 6))

        def mention(label: Label, canonical: str, **extra: Any) -> Mention:
            return Mention(text, label, index, char_start, char_end, canonical, **extra)

        context = NameContext(
            text=text,
            words=words,
            lookup=text_for_lookup,
            article_lookup=f"{token_text[start - 2]}-{text_for_lookup}" if attached else None,
            prev=prev,
            titled=titled,
            appositive=bool(_APPOSITIVE.match(after_raw)),
            after=tokens.span_text(end, min(sent.end, end + 6)).lower(),
            prev_locative=prev is not None and prev.lower() in LOCATIVE,
            after_place_noun=bool(PLACE_NOUNS.search(before_text)),
            find_rural=lambda: self._rural(tokens, sent, end, before_text),
            find_region_words=lambda: self._region_words(tokens, sent, end, before_text),
            countries=countries,
            persons=persons,
            words_list=self.words,
            gazetteer=self.gazetteer,
            make=mention,
        )
        return type_name(context)

    def _region_words(self, tokens: _Tokens, sent: Any, end: int, before_text: str) -> list[str]:
        """The region words that may make a province of the name ending at ``end``: a suffix
        right after it ("Borno state", "Idlib Province"), the plural one after a second name
        ("Idlib and Aleppo provinces"), or a region noun before it ("the province of Idlib")."""
        token_text = tokens.text
        words: list[str] = []
        nxt = token_text[end].lower() if end < sent.end else None
        if (
            nxt in ("and", ",")
            and end + 2 < sent.end
            and tokens.name[end + 1]
            and token_text[end + 2].lower() in PLURAL_PLACE_SUFFIXES
        ):
            words.append(PLURAL_PLACE_SUFFIXES[token_text[end + 2].lower()])
        elif nxt is not None and nxt in PLURAL_PLACE_SUFFIXES:
            words.append(PLURAL_PLACE_SUFFIXES[nxt])
        elif nxt is not None and nxt in PLACE_SUFFIXES:
            words.append(nxt)
        region_noun = _REGION_OF.search(before_text)
        if region_noun is not None:
            words.append(region_noun.group(1).lower())
        return words

    def _rural(self, tokens: _Tokens, sent: Any, end: int, before_text: str) -> bool:
        """Whether the name ending at ``end`` stands for its province's rural area."""
        token_text = tokens.text
        after = [t.lower() for t in token_text[end : min(sent.end, end + 4)]]
        if after[:1] and after[0] in ("'s", "\u2019s"):
            after = after[1:]
        # "Aleppo countryside", "Aleppo's northern countryside", "Hama and Homs countrysides"
        if after[:1] and after[0] in DIRECTIONS:
            after = after[1:]
        elif len(after) >= 3 and after[0] in ("and", ",") and tokens.name[end + 1]:
            after = after[2:]
        if after[:1] and after[0] in RURAL_AFTER:
            return True
        start = end - 1
        while start > sent.start and tokens.name[start - 1]:
            start -= 1
        wider = tokens.span_text(max(sent.start, start - RURAL_LOOKBACK_TOKENS), start)
        return bool(_RURAL_BEFORE.search(wider)) or bool(_RURAL_BEFORE.search(before_text))

    def _model_guess(self, span: Any, index: int, base: int) -> list[Mention]:
        labels: dict[str, Label] = {"PERSON": "PERSON", "ORG": "ORG", "GPE": "PLACE", "LOC": "PLACE"}
        # The sentence around the span, at most MODEL_CONTEXT_TOKENS either side: the model
        # runs once per unresolved span, so a whole run-on "sentence" would make it quadratic.
        sent = span.sent
        context = span.doc[
            max(sent.start, span.start - MODEL_CONTEXT_TOKENS) : min(
                sent.end, span.end + MODEL_CONTEXT_TOKENS
            )
        ]
        try:
            doc = self.model(context.text)
        except Exception:  # pragma: no cover - a broken optional model must not stop the stage
            log.exception("optional spaCy model failed")
            return []
        out: list[Mention] = []
        offset = span.start_char - context.start_char
        for ent in doc.ents:
            if ent.start_char <= offset < ent.end_char and ent.label_ in labels:
                out.append(
                    Mention(
                        span.text,
                        labels[ent.label_],
                        index,
                        base + span.start_char,
                        base + span.end_char,
                        span.text,
                    )
                )
        return out


def _bare_capitals(sentence: Sentence, capital: ResolvedPlace) -> list[Mention]:
    """ "a roadside bomb killed two civilians in the capital": the capital of the article's
    country (not "the provincial capital", nor "the capital, Kabul")."""
    name = capital.to_dict()["name"]
    return [
        Mention(
            sentence.text[match.start("phrase") : match.end("phrase")],
            "PLACE",
            sentence.index,
            sentence.start + match.start("phrase"),
            sentence.start + match.end("phrase"),
            name,
            place=capital,
            inferred=True,
        )
        for match in _BARE_CAPITAL.finditer(sentence.text)
    ]


def _trim_claimed(doc: Any, start: int, end: int, claimed: set[tuple[int, int]]) -> tuple[int, int]:
    while start < end and (id(doc), start) in claimed:
        start += 1
    while end > start and (id(doc), end - 1) in claimed:
        end -= 1
    if any((id(doc), i) in claimed for i in range(start, end)):
        return start, start
    return start, end


def _is_name_text(text: str) -> bool:
    if not text or not text[0].isupper():
        return False
    if len(text) == 1:
        return False
    letters = text.replace("'", "").replace("\u2019", "").replace(".", "")
    return letters.isalpha()


def _string_count(pipeline: Any) -> int:
    """Strings in a spaCy pipeline's vocabulary (0 for no pipeline)."""
    return 0 if pipeline is None else len(pipeline.vocab.strings)


def _load_model(name: str | None) -> Any:
    """The spaCy model ``name`` if it is installed; None for none (``None``, ``""``, ``"none"``)."""
    if not name or name.strip().lower() in ("", "none", "null"):
        return None
    try:
        import spacy

        if not spacy.util.is_package(name):
            return None
        return spacy.load(name, disable=["lemmatizer", "parser", "tagger", "attribute_ruler"])
    except Exception:  # pragma: no cover - optional extra
        log.warning("spaCy model %s is installed but could not be loaded", name)
        return None


@lru_cache(maxsize=2)
def recognizer(options: TagOptions = TagOptions()) -> EntityRecognizer:  # noqa: B008 - frozen
    """The process-wide recogniser for these options (gazetteer and spaCy loaded once)."""
    return EntityRecognizer(
        catalogue(options.actors_extra),
        gazetteer(options.gazetteer_min_population, options.gazetteer_small_towns, options.cache_dir),
        options.spacy_model,
    )


def folded_set(names: Sequence[str]) -> set[str]:
    return {fold(name) for name in names}
