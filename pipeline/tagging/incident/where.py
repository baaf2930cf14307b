"""Where an incident happened: the most specific place of the sentences that report it, the
seat of "the provincial capital", and the article's place when a sentence names none."""

from __future__ import annotations

import re
from collections import Counter

from pipeline.tagging.entities import Analysis, Mention
from pipeline.tagging.incident.model import LOOK_AFTER, LOOK_BEFORE, SAME_PLACE_KM
from pipeline.tagging.places import PRECISION_RANK, ResolvedPlace, distance_km


def sentence_places(analysis: Analysis, index: int) -> list[Mention]:
    return [m for m in analysis.in_sentence(index) if m.label == "PLACE" and m.place is not None]


# Places named as a direction, a border or where the wounded were taken rather than where the
# event happened ("near the crossing with Iraq", "fled toward Turkey", "taken to hospital in
# Ouallam", "evacuated to Goma").
DIRECTIONAL = re.compile(
    r"\b(?:(?:crossings?|borders?|frontier|boundary)\s+(?:with|into)|bordering|toward|towards|"
    r"fled\s+(?:to|into)|headed\s+(?:to|for)|returned\s+(?:to|from)|"
    r"(?:taken|rushed|transferred|evacuated|airlifted|flown|moved|treated|admitted)\s+"
    r"(?:(?:to|at|in)\s+)?(?:(?:a|the)\s+)?"
    r"(?:(?:hospitals?|clinics?|medical centres?|medical centers?)\s+(?:in|at)|to)|"
    # where it was told: "told reporters in Pemba", "speaking to journalists in Kabul"
    r"(?:told|briefed|addressed)\s+(?:reporters|journalists|the media|the press|a news conference|"
    r"a press conference)\s+(?:in|at)|speaking\s+(?:to\s+(?:reporters|journalists)\s+)?(?:in|at|from)|"
    r"(?:news|press) conference\s+(?:in|at))\s+(?:the\s+)?$",
    re.I,
)


def directional(sentence: str, mention: str) -> bool:
    position = find_in(sentence, mention)
    return bool(DIRECTIONAL.search(sentence[max(0, position - LOOK_BEFORE) : position]))


_LOCATIVE_BEFORE = re.compile(
    # "in Iraq's Diyala province": a possessive country between the preposition and the place
    r"\b(?:in|near|at|outside|of|on|into|around)\s+(?:the\s+)?(?:[\w'\u2019]+\s+){0,3}$",
    re.I,
)


# A country as a party rather than a place: "shelling by Turkey", "Russia boosts its campaign",
# "Turkey's Anadolu agency" ("C.Africa militia kills 20" still places the event in the country).
_PARTY_BEFORE = re.compile(r"\b(?:by|from|with|against|and|or)\s+(?:the\s+)?$", re.I)
_PARTY_AFTER = re.compile(
    r"^(?:['\u2019]s\b|\s*:|\s+(?:said|says|has|have|had|is|was|will|would|to|and|denies|denied|"
    r"accuses|accused|warns|warned|vows|vowed|claims|claimed|confirms|confirmed|"
    r"[a-z]+[^s\W]s)\b)"
)


def after_locative(sentence: str, mention: str) -> bool:
    position = find_in(sentence, mention)
    return bool(_LOCATIVE_BEFORE.search(sentence[max(0, position - LOOK_BEFORE) : position]))


_BORDER_AFTER = re.compile(r"(?:['\u2019]s)?\s+(?:border|frontier)\b", re.I)


def could_be_event_place(mention: Mention, sentence: str) -> bool:
    """Places named only as a direction or a border ("the crossing with Iraq") are not where an
    event happened, nor is a country named other than after a locative: "Russia boosts its air
    campaign", "shelling by Turkey" name a party, "in Syria" a place."""
    if directional(sentence, mention.text):
        return False
    is_country = mention.place is not None and mention.place.precision == "country"
    if is_country and _BORDER_AFTER.match(sentence, find_in(sentence, mention.text) + len(mention.text)):
        return False  # "killed 'terrorists' near Burkina border"
    if not is_country or after_locative(sentence, mention.text):
        return True
    position = find_in(sentence, mention.text)
    before = sentence[max(0, position - LOOK_BEFORE) : position]
    after = sentence[position + len(mention.text) : position + len(mention.text) + LOOK_AFTER]
    return not (_PARTY_BEFORE.search(before) or _PARTY_AFTER.match(after))


