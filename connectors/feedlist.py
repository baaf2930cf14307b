"""The feeds file: YAML with a top-level ``feeds:`` list whose items have at least ``url:``."""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError


class FeedSpec(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)

    url: str
    name: str | None = None


class FeedsFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    feeds: list[FeedSpec]
    serve: str | None = None  # a folder served locally for the demo; `{demo}` in URLs points at it

    def site_root(self, feeds_path: Path) -> Path | None:
        return (feeds_path.parent / self.serve) if self.serve else None


class FeedsFileError(ValueError):
    pass


def load_feeds_file(path: Path) -> FeedsFile:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise FeedsFileError(f"cannot read feeds file {path}: {exc}") from exc
    try:
        return FeedsFile.model_validate(data)
    except ValidationError as exc:
        raise FeedsFileError(f"feeds file {path} is not valid: {exc}") from exc
