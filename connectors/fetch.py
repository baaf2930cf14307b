"""A careful HTTP GET: an SSRF guard on every hop, timeouts, an overall deadline, a decoded-size
cap and a content-type check.

How one request goes:

* the host is resolved here, and **every** address it resolves to must be public (not loopback,
  private, link-local, shared, multicast or reserved; IPv4 embedded in IPv6 is unwrapped first)
  unless ``FetchSettings.allow_private_addresses`` is set (everything allowed: the local demo)
  or the address is in ``FetchSettings.allowed_networks`` (named exceptions, guard still on).
  The connection is then made to one of those checked addresses, so a second DNS answer cannot
  swap in another target;
* redirects are followed by hand, each hop checked the same way, with a hop limit and loop
  detection;
* a watchdog shuts the socket down when the overall deadline passes, so a server that dribbles
  its TLS handshake, headers or body a byte at a time is cut off (a read timeout alone would
  not). For HTTPS the watchdog is moved to the TLS socket before the handshake starts: wrapping
  detaches the plain socket, which can then no longer be shut down;
* gzip/deflate bodies are inflated here with a bound on the output, so a small compressed body
  cannot expand past ``max_bytes`` (gzip bombs); every member of a multi-member gzip body is
  decoded, the bound applying to the total.

Errors are one exception with a short, countable reason::

    FetchError.reason
    ├── bad-url            not http(s), or no host
    ├── dns                the host does not resolve
    ├── blocked-address    the host resolves to a non-public address (SSRF guard)
    ├── connect-timeout    no TCP connection within connect_timeout_s
    ├── timeout            no bytes for read_timeout_s
    ├── deadline           the whole request took longer than deadline_s
    ├── connection         refused, reset or closed early
    ├── tls                the TLS handshake or certificate check failed
    ├── protocol           not a valid HTTP response (bad status line, header limits)
    ├── too-large          more than max_bytes once decoded
    ├── bad-encoding       an unsupported or corrupt Content-Encoding
    ├── content-type       a media type the caller did not accept
    ├── bad-redirect       a redirect without a usable Location
    ├── redirect-loop      a redirect back to a URL already visited
    └── redirect-limit     more than max_redirects hops

HTTP error statuses (404, 429, 500...) are not exceptions: the caller gets the response.
"""

from __future__ import annotations

import contextlib
import heapq
import http.client
import ipaddress
import itertools
import socket
import ssl
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Protocol
from urllib.parse import urljoin, urlsplit

from pipeline.settings import FetchSettings

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_CHUNK = 64 * 1024
_GZIP_MAGIC = b"\x1f\x8b"


class FetchError(Exception):
    """The URL could not be fetched; ``reason`` is a short, countable cause."""

    def __init__(self, reason: str, detail: str = "", url: str | None = None) -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail
        self.url = url


@dataclass(frozen=True)
class Response:
    url: str
    status: int
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""
    redirects: tuple[str, ...] = ()

    def header(self, name: str) -> str | None:
        """A header by case-insensitive name (the mapping's keys are lower case)."""
        return self.headers.get(name.lower())

    @property
    def media_type(self) -> str:
        return media_type(self.header("content-type"))


class HttpGet(Protocol):
    """What the connectors need from a fetcher; tests substitute an in-memory one."""

    def get(
        self,
        url: str,
        headers: Mapping[str, str] | None = None,
        *,
        accept: Iterable[str] | None = None,
        max_bytes: int | None = None,
    ) -> Response: ...


Resolver = Callable[[str, int], list[str]]


