"""The audit log at the storage layer: appending, paging and filtering, and erasure."""

from __future__ import annotations

import pytest

from index.db.audit import AuditAction, AuditLog
from index.db.catalogue import Catalogue


@pytest.fixture
def log(catalogue: Catalogue) -> AuditLog:
    return AuditLog(catalogue.engine)


def test_rows_come_back_newest_first_with_their_detail(log: AuditLog) -> None:
    log.record(AuditAction.CONTACT_VIEW, actor="key_1", target="prof-a", detail={"via": "api"})
    log.record(AuditAction.SHORTLIST_EXPORT, actor="key_2", target="shortlist")
    entries, total = log.entries()
    assert total == 2
    assert [(e.action, e.actor, e.target, e.detail) for e in entries] == [
        (AuditAction.SHORTLIST_EXPORT.value, "key_2", "shortlist", {}),
        (AuditAction.CONTACT_VIEW.value, "key_1", "prof-a", {"via": "api"}),
    ]
    assert entries[0].id > entries[1].id and entries[0].at >= entries[1].at


def test_entries_filter_and_page(log: AuditLog) -> None:
    for n in range(5):
        log.record(AuditAction.CONTACT_VIEW, actor="key_1", target=f"prof-{n}")
    log.record(AuditAction.REPORT_DOWNLOAD, actor="key_1", target="batch/job-1")
    views, total = log.entries(action=AuditAction.CONTACT_VIEW, offset=1, limit=2)
    assert total == 5
    assert [e.target for e in views] == ["prof-3", "prof-2"]
    by_target, total = log.entries(target="batch/job-1")
    assert total == 1 and by_target[0].action == AuditAction.REPORT_DOWNLOAD.value
    assert log.entries(target="nothing") == ([], 0)


def test_forgetting_a_profile_leaves_only_the_fact_of_its_deletion(
    log: AuditLog, catalogue: Catalogue
) -> None:
    log.record(AuditAction.CONTACT_VIEW, actor="key_1", target="prof-a")
    log.record(
        AuditAction.INTRODUCTION_STATUS,
        actor="key_1",
        target="introduction/1",
        detail={"profile_id": "prof-a", "status": "met"},
    )
    log.record(
        AuditAction.SHORTLIST_EXPORT,
        actor="key_1",
        target="shortlist",
        detail={"profiles": ["prof-a", "prof-b"], "format": "csv"},
    )
    log.record(AuditAction.CONTACT_VIEW, actor="key_1", target="prof-b")
    with catalogue.engine.begin() as connection:
        deleted = AuditLog.forget_profile(connection, "prof-a", actor="key_admin")
    assert deleted == 2
    entries, total = log.entries()
    assert total == 3
    assert [(e.action, e.target, e.detail) for e in entries] == [
        (AuditAction.PROFILE_DELETE.value, "prof-a", {"erased_audit_rows": 2}),
        (AuditAction.CONTACT_VIEW.value, "prof-b", {}),
        (
            AuditAction.SHORTLIST_EXPORT.value,
            "shortlist",
            {"profiles": ["prof-b"], "format": "csv"},
        ),
    ]
    assert entries[0].actor == "key_admin"


def test_a_similar_id_is_not_forgotten(log: AuditLog, catalogue: Catalogue) -> None:
    log.record(AuditAction.CONTACT_VIEW, actor="key_1", target="prof-ab")
    log.record(
        AuditAction.SHORTLIST_EXPORT,
        actor="key_1",
        target="shortlist",
        detail={"profiles": ["prof-ab"]},
    )
    with catalogue.engine.begin() as connection:
        assert AuditLog.forget_profile(connection, "prof-a", actor="key_admin") == 0
    entries, total = log.entries()
    assert total == 3
    assert entries[1].detail == {"profiles": ["prof-ab"]}


def test_erasure_through_the_catalogue_commits_with_the_audit_record(
    log: AuditLog, catalogue: Catalogue
) -> None:
    log.record(AuditAction.CONTACT_VIEW, actor="key_1", target="prof-a")
    catalogue.delete_profile(
        "prof-a",
        also=lambda connection: AuditLog.forget_profile(connection, "prof-a", actor="key_admin"),
    )
    entries, total = log.entries()
    assert total == 1 and entries[0].action == AuditAction.PROFILE_DELETE.value
