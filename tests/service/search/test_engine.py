from __future__ import annotations

import itertools
import warnings

import numpy as np
import pytest

from matcher.briefs import make_brief
from matcher.errors import ProfileNotFoundError
from matcher.model import ProfileKind
from service.container import Container

BRIEF = "wearable sensors detect falls older inpatients"


def test_results_are_grouped_by_kind_and_ranked(loaded: Container) -> None:
    result = loaded.engine.search(make_brief(BRIEF, top=5))
    assert set(result.groups) == set(ProfileKind)
    academics = result.groups[ProfileKind.ACADEMIC]
    assert academics[0].profile_id == "acad-falls"
    assert [m.rank for m in academics] == list(range(1, len(academics) + 1))
    assert all(a.score >= b.score for a, b in itertools.pairwise(academics))
    best = academics[0]
    assert best.evidence and best.evidence[0].similarity >= best.evidence[-1].similarity
    assert "falls" in " ".join(best.shared_terms)
    assert best.organisation_name == "University of Testfold"


def test_profiles_without_consent_never_appear(loaded: Container) -> None:
    result = loaded.engine.search(
        make_brief("hip fractures after falls in older inpatients", top=50)
    )
    assert "acad-hidden" not in {m.profile_id for m in result.matches}


def test_filters_and_exclusions(loaded: Container) -> None:
    engine = loaded.engine
    only_sme = engine.search(make_brief(BRIEF, kinds=["sme"]))
    assert set(only_sme.groups) == {ProfileKind.SME}
    unit = engine.search(make_brief(BRIEF, units=["Ophthalmology"]))
    assert [m.profile_id for m in unit.matches] == ["clin-eye"]
    region = engine.search(make_brief(BRIEF, regions=["Nowhere"]))
    assert region.matches == ()
    excluded = engine.search(make_brief(BRIEF, exclude_profiles=["acad-falls"]))
    assert "acad-falls" not in {m.profile_id for m in excluded.matches}
    by_org = engine.search(make_brief(BRIEF, organisations=["org-trust-a"]))
    assert {m.kind for m in by_org.matches} == {ProfileKind.CLINICAL_TEAM}
    not_org = engine.search(make_brief(BRIEF, exclude_organisations=["org-uni-a"]))
    assert ProfileKind.ACADEMIC not in {m.kind for m in not_org.matches}


def test_requester_organisation_is_flagged(loaded: Container) -> None:
    result = loaded.engine.search(make_brief(BRIEF, requester_organisation="org-uni-a"))
    flagged = {m.profile_id for m in result.matches if m.conflicts}
    assert flagged == {"acad-falls", "acad-retina"}


def test_faiss_candidates_give_the_same_ranking_as_exact_scoring(loaded: Container) -> None:
    engine = loaded.engine
    brief = make_brief(BRIEF, top=2)
    engine.candidate_chunks = 10_000
    wide = [m.profile_id for m in engine.search(brief).matches]
    engine.candidate_chunks = 1  # forces the exact fallback per kind
    narrow = [m.profile_id for m in engine.search(brief).matches]
    assert wide == narrow


def test_score_profiles_matches_search_scores(loaded: Container) -> None:
    engine = loaded.engine
    result = engine.search(make_brief(BRIEF))
    query = engine.encode_briefs([make_brief(BRIEF).text])
    ids = [m.profile_id for m in result.matches]
    scores = engine.score_profiles(query, ids)[0]
    assert scores.tolist() == pytest.approx([m.score for m in result.matches], abs=1e-5)
    with pytest.raises(ProfileNotFoundError):
        engine.score_profiles(query, ["nobody"])
    assert np.isfinite(scores).all()


def test_an_index_of_another_model_is_refused_not_served(loaded: Container) -> None:
    """A version built by another model (say, after 'matcher adapt' in another process) is
    never compared with this process's brief vectors."""
    from matcher.errors import IndexUnavailableError
    from tests.fakes import FakeEncoder

    other = FakeEncoder(model_id="another-model@1")
    loaded.store.sync(loaded.catalogue, other)
    loaded.engine.reload_seconds = 0
    with pytest.raises(IndexUnavailableError, match="restart"):
        loaded.engine.search(make_brief(BRIEF))


def test_similar_to_a_profile_with_no_text_uses_its_name(loaded: Container) -> None:
    from matcher.model import Profile

    organisation = next(iter(loaded.catalogue.organisation_ids()))
    loaded.upsert_profile(
        Profile(id="empty-1", kind=ProfileKind.ACADEMIC, name="Falls", organisation_id=organisation)
    )
    loaded.engine.reload()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "mean of empty slice", no NaN scores
        result = loaded.engine.similar("empty-1", top=3)
    assert all(np.isfinite(m.score) for m in result.matches)
    assert "empty-1" not in [m.profile_id for m in result.matches]
