"""Alembic's environment: run the migrations on the connection the product hands over."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from ketamine_cds.adapters.db.tables import metadata


def _run(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=metadata, compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run the record's migrations with 'ketamine-cds db upgrade'")
_run(connection)
