"""The product's shipped tables, read through the strict reader once per source.

They are part of the installed software (a new version ships new tables), so one source keeps
what it read; a hospital's own protocols, which can change while a server runs, are not here.
"""

from __future__ import annotations

from functools import cached_property

from ketamine_cds.adapters.opioid_files import (
    shipped_plausibility,
    shipped_products,
    shipped_tables,
)
from ketamine_cds.adapters.patient_files import load_contraindication_table, load_evidence_table
from ketamine_cds.domain.assessment.contraindications import ContraindicationTable
from ketamine_cds.domain.assessment.evidence import EvidenceTable
from ketamine_cds.domain.opioids.plausibility import PlausibilityTable
from ketamine_cds.domain.opioids.products import ProductTable
from ketamine_cds.domain.opioids.tables import EquivalenceTable


class ShippedReferenceData:
    """The cited tables of ``ketamine_cds.data``."""

    @cached_property
    def _tables(self) -> tuple[EquivalenceTable, ...]:
        return shipped_tables()

    @cached_property
    def _products(self) -> ProductTable:
        return shipped_products()

    @cached_property
    def _plausibility(self) -> PlausibilityTable:
        return shipped_plausibility()

    @cached_property
    def _contraindications(self) -> ContraindicationTable:
        return load_contraindication_table()

    @cached_property
    def _evidence(self) -> EvidenceTable:
        return load_evidence_table()

    def opioid_tables(self) -> tuple[EquivalenceTable, ...]:
        """The opioid equivalence tables."""
        return self._tables

    def opioid_products(self) -> ProductTable:
        """The RxNorm product table."""
        return self._products

    def opioid_plausibility(self) -> PlausibilityTable:
        """The opioid plausibility bounds."""
        return self._plausibility

    def contraindications(self) -> ContraindicationTable:
        """The contraindication table."""
        return self._contraindications

    def evidence(self) -> EvidenceTable:
        """The evidence table."""
        return self._evidence
