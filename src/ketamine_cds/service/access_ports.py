"""What access to the record needs from the world: passwords, bearer tokens, login sessions.

The record's unit of work (``service.ports``) with one more repository, ``access``, on the same
transaction: a password set, a token issued or a login lands with its audit entry, or not at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from ketamine_cds.domain.record import User
from ketamine_cds.service.ports import Clock, UnitOfWork


@dataclass(frozen=True)
class TokenRecord:
    """A bearer token as kept: never the token itself, only the SHA-256 of it."""

    id: int
    user_name: str
    token_hash: str
    label: str
    created_at: datetime
    created_by: str
    revoked_at: datetime | None = None
    revoked_by: str | None = None

    def content(self) -> dict[str, object]:
        """What the token's audit digest covers."""
        return {
            "id": self.id,
            "user": self.user_name,
            "token_hash": self.token_hash,
            "label": self.label,
            "created_at": self.created_at,
            "created_by": self.created_by,
        }


@dataclass(frozen=True)
class SessionRecord:
    """A login session as kept: the SHA-256 of its id, whose it is, and how long it lasts."""

    id_hash: str
    user_name: str
    created_at: datetime
    expires_at: datetime
    ended_at: datetime | None = None

    def open_at(self, moment: datetime) -> bool:
        """Whether the session may still be used at ``moment``."""
        return self.ended_at is None and moment < self.expires_at


class AccessRepository(Protocol):
    """Passwords (the latest counts), tokens and their revocations, sessions."""

    def add_password(self, user_name: str, password_hash: str, at: datetime, by: str) -> None:
        """Store a new password hash for the user (earlier ones stay, unused)."""
        ...

    def password_hash(self, user_name: str) -> str | None:
        """The user's current password hash, if a password was ever set."""
        ...

    def add_token(self, token: TokenRecord) -> TokenRecord:
        """Store a new token (its ``id`` is assigned here)."""
        ...

    def token_and_user(self, token_hash: str) -> tuple[TokenRecord, User | None] | None:
        """The token with this hash and its user (None if not in the record), in one read."""
        ...

    def token(self, token_id: int) -> TokenRecord | None:
        """One token by id."""
        ...

    def tokens(self, user_name: str) -> list[TokenRecord]:
        """The user's tokens, oldest first."""
        ...

    def revoke_token(self, token_id: int, at: datetime, by: str) -> None:
        """Revoke a token (not yet revoked)."""
        ...

    def add_session(self, session: SessionRecord) -> None:
        """Store a new session."""
        ...

    def session(self, id_hash: str) -> SessionRecord | None:
        """The session with this id hash."""
        ...

    def end_session(self, id_hash: str, at: datetime) -> None:
        """End a session (a logout)."""
        ...

    def remove_sessions_expired_before(self, moment: datetime) -> int:
        """Remove sessions that expired before ``moment``; returns how many."""
        ...


class AccessUnitOfWork(UnitOfWork, Protocol):
    """The record's unit of work, with access to the record on the same transaction."""

    access: AccessRepository


class AccessUnitOfWorkFactory(Protocol):
    """Opens units of work that include the access repository."""

    def __call__(self, *, writing: bool = True, one_read: bool = False) -> AccessUnitOfWork:
        """A new unit of work; ``one_read``: it reads with one statement and writes nothing."""
        ...


@dataclass(frozen=True)
class AccessDeps:
    """What the access use cases are handed by bootstrap."""

    uow: AccessUnitOfWorkFactory
    clock: Clock
