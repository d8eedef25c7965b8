"""Users of the record: an admin adds them, each with one role; the first user is an admin."""

from __future__ import annotations

import re

from ketamine_cds.domain.errors import UserInputError
from ketamine_cds.domain.record import User
from ketamine_cds.domain.roles import ROLES, Role
from ketamine_cds.service.record_support import RecordDeps, audit, authorised, refusals_kept

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
FIRST_USER = "(first user)"


def parse_role(text: str) -> Role:
    """A role from its name, or one sentence listing the roles."""
    for role in ROLES:
        if text.strip().lower() == role:
            return role
    raise UserInputError(f"'{text}' is not a role; roles are {', '.join(ROLES)}")


def add_user(deps: RecordDeps, actor: str | None, name: str, role: Role) -> User:
    """Add a user; only an admin may, but the first user of an empty record is an admin.

    That first admin is added by whoever sets the record up.
    """
    if not _NAME.match(name):
        raise UserInputError(
            f"'{name}' is not a user name: use letters, digits and . _ @ - (up to 64)"
        )
    with refusals_kept(deps, actor, "user.add", f"user/{name}", {"role": role}), deps.uow() as uow:
        now = deps.clock.now()
        if not uow.users.all():
            if role != "admin":
                raise UserInputError(
                    "the record has no users yet: the first user must be an admin "
                    f"('ketamine-cds user add {name} --role admin')"
                )
            author = User(FIRST_USER, "admin", now)
        else:
            author = authorised(uow, actor, "user.add")
        if uow.users.get(name) is not None:
            raise UserInputError(f"there is already a user '{name}'")
        user = User(name, role, now)
        uow.users.add(user)
        audit(uow, author, "user.add", f"user/{name}", user_content(user), at=now)
        uow.commit()
    return user


def user_content(user: User) -> dict[str, object]:
    """What a user's audit digest covers."""
    return {"name": user.name, "role": user.role, "created_at": user.created_at}


def list_users(deps: RecordDeps, actor: str | None) -> list[User]:
    """Every user, by name (an admin's view)."""
    with refusals_kept(deps, actor, "user.list", "user/*", {}), deps.uow(writing=False) as uow:
        authorised(uow, actor, "user.list")
        return uow.users.all()
