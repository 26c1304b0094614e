"""Whether two descriptions of a person are the same person, when they share no identifier.

Pure functions over names and organisation names. A shared ORCID iD or source id decides
identity elsewhere (the importer); this module only scores the weaker evidence: normalised name
and organisation. A score at or above :data:`MERGE_THRESHOLD` may be merged without asking;
anything lower goes to KE staff for review and is never merged silently.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass

MERGE_THRESHOLD = 0.85
"""Name + organisation matches at or above this confidence are merged without review."""

REVIEW_THRESHOLD = 0.5
"""Matches below this confidence are not even offered for review."""

_TITLES = frozenset({"dr", "prof", "professor", "mr", "mrs", "ms", "miss", "mx", "sir", "dame"})
_ORGANISATION_WORDS = frozenset({"the", "of", "and", "at", "for"})
_NON_WORD = re.compile(r"[^\w\s]")


def _fold(value: str) -> str:
    """Lower case without accents or punctuation, one space between words."""
    if value.isascii():  # nothing to decompose (the importers fold millions of titles)
        bare = value.lower()
    else:
        decomposed = unicodedata.normalize("NFKD", value)
        bare = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return " ".join(_NON_WORD.sub(" ", bare).split())


def normalise_name(name: str) -> str:
    """A person's name in one comparable form: accents, punctuation and titles dropped, lower
    case, ``Family, Given`` turned round (``Rahman, Aisha`` → ``aisha rahman``)."""
    if name.count(",") == 1:
        family, given = name.split(",")
        name = f"{given} {family}"
    words = [w for w in _fold(name).split() if w not in _TITLES]
    return " ".join(words)


def normalise_organisation(name: str) -> str:
    """An organisation's name in one comparable form (``The University of Northhaven`` →
    ``university northhaven``)."""
    return " ".join(w for w in _fold(name).split() if w not in _ORGANISATION_WORDS)


def _initials_match(a: list[str], b: list[str]) -> bool:
    """Same family name, and given names equal or one an initial of the other."""
    if not a or not b or a[-1] != b[-1] or len(a[-1]) < 2:
        return False
    given_a, given_b = a[:-1], b[:-1]
    if not given_a or not given_b:
        return False
    first_a, first_b = given_a[0], given_b[0]
    return first_a == first_b or (
        (len(first_a) == 1 or len(first_b) == 1) and first_a[0] == first_b[0]
    )


@dataclass(frozen=True, slots=True)
class NameMatch:
    """How strongly two name + organisation descriptions suggest one person.

    Attributes:
        confidence: 0 (different people) to 1.
        reason: why, for the review queue (``same name and organisation`` ...).
    """

    confidence: float
    reason: str


def name_confidence(
    name_a: str, organisation_a: str, name_b: str, organisation_b: str
) -> NameMatch:
    """The confidence that two people described by name and organisation name are one.

    Equal normalised names at the same organisation: 0.9 (merged); at different or unknown
    organisations: 0.6 (review); initials that fit (``A. Rahman`` / ``Aisha Rahman``) at the
    same organisation: 0.7 (review); anything else 0.
    """
    a, b = normalise_name(name_a), normalise_name(name_b)
    org_a, org_b = normalise_organisation(organisation_a), normalise_organisation(organisation_b)
    same_org = bool(org_a) and org_a == org_b
    if not a or not b:
        return NameMatch(0.0, "no name")
    if a == b:
        if same_org:
            return NameMatch(0.9, "same name and organisation")
        if not org_a or not org_b:
            return NameMatch(0.6, "same name, organisation unknown")
        return NameMatch(0.6, "same name, different organisations")
    if _initials_match(a.split(), b.split()) and same_org:
        return NameMatch(0.7, "initials fit, same organisation")
    return NameMatch(0.0, "different names")


def name_key(name: str) -> str:
    """The key under which people of the same normalised family name are looked up (the last
    word of :func:`normalise_name`)."""
    words = normalise_name(name).split()
    return words[-1] if words else ""


def identifier_hash(scheme: str, value: str) -> str:
    """The SHA-256 of one identifier of a person (``orcid:0000-…``, ``openalex:A1``,
    ``name:aisha rahman|university northhaven``), as kept in the suppression list: an erased
    person's identifiers are remembered without being readable."""
    return hashlib.sha256(f"{scheme}:{value}".encode()).hexdigest()


def name_identifier(name: str, organisation: str) -> str:
    """The value of a person's ``name`` identifier: normalised name and organisation."""
    return f"{normalise_name(name)}|{normalise_organisation(organisation)}"


def title_key(title: str, year: int | None) -> str:
    """The key two sources' records of one work without a common DOI share: the normalised
    title and the year."""
    return hashlib.sha256(f"{_fold(title)}|{year or ''}".encode()).hexdigest()[:20]


def coauthor_window_start(current_year: int, years: int) -> int:
    """The first year whose shared works still make a conflict of interest, for a window of
    ``years`` years ending in ``current_year``.

    Raises:
        ValueError: ``years`` is negative.
    """
    if years < 0:
        raise ValueError(f"years must be 0 or more, got {years}")
    return current_year - years
