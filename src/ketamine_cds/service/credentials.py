"""Passwords for people and bearer tokens for programs: set, issue, list, revoke.

A password is kept as an argon2id hash (argon2-cffi's defaults, RFC 9106's second recommended
profile); a token only as the SHA-256 of it, printed once when issued. A user manages their own;
an admin manages anyone's. Each change is an audit entry in the same transaction
(docs/adr/0091-passwords-tokens-and-sessions.md).
"""

from __future__ import annotations

import hashlib
import secrets
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from ketamine_cds.domain.errors import UserInputError
from ketamine_cds.domain.record import RecordNotFoundError, User
from ketamine_cds.domain.roles import Role
from ketamine_cds.service.access_ports import AccessDeps, AccessUnitOfWork, TokenRecord
from ketamine_cds.service.record_support import acting, audit

# NIST SP 800-63B-4, 3.1.1.2: at least 15 characters when a password is the only factor; no
# composition rules; long passphrases allowed.
MIN_PASSWORD = 15
MAX_PASSWORD = 256
MAX_LABEL = 100
TOKEN_PREFIX = "kcds_"  # noqa: S105 - a marker secret scanners know, not a secret


class AccessRefusedError(UserInputError):
    """The actor may not manage another user's credentials; the message names the role needed."""

    role_needed: tuple[Role, ...] = ("admin",)


@cache
def hasher() -> PasswordHasher:
    """The password hasher (argon2id, the library's recommended parameters)."""
    return PasswordHasher()


def token_hash(token: str) -> str:
    """The SHA-256 a token is kept as (a token is random, so no slow hash is needed)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def verify_password(stored: str, password: str) -> bool:
    """Whether ``password`` matches the stored argon2 hash."""
    try:
        return hasher().verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def check_password_rules(name: str, password: str) -> None:
    """Refuse, in one sentence, a password too short, too long, or holding the user's name."""
    if len(password) < MIN_PASSWORD:
        raise UserInputError(
            f"a password has at least {MIN_PASSWORD} characters (a passphrase of a few words "
            "is easiest); this one has fewer"
        )
    if len(password) > MAX_PASSWORD:
        raise UserInputError(f"a password has at most {MAX_PASSWORD} characters")
    if len(name) >= 3 and name.lower() in password.lower():
        raise UserInputError("a password may not contain the user's name")


def _manager(uow: AccessUnitOfWork, actor: str | None, name: str, what: str) -> User:
    """The acting user, if they may manage ``name``'s credentials (their own, or an admin)."""
    user = acting(uow, actor)
    if user.name != name and user.role != "admin":
        raise AccessRefusedError(
            f"{what} of another user needs the admin role; {user.name} is a {user.role}"
        )
    if uow.users.get(name) is None:
        raise RecordNotFoundError(f"there is no user '{name}' in the record")
    return user


def set_password(deps: AccessDeps, actor: str | None, name: str, password: str) -> None:
    """Set a user's password (their own, or anyone's for an admin)."""
    check_password_rules(name, password)
    hashed = hasher().hash(password)  # slow on purpose: outside the write transaction
    with deps.uow() as uow:
        user = _manager(uow, actor, name, "Setting the password")
        now = deps.clock.now()
        uow.access.add_password(name, hashed, now, user.name)
        content = {"user": name, "hash": hashed, "set_at": now, "set_by": user.name}
        audit(uow, user, "user.password", f"user/{name}/password", content, at=now)
        uow.commit()


def issue_token(
    deps: AccessDeps, actor: str | None, name: str, label: str
) -> tuple[str, TokenRecord]:
    """A new bearer token for a program acting as ``name``; the token is shown only now."""
    label = label.strip()
    if not 0 < len(label) <= MAX_LABEL:
        raise UserInputError(f"a token's label says what uses it, in 1 to {MAX_LABEL} characters")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with deps.uow() as uow:
        user = _manager(uow, actor, name, "Issuing a token")
        now = deps.clock.now()
        kept = uow.access.add_token(TokenRecord(0, name, token_hash(token), label, now, user.name))
        audit(uow, user, "token.issue", f"user/{name}/token/{kept.id}", kept.content(), at=now)
        uow.commit()
    return token, kept


def list_tokens(deps: AccessDeps, actor: str | None, name: str) -> list[TokenRecord]:
    """A user's tokens, revoked ones included (never the tokens themselves)."""
    with deps.uow(writing=False) as uow:
        _manager(uow, actor, name, "Listing the tokens")
        return uow.access.tokens(name)


def revoke_token(deps: AccessDeps, actor: str | None, token_id: int) -> TokenRecord:
    """Revoke a token: a program using it is refused from the next request on."""
    with deps.uow() as uow:
        kept = uow.access.token(token_id)
        if kept is None:
            raise RecordNotFoundError(f"there is no token {token_id} in the record")
        user = _manager(uow, actor, kept.user_name, "Revoking a token")
        if kept.revoked_at is not None:
            raise UserInputError(f"token {token_id} was already revoked")
        now = deps.clock.now()
        uow.access.revoke_token(token_id, now, user.name)
        subject = f"user/{kept.user_name}/token/{token_id}"
        audit(uow, user, "token.revoke", subject, {"id": token_id, "at": now}, at=now)
        uow.commit()
    return TokenRecord(**{**kept.__dict__, "revoked_at": now, "revoked_by": user.name})
