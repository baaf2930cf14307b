"""The analyst's read-only web view over the articles and incidents aliases (`python -m pipeline ui`).

Modules: ``filters`` (query string -> Elasticsearch query), ``queries`` (the searches each page
issues), ``export`` (CSV and GeoJSON), ``basemap`` (offline country boundaries), ``highlight``
(marking entities and evidence in article text), ``app`` (the Starlette application) and
``server`` (uvicorn on loopback).
"""
