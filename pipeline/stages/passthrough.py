"""The identity stage: the sink's step writes each tagged envelope as it is."""

from __future__ import annotations

from collections.abc import Sequence

from pipeline.envelope import Envelope
from pipeline.stages.base import StatelessStage


class Identity(StatelessStage):
    """For the sink: the envelope is written as it is."""

    name = "index"

    def process(self, envelope: Envelope) -> Sequence[Envelope]:
        return [envelope]
