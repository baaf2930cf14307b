"""Link hygiene: tracking parameters out, the rest of the URL kept.

:func:`strip_tracking` is :func:`pipeline.identity.strip_tracking`: the tracking deny-list
(``pipeline/data/tracking_parameters.yaml`` plus the ``identity`` settings) is removed, every other
parameter is kept in its order, so the stripped URL still fetches the same page. The envelope's
own ``url`` and id use :func:`pipeline.identity.canonical_url` (the same rules, parameters sorted).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from pipeline.identity import strip_tracking

__all__ = ["host_of", "strip_tracking"]


def host_of(url: str) -> str:
    """The lower-case host (with a non-default port) that politeness limits are counted per."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    return f"{host}:{port}" if port else host
