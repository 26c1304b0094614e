"""The router of the profile-sharded index (issue 21 item 3): the messages between the front,
the router and the shards, the exact merge of the shards' answers, and the router's Serve
deployment.

Kept light on purpose (numpy and :mod:`matcher` only): the router's replica imports this module
and nothing of the catalogue, the index or the models, so that it starts in a moment; the
encoder it needs for a brief sent without its vector is unpickled on the first such request.
"""

from __future__ import annotations

import asyncio
import dataclasses
import pickle
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from matcher.model import Brief
from matcher.ranking import AggregationConfig
from matcher.shard_merge import Ranked, merge_kinds


@dataclass(frozen=True, slots=True)
class ShardRequest:
    """What the router sends every shard.

    Attributes:
        brief: the brief (filters, exclusions).
        query: its vector (``None`` when sent to the router: the router encodes it).
        top: how many of each kind to rank (the ranking profile's shortlist).
        aggregation: the front's aggregation (shards score as the front would).
    """

    brief: Brief
    query: npt.NDArray[np.float32] | None
    top: int
    aggregation: AggregationConfig


@dataclass(frozen=True, slots=True)
class ShardAnswer:
    """One shard's (or, merged, the router's) per-kind top lists.

    Attributes:
        version: the index version scored (``None``: the shards disagreed, mid-swap).
        groups: per wanted kind (its value), best first.
        considered: candidate profiles scored.
        merge_ms: the router's merge time (0 for one shard's answer).
    """

    version: int | None
    groups: dict[str, list[Ranked]]
    considered: int
    merge_ms: float = 0.0


def merge_answers(answers: Sequence[ShardAnswer], top: int) -> ShardAnswer:
    """The shards' answers merged exactly (:func:`matcher.shard_merge.merge_kinds`); version
    ``None`` when they scored different versions (an index swapped in between)."""
    versions = {a.version for a in answers}
    version = versions.pop() if len(versions) == 1 else None
    groups = merge_kinds((a.groups for a in answers), top)
    return ShardAnswer(version, groups, sum(a.considered for a in answers))


class Router:
    """The Serve deployment that fans a brief out to the shards and merges their answers.

    Args:
        shards: the shards' deployment handles.
        encoder_factory: the pickled factory of the encoder for requests that come without a
            vector (unpickled and called on the first such request).
    """

    def __init__(self, shards: Sequence[Any], encoder_factory: bytes) -> None:
        self.shards = list(shards)
        self.encoder_factory = encoder_factory
        self._encoder: Any = None

    def encode(self, text: str) -> npt.NDArray[np.float32]:
        """The brief's vector (the encoder made on first use)."""
        if self._encoder is None:
            self._encoder = pickle.loads(self.encoder_factory)()
        vector: npt.NDArray[np.float32] = self._encoder.encode([text])[0]
        return vector

    async def score(self, request: ShardRequest) -> ShardAnswer:
        """Every shard's answer to ``request``, merged exactly (with the merge's own time)."""
        if request.query is None:
            request = dataclasses.replace(request, query=self.encode(request.brief.text))
        answers = await asyncio.gather(*(shard.answer.remote(request) for shard in self.shards))
        started = time.perf_counter()
        merged = merge_answers(answers, request.top)
        return dataclasses.replace(merged, merge_ms=(time.perf_counter() - started) * 1000)

    async def versions(self) -> list[int]:
        """Every shard's version, loading it first (start-up waits for this)."""
        return list(await asyncio.gather(*(shard.load.remote() for shard in self.shards)))
