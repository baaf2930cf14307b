"""Deaths and injuries stated in a sentence, from digits and words.

"at least 40 fighters died", "killing 12", "some 25", "dozens were killed", "left 68 dead",
"killing him and three others", "one soldier and four militants were killed" (five). Vague
quantities follow ACLED's coding convention (dozens = 12, scores = 20, hundreds = 100,
several/many = 10). A figure introduced as an earlier estimate ("up
from an earlier estimate of some 25", "initially reported") is kept apart: it goes into the
incident's history, not its current toll. Cumulative figures ("since 2009", "so far this year")
and sub-counts ("including 10 children") are ignored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from pipeline.tagging.rules import trigger_rules

Kind = Literal["deaths", "injuries"]

UNITS = {
    "zero": 0,
    "no": 0,
    "one": 1,
    "a": 1,
    "an": 1,
    "single": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
    "dozen": 12,
    "couple": 2,
}
VAGUE = {
    "dozens": 12,
    "scores": 20,
    "hundreds": 100,
    "thousands": 1000,
    "several": 10,
    "many": 10,
    "numerous": 10,
    "a few": 3,
    "few": 3,
    "tens": 10,
}
_WORD_NUM = (
    r"(?:(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:[\s-](?:one|two|three|four|five|six|seven|eight|nine))?"
    r"|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen"
    r"|sixteen|seventeen|eighteen|nineteen|a dozen|a couple of|a single)"
    r"(?:\s+(?:hundred|thousand))?"
)
NUM = (
    rf"(?:\d{{1,3}}(?:,\d{{3}})+|\d+(?:\.\d+)?(?:\s+(?:hundred|thousand|million))?|{_WORD_NUM}"
    r"|dozens|scores|hundreds|thousands|several|numerous|tens)"
)
QUAL = (
    r"(?:at least|more than|over|some|about|around|nearly|near|almost|up to|as many as|an estimated|"
    r"approximately|roughly|close to|fewer than|less than|no fewer than|a total of|another|"
    r"a further|at most)"
)
_DEATH = (
    r"(?:killed|dead|died|dies|die|deaths|death|slain|perished|executed|massacred|lost their lives|"
    r"martyrs|martyred|martyr|"
    r"lost his life|lost her life|fatalities|bodies|corpses|murdered|beheaded|assassinated|shot dead|"
    r"neutrali[sz]ed|"
    r"were killed|have been killed|had been killed|was killed)"
)
_INJURY = r"(?:wounded|injured|hurt|injuries|wounding|injuring|casualties)"
# Up to five words between a count and its verb; a word may hold dots ("S.African", "U.N.").
_NOUN = r"(?:[A-Za-z'\u2019-]+(?:\.[A-Za-z'\u2019-]*)*\s+){0,5}?"

DEATH_AFTER = re.compile(
    # "At least 10, including a priest, killed": an apposition between the count and its verb
    rf"\b(?P<qual>{QUAL}\s+)?(?P<num>{NUM})(?:,\s+(?:including|among them)\s+[^,.;:]{{1,40}},)?"
    rf"\s+{_NOUN}(?:(?:people|persons|others|of them)\s+)?"
    rf"(?:(?:were|have been|had been|was|are|being|been|reportedly|also|all|who|later)\s+){{0,3}}"
    rf"(?P<word>{_DEATH})\b",
    re.I,
)
DEATH_BEFORE = re.compile(
    rf"\b(?P<word>killed|killing|kills|kill|neutrali[sz](?:ed|es|e|ing)|left|leaving|claimed the lives of|"
    rf"claiming the lives of|"
    rf"death toll (?:[\w'\u2019-]+\s+){{0,9}}?(?:to|at|of|reached|stands at|stood at|is|was)|"
    # "The death toll from a bombing at a mosque in the capital during evening prayers rose to 21"
    rf"(?:death )?toll (?:[\w'\u2019.,-]+\s+){{0,16}}?(?:rose|rises|has risen|had risen|climbed|climbs|"
    rf"has climbed|increased|increases|jumped|jumps|reached|reaches|has reached|topped|tops)"
    rf"(?:\s+to|\s+at)?|"
    rf"toll (?:(?:now|has|had|later|then)\s+)?(?:rose|climbed|increased|jumped|reached|stood|stands|"
    rf"has risen|risen|rose to)(?:\s+to|\s+at)?|"
    rf"dead numbered|"
    rf"bodies (?:(?:discovered|found|recovered|retrieved) )?of|"
    rf"(?:the )?deaths? of|(?:the )?killings? of|killed at least|"
    rf"massacred|executed|executes|execute|executing|"
    rf"assassinated|assassinates|assassinate|assassinating|"
    rf"beheaded|beheads|behead|"
    rf"the execution of|shot dead|shoots? dead|gunned down|guns? down|hacked to death|hacks? to death|"
    rf"stabbed to death|burned alive|burnt alive|burns? alive|slaughtered|slaughters|slaughter|"
    rf"claims? the lives of|claimed the lives of|"
    # "the army loses two soldiers", never "lost 20 months" or "lost three seats"
    rf"(?:lose|loses|lost|losing)(?=\s+(?:{QUAL}\s+)?{NUM}\s+(?:of\s+(?:its|their|his)\s+)?"
    rf"(?:[\w-]+\s+)?(?:soldiers|troops|men|members|fighters|policemen|officers|servicemen|personnel)\b))\s+"
    rf"(?:(?:him|her|himself|herself|themselves|itself)\s+and\s+)?(?P<qual>{QUAL}\s+)?(?P<num>{NUM})"
    rf"(?P<rest>\s+(?:[A-Za-z'\u2019-]+\s+){{0,3}}?(?:dead|others|martyrs)\b|"
    rf"\s+of\s+the\s+(?:attackers|assailants|bombers|raiders)\b)?",
    re.I,
)
INJURY_AFTER = re.compile(
    # not the "one" of "no one was hurt"
    rf"(?<!\bno )\b(?P<qual>{QUAL}\s+)?(?P<num>{NUM})\s+{_NOUN}(?:(?:were|have been|had been|was|are|others|"
    rf"people|also|being)\s+){{0,3}}(?P<word>wounded|injured|hurt)\b",
    re.I,
)
INJURY_BEFORE = re.compile(
    rf"\b(?P<word>wounding|injuring|wounded|injured|wounds|injures|wound|injure|hurt|hurting)\s+"
    rf"(?P<qual>{QUAL}\s+)?(?P<num>{NUM})",
    re.I,
)
DEATH_SINGLE = re.compile(
    r"\b(?P<num>an?|one)\s+(?:[\w-]+\s+){0,2}?(?:man|woman|child|boy|girl|soldier|civilian|"
    r"policeman|police officer|officer|journalist|person|resident|student|worker|fighter|"
    r"militant|protester|demonstrator|teenager|farmer|doctor)\s+(?:was|has been|had been|were)\s+"
    r"(?:\w+\s+)?(?:killed|shot dead|slain|beheaded|executed)\b",
    re.I,
)
_VICTIMS = trigger_rules().vocabularies["victims"]
_VICTIM = "(?:{victim}|{nationals})".format(**trigger_rules().vocabularies)
# "a soldier", "an elderly civilian": one victim, counted in a list as one.
_ONE_VICTIM = rf"an?(?=\s+(?:[A-Za-z'\u2019-]+\s+)?{_VICTIM}\b)"
# "one government soldier and four militants were killed", "eight soldiers and 12 militants died",
# "a soldier and two civilians were killed": two counts sharing one death verb.
CONJOINED = re.compile(
    # "Two soldiers, 10 insurgents die": a comma joins two counts only after a noun for people
    rf"\b(?P<qual>{QUAL}\s+)?(?P<num>{NUM}|{_ONE_VICTIM})\s+(?:(?:[A-Za-z'\u2019-]+\s+){{0,3}}?and|"
    rf"(?:[A-Za-z'\u2019-]+\s+){{0,2}}?{_VICTIMS},)\s+(?:{QUAL}\s+)?"
    rf"(?P<num2>{NUM}|{_ONE_VICTIM})\s+(?:[A-Za-z'\u2019-]+\s+){{0,3}}?(?:(?:were|have been|had been|was)\s+"
    rf"(?:\w+\s+)?(?:killed|slain|shot dead)|died|dies|die|perished|lost their lives|"
    # a headline's bare participle, not an active verb with its object ("... killed 30 people")
    rf"(?:killed|slain)(?!\s+(?:{QUAL}\s+)?(?:{NUM}|an?|the|his|her|their)\b))\b",
    re.I,
)
# "5 members of the regime forces and militiamen loyal to them were killed", "At least 13 people,
# including 11 militiamen, were killed": a count of people and its passive death verb apart.
VICTIMS_KILLED = re.compile(
    rf"\b(?P<qual>{QUAL}\s+)?(?P<num>{NUM})\s+(?:[A-Za-z'\u2019-]+\s+){{0,3}}?{_VICTIMS}\b"
    rf"(?P<gap>[^.;:!?]{{0,90}}?)\s(?:were|have been|had been|are|was|has been)\s+"
    rf"(?:(?:reportedly|also|all|later|allegedly)\s+)?(?:killed|slain|shot dead|executed|martyred|"
    rf"beheaded|massacred|found dead)\b",
    re.I,
)
# Headline style, no auxiliary: "61 members from the \u201cIslamic State\u201d killed during six days".
VICTIMS_KILLED_HEADLINE = re.compile(
    rf"\b(?P<qual>{QUAL}\s+)?(?P<num>{NUM})\s+(?:[A-Za-z'\u2019-]+\s+){{0,3}}?{_VICTIMS}\b"
    # up to six words naming whose they were, none of them another verb ("... who attacked")
    rf"(?P<gap>(?:\s+(?!(?:who|which|that|and|after|as|when|while)\b)(?![a-z]+ed\b)"
    rf"[\u201c\u201d\"]*[\w'\u2019-]+[\u201c\u201d\"]*){{0,6}}?)\s+(?:killed|slain|martyred|executed|beheaded)\b",
)
# "kills and beheads 4 fighters", "killing and executing 35 members": two verbs, one count.
TWO_VERBS = re.compile(
    rf"\b(?:kill(?:s|ed|ing)?|execut(?:es|ed|ing|e))\s+and\s+(?:behead|execut|kill|slaughter)\w*\s+"
    rf"(?P<qual>{QUAL}\s+)?(?P<num>{NUM})\b",
    re.I,
)
# What follows a count's noun when the count rises: "... rises to 20", "... to about 150".
_RISES_TO = (
    rf"[^.;]{{0,80}}?\b(?:rises?|rose|raises?|risen|reached|reaches|increased?|climbed|to)\s+(?:to\s+)?"
    rf"(?P<qual>{QUAL}\s+)?(?P<num>{NUM})\b"
)
# "the number of fatalities ... rises to 20", "raise the number of killed ... to about 150",
NUMBER_RISES = re.compile(
    # "the number of civilians killed", "the number of those who were killed in mine explosions"
    r"\bnumber of (?:the )?(?:[\w'\u2019-]+\s+){0,3}?(?:dead|deaths|fatalities|killed|victims|martyrs)\b"
    + _RISES_TO,
    re.I,
)
# "the number of injured had risen to 20", "the number of wounded rose to 45"
INJURY_RISES = re.compile(
    r"\bnumber of (?:the )?(?:[\w'\u2019-]+\s+){0,2}?(?:injured|wounded|injuries)\b" + _RISES_TO,
    re.I,
)
_INJURY_WORD = re.compile(r"\b(?:injured|wounded|injuries|hurt)\b", re.I)
# "the attack claimed 14 lives", "claiming the lives of 9 people".
CLAIMED_LIVES = re.compile(
    rf"\bclaim(?:ed|s|ing)?\s+(?:(?:the\s+)?lives\s+of\s+)?(?P<qual>{QUAL}\s+)?(?P<num>{NUM})\s+"
    rf"(?:[A-Za-z'\u2019-]+\s+){{0,2}}?(?:lives|people|persons|civilians|victims)\b",
    re.I,
)
# A headline's lone victim, with no article or auxiliary: "Man shot dead in Chicago", "Soldier
# killed in Kidal", "Journalist gunned down outside his home".
HEADLINE_SINGLE = re.compile(
    rf"^\s*(?:(?-i:[A-Z])[\w'\u2019-]*\s+)?{_VICTIM}\s+(?:shot dead|killed|slain|stabbed to death|"
    rf"beheaded|executed|gunned down|murdered|shot and killed|hacked to death|lynched)\b",
    re.I,
)
# "killed a teacher", "executes a man", "killed a 62-year-old man": one victim named after the verb.
KILLED_ONE = re.compile(
    rf"\b(?:killed|killing|kills|kill|shot dead|executed|executes|execute|executing|beheaded|"
    rf"assassinated|assassinates)\s+(?P<num>an?|one)\s+(?:[\w'\u2019-]+\s+){{0,2}}?{_VICTIM}\b",
    re.I,
)
# Headline style, no article: "Gunmen kill aid worker in Juba", "Drone strike kills al-Qaeda
# commander", "Militants behead village elder". The victim ends the phrase ("kill soldier's
# family" is not one victim).
KILLED_BARE = re.compile(
    rf"\b(?:kill(?:s|ed)?|shoots? dead|shot dead|behead(?:s|ed)?|execut(?:es|ed)|assassinat(?:es|ed)|"
    rf"guns? down|gunned down|(?:stab(?:s|bed)?|hack(?:s|ed)?) to death|lynch(?:es|ed)?)\s+"
    rf"(?:(?!\d|(?:an?|the|one|his|her|their|two|three|four|five|several|many|more|dozens|scores)\b)"
    rf"[\w'\u2019-]+\s+){{0,2}}?"
    rf"{_VICTIM}(?=\s+(?:in|at|near|on|outside|inside|during|after|as|while|from|of)\b|\s*[,;:]|\s*$)",
    re.I,
)
# A toll stated as none: "there were no casualties", "no one was hurt", "Police fire tear gas at
# protesters, no casualties". "No immediate reports of casualties" states nothing.
NO_DEATHS = re.compile(
    r"\bthere\s+(?:were|was|have been)\s+no\s+(?:immediate\s+)?(?:casualties|deaths|fatalities)\b|"
    r"\bno\s+(?:casualties|deaths|fatalities)\s+(?:were|was|have been|had been)\s+(?:reported|recorded)\b|"
    r"\b(?:caused|causing|left|leaving|claimed)\s+no\s+(?:casualties|deaths|fatalities|lives)\b|"
    r"\bwithout\s+(?:causing\s+)?(?:any\s+)?(?:casualties|deaths|fatalities)\b|"
    r"\b(?:no\s+one|no-one|nobody)\s+(?:was|were|has been|had been)\s+(?:killed|hurt|injured|wounded)\b|"
    r",\s*no\s+(?:casualties|deaths|fatalities)(?:\s+reported)?\s*(?:$|[,;.])",
    re.I,
)
# "kill a police officer and his wife", "killed village chief and his son": one victim and one
# of theirs, two dead.
_RELATIVE = (
    r"(?:wife|husband|son|daughter|brother|sister|father|mother|nephew|niece|cousin|uncle|aunt|"
    r"grandson|granddaughter|grandfather|grandmother|fianc\u00e9e?|fiancee?)"
)
KILLED_PAIR = re.compile(
    rf"\b(?:killed|killing|kills|kill|shot dead|shoot dead|shoots dead|gunned down|gun down|guns down)\s+"
    rf"(?P<one>(?:an?\s+|the\s+)?(?:[\w'\u2019-]+\s+){{0,2}}?{_VICTIM}\s+and\s+(?:his|her|their)\s+"
    rf"(?:[\w'\u2019-]+\s+)?(?:{_RELATIVE}|{_VICTIM}))\b(?!\s*-|\s+(?:in-law|and)\b)",
    re.I,
)
# "killing 5 soldiers and 10 militants", "kill a woman and two of her children", "killed a
# governor and his two bodyguards", "kills 2 police, 3 paramilitaries": a list after the verb
# adds up ("killing 5 civilians, 3 of them children" does not).
KILLED_LIST = re.compile(
    rf"\b(?:killed|killing|kills|kill)\s+(?P<qual>{QUAL}\s+)?(?P<num>{NUM}|an?)\s+"
    rf"(?:[A-Za-z'\u2019-]+\s+){{0,3}}?(?:{_VICTIMS}|{_VICTIM})(?:\s+and|,)\s+(?:(?:his|her|their)\s+)?"
    rf"(?:{QUAL}\s+)?(?P<num2>{NUM})(?!\s+of\s+(?:them|whom)\b)"
    rf"\s+(?:of\s+(?:her|his|their)\s+)?(?:[A-Za-z'\u2019-]+\s+){{0,2}}?{_VICTIMS}\b"
    # "killing eight soldiers, two local officials said": the sources, not more victims
    rf"(?!\s+(?:said|say|says|told|reported|confirmed|added))",
    re.I,
)
REVISION = re.compile(
    rf"\b(?:up|down|revised)\s+from\s+(?:an?\s+|the\s+)?(?:\w+\s+){{0,2}}?(?:estimate|toll|figure|count|"
    rf"report|tally|number)s?\s+of\s+(?P<qual>{QUAL}\s+)?(?P<num>{NUM})|"
    rf"\b(?:earlier|initial|previous|preliminary)\s+(?:death\s+)?(?:estimate|toll|figure|count|report|"
    # "an earlier toll given by a local official was nine"
    rf"tally)s?(?:\s+(?:given|issued|released|provided|reported|announced|cited)\s+by\s+"
    rf"(?:[\w'\u2019-]+\s+){{1,4}}?)?\s*(?:of|was|had been|put at|stood at)\s+"
    rf"(?P<qual2>{QUAL}\s+)?(?P<num2>{NUM})|"
    # "an earlier estimate from local officials had put the toll of the fighting at 18"
    rf"\b(?:earlier|initial|previous|preliminary)\s+(?:death\s+)?(?:estimate|toll|figure|count|report|"
    rf"tally)s?\b[^.;]{{0,80}}?\b(?:put|set|gave|placed)\b[^.;]{{0,40}}?\b(?:at|as)\s+"
    rf"(?P<qual3>{QUAL}\s+)?(?P<num3>{NUM})|"
    # "the toll was initially reported as 18", "first put at 18"
    rf"\b(?:toll|figure|count|number of (?:dead|deaths))\b[^.;]{{0,30}}?\b(?:initially|previously|first|"
    rf"originally)\s+(?:been\s+)?(?:reported|given|put|estimated|set|announced)\s+(?:as|at)\s+"
    rf"(?P<qual4>{QUAL}\s+)?(?P<num4>{NUM})|"
    # "rose to 30 from an earlier 18", "up from 18"
    rf"\bfrom an? (?:earlier|initial|previous|preliminary)\s+(?:\w+\s+)?(?P<num5>{NUM})\b|"
    rf"\bup from\s+(?P<qual6>{QUAL}\s+)?(?P<num6>{NUM})\b(?!\s+(?:percent|per cent|%))",
    re.I,
)
REVISION_NUMBERS = ("num", "num2", "num3", "num4", "num5", "num6")
EARLIER = re.compile(
    r"(?:earlier|initial|initially|previous|previously|first|preliminary|original|originally|"
    r"up from|revised|had said|had reported|had put)\b[^.;]{0,40}$",
    re.I,
)
EARLIER_AFTER = re.compile(
    r"^[^.;]{0,25}\b(?:initially|previously|at first)\b|^[^.;]{0,25}\b(?:said|reported)\s+earlier\b",
    re.I,
)
SUBCOUNT = re.compile(
    r"(?:including|among them|among the dead|among those|of whom|of them|of which|among whom|"
    r"among the victims|among the)\s+(?:\w+\s+){0,2}$",
    re.I,
)
CUMULATIVE = re.compile(
    r"\bsince\s+(?!(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|dawn|early|"
    r"this morning|last night|the (?:attack|blast|explosion|bombing|assault|raid))\b)|"
    r"\bblamed for\b|\bso far this year\b|"
    r"\bover the (?:past|last) (?:\w+ )?(?:years|months|decade)\b|\bin recent (?:years|months)\b|"
    r"\bduring the war\b|\bin the conflict\b|\bof the (?:war|conflict|insurgency)\b|\bto date\b|"
    r"\bcampaign has killed\b|\binsurgency has killed\b|"
    r"\b(?:war|conflict|insurgency|violence|crisis|unrest|campaign|rebellion|uprising)\s+(?:that|which)\s+"
    r"(?:has|have|had)\s+(?:so far\s+|already\s+)?(?:killed|claimed|left)\b|\bhave been killed in\b.*\bwar\b",
    re.I,
)
NOT_PEOPLE = re.compile(
    r"^\s*(?:years?|km|kilometers|kilometres|miles|meters|metres|percent|per cent|%|"
    r"minutes|hours|days|weeks|months|am|pm|a\.m\.|p\.m\.|gmt|dollars|million|billion|"
    r"homes|houses|buildings|vehicles|cars|tanks|rockets|missiles|shells|bombs)\b",
    re.I,
)


@dataclass(frozen=True, slots=True)
class Figure:
    kind: Kind
    value: int
    text: str
    earlier: bool = False
    vague: bool = False
    position: int = 0


def parse_number(text: str) -> int | None:
    """ "40" -> 40, "forty-two" -> 42, "1,200" -> 1200, "dozens" -> 12, "two hundred" -> 200."""
    raw = text.strip().lower()
    if not raw:
        return None
    if raw in VAGUE:
        return VAGUE[raw]
    raw = raw.replace("a couple of", "two").replace("a dozen", "twelve").replace("a single", "one")
    multiplier = 1
    for word, factor in (("million", 1_000_000), ("thousand", 1000), ("hundred", 100)):
        if raw.endswith(" " + word):
            multiplier, raw = factor, raw[: -len(word) - 1].strip()
            break
    digits = raw.replace(",", "")
    if re.fullmatch(r"\d+(?:\.\d+)?", digits):
        return int(float(digits) * multiplier)
    total = 0
    for part in re.split(r"[\s-]+", raw):
        if part not in UNITS:
            return None
        total += UNITS[part]
    return total * multiplier


def _accept(sentence: str, start: int, end: int) -> bool:
    if SUBCOUNT.search(sentence[max(0, start - 40) : start]):
        return False
    return not NOT_PEOPLE.match(sentence[end : end + 20])


# Every figure pattern above needs one of these words (or the start of one): a sentence without
# any of them states no figure, and one scan says so instead of eight.
_FIGURE_WORDS = re.compile(
    r"kill|slain|behead|execut|left|leaving|lives|toll|dead|bodies|death|massacr|died|dies|\bdie\b|"
    r"martyr|perish|lost|\blos(?:e|es|ing)\b|assassinat|neutrali|gunned|guns? down|alive|slaughter|"
    r"lynch|casualt|"
    r"fatalit|corpse|murder|wound|injur|hurt|estimate|figure|count|report|tally|number",
    re.I,
)
_REFLEXIVE = re.compile(r"\b(?:him|her|himself|herself|itself)\s+and\s", re.I)
_NOT_DEATH_ONLY = re.compile(r"\b(?:wounded|injured|hurt|and|or)\b", re.I)
_PASSIVE_END = re.compile(r"\b(?:were|have been)\s*$", re.I)
# Cheap tests that the patterns above could match at all (most sentences with a figure word do
# not need the costly ones).
_ACTIVE_KILLING = re.compile(r"\b(?:kill|execut|behead|assassinat|shot dead|slain|martyr|dead)", re.I)
_PASSIVE_DEATH = re.compile(
    r"\b(?:were|was|are|have been|had been|has been)\s+(?:\w+\s+)?(?:killed|slain|shot|executed|martyred|"
    r"beheaded|massacred|found)\b",
    re.I,
)
_INJURED_TOO = re.compile(r"\b(?:wounded|injured|hurt|injuries|and\s+(?:killed|wounded|injured))\b", re.I)
# "Two suicide bombers killed 92 people": a count before an active verb with its own object is
# the attackers, not the dead.
_ACTIVE_OBJECT = re.compile(rf"\s+(?:{QUAL}\s+)?(?:{NUM}|an?\s|the\s|his\s|her\s|their\s)", re.I)


_HEADLINE_DEATH = re.compile(r"\b(?:killed|slain|martyred|executed|beheaded)\b", re.I)
# How far before its verb a count of victims can start ("At least 13 people, including 11
# militiamen, were killed"): the costly patterns only scan that much before each verb.
VICTIM_REACH = 200


def _before_anchors(pattern: re.Pattern[str], anchor: re.Pattern[str], sentence: str) -> list[re.Match[str]]:
    """Matches of ``pattern`` that end at one of ``anchor``'s matches, looked for only in the
    stretch of text before each anchor."""
    found: dict[tuple[int, int], re.Match[str]] = {}
    for verb in anchor.finditer(sentence):
        for match in pattern.finditer(sentence, max(0, verb.start() - VICTIM_REACH), verb.end()):
            found.setdefault(match.span(), match)
    return [found[span] for span in sorted(found)]


_OF_THOUSANDS = re.compile(r"\s+of\s+thousands\b", re.I)


def _war_magnitude(num: str, sentence: str, end: int) -> bool:
    """ "Thousands", "tens of thousands", "hundreds of thousands": a war's dead, never one
    incident's toll ("Tens of thousands of people have been killed")."""
    word = num.lower()
    if word == "thousands":
        return True
    return word in ("tens", "hundreds") and _OF_THOUSANDS.match(sentence, end) is not None


