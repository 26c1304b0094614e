"""KE staff's curation of evidence items, applied wherever items are read.

A choice (``curation`` table: profile, item key, ``hidden`` or ``pinned``) holds for a profile
from any source. The importers apply it when they assemble a profile (a hidden item is not even
written); for every other profile (our JSON Lines/CSV forms, the API) the catalogue applies it
as it reads: a hidden item is left out of the profile, of the explanations and of the chunks an
index is built from (so it is never embedded), a pinned one is read with ``pinned`` set.

An item answers to its id and, when it has a DOI, to ``doi:<doi>`` (:func:`keys_of`), so KE staff
may name it either way (:func:`normalise_item_key`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Literal

from sqlalchemy import Connection, select

from index.db.schema import curation
from matcher.errors import NotFoundError

CurationState = Literal["hidden", "pinned"]
Choices = Mapping[str, CurationState]  # item key → state, for one profile

_IN_LIST = 500  # ids per IN (...) list: well under SQLite's parameter limit
_DOI_PREFIXES = ("https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "doi.org/")


class EvidenceItemNotFoundError(NotFoundError):
    """An item key that names no evidence item of the profile (nor an existing choice)."""

    def __init__(self, profile_id: str, item_key: str) -> None:
        super().__init__(f"profile {profile_id!r} has no evidence item {item_key!r}")
        self.profile_id = profile_id
        self.item_key = item_key


def normalise_item_key(value: str) -> str:
    """The stored form of an item key: a DOI (bare, ``doi:…`` or a ``doi.org`` URL) becomes
    ``doi:<lower-case DOI>``; anything else (an item id, ``t:…``) is kept as given."""
    key = value.strip()
    lowered = key.lower()
    for prefix in _DOI_PREFIXES:
        if lowered.startswith(prefix):
            return "doi:" + lowered[len(prefix) :]
    if lowered.startswith("doi:"):
        return "doi:" + lowered[4:].strip()
    if lowered.startswith("10.") and "/" in lowered:
        return "doi:" + lowered
    return key


def keys_of(item_id: str, doi: str | None) -> tuple[str, ...]:
    """Every key an item answers to: its id, and ``doi:<doi>`` when it has a DOI."""
    keys = [item_id]
    if doi:
        by_doi = "doi:" + doi.strip().lower()
        if by_doi != item_id:
            keys.append(by_doi)
    return tuple(keys)


def state_of(choices: Choices, item_id: str, doi: str | None) -> CurationState | None:
    """The choice that holds for one item (``hidden`` wins over ``pinned``), or ``None``."""
    states = {choices[k] for k in keys_of(item_id, doi) if k in choices}
    if "hidden" in states:
        return "hidden"
    return "pinned" if "pinned" in states else None


def read_choices(
    connection: Connection, profile_ids: Iterable[str] | None = None
) -> dict[str, dict[str, CurationState]]:
    """Per profile, item key → state: of the given profiles, or of every profile (``None``).

    The table is small (one row per choice a person made): a long list of profiles reads it
    whole rather than in parts.
    """
    query = select(curation.c.profile_id, curation.c.item_key, curation.c.state)
    wanted = None if profile_ids is None else set(profile_ids)
    if wanted is not None and len(wanted) <= _IN_LIST:
        query = query.where(curation.c.profile_id.in_(wanted))
    found: dict[str, dict[str, CurationState]] = {}
    for r in connection.execute(query):
        if wanted is None or r.profile_id in wanted:
            found.setdefault(r.profile_id, {})[r.item_key] = r.state
    return found
