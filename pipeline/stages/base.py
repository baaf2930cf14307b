"""What the runner needs from a stage.

A stage takes one envelope and returns the envelopes to write downstream: usually one, none when
the input is consumed without output, several when it fans out. It raises
:class:`~pipeline.errors.InvalidInput` for a record it can never process. A stage that keeps state
(the deduplicator's index, the tagger's incident store) must not make that state durable before
the runner has written the batch: it does so in :meth:`StageFunction.after_batch_written`.

A stage may also define ``prepare_batch(envelopes)``: the runner calls it with every decodable
envelope of a polled batch before calling ``process`` on each, so the stage can fetch or claim
state for the whole batch in one round trip. It may raise ``RetriableError``; any result it
keeps must leave ``process`` correct on its own.

A stateful stage also defines ``discard_staged(envelope_ids)``: before ``after_batch_written``,
the runner names the articles of the batch that were processed but went to the dead-letter topic
instead of downstream (an output too large for the topic, a permanent write error, the stage's
own ``InvalidInput``), and the stage drops what it staged for them in this batch, never what
earlier batches made durable. Ids it staged nothing for are ignored.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from pipeline.envelope import Envelope


class StageFunction(Protocol):
    name: str

    def process(self, envelope: Envelope) -> Sequence[Envelope]:
        """Transform one envelope; raise InvalidInput for bad input."""
        ...

    def after_batch_written(self) -> None:
        """Called once every output of the current batch is acknowledged, before the commit."""
        ...


class StatelessStage:
    """Base for stages with no state to persist."""

    name = "stage"

    def process(self, envelope: Envelope) -> Sequence[Envelope]:
        raise NotImplementedError

    def after_batch_written(self) -> None:
        return None
