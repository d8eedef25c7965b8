"""The demonstration ward: marked in every patient identifier, so no page or answer hides it."""

from __future__ import annotations

DEMO_PREFIX = "DEMO-"


def is_demonstration(patient: str) -> bool:
    """Whether a patient identifier is the demonstration ward's (not a real patient)."""
    return patient.startswith(DEMO_PREFIX)
