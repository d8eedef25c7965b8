"""The one place where settings are read and adapters are wired (see ``settings``).

``build()`` reads the settings and returns the container every entry point hands to the use
cases: the protocol source (the shipped protocols and a hospital's folders, re-read when a file
changes), the product's reference tables and the readers of the files users hand the product.
``record_container(settings)`` adds the record: a unit of work on the database the settings name,
the protocol source and the clock, and access to the record (passwords, tokens, sessions) on the
same units of work. ``ehr_container(record)`` adds the CDS Hooks service on that record (active
episodes, card feedback in the audit trail) and the authentication of its callers. Nothing is
built at import time.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from ketamine_cds.settings import Settings, read_settings

if TYPE_CHECKING:  # the adapters are imported by the commands that use them
    from sqlalchemy import Engine

    from ketamine_cds.adapters.cds_hooks.hooks import CdsHooksService
    from ketamine_cds.adapters.cds_hooks.security import Authenticator
    from ketamine_cds.adapters.protocol_source import FileProtocolSource
    from ketamine_cds.adapters.reference_data import ShippedReferenceData
    from ketamine_cds.adapters.user_files import UserFiles
    from ketamine_cds.service.access_ports import AccessDeps
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
    """What the entry points hand to the use cases, built from settings.

    The reference tables and the readers of users' files are built when first used: a dose
    plan needs neither, and importing them would double its start-up.
    """

    settings: Settings
    protocols: FileProtocolSource

    @cached_property
    def reference(self) -> ShippedReferenceData:
        """The product's reference tables (opioids, assessment, evidence)."""
        from ketamine_cds.adapters.reference_data import ShippedReferenceData  # noqa: PLC0415

        return ShippedReferenceData()

    @cached_property
    def files(self) -> UserFiles:
        """The readers of the files users hand the product."""
        from ketamine_cds.adapters.user_files import UserFiles  # noqa: PLC0415

        return UserFiles()


def build(environ: Mapping[str, str] | None = None) -> Container:
    """The container for the settings in ``environ`` (the process environment by default)."""
    from ketamine_cds.adapters.protocol_source import FileProtocolSource  # noqa: PLC0415

    settings = read_settings(environ)
    return Container(settings=settings, protocols=FileProtocolSource(settings.protocol_dirs))


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
    access: AccessDeps

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
    from ketamine_cds.service.access_ports import AccessDeps  # noqa: PLC0415
    from ketamine_cds.service.record_support import RecordDeps  # noqa: PLC0415

    engine = make_engine(settings.record_url)
    units = SqlUnitOfWorkFactory(engine)
    clock = SystemClock()
    deps = RecordDeps(uow=units, protocols=FileProtocolSource(settings.protocol_dirs), clock=clock)
    return RecordContainer(
        settings=settings, engine=engine, deps=deps, access=AccessDeps(uow=units, clock=clock)
    )


@dataclass(frozen=True)
class EhrContainer:
    """The CDS Hooks service on the record, and how its callers are authenticated."""

    cds_hooks: CdsHooksService
    # None: no trusted EHR is configured and sandbox mode is off, so hook calls are refused
    auth: Authenticator | None


def ehr_container(record: RecordContainer) -> EhrContainer:
    """The CDS Hooks service for this record and its settings."""
    import httpx  # noqa: PLC0415 - the EHR stack, imported by the server that uses it

    from ketamine_cds.adapters.cds_hooks.feedback import (  # noqa: PLC0415
        AuditTrailFeedbackLog,
        HttpFhirReader,
    )
    from ketamine_cds.adapters.cds_hooks.hooks import CdsHooksService  # noqa: PLC0415
    from ketamine_cds.adapters.cds_hooks.record_episodes import (  # noqa: PLC0415
        RecordActiveEpisodes,
    )
    from ketamine_cds.adapters.cds_hooks.security import (  # noqa: PLC0415
        LEEWAY_S,
        authenticator,
    )
    from ketamine_cds.adapters.db.seen_tokens import SqlSeenTokens  # noqa: PLC0415

    settings, deps = record.settings, record.deps
    service = CdsHooksService(
        protocols=deps.protocols,
        episodes=RecordActiveEpisodes(deps),
        feedback_log=AuditTrailFeedbackLog(deps.uow, deps.clock),
        clock=deps.clock,
        fhir=HttpFhirReader(httpx.Client()),
    )
    configured = bool(settings.cds_hooks_issuers and settings.cds_hooks_jwks)
    auth = (
        authenticator(
            sandbox=settings.cds_hooks_sandbox,
            issuers=settings.cds_hooks_issuers,
            jwks=settings.cds_hooks_jwks,
            seen=SqlSeenTokens(record.engine, timedelta(seconds=LEEWAY_S)),
        )
        if configured or settings.cds_hooks_sandbox
        else None
    )
    return EhrContainer(cds_hooks=service, auth=auth)


def check_ehr_settings(settings: Settings) -> None:
    """Refuse, in one sentence, a CDS Hooks key file the server's workers could not read."""
    jwks = settings.cds_hooks_jwks
    if jwks and "://" not in jwks and not settings.cds_hooks_sandbox:
        from ketamine_cds.adapters.cds_hooks.security import FileKeys  # noqa: PLC0415

        FileKeys.from_file(Path(jwks))
