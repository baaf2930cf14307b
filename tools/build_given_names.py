"""Build ``pipeline/data/given_names.txt``: frequent given names, lower-case.

    pip download names==0.3.0 --no-deps && tar xzf names-0.3.0.tar.gz
    python tools/build_given_names.py names-0.3.0/names > pipeline/data/given_names.txt

The files ``dist.male.first`` and ``dist.female.first`` of the ``names`` package (MIT) are the
US Census Bureau's 1990 list of frequently occurring first names, a work of the United States
government in the public domain. The tagger reads the list to tell a person made of common
English words ("Jeff Davis", "Rose Gray") from a title or a thing ("Beautiful Lie", "Iron Fist").
"""

from __future__ import annotations

import sys
from pathlib import Path


def main(folder: Path) -> int:
    names: set[str] = set()
    for file in ("dist.male.first", "dist.female.first"):
        for line in (folder / file).read_text(encoding="ascii").splitlines():
            if line.strip():
                names.add(line.split()[0].lower())
    print("# Given names of the US Census Bureau's 1990 name frequency lists (public domain, US")
    print("# government work), via the files of the `names` 0.3.0 package; tools/build_given_names.py.")
    for name in sorted(names):
        print(name)
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
