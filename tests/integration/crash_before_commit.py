"""Runs one stage (clean unless named) and SIGKILLs its own process at the first commit: after
every output of the batch was produced and acknowledged (or, for index, bulk-written to
Elasticsearch), before the offsets are committed.

Usage: python -m tests.integration.crash_before_commit [STAGE]   (settings from the environment)
"""

from __future__ import annotations

import os
import signal
import sys

from pipeline.settings import load_settings
from pipeline.topology import build_runner


def main(stage: str = "clean") -> None:
    runner = build_runner(stage, load_settings())

    def die(offsets: object) -> None:
        os.kill(os.getpid(), signal.SIGKILL)

    runner.source.commit = die  # type: ignore[method-assign]
    runner.run()


if __name__ == "__main__":
    main(*sys.argv[1:2])
