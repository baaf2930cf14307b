"""`python -m benchmarks [NAME ...]`: run the benchmarks and print one report.

Every figure is reported next to a baseline measured in the same run on the same machine, as a
ratio; absolute numbers are printed for context only. Results are also written as JSON to
``bench-results/<timestamp>.json``.
"""

from __future__ import annotations

import importlib
import json
import logging
import os
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ALL = ("runner", "connectors", "clean", "dedup", "stages", "sink", "ui")


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


def run_one(name: str) -> int:
    """Run one benchmark in this process and print its result as the last line of JSON."""
    logging.disable(logging.WARNING)
    module = importlib.import_module(f"benchmarks.{name}")
    print(json.dumps(module.run(), default=str))
    return 0


def main(argv: list[str]) -> int:
    if argv[:1] == ["--one"] and len(argv) == 2:
        return run_one(argv[1])
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
        if name not in ALL:
            print(f"== {name}: no such benchmark (have: {', '.join(ALL)})", file=sys.stderr)
            failed.append(name)
            continue
        print(f"== {name}", flush=True)
        started = time.monotonic()
        # Each benchmark runs in a process of its own, so one's memory peak or warm caches
        # cannot colour another's figures.
        completed = subprocess.run(
            [sys.executable, "-m", "benchmarks", "--one", name],
            capture_output=True, text=True, check=False,
        )
        if completed.returncode != 0:
            print(completed.stderr[-3000:], file=sys.stderr)
            failed.append(name)
            continue
        result = json.loads(completed.stdout.strip().splitlines()[-1])
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