class _Figures:
    """The figures read from one sentence so far; a number is read once, by the first pattern
    that claims it."""

    def __init__(self, sentence: str) -> None:
        self.sentence = sentence
        self.out: list[Figure] = []
        self.spans: list[tuple[int, int]] = []

    def claimed(self, start: int, end: int) -> bool:
        return any(s < end and start < e for s, e in self.spans)

    def put(self, figure: Figure, span: tuple[int, int]) -> None:
        self.spans.append(span)
        self.out.append(figure)

    def add(self, kind: Kind, match: re.Match[str], bonus: int = 0) -> None:
        sentence = self.sentence
        num_start, num_end = match.span("num")
        if self.claimed(num_start, num_end) or not _accept(sentence, num_start, num_end):
            return
        value = parse_number(match.group("num"))
        if value is None or value > 100_000 or _war_magnitude(match.group("num"), sentence, num_end):
            return
        before = sentence[max(0, match.start() - 60) : match.start()]
        after = sentence[match.end() : match.end() + 30]
        earlier = bool(EARLIER.search(before)) or bool(EARLIER_AFTER.search(after))
        vague = match.group("num").lower() in VAGUE
        self.put(Figure(kind, value + bonus, match.group(0), earlier, vague, num_start), (num_start, num_end))


def figures(sentence: str) -> list[Figure]:
    """Death and injury figures in one sentence, in order."""
    if not _FIGURE_WORDS.search(sentence) or CUMULATIVE.search(sentence):
        return []
    found = _Figures(sentence)
    _read_revisions_and_lists(found)
    _read_deaths(found)
    _read_injuries(found)
    found.out.sort(key=lambda f: f.position)
    return found.out


