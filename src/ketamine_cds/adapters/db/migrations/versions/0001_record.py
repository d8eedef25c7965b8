"""The clinical record's tables, append-only where they must be.

Users, patients and weights, episodes, events, recommendations, verifications, the audit chain
and archived protocol texts.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ketamine_cds.adapters.db.types import UtcTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

APPEND_ONLY = (
    "users",
    "weights",
    "verifications",
    "events",
    "recommendations",
    "audit_entries",
    "reference_texts",
)
GENESIS = "0" * 64


def _tables() -> None:
    op.create_table(
        "users",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("created_at", UtcTime(), nullable=False),
    )
    op.create_table("patients", sa.Column("identifier", sa.String(128), primary_key=True))
    op.create_table(
        "weights",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("patient", sa.String(128), sa.ForeignKey("patients.identifier"), nullable=False),
        sa.Column("text", sa.String(32), nullable=False),
        sa.Column("kg", sa.Float, nullable=False),
        sa.Column("unit", sa.String(8), nullable=False),
        sa.Column("at", UtcTime(), nullable=False),
        sa.Column("recorded_by", sa.String(64), nullable=False),
    )
    op.create_table(
        "episodes",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("patient", sa.String(128), sa.ForeignKey("patients.identifier"), nullable=False),
        sa.Column("weight_id", sa.Integer, sa.ForeignKey("weights.id"), nullable=False),
        sa.Column("protocol_id", sa.String(64), nullable=False),
        sa.Column("protocol_version", sa.String(16), nullable=False),
        sa.Column("protocol_hash", sa.String(64), nullable=False),
        sa.Column("concentration_mg_per_ml", sa.Float),
        sa.Column("phase", sa.String(64)),
        sa.Column("started_at", UtcTime(), nullable=False),
        sa.Column("baseline_json", sa.Text, nullable=False),
        sa.Column("pain_goal", sa.Integer, nullable=False),
        sa.Column("started_by", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
    )
    op.create_table(
        "verifications",
        sa.Column("episode_id", sa.Integer, sa.ForeignKey("episodes.id"), primary_key=True),
        sa.Column("number", sa.Integer, primary_key=True),
        sa.Column("verified_by", sa.String(64), nullable=False),
        sa.Column("at", UtcTime(), nullable=False),
        sa.Column("note", sa.Text),
    )
    op.create_table(
        "events",
        sa.Column("episode_id", sa.Integer, sa.ForeignKey("episodes.id"), primary_key=True),
        sa.Column("position", sa.Integer, primary_key=True),
        sa.Column("event_id", sa.String(64), nullable=False),
        sa.Column("type", sa.String(32), nullable=False),
        sa.Column("at", UtcTime(), nullable=False),
        sa.Column("recorded_at", UtcTime(), nullable=False),
        sa.Column("recorded_by", sa.String(64), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("corrects", sa.String(64)),
        sa.Column("body", sa.Text, nullable=False),
        sa.UniqueConstraint("episode_id", "event_id", name="uq_events_episode_event_id"),
    )
    op.create_table(
        "recommendations",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("episode_id", sa.Integer, sa.ForeignKey("episodes.id"), nullable=False),
        sa.Column("at", UtcTime(), nullable=False),
        sa.Column("made_at", UtcTime(), nullable=False),
        sa.Column("episode_version", sa.Integer, nullable=False),
        sa.Column("input_digest", sa.String(64), nullable=False),
        sa.Column("output", sa.Text, nullable=False),
        sa.Column("protocol_id", sa.String(64), nullable=False),
        sa.Column("protocol_version", sa.String(16), nullable=False),
        sa.Column("protocol_hash", sa.String(64), nullable=False),
        sa.Column("limits_version", sa.String(16), nullable=False),
        sa.Column("limits_hash", sa.String(64), nullable=False),
        sa.Column("software_version", sa.String(32), nullable=False),
        sa.Column("made_by", sa.String(64), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
    )
    op.create_index("ix_recommendations_episode", "recommendations", ["episode_id", "id"])
    op.create_table(
        "audit_entries",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("at", UtcTime(), nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("payload_digest", sa.String(64), nullable=False),
        sa.Column("versions", sa.Text, nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    head = op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    op.bulk_insert(head, [{"id": 1, "seq": 0, "hash": GENESIS}])
    op.create_table(
        "reference_texts",
        sa.Column("content_hash", sa.String(64), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("ref_id", sa.String(64), nullable=False),
        sa.Column("version", sa.String(16), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
    )


def _append_only_sqlite() -> None:
    for table in APPEND_ONLY:
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: record a correction, "
                "never change or remove a row'); END"
            )
    # The chain's head only moves forward, one entry at a time.
    op.execute(
        "CREATE TRIGGER audit_head_forward BEFORE UPDATE ON audit_head "
        "WHEN NEW.seq <> OLD.seq + 1 OR NEW.id <> OLD.id "
        "BEGIN SELECT RAISE(ABORT, 'the audit head only moves to the next entry'); END"
    )
    op.execute(
        "CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_head "
        "BEGIN SELECT RAISE(ABORT, 'the audit head cannot be removed'); END"
    )


def _append_only_postgresql() -> None:
    op.execute(
        "CREATE FUNCTION ketamine_cds_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN RAISE EXCEPTION '% is append-only: record a correction, never change or remove "
        "a row', TG_TABLE_NAME; END $$"
    )
    op.execute(
        "CREATE FUNCTION ketamine_cds_head_forward() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN IF TG_OP <> 'UPDATE' OR NEW.seq <> OLD.seq + 1 OR NEW.id <> OLD.id THEN "
        "RAISE EXCEPTION 'the audit head only moves to the next entry'; END IF; "
        "RETURN NEW; END $$"
    )
    for table in APPEND_ONLY:
        op.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION ketamine_cds_append_only()"
        )
        op.execute(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION ketamine_cds_append_only()"
        )
    op.execute(
        "CREATE TRIGGER audit_head_forward BEFORE UPDATE OR DELETE ON audit_head "
        "FOR EACH ROW EXECUTE FUNCTION ketamine_cds_head_forward()"
    )


def upgrade() -> None:
    """Create the record's tables and refuse UPDATE and DELETE where rows are append-only."""
    _tables()
    if op.get_bind().dialect.name == "postgresql":
        _append_only_postgresql()
    else:
        _append_only_sqlite()


def downgrade() -> None:
    """The record is never dropped by a migration: a clinical record outlives its schema."""
    raise RuntimeError("the clinical record's first revision cannot be undone")
