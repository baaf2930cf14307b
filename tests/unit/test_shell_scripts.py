"""The shell scripts CI and `make services` run must not fail by accident.

Under `set -o pipefail`, a reader that stops early (`head`, `grep -q`) makes the writer die of
SIGPIPE whenever it is still writing, and the whole pipeline then fails at random. `mvn -v | head -1`
did exactly that in about one run in three.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = sorted(
    [ROOT / ".ci" / "run", *ROOT.glob("services/**/*.sh"), *ROOT.glob("tools/*.sh")],
)
EARLY_EXIT_READER = re.compile(r"\|\s*(head\b|grep\s+-[a-zA-Z]*[qm])")


def test_the_scripts_are_found() -> None:
    names = {path.name for path in SCRIPTS}
    assert {"run", "local-services.sh", "lib.sh"} <= names


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda path: str(path.relative_to(ROOT)))
def test_no_pipe_into_a_reader_that_exits_early(script: Path) -> None:
    offending = [
        f"{script.name}:{number}: {line.strip()}"
        for number, line in enumerate(script.read_text().splitlines(), start=1)
        if EARLY_EXIT_READER.search(line) and not line.lstrip().startswith("#")
    ]
    assert offending == []


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda path: str(path.relative_to(ROOT)))
def test_scripts_parse(script: Path) -> None:
    result = subprocess.run(["bash", "-n", str(script)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr


def test_the_pattern_catches_what_failed_before() -> None:
    assert EARLY_EXIT_READER.search("mvn -v 2>&1 | head -1")
    assert EARLY_EXIT_READER.search("ps aux | grep -q kafka")
    assert not EARLY_EXIT_READER.search("mvn -v 2>&1 | awk 'NR == 1'")
