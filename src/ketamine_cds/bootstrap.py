"""The one place where settings are read and adapters are wired (see ``settings``).

``build()`` reads the settings and returns the container every entry point hands to the use
cases: the protocol source (the shipped protocols and a hospital's folders, re-read when a file
changes), the product's reference tables and the readers of the files users hand the product.
``record_container(settings)`` adds the record: a unit of work on the database the settings name,
the protocol source and the clock. Nothing is built at import time.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ketamine_cds.settings import Settings, read_settings

if TYPE_CHECKING:  # the adapters are imported by the commands that use them
    from sqlalchemy import Engine

    from ketamine_cds.adapters.protocol_source import FileProtocolSource
    from ketamine_cds.adapters.reference_data import ShippedReferenceData
    from ketamine_cds.adapters.user_files import UserFiles
    from ketamine_cds.service.record_support import RecordDeps

# numba reads this when it is first imported; the simulator's kernels cache only if it is set
NUMBA_CACHE_DIR = "NUMBA_CACHE_DIR"


def bootstrap(environ: Mapping[str, str] | None = None) -> Settings:
    """Read and check the settings from ``environ`` and point the kernel cache where they say."""
    settings = read_settings(environ)
    configure_kernel_cache(settings.cache_dir)
    return settings


@dataclass(frozen=True)
class Container:
    """What the entry points hand to the use cases, built from settings."""

    settings: Settings
    protocols: FileProtocolSource
    reference: ShippedReferenceData
    files: UserFiles


def build(environ: Mapping[str, str] | None = None) -> Container:
    """The container for the settings in ``environ`` (the process environment by default)."""
    from ketamine_cds.adapters.protocol_source import FileProtocolSource  # noqa: PLC0415
    from ketamine_cds.adapters.reference_data import ShippedReferenceData  # noqa: PLC0415
    from ketamine_cds.adapters.user_files import UserFiles  # noqa: PLC0415

    settings = read_settings(environ)
    return Container(
        settings=settings,
        protocols=FileProtocolSource(settings.protocol_dirs),
        reference=ShippedReferenceData(),
        files=UserFiles(),
    )


def configure_kernel_cache(folder: Path | None) -> None:
    """Cache compiled kernels in ``folder`` (never beside the installed package), or nowhere.

    Takes effect if numba has not been imported yet, which the command line ensures by
    importing the simulator only in the commands that use it.
    """
    if folder is None:
        os.environ.pop(NUMBA_CACHE_DIR, None)
    else:
        os.environ[NUMBA_CACHE_DIR] = str(folder / "numba")


@dataclass(frozen=True)
class RecordContainer:
    """The record's adapters, built from settings."""

    settings: Settings
    engine: Engine
    deps: RecordDeps

    @property
    def url_shown(self) -> str:
        """The database URL as shown to users (no password)."""
        from sqlalchemy.engine import make_url  # noqa: PLC0415 - the record's stack, on use

        from ketamine_cds.adapters.db.engine import normalise_url  # noqa: PLC0415

        return make_url(normalise_url(self.settings.record_url)).render_as_string(
            hide_password=True
        )

    def require_current(self) -> None:
        """Refuse, in one sentence, a database not at this software's schema revision."""
        from ketamine_cds.adapters.db.migrate import require_current  # noqa: PLC0415

        require_current(self.engine, self.url_shown)


def record_container(settings: Settings) -> RecordContainer:
    """The record's unit of work, protocol source and clock for these settings."""
    # imported here, not above: the rest of the command line starts without the database stack
    from ketamine_cds.adapters.clock import SystemClock  # noqa: PLC0415
    from ketamine_cds.adapters.db.engine import make_engine  # noqa: PLC0415
    from ketamine_cds.adapters.db.uow import SqlUnitOfWorkFactory  # noqa: PLC0415
    from ketamine_cds.adapters.protocol_source import FileProtocolSource  # noqa: PLC0415
    from ketamine_cds.service.record_support import RecordDeps  # noqa: PLC0415

    engine = make_engine(settings.record_url)
    deps = RecordDeps(
        uow=SqlUnitOfWorkFactory(engine),
        protocols=FileProtocolSource(settings.protocol_dirs),
        clock=SystemClock(),
    )
    return RecordContainer(settings=settings, engine=engine, deps=deps)
