"""Settings, read once from the environment into a frozen value; nothing else reads it.

``KETAMINE_CDS_PROTOCOL_DIRS``
    Folders (separated by the system path separator) holding a hospital's own protocol files,
    loaded beside the shipped ones and validated against the same schema.
``KETAMINE_CDS_DATABASE_URL``
    The clinical record's database, as an SQLAlchemy URL. Default: a SQLite file in the data
    folder, so a newcomer needs nothing else; PostgreSQL in production.
``KETAMINE_CDS_DATA_DIR``
    Where the embedded defaults keep their files (the SQLite record). Default:
    ``~/.local/share/ketamine-cds``.
``KETAMINE_CDS_CACHE_DIR``
    Where compiled numeric kernels are cached; empty turns the cache off. Default:
    ``~/.cache/ketamine-cds``. Never inside the installed package, which may be read-only.
``KETAMINE_CDS_USER``
    The user the command line acts as, when ``--as`` is not given.
``KETAMINE_CDS_PUBLIC_URL``
    The address the hospital reaches the product at (``https://ketamine.hospital.example``): the
    CDS services' own URL (a token's ``aud``) and the links on cards. Default: taken from each
    request.
``KETAMINE_CDS_CDS_HOOKS_ISSUERS``
    The EHRs whose CDS Hooks tokens are trusted: their ``iss`` values, separated by commas.
``KETAMINE_CDS_CDS_HOOKS_JWKS``
    Their public keys: a JWKS file, or an https URL serving one.
``KETAMINE_CDS_CDS_HOOKS_SANDBOX``
    ``1`` accepts CDS Hooks calls without a token, for a local sandbox only; off by default, and
    announced in the log when on.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ketamine_cds.domain.errors import UserInputError

PROTOCOL_DIRS = "KETAMINE_CDS_PROTOCOL_DIRS"
DATABASE_URL = "KETAMINE_CDS_DATABASE_URL"
DATA_DIR = "KETAMINE_CDS_DATA_DIR"
CACHE_DIR = "KETAMINE_CDS_CACHE_DIR"
USER = "KETAMINE_CDS_USER"
PUBLIC_URL = "KETAMINE_CDS_PUBLIC_URL"
CDS_HOOKS_ISSUERS = "KETAMINE_CDS_CDS_HOOKS_ISSUERS"
CDS_HOOKS_JWKS = "KETAMINE_CDS_CDS_HOOKS_JWKS"
CDS_HOOKS_SANDBOX = "KETAMINE_CDS_CDS_HOOKS_SANDBOX"


@dataclass(frozen=True)
class Settings:
    """Everything the product reads from its environment."""

    protocol_dirs: tuple[Path, ...] = ()
    database_url: str | None = None
    data_dir: Path | None = None
    cache_dir: Path | None = None
    user: str | None = None
    public_url: str | None = None
    cds_hooks_issuers: tuple[str, ...] = ()
    cds_hooks_jwks: str | None = None
    cds_hooks_sandbox: bool = False

    @property
    def record_url(self) -> str:
        """The database URL, defaulting to a SQLite file in the data folder."""
        if self.database_url:
            return self.database_url
        folder = self.data_dir or Path.home() / ".local" / "share" / "ketamine-cds"
        return f"sqlite:///{folder / 'record.sqlite3'}"


def read_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Read settings from ``environ`` (the process environment by default)."""
    env = os.environ if environ is None else environ
    folders = tuple(Path(p) for p in env.get(PROTOCOL_DIRS, "").split(os.pathsep) if p)
    for folder in folders:
        if not folder.is_dir():
            raise UserInputError(f"{PROTOCOL_DIRS} names {folder}, which is not a folder")
    cache_text = env.get(CACHE_DIR)
    if cache_text is None:
        cache: Path | None = Path.home() / ".cache" / "ketamine-cds"
    else:
        cache = Path(cache_text) if cache_text else None
    data_text = env.get(DATA_DIR)
    sandbox = env.get(CDS_HOOKS_SANDBOX, "0").strip()
    if sandbox not in {"0", "1", ""}:
        raise UserInputError(f"{CDS_HOOKS_SANDBOX} is '{sandbox}'; give 1 (on) or 0 (off)")
    return Settings(
        protocol_dirs=folders,
        database_url=env.get(DATABASE_URL) or None,
        data_dir=Path(data_text) if data_text else None,
        cache_dir=cache,
        user=env.get(USER) or None,
        public_url=env.get(PUBLIC_URL) or None,
        cds_hooks_issuers=tuple(
            i.strip() for i in env.get(CDS_HOOKS_ISSUERS, "").split(",") if i.strip()
        ),
        cds_hooks_jwks=env.get(CDS_HOOKS_JWKS) or None,
        cds_hooks_sandbox=sandbox == "1",
    )
