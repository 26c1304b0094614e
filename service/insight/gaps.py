"""The capability-gap report: every clinical need and SME challenge searched, through the
normal search path (:meth:`SearchEngine.score` with the brief's kinds set to academics), for
its best academics; each need's coverage by the gap measure of its best score (its distance
from the typical best score of the pool's asks of its type, :mod:`matcher.insight.gaps`);
summaries per theme and per organisation; and the academics that no need asks for (each
academic's best score over every need, by :meth:`SearchEngine.score_profiles`, the same exact
scores, on the same scale).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import numpy.typing as npt

from index.db.index_source import ProfileMeta
from index.db.insight import PROFILE_ITEM
from matcher.briefs import MAX_BRIEF_CHARS, make_brief
from matcher.insight.gaps import (
    MEASURE_RANGE,
    MIN_REFERENCE,
    Candidate,
    Coverage,
    GroupSummary,
    Need,
    NeedResult,
    Reference,
    Thresholds,
    Untapped,
    assess,
    by_organisation,
    coverage_counts,
    reference_for,
    references,
    summarise,
    untapped,
)
from matcher.model import EvidenceType, Organisation, Profile, ProfileKind
from service.container import Container
from service.insight.sdgs import tag_pool
from service.insight.themes import current_themes, insight_store

#: The item types that are asks (needs of clinical teams, challenges of SMEs, and the training
#: needs of clinical teams where the pool has them).
ASK_TYPES: frozenset[str] = frozenset(
    {EvidenceType.NEED.value, EvidenceType.CHALLENGE.value, "training_need"}
)
#: Academics kept per need.
MATCHES_PER_NEED = 3
#: Briefs encoded per batch.
BATCH = 64


@dataclass(frozen=True, slots=True)
class GapReport:
    """The capability-gap report.

    Attributes:
        results: every need with its best academics and coverage, least served first.
        by_theme: summaries per theme (a need in its nearest theme).
        by_organisation: summaries per asking organisation.
        untapped: academics whose best match to any need is below the served threshold.
        thresholds: the thresholds used (on the gap measure's scale).
        references: the typical best score and spread each ask type is measured against
            (``"*"``: all asks, for the types with too few asks of their own).
        theme_labels: theme id → label.
        sdg: the goal the report is restricted to, if any.
        index_version: the index version searched.
    """

    results: tuple[NeedResult, ...]
    by_theme: tuple[GroupSummary, ...]
    by_organisation: tuple[GroupSummary, ...]
    untapped: tuple[Untapped, ...]
    thresholds: Thresholds
    theme_labels: dict[str, str]
    sdg: int | None
    index_version: int
    references: dict[str, Reference] = field(default_factory=dict)

    @property
    def counts(self) -> dict[Coverage, int]:
        """Needs served, weak and unserved."""
        return coverage_counts(self.results)

    @property
    def served_share(self) -> float:
        """The share of needs served (0 with none)."""
        return self.counts[Coverage.SERVED] / len(self.results) if self.results else 0.0


def ensure_insight(container: Container) -> None:
    """Build themes and SDG tags when they are missing or older than the current index."""
    current_themes(container)
    version = container.engine.snapshot().manifest.version
    if insight_store(container).sdg_version() != version:
        tag_pool(container)


def _needs(container: Container, sdg: int | None) -> list[Need]:
    """Every ask of the pool (consented or not: an ask is the team's, not a listing), with its
    themes and SDG tags; only those tagged with ``sdg`` when given."""
    store = insight_store(container)
    organisations = {o.id: o for o in container.catalogue.organisations()}
    themes: dict[tuple[str, str], list[str]] = {}
    for m in store.theme_members():
        if m.item_id != PROFILE_ITEM:
            themes.setdefault((m.profile_id, m.item_id), []).append(m.theme_id)
    tags = store.sdg_tags(source="ours")
    needs = []
    for profile in container.catalogue.iter_profiles():
        if profile.kind is ProfileKind.ACADEMIC:
            continue
        for item in profile.evidence:
            if item.type.value not in ASK_TYPES:
                continue
            goals = frozenset(t.goal for t in tags.get((profile.id, item.id), ()))
            if sdg is not None and sdg not in goals:
                continue
            needs.append(
                _need(profile, item.id, item.type.value, item.title, organisations, themes, goals)
            )
    return needs


def _need(
    profile: Profile,
    item_id: str,
    type_: str,
    title: str,
    organisations: dict[str, Organisation],
    themes: dict[tuple[str, str], list[str]],
    goals: frozenset[int],
) -> Need:
    organisation = organisations.get(profile.organisation_id)
    return Need(
        item_id=item_id,
        profile_id=profile.id,
        profile_name=profile.name,
        kind=profile.kind.value,
        type=type_,
        title=title,
        organisation_id=profile.organisation_id,
        organisation_name=organisation.name if organisation else profile.organisation_id,
        organisation_type=organisation.type.value if organisation else "other",
        themes=tuple(themes.get((profile.id, item_id), ())),
        sdgs=goals,
    )


def _texts(container: Container, needs: Sequence[Need]) -> list[str]:
    wanted = {(n.profile_id, n.item_id) for n in needs}
    texts: dict[tuple[str, str], str] = {}
    for profile in container.catalogue.get_profiles(sorted({n.profile_id for n in needs})).values():
        for item in profile.evidence:
            if (profile.id, item.id) in wanted:
                texts[(profile.id, item.id)] = item.content[:MAX_BRIEF_CHARS]
    return [texts.get((n.profile_id, n.item_id), n.title) for n in needs]


def gap_report(
    container: Container,
    *,
    thresholds: Thresholds | None = None,
    sdg: int | None = None,
    matches: int = MATCHES_PER_NEED,
) -> GapReport:
    """The capability-gap report of the pool against the current index version.

    Args:
        container: the pool.
        thresholds: served / weak thresholds on the gap measure's scale (default
            :class:`Thresholds`: −2 and −3).
        sdg: only the needs tagged with this goal (1–17).
        matches: academics kept per need.

    Raises:
        IndexUnavailableError: no index.
        ValueError: ``sdg`` not 1–17.
    """
    if sdg is not None and not 1 <= sdg <= 17:
        raise ValueError(f"an SDG is numbered 1 to 17, got {sdg}")
    chosen = thresholds or Thresholds()
    ensure_insight(container)
    snap = container.engine.snapshot()
    needs = _needs(container, sdg)
    academics = [p for p in snap.profiles if p.kind is ProfileKind.ACADEMIC and p.consent]
    details = container.catalogue.get_profiles([p.id for p in academics], with_evidence=False)
    results, refs, best_per_academic = assess_asks(
        container,
        needs,
        _texts(container, needs),
        thresholds=chosen,
        matches=matches,
        academics=[p.id for p in academics],
        details=details,
    )
    report = _report(
        container,
        results,
        academics,
        details,
        best_per_academic,
        chosen,
        sdg,
        snap.manifest.version,
    )
    return replace(report, references=refs)


def assess_asks(
    container: Container,
    needs: Sequence[Need],
    texts: Sequence[str],
    *,
    thresholds: Thresholds,
    matches: int = MATCHES_PER_NEED,
    academics: Sequence[str] = (),
    details: dict[str, Profile] | None = None,
) -> tuple[list[NeedResult], dict[str, Reference], npt.NDArray[np.float64]]:
    """The gap report's core: each ask (``texts[i]`` the text of ``needs[i]``) searched for its
    best academics through the search path, measured against the references of these asks'
    best scores, and assessed.

    Returns:
        the assessed asks (in the given order), the references, and each of ``academics``'
        best measure over the asks (for the untapped academics; empty without ``academics``).
    """
    found, best_by_type = _search_needs(container, needs, texts, academics, details or {}, matches)
    # the measure needs every ask's best score: the references come after the searches
    refs = references(
        [f[0].score if f else 0.0 for f in found], [n.type for n in needs], min_asks=MIN_REFERENCE
    )
    results = []
    for need, candidates in zip(needs, found, strict=True):
        ref = reference_for(refs, need.type)
        measured = [replace(c, measure=_clipped(ref.measure(c.score))) for c in candidates]
        results.append(assess(need, measured, thresholds))
    best_per_academic = np.full(len(academics), -np.inf)
    for type_, scores in best_by_type.items():
        ref = reference_for(refs, type_)
        best_per_academic = np.maximum(best_per_academic, (scores - ref.centre) / ref.spread)
    return results, refs, np.clip(best_per_academic, *MEASURE_RANGE)


def _clipped(measure: float) -> float:
    """A measure rounded and kept in :data:`MEASURE_RANGE` (a need with no match at all is far
    below every reference)."""
    low, high = MEASURE_RANGE
    return round(min(max(measure, low), high), 4)


def _search_needs(
    container: Container,
    needs: Sequence[Need],
    texts: Sequence[str],
    academic_ids: Sequence[str],
    details: dict[str, Profile],
    matches: int,
) -> tuple[list[list[Candidate]], dict[str, npt.NDArray[np.float64]]]:
    """Each need's best academics through the search path (measure not set yet), and per ask
    type every one of ``academic_ids``' best score over the needs of that type."""
    engine = container.engine
    snap = engine.snapshot()
    calibration = engine.calibration(snap)
    names = engine.organisation_names()
    best_by_type: dict[str, npt.NDArray[np.float64]] = {}
    found: list[list[Candidate]] = []
    for start in range(0, len(needs), BATCH):
        part = needs[start : start + BATCH]
        queries = engine.encode_briefs(texts[start : start + BATCH])
        if academic_ids:
            matrix = np.nan_to_num(engine.score_profiles(queries, academic_ids), nan=0.0)
            for row, need in zip(matrix.astype(np.float64), part, strict=True):
                seen = best_by_type.get(need.type, np.full(len(academic_ids), -np.inf))
                best_by_type[need.type] = np.maximum(seen, row)
        for need, text, query in zip(part, texts[start : start + BATCH], queries, strict=True):
            brief = make_brief(
                text if len(text) >= 3 else need.title + " …", kinds=["academic"], top=matches
            )
            scored = engine.score(brief, query).groups.get(ProfileKind.ACADEMIC)
            candidates = []
            if scored is not None:
                for p, score in zip(scored.profiles, scored.scores, strict=True):
                    meta = snap.profiles[int(p)]
                    profile = details.get(meta.id)
                    candidates.append(
                        Candidate(
                            profile_id=meta.id,
                            name=profile.name if profile else meta.id,
                            organisation_name=names.get(meta.organisation_id, meta.organisation_id),
                            score=round(float(score), 4),
                            measure=0.0,
                            strength=calibration.strength(ProfileKind.ACADEMIC, float(score)),
                        )
                    )
            found.append(candidates)
    return found, best_by_type


def _report(
    container: Container,
    results: list[NeedResult],
    academics: Sequence[ProfileMeta],
    details: dict[str, Profile],
    best: npt.NDArray[np.float64],
    thresholds: Thresholds,
    sdg: int | None,
    version: int,
) -> GapReport:
    stored = insight_store(container).themes()
    labels = {t.id: t.label for t in stored.themes} if stored else {}
    names = container.engine.organisation_names()
    profile_themes: dict[str, list[str]] = {}
    for m in insight_store(container).theme_members():
        if m.item_id == PROFILE_ITEM:
            profile_themes.setdefault(m.profile_id, []).append(m.theme_id)

    def theme_group(result: NeedResult) -> list[tuple[str, str]]:
        if not result.need.themes:
            return [("", "(no theme)")]
        theme = result.need.themes[0]
        return [(theme, labels.get(theme, theme))]

    results.sort(key=lambda r: (r.best, r.need.profile_id, r.need.item_id))
    rows = [
        (
            str(a.id),
            details[str(a.id)].name if str(a.id) in details else str(a.id),
            names.get(str(a.organisation_id), ""),
        )
        for a in academics
    ]
    idle = untapped(
        rows,
        best if results else np.full(len(rows), MEASURE_RANGE[0]),
        thresholds,
        themes=[tuple(profile_themes.get(r[0], ())) for r in rows],
    )
    return GapReport(
        results=tuple(results),
        by_theme=tuple(summarise(results, theme_group)),
        by_organisation=tuple(summarise(results, by_organisation)),
        untapped=tuple(idle),
        thresholds=thresholds,
        theme_labels=labels,
        sdg=sdg,
        index_version=int(version),
    )


def profiles_with_goals(container: Container, goals: Collection[int]) -> set[str]:
    """Profiles with an item tagged (by us) with one of ``goals`` (the SDG filter of search)."""
    return insight_store(container).profiles_with_goals(goals)


#: Gap reports kept in memory per (index version, catalogue version, thresholds, goal).
REPORT_CACHE_SIZE = 8


def cached_gap_report(
    cache: dict[tuple[object, ...], GapReport],
    container: Container,
    *,
    thresholds: Thresholds,
    sdg: int | None = None,
) -> GapReport:
    """:func:`gap_report`, kept in ``cache`` (a dict the caller owns, e.g. on ``app.state``)
    until the index or the catalogue changes."""
    key = (
        container.engine.snapshot().manifest.version,
        container.catalogue.version,
        thresholds,
        sdg,
    )
    found = cache.get(key)
    if found is None:
        found = gap_report(container, thresholds=thresholds, sdg=sdg)
        while len(cache) >= REPORT_CACHE_SIZE:
            cache.pop(next(iter(cache)))
        cache[key] = found
    return found


def report_cache(state: Any) -> dict[tuple[object, ...], GapReport]:
    """The cache of gap reports kept on an app's ``state`` (made on first use)."""
    if not hasattr(state, "gap_reports"):
        state.gap_reports = {}
    cache: dict[tuple[object, ...], GapReport] = state.gap_reports
    return cache
