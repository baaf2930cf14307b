"""A local HTTP server on 127.0.0.1 that plays the feeds and pages the connector must survive:
good RSS/Atom/RDF, malformed XML, HTML served as a feed, an ETag feed, a 429, a redirect loop,
a redirect to a private address, a gzip bomb, a cp1251 page with no charset, a slow-loris
page, an oversize page, 404/410/500, robots.txt rules, sitemaps. The same scenarios over HTTPS
with a throwaway self-signed certificate made at test time, and a server that drips a TLS
handshake."""

from __future__ import annotations

import contextlib
import gzip
import socket
import ssl
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from urllib.parse import urlsplit
from xml.sax.saxutils import escape

NOW = datetime.now(UTC).replace(microsecond=0)
PARAGRAPH = ("<p>Hundreds of people protested on Friday against a sharp rise in the price of bread, "
             "witnesses said, marching from the old city to the governor's office.</p>")
CYRILLIC = ("<html><head><title>Новости</title></head><body><p>Взрыв в центре города унёс жизни "
            "двенадцати человек, сообщили местные власти в понедельник. Полиция начала "
            "расследование.</p></body></html>")
BOMB = gzip.compress(b"<html>" + b" " * (60 * 1024 * 1024), compresslevel=9)


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: tuple[tuple[str, str], ...] = ()


Route = Callable[[BaseHTTPRequestHandler], Reply | None]


def html_page(title: str) -> bytes:
    head = f"<html><head><title>{title}</title></head>"
    return f"{head}<body><h1>{title}</h1>{PARAGRAPH * 3}</body></html>".encode()


def self_signed_certificate(directory: Path) -> tuple[Path, Path]:
    """(certificate, key) for 127.0.0.1 and localhost, made with ``openssl`` in ``directory``;
    the certificate is its own CA, to be trusted by the test's client only."""
    cert, key = directory / "server.pem", directory / "server.key"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )
    return cert, key


