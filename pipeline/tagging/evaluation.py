"""Tagging quality on the bundled labelled evaluation set (``eval/incidents.jsonl``).

    python -m pipeline.tagging.evaluation [--data PATH] [--split all|dev|held-out] [--json] [--verbose]

Each article is tagged on its own (fusion across articles is off). Gold incidents are paired with
predicted incidents of the same article, greedily by agreement (type, place, date, toll). Printed:
incident-type and sub-type accuracy, exact death-toll accuracy where the text states a toll, the
share of gold places within 25 km of the predicted place, date accuracy, incident counts,
incident precision and recall (a predicted incident is correct when it has a gold incident's type,
its date to within a day when the gold one is dated, and its place to within 25 km when the gold
one has coordinates; one-to-one), and entity precision/recall/F1 per type and overall
(micro-averaged over articles). ``--split dev`` scores the development half (the articles on
odd-numbered lines of the file: first, third, ...), ``--split held-out`` the other half; rules are
tuned on the development half only. Organisations are
compared after alias normalisation (ISIL = Islamic State); names are compared case- and
accent-insensitively.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from pipeline.tagging.actors import catalogue
from pipeline.tagging.incident import Incident
from pipeline.tagging.places import distance_km
from pipeline.tagging.tagger import Tagger
from pipeline.tagging.text import fold

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "eval" / "incidents.jsonl"
PLACE_KM = 25.0
SPLITS = ("all", "dev", "held-out")


def load(path: Path) -> list[dict[str, Any]]:
    items = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            items.append(json.loads(line))
    return items


def split(items: Sequence[dict[str, Any]], name: str) -> list[dict[str, Any]]:
    """The development half (items at even 0-based positions), the held-out half (odd positions)
    or everything."""
    if name not in SPLITS:
        raise ValueError(f"unknown split {name!r}; expected one of {', '.join(SPLITS)}")
    if name == "all":
        return list(items)
    parity = 0 if name == "dev" else 1
    return [item for position, item in enumerate(items) if position % 2 == parity]


def _agreement(gold: dict[str, Any], pred: Incident) -> int:
    score = 0
    if gold["event_type"] == pred.event_type:
        score += 2
    if gold.get("sub_event_type") == pred.sub_event_type:
        score += 1
    if (
        gold.get("lat") is not None
        and pred.geo is not None
        and distance_km(gold["lat"], gold["lon"], *pred.geo) <= PLACE_KM
    ):
        score += 2
    if gold.get("date") and gold["date"] == pred.date.isoformat():
        score += 1
    if gold.get("fatalities") is not None and gold["fatalities"] == pred.fatalities:
        score += 2
    return score


def same_incident(gold: dict[str, Any], pred: Incident) -> bool:
    """Type, date (to within a day, when the gold incident is dated) and place (within 25 km,
    when the gold incident has coordinates) agree."""
    if gold["event_type"] != pred.event_type:
        return False
    if gold.get("date") and abs((date.fromisoformat(gold["date"]) - pred.date).days) > 1:
        return False
    if gold.get("lat") is not None:
        return pred.geo is not None and distance_km(gold["lat"], gold["lon"], *pred.geo) <= PLACE_KM
    return True


def matched(golds: Sequence[dict[str, Any]], preds: Sequence[Incident]) -> int:
    """Size of a one-to-one matching of gold and predicted incidents under :func:`same_incident`
    (augmenting paths; the sets are small)."""
    owner: dict[int, int] = {}

    def assign(gi: int, seen: set[int]) -> bool:
        for pi, pred in enumerate(preds):
            if pi in seen or not same_incident(golds[gi], pred):
                continue
            seen.add(pi)
            if pi not in owner or assign(owner[pi], seen):
                owner[pi] = gi
                return True
        return False

    return sum(1 for gi in range(len(golds)) if assign(gi, set()))


def pair(golds: Sequence[dict[str, Any]], preds: Sequence[Incident]) -> list[Incident | None]:
    """For each gold incident, the predicted incident paired with it (or None)."""
    options = sorted(
        ((_agreement(g, p), gi, pi) for gi, g in enumerate(golds) for pi, p in enumerate(preds)),
        key=lambda o: (-o[0], o[1], o[2]),
    )
    out: list[Incident | None] = [None] * len(golds)
    used: set[int] = set()
    for _, gi, pi in options:
        if out[gi] is None and pi not in used:
            out[gi] = preds[pi]
            used.add(pi)
    return out


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, gold: AbstractSet[object], pred: AbstractSet[object]) -> None:
        self.tp += len(gold & pred)
        self.fp += len(pred - gold)
        self.fn += len(gold - pred)

    def prf(self) -> tuple[float, float, float]:
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return p, r, f


@dataclass
class Report:
    articles: int = 0
    gold_incidents: int = 0
    predicted_incidents: int = 0
    type_ok: int = 0
    sub_ok: int = 0
    toll_total: int = 0
    toll_ok: int = 0
    place_total: int = 0
    place_ok: int = 0
    date_total: int = 0
    date_ok: int = 0
    incidents_matched: int = 0
    entities: dict[str, Counts] = field(
        default_factory=lambda: {"persons": Counts(), "organizations": Counts(), "places": Counts()}
    )
    errors: list[str] = field(default_factory=list)

    def metrics(self) -> dict[str, Any]:
        def ratio(a: int, b: int) -> float:
            return round(a / b, 3) if b else 0.0

        overall = Counts()
        per_type: dict[str, dict[str, float]] = {}
        for name, counts in self.entities.items():
            overall.tp += counts.tp
            overall.fp += counts.fp
            overall.fn += counts.fn
            p, r, f = counts.prf()
            per_type[name] = {"precision": round(p, 3), "recall": round(r, 3), "f1": round(f, 3)}
        p, r, f = overall.prf()
        per_type["overall"] = {"precision": round(p, 3), "recall": round(r, 3), "f1": round(f, 3)}
        return {
            "articles": self.articles,
            "gold_incidents": self.gold_incidents,
            "predicted_incidents": self.predicted_incidents,
            "incident_precision": ratio(self.incidents_matched, self.predicted_incidents),
            "incident_recall": ratio(self.incidents_matched, self.gold_incidents),
            "event_type_accuracy": ratio(self.type_ok, self.gold_incidents),
            "sub_event_type_accuracy": ratio(self.sub_ok, self.gold_incidents),
            "death_toll_accuracy": ratio(self.toll_ok, self.toll_total),
            "death_toll_items": self.toll_total,
            "places_within_25km": ratio(self.place_ok, self.place_total),
            "place_items": self.place_total,
            "date_accuracy": ratio(self.date_ok, self.date_total),
            "date_items": self.date_total,
            "entities": per_type,
        }


def _org_key(name: str) -> str:
    actor = catalogue().lookup(name)
    return fold(actor.name if actor else name)


def evaluate(items: Sequence[dict[str, Any]], tagger: Tagger | None = None) -> Report:
    tagger = tagger if tagger is not None else Tagger()
    report = Report()
    for item in items:
        published = date.fromisoformat(item["published"])
        result = tagger.tag(item.get("title"), item["text"], published, item["id"], fuse=False)
        golds = item.get("incidents", [])
        preds = result.incidents
        report.articles += 1
        report.gold_incidents += len(golds)
        report.predicted_incidents += len(preds)
        found = matched(golds, preds)
        report.incidents_matched += found
        if found < len(preds):
            report.errors.append(
                f"incidents {item['id']}: {len(preds)} predicted, {len(golds)} labelled, {found} matching"
            )
        for gold, pred in zip(golds, pair(golds, preds), strict=True):
            where = f"{item['id']}: {gold['event_type']}/{gold.get('place')}"
            if pred is not None and pred.event_type == gold["event_type"]:
                report.type_ok += 1
            else:
                report.errors.append(f"type {where}: got {pred.event_type if pred else None}")
            if pred is not None and pred.sub_event_type == gold.get("sub_event_type"):
                report.sub_ok += 1
            if gold.get("fatalities") is not None:
                report.toll_total += 1
                if pred is not None and pred.fatalities == gold["fatalities"]:
                    report.toll_ok += 1
                else:
                    report.errors.append(
                        f"toll {where}: want {gold['fatalities']}, got {pred.fatalities if pred else None}"
                    )
            if gold.get("lat") is not None:
                report.place_total += 1
                if (
                    pred is not None
                    and pred.geo is not None
                    and distance_km(gold["lat"], gold["lon"], *pred.geo) <= PLACE_KM
                ):
                    report.place_ok += 1
                else:
                    got = pred.location.get("name") if pred and pred.location else None
                    report.errors.append(f"place {where}: got {got}")
            if gold.get("date"):
                report.date_total += 1
                if pred is not None and pred.date.isoformat() == gold["date"]:
                    report.date_ok += 1
                else:
                    report.errors.append(
                        f"date {where}: want {gold['date']}, got {pred.date.isoformat() if pred else None}"
                    )
        gold_entities = item.get("entities", {})
        analysis = result.analysis
        predicted = {
            "persons": {fold(p) for p in result.persons},
            "organizations": {_org_key(o) for o in result.organizations},
            "places": {fold(m.text) for m in analysis.of_label("PLACE")},
        }
        expected = {
            "persons": {fold(p) for p in gold_entities.get("persons", [])},
            "organizations": {_org_key(o) for o in gold_entities.get("organizations", [])},
            "places": {fold(p) for p in gold_entities.get("places", [])},
        }
        for name, counts in report.entities.items():
            counts.add(expected[name], predicted[name])
            for missing in sorted(expected[name] - predicted[name]):
                report.errors.append(f"entity {item['id']}: missed {name[:-1]} {missing!r}")
            for extra in sorted(predicted[name] - expected[name]):
                report.errors.append(f"entity {item['id']}: spurious {name[:-1]} {extra!r}")
    return report


def render(metrics: dict[str, Any]) -> str:
    lines = [
        f"articles: {metrics['articles']}  gold incidents: {metrics['gold_incidents']}  "
        f"predicted incidents: {metrics['predicted_incidents']}",
        f"incident precision / recall: {metrics['incident_precision']:.3f} / "
        f"{metrics['incident_recall']:.3f} (type, date within a day, place within 25 km)",
        f"incident type accuracy:      {metrics['event_type_accuracy']:.3f}",
        f"sub-event type accuracy:     {metrics['sub_event_type_accuracy']:.3f}",
        f"exact death-toll accuracy:   {metrics['death_toll_accuracy']:.3f} "
        f"(over {metrics['death_toll_items']} incidents with a stated toll)",
        f"places within 25 km:         {metrics['places_within_25km']:.3f} "
        f"(over {metrics['place_items']} incidents with coordinates)",
        f"date accuracy:               {metrics['date_accuracy']:.3f} "
        f"(over {metrics['date_items']} incidents with a date)",
        "entities            precision  recall     f1",
    ]
    for name, prf in metrics["entities"].items():
        lines.append(f"  {name:<17} {prf['precision']:>9.3f} {prf['recall']:>7.3f} {prf['f1']:>6.3f}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="pipeline.tagging.evaluation", description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--split", choices=SPLITS, default="all", help="which half of the set to score")
    parser.add_argument("--json", action="store_true", help="print the metrics as JSON")
    parser.add_argument("--verbose", action="store_true", help="list every disagreement")
    args = parser.parse_args(list(argv) if argv is not None else None)
    report = evaluate(split(load(args.data), args.split))
    metrics = report.metrics()
    print(json.dumps(metrics, indent=2) if args.json else render(metrics))
    if args.verbose:
        print("\n".join(report.errors))
    return 0


if __name__ == "__main__":
    sys.exit(main())
