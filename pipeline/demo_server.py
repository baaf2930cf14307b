"""A local static HTTP server for the bundled demo site (and the tests).

It serves a folder on 127.0.0.1 at an ephemeral port, replacing the placeholder ``{DEMO}`` in
text files with its own base URL, so feeds can link to pages on the same server.
"""

from __future__ import annotations

import mimetypes
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from urllib.parse import urlsplit

PLACEHOLDER = b"{DEMO}"
TEXT_TYPES = ("text/", "application/xml", "application/rss+xml", "application/atom+xml")

mimetypes.add_type("application/rss+xml", ".rss")
mimetypes.add_type("application/atom+xml", ".atom")


DEFAULT_PORT = 8765


class DemoServer:
    """Serves ``root`` on 127.0.0.1:``port`` (an ephemeral port if that one is taken). A stable
    port keeps the demo's URLs, and so its article ids, the same from one run to the next."""

    def __init__(self, root: Path, port: int = DEFAULT_PORT) -> None:
        self.root = root.resolve()
        server_root = self.root

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                path = (server_root / urlsplit(self.path).path.lstrip("/")).resolve()
                if not path.is_file() or server_root not in path.parents:
                    self.send_error(404)
                    return
                content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                body = path.read_bytes()
                if content_type.startswith(TEXT_TYPES):
                    body = body.replace(PLACEHOLDER, base_url.encode())
                    content_type += "; charset=utf-8"
                self.send_response(200)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                return None

        try:
            self._server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        except OSError:
            self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        base_url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self.base_url = base_url
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> DemoServer:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
