"""How a patient is named on a page, and how demonstration data is marked.

The demonstration ward's patients carry identifiers the record marks as such
(``service.demo``); every page that names one says, in words, that it is demonstration data
and not a real patient.
"""

from __future__ import annotations

from dataclasses import dataclass

from ketamine_cds.service.demo import is_demonstration


@dataclass(frozen=True)
class PatientLabel:
    """A patient's identifier and whether it is demonstration data."""

    identifier: str
    demonstration: bool


def patient_label(identifier: str) -> PatientLabel:
    """The patient as a page names them."""
    return PatientLabel(identifier, is_demonstration(identifier))
