"""The product's protocol source and reference tables, as the tests use them."""

from __future__ import annotations

from pathlib import Path

from ketamine_cds.adapters.protocol_source import FileProtocolSource
from ketamine_cds.adapters.reference_data import ShippedReferenceData
from ketamine_cds.adapters.user_files import UserFiles
from ketamine_cds.domain.opioids.calculator import MedResult
from ketamine_cds.domain.opioids.plan import Timeline
from ketamine_cds.domain.protocols.schema import Protocol
from ketamine_cds.service import opioids
from ketamine_cds.service.protocols import list_protocols

SOURCE = FileProtocolSource()
REF = ShippedReferenceData()
FILES = UserFiles()


def shipped(protocol_id: str) -> Protocol:
    """A shipped protocol by id."""
    return SOURCE.get(protocol_id).protocol


def all_protocols() -> list[Protocol]:
    """Every shipped protocol, by id."""
    return list_protocols(SOURCE)


def med_of_file(path: Path, table_id: str = opioids.DEFAULT_TABLE) -> MedResult:
    """The MED of a regimen file, read as the command line reads it."""
    return opioids.med_of_reading(REF, FILES.regimen(path, REF.opioid_products()), table_id)


def timeline_file(path: Path, table_id: str = opioids.DEFAULT_TABLE) -> Timeline:
    """The MED timeline of an opioid episode file."""
    return opioids.timeline_of(REF, FILES.opioid_episode(path), path.name, table_id)
