"""Searches served per theme (the partnership dashboard): a search is answered as
:meth:`SearchEngine.search` answers it, and counted under the nearest theme of the brief's own
vector (the one the search encoded: the brief is not encoded twice). Counts only: the brief's
text is never stored, only its theme id and the day.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from matcher.fusion import RankingProfile
from matcher.insight.themes import assign_themes
from matcher.model import Brief, SearchResult
from service.container import Container
from service.insight.themes import insight_store


def theme_of_vector(container: Container, query: npt.NDArray[np.float32]) -> str:
    """The id of the stored theme nearest to a brief's vector; ``""`` before themes are built
    or when they are of another model (never builds them: this is on the search path)."""
    stored = insight_store(container).themes()
    if stored is None or stored.model_id != container.engine.snapshot().manifest.model_id:
        return ""
    found = assign_themes(query, stored.themes, top=1)[0]
    return found[0].theme_id if found else ""


def counted_search(
    container: Container,
    brief: Brief,
    *,
    profile: RankingProfile = RankingProfile.FAST,
    query: npt.NDArray[np.float32] | None = None,
) -> SearchResult:
    """Answer a search with :meth:`SearchEngine.search` and count it, with its theme, in the
    dashboard's searches served (``query``: the brief's vector, when already encoded).

    Raises:
        IndexUnavailableError: no usable index (nothing is counted).
    """
    engine = container.engine
    if query is None:
        query = engine.encode_brief(brief.text)
    result = engine.search(brief, profile=profile, query=query)
    container.search_counts.count(theme=theme_of_vector(container, query))
    return result
