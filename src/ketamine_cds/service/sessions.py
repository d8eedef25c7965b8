"""Who is asking: a login with a password opens a session; a bearer token names a program's user.

A session's id is random and kept only as its SHA-256, so a copy of the database opens no
session; it lasts a fixed time (settings: a ward shift by default) and a logout ends it. Every
login, refused login of a known user, and logout is an audit entry.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from functools import cache

from ketamine_cds.domain.errors import UserInputError
from ketamine_cds.domain.record import User
from ketamine_cds.service.access_ports import AccessDeps, SessionRecord
from ketamine_cds.service.credentials import hasher, token_hash, verify_password
from ketamine_cds.service.record_support import audit

# Expired sessions are removed a day after they end, so a recent one can still be explained.
KEEP_EXPIRED = timedelta(days=1)
MAX_NAME = 64
MAX_PASSWORD_GIVEN = 1024


class NotAuthenticatedError(UserInputError):
    """No user could be established for the request: no, a wrong, or an ended credential."""


@dataclass(frozen=True)
class OpenedSession:
    """A new login: the session id to hand the browser (shown only now), and what is kept."""

    session_id: str
    record: SessionRecord
    user: User


def session_hash(session_id: str) -> str:
    """The SHA-256 a session id is kept as."""
    return hashlib.sha256(session_id.encode("utf-8")).hexdigest()


@cache
def _dummy_hash() -> str:
    # Checked against when the user is unknown, so both answers take the time of one check.
    return hasher().hash(secrets.token_urlsafe(16))


def log_in(deps: AccessDeps, name: str, password: str, lifetime: timedelta) -> OpenedSession:
    """Open a session for ``name`` if ``password`` is theirs; else one sentence, nothing more."""
    refused = NotAuthenticatedError("the user name or password is not right")
    if not name or len(name) > MAX_NAME or len(password) > MAX_PASSWORD_GIVEN:
        raise refused
    with deps.uow(writing=False) as uow:
        user = uow.users.get(name)
        stored = None if user is None else uow.access.password_hash(name)
    # The slow check runs outside any transaction: a login never holds the write lock for it.
    matches = verify_password(stored or _dummy_hash(), password) and stored is not None
    rehash = matches and stored is not None and hasher().check_needs_rehash(stored)
    fresh_hash = hasher().hash(password) if rehash else None
    session_id = secrets.token_urlsafe(32)
    with deps.uow() as uow:
        now = deps.clock.now()
        if user is None:
            raise refused
        if not matches:
            subject = f"user/{name}/session"
            audit(uow, user, "refused.session.login", subject, {"user": name, "at": now}, at=now)
            uow.commit()
            raise refused
        if fresh_hash is not None:
            uow.access.add_password(name, fresh_hash, now, name)
        record = SessionRecord(session_hash(session_id), name, now, now + lifetime)
        uow.access.remove_sessions_expired_before(now - KEEP_EXPIRED)
        uow.access.add_session(record)
        content = {"user": name, "id_hash": record.id_hash, "expires_at": record.expires_at}
        audit(uow, user, "session.login", f"user/{name}/session", content, at=now)
        uow.commit()
    return OpenedSession(session_id, record, user)


def session_user(deps: AccessDeps, session_id: str) -> tuple[User, SessionRecord]:
    """The user of an open session, or :class:`NotAuthenticatedError`."""
    with deps.uow(writing=False) as uow:
        record = uow.access.session(session_hash(session_id))
        if record is None or not record.open_at(deps.clock.now()):
            raise NotAuthenticatedError("the session has ended; log in again")
        user = uow.users.get(record.user_name)
    if user is None:
        raise NotAuthenticatedError("the session's user is not in the record")
    return user, record


def token_user(deps: AccessDeps, token: str) -> User:
    """The user a bearer token acts as, or :class:`NotAuthenticatedError`."""
    # Every request a program makes comes here first: the token, its revocation and its user
    # are one read.
    with deps.uow(writing=False, one_read=True) as uow:
        found = uow.access.token_and_user(token_hash(token))
    if found is None or found[0].revoked_at is not None:
        raise NotAuthenticatedError("the bearer token is not known, or was revoked")
    user = found[1]
    if user is None:
        raise NotAuthenticatedError("the bearer token's user is not in the record")
    return user


def log_out(deps: AccessDeps, session_id: str) -> None:
    """End the session (a second logout of the same session does nothing)."""
    with deps.uow() as uow:
        id_hash = session_hash(session_id)
        record = uow.access.session(id_hash)
        now = deps.clock.now()
        if record is None or not record.open_at(now):
            return
        user = uow.users.get(record.user_name)
        uow.access.end_session(id_hash, now)
        if user is not None:
            subject = f"user/{user.name}/session"
            audit(uow, user, "session.logout", subject, {"id_hash": id_hash, "at": now}, at=now)
        uow.commit()
