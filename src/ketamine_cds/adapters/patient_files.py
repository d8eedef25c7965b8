"""Reads patient files (YAML or JSON) and the assessment's own data tables.

A patient file that does not match the published format (``schemas/patient.schema.json``) is
refused with one sentence naming the file, the place in it and what is wrong. Files are read by
the one strict reader (:mod:`.documents`), and a recorded weight must lie in the product's adult
range (``data/limits.yaml``), the same range every command applies. The contraindication
and evidence tables ship with the product under ``ketamine_cds/data/assessment/``.

Run as a module to print the patient file's JSON Schema::

    python -m ketamine_cds.adapters.patient_files > schemas/patient.schema.json
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from ketamine_cds.adapters.data_files import limit_table
from ketamine_cds.adapters.documents import (
    is_json_path,
    parse_structured,
    read_bytes,
    read_shipped,
)
from ketamine_cds.adapters.protocol_files import describe_validation_error
from ketamine_cds.adapters.schema_export import print_schema, published_schema
from ketamine_cds.domain.assessment.contraindications import ContraindicationTable
from ketamine_cds.domain.assessment.evidence import EvidenceTable
from ketamine_cds.domain.assessment.patient import PatientRecord
from ketamine_cds.domain.errors import UserInputError

DATA_PACKAGE = "ketamine_cds"
DATA_FOLDER = ("data", "assessment")

T = TypeVar("T", bound=BaseModel)


def parse_patient_text(text: str | bytes, name: str, *, as_json: bool = False) -> PatientRecord:
    """Validate a patient record's text (best given as bytes); ``name`` names the file."""
    data = parse_structured(text, name, as_json=as_json)
    if not isinstance(data, dict):
        raise UserInputError(f"{name} does not hold a patient record (expected a mapping of keys)")
    try:
        record = PatientRecord.model_validate(data)
    except ValidationError as error:
        raise UserInputError(describe_validation_error(name, error)) from None
    weight = record.body_weight
    if weight is not None:
        try:
            limit_table().check_weight(weight)
        except UserInputError as error:
            raise UserInputError(f"{name}: {error} (at weight)") from None
    return record


def read_patient_file(path: Path) -> PatientRecord:
    """Read and validate a patient file; ``.json`` is read as JSON, anything else as YAML."""
    data = read_bytes(path, "patient file")
    return parse_patient_text(data, path.name, as_json=is_json_path(path))


def _data_table(file_name: str, model: type[T]) -> T:
    data = read_shipped(DATA_PACKAGE, *DATA_FOLDER, file_name)
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise UserInputError(describe_validation_error(file_name, error)) from None


@cache
def load_contraindication_table() -> ContraindicationTable:
    """The shipped table of graded, cited contraindications and cautions."""
    return _data_table("contraindications.yaml", ContraindicationTable)


@cache
def load_evidence_table() -> EvidenceTable:
    """Seed 003's evidence summary as shipped."""
    return _data_table("evidence.yaml", EvidenceTable)


def patient_json_schema() -> dict[str, Any]:
    """The JSON Schema of the patient file format."""
    return published_schema(PatientRecord, "patient")


def main() -> None:
    """Print the patient file's JSON Schema."""
    print_schema(PatientRecord, "patient")


if __name__ == "__main__":
    main()
