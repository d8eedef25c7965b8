"""Fixtures shared by the assessment unit tests."""

from __future__ import annotations

import pytest

from ketamine_cds.adapters.patient_files import load_contraindication_table, load_evidence_table
from ketamine_cds.domain.assessment.contraindications import ContraindicationTable
from ketamine_cds.domain.assessment.evidence import EvidenceTable


@pytest.fixture
def table() -> ContraindicationTable:
    """The shipped contraindication table."""
    return load_contraindication_table()


@pytest.fixture
def evidence() -> EvidenceTable:
    """The shipped evidence table."""
    return load_evidence_table()
