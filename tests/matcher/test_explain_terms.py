"""Shared terms name topics: no brief phrasing, no word the whole pool uses."""

from __future__ import annotations

from matcher.explain import BRIEF_STOP_WORDS, MAX_DOCUMENT_SHARE, TermStatistics, shared_terms

BRIEF = (
    "We are a small company and want an NHS partner to test our oncology triage tool; "
    "we can give two hours a week to the project."
)


def test_brief_phrasing_is_never_a_shared_term() -> None:
    document = (
        "Oncology improvement group. We want a small company partner to test a triage tool; "
        "our team can give hours each week to a project."
    )
    terms = shared_terms(BRIEF, [document])[0]
    words = {w for t in terms for w in t.split()}
    assert not words & {"small", "company", "want", "partner", "test", "hours", "week"}
    assert "oncology" in words and "triage" in words
    assert {"want", "small", "company", "partner", "hours", "week", "test"} <= BRIEF_STOP_WORDS


def test_a_word_most_of_the_pool_uses_is_never_shown() -> None:
    pool = TermStatistics.of(
        [
            f"patients on ward {i} with asthma" if i < 30 else f"patients in clinic {i}"
            for i in range(200)
        ]
    )
    assert pool.share("patients") == 1.0 > MAX_DOCUMENT_SHARE
    terms = shared_terms(
        "asthma and patients", ["Asthma; patients at home.", "Patients at home."], pool=pool
    )
    assert terms == [["asthma"], []]
    # a phrase is as telling as its rarest word
    assert shared_terms("asthma patients", ["Asthma patients."], pool=pool) == [["asthma patients"]]


def test_the_pool_idf_ranks_rare_words_first() -> None:
    pool = TermStatistics.of(["stroke"] * 3 + ["rehabilitation"] * 1 + ["other"] * 16)
    assert pool.idf("rehabilitation") > pool.idf("stroke")
    assert pool.idf("stroke rehabilitation") == pool.idf("rehabilitation")  # its rarest word
    terms = shared_terms("stroke and rehabilitation", ["Rehabilitation; stroke."], pool=pool)[0]
    assert terms == ["rehabilitation", "stroke"]


def test_a_clinical_team_or_smes_specialty_opens_its_summary_item() -> None:
    from matcher.model import EvidenceItem, EvidenceType, Profile, ProfileKind

    need = EvidenceItem(
        "n1", EvidenceType.NEED, "Therapy after stroke", "Text.", specialty="Stroke"
    )
    team = Profile(
        "c1", ProfileKind.CLINICAL_TEAM, "Bracken Ward", "org", unit="Neurorehabilitation",
        summary="Clinical team at Kilbraddan.", evidence=(need,),
    )  # fmt: skip
    summary = team.evidence_with_summary()[-1]
    assert summary.text.startswith("Neurorehabilitation; Stroke. Clinical team at Kilbraddan.")
    sme = Profile("s1", ProfileKind.SME, "Vorncombe", "org", unit="wearables", summary="Insoles.")
    assert sme.evidence_with_summary()[-1].text == "wearables. Insoles."
    academic = Profile(
        "a1", ProfileKind.ACADEMIC, "Dr A", "org", unit="School of Computing", summary="Falls."
    )
    assert academic.evidence_with_summary()[-1].text == "Falls."  # academics' scores unchanged
