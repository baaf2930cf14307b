"""Site boilerplate learned from lines that repeat across a site's articles.

trafilatura removes navigation and footers by their place in the page, but newsletter boxes,
"Skip to main content", donation appeals and publisher blurbs often sit inside the article
container and survive. The same lines recur, word for word, in many articles of one site, while
an article's own paragraphs do not. :class:`BoilerplateLearner` counts, per site, in how many
recent documents each normalised line occurs; a line seen in at least ``min_documents`` of them
(and in at least ``min_share`` of the site's recent documents) is boilerplate and is dropped.
Because it works on lines, it cleans plain text (feeds, upstream scrapers) as well as text that
trafilatura extracted from HTML.

A short list of generic boilerplate phrases (navigation, sharing, cookies, newsletters, paywall
and subscription prompts) is removed from the first document on, before a site has been seen
often enough to learn anything. Signatures for deduplication are computed from the cleaned text,
so this text never makes two articles look alike.

Memory is bounded: at most ``max_sites`` sites (least recently seen are forgotten) and at most
``max_lines_per_site`` counted lines per site (the rarest are pruned).
"""

from __future__ import annotations

import re
from collections import OrderedDict
from dataclasses import dataclass, field

import xxhash

from pipeline.cleaning.normalise import normalise_line

_GENERIC = re.compile(
    r"^(?:skip to (?:main )?content|skip to navigation|jump to navigation|"
    r"advertisement|adverti[sz]ement - scroll to continue|scroll to continue with content|"
    r"(?:sign up|subscribe) (?:for|to) (?:our|the) (?:\w+ )?newsletters?\b.*|"
    r"share (?:this|on) (?:article|story|facebook|twitter|x|whatsapp|linkedin|email).*|"
    r"(?:share|tweet|email|print|comments?|whatsapp|facebook|twitter|linkedin)"
    r"(?: ?[|·•] ?(?:share|tweet|email|print|comments?|whatsapp|facebook|twitter|linkedin))*|"
    r"read more:?|related(?: articles| stories| content)?:?|most read|trending now|"
    r"we use cookies.*|this (?:web)?site uses cookies.*|accept (?:all )?cookies|"
    r"copyright ©.*|© \d{4}.*|all rights reserved\.?|"
    r"click here to (?:subscribe|sign up|read more).*|follow us on .*|"
    r"enter your email(?: address)?|you have been signed up.*|thank you for signing up.*|"
    # paywall and subscription prompts
    r"(?:please )?subscribe (?:now |today )?to (?:continue|keep) reading.*|"
    r"to (?:continue|keep) reading,? (?:please )?(?:subscribe|log in|sign in|register).*|"
    r"(?:(?:this|the) (?:article|story|content) is )?(?:only )?(?:available|reserved|exclusive) "
    r"(?:only )?(?:to|for) (?:our )?(?:paying |premium |digital )?(?:subscribers|members)\b.*|"
    r"already a (?:subscriber|member)\??(?:.{0,40}(?:log|sign) ?in.*)?|"
    r"you(?:'ve| have) (?:reached|used) (?:your|all of your) (?:limit of |monthly )?free "
    r"(?:articles|stories).*|"
    r"(?:log|sign) ?in or (?:subscribe|register) to (?:continue|read).*|"
    r"subscribe for (?:just |only )?[$£€]\s?\d.*|"
    r"(?:unlock|get) (?:unlimited|full) (?:digital )?access.*)$",
    re.IGNORECASE,
)
_MAX_GENERIC_LEN = 200


@dataclass
class _SiteCounts:
    documents: int = 0
    lines: dict[int, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Cleaned:
    text: str
    removed: int


class BoilerplateLearner:
    def __init__(
        self,
        min_documents: int = 4,
        min_share: float = 0.2,
        min_line_chars: int = 8,
        max_sites: int = 5000,
        max_lines_per_site: int = 4000,
        decay_every: int = 500,
    ) -> None:
        self.min_documents = min_documents
        self.min_share = min_share
        self.min_line_chars = min_line_chars
        self.max_sites = max_sites
        self.max_lines_per_site = max_lines_per_site
        self.decay_every = decay_every
        self._sites: OrderedDict[str, _SiteCounts] = OrderedDict()

    def clean(self, site: str | None, text: str, learn: bool = True) -> Cleaned:
        """Drop generic and learned boilerplate lines from ``text``. With ``learn`` the document's
        distinct lines are counted first, so the document in which a line reaches the threshold
        is already cleaned of it; a line repeated inside one document counts once."""
        lines = text.split("\n")
        keys = [self._key(line) for line in lines]
        counts = self._site(site) if site else None
        if counts is not None and learn:
            self._learn(counts, {key for key in keys if key is not None})
        kept: list[str] = []
        removed = 0
        for line, key in zip(lines, keys, strict=True):
            stripped = line.strip()
            if stripped and len(stripped) <= _MAX_GENERIC_LEN and _GENERIC.match(stripped):
                removed += 1
                continue
            if key is not None and counts is not None and self._is_boilerplate(counts, key):
                removed += 1
                continue
            kept.append(line)
        return Cleaned("\n".join(kept).strip(), removed)

    def known_sites(self) -> int:
        return len(self._sites)

    def _key(self, line: str) -> int | None:
        normalised = normalise_line(line)
        if len(normalised) < self.min_line_chars:
            return None
        return xxhash.xxh3_64_intdigest(normalised)

    def _site(self, site: str) -> _SiteCounts:
        counts = self._sites.get(site)
        if counts is None:
            counts = self._sites[site] = _SiteCounts()
            if len(self._sites) > self.max_sites:
                self._sites.popitem(last=False)
        else:
            self._sites.move_to_end(site)
        return counts

    def _learn(self, counts: _SiteCounts, keys: set[int]) -> None:
        counts.documents += 1
        lines = counts.lines
        for key in keys:
            lines[key] = lines.get(key, 0) + 1
        if len(lines) > self.max_lines_per_site:
            # Keep the most frequent half: boilerplate is by definition frequent.
            ranked = sorted(lines.items(), key=lambda item: item[1], reverse=True)
            counts.lines = dict(ranked[: self.max_lines_per_site // 2])
        if self.decay_every and counts.documents % self.decay_every == 0:
            # Halve old evidence so a site's redesign is forgotten and its counts stay bounded.
            counts.documents //= 2
            counts.lines = {key: value // 2 for key, value in counts.lines.items() if value > 1}

    def _is_boilerplate(self, counts: _SiteCounts, key: int) -> bool:
        seen = counts.lines.get(key, 0)
        return seen >= self.min_documents and seen >= self.min_share * counts.documents
