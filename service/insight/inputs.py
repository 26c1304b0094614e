"""The dashboard's inputs from the rest of the insight work: each profile's theme, coverage of
needs by theme (the capability-gap report), and the SDG profile of the pool and of the
collaborations. Themes and SDG tags are built first when missing or older than the index."""

from __future__ import annotations

from collections import Counter

from matcher.insight.gaps import Thresholds
from matcher.insight.sdg_text import goal
from matcher.model import IntroductionStatus
from service.container import Container
from service.insight.dashboard import InsightInputs
from service.insight.gaps import GapReport, cached_gap_report, ensure_insight, gap_report
from service.insight.themes import current_themes, insight_store, profile_themes


def _label(number: int) -> str:
    return f"SDG {number}: {goal(number).name}"


def dashboard_inputs(
    container: Container, *, cache: dict[tuple[object, ...], GapReport] | None = None
) -> InsightInputs:
    """Themes, coverage and SDG counts for :func:`service.insight.dashboard.build_dashboard`
    (``cache``: the app's gap-report cache, so that the page and the gap report share one)."""
    ensure_insight(container)
    stored = current_themes(container, build=False)
    themes: dict[str, str] | None = None
    if stored is not None:
        labels = {t.id: t.label for t in stored.themes}
        ids = [m.id for m in container.catalogue.profile_metas()]
        themes = {
            pid: labels[found[0]]
            for pid, found in profile_themes(container, ids).items()
            if found and found[0] in labels
        }
    thresholds = Thresholds()
    report = (
        cached_gap_report(cache, container, thresholds=thresholds)
        if cache is not None
        else gap_report(container, thresholds=thresholds)
    )
    coverage = {g.label: (g.served, g.weak, g.unserved) for g in report.by_theme}
    tags = insight_store(container).sdg_tags(source="ours")
    pool: Counter[str] = Counter()
    goals_of: dict[str, set[int]] = {}
    for (profile_id, _item), found_tags in tags.items():
        for tag in found_tags:
            pool[_label(tag.goal)] += 1
            goals_of.setdefault(profile_id, set()).add(tag.goal)
    collaborations: Counter[str] = Counter()
    for introduction in container.introductions.find(
        status=IntroductionStatus.COLLABORATING, limit=1_000_000
    ):
        for number in goals_of.get(introduction.profile_id, ()):
            collaborations[_label(number)] += 1
    return InsightInputs(
        themes=themes,
        coverage=coverage,
        sdg_pool=dict(pool) if pool else None,
        sdg_collaborations=dict(collaborations) if tags else None,
    )