class ScenarioServer:
    """The scenarios over HTTP, or over HTTPS when given a server-side TLS context."""

    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        self.requests: Counter[str] = Counter()
        self.headers_seen: dict[str, list[dict[str, str]]] = {}
        self.routes: dict[str, Route] = {}
        self.rss_items: list[tuple[str, str, str]] = []  # (guid, path, title)
        self._dropped: set[str] = set()  # slow routes whose client left before the end
        self._dropped_changed = threading.Condition()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                path = urlsplit(self.path).path
                server.requests[path] += 1
                server.headers_seen.setdefault(path, []).append({k: v for k, v in self.headers.items()})
                route = server.routes.get(path)
                reply = route(self) if route else Reply(404, b"not found", (("Content-Type", "text/html"),))
                if reply is None:  # the route wrote its own response
                    return
                self.send_response(reply.status)
                for name, value in reply.headers:
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(reply.body)))
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(reply.body)

            def log_message(self, format: str, *args: object) -> None:
                return None

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        if tls is not None:
            self._server.socket = tls.wrap_socket(self._server.socket, server_side=True)
        scheme = "https" if tls is not None else "http"
        self.base = f"{scheme}://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._install()

    def url(self, path: str) -> str:
        return self.base + path

    def wait_dropped(self, path: str, timeout_s: float = 30.0) -> bool:
        """True once the client of the slow route ``path`` has gone away while it was still
        dripping (False if that has not happened within ``timeout_s``, a hang guard)."""
        with self._dropped_changed:
            return self._dropped_changed.wait_for(lambda: path in self._dropped, timeout_s)

    def _drop(self, path: str) -> None:
        with self._dropped_changed:
            self._dropped.add(path)
            self._dropped_changed.notify_all()

    # -- scenarios -----------------------------------------------------------------------------

    def _install(self) -> None:
        r = self.routes
        xml = (("Content-Type", "application/rss+xml"),)
        r["/robots.txt"] = lambda h: Reply(200, b"User-agent: *\nDisallow: /private/\n",
                                           (("Content-Type", "text/plain"),))
        self.rss_items = [
            ("rss-1", "/articles/protest.html?utm_source=rss&utm_medium=feed", "Bread protest"),
            ("rss-2", "/articles/cyrillic.html", "Взрыв в центре"),
            ("rss-3", "/articles/slow.html", "Slow page"),
            ("rss-4", "/articles/bomb.html", "Bomb page"),
            ("rss-5", "/articles/gone.html", "Gone page"),
            ("rss-6", "/private/secret.html", "Disallowed by robots"),
        ]
        r["/rss.xml"] = lambda h: Reply(200, self.rss(), xml)
        r["/atom.xml"] = lambda h: Reply(200, self.atom(), (("Content-Type", "application/atom+xml"),))
        r["/rdf.xml"] = lambda h: Reply(200, self.rdf(), (("Content-Type", "application/rdf+xml"),))
        r["/malformed.xml"] = lambda h: Reply(200, b"<?xml version='1.0'?><rss version='2.0'><channel>"
                                                   b"<title>Broken &</title", xml)
        landing = b"<!DOCTYPE html><html><body><p>Subscribe!</p></body></html>"
        r["/html-feed.xml"] = lambda h: Reply(200, landing, (("Content-Type", "text/html; charset=utf-8"),))
        r["/etag.xml"] = self._etag
        r["/429.xml"] = lambda h: Reply(429, b"slow down", (("Retry-After", "3600"),
                                                            ("Content-Type", "text/plain")))
        r["/500.xml"] = lambda h: Reply(500, b"oops", (("Content-Type", "text/plain"),))
        r["/loop-a.xml"] = lambda h: Reply(302, b"", (("Location", "/loop-b.xml"),))
        r["/loop-b.xml"] = lambda h: Reply(301, b"", (("Location", self.url("/loop-a.xml")),))
        port = self._server.server_address[1]
        r["/to-private.xml"] = lambda h: Reply(302, b"", (("Location", f"http://127.0.0.2:{port}/rss.xml"),))
        r["/to-metadata.xml"] = lambda h: Reply(
            302, b"", (("Location", "http://169.254.169.254/latest/meta-data/"),))
        r["/articles/protest.html"] = lambda h: Reply(200, html_page("Bread protest"),
                                                      (("Content-Type", "text/html; charset=utf-8"),))
        r["/articles/cyrillic.html"] = lambda h: Reply(200, CYRILLIC.encode("cp1251"),
                                                       (("Content-Type", "text/html"),))
        r["/articles/bomb.html"] = lambda h: Reply(200, BOMB, (("Content-Type", "text/html"),
                                                               ("Content-Encoding", "gzip")))
        r["/articles/gone.html"] = lambda h: Reply(410, b"gone", (("Content-Type", "text/html"),))
        r["/articles/error.html"] = lambda h: Reply(500, b"oops", (("Content-Type", "text/html"),))
        r["/articles/big.html"] = lambda h: Reply(200, b"<html>" + b"x" * (3 * 1024 * 1024),
                                                  (("Content-Type", "text/html"),))
        r["/articles/image.jpg"] = lambda h: Reply(200, b"\xff\xd8\xff", (("Content-Type", "image/jpeg"),))
        r["/articles/slow.html"] = self._slow_loris
        r["/articles/slow-headers.html"] = self._slow_headers
        r["/articles/silent.html"] = self._silent
        r["/sitemap.xml"] = lambda h: Reply(200, self.sitemap_index(), (("Content-Type", "application/xml"),))
        r["/news-sitemap.xml.gz"] = lambda h: Reply(200, gzip.compress(self.news_sitemap()),
                                                    (("Content-Type", "application/gzip"),))
        for n in range(1, 4):
            r[f"/articles/a{n}.html"] = self._article(n)

    @staticmethod
    def _article(n: int) -> Route:
        def route(handler: BaseHTTPRequestHandler) -> Reply:
            return Reply(200, html_page(f"Article {n}"), (("Content-Type", "text/html"),))

        return route

    def _etag(self, handler: BaseHTTPRequestHandler) -> Reply:
        etag = '"etag-v1"'
        if handler.headers.get("If-None-Match") == etag:
            return Reply(304, b"", (("ETag", etag),))
        body = self.rss_of([("etag-1", "/articles/a1.html", "ETag story")])
        return Reply(200, body, (("Content-Type", "application/rss+xml"), ("ETag", etag)))

    def _slow_loris(self, handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html")
        handler.send_header("Content-Length", "100000")
        handler.end_headers()
        try:
            for _ in range(600):
                handler.wfile.write(b"<")
                handler.wfile.flush()
                time.sleep(0.1)
        except OSError:
            self._drop(urlsplit(handler.path).path)

    def _slow_headers(self, handler: BaseHTTPRequestHandler) -> None:
        try:
            handler.wfile.write(b"HTTP/1.1 200 OK\r\n")
            for n in range(600):
                handler.wfile.write(f"X-Drip-{n}: 1\r\n".encode())
                handler.wfile.flush()
                time.sleep(0.1)
        except OSError:
            self._drop(urlsplit(handler.path).path)

    def _silent(self, handler: BaseHTTPRequestHandler) -> None:
        time.sleep(10)

    # -- documents -----------------------------------------------------------------------------

    def rss_of(self, items: list[tuple[str, str, str]], ttl: int | None = None) -> bytes:
        parts = ['<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
                 f"<title>Scenario</title><link>{self.base}/</link><description>d</description>"]
        if ttl is not None:
            parts.append(f"<ttl>{ttl}</ttl>")
        for n, (guid, path, title) in enumerate(items):
            published = format_datetime(NOW - timedelta(hours=n))
            parts.append(f"<item><title>{escape(title)}</title><link>{escape(self.base + path)}</link>"
                         f'<guid isPermaLink="false">{guid}</guid><pubDate>{published}</pubDate>'
                         f"<description>Feed summary of {escape(title)}.</description></item>")
        parts.append("</channel></rss>")
        return "".join(parts).encode("utf-8")

    def rss(self) -> bytes:
        return self.rss_of(self.rss_items, ttl=30)

    def atom(self) -> bytes:
        return (f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
                f"<title>Atom</title><id>urn:scenario:atom</id><updated>{NOW.isoformat()}</updated>"
                f'<entry><title>Atom story</title><id>urn:scenario:atom:1</id>'
                f'<link rel="alternate" href="{self.base}/articles/a2.html"/>'
                f"<updated>{NOW.isoformat()}</updated><summary>Atom summary.</summary></entry>"
                f"</feed>").encode()

    def rdf(self) -> bytes:
        return (f'<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
                f'xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">'
                f'<channel rdf:about="{self.base}/"><title>RDF</title><link>{self.base}/</link>'
                f"<description>d</description></channel>"
                f'<item rdf:about="{self.base}/articles/a3.html"><title>RDF story</title>'
                f"<link>{self.base}/articles/a3.html</link><dc:date>{NOW.isoformat()}</dc:date>"
                f"<description>RDF summary.</description></item></rdf:RDF>").encode()

    def sitemap_index(self) -> bytes:
        return (f'<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                f"<sitemap><loc>{self.base}/news-sitemap.xml.gz</loc></sitemap></sitemapindex>").encode()

    def news_sitemap(self) -> bytes:
        urls = "".join(
            f"<url><loc>{self.base}/articles/a{n}.html</loc><news:news><news:publication>"
            f"<news:name>Scenario</news:name><news:language>en</news:language></news:publication>"
            f"<news:publication_date>{NOW.isoformat()}</news:publication_date>"
            f"<news:title>Sitemap story {n}</news:title></news:news></url>"
            for n in range(1, 4)
        )
        return ('<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
                f'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">{urls}</urlset>').encode()

    def __enter__(self) -> ScenarioServer:
        self._thread.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._server.shutdown()
        self._server.server_close()


class HandshakeDripServer:
    """Answers every TLS ClientHello with the header of a 16 KB handshake record, then one byte of
    it every 0.1 s: each read gets data in time, the handshake never completes."""

    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._stop = threading.Event()
        self.url = f"https://127.0.0.1:{self._listener.getsockname()[1]}/"
        self._thread = threading.Thread(target=self._accept, daemon=True)

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._drip, args=(conn,), daemon=True).start()

    def _drip(self, conn: socket.socket) -> None:
        with conn:
            try:
                conn.recv(4096)  # the ClientHello
                conn.sendall(b"\x16\x03\x03\x40\x00")  # handshake record, 16384 bytes long
                for _ in range(600):
                    if self._stop.is_set():
                        return
                    conn.sendall(b"\x00")
                    time.sleep(0.1)
            except OSError:
                return

    def __enter__(self) -> HandshakeDripServer:
        self._thread.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._stop.set()
        with contextlib.suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)  # wakes the accepting thread
        self._listener.close()
