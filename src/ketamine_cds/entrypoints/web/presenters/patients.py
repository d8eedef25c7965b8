"""How a patient is named on a page, and how demonstration data is marked.

The demonstration ward's patients carry identifiers that begin ``demo-``; every page that names
one says, in words, that it is demonstration data and not a real patient.
"""

from __future__ import annotations

from dataclasses import dataclass

DEMO_PREFIX = "demo-"
DEMO_WORDS = "Demonstration data, not a real patient"


@dataclass(frozen=True)
class PatientLabel:
    """A patient's identifier and whether it is demonstration data."""

    identifier: str
    demonstration: bool


def is_demonstration(identifier: str) -> bool:
    """Whether the identifier is one of the demonstration ward's."""
    return identifier.lower().startswith(DEMO_PREFIX)


def patient_label(identifier: str) -> PatientLabel:
    """The patient as a page names them."""
    return PatientLabel(identifier, is_demonstration(identifier))
