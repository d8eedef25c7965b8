"""The one place where settings are read and adapters are wired (see ``settings``)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from ketamine_cds.service import protocols
from ketamine_cds.settings import Settings, read_settings

# numba reads this when it is first imported; the simulator's kernels cache only if it is set
NUMBA_CACHE_DIR = "NUMBA_CACHE_DIR"


def bootstrap(environ: Mapping[str, str] | None = None) -> Settings:
    """Read settings from ``environ`` (the process environment by default) and wire adapters."""
    settings = read_settings(environ)
    protocols.configure(settings.protocol_dirs)
    configure_kernel_cache(settings.cache_dir)
    return settings


def configure_kernel_cache(folder: Path | None) -> None:
    """Cache compiled kernels in ``folder`` (never beside the installed package), or nowhere.

    Takes effect if numba has not been imported yet, which the command line ensures by
    importing the simulator only in the commands that use it.
    """
    if folder is None:
        os.environ.pop(NUMBA_CACHE_DIR, None)
    else:
        os.environ[NUMBA_CACHE_DIR] = str(folder / "numba")
