"""`python -m benchmarks [NAME [--option ...] ...]`: run the benchmarks and print one report.

Every figure is reported next to a baseline measured in the same run on the same machine, as a
ratio; absolute numbers are printed for context only. Results are also written as JSON to
``bench-results/<timestamp>.json``. Options after a name go to that benchmark (those whose
module has ``options(argv)``): ``python -m benchmarks e2e --pages 200``. ``soak`` is not part
of the default set (it runs for a quarter of an hour): ``python -m benchmarks soak --minutes 15``.
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

ALL = ("runner", "connectors", "clean", "dedup", "stages", "sink", "ui", "e2e")
# Run only when named.
ON_REQUEST = ("soak",)


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


def run_one(name: str, options: list[str]) -> int:
    """Run one benchmark in this process and print its result as the last line of JSON."""
    logging.disable(logging.WARNING)
    module = importlib.import_module(f"benchmarks.{name}")
    parse = getattr(module, "options", None)
    if options and parse is None:
        print(f"{name} takes no options", file=sys.stderr)
        return 2
    print(json.dumps(module.run(**(parse(options) if parse else {})), default=str))
    return 0


def requested(argv: list[str]) -> list[tuple[str, list[str]]]:
    """The benchmarks named in ``argv``, each with the options that follow its name (an option
    ``--name value`` or ``--name=value``; the benchmarks' options all take a value)."""
    runs: list[tuple[str, list[str]]] = []
    for word in argv:
        options = runs[-1][1] if runs else None
        last = options[-1] if options else ""
        takes_value = last.startswith("--") and "=" not in last
        if options is not None and (word.startswith("-") or takes_value):
            options.append(word)
        else:
            runs.append((word, []))
    return runs or [(name, []) for name in ALL]


def main(argv: list[str]) -> int:
    if argv[:1] == ["--one"] and len(argv) >= 2:
        return run_one(argv[1], argv[2:])
    report: dict[str, object] = {
        "command": "python -m benchmarks " + " ".join(argv),
        "machine": machine(),
        "started": datetime.now(UTC).isoformat(),
        "results": {},
    }
    results: dict[str, object] = {}
    failed = []
    for name, options in requested(argv):
        if name not in ALL + ON_REQUEST:
            print(f"== {name}: no such benchmark (have: {', '.join(ALL + ON_REQUEST)})", file=sys.stderr)
            failed.append(name)
            continue
        print(f"== {name}", flush=True)
        started = time.monotonic()
        # Each benchmark runs in a process of its own, so one's memory peak or warm caches
        # cannot colour another's figures. The long ones report progress on stderr as they go.
        live = name in ("e2e", "soak")
        completed = subprocess.run(
            [sys.executable, "-m", "benchmarks", "--one", name, *options],
            stdout=subprocess.PIPE, stderr=None if live else subprocess.PIPE, text=True,
            check=False,
        )
        if completed.returncode != 0:
            print((completed.stderr or "")[-3000:], file=sys.stderr)
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