# A wire dateline: "KADUNA, Nigeria (Reuters) - ", "BAGHDAD (AP) — ", "Mogadishu, Somalia: ".
_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
# "CAIRO (Reuters) - ", "PESHAWAR, Pakistan, March 11 (AP) - ", "KHARTOUM, 11 March - "
DATELINE = re.compile(
    # the town: capitalised words, or particles ("Port of Spain"): "Gunmen killed 5 - " is none
    r"^\s*[A-Z][\w'\u2019.-]*(?:\s(?:[A-Z][\w'\u2019.-]*|of|de|du|el|al|la|es|da|do)){0,4}"
    # its country: "Pakistan", "Democratic Republic of Congo"
    r"(?:,\s*[A-Z][\w.]+(?:\s(?:[A-Z][\w.]+|of|the)){0,4})?"
    rf"(?:,?\s*(?:{_MONTH}\s+\d{{1,2}}|\d{{1,2}}\s+{_MONTH})(?:,?\s+\d{{4}})?)?\s*"
    r"(?:\([^)]{1,40}\)\s*)?(?:\u2014|\u2013|-|:)\s"
)


def dateline_end(sentence: str) -> int:
    """Where a sentence's dateline ends (0 for none)."""
    match = DATELINE.match(sentence)
    return match.end() if match else 0


def best_place(mentions: list[Mention], sentence: str) -> ResolvedPlace | None:
    """Most specific place in a sentence that could be an event's place, preferring one after a
    locative preposition. The dateline's town is where the report was filed: it is the event's
    place only when the sentence names no other."""
    scored: list[tuple[int, bool, int, ResolvedPlace]] = []
    seen: set[str] = set()
    filed_at = dateline_end(sentence)
    if filed_at:
        # "PESHAWAR, Pakistan, March 11 (AP) - Militants attacked ... in Pakistan's northwest":
        # the places named after the dateline, read in the words after it. The dateline says
        # where the report was filed, not where its event happened ("BAMAKO (Reuters) - Mali's
        # army said it had killed dozens ... near the border").
        sentence = sentence[filed_at:]
        mentions = [m for m in mentions if m.text in sentence]
    for order, m in enumerate(mentions):
        assert m.place is not None
        # Mentions are located by their text, so a repeated one scores as its first occurrence.
        if m.text in seen:
            continue
        seen.add(m.text)
        if not could_be_event_place(m, sentence):
            continue
        locative = after_locative(sentence, m.text)
        container = possessive(sentence, m.text)
        scored.append((PRECISION_RANK[m.place.precision] - (1 if locative else 0), container, order, m.place))
    if not scored:
        return None
    scored.sort(key=lambda s: (s[0], s[1], s[2]))
    return scored[0][3]


_POSSESSIVE_AFTER = re.compile(r"^['\u2019]s\s+[A-Z]")


def possessive(sentence: str, mention: str) -> bool:
    """Whether a place is named as the container of the next ("Kaduna's Kajuru", "Plateau's
    Bassa"): of two equally specific places, the one inside wins."""
    position = find_in(sentence, mention)
    return bool(_POSSESSIVE_AFTER.match(sentence[position + len(mention) :]))


# "the provincial capital", "the state capital": the seat of the division named before it.
DIVISION_CAPITAL = re.compile(r"\bthe\s+(?:provincial|regional|governorate|state)\s+capital\b", re.I)


# "forced thousands to flee towards Goma, the provincial capital", "told reporters in Pemba, the
# provincial capital": where people went or spoke, not where the event was.
_TOWARD_BEFORE = re.compile(
    r"\b(?:toward|towards|fled|flee|fleeing|headed|heading|evacuated|taken|rushed|retreated|"
    r"told reporters|told journalists|news conference|press conference)\b[^.;]{0,40}$",
    re.I,
)


