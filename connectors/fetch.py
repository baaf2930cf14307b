"""A small, careful HTTP fetcher: timeouts, an overall deadline, a size cap, and an SSRF guard.

Every request resolves the host itself and refuses non-public addresses unless the settings
allow private targets (the local demo and the tests do). Redirects are followed by hand so each
hop is checked the same way.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import urllib3

from pipeline.settings import FetchSettings


class FetchError(Exception):
    """The URL could not be fetched; ``reason`` is a short, countable cause."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


@dataclass(frozen=True)
class Response:
    url: str
    status: int
    headers: dict[str, str]
    body: bytes


def _check_address(host: str, port: int, allow_private: bool) -> None:
    try:
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except socket.gaierror as exc:
        raise FetchError("dns", f"{host}: {exc}") from exc
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        if not address.is_global and not allow_private:
            raise FetchError("blocked-address", f"{host} resolves to non-public {address}")


class Fetcher:
    def __init__(self, settings: FetchSettings) -> None:
        self.settings = settings
        self._pool = urllib3.PoolManager(
            timeout=urllib3.Timeout(
                connect=settings.connect_timeout_s, read=settings.read_timeout_s
            ),
            retries=False,
            headers={"User-Agent": settings.user_agent},
        )

    def get(self, url: str, headers: dict[str, str] | None = None) -> Response:
        deadline = time.monotonic() + self.settings.deadline_s
        for _ in range(self.settings.max_redirects + 1):
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise FetchError("bad-url", url)
            port = parts.port or (443 if parts.scheme == "https" else 80)
            _check_address(parts.hostname, port, self.settings.allow_private_addresses)
            try:
                response = self._pool.request(
                    "GET", url, headers=headers, redirect=False, preload_content=False
                )
            except urllib3.exceptions.TimeoutError as exc:
                raise FetchError("timeout", str(exc)) from exc
            except urllib3.exceptions.HTTPError as exc:
                raise FetchError("connection", str(exc)) from exc
            try:
                if response.status in (301, 302, 303, 307, 308):
                    location = response.headers.get("Location")
                    if not location:
                        raise FetchError("bad-redirect", url)
                    url = urljoin(url, location)
                    continue
                body = self._read_capped(response, deadline)
                return Response(url, response.status, dict(response.headers.items()), body)
            finally:
                response.release_conn()
        raise FetchError("redirect-limit", url)

    def _read_capped(self, response: urllib3.BaseHTTPResponse, deadline: float) -> bytes:
        chunks: list[bytes] = []
        size = 0
        try:
            for chunk in response.stream(64 * 1024, decode_content=True):
                size += len(chunk)
                if size > self.settings.max_bytes:
                    raise FetchError("too-large", f"over {self.settings.max_bytes} bytes decoded")
                if time.monotonic() > deadline:
                    raise FetchError("deadline", f"over {self.settings.deadline_s}s")
                chunks.append(chunk)
        except urllib3.exceptions.TimeoutError as exc:
            raise FetchError("timeout", str(exc)) from exc
        except urllib3.exceptions.HTTPError as exc:
            raise FetchError("connection", str(exc)) from exc
        return b"".join(chunks)
