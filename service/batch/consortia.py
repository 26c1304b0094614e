"""Step 4 of a batch run: consortia for the briefs that want them (grant partners, funding calls).

The rules (which calls get consortia, when an NHS or SME partner is asked for, how large a team
may be) and the team building are in :mod:`matcher.consortium`; this step scores the call's
facets against its eligible candidates through the search path and names the members.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import numpy.typing as npt

from matcher.consortium import (
    build_consortia,
    needs_nhs_partner,
    needs_sme_partner,
    split_facets,
    team_size,
)
from matcher.model import CallBrief, Profile
from service.batch.result import ConsortiumView, Partner
from service.search.engine import SearchEngine


def propose_consortia(
    engine: SearchEngine,
    call: CallBrief,
    candidates: Sequence[tuple[int, float]],
    *,
    ids: Sequence[str],
    profiles: dict[str, Profile],
    eligible: npt.NDArray[np.bool_],
    partner: Callable[[int, float], Partner],
    count: int,
) -> list[ConsortiumView]:
    """Consortia for one call: facet similarities through the same scoring path as search.

    Args:
        engine: the search engine (encodes the facets and scores the candidates exactly).
        call: the call's row.
        candidates: its candidates, (index into ``ids``, score).
        ids: the profile id of each candidate index.
        profiles: the candidates' profiles by id (a deleted one is absent and left out).
        eligible: per candidate index, whether it may serve this call (no conflict).
        partner: names a candidate index with a score.
        count: how many consortia to propose.
    """
    facets = split_facets(call.text)
    pool = [p for p, _ in candidates if ids[p] in profiles and eligible[p]]
    if not facets or not pool:
        return []
    queries = engine.encode_briefs(facets)
    similarities = engine.score_profiles(queries, [ids[p] for p in pool]).astype(np.float64)
    proposals = build_consortia(
        np.nan_to_num(similarities, nan=0.0),
        [profiles[ids[p]].kind for p in pool],
        need_nhs=needs_nhs_partner(call.text, call.kinds),
        need_sme=needs_sme_partner(call.text, call.kinds),
        max_members=team_size(call.partners),
        consortia=count,
    )
    views = []
    for proposal in proposals:
        members = [
            (m.role, partner(pool[m.candidate], float(similarities[:, m.candidate].max())))
            for m in proposal.members
        ]
        covers = [
            (facets[c.facet], profiles[ids[pool[c.member]]].name, round(c.similarity, 3))
            for c in proposal.covers
        ]
        views.append(
            ConsortiumView(members=members, covers=covers, coverage=round(proposal.coverage, 4))
        )
    return views
