"""``matcher batch CALL --ray``: the briefs scored in parallel by Ray actors, each holding the
current index version read-only; numbering, assignment and consortia stay on the driver.

Each actor wires its own container over the same catalogue and index directory and scores a
contiguous slice of the briefs through :meth:`SearchEngine.score_many`; the driver puts the
slices back in order and numbers the candidates in first-seen order, so the candidates, and with
them every report, are those of the local run. Every actor must have served the driver's index
version, else the run is refused (an index swapped in mid-run).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from matcher.errors import IndexUnavailableError
from matcher.fusion import RankingProfile
from matcher.model import Brief
from service.batch.run import BriefScorer
from service.batch.score import Candidates
from service.container import build_container
from service.scale.ray_embed import EncoderFactory, one_thread_encoder
from service.scale.ray_session import cluster_cpus, ray_session
from service.search.engine import SearchEngine
from service.settings import Settings

#: Per brief, (profile id, score) of each candidate of every kind, in the engine's order.
Scored = list[list[tuple[str, float]]]


class ScoringActor:
    """A Ray actor over the index (read-only): scores slices of briefs.

    Args:
        settings: the service settings (catalogue, index directory, aggregation).
        encoder_factory: makes the actor's encoder (the model that built the index).
    """

    def __init__(self, settings: Settings, encoder_factory: EncoderFactory) -> None:
        self.container = build_container(settings, encoder=encoder_factory())

    def score(self, briefs: Sequence[Brief], profile: RankingProfile) -> tuple[int, Scored]:
        """The index version served and each brief's candidates by profile id."""
        return scored_by_id(self.container.engine, briefs, profile)


def scored_by_id(
    engine: SearchEngine, briefs: Sequence[Brief], profile: RankingProfile
) -> tuple[int, Scored]:
    """Score ``briefs`` and name each candidate by profile id (with the version served)."""
    snap = engine.snapshot()
    scored = engine.score_many(briefs, profile=profile)
    rows = [
        [
            (snap.profiles[int(p)].id, float(s))
            for scores in result.groups.values()
            for p, s in zip(scores.profiles, scores.scores, strict=True)
        ]
        for result in scored
    ]
    return snap.manifest.version, rows


def number(scored: Scored) -> Candidates:
    """Candidates numbered in first-seen order (as :func:`service.batch.score.score_briefs`)."""
    index_of: dict[str, int] = {}
    per_brief = [
        [(index_of.setdefault(profile_id, len(index_of)), score) for profile_id, score in row]
        for row in scored
    ]
    return Candidates(ids=list(index_of), per_brief=per_brief)


def score_briefs_on_ray(
    settings: Settings,
    engine: SearchEngine,
    briefs: Sequence[Brief],
    *,
    address: str | None = None,
    actors: int | None = None,
    encoder_factory: EncoderFactory | None = None,
    profile: RankingProfile = RankingProfile.FAST,
    progress: Callable[[int, int], None] | None = None,
    num_cpus: int | None = None,
) -> Candidates:
    """Score ``briefs`` on a pool of Ray actors; the same candidates as the local scoring.

    Args:
        settings: the service settings.
        engine: the driver's engine (its index version is the one every actor must serve).
        briefs: the call's briefs.
        address: a Ray cluster (``None``/``"local"``: ``$KE_MATCHER_RAY_ADDRESS`` or local Ray).
        actors: scoring actors (default: the cluster's CPUs, at most one per brief).
        encoder_factory: makes each actor's encoder (default: the configured one, one thread).
        profile: the ranking profile.
        progress: called as ``progress(done, total)`` as slices come back.
        num_cpus: CPUs of a locally started Ray.

    Raises:
        IndexUnavailableError: no index, or an actor served another version than the driver.
        RayUnavailableError: Ray is not installed or the cluster cannot be reached.
    """
    version = engine.snapshot().manifest.version
    if not briefs:
        return Candidates(ids=[], per_brief=[])
    factory = encoder_factory or one_thread_encoder(settings)
    with ray_session(address, num_cpus=num_cpus) as ray:
        pool = max(1, min(actors or cluster_cpus(ray), len(briefs)))
        remote: Any = ray.remote(num_cpus=1, max_restarts=1, max_task_retries=2)(ScoringActor)
        workers = [remote.remote(settings, factory) for _ in range(pool)]
        step = -(-len(briefs) // pool)
        slices = [list(briefs[s : s + step]) for s in range(0, len(briefs), step)]
        pending = [w.score.remote(part, profile) for w, part in zip(workers, slices, strict=False)]
        scored: Scored = []
        for ref in pending:
            served, rows = ray.get(ref)
            if served != version:
                raise IndexUnavailableError(
                    f"the index changed during the batch (v{version} → v{served}); run it again"
                )
            scored.extend(rows)
            if progress is not None:
                progress(len(scored), len(briefs))
    return number(scored)


def ray_scorer(
    settings: Settings,
    engine: SearchEngine,
    address: str | None,
    *,
    actors: int | None = None,
    encoder_factory: EncoderFactory | None = None,
) -> BriefScorer:
    """A :data:`service.batch.run.BriefScorer` that scores on Ray (:func:`score_briefs_on_ray`)."""

    def score(
        briefs: Sequence[Brief],
        profile: RankingProfile,
        progress: Callable[[int, int], None] | None,
    ) -> Candidates:
        return score_briefs_on_ray(
            settings,
            engine,
            briefs,
            address=address,
            actors=actors,
            encoder_factory=encoder_factory,
            profile=profile,
            progress=progress,
        )

    return score