def _read_revisions_and_lists(found: _Figures) -> None:
    """Earlier estimates, and counts that add up ("one soldier and four militants were killed")."""
    sentence = found.sentence
    for match in REVISION.finditer(sentence):
        group = next(name for name in REVISION_NUMBERS if match.group(name))
        value = parse_number(match.group(group))
        if value is not None:
            vague = match.group(group).lower() in VAGUE
            figure = Figure("deaths", value, match.group(0), True, vague, match.start(group))
            found.put(figure, match.span(group))
    for match in CONJOINED.finditer(sentence):
        first, second = _count_of(match.group("num")), _count_of(match.group("num2"))
        if first is None or second is None or not _accept(sentence, *match.span("num")):
            continue
        figure = Figure("deaths", first + second, match.group(0), False, False, match.start("num"))
        found.put(figure, (match.start("num"), match.end("num2")))
    if _ACTIVE_KILLING.search(sentence) is None:
        return
    for match in KILLED_LIST.finditer(sentence):
        first = _count_of(match.group("num"))
        second = parse_number(match.group("num2"))
        if first is None or second is None or not _accept(sentence, *match.span("num")):
            continue
        figure = Figure("deaths", first + second, match.group(0), False, False, match.start("num"))
        found.put(figure, (match.start("num"), match.end("num2")))
    for match in KILLED_PAIR.finditer(sentence):
        if not found.claimed(*match.span("one")):
            pair = Figure("deaths", 2, match.group(0), False, False, match.start("one"))
            found.put(pair, match.span("one"))


