"""The Starlette application: server-rendered pages over the two read aliases, read-only.

Routes::

    /                      incidents: map, timeline, table and filters (all in the query string)
    /incidents.csv         the current selection as CSV
    /incidents.geojson     ... as GeoJSON
    /map/points.geojson    the map's points: the selection's first ``ui.map_points``, few fields
    /incident/{id}         one incident with its toll history, evidence and sources
    /article/{id}          one article's cleaned text with entities, places and evidence marked
    /basemap/countries.geojson, /static/..., /vendor/leaflet/..., /vendor/markercluster/...

Pages call the (blocking) Elasticsearch client, so they are plain functions: Starlette runs
them in its thread pool and the event loop stays free. Errors are pages, never tracebacks: a
filter value the view cannot use is a 400 naming it, an unknown id a 404, Elasticsearch
unreachable a 503. Jinja2 escapes everything from documents.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import xstatic.pkg.leaflet as xstatic_leaflet
import xstatic.pkg.leaflet_markercluster as xstatic_markercluster
from elastic_transport import TransportError
from elasticsearch import ApiError, Elasticsearch
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from pipeline.search_setup import articles_alias, events_alias
from pipeline.settings import Settings
from pipeline.tagging.incident.model import EVENT_TYPES
from pipeline.ui import charts, export, highlight, queries
from pipeline.ui.basemap import countries_geojson
from pipeline.ui.filters import BadFilter, Filters

log = logging.getLogger(__name__)

HERE = Path(__file__).parent
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; "
    "script-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def templates() -> Environment:
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(["html"], default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["colour"] = queries.colour
    env.globals["type_colours"] = queries.TYPE_COLOURS
    env.filters["safe_url"] = safe_url
    env.filters["day"] = lambda value: str(value or "")[:10]
    return env


def safe_url(value: object) -> str:
    """A link target only for http(s) URLs; anything else (``javascript:``...) becomes ``#``."""
    text = str(value or "")
    return text if urlsplit(text).scheme in ("http", "https") else "#"


class View:
    """The pages, bound to one Elasticsearch client and one settings object."""

    def __init__(self, es: Elasticsearch, settings: Settings) -> None:
        self.es = es
        self.settings = settings
        self.aliases = queries.Aliases(
            articles=articles_alias(settings.elasticsearch), events=events_alias(settings.elasticsearch)
        )
        self.env = templates()

    def render(self, name: str, status: int = 200, **context: Any) -> HTMLResponse:
        html = self.env.get_template(name).render(**context)
        return HTMLResponse(html, status_code=status, headers=SECURITY_HEADERS)

    def incidents(self, request: Request) -> Response:
        filters = Filters.parse(request.query_params)
        page = queries.incidents_page(self.es, self.aliases, filters, self.settings.ui.table_rows)
        return self.render(
            "incidents.html",
            filters=filters,
            page=page,
            timeline=[charts.stacked(page.days, "incidents"), charts.stacked(page.days, "deaths")],
            event_types=sorted({*EVENT_TYPES, *page.facets["event_types"]}),
            query=filters.query_string(),
        )

    def export_csv(self, request: Request) -> Response:
        docs = self._selection(request)
        return Response(
            export.to_csv(docs),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="incidents.csv"'},
        )

    def export_geojson(self, request: Request) -> Response:
        docs = self._selection(request)
        headers = {}
        if request.query_params.get("download"):
            headers["Content-Disposition"] = 'attachment; filename="incidents.geojson"'
        return Response(export.to_geojson(docs), media_type="application/geo+json", headers=headers)

    def map_points(self, request: Request) -> Response:
        filters = Filters.parse(request.query_params)
        docs = queries.selection(
            self.es, self.aliases, filters, self.settings.ui.map_points, for_map=True
        )
        return Response(export.to_geojson(docs), media_type="application/geo+json")

    def _selection(self, request: Request) -> list[dict[str, Any]]:
        filters = Filters.parse(request.query_params)
        return queries.selection(self.es, self.aliases, filters, self.settings.ui.export_rows)

    def incident(self, request: Request) -> Response:
        view = queries.incident(self.es, self.aliases, str(request.path_params["incident_id"]))
        if view is None:
            raise HTTPException(404, "no incident with this id")
        return self.render("incident.html", incident=view.incident, articles=view.articles)

    def article(self, request: Request) -> Response:
        doc = queries.article(self.es, self.aliases, str(request.path_params["article_id"]))
        if doc is None:
            raise HTTPException(404, "no article with this id")
        ids = [str(i) for i in doc.get("incident_ids") or []]
        incidents = queries.incidents_by_id(self.es, self.aliases, ids)
        text = str(doc.get("text") or "")
        return self.render(
            "article.html",
            article=doc,
            incidents=incidents,
            segments=highlight.segments(text, highlight.terms(doc, incidents)),
            related=queries.related_articles(self.es, self.aliases, doc),
        )

    def basemap(self, request: Request) -> Response:
        return Response(
            countries_geojson(),
            media_type="application/geo+json",
            headers={"Cache-Control": "public, max-age=86400"},
        )

    # -- errors --------------------------------------------------------------------------------

    async def bad_filter(self, request: Request, exc: Exception) -> Response:
        return self.render("error.html", 400, title="Bad filter", reason=str(exc))

    async def http_error(self, request: Request, exc: Exception) -> Response:
        status = exc.status_code if isinstance(exc, HTTPException) else 500
        detail = exc.detail if isinstance(exc, HTTPException) else "error"
        return self.render("error.html", status, title=f"Error {status}", reason=detail)

    async def search_error(self, request: Request, exc: Exception) -> Response:
        log.warning("search failed: %s", exc)
        return self.render(
            "error.html", 503, title="Search unavailable",
            reason=f"Elasticsearch did not answer the search ({type(exc).__name__})",
        )

    async def server_error(self, request: Request, exc: Exception) -> Response:
        log.exception("page failed")
        return self.render("error.html", 500, title="Error", reason="the page could not be built")


def create_app(settings: Settings, es: Elasticsearch) -> Starlette:
    view = View(es, settings)
    routes = [
        Route("/", view.incidents),
        Route("/incidents.csv", view.export_csv),
        Route("/incidents.geojson", view.export_geojson),
        Route("/map/points.geojson", view.map_points),
        Route("/incident/{incident_id}", view.incident),
        Route("/article/{article_id}", view.article),
        Route("/basemap/countries.geojson", view.basemap),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
        Mount("/vendor/leaflet", StaticFiles(directory=xstatic_leaflet.BASE_DIR), name="leaflet"),
        Mount(
            "/vendor/markercluster",
            StaticFiles(directory=xstatic_markercluster.BASE_DIR),
            name="markercluster",
        ),
    ]
    return Starlette(
        routes=routes,
        exception_handlers={
            BadFilter: view.bad_filter,
            HTTPException: view.http_error,
            ApiError: view.search_error,
            TransportError: view.search_error,
            Exception: view.server_error,
        },
    )
