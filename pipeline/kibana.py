"""`pipeline kibana-import`: load the saved objects under ``kibana/`` into Kibana.

The NDJSON files hold the analysts' data views (``news-articles``, ``news-events``), saved
searches, visualisations, the incidents map and the dashboard. They are sent to Kibana's saved
objects ``_import`` API with ``overwrite=true``, so importing again updates them in place. When
the index prefix is not ``news``, the data views are pointed at ``<prefix>-articles`` and
``<prefix>-events`` on the way in.

Kibana is called with the Elasticsearch credentials of the settings (an API key or user and
password are accepted by Kibana as well). The command waits for Kibana to answer, so the
docker-compose setup job can run it as soon as Kibana's container starts.
"""

from __future__ import annotations

import argparse
import base64
import json
import logging
import os
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Any

from pipeline.settings import ElasticsearchSettings, Settings

log = logging.getLogger(__name__)



def assets_folder(prefix: str = sys.prefix) -> Path:
    """The saved objects: in the source tree, or where an installed package put them
    (``[tool.setuptools.data-files]`` in pyproject.toml)."""
    source = Path(__file__).resolve().parents[1] / "kibana"
    if source.is_dir():
        return source
    return Path(prefix) / "share" / "news-incidents" / "kibana"


ASSETS = assets_folder()
DEFAULT_PREFIX = "news"


def asset_files(folder: Path = ASSETS) -> list[Path]:
    return sorted(folder.glob("*.ndjson"))


def load_objects(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def retarget(objects: list[dict[str, Any]], index_prefix: str) -> list[dict[str, Any]]:
    """Point the data views at the indices of ``index_prefix``."""
    if index_prefix == DEFAULT_PREFIX:
        return objects
    out = []
    for obj in objects:
        if obj.get("type") == "index-pattern":
            obj = json.loads(json.dumps(obj))
            title = obj["attributes"]["title"]
            if title.startswith(DEFAULT_PREFIX + "-"):
                obj["attributes"]["title"] = index_prefix + title[len(DEFAULT_PREFIX) :]
        out.append(obj)
    return out


def _multipart(filename: str, content: bytes) -> tuple[bytes, str]:
    boundary = "----news-incidents-" + uuid.uuid4().hex
    body = b"".join(
        [
            f"--{boundary}\r\n".encode(),
            f'Content-Disposition: form-data; name="file"; filename="{filename}"\r\n'.encode(),
            b"Content-Type: application/ndjson\r\n\r\n",
            content,
            f"\r\n--{boundary}--\r\n".encode(),
        ]
    )
    return body, f"multipart/form-data; boundary={boundary}"


def _auth_header(settings: ElasticsearchSettings) -> dict[str, str]:
    if settings.api_key is not None:
        return {"Authorization": "ApiKey " + settings.api_key.get_secret_value()}
    if settings.username and settings.password is not None:
        token = f"{settings.username}:{settings.password.get_secret_value()}".encode()
        return {"Authorization": "Basic " + base64.b64encode(token).decode()}
    return {}


def import_file(
    kibana_url: str,
    path: Path,
    settings: ElasticsearchSettings,
    space: str | None = None,
    wait_s: float = 120.0,
) -> dict[str, Any]:
    """Import one NDJSON file; retry while Kibana is not up yet. Returns Kibana's answer."""
    objects = retarget(load_objects(path), settings.index_prefix)
    content = "".join(json.dumps(o, ensure_ascii=False) + "\n" for o in objects).encode()
    body, content_type = _multipart(path.name, content)
    base = kibana_url.rstrip("/") + (f"/s/{space}" if space else "")
    url = f"{base}/api/saved_objects/_import?overwrite=true"
    headers = {"kbn-xsrf": "true", "Content-Type": content_type, **_auth_header(settings)}
    deadline = time.monotonic() + wait_s
    while True:
        request = urllib.request.Request(url, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                answer: dict[str, Any] = json.load(response)
                return answer
        except urllib.error.HTTPError as exc:
            # 503: Kibana is starting (or its Elasticsearch is); anything else is an answer.
            if exc.code != 503 or time.monotonic() > deadline:
                detail = exc.read().decode("utf-8", "replace")[:2000]
                raise RuntimeError(f"Kibana refused {path.name}: {exc.code} {detail}") from exc
        except OSError as exc:
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kibana at {kibana_url} unreachable: {exc}") from exc
        log.info("Kibana at %s not ready yet; retrying", kibana_url)
        time.sleep(3)


def _cmd_kibana_import(args: argparse.Namespace, settings: Settings) -> int:
    folder = Path(args.assets)
    files = asset_files(folder)
    if not files:
        print(f"no .ndjson files in {folder}")
        return 1
    ok = True
    for path in files:
        try:
            answer = import_file(
                args.kibana_url, path, settings.elasticsearch, args.space, args.wait
            )
        except RuntimeError as exc:
            print(str(exc))
            return 1
        errors = answer.get("errors") or []
        print(
            f"{path.name}: {answer.get('successCount', 0)} saved objects imported"
            + (f", {len(errors)} failed" if errors else "")
        )
        for error in errors:
            print(f"  {error.get('type')} {error.get('id')}: {json.dumps(error.get('error'))}")
        ok = ok and bool(answer.get("success")) and not errors
    return 0 if ok else 1


def register(commands: Any) -> None:
    """Add ``kibana-import`` to the CLI's subcommands."""
    parser = commands.add_parser(
        "kibana-import", help="import the Kibana data views, searches and dashboard (idempotent)"
    )
    parser.add_argument(
        "--kibana-url",
        default=os.environ.get("KIBANA_URL", "http://localhost:5601"),
        help="Kibana's base URL (default: $KIBANA_URL or http://localhost:5601)",
    )
    parser.add_argument("--space", default=None, help="Kibana space id (default: the default space)")
    parser.add_argument("--assets", default=str(ASSETS), help="folder of .ndjson files")
    parser.add_argument(
        "--wait", type=float, default=120.0, help="seconds to wait for Kibana to come up"
    )
    parser.set_defaults(handler=_cmd_kibana_import)
