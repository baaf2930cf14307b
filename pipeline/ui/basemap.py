"""Country boundaries for the offline map: the bundled world-atlas TopoJSON decoded into GeoJSON.

TopoJSON stores shared borders once as quantised, delta-encoded arcs; a polygon ring lists arc
indices, a negative index ``~i`` meaning arc ``i`` reversed (topojson-specification, 2.1).
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

Point = list[float]

DATA_FILE = "countries-110m.json"


def decode_arcs(topology: dict[str, Any]) -> list[list[Point]]:
    """The arcs in degrees: undo the delta encoding and the quantisation transform."""
    transform = topology.get("transform")
    arcs: list[list[Point]] = []
    for arc in topology["arcs"]:
        if transform is None:
            arcs.append([[float(p[0]), float(p[1])] for p in arc])
            continue
        (sx, sy), (tx, ty) = transform["scale"], transform["translate"]
        x = y = 0
        points: list[Point] = []
        for dx, dy, *_ in arc:
            x, y = x + dx, y + dy
            points.append([round(x * sx + tx, 5), round(y * sy + ty, 5)])
        arcs.append(points)
    return arcs


def _ring(indices: list[int], arcs: list[list[Point]]) -> list[Point]:
    ring: list[Point] = []
    for index in indices:
        points = arcs[index] if index >= 0 else arcs[~index][::-1]
        # Consecutive arcs share their end point.
        ring.extend(points[1:] if ring else points)
    return ring


def _geometry(geometry: dict[str, Any], arcs: list[list[Point]]) -> dict[str, Any] | None:
    kind = geometry.get("type")
    if kind == "Polygon":
        return {"type": kind, "coordinates": [_ring(r, arcs) for r in geometry["arcs"]]}
    if kind == "MultiPolygon":
        polygons = [[_ring(r, arcs) for r in polygon] for polygon in geometry["arcs"]]
        return {"type": kind, "coordinates": polygons}
    return None


def to_geojson(topology: dict[str, Any], name: str) -> dict[str, Any]:
    """The object ``name`` of ``topology`` as a GeoJSON FeatureCollection (polygons only)."""
    arcs = decode_arcs(topology)
    features = []
    for geometry in topology["objects"][name]["geometries"]:
        shape = _geometry(geometry, arcs)
        if shape is not None:
            features.append(
                {"type": "Feature", "properties": geometry.get("properties") or {}, "geometry": shape}
            )
    return {"type": "FeatureCollection", "features": features}


@cache
def countries_geojson() -> bytes:
    """The bundled country boundaries as GeoJSON bytes, decoded once per process."""
    text = resources.files("pipeline.ui").joinpath("data", DATA_FILE).read_text(encoding="utf-8")
    collection = to_geojson(json.loads(text), "countries")
    return json.dumps(collection, separators=(",", ":")).encode()
