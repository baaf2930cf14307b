"""Link hygiene: tracking parameters out, the rest of the URL kept.

courlan's normaliser removes the common trackers (``utm_*``, ``fbclid``...) and lower-cases the
host; a few more campaign and analytics parameters that publishers add to feed links are removed
here. Parameters that select the article (``?id=123``) are kept, so the stripped URL still
fetches the same page. The envelope's own ``url`` and id use :func:`pipeline.envelope.canonical_url`.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urldefrag, urlencode, urlsplit, urlunsplit

import courlan

_TRACKING = re.compile(
    r"^(utm_\w+|fbclid|gclid|gclsrc|dclid|msclkid|yclid|twclid|igshid|mc_cid|mc_eid|_ga|_gl|_hsenc|"
    r"_hsmi|mkt_tok|oly_anon_id|oly_enc_id|vero_id|wickedid|cmpid|ito|at_medium|at_campaign|"
    r"at_link_id|at_link_type|at_format|at_ptr_name|at_bbc_team|ns_mchannel|ns_campaign|ns_source|"
    r"ns_linkname|ns_fee|ocid|sr_share|xtor|wt_mc|wt\.mc_id|s_cid|guccounter|guce_referrer\w*|"
    r"ref_src|ref_url|from_rss|rssfeed|smid|smtyp|ncid|taid|spm)$",
    re.IGNORECASE,
)


def strip_tracking(url: str) -> str:
    """``url`` without fragment and tracking parameters; unparseable input is returned trimmed."""
    url = url.strip()
    try:
        normalised = courlan.normalize_url(url)
    except (ValueError, AttributeError):
        return url
    parts = urlsplit(urldefrag(normalised)[0])
    if not parts.query:
        return urlunsplit(parts)
    kept = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _TRACKING.match(k)]
    return urlunsplit(parts._replace(query=urlencode(kept)))


def host_of(url: str) -> str:
    """The lower-case host (with a non-default port) that politeness limits are counted per."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    return f"{host}:{port}" if port else host
