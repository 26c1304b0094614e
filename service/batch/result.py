"""What a batch run returns: partners, alternates and consortia per brief, and the whole call's
result (read by the reports and the batch-job pages)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from matcher.assignment import Shortfall
from matcher.errors import InvalidRecordError
from matcher.model import CallBrief, Profile


@dataclass(frozen=True, slots=True)
class Partner:
    """A profile proposed for a brief."""

    profile_id: str
    name: str
    kind: str
    organisation: str
    unit: str
    score: float
    spare_capacity: bool = True

    @classmethod
    def of(
        cls,
        profile: Profile,
        score: float,
        *,
        organisation_names: Mapping[str, str],
        spare_capacity: bool = True,
    ) -> Partner:
        """The partner a profile makes, its organisation named and its score rounded.

        Args:
            profile: the proposed profile.
            score: its score for the brief.
            organisation_names: organisation id → name (an unknown id is shown as itself).
            spare_capacity: whether the profile has capacity left after the call's
                assignment (for an assigned partner: beyond this brief; for an alternate:
                to take this brief).
        """
        return cls(
            profile_id=profile.id,
            name=profile.name,
            kind=profile.kind.value,
            organisation=organisation_names.get(profile.organisation_id, profile.organisation_id),
            unit=profile.unit,
            score=round(score, 4),
            spare_capacity=spare_capacity,
        )


@dataclass(frozen=True, slots=True)
class ConsortiumView:
    """A consortium with names: members (role, partner) and which member covers each facet."""

    members: list[tuple[str, Partner]]
    covers: list[tuple[str, str, float]]
    coverage: float


@dataclass(slots=True)
class BriefOutcome:
    """What batch matching proposes for one brief."""

    brief: CallBrief
    partners: list[Partner] = field(default_factory=list)
    alternates: list[Partner] = field(default_factory=list)
    shortfall: Shortfall | None = None
    consortia: list[ConsortiumView] = field(default_factory=list)


@dataclass(slots=True)
class BatchResult:
    """The whole call's result."""

    source: str
    outcomes: list[BriefOutcome]
    errors: list[InvalidRecordError]
    total_score: float
    optimal: bool
    timings: dict[str, float]
    settings: dict[str, object]

    @property
    def short(self) -> list[BriefOutcome]:
        """Briefs that got fewer partners than they asked for."""
        return [o for o in self.outcomes if o.shortfall is not None]