def media_type(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def system_resolver(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchError("dns", f"{host}: {exc}") from exc
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def is_public_address(address: str) -> bool:
    """True only for globally routable unicast addresses, looking inside IPv6 forms that
    carry an IPv4 address (``::ffff:127.0.0.1`` is not ``is_loopback`` in Python 3.11)."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address):
        embedded: ipaddress.IPv4Address | None = ip.ipv4_mapped or ip.sixtofour
        if embedded is None and ip.teredo is not None:
            embedded = ip.teredo[1]
        if embedded is None and ip in _NAT64:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None and not is_public_address(str(embedded)):
            return False
    return bool(ip.is_global) and not ip.is_multicast and not ip.is_reserved


class _Watchdog:
    """One thread that shuts down sockets whose request outlived its deadline."""

    def __init__(self) -> None:
        self._heap: list[tuple[float, int]] = []
        self._armed: dict[int, socket.socket] = {}
        self._fired: set[int] = set()
        self._ids = itertools.count()
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None

    def arm(self, deadline: float, sock: socket.socket) -> int:
        with self._cond:
            token = next(self._ids)
            self._armed[token] = sock
            heapq.heappush(self._heap, (deadline, token))
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="fetch-deadline", daemon=True)
                self._thread.start()
            self._cond.notify()
            return token

    def disarm(self, token: int) -> bool:
        """Stop watching; True if the deadline had already fired for this request."""
        with self._cond:
            self._armed.pop(token, None)
            fired = token in self._fired
            self._fired.discard(token)
            return fired

    def rearm(self, token: int, sock: socket.socket) -> bool:
        """Watch ``sock`` instead of the socket armed with ``token`` (which it replaces, as a TLS
        socket does the plain one). False if the deadline has already fired: the old socket may
        have been shut down too late to affect the new one, so the caller must give up."""
        with self._cond:
            if token in self._fired or token not in self._armed:
                return False
            self._armed[token] = sock
            return True

    def fired(self, token: int) -> bool:
        with self._cond:
            return token in self._fired

    def _run(self) -> None:
        while True:
            with self._cond:
                while self._heap and self._heap[0][1] not in self._armed:
                    heapq.heappop(self._heap)
                if not self._heap:
                    self._cond.wait()
                    continue
                deadline, token = self._heap[0]
                wait = deadline - time.monotonic()
                if wait > 0:
                    self._cond.wait(wait)
                    continue
                heapq.heappop(self._heap)
                sock = self._armed.pop(token)
                self._fired.add(token)
            with contextlib.suppress(OSError):
                # The plain socket call, also for a TLS socket: ``SSLSocket.shutdown`` would drop
                # the SSL object under the reading thread. Shutting the descriptor down makes
                # that thread's read or handshake fail (or see an end of stream) at once.
                socket.socket.shutdown(sock, socket.SHUT_RDWR)


_WATCHDOG = _Watchdog()


class _Inflater:
    """Decodes a Content-Encoding incrementally, never producing more than ``limit`` bytes.

    A gzip body may hold several members one after another (RFC 1952; ``cat a.gz b.gz``): all of
    them are decoded, and the limit applies to their total. Zero padding after the last member
    is skipped; other bytes after it are ignored, as browsers do."""

    def __init__(self, encoding: str, limit: int) -> None:
        self.limit = limit
        self.size = 0
        self._encoding = encoding
        self._gzip = encoding in ("gzip", "x-gzip")
        self._obj: zlib._Decompress | None = None
        self._carry = b""  # the start of a next gzip header split across reads
        self._finished = False
        if self._gzip:
            self._obj = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif encoding not in ("", "identity", "deflate"):
            raise FetchError("bad-encoding", f"unsupported Content-Encoding {encoding!r}")

    def feed(self, data: bytes) -> bytes:
        if self._encoding == "deflate" and self._obj is None and data:
            # "deflate" is meant to be zlib-wrapped, but some servers send it raw.
            wrapped = (data[0] & 0x0F) == 8
            self._obj = zlib.decompressobj(zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS)
        if self._obj is None:
            self._grow(len(data))
            return data
        pieces: list[bytes] = []
        pending = self._carry + data
        self._carry = b""
        try:
            while pending and not self._finished:
                if self._obj.eof:
                    pending = self._next_member(pending)
                    continue
                out = self._obj.decompress(pending, self.limit - self.size + 1)
                self._grow(len(out))
                pieces.append(out)
                pending = self._obj.unused_data if self._obj.eof else self._obj.unconsumed_tail
        except zlib.error as exc:
            raise FetchError("bad-encoding", f"corrupt {self._encoding} body: {exc}") from exc
        return b"".join(pieces)

    def _next_member(self, pending: bytes) -> bytes:
        """What follows a finished stream: the next gzip member's bytes (a fresh decoder is
        started for them), or nothing."""
        rest = pending.lstrip(b"\x00")
        if not self._gzip or not rest:
            self._finished = not self._gzip
            return b""
        if rest.startswith(_GZIP_MAGIC):
            self._obj = zlib.decompressobj(16 + zlib.MAX_WBITS)
            return rest
        if len(rest) < len(_GZIP_MAGIC) and _GZIP_MAGIC.startswith(rest):
            self._carry = rest
            return b""
        self._finished = True
        return b""

    def _grow(self, count: int) -> None:
        self.size += count
        if self.size > self.limit:
            raise FetchError("too-large", f"over {self.limit} bytes decoded")


def inflate(body: bytes, encoding: str, limit: int) -> bytes:
    """``body`` decoded from ``encoding`` (every gzip member), at most ``limit`` bytes; raises
    FetchError ``too-large`` or ``bad-encoding``."""
    return _Inflater(encoding, limit).feed(body)


def _tls_context(ca_file: str | None = None) -> ssl.SSLContext:
    if ca_file is not None:
        return ssl.create_default_context(cafile=ca_file)
    try:
        import certifi

        return ssl.create_default_context(cafile=certifi.where())
    except ImportError:  # pragma: no cover - certifi is installed with the dependencies
        return ssl.create_default_context()


class Fetcher:
    """GETs one URL at a time; thread-safe (no shared connections).

    ``ca_file`` (PEM) replaces the public root certificates that HTTPS servers are verified
    against: for tests with a throwaway certificate, or an internal mirror signed by a private
    CA. Certificates are always verified, host names always checked."""

    def __init__(
        self, settings: FetchSettings, resolver: Resolver | None = None, *, ca_file: str | None = None
    ) -> None:
        self.settings = settings
        self._resolve = resolver or system_resolver
        self._tls = _tls_context(ca_file)
        self._networks = [ipaddress.ip_network(n, strict=False) for n in settings.allowed_networks]

    def _allowed(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address.split("%", 1)[0])
        except ValueError:
            return False
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        return any(ip in network for network in self._networks)

    def get(
        self,
        url: str,
        headers: Mapping[str, str] | None = None,
        *,
        accept: Iterable[str] | None = None,
        max_bytes: int | None = None,
    ) -> Response:
        """GET ``url``, following redirects. ``accept`` lists media types the caller wants
        for a 2xx answer (others raise ``content-type``); ``max_bytes`` tightens the size cap."""
        deadline = time.monotonic() + self.settings.deadline_s
        limit = min(max_bytes or self.settings.max_bytes, self.settings.max_bytes)
        accepted = frozenset(accept) if accept is not None else None
        visited = [url]
        for _ in range(self.settings.max_redirects + 1):
            response = self._request(url, headers or {}, deadline, limit, accepted)
            if response.status not in REDIRECT_STATUSES:
                return Response(
                    response.url, response.status, response.headers, response.body,
                    tuple(visited[:-1]),
                )
            location = response.header("location")
            if not location:
                raise FetchError("bad-redirect", f"{response.status} without Location", url)
            url = urljoin(url, location.strip())
            if url in visited:
                raise FetchError("redirect-loop", f"back to {url}", visited[0])
            visited.append(url)
        raise FetchError("redirect-limit", f"more than {self.settings.max_redirects} hops", visited[0])

    def _request(
        self,
        url: str,
        headers: Mapping[str, str],
        deadline: float,
        limit: int,
        accepted: frozenset[str] | None,
    ) -> Response:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise FetchError("bad-url", url, url)
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError as exc:
            raise FetchError("bad-url", str(exc), url) from exc
        host = parts.hostname
        addresses = self._resolve(host, port)
        if not addresses:
            raise FetchError("dns", f"{host}: no address", url)
        if not self.settings.allow_private_addresses:
            for address in addresses:
                if not is_public_address(address) and not self._allowed(address):
                    raise FetchError("blocked-address", f"{host} resolves to non-public {address}", url)
        sock = self._connect(addresses, port, deadline, url)
        token = _WATCHDOG.arm(deadline, sock)
        try:
            if parts.scheme == "https":
                sock = self._start_tls(sock, host, token, url)
            response = self._exchange(sock, parts.scheme, host, port, url, headers, limit, accepted)
            if _WATCHDOG.fired(token):
                # The socket was shut under a read that then looked like a clean end of body.
                raise FetchError("deadline", f"over {self.settings.deadline_s}s", url)
            return response
        except FetchError:
            if _WATCHDOG.fired(token):
                raise FetchError("deadline", f"over {self.settings.deadline_s}s", url) from None
            raise
        except (TimeoutError, ssl.SSLError, http.client.HTTPException, OSError) as exc:
            if _WATCHDOG.fired(token):
                raise FetchError("deadline", f"over {self.settings.deadline_s}s", url) from exc
            if isinstance(exc, TimeoutError):
                raise FetchError("timeout", f"no data for {self.settings.read_timeout_s}s", url) from exc
            if isinstance(exc, ssl.SSLError):
                raise FetchError("tls", str(exc), url) from exc
            if isinstance(exc, http.client.HTTPException) and not isinstance(
                exc, http.client.IncompleteRead | http.client.RemoteDisconnected
            ):
                raise FetchError("protocol", f"{type(exc).__name__}: {exc}", url) from exc
            raise FetchError("connection", f"{type(exc).__name__}: {exc}", url) from exc
        finally:
            _WATCHDOG.disarm(token)
            sock.close()

    def _connect(self, addresses: list[str], port: int, deadline: float, url: str) -> socket.socket:
        last: Exception | None = None
        for address in addresses:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise FetchError("deadline", f"over {self.settings.deadline_s}s", url)
            try:
                sock = socket.create_connection(
                    (address, port), timeout=min(self.settings.connect_timeout_s, remaining)
                )
            except TimeoutError as exc:
                last = exc
                continue
            except OSError as exc:
                last = exc
                continue
            sock.settimeout(self.settings.read_timeout_s)
            return sock
        if isinstance(last, TimeoutError):
            raise FetchError("connect-timeout", f"no connection in {self.settings.connect_timeout_s}s", url)
        raise FetchError("connection", f"{type(last).__name__}: {last}", url)

    def _start_tls(self, sock: socket.socket, host: str, token: int, url: str) -> ssl.SSLSocket:
        """Wrap ``sock`` (which is detached by this), move the deadline watchdog to the TLS
        socket, then shake hands under it."""
        tls = self._tls.wrap_socket(sock, server_hostname=host, do_handshake_on_connect=False)
        try:
            if not _WATCHDOG.rearm(token, tls):
                raise FetchError("deadline", f"over {self.settings.deadline_s}s", url)
            tls.do_handshake()
        except BaseException:
            tls.close()
            raise
        return tls

    def _exchange(
        self,
        sock: socket.socket,
        scheme: str,
        host: str,
        port: int,
        url: str,
        headers: Mapping[str, str],
        limit: int,
        accepted: frozenset[str] | None,
    ) -> Response:
        conn: http.client.HTTPConnection
        if scheme == "https":
            conn = http.client.HTTPSConnection(host, port, context=self._tls)
        else:
            conn = http.client.HTTPConnection(host, port)
        # The socket is already connected to a checked address: http.client must not resolve.
        conn.sock = sock
        parts = urlsplit(url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        sent = {
            "User-Agent": self.settings.user_agent,
            "Accept-Encoding": "gzip, deflate",
            "Connection": "close",
            **headers,
        }
        conn.request("GET", target, headers=sent)
        raw = conn.getresponse()
        response_headers = _header_map(raw.getheaders())
        if sum(len(k) + len(v) for k, v in response_headers.items()) > self.settings.max_header_bytes:
            raise FetchError("protocol", "response headers too large", url)
        status = raw.status
        if status in REDIRECT_STATUSES or status == 304 or status >= 400:
            body = self._read_body(raw, response_headers, min(limit, 256 * 1024), url, tolerant=True)
            return Response(url, status, response_headers, body)
        if accepted is not None:
            kind = media_type(response_headers.get("content-type"))
            if kind and kind not in accepted:
                raise FetchError("content-type", f"{kind} is not one of {sorted(accepted)}", url)
        body = self._read_body(raw, response_headers, limit, url, tolerant=False)
        return Response(url, status, response_headers, body)

    def _read_body(
        self,
        raw: http.client.HTTPResponse,
        headers: Mapping[str, str],
        limit: int,
        url: str,
        tolerant: bool,
    ) -> bytes:
        """The decoded body. ``tolerant`` (error pages, redirects) truncates instead of failing."""
        declared = headers.get("content-length", "")
        encoding = headers.get("content-encoding", "identity").strip().lower()
        if not tolerant and declared.isdigit() and encoding in ("", "identity") and int(declared) > limit:
            raise FetchError("too-large", f"Content-Length {declared} over {limit} bytes", url)
        try:
            inflater = _Inflater(encoding, limit)
        except FetchError as exc:
            if tolerant:
                return b""
            exc.url = url
            raise
        chunks: list[bytes] = []
        try:
            while True:
                chunk = raw.read1(_CHUNK)
                if not chunk:
                    break
                chunks.append(inflater.feed(chunk))
        except FetchError as exc:
            if tolerant:
                return b"".join(chunks)
            exc.url = url
            raise
        return b"".join(chunks)


def _header_map(items: Iterable[tuple[str, str]]) -> dict[str, str]:
    merged: dict[str, str] = {}
    for name, value in items:
        key = name.lower()
        merged[key] = f"{merged[key]}, {value}" if key in merged else value
    return merged
