"""The database schema of the catalogue: one SQLAlchemy ``MetaData`` for every table."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy import false as sa_false

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
    # provenance of imported items (revision 0003): the DOI, one entry per source record, and
    # whether KE staff pinned the item
    Column("doi", Text, nullable=False, server_default=""),
    Column("provenance", JSON),
    Column("pinned", Boolean, nullable=False, server_default=sa_false()),
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


# ----------------------------------------------------------------------------- research sources
# (revision 0003) What the importers of OpenAlex, ORCID, GtR and Pure remember: each source's
# people and works as last read, which of our profiles a source identity belongs to, the review
# queue of name-only matches, erased people's identifiers (hashed) and KE staff's curation.

# One identifier of a person → the profile it belongs to (``orcid``, ``openalex``, ``gtr``,
# ``pure``). ORCID iDs and source ids both live here: the alias table is the identity map.
person_aliases = Table(
    "person_aliases",
    metadata,
    Column("scheme", String(20), primary_key=True),
    Column("value", String(200), primary_key=True),
    Column("profile_id", String(200), nullable=False, index=True),
)

# A person as one source describes them; ``link`` says how they were attached to their profile
# (``id``: a shared identifier or a new profile; ``name``: a name + organisation match).
source_people = Table(
    "source_people",
    metadata,
    Column("source", String(20), primary_key=True),
    Column("source_id", String(200), primary_key=True),
    Column("profile_id", String(200), nullable=False, index=True),
    Column("link", String(10), nullable=False),
    Column("name", Text, nullable=False),
    Column("name_key", String(200), nullable=False, index=True),
    Column("orcid", String(40), nullable=False, default=""),
    Column("organisation_id", String(200), nullable=False, default=""),
    Column("organisation_name", Text, nullable=False, default=""),
    Column("unit", Text, nullable=False, default=""),
    Column("keywords", JSON, nullable=False),
    Column("biography", Text, nullable=False, default=""),
    Column("url", Text, nullable=False, default=""),
    Column("retrieved_at", String(40), nullable=False, default=""),
    Column("content_hash", String(64), nullable=False),
)

# A work as one source describes it; ``run`` is the last import run that saw it (a full
# snapshot withdraws the works of its source that it did not see).
source_works = Table(
    "source_works",
    metadata,
    Column("source", String(20), primary_key=True),
    Column("source_id", String(300), primary_key=True),
    Column("type", String(40), nullable=False),
    Column("title", Text, nullable=False),
    Column("abstract", Text, nullable=False, default=""),
    Column("year", Integer),
    Column("doi", Text, nullable=False, default=""),
    Column("funder", Text, nullable=False, default=""),
    Column("url", Text, nullable=False, default=""),
    Column("retrieved_at", String(40), nullable=False, default=""),
    Column("content_hash", String(64), nullable=False),
    Column("run", Integer, nullable=False, index=True),
    # the source's SDG scores of the work (revision 0006): [[goal id, score], ...]
    Column("sdgs", JSON),
)

# Who is on a work: ``person`` is the source's person id; ``ours`` marks the authorships that
# make profiles (the others are co-authors only).
source_authorships = Table(
    "source_authorships",
    metadata,
    Column("source", String(20), primary_key=True),
    Column("work_id", String(300), primary_key=True),
    Column("person", String(200), primary_key=True),
    Column("orcid", String(40), nullable=False, default=""),
    Column("role", String(40), nullable=False),
    Column("ours", Boolean, nullable=False),
    Index("ix_source_authorships_person", "source", "person"),
)

# Name-only matches for KE staff: ``pending`` until someone merges the two or keeps them apart
# (``merged``, ``distinct``); a decided pair is never offered or merged again.
identity_reviews = Table(
    "identity_reviews",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("profile_a", String(200), nullable=False, index=True),
    Column("profile_b", String(200), nullable=False, index=True),
    Column("confidence", Float, nullable=False),
    Column("reason", Text, nullable=False),
    Column("status", String(20), nullable=False, index=True),
    Column("created_at", String(40), nullable=False),
    Column("decided_at", String(40)),
    Column("decided_by", String(200)),
    UniqueConstraint("profile_a", "profile_b", name="uq_identity_reviews_pair"),
    sqlite_autoincrement=True,
)

# Identifiers of erased people, as SHA-256 of ``scheme:value``: no import re-creates them.
suppressions = Table(
    "suppressions",
    metadata,
    Column("identifier_hash", String(64), primary_key=True),
    Column("created_at", String(40), nullable=False),
)

# KE staff's choices about a profile's evidence, keyed by a stable item key (``doi:…``,
# ``t:…``): ``hidden`` (never embedded, never shown) or ``pinned`` (always shown).
curation = Table(
    "curation",
    metadata,
    Column("profile_id", String(200), primary_key=True),
    Column("item_key", String(300), primary_key=True),
    Column("state", String(10), nullable=False),
    Column("at", String(40), nullable=False),
    Column("by", String(200), nullable=False, default=""),
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

# ----------------------------------------------------------------------------- partnership insight
# (revision 0007) Searches served, counted per day and theme: counts only, never a brief's text
# (``theme`` is empty until searches are given themes).
search_counts = Table(
    "search_counts",
    metadata,
    Column("day", String(10), primary_key=True),
    Column("theme", String(200), primary_key=True),
    Column("searches", Integer, nullable=False),
)

# Governance steps of a collaborating introduction: the same steps and templates as a bid's
# checklist (matcher.bids.ChecklistItem), seeded when the introduction reaches ``collaborating``.
introduction_checklist = Table(
    "introduction_checklist",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column(
        "introduction_id",
        Integer,
        ForeignKey("introductions.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("key", String(60), nullable=False, default=""),
    Column("title", Text, nullable=False),
    Column("owner", Text, nullable=False, default=""),
    Column("due", String(10)),
    Column("state", String(20), nullable=False),
    Column("position", Integer, nullable=False),
    sqlite_autoincrement=True,
)

# Partnership insight (revision 0006): themes of the pool with stable ids (a theme no longer
# found stays as a row, inactive, so that its id is never given to another), the themes of each
# profile and item (``item_id`` empty: the profile's own), and SDG tags of items (``source``:
# ``ours`` or the source that scored the work, e.g. ``openalex``). Erasing a profile deletes
# its rows.
insight_themes = Table(
    "insight_themes",
    metadata,
    Column("id", String(20), primary_key=True),
    Column("label", Text, nullable=False),
    Column("terms", JSON, nullable=False),
    Column("size", Integer, nullable=False),
    Column("centroid", LargeBinary, nullable=False),
    Column("model_id", String(200), nullable=False),
    Column("index_version", Integer, nullable=False),
    Column("active", Boolean, nullable=False),
    Column("built_at", String(40), nullable=False),
)

insight_theme_members = Table(
    "insight_theme_members",
    metadata,
    Column(
        "profile_id", String(200), ForeignKey("profiles.id", ondelete="CASCADE"), primary_key=True
    ),
    Column("item_id", String(300), primary_key=True),
    Column("rank", Integer, primary_key=True),
    Column("theme_id", String(20), nullable=False, index=True),
    Column("similarity", Float, nullable=False),
)

insight_sdg_tags = Table(
    "insight_sdg_tags",
    metadata,
    Column(
        "profile_id", String(200), ForeignKey("profiles.id", ondelete="CASCADE"), primary_key=True
    ),
    Column("item_id", String(300), primary_key=True),
    Column("goal", Integer, primary_key=True),
    Column("source", String(20), primary_key=True),
    Column("confidence", Float, nullable=False),
    Index("ix_insight_sdg_tags_goal", "goal", "source"),
)

# Users' word on a result (issue 18 item 3, revision 0008): one label ("relevant" or not) of one
# profile for one brief, given on a result card or read from an introduction's outcome
# (``collaborating``: relevant, ``declined``: not). Kept with the brief's vector and the
# re-ranker's feature row of the profile computed when the label was given, never the brief's
# text (``brief_id`` names the page's saved brief, which lives by its own retention);
# ``brief_ref`` groups the labels of one brief (a hash of its vector). Erasing a profile or an
# introduction deletes its labels.
feedback = Table(
    "feedback",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column(
        "profile_id",
        String(200),
        ForeignKey("profiles.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("relevant", Boolean, nullable=False),
    Column("source", String(20), nullable=False),
    Column("brief_ref", String(64), nullable=False, index=True),
    Column("brief_id", String(64)),
    Column("introduction_id", Integer, ForeignKey("introductions.id", ondelete="CASCADE")),
    Column("vector", LargeBinary, nullable=False),
    Column("model_id", Text, nullable=False),
    Column("features", JSON, nullable=False),
    Column("given_by", Text, nullable=False),
    Column("role", String(20), nullable=False),
    Column("index_version", Integer, nullable=False),
    Column("created_at", String(40), nullable=False),
    Index("ix_feedback_introduction_id", "introduction_id", unique=True),
    sqlite_autoincrement=True,
)
