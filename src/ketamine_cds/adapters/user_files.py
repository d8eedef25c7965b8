"""The files users hand the product, each read strictly into the domain's own values."""

from __future__ import annotations

from pathlib import Path

from ketamine_cds.adapters.episode_files import read_episode_file
from ketamine_cds.adapters.opioid_files import read_episode as read_opioid_episode
from ketamine_cds.adapters.opioid_files import read_regimen
from ketamine_cds.adapters.patient_files import read_patient_file
from ketamine_cds.adapters.protocol_files import read_protocol_file
from ketamine_cds.domain.assessment.patient import PatientRecord
from ketamine_cds.domain.episode import Episode
from ketamine_cds.domain.opioids.products import ProductTable
from ketamine_cds.domain.opioids.regimen import Episode as OpioidEpisode
from ketamine_cds.domain.opioids.regimen import RegimenReading
from ketamine_cds.domain.protocols.schema import Protocol


class UserFiles:
    """Episode, patient, regimen and protocol files, read through the one strict reader."""

    def episode(self, path: Path) -> Episode:
        """An episode file."""
        return read_episode_file(path)

    def patient(self, path: Path) -> PatientRecord:
        """A patient file."""
        return read_patient_file(path)

    def regimen(self, path: Path, products: ProductTable) -> RegimenReading:
        """A regimen file (YAML/JSON) or FHIR R4 JSON."""
        return read_regimen(path, products)

    def opioid_episode(self, path: Path) -> OpioidEpisode:
        """An opioid timeline file."""
        return read_opioid_episode(path)

    def protocol(self, path: Path) -> Protocol:
        """A protocol file, validated against the schema."""
        return read_protocol_file(path)