def _count_of(num: str) -> int | None:
    """A list member's count: "a" or "an" before a victim is one."""
    return 1 if num.lower() in ("a", "an") else parse_number(num)


def _read_deaths(found: _Figures) -> None:
    sentence = found.sentence
    active = _ACTIVE_KILLING.search(sentence) is not None
    for match in _before_anchors(VICTIMS_KILLED, _PASSIVE_DEATH, sentence):
        if not _INJURED_TOO.search(match.group("gap")):
            found.add("deaths", match)
    for match in _before_anchors(VICTIMS_KILLED_HEADLINE, _HEADLINE_DEATH, sentence) if active else ():
        if not _ACTIVE_OBJECT.match(sentence, match.end()):
            found.add("deaths", match)
    for pattern in (TWO_VERBS, NUMBER_RISES, CLAIMED_LIVES):
        for match in pattern.finditer(sentence):
            found.add("deaths", match)
    for match in DEATH_SINGLE.finditer(sentence):
        found.add("deaths", match)
    if not found.out:
        _read_lone_victim(found)
    for match in KILLED_ONE.finditer(sentence) if active else ():
        found.add("deaths", match)
    _read_death_words(found)
    if not found.out:
        for match in KILLED_BARE.finditer(sentence):
            found.out.append(Figure("deaths", 1, match.group(0), False, False, match.start()))
    if not found.out:
        for match in NO_DEATHS.finditer(sentence):
            found.out.append(Figure("deaths", 0, match.group(0), False, False, match.start()))


