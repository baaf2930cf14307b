"""``python -m pipeline.evaluation``: every evaluation set, development and test part, and the gap.

    python -m pipeline.evaluation [--set NAME ...] [--part dev|test ...] [--json]
                                  [--errors NAME] [--write-baseline]

``--errors NAME`` lists the development part's disagreements of one set (the test part's are
never printed: rules are written from development errors only). ``--write-baseline`` stores the
test-part figures as the floors in ``eval/baseline.json``.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pipeline.evaluation import entities, events
from pipeline.evaluation.splits import PARTS, Part
from pipeline.tagging.tagger import Tagger

EVAL_DIR = Path(__file__).resolve().parents[2] / "eval"
OPEN_DIR = EVAL_DIR / "open"
BASELINE = EVAL_DIR / "baseline.json"


@dataclass(frozen=True)
class EvalSet:
    name: str
    kind: str  # "events" | "entities" | "labelled"
    path: Path
    country_code: str = ""
    # Encyclopedic text (no news of events): also scored for the share of documents in which
    # the tagger finds no incident, the false alarms a feed of such text would put on the map.
    encyclopedic: bool = False


SETS: tuple[EvalSet, ...] = (
    EvalSet("ucdp-syria", "events", OPEN_DIR / "ucdp_ged_syria_2016_2017.jsonl", "SY"),
    EvalSet("ucdp-car", "events", OPEN_DIR / "ucdp_ged_car.jsonl", "CF"),
    EvalSet("re3d", "entities", OPEN_DIR / "re3d.jsonl"),
    EvalSet("gum-news", "entities", OPEN_DIR / "gum_news.jsonl"),
    EvalSet("wikigold", "entities", OPEN_DIR / "wikigold.jsonl", encyclopedic=True),
    EvalSet("labelled", "labelled", EVAL_DIR / "incidents.jsonl"),
)
SET_NAMES = tuple(s.name for s in SETS)


def _labelled(tagger: Tagger, path: Path, part: Part) -> tuple[dict[str, Any], list[str]]:
    from pipeline.tagging import evaluation

    # The hand-labelled set keeps its own split by position ("dev" / "held-out").
    items = evaluation.split(evaluation.load(path), "dev" if part == "dev" else "held-out")
    report = evaluation.evaluate(items, tagger)
    m = report.metrics()
    figures = {
        "incident_precision": m["incident_precision"],
        "incident_recall": m["incident_recall"],
        "type": m["event_type_accuracy"],
        "toll": m["death_toll_accuracy"],
        "place": m["places_within_25km"],
        "date": m["date_accuracy"],
        "entity_f1": m["entities"]["overall"]["f1"],
        "items": {
            "incidents": m["gold_incidents"],
            "toll": m["death_toll_items"],
            "place": m["place_items"],
            "date": m["date_items"],
        },
    }
    return figures, report.errors


def score_set(tagger: Tagger, spec: EvalSet, part: Part) -> tuple[dict[str, Any], list[str]]:
    """Figures and disagreements of one part of one set."""
    if spec.kind == "events":
        reports = [r for r in events.load_reports(spec.path) if r.part == part]
        ev = events.score_reports(tagger, reports, spec.country_code)
        return ev.metrics(), ev.errors
    if spec.kind == "entities":
        docs = [d for d in entities.load_documents(spec.path) if d.part == part]
        en = entities.score_documents(tagger.recognizer, docs)
        figures, errors = en.metrics(), en.errors
        if spec.encyclopedic:
            quiet, alarms = entities.quiet_share(tagger, docs)
            figures["no_incident"] = quiet
            figures["items"]["no_incident"] = len(docs)
            errors = [*errors, *alarms]
        return figures, errors
    return _labelled(tagger, spec.path, part)


def run(
    names: Sequence[str] = SET_NAMES,
    parts: Sequence[Part] = PARTS,
    tagger: Tagger | None = None,
    on_errors: Callable[[str, list[str]], None] | None = None,
) -> dict[str, dict[str, dict[str, Any]]]:
    """``{set: {part: figures}}``; ``on_errors`` receives each development part's errors."""
    tagger = tagger if tagger is not None else Tagger()
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for spec in SETS:
        if spec.name not in names:
            continue
        for part in parts:
            figures, errors = score_set(tagger, spec, part)
            out.setdefault(spec.name, {})[part] = figures
            if on_errors is not None and part == "dev":
                on_errors(spec.name, errors)
    return out


def render(results: dict[str, dict[str, dict[str, Any]]]) -> str:
    lines = [f"{'set':<11} {'figure':<19} {'dev':>14} {'test':>14} {'gap':>7}"]
    for name, by_part in results.items():
        figures = [k for k in next(iter(by_part.values())) if k != "items"]
        for figure in figures:
            cells = []
            for part in PARTS:
                got = by_part.get(part)
                if got is None:
                    cells.append(f"{'-':>14}")
                    continue
                n = got.get("items", {}).get(figure)
                cells.append(f"{got[figure]:>6.3f} {f'({n})' if n is not None else '':>7}")
            gap = ""
            if all(p in by_part for p in PARTS):
                gap = f"{by_part['dev'][figure] - by_part['test'][figure]:+.3f}"
            lines.append(f"{name:<11} {figure:<19} {cells[0]} {cells[1]} {gap:>7}")
    return "\n".join(lines)


def baseline_from(results: dict[str, dict[str, dict[str, Any]]]) -> dict[str, Any]:
    from pipeline.evaluation.gate import NOT_GATED

    floors = {
        name: {k: v for k, v in by_part["test"].items() if k != "items" and k not in NOT_GATED}
        for name, by_part in results.items()
        if "test" in by_part
    }
    return {"part": "test", "measured": datetime.now(UTC).date().isoformat(), "floors": floors}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="pipeline.evaluation", description=__doc__.split("\n")[0])
    parser.add_argument("--set", action="append", choices=SET_NAMES, dest="sets")
    parser.add_argument("--part", action="append", choices=PARTS, dest="parts")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--errors", choices=SET_NAMES, help="list one set's development errors")
    parser.add_argument("--write-baseline", action="store_true", help=f"store test floors in {BASELINE}")
    args = parser.parse_args(list(argv) if argv is not None else None)
    collected: dict[str, list[str]] = {}
    results = run(
        args.sets or SET_NAMES,
        args.parts or PARTS,
        on_errors=lambda name, errors: collected.__setitem__(name, errors),
    )
    print(json.dumps(results, indent=2) if args.json else render(results))
    if args.errors:
        print("\n".join(collected.get(args.errors, [])))
    if args.write_baseline:
        BASELINE.write_text(json.dumps(baseline_from(results), indent=2) + "\n", encoding="utf-8")
        print(f"test-part floors written to {BASELINE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
