"""The authorship task: does a researcher's own held-out paper find them among all researchers?

A second task from the gold-standard benchmark's archives, so that a ranking default cannot win
the expertise task by losing this one. From the first version folder (natural order): every
researcher with at least ``min_papers`` papers has one paper held out (chosen with a seeded
generator from their papers in id order); the pool is every researcher's remaining papers (a
held-out paper is removed from every archive that holds it, under its id or as another version
of it with another id, and each researcher whose archive held it counts as its author); each held-out paper (title + abstract) becomes a brief that ranks
every researcher through the product's search path. Reported: hits@1, hits@10 and MRR, with
bootstrap intervals over researchers when asked.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from index.encoders.base import Encoder
from matcher.briefs import MAX_TOP, make_brief
from matcher.errors import EvaluationDataError, MatcherError
from matcher.evaluation import (
    AuthorshipMetrics,
    author_rank,
    authorship_metrics,
    bootstrap_authorship,
    same_paper,
)
from matcher.fusion import RankingProfile
from matcher.model import ProfileKind
from service.container import Container, make_encoder
from service.evaluation.archive import (
    archive_path,
    archive_profile,
    paper_text,
    read_json_lines,
    read_ratings,
    version_dirs,
)
from service.evaluation.scratch import scratch_container
from service.settings import Settings

logger = logging.getLogger(__name__)

DEFAULT_MIN_PAPERS = 5
DEFAULT_SEED = 0


@dataclass(frozen=True, slots=True)
class AuthorshipReport:
    """The authorship figures and how they were obtained.

    Attributes:
        duplicated: held-out papers that the archives also hold under another id (another
            version of the paper), removed from the pool with them.
    """

    metrics: AuthorshipMetrics
    researchers: int
    eligible: int
    duplicated: int = 0
    ranks: dict[str, int] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)
    intervals: dict[str, list[float]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The JSON object ``matcher eval authorship --json`` prints."""
        return {
            "hits_at_1": round(self.metrics.hits_at_1, 4),
            "hits_at_10": round(self.metrics.hits_at_10, 4),
            "mrr": round(self.metrics.mrr, 4),
            "queries": self.metrics.queries,
            "researchers": self.researchers,
            "eligible": self.eligible,
            "held_out_with_copies": self.duplicated,
            "settings": self.settings,
            **({"ci": self.intervals} if self.intervals else {}),
        }


def hold_out(
    archives: Mapping[str, list[dict[str, Any]]], *, min_papers: int, seed: int
) -> dict[str, dict[str, Any]]:
    """One paper per researcher with at least ``min_papers`` distinct papers, chosen with
    ``seed`` from their papers in id order (researchers taken in id order)."""
    if min_papers < 2:
        raise ValueError(f"min_papers must be at least 2 (one stays in the pool), got {min_papers}")
    rng = np.random.default_rng(seed)
    chosen: dict[str, dict[str, Any]] = {}
    for researcher in sorted(archives):
        papers = {str(r.get("id")): r for r in archives[researcher] if any(paper_text(r))}
        if len(papers) < min_papers:
            continue
        ids = sorted(papers)
        chosen[researcher] = papers[ids[int(rng.integers(len(ids)))]]
    return chosen


def copies(
    archives: Mapping[str, list[dict[str, Any]]], held: Mapping[str, dict[str, Any]]
) -> dict[str, set[tuple[str, str]]]:
    """Held-out paper id → every (researcher, paper id) in the archives that is that paper.

    The same paper by id, or in another version under another id: the same normalised title or
    abstract, or a nearly identical abstract (:func:`matcher.evaluation.same_paper`).
    """
    found: dict[str, set[tuple[str, str]]] = {}
    for record in held.values():
        held_id, text = str(record.get("id")), paper_text(record)
        found[held_id] = {
            (researcher, str(paper.get("id")))
            for researcher, papers in archives.items()
            for paper in papers
            if str(paper.get("id")) == held_id or same_paper(text, paper_text(paper))
        }
    return found


def pool_archives(
    archives: Mapping[str, list[dict[str, Any]]],
    held_copies: Mapping[str, set[tuple[str, str]]],
) -> dict[str, list[dict[str, Any]]]:
    """Every researcher's papers but the held-out ones and every copy of them (``held_copies``
    as :func:`copies` finds them)."""
    removed = set().union(*held_copies.values())
    return {
        researcher: [p for p in papers if (researcher, str(p.get("id"))) not in removed]
        for researcher, papers in archives.items()
    }