def _read_lone_victim(found: _Figures) -> None:
    """A headline's lone victim with no count: "Soldier killed in Kidal"."""
    sentence = found.sentence
    for match in HEADLINE_SINGLE.finditer(sentence):
        if not _ACTIVE_OBJECT.match(sentence, match.end()):
            # the whole phrase is the figure: no number in it for a later pattern to claim
            found.out.append(Figure("deaths", 1, match.group(0), False, False, match.start()))


def _read_death_words(found: _Figures) -> None:
    """A count beside a word of death: "killing 12", "left 5 dead", "12 dead", "30 died"."""
    sentence = found.sentence
    for match in DEATH_BEFORE.finditer(sentence):
        word = match.group("word").lower()
        if word in ("left", "leaving") and not match.group("rest"):
            continue
        if match.group("rest") and "dead" not in match.group("rest").lower() and word in ("left", "leaving"):
            continue
        reflexive = _REFLEXIVE.search(match.group(0))
        # "the toll of injured rose to 30" counts the wounded
        injured = _INJURY_WORD.search(sentence, match.start(), match.start("num")) is not None
        found.add("injuries" if injured else "deaths", match, 1 if reflexive else 0)
    for match in DEATH_AFTER.finditer(sentence):
        between = sentence[match.end("num") : match.start("word")]
        if _NOT_DEATH_ONLY.search(between) and not _PASSIVE_END.search(between):
            continue
        if match.group("word").lower() in ("killed", "massacred", "executed") and _ACTIVE_OBJECT.match(
            sentence, match.end()
        ):
            continue
        found.add("deaths", match)


