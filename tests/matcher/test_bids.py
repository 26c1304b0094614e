"""The rules of bids: transitions, validation, conflicts of interest, checklists, overdue steps,
dashboard series."""

from __future__ import annotations

from datetime import date

import pytest

from matcher.bids import (
    BID_TRANSITIONS,
    DEFAULT_TEMPLATES,
    Bid,
    BidMember,
    BidRole,
    BidStatus,
    BidTransitionError,
    ChecklistItem,
    InvalidBidError,
    StepState,
    check_candidate,
    check_deadline,
    check_members,
    check_transition,
    checklist_for,
    series,
)
from matcher.errors import ConflictError, InvalidInputError
from matcher.model import Profile, ProfileKind

TODAY = date(2026, 3, 2)


def profile(
    pid: str, org: str = "org-uni", *, consent: bool = True, coauthors: tuple[str, ...] = ()
) -> Profile:
    return Profile(pid, ProfileKind.ACADEMIC, pid, org, consent=consent, coauthors=coauthors)


def test_every_status_has_its_moves_and_final_ones_have_none() -> None:
    assert set(BID_TRANSITIONS) == set(BidStatus)
    check_transition(BidStatus.DRAFTING, BidStatus.INTERNAL_REVIEW)
    check_transition(BidStatus.SUBMITTED, BidStatus.FUNDED)
    with pytest.raises(BidTransitionError, match="allowed: internal_review, withdrawn"):
        check_transition(BidStatus.DRAFTING, BidStatus.FUNDED)
    with pytest.raises(BidTransitionError, match="none"):
        check_transition(BidStatus.FUNDED, BidStatus.DRAFTING)
    assert issubclass(BidTransitionError, ConflictError)


def test_a_new_deadline_in_the_past_is_refused() -> None:
    check_deadline(TODAY, TODAY)
    check_deadline(None, TODAY)
    with pytest.raises(InvalidBidError, match="in the past"):
        check_deadline(date(2026, 3, 1), TODAY)
    assert issubclass(InvalidBidError, InvalidInputError)


def test_duplicate_members_and_two_leads_are_refused() -> None:
    check_members([BidMember("a", BidRole.LEAD), BidMember("b", BidRole.CO_INVESTIGATOR)])
    with pytest.raises(InvalidBidError, match="already a member"):
        check_members([BidMember("a", BidRole.LEAD), BidMember("a", BidRole.CO_INVESTIGATOR)])
    with pytest.raises(InvalidBidError, match="one lead"):
        check_members([BidMember("a", BidRole.LEAD), BidMember("b", BidRole.LEAD)])


def test_a_candidate_needs_consent_and_no_conflict_of_interest() -> None:
    check_candidate(profile("a"), "a", requester_organisation="org-nhs", declared=["x"])
    with pytest.raises(InvalidBidError, match="consenting"):
        check_candidate(profile("a", consent=False), "a", requester_organisation=None, declared=[])
    with pytest.raises(InvalidBidError, match="consenting"):
        check_candidate(None, "gone", requester_organisation=None, declared=[])
    with pytest.raises(InvalidBidError, match="conflict of interest"):  # the requester's own
        check_candidate(profile("a", "org-nhs"), "a", requester_organisation="org-nhs", declared=[])
    with pytest.raises(InvalidBidError, match="conflict of interest"):  # declared
        check_candidate(profile("a"), "a", requester_organisation=None, declared=["a"])
    with pytest.raises(
        InvalidBidError, match="conflict of interest"
    ):  # co-author of a declared one
        check_candidate(
            profile("a", coauthors=("x",)), "a", requester_organisation=None, declared=["x"]
        )
    with pytest.raises(InvalidBidError, match="conflict of interest"):  # named by a declared one
        check_candidate(
            profile("a"),
            "a",
            requester_organisation=None,
            declared=[profile("x", coauthors=("a",))],
        )


def test_the_checklist_follows_the_members_roles_and_the_deadline() -> None:
    deadline = date(2026, 6, 30)
    academic_only = checklist_for(DEFAULT_TEMPLATES, [BidMember("a", BidRole.LEAD)], deadline)
    assert {i.key for i in academic_only} == {"data_sharing", "ethics"}
    full = checklist_for(
        DEFAULT_TEMPLATES,
        [
            BidMember("a", BidRole.LEAD),
            BidMember("n", BidRole.NHS_PARTNER),
            BidMember("s", BidRole.SME_PARTNER),
        ],
        deadline,
    )
    assert [i.key for i in full] == [t.key for t in DEFAULT_TEMPLATES]
    assert next(i for i in full if i.key == "nhs_rd_hra").due == date(2026, 6, 16)
    assert all(i.due is None for i in checklist_for(DEFAULT_TEMPLATES, [], None))


def test_overdue_and_due_this_week() -> None:
    late = ChecklistItem(1, "ethics", "Ethics", due=date(2026, 3, 1))
    assert late.overdue(TODAY) and not late.due_within(TODAY)
    soon = ChecklistItem(2, "dsa", "DSA", due=date(2026, 3, 9))
    assert not soon.overdue(TODAY) and soon.due_within(TODAY)
    done = ChecklistItem(3, "x", "X", due=date(2026, 1, 1), state=StepState.DONE)
    assert not done.overdue(TODAY)


def _bid(status: BidStatus, theme: str, amount: int | None) -> Bid:
    return Bid(0, "c", "f", "s", theme, None, amount, status, "", (), (), 1, "k", "", "")


def test_series_for_the_dashboard() -> None:
    figures = series(
        [
            _bid(BidStatus.FUNDED, "falls", 100_000),
            _bid(BidStatus.NOT_FUNDED, "falls", 50_000),
            _bid(BidStatus.DRAFTING, "", None),
        ]
    )
    assert figures.by_theme == {"(no theme)": 1, "falls": 2}
    assert (figures.decided, figures.funded, figures.success_rate, figures.money_won) == (
        2,
        1,
        0.5,
        100_000,
    )
    assert series([]).success_rate is None
