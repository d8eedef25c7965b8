"""CDS Hooks tokens already used, shared by every worker so a replayed token is refused.

Working state, not record: each row is the SHA-256 digest of an issuer and a token id, kept
until the token has expired (its expiry plus the clock leeway), then removed.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ketamine_cds.adapters.db.types import UtcTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the table of tokens already used."""
    op.create_table(
        "seen_tokens",
        sa.Column("digest", sa.String(64), primary_key=True),
        sa.Column("expires_at", UtcTime(), nullable=False),
    )
    op.create_index("ix_seen_tokens_expiry", "seen_tokens", ["expires_at"])


def downgrade() -> None:
    """Remove the table (a token seen before may then be accepted once more)."""
    op.drop_table("seen_tokens")
