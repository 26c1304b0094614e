"""The exact merge of a profile-sharded index's answers (issue 21 item 3, the pure part).

A profile's score depends on its own chunks only (the aggregation is per profile), so when every
chunk of a profile lives in one shard, each shard scores its profiles exactly as the whole index
would. The global top ``n`` of a kind is then the top ``n`` of the shards' own top ``n`` lists,
merged in the single index's order: score descending, ties by the profile's position in the whole
pool (:func:`matcher.ranking.top_profiles` breaks ties the same way).
"""

from __future__ import annotations

import hashlib
import heapq
import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True, order=True)
class Ranked:
    """One profile in a shard's answer, ordered as the single index orders them.

    Attributes:
        key: ``(-score, position)``: best first, ties by the profile's position in the pool.
        profile_id: the profile.
    """

    key: tuple[float, int]
    profile_id: str

    @classmethod
    def of(cls, profile_id: str, score: float, position: int) -> Ranked:
        """A profile with its score and its position in the whole pool."""
        return cls((-score, position), profile_id)

    @property
    def score(self) -> float:
        """The profile's score."""
        return -self.key[0]


def shard_of(profile_id: str, shards: int) -> int:
    """The shard holding every chunk of ``profile_id`` (a stable hash: the same in every process
    and on every machine, unlike :func:`hash`)."""
    if shards < 1:
        raise ValueError(f"shards must be at least 1, not {shards}")
    digest = hashlib.blake2b(profile_id.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") % shards


def merge_top(answers: Iterable[Sequence[Ranked]], n: int) -> list[Ranked]:
    """The best ``n`` of the shards' answers for one kind (each sorted best first and holding
    that shard's own best ``n``): exactly the single index's top ``n``."""
    return list(itertools.islice(heapq.merge(*answers), n))


def merge_kinds(
    answers: Iterable[Mapping[str, Sequence[Ranked]]], n: int
) -> dict[str, list[Ranked]]:
    """:func:`merge_top` per kind over the shards' per-kind answers (a kind missing from a
    shard's answer contributes nothing)."""
    by_kind: dict[str, list[Sequence[Ranked]]] = {}
    for answer in answers:
        for kind, ranked in answer.items():
            by_kind.setdefault(kind, []).append(ranked)
    return {kind: merge_top(lists, n) for kind, lists in by_kind.items()}