def _read_injuries(found: _Figures) -> None:
    for pattern in (INJURY_RISES, INJURY_BEFORE, INJURY_AFTER):
        for match in pattern.finditer(found.sentence):
            found.add("injuries", match)


UPDATE = re.compile(r"\b(?:rose|risen|climbed|increased|jumped|reached|now|revised|up to)\b", re.I)


def is_update(figure: Figure) -> bool:
    """Whether a figure is stated as an update of an earlier count ("the toll rose to 30")."""
    return not figure.earlier and UPDATE.search(figure.text) is not None


# A figure told on top of the lead's: "N ... were also killed", "another N", "a further N".
# So is a count of the attackers ("Security forces killed three of the attackers"): the lead
# counts those they attacked; and so are an attacking force's own losses ("Army kills 10 militants,
# loses two soldiers").
_OTHER_WORDS = r"\b(?:also|another|a further|an additional)\b"
_LOSS = r"\blos(?:e|es|t|ing)\s+(?!(?:their|his|her)\s+li(?:fe|ves)\b)"
ADDED = re.compile(rf"{_OTHER_WORDS}|\b(?:attackers|assailants|bombers|raiders)\b|{_LOSS}", re.I)
LOSS = re.compile(_LOSS, re.I)
OTHER_WORDS = re.compile(_OTHER_WORDS, re.I)