def division_capital(
    analysis: Analysis, sentence_index: int, text: str, place: ResolvedPlace | None
) -> ResolvedPlace | None:
    """The seat of the province the article was just speaking of, when a clause places its event
    in "the provincial capital" without naming it. The province is the one of ``place`` when that
    is a province, else that of the last town or province named before the phrase."""
    gaz = analysis.gazetteer
    match = DIVISION_CAPITAL.search(text)
    if gaz is None or match is None:
        return None
    if _TOWARD_BEFORE.search(text[max(0, match.start() - LOOK_BEFORE) : match.start()]):
        return None
    admin1 = place.place.admin1 if place is not None and place.precision == "admin1" else None
    if admin1 is None:
        for m in reversed(analysis.mentions):
            if m.sentence > sentence_index or m.place is None or m.label != "PLACE":
                continue
            if m.sentence == sentence_index and m.text not in text[: match.start()]:
                continue
            if m.place.precision in ("city", "neighbourhood", "area", "admin1") and m.place.place.admin1:
                admin1 = m.place.place.admin1
                break
    seat = gaz.seats.get(admin1) if admin1 else None
    if seat is None:
        return None
    return ResolvedPlace(
        mention=match.group(0), place=seat, country_name=gaz.country_names.get(seat.country, seat.country)
    )


def more_precise(new: ResolvedPlace, old: ResolvedPlace) -> bool:
    """A more precise place in the same country (or any place when the old one is a country)."""
    finer = PRECISION_RANK[new.precision] < PRECISION_RANK[old.precision]
    return finer and new.place.country == old.place.country


def find_in(sentence: str, text: str) -> int:
    pos = sentence.find(text)
    return pos if pos >= 0 else len(sentence)


def inside(a: ResolvedPlace, b: ResolvedPlace) -> bool:
    """One is a province and the other a place in it ("the province of Idlib" ... "the town of
    Kafranbel")."""
    same_province = bool(a.place.admin1) and a.place.admin1 == b.place.admin1
    return same_province and "admin1" in (a.precision, b.precision)


def far(a: ResolvedPlace | None, b: ResolvedPlace | None, km: float = SAME_PLACE_KM) -> bool:
    if a is None or b is None:
        return False
    if "country" in (a.precision, b.precision):
        return a.place.country != b.place.country
    return distance_km(a.place.lat, a.place.lon, b.place.lat, b.place.lon) > km


def article_fallback_place(analysis: Analysis) -> ResolvedPlace | None:
    """The article's place for incidents whose sentences name none: the town named most, else
    the first place that could be an event's place, else the country of the dateline's town.
    The dateline's town itself is where the report was filed, not an event's place."""
    filed = _dateline_mentions(analysis)
    places = [
        m
        for m in analysis.mentions
        if m.place is not None
        and m.label == "PLACE"
        and id(m) not in filed
        and could_be_event_place(m, analysis.sentences[m.sentence].text)
    ]
    if not places:
        filed_country = _dateline_country(analysis, [m for m in analysis.mentions if id(m) in filed])
        return filed_country or _topic_country(analysis)
    city = Counter(
        (m.place.place.name, m.place.place.country)
        for m in places
        if m.place and m.place.precision in ("city", "neighbourhood")
    )
    # A town stands for the article only when it is its town: named more than once, or the only
    # one. Of several towns named once each ("the villages of Kadawa, Gora and Rini"), none is
    # where an incident whose sentence names no place happened: the province or country is.
    ((name, country), count) = city.most_common(1)[0] if city else (("", ""), 0)
    if count >= 2 or len(city) == 1:
        for m in places:
            if m.place and (m.place.place.name, m.place.place.country) == (name, country):
                return m.place
    wider = [m for m in places if m.place and m.place.precision not in ("city", "neighbourhood")]
    if city and not wider:
        return None
    if wider:
        # the province rather than its country ("Nigeria's Zamfara state")
        return min(wider, key=lambda m: PRECISION_RANK[m.place.precision] if m.place else 9).place
    return places[0].place


