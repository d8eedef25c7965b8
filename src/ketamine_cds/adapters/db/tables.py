"""The record's tables (SQLAlchemy Core), as the repositories query them.

The migrations in ``migrations/`` create them; a test checks the two agree.
"""

from __future__ import annotations

from sqlalchemy import (
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from ketamine_cds.adapters.db.types import UtcTime

metadata = MetaData()

users = Table(
    "users",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("role", String(16), nullable=False),
    Column("created_at", UtcTime(), nullable=False),
)

patients = Table("patients", metadata, Column("identifier", String(128), primary_key=True))

weights = Table(
    "weights",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("patient", String(128), ForeignKey("patients.identifier"), nullable=False),
    Column("text", String(32), nullable=False),
    Column("kg", Float, nullable=False),
    Column("unit", String(8), nullable=False),
    Column("at", UtcTime(), nullable=False),
    Column("recorded_by", String(64), nullable=False),
)

episodes = Table(
    "episodes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("patient", String(128), ForeignKey("patients.identifier"), nullable=False),
    Column("weight_id", Integer, ForeignKey("weights.id"), nullable=False),
    Column("protocol_id", String(64), nullable=False),
    Column("protocol_version", String(16), nullable=False),
    Column("protocol_hash", String(64), nullable=False),
    Column("concentration_mg_per_ml", Float),
    Column("phase", String(64)),
    Column("started_at", UtcTime(), nullable=False),
    Column("baseline_json", Text, nullable=False),
    Column("pain_goal", Integer, nullable=False),
    Column("started_by", String(64), nullable=False),
    Column("status", String(16), nullable=False),
    Column("version", Integer, nullable=False),
)

verifications = Table(
    "verifications",
    metadata,
    Column("episode_id", Integer, ForeignKey("episodes.id"), primary_key=True),
    Column("number", Integer, primary_key=True),
    Column("verified_by", String(64), nullable=False),
    Column("at", UtcTime(), nullable=False),
    Column("note", Text),
)

events = Table(
    "events",
    metadata,
    Column("episode_id", Integer, ForeignKey("episodes.id"), primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("event_id", String(64), nullable=False),
    Column("type", String(32), nullable=False),
    Column("at", UtcTime(), nullable=False),
    Column("recorded_at", UtcTime(), nullable=False),
    Column("recorded_by", String(64), nullable=False),
    Column("role", String(16), nullable=False),
    Column("corrects", String(64)),
    Column("body", Text, nullable=False),
    UniqueConstraint("episode_id", "event_id", name="uq_events_episode_event_id"),
)

recommendations = Table(
    "recommendations",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("episode_id", Integer, ForeignKey("episodes.id"), nullable=False),
    Column("at", UtcTime(), nullable=False),
    Column("made_at", UtcTime(), nullable=False),
    Column("episode_version", Integer, nullable=False),
    Column("input_digest", String(64), nullable=False),
    Column("output", Text, nullable=False),
    Column("protocol_id", String(64), nullable=False),
    Column("protocol_version", String(16), nullable=False),
    Column("protocol_hash", String(64), nullable=False),
    Column("limits_version", String(16), nullable=False),
    Column("limits_hash", String(64), nullable=False),
    Column("software_version", String(32), nullable=False),
    Column("made_by", String(64), nullable=False),
    Column("role", String(16), nullable=False),
    Index("ix_recommendations_episode", "episode_id", "id"),
)

audit_entries = Table(
    "audit_entries",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("at", UtcTime(), nullable=False),
    Column("actor", String(64), nullable=False),
    Column("role", String(16), nullable=False),
    Column("action", String(64), nullable=False),
    Column("subject", String(200), nullable=False),
    Column("payload_digest", String(64), nullable=False),
    Column("versions", Text, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
)

audit_head = Table(
    "audit_head",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("seq", Integer, nullable=False),
    Column("hash", String(64), nullable=False),
)

reference_texts = Table(
    "reference_texts",
    metadata,
    Column("content_hash", String(64), primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("ref_id", String(64), nullable=False),
    Column("version", String(16), nullable=False),
    Column("text", Text, nullable=False),
)

# -- access to the record (revision 0002) ------------------------------------------------------
passwords = Table(
    "passwords",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("user_name", String(64), ForeignKey("users.name"), nullable=False),
    Column("hash", String(256), nullable=False),
    Column("set_at", UtcTime(), nullable=False),
    Column("set_by", String(64), nullable=False),
    Index("ix_passwords_user", "user_name", "id"),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("user_name", String(64), ForeignKey("users.name"), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("label", String(100), nullable=False),
    Column("created_at", UtcTime(), nullable=False),
    Column("created_by", String(64), nullable=False),
)

token_revocations = Table(
    "token_revocations",
    metadata,
    Column("token_id", Integer, ForeignKey("api_tokens.id"), primary_key=True),
    Column("at", UtcTime(), nullable=False),
    Column("by", String(64), nullable=False),
)

sessions = Table(
    "sessions",
    metadata,
    Column("id_hash", String(64), primary_key=True),
    Column("user_name", String(64), ForeignKey("users.name"), nullable=False),
    Column("created_at", UtcTime(), nullable=False),
    Column("expires_at", UtcTime(), nullable=False),
    Column("ended_at", UtcTime()),
)

# -- CDS Hooks tokens already used (revision 0003) ----------------------------------------------
# Working state, not record: a row is kept until its token has expired, so that a token replayed
# to any worker of the service is refused.
seen_tokens = Table(
    "seen_tokens",
    metadata,
    Column("digest", String(64), primary_key=True),
    Column("expires_at", UtcTime(), nullable=False),
    Index("ix_seen_tokens_expiry", "expires_at"),
)
