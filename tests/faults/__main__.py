"""`make faults`: run the fault suite against the local engines, print the table and keep it in
docs/reliability.md. Exit 1 when a row fails."""

from __future__ import annotations

import sys

from tests.faults.suite import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
