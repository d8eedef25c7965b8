"""The one place where settings are read and adapters are wired (see ``settings``)."""

from __future__ import annotations

from collections.abc import Mapping

from ketamine_cds.service import protocols
from ketamine_cds.settings import Settings, read_settings


def bootstrap(environ: Mapping[str, str] | None = None) -> Settings:
    """Read settings from ``environ`` (the process environment by default) and wire adapters."""
    settings = read_settings(environ)
    protocols.configure(settings.protocol_dirs)
    return settings
