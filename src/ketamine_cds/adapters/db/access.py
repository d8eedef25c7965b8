"""Passwords, bearer tokens and sessions over one SQLAlchemy connection (in one unit of work)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import Connection, Row, bindparam, delete, insert, select, update

from ketamine_cds.adapters.db import tables as t
from ketamine_cds.domain.record import User
from ketamine_cds.domain.roles import Role
from ketamine_cds.service.access_ports import SessionRecord, TokenRecord

_REVOKED = t.token_revocations
_TOKENS = select(
    t.api_tokens, _REVOKED.c.at.label("revoked_at"), _REVOKED.c.by.label("revoked_by")
).outerjoin(_REVOKED, _REVOKED.c.token_id == t.api_tokens.c.id)
# Every request a program makes looks its token up: built once, SQLAlchemy skips building and
# keying the statement each time.
_TOKEN_AND_USER = (
    _TOKENS.add_columns(
        t.users.c.role.label("user_role"), t.users.c.created_at.label("user_created_at")
    )
    .outerjoin(t.users, t.users.c.name == t.api_tokens.c.user_name)
    .where(t.api_tokens.c.token_hash == bindparam("token_hash"))
)


def _token(row: Row[Any]) -> TokenRecord:
    return TokenRecord(
        id=row.id,
        user_name=row.user_name,
        token_hash=row.token_hash,
        label=row.label,
        created_at=row.created_at,
        created_by=row.created_by,
        revoked_at=row.revoked_at,
        revoked_by=row.revoked_by,
    )


class SqlAccess:
    """The ``passwords``, ``api_tokens``, ``token_revocations`` and ``sessions`` tables."""

    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def add_password(self, user_name: str, password_hash: str, at: datetime, by: str) -> None:
        """Store a new password hash."""
        self._c.execute(
            insert(t.passwords).values(
                user_name=user_name, hash=password_hash, set_at=at, set_by=by
            )
        )

    def password_hash(self, user_name: str) -> str | None:
        """The latest password hash of the user."""
        row = self._c.execute(
            select(t.passwords.c.hash)
            .where(t.passwords.c.user_name == user_name)
            .order_by(t.passwords.c.id.desc())
            .limit(1)
        ).first()
        return None if row is None else str(row.hash)

    def add_token(self, token: TokenRecord) -> TokenRecord:
        """Store a new token and read back its id."""
        new_id = self._c.execute(
            insert(t.api_tokens)
            .values(
                user_name=token.user_name,
                token_hash=token.token_hash,
                label=token.label,
                created_at=token.created_at,
                created_by=token.created_by,
            )
            .returning(t.api_tokens.c.id)
        ).scalar_one()
        return TokenRecord(**{**token.__dict__, "id": new_id})

    def token_and_user(self, token_hash: str) -> tuple[TokenRecord, User | None] | None:
        """The token with this hash and its user (None if not in the record), in one read."""
        row = self._c.execute(_TOKEN_AND_USER, {"token_hash": token_hash}).first()
        if row is None:
            return None
        user = None
        if row.user_role is not None:
            user = User(row.user_name, cast("Role", row.user_role), row.user_created_at)
        return _token(row), user

    def token(self, token_id: int) -> TokenRecord | None:
        """One token by id."""
        row = self._c.execute(_TOKENS.where(t.api_tokens.c.id == token_id)).first()
        return None if row is None else _token(row)

    def tokens(self, user_name: str) -> list[TokenRecord]:
        """The user's tokens, oldest first."""
        rows = self._c.execute(
            _TOKENS.where(t.api_tokens.c.user_name == user_name).order_by(t.api_tokens.c.id)
        )
        return [_token(r) for r in rows]

    def revoke_token(self, token_id: int, at: datetime, by: str) -> None:
        """Record the token's revocation."""
        self._c.execute(insert(t.token_revocations).values(token_id=token_id, at=at, by=by))

    def add_session(self, session: SessionRecord) -> None:
        """Store a new session."""
        self._c.execute(insert(t.sessions).values(**session.__dict__))

    def session(self, id_hash: str) -> SessionRecord | None:
        """The session with this id hash."""
        row = self._c.execute(select(t.sessions).where(t.sessions.c.id_hash == id_hash)).first()
        if row is None:
            return None
        return SessionRecord(
            row.id_hash, row.user_name, row.created_at, row.expires_at, row.ended_at
        )

    def end_session(self, id_hash: str, at: datetime) -> None:
        """Mark the session ended."""
        self._c.execute(
            update(t.sessions).where(t.sessions.c.id_hash == id_hash).values(ended_at=at)
        )

    def remove_sessions_expired_before(self, moment: datetime) -> int:
        """Remove long-expired sessions."""
        result = self._c.execute(delete(t.sessions).where(t.sessions.c.expires_at < moment))
        return int(result.rowcount)
