"""Serving the view with uvicorn; Ctrl-C (SIGINT) or SIGTERM stops it cleanly."""

from __future__ import annotations

import logging

import uvicorn

from pipeline.search_setup import client
from pipeline.settings import Settings
from pipeline.ui.app import create_app

log = logging.getLogger(__name__)


def url(settings: Settings) -> str:
    host = settings.ui.host
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{settings.ui.port}/"


def serve(settings: Settings) -> None:
    """Serve until interrupted; uvicorn finishes the requests in flight, then returns."""
    es = client(settings.elasticsearch)
    app = create_app(settings, es)
    config = uvicorn.Config(
        app, host=settings.ui.host, port=settings.ui.port, log_level="info",
        access_log=False, lifespan="off",
    )
    print(f"incidents view on {url(settings)} (Ctrl-C stops it)", flush=True)
    try:
        uvicorn.Server(config).run()
    except KeyboardInterrupt:
        # uvicorn has shut down by then and re-raises the interrupt: Ctrl-C is the way to stop.
        log.info("incidents view stopped")
    finally:
        es.close()
