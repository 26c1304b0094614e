"""The bid store: one transaction per change, versions (a stale write is refused), history and
audit rows, outcome labels, templates, erasure."""

from __future__ import annotations

from datetime import date

import pytest

from index.db.audit import AuditAction, AuditLog
from index.db.bids import BidStore, NewBid, Who
from index.db.catalogue import Catalogue
from matcher.bids import (
    DEFAULT_TEMPLATES,
    BidMember,
    BidNotFoundError,
    BidRole,
    BidStatus,
    BidTransitionError,
    ChecklistItem,
    GovernanceTemplate,
    InvalidBidError,
    StaleBidError,
    StepState,
)

pytestmark = pytest.mark.both_backends
WHO = Who(by="Kim (KE)", actor="key_1")


@pytest.fixture
def store(catalogue: Catalogue) -> BidStore:
    return BidStore(catalogue.engine)


def new_bid(store: BidStore) -> int:
    return store.create(
        NewBid(
            call_name="Falls prevention call",
            deadline=date(2099, 1, 31),
            members=(BidMember("prof-a", BidRole.LEAD),),
            checklist=(ChecklistItem(0, "ethics", "Ethics", due=date(2099, 3, 1)),),
            alternates=("prof-b",),
        ),
        who=WHO,
    ).id


def test_a_bid_moves_through_its_statuses_with_history_audit_and_labels(
    store: BidStore, catalogue: Catalogue
) -> None:
    bid = store.get(new_bid(store))
    assert (bid.status, bid.version, bid.members[0].profile_id) == (BidStatus.DRAFTING, 1, "prof-a")
    for version, status in enumerate(
        [BidStatus.INTERNAL_REVIEW, BidStatus.SUBMITTED, BidStatus.FUNDED], start=1
    ):
        bid = store.change_status(bid.id, version, status, who=WHO)
    assert bid.status is BidStatus.FUNDED and bid.version == 4
    assert set(bid.status_dates) == {"drafting", "internal_review", "submitted", "funded"}
    assert [e.action for e in bid.events] == ["created", "status", "status", "status"]
    labels = store.outcome_labels()
    assert [(lbl.profile_id, lbl.kind, lbl.label, lbl.bid_id) for lbl in labels] == [
        ("prof-a", "bid", "funded", bid.id)
    ]
    entries, _ = AuditLog(catalogue.engine).entries(target=f"bid/{bid.id}")
    assert [e.action for e in entries][::-1] == [
        AuditAction.BID_CREATE,
        AuditAction.BID_STATUS,
        AuditAction.BID_STATUS,
        AuditAction.BID_STATUS,
    ]
    with pytest.raises(BidTransitionError):
        store.change_status(bid.id, bid.version, BidStatus.DRAFTING, who=WHO)


def test_a_stale_write_is_refused_and_changes_nothing(store: BidStore) -> None:
    bid_id = new_bid(store)
    store.update(bid_id, 1, {"funder": "NIHR"}, who=WHO)
    with pytest.raises(StaleBidError, match="version 1, it is now 2"):
        store.update(bid_id, 1, {"funder": "MRC"}, who=WHO)
    bid = store.get(bid_id)
    assert (bid.funder, bid.version, len(bid.events)) == ("NIHR", 2, 2)
    with pytest.raises(BidNotFoundError):
        store.update(999, 1, {"funder": "x"}, who=WHO)


def test_an_invalid_transition_rolls_back_the_version(store: BidStore) -> None:
    bid_id = new_bid(store)
    with pytest.raises(BidTransitionError):
        store.change_status(bid_id, 1, BidStatus.FUNDED, who=WHO)
    assert store.get(bid_id).version == 1  # nothing half-written


def test_members_are_added_swapped_and_removed(store: BidStore) -> None:
    bid_id = new_bid(store)
    bid = store.swap_member(bid_id, 1, "prof-a", "prof-b", who=WHO)
    assert bid.members == (BidMember("prof-b", BidRole.LEAD),)
    bid = store.add_member(bid_id, 2, BidMember("prof-a", BidRole.CO_INVESTIGATOR), who=WHO)
    with pytest.raises(InvalidBidError, match="already a member"):
        store.add_member(bid_id, 3, BidMember("prof-a", BidRole.CO_INVESTIGATOR), who=WHO)
    with pytest.raises(InvalidBidError, match="no longer exists"):
        store.add_member(bid_id, 3, BidMember("nobody", BidRole.CO_INVESTIGATOR), who=WHO)
    bid = store.remove_member(bid_id, 3, "prof-b", who=WHO)
    assert [m.profile_id for m in bid.members] == ["prof-a"]
    with pytest.raises(BidNotFoundError, match="not a member"):
        store.remove_member(bid_id, 4, "prof-b", who=WHO)


def test_checklist_items_get_owners_dates_and_states(store: BidStore) -> None:
    bid = store.get(new_bid(store))
    item = bid.checklist[0]
    bid = store.update_item(
        bid.id,
        1,
        item.id,
        {"owner": "R&D office", "due": date(2026, 1, 1), "state": "in_progress"},
        who=WHO,
    )
    changed = bid.checklist[0]
    assert (changed.owner, changed.due, changed.state) == (
        "R&D office",
        date(2026, 1, 1),
        StepState.IN_PROGRESS,
    )
    assert bid.overdue_items(date(2026, 1, 2)) == [changed]
    with pytest.raises(BidNotFoundError):
        store.update_item(bid.id, 2, 9999, {"owner": "x"}, who=WHO)


def test_templates_default_until_an_admin_replaces_them(store: BidStore) -> None:
    assert store.templates() == list(DEFAULT_TEMPLATES)
    mine = [GovernanceTemplate("costing", "Costing signed off", None, -10)]
    store.set_templates(mine, who=WHO)
    assert store.templates() == mine
    with pytest.raises(InvalidBidError):
        store.set_templates([], who=WHO)


def test_erasure_removes_the_profile_and_anonymises_the_history(
    store: BidStore, catalogue: Catalogue
) -> None:
    bid_id = new_bid(store)
    store.add_member(bid_id, 1, BidMember("prof-b", BidRole.CO_INVESTIGATOR), who=WHO)
    for version, status in enumerate(
        [BidStatus.INTERNAL_REVIEW, BidStatus.SUBMITTED, BidStatus.NOT_FUNDED], 2
    ):
        store.change_status(bid_id, version, status, who=WHO)
    catalogue.delete_profile(
        "prof-b", also=lambda connection: BidStore.forget_profile(connection, "prof-b")
    )
    bid = store.get(bid_id)
    assert [m.profile_id for m in bid.members] == ["prof-a"]
    assert bid.alternates == ()
    assert "prof-b" not in str([e.detail for e in bid.events])
    assert "(erased)" in str([e.detail for e in bid.events])
    assert {lbl.profile_id for lbl in store.outcome_labels()} == {"prof-a"}
