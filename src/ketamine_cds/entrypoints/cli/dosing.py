"""Protocol listing, dose plans and dose checks (issue 2)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add the dosing commands to ``app``."""
    del app
