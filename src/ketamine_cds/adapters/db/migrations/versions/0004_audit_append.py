"""PostgreSQL appends a write's audit entries in one statement, holding the head row briefly.

Every write of the record locks the chain's head row until it commits, so the time it is held
is the time every other writer waits. Chained by the writer, the entries took three statements
under that lock, with the writer's process scheduled between each (under load, behind other
requests' computing). ``ketamine_cds_audit_append`` locks the head, makes each hash from the
entry's canonical text (``domain/audit.py`` ``chain_text``), inserts the entries and moves the
head one entry at a time, in one statement; the commit follows. SQLite has one writer at a time
and keeps chaining in the writer. The database must be UTF8: the entries' text reaches the
function as JSON, and its hash is over that text's UTF-8 bytes.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_FUNCTION = """
CREATE FUNCTION ketamine_cds_audit_append(entries jsonb) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    head_seq integer;
    head_hash text;
    entry jsonb;
    entry_hash text;
BEGIN
    SELECT seq, hash INTO head_seq, head_hash FROM audit_head WHERE id = 1 FOR UPDATE;
    FOR entry IN
        SELECT value FROM jsonb_array_elements(entries) WITH ORDINALITY ORDER BY ordinality
    LOOP
        entry_hash := encode(sha256(convert_to(
            (entry->>'head') || head_hash || (entry->>'middle') || (head_seq + 1)::text
            || (entry->>'tail'), 'UTF8')), 'hex');
        INSERT INTO audit_entries
            (seq, at, actor, role, action, subject, payload_digest, versions, prev_hash, hash)
        VALUES (
            head_seq + 1, (entry->>'at')::timestamptz, entry->>'actor', entry->>'role',
            entry->>'action', entry->>'subject', entry->>'payload_digest', entry->>'versions',
            head_hash, entry_hash
        );
        UPDATE audit_head SET seq = head_seq + 1, hash = entry_hash WHERE id = 1;
        head_seq := head_seq + 1;
        head_hash := entry_hash;
    END LOOP;
    RETURN head_seq;
END $$
"""


def upgrade() -> None:
    """Create the function on PostgreSQL (a UTF8 database: the hash is over UTF-8 text)."""
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    encoding = bind.exec_driver_sql("SHOW server_encoding").scalar_one()
    if encoding != "UTF8":
        raise RuntimeError(
            f"the record's PostgreSQL database is encoded {encoding}; the audit chain needs a "
            "UTF8 database (CREATE DATABASE ... ENCODING 'UTF8')"
        )
    op.execute(_FUNCTION)


def downgrade() -> None:
    """Remove the function: the writers then chain their entries themselves again."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION ketamine_cds_audit_append(jsonb)")
