"""Access to the record: passwords, bearer tokens and their revocations, login sessions.

Passwords, tokens and revocations are append-only like the clinical record (a new password is a
new row; a revoked token keeps its row and gains a revocation). Sessions are working state, not
record: a logout ends one and expired ones may be removed; each login and logout is an audit
entry.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ketamine_cds.adapters.db.types import UtcTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

APPEND_ONLY = ("passwords", "api_tokens", "token_revocations")


def _tables() -> None:
    op.create_table(
        "passwords",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("user_name", sa.String(64), sa.ForeignKey("users.name"), nullable=False),
        sa.Column("hash", sa.String(256), nullable=False),
        sa.Column("set_at", UtcTime(), nullable=False),
        sa.Column("set_by", sa.String(64), nullable=False),
    )
    op.create_index("ix_passwords_user", "passwords", ["user_name", "id"])
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("user_name", sa.String(64), sa.ForeignKey("users.name"), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("label", sa.String(100), nullable=False),
        sa.Column("created_at", UtcTime(), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
    )
    op.create_table(
        "token_revocations",
        sa.Column("token_id", sa.Integer, sa.ForeignKey("api_tokens.id"), primary_key=True),
        sa.Column("at", UtcTime(), nullable=False),
        sa.Column("by", sa.String(64), nullable=False),
    )
    op.create_table(
        "sessions",
        sa.Column("id_hash", sa.String(64), primary_key=True),
        sa.Column("user_name", sa.String(64), sa.ForeignKey("users.name"), nullable=False),
        sa.Column("created_at", UtcTime(), nullable=False),
        sa.Column("expires_at", UtcTime(), nullable=False),
        sa.Column("ended_at", UtcTime()),
    )


def upgrade() -> None:
    """Create the tables; refuse UPDATE and DELETE on the append-only ones."""
    _tables()
    postgresql = op.get_bind().dialect.name == "postgresql"
    for table in APPEND_ONLY:
        if postgresql:
            # ketamine_cds_append_only() is the first revision's trigger function.
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION ketamine_cds_append_only()"
            )
            op.execute(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION ketamine_cds_append_only()"
            )
            continue
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: add a row, never change "
                "or remove one'); END"
            )


def downgrade() -> None:
    """Remove access to the record (the clinical record itself is untouched)."""
    for table in ("sessions", "token_revocations", "api_tokens", "passwords"):
        op.drop_table(table)
