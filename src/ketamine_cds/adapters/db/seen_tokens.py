"""CDS Hooks token ids already used, kept in the record's database for every worker."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, delete
from sqlalchemy.dialects import postgresql, sqlite

from ketamine_cds.adapters.db import tables as t
from ketamine_cds.adapters.db.engine import writing


class SqlSeenTokens:
    """``SeenTokens`` on the record's database: a token replayed to another worker is known."""

    def __init__(self, engine: Engine, leeway: timedelta) -> None:
        self._engine = engine
        self._leeway = leeway

    def first_use(self, issuer: str, jti: str, expires: float) -> bool:
        """Keep (issuer, jti) until ``expires``; False when it is kept already."""
        key = hashlib.sha256(f"{issuer}\0{jti}".encode()).hexdigest()
        until = datetime.fromtimestamp(expires, UTC) + self._leeway
        dialect = postgresql if self._engine.dialect.name == "postgresql" else sqlite
        add = dialect.insert(t.seen_tokens).values(digest=key, expires_at=until)
        with self._engine.connect() as connection:
            writing(connection)
            with connection.begin():
                gone = t.seen_tokens.c.expires_at < datetime.now(UTC)
                connection.execute(delete(t.seen_tokens).where(gone))
                # A row comes back only when it was added (the driver's row count may be unknown).
                added = connection.execute(
                    add.on_conflict_do_nothing().returning(t.seen_tokens.c.digest)
                ).first()
        return added is not None
