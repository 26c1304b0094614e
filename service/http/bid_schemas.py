"""HTTP schemas of bids (pydantic, at the edge only)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

BidStatusName = Literal[
    "drafting", "internal_review", "submitted", "funded", "not_funded", "withdrawn"
]
BidRoleName = Literal["lead", "co_investigator", "nhs_partner", "sme_partner"]
StepStateName = Literal["todo", "in_progress", "done", "not_needed"]
Text300 = Annotated[str, Field(max_length=300)]
ProfileRef = Annotated[str, Field(min_length=1, max_length=200)]
Version = Annotated[int, Field(ge=1, le=2**62, description="The version of the bid you read")]
Amount = Annotated[int, Field(ge=0, le=10**12, description="Requested amount, whole pounds")]


class MemberIn(BaseModel):
    """A member of a new bid, or one to add."""

    model_config = ConfigDict(extra="forbid")

    profile_id: ProfileRef
    role: BidRoleName = "co_investigator"


class BidIn(BaseModel):
    """A new bid: by hand (``call_name`` and members), or from a batch job's consortium
    (``job_id``, ``brief_id``, ``consortium`` counted from 1 as in the reports; the other fields
    then override what the consortium gives)."""

    model_config = ConfigDict(extra="forbid")

    job_id: Annotated[str | None, Field(max_length=40, pattern=r"^job_[0-9a-f]+$")] = None
    brief_id: Annotated[str | None, Field(min_length=1, max_length=300)] = None
    consortium: Annotated[int | None, Field(ge=1, le=100)] = None
    call_name: Annotated[str | None, Field(min_length=1, max_length=300)] = None
    funder: Text300 = ""
    scheme: Text300 = ""
    theme: Text300 = ""
    deadline: date | None = None
    amount: Amount | None = None
    notes: Annotated[str, Field(max_length=5_000)] = ""
    members: Annotated[list[MemberIn], Field(max_length=30)] = []
    requester_organisation: Annotated[str | None, Field(max_length=300)] = None
    conflicts: Annotated[list[ProfileRef], Field(max_length=200)] = []
    introductions: Annotated[list[Annotated[int, Field(ge=1)]], Field(max_length=50)] = []


class BidPatch(BaseModel):
    """Change a bid's own fields (only those given)."""

    model_config = ConfigDict(extra="forbid")

    version: Version
    call_name: Annotated[str | None, Field(min_length=1, max_length=300)] = None
    funder: Text300 | None = None
    scheme: Text300 | None = None
    theme: Text300 | None = None
    deadline: date | None = None
    amount: Amount | None = None
    notes: Annotated[str | None, Field(max_length=5_000)] = None


class BidStatusIn(BaseModel):
    """Move a bid to a new status."""

    model_config = ConfigDict(extra="forbid")

    version: Version
    status: BidStatusName
    note: Annotated[str, Field(max_length=5_000)] = ""


class MemberAdd(BaseModel):
    """Add a member to a bid."""

    model_config = ConfigDict(extra="forbid")

    version: Version
    profile_id: ProfileRef
    role: BidRoleName = "co_investigator"


class MemberSwap(BaseModel):
    """Replace a member by another profile (typically one of the consortium's alternates)."""

    model_config = ConfigDict(extra="forbid")

    version: Version
    replacement: ProfileRef


class ItemPatch(BaseModel):
    """Change a governance step: its owner, due date or state."""

    model_config = ConfigDict(extra="forbid")

    version: Version
    owner: Annotated[str | None, Field(max_length=300)] = None
    due: date | None = None
    state: StepStateName | None = None


class TemplateIn(BaseModel):
    """A governance template."""

    model_config = ConfigDict(extra="forbid")

    key: Annotated[str, Field(min_length=1, max_length=60, pattern=r"^[a-z0-9_]+$")]
    title: Annotated[str, Field(min_length=1, max_length=300)]
    applies_to: BidRoleName | None = None
    offset_days: Annotated[int, Field(ge=-3650, le=3650)] = 0


class MemberOut(BaseModel):
    """A member with the profile's name."""

    profile_id: str
    name: str
    role: BidRoleName


class ItemOut(BaseModel):
    """A governance step."""

    id: int
    key: str
    title: str
    owner: str
    due: date | None
    state: StepStateName
    overdue: bool


class BidEventOut(BaseModel):
    """One change to a bid."""

    at: str
    by: str
    action: str
    detail: dict[str, object]
    note: str


class BidOut(BaseModel):
    """A bid with its members, checklist and history."""

    id: int
    call_name: str
    funder: str
    scheme: str
    theme: str
    deadline: date | None
    amount: int | None
    status: BidStatusName
    notes: str
    version: int
    members: list[MemberOut]
    alternates: list[MemberOut]
    checklist: list[ItemOut]
    introductions: list[int]
    source: dict[str, object] | None
    status_dates: dict[str, str]
    created_by: str
    created_at: str
    updated_at: str
    events: list[BidEventOut]


class BidSummaryOut(BaseModel):
    """Figures for the partnership dashboard."""

    by_theme: dict[str, int]
    by_status: dict[str, int]
    decided: int
    funded: int
    success_rate: float | None
    money_won: int


class StepPatch(BaseModel):
    """Change a collaborating introduction's governance step (no version: each step is its
    own row, and the last write of a field wins, as on an introduction)."""

    model_config = ConfigDict(extra="forbid")

    owner: Annotated[str | None, Field(max_length=300)] = None
    due: date | None = None
    state: StepStateName | None = None
