"""The data model: organisations, profiles, evidence, briefs and matches.

Frozen, slotted dataclasses; validation of user input happens at the edges (ingestion, the API)
and in :func:`matcher.briefs.validate_brief`.
"""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass, field
from enum import StrEnum


class ProfileKind(StrEnum):
    """The three kinds of party that can be matched."""

    ACADEMIC = "academic"
    CLINICAL_TEAM = "clinical_team"
    SME = "sme"

    def label(self, *, plural: bool = True, capital: bool = True) -> str:
        """The kind as people say it: "Clinical teams", "an SME" is ``label(plural=False)``.

        The one label of each kind, used by the pages and the CLI ("SMEs", never "smes").
        """
        singular, many = _KIND_WORDS[self]
        word = many if plural else singular
        return word if capital else _lower_first(word)


# singular and plural; acronyms keep their capitals when lowered ("SMEs", not "smes")
_KIND_WORDS: dict[ProfileKind, tuple[str, str]] = {
    ProfileKind.ACADEMIC: ("Academic", "Academics"),
    ProfileKind.CLINICAL_TEAM: ("Clinical team", "Clinical teams"),
    ProfileKind.SME: ("SME", "SMEs"),
}


def _lower_first(word: str) -> str:
    # an acronym ("SME", "SMEs") starts with two capitals
    return word if word[:2].isupper() else word[:1].lower() + word[1:]


class OrganisationType(StrEnum):
    """What an organisation is."""

    UNIVERSITY = "university"
    NHS_TRUST = "nhs_trust"
    HSCP = "hscp"
    SME = "sme"
    COUNCIL = "council"
    CHARITY = "charity"
    OTHER = "other"


class EvidenceType(StrEnum):
    """The texts that describe a profile."""

    PUBLICATION = "publication"
    GRANT = "grant"
    NEED = "need"
    CHALLENGE = "challenge"
    #: a CPD or teaching offer of an academic or a unit (workforce development)
    COURSE = "course"
    #: a clinical team's education or workforce need (workforce development)
    TRAINING_NEED = "training_need"
    SUMMARY = "summary"


class Purpose(StrEnum):
    """Why a brief is searched."""

    COLLABORATORS = "collaborators"
    GRANT_PARTNERS = "grant_partners"
    FUNDING_CALL = "funding_call"


class Aggregation(StrEnum):
    """How item similarities are combined into one profile score."""

    MAX = "max"
    MEAN = "mean"
    TOP_K_MEAN = "top_k_mean"


@dataclass(frozen=True, slots=True)
class Organisation:
    """A university, NHS body, company or other organisation."""

    id: str
    name: str
    type: OrganisationType
    region: str = ""


@dataclass(frozen=True, slots=True)
class Provenance:
    """Where an evidence item comes from: one source's record of it.

    Attributes:
        source: the research base (``openalex``, ``orcid``, ``gtr``, ``pure``).
        source_id: the record's id there (``W4300000001``, a GtR project uuid...).
        url: where a person can see the record.
        retrieved_at: when this version of the record was read (ISO 8601, UTC).
    """

    source: str
    source_id: str
    url: str = ""
    retrieved_at: str = ""

    def label(self) -> str:
        """A short line for people: ``openalex W4300000001, retrieved 2026-01-05``."""
        day = self.retrieved_at[:10]
        return f"{self.source} {self.source_id}" + (f", retrieved {day}" if day else "")


@dataclass(frozen=True, slots=True)
class EvidenceItem:
    """One text that describes a profile: a publication, grant, course, need, training need,
    challenge or summary.

    Attributes:
        doi: the bare DOI of a publication, when known.
        provenance: the source records the item was built from (one per source that has it);
            empty for items from our own files.
        pinned: KE staff asked for this item to be shown whenever the profile is.
    """

    id: str
    type: EvidenceType
    title: str
    text: str = ""
    year: int | None = None
    specialty: str = ""
    sector: str = ""
    funder: str = ""
    readiness_level: int | None = None
    doi: str = ""
    provenance: tuple[Provenance, ...] = ()
    pinned: bool = False

    @property
    def content(self) -> str:
        """The text that is embedded: title and body together."""
        if self.title and self.text:
            return f"{self.title}. {self.text}"
        return self.title or self.text


#: The title of the evidence item made from a profile's summary. It is part of the encoded text
#: (changing it would re-encode every summary), so pages show the item by its type instead.
SUMMARY_TITLE = "Profile summary"