def _topic_country(analysis: Analysis) -> ResolvedPlace | None:
    """The country a headline is labelled with ("Mali: Jihadists kill 11 soldiers"), when the
    article names no other country: a label such as "Russia: US strike killed 12" is a speaker."""
    title = next((s for s in analysis.sentences if s.is_title), None)
    gaz = analysis.gazetteer
    if title is None or gaz is None or len(set(analysis.countries)) != 1:
        return None
    end = dateline_end(title.text)
    if not title.text[:end].rstrip().endswith(":"):
        return None
    code = analysis.countries[0]
    words = _CAPITALISED.findall(title.text[end:])
    others = {gaz.country_of_word(w) for w in words} | {gaz.country_of_word(w.rstrip(".")) for w in words}
    if others - {None, code}:
        return None  # "Russia: Turkish strike killed 12", "Russia: U.S. strike ..."
    for m in analysis.mentions:
        if m.sentence != title.index or m.place is None or m.place.precision != "country":
            continue
        if 0 <= title.text.find(m.text) < end and m.place.place.country == code:
            return m.place
    return None


_CAPITALISED = re.compile(r"\b[A-Z][\w'\u2019.-]*")


def _dateline_mentions(analysis: Analysis) -> set[int]:
    """The mentions (by id) inside the first body sentence's dateline."""
    body = [s for s in analysis.sentences if not s.is_title]
    if not body:
        return set()
    first = body[0]
    end = dateline_end(first.text)
    return {
        id(m)
        for m in analysis.mentions
        if m.sentence == first.index and end and 0 <= first.text.find(m.text) < end
    }


def _dateline_country(analysis: Analysis, filed: list[Mention]) -> ResolvedPlace | None:
    """The country of the dateline's town ("BAMAKO (Reuters) - ..." is Mali)."""
    gaz = analysis.gazetteer
    for m in filed:
        if m.place is None or gaz is None:
            continue
        country = gaz.countries.get(m.place.place.country)
        if country is not None:
            return ResolvedPlace(m.text, country, gaz.country_names.get(country.country, country.country))
    return None


# Armed groups that fight in their own country: with no place named, an incident they take
# part in is placed in that country ("Somali forces retake town from al-Shabaab").
DOMESTIC_GROUP_TYPES = frozenset({"rebel_group", "political_militia", "identity_militia"})


def home_country_of_group(analysis: Analysis, sentences: list[int]) -> ResolvedPlace | None:
    """The country of a domestic armed group named in ``sentences``, when it is the only
    country the article speaks of: an incident that names no place is placed there, at the
    precision of a country. Nothing when the article names another country ("M23 seize a town
    on the Uganda border") or groups of two countries."""
    gaz = analysis.gazetteer
    if gaz is None or len(set(analysis.countries)) > 1:
        return None
    homes = {
        m.actor.country
        for m in analysis.mentions
        if m.sentence in sentences
        and m.actor is not None
        and m.actor.country
        and m.actor.type in DOMESTIC_GROUP_TYPES
    }
    if len(homes) != 1:
        return None
    (code,) = homes
    country = gaz.countries.get(code)
    if country is None or (analysis.countries and analysis.countries[0] != code):
        return None
    name = gaz.country_names.get(code, code)
    return ResolvedPlace(name, country, name)


# "in the northwest", "in the country's north", "in the south of the country": a part of the
# country, not a named place. An incident told so is not at the article's town.
_VAGUE_PART = re.compile(
    r"\b(?:in|across)\s+(?:the\s+)?(?:country's\s+|country\u2019s\s+|far\s+|restive\s+)?"
    r"(?:north|south|east|west|north-?east|north-?west|south-?east|south-?west)(?:ern)?"
    r"(?:\s+(?:part|parts|region|regions|provinces?)(?:\s+of\s+the\s+country)?|\s+of\s+the\s+country)?"
    r"(?=\s*[,.;:!?]|\s*$|\s+(?-i:[a-z]))(?!\s+of\b)",
    re.I,
)


def names_a_vague_part(sentence: str) -> bool:
    """Whether the sentence places its event only in a part of the country ("militants attacked
    a checkpoint in the northwest"), not in a named place ("in northern Syria", "in the north
    of Aleppo")."""
    return _VAGUE_PART.search(sentence) is not None


def country_of(analysis: Analysis, place: ResolvedPlace) -> ResolvedPlace:
    """The country a place is in, as a place of that precision."""
    gaz = analysis.gazetteer
    country = gaz.countries.get(place.place.country) if gaz is not None else None
    if country is None or place.precision == "country":
        return place
    name = gaz.country_names.get(country.country, country.country) if gaz is not None else country.name
    return ResolvedPlace(name, country, name)