def _fill_pool(
    container: Container,
    archives: Mapping[str, list[dict[str, Any]]],
    held_copies: Mapping[str, set[tuple[str, str]]],
) -> int:
    """Write the pool (:func:`pool_archives`) into the catalogue and sync the index; returns how
    many researchers are in it."""
    pool = 0
    for researcher, kept in pool_archives(archives, held_copies).items():
        built = archive_profile(researcher, kept)
        if built is not None:
            container.catalogue.upsert_profile(built)
            pool += 1
    container.sync()
    return pool


def _author_ranks(
    container: Container,
    held: Mapping[str, dict[str, Any]],
    authors: Mapping[str, set[str]],
    pool: int,
    *,
    profile: RankingProfile,
) -> dict[str, int]:
    """Researcher → the rank of the held-out paper's best-placed author among every researcher,
    the paper searched as a brief through the product's path."""
    ranks: dict[str, int] = {}
    for researcher, record in held.items():
        title, abstract = paper_text(record)
        try:
            brief = make_brief(
                f"{title}. {abstract}" if abstract else title,
                kinds=[ProfileKind.ACADEMIC.value],
                top=min(MAX_TOP, max(pool, 1)),
            )
        except MatcherError:
            logger.warning("held-out paper of %s has no usable text; left out", researcher)
            continue
        scored = container.engine.score(brief, profile=profile)
        group = scored.groups[ProfileKind.ACADEMIC]
        snap = container.engine.snapshot()
        scores = {
            snap.profiles[int(p)].id.removeprefix("gs-"): float(s)
            for p, s in zip(group.profiles, group.scores, strict=True)
        }
        paper_authors = authors[str(record.get("id"))]
        if paper_authors & set(scores):
            ranks[researcher] = author_rank(scores, paper_authors)
        else:  # beyond the returned list: ranked after everyone returned
            ranks[researcher] = len(scores) + 1
    return ranks


def run_authorship(
    directory: Path,
    *,
    settings: Settings,
    encoder: Encoder | None = None,
    profile: RankingProfile = RankingProfile.FAST,
    min_papers: int = DEFAULT_MIN_PAPERS,
    seed: int = DEFAULT_SEED,
    with_intervals: bool = False,
    progress: Callable[[str], None] | None = None,
) -> AuthorshipReport:
    """Run the authorship task on the benchmark in ``directory`` (see the module docstring).

    Raises:
        EvaluationDataError: the directory is not in the benchmark's format, or no researcher
            has enough papers.
    """
    if not directory.is_dir():
        raise EvaluationDataError(f"{directory}: not a directory")
    researchers = sorted(read_ratings(directory))
    version = version_dirs(directory)[0]
    archives = {}
    for researcher in researchers:
        path = archive_path(version, researcher)
        if path.is_file():
            archives[researcher] = read_json_lines(path)
    held = hold_out(archives, min_papers=min_papers, seed=seed)
    if not held:
        raise EvaluationDataError(
            f"{version}: no researcher has {min_papers} or more papers; lower --min-papers"
        )
    held_copies = copies(archives, held)
    authors = {paper: {r for r, _ in found} for paper, found in held_copies.items()}
    duplicated = sum(any(i != paper for _, i in found) for paper, found in held_copies.items())
    if encoder is None:
        # An adaptation active in the data directory belongs to another pool: not used here.
        own = settings.model_copy(update={"adapted_model": "off"})
        encoder = make_encoder(own if settings.adapted_model == "auto" else settings)
    with scratch_container(settings, encoder, prefix="ke-matcher-authorship-") as container:
        pool = _fill_pool(container, archives, held_copies)
        if progress is not None:
            progress(
                f"{len(held)} held-out papers ({duplicated} also under another id),"
                f" {pool} researchers in the pool"
            )
        ranks = _author_ranks(container, held, authors, pool, profile=profile)
    intervals: dict[str, list[float]] = {}
    if with_intervals:
        for name, interval in bootstrap_authorship(ranks, seed=7).items():
            intervals[name] = [round(interval.low, 4), round(interval.high, 4)]
    return AuthorshipReport(
        metrics=authorship_metrics(ranks),
        researchers=len(archives),
        eligible=len(held),
        duplicated=duplicated,
        ranks=ranks,
        intervals=intervals,
        settings={
            "model_id": encoder.model_id,
            "encoder": encoder.encoder_name,
            "profile": profile.value,
            "aggregation": settings.aggregation.value,
            "top_k": settings.top_k,
            "version": version.name,
            "min_papers": min_papers,
            "seed": seed,
        },
    )
