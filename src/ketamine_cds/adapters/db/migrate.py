"""Create or migrate the record's database with the migrations shipped in the package."""

from __future__ import annotations

from importlib import resources

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from ketamine_cds.domain.errors import UserInputError

MIGRATIONS = "ketamine_cds.adapters.db.migrations"


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(resources.files(MIGRATIONS)))
    return config


def head_revision() -> str:
    """The newest revision this software knows."""
    head = ScriptDirectory.from_config(_config()).get_current_head()
    if head is None:
        raise RuntimeError("the package ships no migrations")
    return head


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at (None: not set up)."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine) -> tuple[str | None, str]:
    """Bring the database to the newest revision; returns (before, after)."""
    before = current_revision(engine)
    config = _config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    return before, head_revision()


def require_current(engine: Engine, url_text: str) -> None:
    """Refuse to use a database that is not at this software's revision, in one sentence."""
    current = current_revision(engine)
    if current != head_revision():
        state = "is not set up" if current is None else f"is at revision {current}"
        raise UserInputError(
            f"the record at {url_text} {state}; run 'ketamine-cds db upgrade' first"
        )
