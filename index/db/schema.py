"""The database schema of the catalogue: one SQLAlchemy ``MetaData`` for every table."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData()

organisations = Table(
    "organisations",
    metadata,
    Column("id", String(200), primary_key=True),
    Column("name", Text, nullable=False),
    Column("type", String(40), nullable=False),
    Column("region", Text, nullable=False, default=""),
    Column("content_hash", String(64), nullable=False),
)

profiles = Table(
    "profiles",
    metadata,
    Column("id", String(200), primary_key=True),
    Column("kind", String(40), nullable=False, index=True),
    Column("name", Text, nullable=False),
    Column("organisation_id", String(200), nullable=False, index=True),
    Column("unit", Text, nullable=False, default=""),
    Column("region", Text, nullable=False, default=""),
    Column("summary", Text, nullable=False, default=""),
    Column("keywords", JSON, nullable=False),
    Column("capacity", Integer, nullable=False),
    Column("contact", Text, nullable=False, default=""),
    Column("consent", Boolean, nullable=False),
    Column("coauthors", JSON, nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("updated_at", String(40), nullable=False),
)

evidence = Table(
    "evidence",
    metadata,
    Column("pk", Integer, primary_key=True, autoincrement=True),
    Column(
        "profile_id", String(200), ForeignKey("profiles.id", ondelete="CASCADE"), nullable=False
    ),
    Column("item_id", String(300), nullable=False),
    Column("position", Integer, nullable=False),
    Column("type", String(40), nullable=False),
    Column("title", Text, nullable=False),
    Column("text", Text, nullable=False),
    Column("year", Integer),
    Column("specialty", Text, nullable=False, default=""),
    Column("sector", Text, nullable=False, default=""),
    Column("funder", Text, nullable=False, default=""),
    Column("readiness_level", Integer),
    Index("ix_evidence_profile", "profile_id", "position"),
    sqlite_autoincrement=True,
)

# A chunk's primary key is its vector id in the index: AUTOINCREMENT so ids are never reused.
chunks = Table(
    "chunks",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("evidence_pk", Integer, ForeignKey("evidence.pk", ondelete="CASCADE"), nullable=False),
    Column(
        "profile_id", String(200), ForeignKey("profiles.id", ondelete="CASCADE"), nullable=False
    ),
    Column("position", Integer, nullable=False),
    Column("text", Text, nullable=False),
    Column("text_hash", String(64), nullable=False, index=True),
    Index("ix_chunks_profile", "profile_id"),
    sqlite_autoincrement=True,
)

embeddings = Table(
    "embeddings",
    metadata,
    Column("model_id", String(200), primary_key=True),
    Column("text_hash", String(64), primary_key=True),
    Column("vector", LargeBinary, nullable=False),
)

meta = Table(
    "meta",
    metadata,
    Column("key", String(100), primary_key=True),
    Column("value", Text, nullable=False),
)


api_keys = Table(
    "api_keys",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("name", Text, nullable=False),
    Column("role", String(20), nullable=False),
    Column("key_hash", String(64), nullable=False, unique=True),
    Column("created_at", String(40), nullable=False),
    Column("revoked_at", String(40)),
)

web_sessions = Table(
    "web_sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("key_id", String(40), ForeignKey("api_keys.id", ondelete="CASCADE"), nullable=False),
    Column("csrf", String(64), nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("expires_at", String(40), nullable=False),
)

shortlist_items = Table(
    "shortlist_items",
    metadata,
    Column("key_id", String(40), ForeignKey("api_keys.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "profile_id", String(200), ForeignKey("profiles.id", ondelete="CASCADE"), primary_key=True
    ),
    Column("brief", Text, nullable=False, default=""),
    Column("score", Integer),
    Column("added_at", String(40), nullable=False),
)

introductions = Table(
    "introductions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column(
        "profile_id",
        String(200),
        ForeignKey("profiles.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("requester", Text, nullable=False),
    # Text, not VARCHAR(n): key names and organisation names have no fixed bound, and
    # PostgreSQL (unlike SQLite) enforces one (revision 0002)
    Column("requester_organisation", Text),
    Column("brief", Text, nullable=False, default=""),
    Column("status", String(20), nullable=False, index=True),
    Column("created_by", Text, nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("updated_at", String(40), nullable=False),
    sqlite_autoincrement=True,
)

introduction_events = Table(
    "introduction_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column(
        "introduction_id",
        Integer,
        ForeignKey("introductions.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("at", String(40), nullable=False),
    Column("by", Text, nullable=False),
    Column("action", String(20), nullable=False),
    Column("status", String(20)),
    Column("note", Text, nullable=False, default=""),
    sqlite_autoincrement=True,
)

# Who did what to whom: contact views, exports, introduction changes, deletions. ``actor`` is a
# key id (never the secret); ``detail`` holds no personal data (no names, contacts or brief text).
audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", String(40), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("action", String(40), nullable=False, index=True),
    Column("target", String(300), nullable=False, default="", index=True),
    Column("detail", JSON, nullable=False),
    sqlite_autoincrement=True,
)

# Joint grant applications (issue 20). ``version`` is bumped by every change: a write names the
# version it read and is refused when another came first (index.db.bids).
bids = Table(
    "bids",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("call_name", Text, nullable=False),
    Column("funder", Text, nullable=False, default=""),
    Column("scheme", Text, nullable=False, default=""),
    Column("theme", Text, nullable=False, default=""),
    Column("deadline", String(10)),
    Column("amount", Integer),
    Column("status", String(20), nullable=False, index=True),
    Column("notes", Text, nullable=False, default=""),
    Column("requester_organisation", Text),
    Column("declared_conflicts", JSON, nullable=False),
    Column("alternates", JSON, nullable=False),
    Column("introductions", JSON, nullable=False),
    Column("source", JSON),
    Column("status_dates", JSON, nullable=False),
    Column("version", Integer, nullable=False),
    Column("created_by", Text, nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("updated_at", String(40), nullable=False),
    sqlite_autoincrement=True,
)

bid_members = Table(
    "bid_members",
    metadata,
    Column("bid_id", Integer, ForeignKey("bids.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "profile_id",
        String(200),
        ForeignKey("profiles.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
    Column("role", String(20), nullable=False),
    Column("position", Integer, nullable=False),
)

bid_checklist = Table(
    "bid_checklist",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column(
        "bid_id", Integer, ForeignKey("bids.id", ondelete="CASCADE"), nullable=False, index=True
    ),
    Column("key", String(60), nullable=False, default=""),
    Column("title", Text, nullable=False),
    Column("owner", Text, nullable=False, default=""),
    Column("due", String(10)),
    Column("state", String(20), nullable=False),
    Column("position", Integer, nullable=False),
    sqlite_autoincrement=True,
)

# A bid's history. ``detail`` holds ids and values; an erased profile's id is replaced there by
# ``(erased)`` so that the history stays readable without naming them.
bid_events = Table(
    "bid_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column(
        "bid_id", Integer, ForeignKey("bids.id", ondelete="CASCADE"), nullable=False, index=True
    ),
    Column("at", String(40), nullable=False),
    Column("by", Text, nullable=False),
    Column("action", String(40), nullable=False),
    Column("detail", JSON, nullable=False),
    Column("note", Text, nullable=False, default=""),
    sqlite_autoincrement=True,
)

# Governance templates as edited by admins; while empty, matcher.bids.DEFAULT_TEMPLATES apply.
governance_templates = Table(
    "governance_templates",
    metadata,
    Column("key", String(60), primary_key=True),
    Column("title", Text, nullable=False),
    Column("applies_to", String(20)),
    Column("offset_days", Integer, nullable=False),
    Column("position", Integer, nullable=False),
)

# Outcomes that the ranking-that-learns issue reads: one row per member of a decided bid
# (``kind='bid'``, ``label`` funded / not_funded). Erasing a profile deletes its rows.
outcome_labels = Table(
    "outcome_labels",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column(
        "profile_id",
        String(200),
        ForeignKey("profiles.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("kind", String(20), nullable=False),
    Column("label", String(40), nullable=False),
    Column("at", String(40), nullable=False),
    Column("bid_id", Integer, ForeignKey("bids.id", ondelete="CASCADE"), index=True),
    sqlite_autoincrement=True,
)