@dataclass(frozen=True, slots=True)
class Profile:
    """A party that can be matched: an academic, a clinical team or an SME."""

    id: str
    kind: ProfileKind
    name: str
    organisation_id: str
    unit: str = ""
    region: str = ""
    summary: str = ""
    keywords: tuple[str, ...] = ()
    capacity: int = 3
    contact: str = ""
    consent: bool = True
    coauthors: tuple[str, ...] = ()
    evidence: tuple[EvidenceItem, ...] = ()
    updated_at: str = ""

    def specialty_text(self) -> str:
        """What a clinical team's unit and specialties or an SME's sector say it works on
        ("Neurorehabilitation."); empty for an academic (whose publications say it at length)
        or when there is nothing to say."""
        if self.kind is ProfileKind.ACADEMIC:
            return ""
        named = [
            self.unit,
            *(e.specialty for e in self.evidence),
            *(e.sector for e in self.evidence),
        ]
        fields = list(dict.fromkeys(n.strip() for n in named if n.strip()))
        return "; ".join(fields) + "." if fields else ""

    def evidence_with_summary(self) -> tuple[EvidenceItem, ...]:
        """The profile's evidence plus its summary (and keywords) as one more item, if it has one.

        A clinical team's or an SME's summary item opens with its unit, specialty or sector
        (:meth:`specialty_text`): their evidence is short, and what the team's specialty is says
        as much about its work as a need does. (As an item of its own, a bare name scores low
        against any brief and pulls down the mean of a profile's few items.)
        """
        parts = [self.specialty_text(), self.summary.strip()]
        if self.keywords:
            parts.append("Keywords: " + ", ".join(self.keywords) + ".")
        text = " ".join(p for p in parts if p)
        if not text:
            return self.evidence
        summary = EvidenceItem(
            id=f"{self.id}#summary", type=EvidenceType.SUMMARY, title=SUMMARY_TITLE, text=text
        )
        return (*self.evidence, summary)


@dataclass(frozen=True, slots=True)
class Filters:
    """Restrictions on which profiles a brief may return; empty means no restriction."""

    kinds: frozenset[ProfileKind] = frozenset()
    organisations: frozenset[str] = frozenset()
    regions: frozenset[str] = frozenset()
    units: frozenset[str] = frozenset()
    exclude_profiles: frozenset[str] = frozenset()
    exclude_organisations: frozenset[str] = frozenset()
    #: only profiles with at least one evidence item from this year or later (``None``: any)
    since: int | None = None
    #: only profiles with an evidence item tagged with one of these UN Sustainable Development
    #: Goals (1–17; the insight's SDG tags)
    sdgs: frozenset[int] = frozenset()


@dataclass(frozen=True, slots=True)
class Brief:
    """Free text to match, with its purpose and filters."""

    text: str
    purpose: Purpose = Purpose.COLLABORATORS
    filters: Filters = field(default_factory=Filters)
    requester_organisation: str | None = None
    top: int = 10


@dataclass(frozen=True, slots=True)
class EvidenceMatch:
    """An evidence item that supports a match, with how close it is to the brief."""

    item_id: str
    type: EvidenceType
    title: str
    similarity: float
    snippet: str
    year: int | None = None
    provenance: tuple[Provenance, ...] = ()
    pinned: bool = False


@dataclass(frozen=True, slots=True)
class Match:
    """A ranked profile with the evidence that earned its place."""

    profile_id: str
    kind: ProfileKind
    name: str
    organisation_id: str
    organisation_name: str
    unit: str
    region: str
    score: float
    rank: int
    evidence: tuple[EvidenceMatch, ...]
    shared_terms: tuple[str, ...]
    conflicts: tuple[str, ...] = ()
    #: the score's percentile among the best scores of generic briefs for its kind, in [0, 1]
    #: (:mod:`matcher.calibration`); ``None`` when the kind is not calibrated
    strength: float | None = None
    #: ``strong``, ``good``, ``weak`` or ``no_match`` (empty when ``strength`` is ``None``)
    strength_label: str = ""


