"""Which sentences report an incident, and of what type: the rules of
``pipeline/data/incident_rules.yaml`` (highest priority wins), figures of speech blanked out, and an
attack on armed victims retyped as a battle."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from pipeline.tagging.actors import catalogue
from pipeline.tagging.incident.model import (
    BARE_PRIORITY,
    BATTLES,
    EXPLOSIONS,
    LOOK_AFTER,
    RIOTS,
    STRATEGIC,
    VAC,
)
from pipeline.tagging.rules import trigger_rules

_SECURITY = trigger_rules().vocabularies["security"]
# Victims that are not armed: a word of these between the verb and an armed word is the victim.
_VICTIMS_CIVIL = (
    r"(?:civilians?|residents?|villagers?|people|persons?|children|child|women|woman|men|man|"
    r"workers?|employees?|students?|passengers?|worshippers|farmers?|herders?|journalists?|"
    r"teachers?|doctors?|traders?|displaced|refugees?)"
)
# (pattern, event type, sub-event type, priority), from pipeline/data/incident_rules.yaml.
RULES: tuple[tuple[re.Pattern[str], str, str, int, bool], ...] = tuple(
    (rule.pattern, rule.event_type, rule.sub_event_type, rule.priority, rule.needs_context)
    for rule in trigger_rules().rules
)
NO_EVENT = re.compile(
    r"\b(?:threaten(?:ed|s)? to|vow(?:ed|s)? to|warn(?:ed|s)? (?:of|that)|plan(?:s|ned|ning)? to|"
    r"would (?:attack|strike)|could (?:attack|strike)|anniversary|commemorat\w*|"
    r"trial|sentenced|convicted|(?:in|before|to) court\b|"
    r"courts? (?:heard|hears|ruled|rules|hearing|case|jails?|jailed|sentences|convicts?|acquits?|"
    r"orders?|ordered|finds|found)|"
    # calls, aims and fears rather than events
    r"call(?:ed|s|ing)? (?:on|for)|urg(?:ed|es|ing)|or be killed|fears? that|"
    # preparations and aims: "training for the Mosul offensive", "an end to all the fighting",
    # "preventing sexual violence in conflict"
    r"(?:in preparation|preparing|prepared|ready|readiness|training|trained) for|"
    r"(?:upcoming|forthcoming|impending|planned|expected) (?:\w+ )?(?:offensive|operation|assault|"
    r"attack|battle|campaign)|an? end (?:to|of)|(?:prevent(?:s|ing)?|prevention of|tackling|combat(?:t?ing)?|"
    r"countering|ending|stopping) (?:\w+ )?(?:sexual |gender-based )?violence|"
    r"(?:might|may|could|would)(?: not)? have been|"
    r"(?:is|are|has been|have been|was|were) (?:fighting|battling|struggling|trying|seeking) to|"
    r"(?:continue|continues|continued) to be engaged|"
    # history: an event centuries, years or a campaign ago
    r"\w+-century|centur(?:y|ies) ago|since (?:\d{4}|the (?:start|beginning|end))|the latest (?:of|in)|"
    r"since (?:(?:early |late |mid-)?(?:january|february|march|april|may|june|july|august|september|"
    r"october|november|december) \d{4}|the (?:war|conflict|fighting|uprising|invasion) (?:began|started|"
    r"erupted|broke out))|"
    # a war's sum, not an event: "the war ... has killed more than 15,000 people"
    r"(?:war|conflict|insurgency|violence|crisis|unrest|campaign)\b[^.;]{0,80}\b(?:has|have) "
    r"(?:killed|left|claimed)|"
    r"(?:has|have) (?:spread|raged)|"
    # a war's course, not an event: "The army has been fighting the RSF since April 15"
    r"(?:has|have) been (?:fighting|battling|clashing|at war)\b[^.;]{0,80}?\b(?:since(?! (?:monday|tuesday|"
    r"wednesday|thursday|friday|saturday|sunday|yesterday|dawn|early|last night|this|the morning|overnight))|"
    r"for (?:years|months|weeks|decades|more than|over|nearly|almost))|"
    # a habit, not an event: "It frequently carries out bombings in the capital"
    r"(?:frequently|often|regularly|routinely|usually|typically|commonly|sometimes|occasionally|"
    r"repeatedly) (?:\w+ )?(?:carr(?:y|ies) out|stages?|launch(?:es)?|conducts?|mounts?|attacks|targets|"
    r"strikes|bombs|shells|raids|kills|abducts|kidnaps)|"
    # a trend, not an event: "The group has stepped up attacks on security forces"
    r"(?:has|have|had) (?:\w+ )?(?:stepped up|intensified|escalated)|"
    r"(?:last|previous) (?:year|month)|(?:years|months|decades) ago)\b",
    re.I,
)
# A period's sum, not an event: a count, then the weeks, months or month it covers ("About 5000
# killed in May 2016", "123 casualties in a week of military operations", "Hundreds were killed
# in Aleppo in the past seven days"); never a period named before the count ("In the largest
# death in months, 5 persons were killed") nor "the second explosion within two weeks".
_PERIOD = re.compile(
    r"\b(?:(?:in|during|over|within|throughout)\s+(?:the\s+)?(?:(?:past|last|previous|first|recent)\s+)?"
    r"(?:(?:a|one|two|three|four|five|six|several|few|\d+)\s+)?(?:weeks?|months?|years)|"
    r"(?:in|during|over|within)\s+(?:the\s+)?(?:past|last|previous|first)\s+(?:seven|ten|\d{2,})\s+days|"
    r"in\s+(?:january|february|march|april|may|june|july|august|september|october|november|december)"
    r"\s+(?:19|20)\d\d)\b",
    re.I,
)
_COUNT_BEFORE = re.compile(
    r"(?:\b\d[\d,]*|\b(?:hundreds|thousands|dozens|scores|tens))\b[^.;:\u2026]*$", re.I
)
PERIOD_WINDOW = 100


def sums_a_period(text: str) -> bool:
    """Whether a count is followed by the period it covers (see :data:`_PERIOD`)."""
    return any(
        _COUNT_BEFORE.search(text, max(0, m.start() - PERIOD_WINDOW), m.start())
        for m in _PERIOD.finditer(text)
    )


# An event of another year: "Last year, a missile strike ... killed 10", "two years ago", "In
# 2019, ...", "a 2014 massacre".
HISTORY = re.compile(
    r"\b(?:\w+-century|centur(?:y|ies) ago|(?:last|previous) year|(?:years|decades) ago)\b|"
    r"^\W*in (?P<opening>(?:19|20)\d\d)\b|"
    r"\b(?P<year>(?:19|20)\d\d)\s+(?:massacres?|attacks?|bombings?|killings?|war|genocide|offensive|"
    r"siege|uprising|coup|clashes|fighting|invasion|insurgency|crackdown|protests?|demonstrations?|"
    r"riots?|revolution|unrest|violence|battles?|raids?|(?:air ?)?strikes|shelling|bombardment|"
    r"ambush|assault|incursion|occupation|intervention)\b",
    re.I,
)
# A sentence about a trial speaks of a crime already reported: "sentenced ... for his role in a
# massacre in which 60 civilians were killed", "prosecutors said his fighters attacked ...".
JUDICIAL = re.compile(
    r"\b(?:sentenc(?:ed|es|ing)|convict(?:ed|s|ion)|verdict|jailed|prosecutors?|indict(?:ed|ment)|"
    r"acquitt(?:ed|al)|testif(?:ied|ies)|on trial|stood trial|found guilty|guilty of|war crimes? trial)\b",
    re.I,
)


# A year the text is set in ("in 1864", "(1862-1865)", "during the summer of 1944", "March
# 1863"), not one it measures from ("since 2011") nor a count ("rises to about 1800").
_YEAR = re.compile(
    r"(?:\b(?:in|of|during|from|between|until|till|and|early|late|mid-?|january|february|march|april|may|"
    r"june|july|august|september|october|november|december)\s+|\(|\d\s*[-\u2013]\s*|\b\d{1,2}\s*,\s*)"
    r"(1[89]\d\d|20\d\d)\b(?!\s+(?:people|persons|civilians|fighters|soldiers|killed|dead|troops))",
    re.I,
)
_MONTHS = (
    r"(?:january|february|march|april|may|june|july|august|september|october|november|december|"
    r"(?:jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec)\.)"
)
# Words by which a report places its event in the days around it: a weekday, "today", or a day
# of a month with no year ("on 12 March", "March 12").
_NEWS_DAY = re.compile(
    r"\b(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day|yesterday|today|tonight|overnight|"
    r"last night|this (?:week|morning|afternoon|evening)|earlier this|hours? ago|days? ago)\b",
    re.I,
)
_MONTH_DAY = re.compile(
    rf"\b\d{{1,2}}\s+{_MONTHS}(?![a-z])(?!\s*,?\s*\d{{4}})|\b{_MONTHS}\s+\d{{1,2}}\b(?!\s*,?\s*\d{{4}})",
    re.I,
)
HISTORY_YEARS = 2
# "since late 2014", "since 23 September 2014": a year to measure from, a few words before it.
_SINCE = re.compile(r"\bsince\b", re.I)
SINCE_WINDOW = 16


def is_past_account(text: str, published_year: int) -> bool:
    """Whether a whole text tells of the past, not of news: it names years, the latest of them
    ``HISTORY_YEARS`` or more before the text was published, and no day of the week, "today" or
    day of a month before its first year
    ("In the Battle of Fredericksburg, the regiment suffered minor casualties" in a history of a
    regiment from 1862 to 1865)."""
    years = [
        (match.start(), int(match.group(1)))
        for match in _YEAR.finditer(text)
        if int(match.group(1)) <= published_year
        and not _SINCE.search(text[max(0, match.start() - SINCE_WINDOW) : match.start()])
    ]
    if not years or max(year for _, year in years) > published_year - HISTORY_YEARS:
        return False
    if _NEWS_DAY.search(text) is not None:
        return False
    # A day of a month with no year ("On 12 March, gunmen attacked ...") is of the news when it
    # comes before every year; after "in 1862" it is a day of that year.
    day = _MONTH_DAY.search(text)
    return day is None or day.start() > years[0][0]


def is_history(text: str, trig: Trigger, published_year: int) -> bool:
    """Whether the words before the trigger place its event in another year or in a trial: its
    figures are history too ("Last year, a Russian missile strike on the city killed 10 people",
    "a court sentenced a commander for his role in a 2014 massacre")."""
    before = text[: trig.position + len(trig.text)]
    if JUDICIAL.search(before):
        return True
    for match in HISTORY.finditer(before):
        year = match.group("opening") or match.group("year")
        if year is None or int(year) < published_year:
            return True
    return False


# A condemnation names an event only when it says when it happened: "condemns the attack this
# morning at a market in Baghdad" reports one, "condemned attacks on civilians" does not.
_CONDEMNATION = re.compile(r"\bcondemn(?:ed|s|ing)?\b", re.I)
_WHEN = re.compile(
    r"\b(?:today|tonight|yesterday|overnight|this (?:morning|afternoon|evening|weekend)|"
    r"last (?:night|week)|(?:on )?(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)|"
    r"earlier (?:today|this week))\b",
    re.I,
)


# A campaign's course, not an event, wherever in the sentence its span is said: "The military has
# been battling insurgents in the northeast for a decade".
CAMPAIGN_COURSE = re.compile(
    r"\b(?:has|have|had) been (?:battling|fighting|waging|combating)\b[^.;]{0,80}\bfor (?:(?:a|the|more than|"
    r"nearly|almost|over|about|some|two|three|four|five|several|many)\s+){1,3}?(?:past\s+|last\s+)?"
    r"(?:decades?|years|months)\b",
    re.I,
)
# Habits rather than events: "residents describe daily shelling", "routine patrols".
HABITUAL_BEFORE = re.compile(
    r"\b(?:daily|nightly|weekly|near-daily|almost daily|routine|regular)\s+(?:[\w-]+\s+)?$",
    re.I,
)


def no_event(text: str, trig: Trigger, *, headline: bool = False) -> bool:
    """Whether the words before the trigger (and just after it) say it is no event: a threat, a
    plan, a trial, history, a habit, a campaign's course, or a condemnation that does not say
    when (in running text; a headline's condemnation is news of the attack it condemns: "UN
    chief condemns attack that kills peacekeeper in Bangassou")."""
    before = text[: trig.position + 40]
    if NO_EVENT.search(before) or HABITUAL_BEFORE.search(text[max(0, trig.position - 30) : trig.position]):
        return True
    if sums_a_period(text):
        return True
    if CAMPAIGN_COURSE.search(text):
        return True
    if headline:
        return False
    return bool(_CONDEMNATION.search(before)) and not _WHEN.search(text[: trig.position + 80])


WEAK_REFERENCE = re.compile(
    r"\b(?:the|this|that|these|those) (?:attacks?|blasts?|explosions?|bombings?|assaults?|raids?|"
    r"incidents?|fighting|clashes|(?:air ?)?strikes|shelling)\b",
    re.I,
)


@dataclass(frozen=True, slots=True)
class Trigger:
    event_type: str
    sub_event_type: str
    priority: int
    text: str
    position: int
    # Its rule names an event only where the sentence speaks of violence (see rules.py).
    needs_context: bool = False


# For each rule, its cue words: in an ASCII sentence (where lower-casing is exactly the rules'
# case-insensitivity) a rule none of whose cues occurs cannot match and is not scanned; most
# sentences name no event, and a few substring tests say so before some twenty pattern scans.
RULE_WORDS: tuple[tuple[str, ...], ...] = tuple(rule.cues for rule in trigger_rules().rules)
# The rules by priority, highest first (equal priorities in their order above), with their
# words: the first rule that matches is the one ``classify`` reports, so the rules after it
# need not be tried.
_BY_PRIORITY = tuple(
    (*rule, words)
    for _, rule, words in sorted(
        zip(range(len(RULES)), RULES, RULE_WORDS, strict=True), key=lambda item: (-item[1][3], item[0])
    )
)
# The armed side is the victim: the object of the verb ("killed two soldiers", "wound three
# soldiers", "militants kill a
# U.N. peacekeeper"; not the perpetrator after "by", nor a word past a colon or another victim,
# nor the subject of a clause after "as", "when" or "after": "three killed as bandits raid a
# village"), or its subject in the passive ("soldiers were killed", "forces attacked in the north") or
# before "killed" without civilians after it ("soldiers killed 30 people" is not).
_KILLED_ARMED = re.compile(
    rf"\b(?:killing|killed|kills|kill|shot dead|shoots dead|gunned down|assassinat\w*|neutrali[sz]\w*|"
    rf"wound(?:s|ed|ing)?|injur(?:es|ed|ing))\b"
    rf"(?:(?!\b(?:by|as|when|while|after)\b|{_VICTIMS_CIVIL}\b)[^:;]){{0,40}}\b{_SECURITY}\b",
    re.I,
)
_ARMED_KILLED = re.compile(
    # "6 regime forces including 2 officers were killed", "10 fighters of the Euphrates Shield
    # were killed", "militiamen loyal to them were killed", "Three soldiers dead after attack"
    rf"\b{_SECURITY}(?:,?\s+(?:including|among them)\s+[^.;:,]{{0,30}}?,?)?"
    rf"(?:\s+(?:of|from|loyal to|affiliated (?:with|to)|belonging to)\s+[^.;:,]{{1,40}}?)?\s+(?:"
    rf"(?:was|were|have been|has been|had been|is|are)\s+"
    rf"(?:killed|shot dead|gunned down|shot and killed|assassinated|attacked|ambushed|targeted)\b"
    rf"|(?:killed|shot dead|gunned down|shot and killed|assassinated|dead|died|found dead|wounded|injured)\b"
    rf"|(?:attacked|ambushed)"
    rf"(?=\s*(?:$|[,:;.]|(?:in|on|near|at|by|outside|during|while|after|overnight|as|when)\b)))",
    re.I,
)
# "Human losses in regime forces", "casualties among the ranks of the militants", "dead from the
# Republican Guard": the armed side's losses.
# "... and injuries in the ranks of the": what comes between a word of losses and whose they are.
_AMONG_RANKS = (
    r"\s+(?:(?:and|injuries|wounded|more)\s+){0,3}"
    r"(?:in|among|of|from)\s+(?:the\s+)?(?:ranks\s+of\s+(?:the\s+)?)?"
)
_ARMED_LOSSES = re.compile(
    rf"\b(?:casualties|losses|dead|deaths|martyrs|bodies|corpses){_AMONG_RANKS}"
    rf"(?:(?!(?:after|as|when|while|during|near|at|in|by)\b)[\w'\u2019-]+\s+){{0,2}}?{_SECURITY}\b",
    re.I,
)
# "an attack by the factions on regime forces' concentrations", "attacks against army posts"
_ATTACK_ON_ARMED = re.compile(
    rf"\b(?:attack|attacks|assault|assaults|offensive)\s+(?:by\s+[^.;:]{{1,60}}?\s+)?(?:on|against)\s+"
    rf"(?:the\s+)?(?:[\w'\u2019-]+\s+){{0,2}}?{_SECURITY}\b",
    re.I,
)
# State forces attacking ("an attack by the regime forces near Tal Sawwan", "the army continues
# its offensive"): with no civilian victim named, they attack their armed enemy.
_STATE_FORCES = r"(?:regime|government|army|security|state|pro-government|loyalist)\s+(?:forces|troops)"
_STATE_ATTACK = re.compile(
    rf"\b(?:attacks?|assaults?|offensives?)\s+(?:launched\s+)?by\s+(?:the\s+)?{_STATE_FORCES}\b|"
    rf"\b{_STATE_FORCES}\b[^.;:]{{0,40}}?\b(?:attack(?:s|ed|ing)?|assault(?:s|ed|ing)?|offensive)\b",
    re.I,
)
# Victims who are civilians by what they do: with one of them named, a killing stays an attack
# on civilians ("insurgents killed 12 farmers"). "people" and "men" say nothing of that.
_CROWD_WORDS = (
    r"(?:protesters|protestors|demonstrators|rioters|mobs?|crowds?|angry youths|fans|supporters|hooligans)"
)
_CROWD_BEFORE = re.compile(rf"\b{_CROWD_WORDS}\b[^.;,]{{0,30}}$", re.I)
# "clashes between rival fans", "fighting between groups of protesters"
_CROWD_AFTER = re.compile(
    rf"^\w*\s+between\s+(?:rival\s+|opposing\s+)?(?:groups\s+of\s+)?(?:\w+\s+)?{_CROWD_WORDS}\b", re.I
)
_CIVILIAN_VICTIMS = re.compile(
    r"\b(?:civilians?|villagers?|worshippers|residents|farmers|students|pupils|schoolchildren|"
    r"children|women|passengers|traders|fishermen|pilgrims|mourners|shoppers|teachers|"
    r"journalists|doctors|nurses|aid workers|refugees|displaced)\b",
    re.I,
)


_NOT_EVENTS = re.compile(trigger_rules().vocabularies["not_events"], re.I)
_ACCIDENTS = re.compile(trigger_rules().vocabularies["accidents"], re.I)
_WEAPONS = re.compile(trigger_rules().vocabularies["weapons"], re.I)
_HAZARDS = re.compile(trigger_rules().vocabularies["hazards"], re.I)
# "Taliban storm a compound": the verb, not the weather.
_STORMING = re.compile(rf"\b{trigger_rules().vocabularies['storming']}", re.I)
_CONFLICT = re.compile(trigger_rules().vocabularies["conflict"], re.I)
_SPORT = re.compile(trigger_rules().vocabularies["sport"], re.I)
_SPORT_CONTEXT = re.compile(trigger_rules().vocabularies["sport_context"], re.I)
# Triggers that name an explosion and nothing of its cause.
_BARE_EXPLOSION = re.compile(r"\b(?:(?:coal )?mine )?(?:explosions?|blasts?|exploded)\b", re.I)


def sport_words(text: str) -> int:
    """How strongly a text speaks of sport or entertainment: two for each word that means
    nothing else ("striker", "half-time"), one for each that does in sport ("match", "title")."""
    return 2 * len(_SPORT.findall(text)) + len(_SPORT_CONTEXT.findall(text))


def is_sport(sentence: str, *, sport_article: bool = False) -> bool:
    """Whether the sentence speaks of sport or entertainment, where "shot", "attacked",
    "clash" and "exploded" are figures of speech: by its own words, or by one word of sport in
    an article about sport. A toll in the sentence keeps it an incident (callers check): "a bomb
    killed 12 fans outside the stadium" is one, and so is a fight with the police or the army
    ("Fans clashed with police outside the stadium")."""
    if _WITH_FORCES.search(sentence):
        return False
    return sport_words(sentence) >= (1 if sport_article else 2)


_WITH_FORCES = re.compile(
    r"\b(?:clash(?:ed|es)?|fought|battled|scuffled|fighting)\s+with\s+(?:the\s+)?(?:riot\s+)?"
    r"(?:police|security forces|soldiers|troops|army|gendarmes)\b|\btear ?gas\b",
    re.I,
)


def names_accident(sentence: str) -> bool:
    """Whether the sentence tells of an accidental explosion ("a truck loaded with gas
    exploded"): the article's later "the blast" is that accident."""
    return (
        _BARE_EXPLOSION.search(sentence) is not None
        and _ACCIDENTS.search(sentence) is not None
        and _WEAPONS.search(sentence) is None
    )


def is_bare_explosion(trig: Trigger) -> bool:
    return _BARE_EXPLOSION.fullmatch(trig.text) is not None


# Words as weapons: "Opposition attacks government over budget", "Candidate blasts rival in
# heated debate", "the plan came under attack from lawmakers".
_VERBAL = re.compile(
    r"\b(?:attack(?:s|ed|ing)?|blast(?:s|ed|ing)?|slam(?:s|med|ming)?|lash(?:es|ed)? out at)\s+"
    r"(?:[\w'.\u2019-]+\s+){0,5}?(?:"
    r"over(?!\s+(?:the\s+)?(?:weekend|night|past|last|next|\d|a\b|an\b|two|three|several|days?|weeks?|"
    r"hours?|months?))"
    r"|for\s+(?:his|her|their|its|the)\s+(?:\w+\s+)?(?:remarks|comments|stance|policy|policies|handling|"
    r"decision|plan|role|failure|record|views)"
    r"|in\s+(?:(?:an?|the|his|her|their)\s+)?(?:\w+\s+)?(?:debate|speech|interview|statement|letter|post|"
    r"tweet|op-ed|column|address|rally|editorial))\b"
    r"|\bunder (?:\w+ )?attack (?:from|by)\b",
    re.I,
)
_ARMED = re.compile(rf"\b{_SECURITY}\b", re.I)
# Kinds of catalogued actors whose name alone says a sentence speaks of armed violence.
ARMED_GROUP_TYPES = frozenset(["rebel_group", "political_militia", "identity_militia"])


def _armed_group_names(types: frozenset[str] = ARMED_GROUP_TYPES) -> re.Pattern[str]:
    """The names of the catalogue's armed groups ("Taliban", "Boko Haram"; "IS" only in capitals),
    or of its actors of other ``types``."""
    groups = [actor for actor in catalogue().actors if actor.type in types]
    loose = sorted({a for g in groups for a in (g.name, *g.aliases)}, key=len, reverse=True)
    exact = sorted({a for g in groups for a in g.exact_aliases}, key=len, reverse=True)
    either = [rf"(?i:{'|'.join(map(re.escape, loose))})"] + [re.escape(a) for a in exact]
    return re.compile(rf"(?<![\w-])(?:{'|'.join(either)})(?![\w-])")


_ARMED_GROUP = _armed_group_names()
# "Casualties in SDF in Raqqa", "losses among the ranks of the Taliban": an armed group's dead.
_GROUP_LOSSES = re.compile(
    rf"\b(?i:(?:casualties|losses|dead|deaths|martyrs){_AMONG_RANKS})" + _ARMED_GROUP.pattern
)
# The catalogue's armed groups and forces, whose own men killed make a battle.
_ARMED_ACTOR = _armed_group_names(ARMED_GROUP_TYPES | {"state_forces", "external_forces"})
# The members and the verb first, then the name in the few words before them: one pass of the
# catalogue's long alternation over a whole sentence would cost more than every other rule.
_MEMBERS_KILLED = re.compile(
    r"\b(?i:members?|fighters?|commanders?|leaders?|militants?|"
    r"operatives?|elements?|emirs?|officials?|gunmen|militiam[ae]n|generals?|officers?|soldiers?|"
    r"volunteers?)\b[^.;:]{0,30}?"
    r"\b(?i:killed|dead|died|shot dead|assassinated)\b"
    r"(?!\s+(?i:at least\s+)?(?:\d|a\b|an\b|the\b|two|three|four|five|six|seven|eight|nine|ten|"
    r"dozens|scores|several|many|his|her|their|its))"
)
# between a name and its members: "IS's", a word ("Taliban local commander")
_POSSESSIVE_END = re.compile(r"['\u2019]s$")
_LAST_WORD = re.compile(r"[\w-]+$")
_WORD_START = re.compile(r"(?<![\w-])\S")
ACTOR_NAME_MAX = 70


def group_members_killed(sentence: str) -> bool:
    """Whether an armed party's own men are killed ("An ISIS member killed in Deir Ezzor",
    "Revolutionary Guards general, 6 Basij volunteers killed"), not killing ("IS fighters
    killed 20 people")."""
    for match in _MEMBERS_KILLED.finditer(sentence):
        before = sentence[max(0, match.start() - ACTOR_NAME_MAX) : match.start()]
        right_before = before.rstrip()
        one_word_before = _LAST_WORD.sub("", right_before).rstrip()
        for name in (right_before, one_word_before):
            name = _POSSESSIVE_END.sub("", name)
            if any(_ARMED_ACTOR.fullmatch(name, w.start()) for w in _WORD_START.finditer(name)):
                return True
    return False


# "claimed the attack in a statement": the noun names an event, the verb a verbal attack.
_NAMED_EVENT_BEFORE = re.compile(
    r"\b(?:the|an?|this|that|these|those|its|their|his|her|deadly|suicide|claimed|for)\s+$", re.I
)


def _by_crowd(sentence: str, trig: Trigger) -> bool:
    plain_attack = trig.event_type == VAC and trig.sub_event_type == "Attack" and trig.priority <= 52
    clash = trig.event_type == BATTLES and trig.sub_event_type == "Armed clash" and trig.priority <= 60
    if not (plain_attack or clash):
        return False
    after = sentence[trig.position + len(trig.text) : trig.position + len(trig.text) + LOOK_AFTER]
    return bool(_CROWD_BEFORE.search(sentence[: trig.position]) or _CROWD_AFTER.match(after))


def is_verbal(sentence: str, trig: Trigger) -> bool:
    """Whether an "attack" or a "blast" is made of words: a political or verbal attack, with no
    weapon and no armed party in the sentence."""
    verbal = _VERBAL.search(sentence)
    if verbal is None or _NAMED_EVENT_BEFORE.search(sentence[: verbal.start()]):
        return False
    rest = sentence[: trig.position] + " " * len(trig.text) + sentence[trig.position + len(trig.text) :]
    return _WEAPONS.search(_VERBAL.sub(" ", rest)) is None and _ARMED.search(sentence) is None


def is_accident(sentence: str, trig: Trigger) -> bool:
    """Whether the trigger is an explosion the sentence calls an accident ("gas cylinder
    explosion", "blast at a fireworks factory"), or a bare killing by a disaster, an accident or
    a disease ("Earthquake kills 200", "Bus crash kills 20"), and no weapon is named."""
    if _BARE_EXPLOSION.fullmatch(trig.text) is not None and _ACCIDENTS.search(sentence) is not None:
        return _WEAPONS.search(sentence) is None
    if (
        trig.priority <= BARE_PRIORITY
        and _HAZARDS.search(sentence) is not None
        # "Taliban storm a compound" is no storm: looked at only when a hazard word is there.
        and _HAZARDS.search(_STORMING.sub(" ", sentence)) is not None
    ):
        # "Lightning strike kills 3": the hazard's own words are no weapon.
        return _WEAPONS.search(_HAZARDS.sub(" ", sentence)) is None
    return False


def lacks_context(sentence: str, trig: Trigger) -> bool:
    """Whether a trigger that names no cause ("Six dead in Bangui") stands in a sentence that
    says nothing of violence: no armed party, weapon or word of conflict."""
    if not trig.needs_context:
        return False
    # "police said", "according to the army", "police found the bodies": who reports or finds
    # the dead is no party to their deaths
    told = _SOURCE.sub(" ", sentence)
    armed = _ARMED.search(told) or _ARMED_GROUP.search(told)
    return not (armed or _WEAPONS.search(told) or _CONFLICT.search(told))


_SOURCE = re.compile(
    rf"\b(?:according to|citing|quoting)\s+(?:the\s+|local\s+)*{_SECURITY}\b|"
    rf"\b(?:the\s+|local\s+)*{_SECURITY}\s+(?:\w+\s+)?(?:said|says|say|told|reported|confirmed|added|"
    rf"found|recovered|discovered|retrieved)\b",
    re.I,
)


def _without_figures_of_speech(sentence: str) -> str:
    """The sentence with "blast walls", "a bombshell report", "heart attack" blanked out (same
    length, so positions stay)."""
    return _NOT_EVENTS.sub(lambda m: " " * len(m.group(0)), sentence)


FIGURE_WINDOW = 40


def _figure_of_speech_at(sentence: str, trig: Trigger) -> bool:
    """Whether the trigger's words are part of a figure of speech ("blast" in "blast walls"):
    looked for only around the trigger, so most sentences pay nothing for it."""
    start = max(0, trig.position - FIGURE_WINDOW)
    end = trig.position + len(trig.text)
    window = sentence[start : end + FIGURE_WINDOW]
    return any(
        start + m.start() < end and trig.position < start + m.end() for m in _NOT_EVENTS.finditer(window)
    )


# An abduction told beside a killing gives way to it ("Gunmen kill policeman, abduct 3").
ABDUCTION = "Abduction/forced disappearance"
# Strategic developments are not violent: a sentence that also kills ("False truce kills 12
# civilians") reports the violence.
_KILLS = re.compile(r"\b(?:kill(?:s|ed|ing|ings)?|dead|died|massacre[sd]?|slain|shot dead)\b", re.I)
# ... but not a killing someone is arrested or tried for ("men suspected of killing a trader").
_CHARGED_WITH = re.compile(
    r"\b(?:suspect(?:s|ed)?|accused|charged|convicted|sentenced|guilty|tried|arrest(?:s|ed)?|"
    r"detain(?:s|ed)?|wanted)\b[^.;]{0,25}$",
    re.I,
)


def _kills(sentence: str) -> bool:
    return any(not _CHARGED_WITH.search(sentence[: m.start()]) for m in _KILLS.finditer(sentence))


DISRUPTED = "Disrupted weapons use"
# Explosions heard, not an explosive that went off: "Explosions heard in Kyiv as air defences
# shoot down drones".
_EXPLOSIONS_HEARD = re.compile(r"\b(?:explosions?|blasts?|bangs?)\s+(?:(?:were|was)\s+)?heard\b", re.I)


def _interception(sentence: str, best: Trigger) -> Trigger | None:
    """Missiles or drones shot down, with no one killed: the interception is the event, when
    it comes before the strike ("shot down 18 of 33 missiles, but not the one that hit the
    city": that strike was told before) or when the explosions were only heard."""
    if best.event_type != EXPLOSIONS or _kills(sentence):
        return None
    disrupted = _first_rule(sentence, skip=None, only=DISRUPTED)
    if disrupted is None:
        return None
    if disrupted.position < best.position or _EXPLOSIONS_HEARD.search(sentence):
        return disrupted
    return None


def _first_rule(
    sentence: str, *, violent_only: bool = False, skip: str | None = None, only: str | None = None
) -> Trigger | None:
    lower = sentence.lower() if sentence.isascii() else None
    for pattern, event_type, sub_type, priority, needs_context, words in _BY_PRIORITY:
        if lower is not None and not any(word in lower for word in words):
            continue
        if (violent_only and event_type == STRATEGIC) or sub_type == skip or only not in (None, sub_type):
            continue
        match = pattern.search(sentence)
        if match:
            return Trigger(event_type, sub_type, priority, match.group(0), match.start(), needs_context)
    return None


_EVENT_WORD = re.compile(
    r"(?:kill|attack|battle|bomb|blast|explo|raid|strike|shell|massacre|war\b|clash|fight|siege|ambush|"
    r"assault|riot|protest|revolt|uprising|storm|shoot|shot|murder|execut|commando|slaughter|lynch)",
    re.I,
)
_SENTENCE_OPENING = re.compile(r"(?:^|[.!?:;\"\u201c\u2018(\-\u2013\u2014]\s*)$")


# A reaction, then the event it answers: "Turkey vows to battle on after 16 troops killed",
# "Leaders urge calm after clashes kill 10".
_REACTION = re.compile(
    r"\b(?:threaten(?:ed|s)? to|vow(?:ed|s)? to|warn(?:ed|s)? (?:of|that)|call(?:ed|s|ing)? (?:on|for)|"
    r"urg(?:ed|es|ing)|fears? that)\b",
    re.I,
)
_AFTER = re.compile(r"\b(?:after|following|in the wake of)\b", re.I)


def answered_event(text: str) -> Trigger | None:
    """The event a reaction answers, read after its "after" ("Turkey vows to battle on after 16
    troops killed": the killing), when all that denies an event before it is a reaction (a vow,
    a threat, a call); None otherwise. Its position is in ``text``."""
    after = _AFTER.search(text)
    if after is None:
        return None
    denials = [m.group(0) for m in NO_EVENT.finditer(text, 0, after.start())]
    if not denials or not all(_REACTION.fullmatch(d) for d in denials):
        return None
    clause = text[after.end() :]
    trig = classify(clause)
    if trig is None or no_event(clause, trig):
        return None
    return replace(trig, position=trig.position + after.end())


def in_a_name(sentence: str, trig: Trigger) -> bool:
    """Whether the trigger is a word of a name written with capitals in running text ("the song
    The Kill", "the EC-130 Commando Solo", "the Battle of Fredericksburg"), not an event. A
    sentence in capitals or in title case says nothing by its capitals."""
    word = trig.text
    if not word[:1].isupper() or word.isupper() or _SENTENCE_OPENING.search(sentence[: trig.position]):
        return False
    if not _EVENT_WORD.match(word):
        return False  # "the Syrian Democratic Forces advanced": the name is the party's
    words = sentence.split()
    capitalised = sum(1 for w in words if w[:1].isupper())
    return capitalised * 2 < len(words)


def classify(sentence: str, *, running_text: bool = False) -> Trigger | None:
    """The highest-priority ACLED trigger in a sentence (of equal priorities, the first rule's).
    In ``running_text`` (an article's body, not a headline's erratic capitals) a trigger word
    inside a capitalised name is passed over."""
    best = _first_rule(sentence)
    for _ in range(3 if running_text else 0):
        if best is None or not in_a_name(sentence, best):
            break
        end = best.position + len(best.text)
        sentence = sentence[: best.position] + " " * len(best.text) + sentence[end:]
        best = _first_rule(sentence)
    if best is None:
        return None
    if _figure_of_speech_at(sentence, best):
        sentence = _without_figures_of_speech(sentence)
        best = _first_rule(sentence)
        if best is None:
            return None
    if is_accident(sentence, best) or is_verbal(sentence, best) or lacks_context(sentence, best):
        return None
    if best.event_type == STRATEGIC and _kills(sentence):
        best = _first_rule(sentence, violent_only=True) or best
    best = _interception(sentence, best) or best
    # Killing and abducting ("Gunmen kill policeman, abduct 3"): the killing is the event.
    if best.sub_event_type == ABDUCTION and _kills(sentence):
        best = _first_rule(sentence, violent_only=True, skip=ABDUCTION) or best
    # An attack or a clash by a crowd is a riot ("Protesters attacked police", "Demonstrators
    # and police clashed").
    if _by_crowd(sentence, best):
        return Trigger(RIOTS, "Violent demonstration", best.priority, best.text, best.position)
    # An attack whose victims are armed is a battle, one on civilians stays an attack.
    if (
        best.event_type == VAC
        and best.sub_event_type == "Attack"
        and best.priority <= 52
        and (
            _KILLED_ARMED.search(sentence)
            or _ARMED_KILLED.search(sentence)
            or _ATTACK_ON_ARMED.search(sentence)
            or _ARMED_LOSSES.search(sentence)
            or _GROUP_LOSSES.search(sentence)
            or group_members_killed(sentence)
            or _STATE_ATTACK.search(sentence)
        )
        and not _CIVILIAN_VICTIMS.search(sentence)
    ):
        return Trigger(BATTLES, "Armed clash", 53, best.text, best.position)
    return best
