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
    # matcher.model.brief_key of the brief (NULL for none): the identity of "the same
    # introduction" (revision 0004)
    Column("brief_key", String(64)),
    Column("status", String(20), nullable=False, index=True),
    Column("created_by", Text, nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("updated_at", String(40), nullable=False),
    sqlite_autoincrement=True,
)

#: The statuses of an open introduction (matcher.model.OPEN_INTRODUCTION_STATUSES), spelt out
#: here because the partial index below is schema, compared with the migrations.
OPEN_STATUSES = ("proposed", "contacted", "met")

# At most one open introduction per profile and brief, whoever proposes it and however many at
# once: a partial unique index (SQLite and PostgreSQL both have them).
Index(
    "uq_introductions_open_brief",
    introductions.c.profile_id,
    introductions.c.brief_key,
    unique=True,
    sqlite_where=introductions.c.status.in_(OPEN_STATUSES),
    postgresql_where=introductions.c.status.in_(OPEN_STATUSES),
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

# A brief searched on the pages, kept so that its results have a URL (Back, reload, a shared
# link) without the brief in it, and so that a page's forms name the brief instead of copying it.
# ``id`` is a keyed hash of the key and the text; rows older than a month are purged.
saved_briefs = Table(
    "saved_briefs",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("key_id", String(40), ForeignKey("api_keys.id", ondelete="CASCADE"), nullable=False),
    Column("text", Text, nullable=False),
    Column("created_at", String(40), nullable=False, index=True),
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
