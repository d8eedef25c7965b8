"""The one place where settings are read and adapters are wired.

Settings (environment variables):

``KETAMINE_CDS_PROTOCOL_DIRS``
    Folders (separated by the system path separator) holding a hospital's own protocol files,
    loaded beside the shipped ones and validated against the same schema.
"""

from __future__ import annotations

import os
from pathlib import Path

from ketamine_cds.domain.errors import UserInputError
from ketamine_cds.service import protocols

PROTOCOL_DIRS = "KETAMINE_CDS_PROTOCOL_DIRS"


def bootstrap(environ: dict[str, str] | None = None) -> None:
    """Read settings from ``environ`` (the process environment by default) and wire adapters."""
    env = os.environ if environ is None else environ
    folders = tuple(Path(p) for p in env.get(PROTOCOL_DIRS, "").split(os.pathsep) if p)
    for folder in folders:
        if not folder.is_dir():
            raise UserInputError(f"{PROTOCOL_DIRS} names {folder}, which is not a folder")
    protocols.configure(folders)