def _added(figure: Figure, lead: int) -> bool:
    """Whether a later figure adds to the lead's: "another N", "N of the attackers", a force's
    own losses; not the lead's own count told again as a loss ("killing 17 soldiers" ... "we lost
    17 soldiers")."""
    if ADDED.search(figure.text) is None:
        return False
    return not (figure.value == lead and LOSS.search(figure.text) and not OTHER_WORDS.search(figure.text))


def current_and_history(found: list[Figure], kind: Kind) -> tuple[int | None, list[int]]:
    """The current figure and the history, earliest first.

    The first figure stated (the lead's) is current unless a later one is stated as an update
    ("the toll rose to 45"); figures introduced as earlier estimates only go into the history.
    """
    of_kind = [f for f in found if f.kind == kind]
    if any(f.value for f in of_kind):
        # "no one was hurt" in one sentence and "killed 3" in another: the count is the toll
        of_kind = [f for f in of_kind if f.value]
    if not of_kind:
        return None, []
    current_figs = [f for f in of_kind if not f.earlier]
    updates = [f.value for f in current_figs if is_update(f)]
    current = [f.value for f in current_figs]
    earlier = [f.value for f in of_kind if f.earlier]
    value = max(updates) if updates else (current[0] if current else max(earlier))
    if not updates and current:
        later = current_figs[1:]
        added = [f for f in later if _added(f, value)]
        # "wounded dozens more ... 97 people were wounded": the count, not the estimate
        exact = [f.value for f in later if not f.vague and f not in added]
        if current_figs[0].vague and exact and exact[0] > value:
            value = exact[0]
        # "killing seven policemen ... Four Taliban fighters were also killed": eleven dead
        value += sum(f.value for f in added)
    # the lead's figure an update supersedes ("killing 12" ... "the toll had risen to 30")
    superseded = [current[0]] if updates and current and current[0] < value else []
    history = list(dict.fromkeys([*earlier, *superseded, value]))
    return value, history
