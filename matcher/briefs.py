"""Validation of briefs: the first step of the search path."""

from __future__ import annotations

from collections.abc import Collection, Iterable

from matcher.errors import InvalidBriefError
from matcher.model import Brief, Filters, ProfileKind, Purpose
from matcher.text import normalise

MAX_BRIEF_CHARS = 20_000
MIN_BRIEF_CHARS = 3
MAX_TOP = 200


def parse_kinds(values: Iterable[str]) -> frozenset[ProfileKind]:
    """Turn kind names into kinds; an unknown name raises :class:`InvalidBriefError`."""
    kinds: set[ProfileKind] = set()
    valid = ", ".join(k.value for k in ProfileKind)
    for value in values:
        try:
            kinds.add(ProfileKind(value))
        except ValueError:
            raise InvalidBriefError(
                "kinds", f"unknown kind {value!r}; use one of {valid}"
            ) from None
    return frozenset(kinds)


#: The UN Sustainable Development Goals are numbered 1 to 17.
SDG_COUNT = 17
#: The years a ``since`` filter may name.
MIN_SINCE, MAX_SINCE = 1900, 2100


def make_brief(
    text: str,
    *,
    purpose: str = Purpose.COLLABORATORS.value,
    kinds: Iterable[str] = (),
    organisations: Iterable[str] = (),
    regions: Iterable[str] = (),
    units: Iterable[str] = (),
    exclude_profiles: Iterable[str] = (),
    exclude_organisations: Iterable[str] = (),
    requester_organisation: str | None = None,
    top: int = 10,
    max_chars: int = MAX_BRIEF_CHARS,
    since: int | None = None,
    sdgs: Iterable[int] = (),
) -> Brief:
    """Build a valid :class:`Brief` from user input.

    Raises:
        InvalidBriefError: empty or over-long text, an unknown kind or purpose, a bad ``top``.
    """
    cleaned = normalise(text)
    if len(cleaned) < MIN_BRIEF_CHARS:
        raise InvalidBriefError(
            "text", f"the brief is empty or too short (at least {MIN_BRIEF_CHARS} characters)"
        )
    if len(cleaned) > max_chars:
        raise InvalidBriefError(
            "text", f"the brief has {len(cleaned)} characters; the limit is {max_chars}"
        )
    try:
        chosen_purpose = Purpose(purpose)
    except ValueError:
        valid = ", ".join(p.value for p in Purpose)
        raise InvalidBriefError(
            "purpose", f"unknown purpose {purpose!r}; use one of {valid}"
        ) from None
    if since is not None and not MIN_SINCE <= since <= MAX_SINCE:
        raise InvalidBriefError(
            "since", f"since must be a year between {MIN_SINCE} and {MAX_SINCE}, got {since}"
        )
    goals = frozenset(int(g) for g in sdgs)
    if any(not 1 <= g <= SDG_COUNT for g in goals):
        raise InvalidBriefError("sdgs", f"an SDG is numbered 1 to {SDG_COUNT}, got {sorted(goals)}")
    if not 1 <= top <= MAX_TOP:
        raise InvalidBriefError("top", f"top must be between 1 and {MAX_TOP}, got {top}")
    filters = Filters(
        kinds=parse_kinds(kinds),
        organisations=_clean_set("organisations", organisations),
        regions=_clean_set("regions", regions),
        units=_clean_set("units", units),
        exclude_profiles=_clean_set("exclude_profiles", exclude_profiles),
        exclude_organisations=_clean_set("exclude_organisations", exclude_organisations),
        since=since,
        sdgs=goals,
    )
    return Brief(
        text=cleaned,
        purpose=chosen_purpose,
        filters=filters,
        requester_organisation=requester_organisation or None,
        top=top,
    )


#: How many known organisation ids an "unknown organisation" error lists.
LISTED_ORGANISATIONS = 12


def check_organisations(brief: Brief, known: Collection[str]) -> None:
    """Refuse a brief whose organisation filter names an organisation that does not exist: it
    would match nothing and look like "no partners" rather than a typo.

    Args:
        brief: a brief from :func:`make_brief`.
        known: the catalogue's organisation ids.

    Raises:
        InvalidBriefError: an unknown organisation (the message lists known ids).
    """
    unknown = sorted(brief.filters.organisations - set(known))
    if not unknown:
        return
    listed = sorted(known)[:LISTED_ORGANISATIONS]
    more = len(known) - len(listed)
    valid = ", ".join(listed) + (f" and {more} more" if more else "") if listed else "none yet"
    names = ", ".join(repr(u) for u in unknown)
    raise InvalidBriefError(
        "organisations",
        f"unknown organisation {names}; use an organisation id (known: {valid}; "
        "GET /api/v1/organisations lists them with their names)",
    )


def _clean_set(field: str, values: Iterable[str]) -> frozenset[str]:
    cleaned = set()
    for value in values:
        value = value.strip()
        if not value:
            raise InvalidBriefError(field, "an empty value is not allowed")
        cleaned.add(value)
    return frozenset(cleaned)
