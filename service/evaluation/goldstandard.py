"""The gold-standard expertise benchmark, run through the product's own path.

For each of the benchmark's versions: every researcher's archive is written to a temporary
catalogue as an academic profile (an updated archive replaces the previous version's), the index
is synced, each rated paper becomes a brief, and the score of the researcher for the paper is the
score the search path gives that profile. Nothing about particular researchers is known here.
"""

from __future__ import annotations

import json
import logging
import math
import statistics
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from index.encoders.adapt import AdaptationConfig, AdaptationText, AdaptedModel, adapt
from index.encoders.base import Encoder, packaged_model_path
from matcher.briefs import make_brief
from matcher.errors import EvaluationDataError, MatcherError
from matcher.evaluation import (
    GoldStandardMetrics,
    bootstrap_loss,
    goldstandard_metrics,
    researcher_costs,
)
from matcher.fusion import RankingProfile
from service.container import Container, encoder_model_path, make_encoder
from service.evaluation.archive import (
    ORGANISATION_ID,
    archive_path,
    archive_profile,
    paper_text,
    read_json_lines,
    read_ratings,
    read_submissions,
    version_dirs,
)
from service.evaluation.scratch import scratch_container
from service.settings import Settings

# the archive readers and the scratch container were defined here first; callers still import
# them from this module
__all__ = [
    "ORGANISATION_ID",
    "GoldStandardReport",
    "VersionResult",
    "peer_comparison",
    "read_ratings",
    "run_goldstandard",
    "scratch_container",
    "version_dirs",
]

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class VersionResult:
    """Metrics of one benchmark version."""

    version: str
    metrics: GoldStandardMetrics
    researchers: int
    scores: dict[str, dict[str, float]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class GoldStandardReport:
    """The benchmark's figures, the mean over versions, and the settings used."""

    loss: float
    easy: float
    hard: float
    researchers: int
    versions: int
    per_version: list[VersionResult] = field(default_factory=list)
    settings: dict[str, Any] = field(default_factory=dict)
    peers: dict[str, dict[str, float]] = field(default_factory=dict)
    intervals: dict[str, list[float]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The JSON object ``matcher eval goldstandard --json`` prints."""
        return {
            "loss": round(self.loss, 4),
            "easy": round(self.easy, 4),
            "hard": round(self.hard, 4),
            "researchers": self.researchers,
            "versions": self.versions,
            "per_version": [
                {
                    "version": v.version,
                    "loss": round(v.metrics.loss, 4),
                    "easy": round(v.metrics.easy, 4),
                    "hard": round(v.metrics.hard, 4),
                    "pairs": v.metrics.pairs,
                    "researchers": v.researchers,
                }
                for v in self.per_version
            ],
            "settings": self.settings,
            **({"peers": self.peers} if self.peers else {}),
            **({"ci": self.intervals} if self.intervals else {}),
        }


def peer_comparison(
    directory: Path,
    ratings: Mapping[str, Mapping[str, float]],
    results: list[VersionResult],
    *,
    with_intervals: bool,
    samples: int = 2_000,
) -> tuple[dict[str, dict[str, float]], dict[str, list[float]]]:
    """The peers' figures from ``peer_scores/`` on the same researchers and versions, and (when
    asked) bootstrap intervals of our loss, of each peer's loss (``loss_low``, ``loss_high``)
    and of the paired differences ours − peer."""
    ours = [researcher_costs(ratings, r.scores) for r in results]
    intervals: dict[str, list[float]] = {}
    if with_intervals:
        own = bootstrap_loss(ours, samples=samples, seed=7)
        intervals["loss"] = [round(own.low, 4), round(own.high, 4)]
    peers: dict[str, dict[str, float]] = {}
    folder = directory / "peer_scores"
    names = (
        sorted({p.name.split("_d_")[0] for p in folder.glob("*_ta.json")})
        if folder.is_dir()
        else []
    )
    for name in names:
        tables = []
        for result in results:
            path = folder / f"{name}_{result.version}_ta.json"
            if not path.is_file():
                break
            try:
                raw = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, json.JSONDecodeError) as error:
                raise EvaluationDataError(f"{path}: unreadable: {error}") from None
            tables.append(
                {str(r): {str(p): float(v) for p, v in s.items()} for r, s in raw.items()}
            )
        if len(tables) != len(results):
            continue
        wanted = [
            {r: t.get(r, {}) for r in res.scores} for t, res in zip(tables, results, strict=True)
        ]
        metrics = [goldstandard_metrics({r: ratings[r] for r in w}, w) for w in wanted]
        figures = {
            "loss": round(statistics.fmean(m.loss for m in metrics), 4),
            "easy": round(_mean_defined([m.easy for m in metrics]), 4),
            "hard": round(_mean_defined([m.hard for m in metrics]), 4),
        }
        if with_intervals:
            theirs = [researcher_costs(ratings, w) for w in wanted]
            alone = bootstrap_loss(theirs, samples=samples, seed=7)
            figures["loss_low"] = round(alone.low, 4)
            figures["loss_high"] = round(alone.high, 4)
            difference = bootstrap_loss(ours, other=theirs, samples=samples, seed=7)
            figures["ours_minus_peer"] = round(difference.value, 4)
            figures["ours_minus_peer_low"] = round(difference.low, 4)
            figures["ours_minus_peer_high"] = round(difference.high, 4)
        peers[name] = figures
    return peers, intervals


def run_goldstandard(
    directory: Path,
    *,
    settings: Settings,
    encoder: Encoder | None = None,
    progress: Callable[[str], None] | None = None,
    with_intervals: bool = False,
    adaptation: AdaptationConfig | None = None,
    adapt_on: Collection[str] | None = None,
    profile: RankingProfile = RankingProfile.FAST,
) -> GoldStandardReport:
    """Run the benchmark in ``directory`` through a temporary catalogue and index.

    Args:
        directory: holds ``evaluations.tsv`` and ``<name>_<n>/`` version folders.
        settings: ranking settings (aggregation, top k); the data directory is replaced by a
            temporary one.
        encoder: the encoder to use; the configured model when omitted.
        progress: called with a short message as each version starts.
        with_intervals: add bootstrap intervals over researchers (ours, and ours − each peer).
        profile: the ranking profile scored (``fast`` or ``thorough``).
        adaptation: first adapt the model (``matcher adapt``) to the researchers' archives, all
            versions pooled, never their ratings or the rated papers; the adapted model is kept
            in the configured model folder and reused by later runs on the same archives.
        adapt_on: adapt on these researchers' archives only (default: every rated researcher),
            e.g. to score researchers the adaptation has not seen.

    Raises:
        EvaluationDataError: the directory is not in the benchmark's format.
    """
    if not directory.is_dir():
        raise EvaluationDataError(f"{directory}: not a directory")
    ratings = read_ratings(directory)
    versions = version_dirs(directory)
    results: list[VersionResult] = []
    # The encoder keeps its exported model in the configured data directory, not the scratch one.
    adapted: AdaptedModel | None = None
    if encoder is None:
        # An adaptation active in the data directory belongs to another pool: not used here.
        base = settings.model_path if settings.adapted_model == "auto" else None
        if adaptation is not None:
            adapted = adapt(
                _archive_texts(versions, adapt_on if adapt_on is not None else ratings),
                base_path=encoder_model_path(settings.model_copy(update={"adapted_model": "off"}))
                or packaged_model_path(),
                models_dir=settings.model_cache_dir,
                config=adaptation,
            )
            base = adapted.path
        encoder = make_encoder(settings, model_path=base)
    elif adaptation is not None:
        raise ValueError("give either an encoder or an adaptation, not both")
    with scratch_container(settings, encoder, prefix="ke-matcher-eval-") as container:
        # The versions share their briefs: each distinct brief is encoded once per run.
        brief_vectors: dict[str, npt.NDArray[np.float32]] = {}
        for version in versions:
            if progress is not None:
                progress(version.name)
            results.append(
                _run_version(container, version, ratings, brief_vectors, ranking=profile)
            )
    peers, intervals = peer_comparison(directory, ratings, results, with_intervals=with_intervals)
    return GoldStandardReport(
        peers=peers,
        intervals=intervals,
        loss=statistics.fmean(r.metrics.loss for r in results),
        easy=_mean_defined([r.metrics.easy for r in results]),
        hard=_mean_defined([r.metrics.hard for r in results]),
        researchers=max(r.researchers for r in results),
        versions=len(results),
        per_version=results,
        settings={
            "model_id": encoder.model_id,
            "encoder": encoder.encoder_name,
            "aggregation": settings.aggregation.value,
            "top_k": settings.top_k,
            "profile": profile.value,
            **(
                {
                    "adaptation": {
                        **adapted.details.get("config", {}),
                        "model": adapted.name,
                        "texts": adapted.texts,
                        "train_seconds": adapted.details.get("seconds"),
                    }
                }
                if adapted is not None
                else {}
            ),
        },
    )


def _archive_texts(versions: list[Path], researchers: Collection[str]) -> list[AdaptationText]:
    """The archives' papers of ``researchers``, every version pooled (duplicates drop out)."""
    texts = []
    for version in versions:
        for researcher in researchers:
            archive = archive_path(version, researcher)
            if archive.is_file():
                for record in read_json_lines(archive):
                    title, abstract = paper_text(record)
                    texts.append(AdaptationText(group=researcher, title=title, body=abstract))
    return texts


def _mean_defined(values: list[float]) -> float:
    defined = [v for v in values if not math.isnan(v)]
    return statistics.fmean(defined) if defined else float("nan")


def _run_version(
    container: Container,
    version: Path,
    ratings: Mapping[str, Mapping[str, float]],
    brief_vectors: dict[str, npt.NDArray[np.float32]],
    *,
    ranking: RankingProfile = RankingProfile.FAST,
) -> VersionResult:
    submissions = read_submissions(version)
    wanted: dict[str, str] = {}
    for researcher in ratings:
        archive = archive_path(version, researcher)
        if not archive.is_file():
            logger.warning("%s: no archive for researcher %s; left out", version.name, researcher)
            continue
        profile = archive_profile(researcher, read_json_lines(archive))
        if profile is None:
            continue
        container.catalogue.upsert_profile(profile)
        wanted[researcher] = profile.id
    for stale in set(container.catalogue.profile_ids()) - set(wanted.values()):
        container.catalogue.delete_profile(stale)
    container.sync()
    scores: dict[str, dict[str, float]] = {}
    for researcher, profile_id in wanted.items():
        papers = [p for p in ratings[researcher] if p in submissions]
        texts = []
        for paper in papers:
            title, abstract = paper_text(submissions[paper])
            try:
                texts.append(make_brief(f"{title}. {abstract}" if abstract else title).text)
            except MatcherError:
                texts.append("")
        usable = [(p, t) for p, t in zip(papers, texts, strict=True) if t]
        if not usable:
            continue
        fresh = [t for _, t in usable if t not in brief_vectors]
        if fresh:
            brief_vectors.update(zip(fresh, container.engine.encode_briefs(fresh), strict=True))
        queries = np.vstack([brief_vectors[t] for _, t in usable])
        values = container.engine.score_profiles(
            queries, [profile_id], profile=ranking, texts=[t for _, t in usable]
        )[:, 0]
        scores[researcher] = {p: float(v) for (p, _), v in zip(usable, values, strict=True)}
    metrics = goldstandard_metrics({r: ratings[r] for r in scores}, scores)
    return VersionResult(
        version=version.name, metrics=metrics, researchers=len(scores), scores=scores
    )
