"""Commands of issue 4, registered on the main application."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add this module's commands to app (none yet)."""
    del app