@dataclass(frozen=True, slots=True)
class SearchResult:
    """Matches for one brief, grouped by kind (each group ranked from 1).

    Attributes:
        lanes: per kind, the "exact match" lane: profiles left out of the group that have one
            very close item (:func:`matcher.ranking.exact_match_lane`), ranked from 1; a kind
            with none is absent. Not part of :attr:`matches`.
    """

    brief: Brief
    groups: dict[ProfileKind, tuple[Match, ...]]
    candidates_considered: int
    lanes: dict[ProfileKind, tuple[Match, ...]] = field(default_factory=dict)

    @property
    def matches(self) -> tuple[Match, ...]:
        """All matches, every group in kind order."""
        return tuple(m for kind in ProfileKind for m in self.groups.get(kind, ()))


@dataclass(frozen=True, slots=True)
class CallBrief:
    """One row of a funding call or challenge list for batch matching.

    Attributes:
        id: the row's id, unique in the call.
        text: the brief.
        partners: how many partners the brief wants.
        kinds: the kinds of partner it accepts (all kinds when empty).
        requester_organisation: the organisation asking (its own people are conflicts).
        conflicts: profile ids declared as conflicts of interest.
        purpose: collaborators, grant_partners or funding_call (the last two also get consortia).
    """

    id: str
    text: str
    partners: int = 3
    kinds: frozenset[ProfileKind] = frozenset()
    requester_organisation: str | None = None
    conflicts: tuple[str, ...] = ()
    purpose: Purpose = Purpose.COLLABORATORS


class Role(StrEnum):
    """What a key holder may do: clinicians search, KE staff broker, admins manage data."""

    CLINICIAN = "clinician"
    KE_STAFF = "ke_staff"
    ADMIN = "admin"


class IntroductionStatus(StrEnum):
    """Where a brokered introduction stands."""

    PROPOSED = "proposed"
    CONTACTED = "contacted"
    MET = "met"
    COLLABORATING = "collaborating"
    DECLINED = "declined"


#: The moves an introduction may make; ``collaborating`` and ``declined`` are final.
INTRODUCTION_TRANSITIONS: dict[IntroductionStatus, frozenset[IntroductionStatus]] = {
    IntroductionStatus.PROPOSED: frozenset(
        {IntroductionStatus.CONTACTED, IntroductionStatus.DECLINED}
    ),
    IntroductionStatus.CONTACTED: frozenset({IntroductionStatus.MET, IntroductionStatus.DECLINED}),
    IntroductionStatus.MET: frozenset(
        {IntroductionStatus.COLLABORATING, IntroductionStatus.DECLINED}
    ),
    IntroductionStatus.COLLABORATING: frozenset(),
    IntroductionStatus.DECLINED: frozenset(),
}


#: Introductions still in progress: at most one of them per profile and brief.
OPEN_INTRODUCTION_STATUSES: frozenset[IntroductionStatus] = frozenset(
    {IntroductionStatus.PROPOSED, IntroductionStatus.CONTACTED, IntroductionStatus.MET}
)


def brief_key(brief: str) -> str | None:
    """The identity of a brief for "the same introduction": a hash of its text with case,
    Unicode forms and spacing ignored; ``None`` for an empty brief (nothing to compare).
    """
    words = unicodedata.normalize("NFKC", brief).casefold().split()
    if not words:
        return None
    return hashlib.sha256(" ".join(words).encode("utf-8")).hexdigest()


# letters and symbols that render as blank space (Hangul fillers, the blank Braille pattern)
_BLANK_GLYPHS = frozenset("\u115f\u1160\u3164\uffa0\u2800")


def is_blank(text: str) -> bool:
    """Whether ``text`` shows nothing: empty once spaces and invisible characters are removed
    (format characters such as zero-width spaces and joiners, controls, separators, combining
    marks with nothing to combine with, fillers that render as blank)."""
    return not any(unicodedata.category(c)[0] not in "ZCM" and c not in _BLANK_GLYPHS for c in text)


@dataclass(frozen=True, slots=True)
class IntroductionEvent:
    """One change to an introduction: who did what, when."""

    at: str
    by: str
    action: str
    status: IntroductionStatus | None
    note: str


@dataclass(frozen=True, slots=True)
class Introduction:
    """A brokered contact between a requester and a matched profile."""

    id: int
    profile_id: str
    requester: str
    requester_organisation: str | None
    brief: str
    status: IntroductionStatus
    created_by: str
    created_at: str
    updated_at: str
    events: tuple[IntroductionEvent, ...] = ()


@dataclass(frozen=True, slots=True)
class ApiKey:
    """A key holder (the key itself is never stored, only its hash)."""

    id: str
    name: str
    role: Role
    created_at: str
    revoked_at: str | None = None
