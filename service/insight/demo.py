"""The demo's introductions and bids history (``matcher demo seed-history``, run by
``make run``'s set-up): planned with a fixed seed (:mod:`matcher.insight.history`) over the
catalogue's consenting profiles and its needs' titles, written with the plan's dates
(:mod:`index.db.demo_history`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from index.db.demo_history import already_seeded, write_history
from matcher.insight.history import plan_bids, plan_introductions
from matcher.model import EvidenceType, ProfileKind
from service.container import Container

_ASKED = (EvidenceType.NEED, EvidenceType.CHALLENGE, EvidenceType.TRAINING_NEED)


@dataclass(frozen=True, slots=True)
class SeedReport:
    """What a seeding wrote (nothing when the history was already there)."""

    introductions: int
    bids: int
    skipped: bool


def seed_demo_history(container: Container, *, end: datetime, seed: int = 19) -> SeedReport:
    """Write the demo history ending at ``end`` unless it is already in the catalogue.

    Raises:
        ValueError: the catalogue holds no consenting profiles or no needs to use as briefs.
    """
    engine = container.catalogue.engine
    if already_seeded(engine):
        return SeedReport(0, 0, skipped=True)
    metas = [m for m in container.catalogue.profile_metas() if m.consent]
    briefs: list[str] = []
    for profile in container.catalogue.iter_profiles():
        briefs.extend(item.title for item in profile.evidence if item.type in _ASKED)
    introduced = sorted(m.id for m in metas)
    leads = sorted(m.id for m in metas if m.kind is ProfileKind.ACADEMIC)
    plans = plan_introductions(introduced, sorted(set(briefs)), end=end, seed=seed)
    calls = ("Invention for Innovation", "Health Technology Assessment", "Smart grant",
             "Research for Patient Benefit", "Knowledge Transfer Partnership")  # fmt: skip
    bid_plans = plan_bids(leads, calls, end=end, seed=seed + 1)
    made, made_bids = write_history(engine, plans, bid_plans)
    return SeedReport(made, made_bids, skipped=False)
