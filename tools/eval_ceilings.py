"""How far the UCDP headlines let the tagger go: the ceilings quoted in ``eval/README.md``.

    python tools/eval_ceilings.py [--part test|dev]

For each UCDP set, on one part (the test part by default; it is only scored, never read):

- place: of the reports scored for place (one event, coded to a village or town, an incident
  found), the share that name a place the tagger recognises within 25 km of the coded point,
  and the share where any group of one to four capitalised words, resolved in the set's country
  with no other filter, is a gazetteer place within 25 km;
- coverage: the share of reports that describe an incident (as ``make eval`` counts them) for
  which an incident is found, and what it would be were every miss found whose headline holds at
  least one word of violence.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from pipeline.evaluation import events
from pipeline.evaluation.splits import Part
from pipeline.tagging.entities import recognizer
from pipeline.tagging.places import distance_km, gazetteer
from pipeline.tagging.tagger import Tagger

OPEN = Path(__file__).resolve().parent.parent / "eval" / "open"
SETS = {"ucdp-syria": ("ucdp_ged_syria_2016_2017.jsonl", "SY"), "ucdp-car": ("ucdp_ged_car.jsonl", "CF")}
# Any word of violence: a miss whose headline holds none describes no incident a rule could find.
VIOLENCE = re.compile(
    r"\b(?:kill\w*|dead|death\w*|died|attack\w*|clash\w*|fight\w*|battl\w*|bomb\w*|shell\w*|"
    r"strike\w*|raid\w*|massacre\w*|execut\w*|shot|shoot\w*|ambush\w*|wound\w*|injur\w*|casualt\w*|"
    r"violence|abduct\w*|kidnap\w*|rape\w*|loot\w*|burn\w*|explo\w*|blast\w*|seize\w*|captur\w*|"
    r"assault\w*|murder\w*|lynch\w*|martyr\w*|bodies|targe\w*|storm\w*|offensive|arrest\w*|losses)\b",
    re.I,
)
WORDS = re.compile(r"[\w\u2019'-]+")


def _any_group_within(headline: str, event: events.CodedEvent, country: str) -> bool:
    gaz = gazetteer()
    words = WORDS.findall(headline)
    for i in range(len(words)):
        for j in range(i + 1, min(len(words), i + 4) + 1):
            group = " ".join(words[i:j])
            if not group[:1].isupper() and not group.lower().startswith("al-"):
                continue
            place = gaz.resolve(group, [country], strict=False)
            if place is None:
                continue
            if distance_km(event.lat, event.lon, place.place.lat, place.place.lon) <= events.PLACE_KM:
                return True
    return False


def _recognised_within(headline: str, event: events.CodedEvent) -> bool:
    analysis = recognizer().analyse(headline, None)
    return any(
        m.place is not None
        and distance_km(event.lat, event.lon, m.place.place.lat, m.place.place.lon) <= events.PLACE_KM
        for m in analysis.mentions
    )


def ceilings(name: str, part: Part) -> dict[str, float]:
    filename, country = SETS[name]
    tagger = Tagger()
    reports = [r for r in events.load_reports(OPEN / filename) if r.part == part]
    placed = recognised = anywhere = 0
    described = missed = missed_wordless = 0
    for report in reports:
        if events.in_french(report.headline):
            continue
        incidents = tagger.tag(report.headline, None, report.published, report.key, fuse=False).incidents
        if not events.NOT_A_REPORT.search(report.headline):
            described += 1
            if not incidents:
                missed += 1
                missed_wordless += VIOLENCE.search(report.headline) is None
        if len(report.events) != 1 or report.events[0].where_prec > 2 or not incidents:
            continue
        event = report.events[0]
        placed += 1
        recognised += _recognised_within(report.headline, event)
        anywhere += _any_group_within(report.headline, event, country)
    return {
        "place_items": placed,
        "place_recognised_within_25km": round(recognised / placed, 3),
        "place_any_word_group_within_25km": round(anywhere / placed, 3),
        "coverage": round(1 - missed / described, 3),
        "misses_without_a_word_of_violence": missed_wordless,
        "coverage_ceiling": round(1 - missed_wordless / described, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=("dev", "test"), default="test")
    args = parser.parse_args()
    for name in SETS:
        print(name, args.part, ceilings(name, args.part))


if __name__ == "__main__":
    main()
