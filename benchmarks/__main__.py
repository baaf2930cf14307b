"""`python -m benchmarks [NAME ...]`: run the benchmarks and print one report.

Every figure is reported next to a baseline measured in the same run on the same machine, as a
ratio; absolute numbers are printed for context only. Results are also written as JSON to
``bench-results/<timestamp>.json``.
"""

from __future__ import annotations

import importlib
import json
import os
import platform
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ALL = ("runner", "connectors", "clean", "dedup", "stages", "sink")


def machine() -> dict[str, object]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(memory_gib, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def main(argv: list[str]) -> int:
    names = argv or list(ALL)
    report: dict[str, object] = {
        "command": "python -m benchmarks " + " ".join(argv),
        "machine": machine(),
        "started": datetime.now(UTC).isoformat(),
        "results": {},
    }
    results: dict[str, object] = {}
    failed = []
    for name in names:
        try:
            module = importlib.import_module(f"benchmarks.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"benchmarks.{name}":
                print(f"== {name}: no such benchmark", file=sys.stderr)
                failed.append(name)
                continue
            raise
        print(f"== {name}", flush=True)
        started = time.monotonic()
        result = module.run()
        result["seconds"] = round(time.monotonic() - started, 1)
        results[name] = result
        for key, value in result.items():
            print(f"   {key}: {value}")
    report["results"] = results
    out = Path("bench-results")
    out.mkdir(exist_ok=True)
    path = out / f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    path.write_text(json.dumps(report, indent=2))
    print(f"machine: {report['machine']}")
    print(f"written to {path}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
