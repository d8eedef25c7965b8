"""Reads patient files (YAML or JSON) and the assessment's own data tables.

A patient file that does not match the published format (``schemas/patient.schema.json``) is
refused with one sentence naming the file, the place in it and what is wrong. The contraindication
and evidence tables ship with the product under ``ketamine_cds/data/assessment/``.

Run as a module to print the patient file's JSON Schema::

    python -m ketamine_cds.adapters.patient_files > schemas/patient.schema.json
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from ketamine_cds.adapters.protocol_files import describe_validation_error
from ketamine_cds.adapters.schema_export import print_schema, published_schema
from ketamine_cds.adapters.structured_text import parse_structured
from ketamine_cds.domain.assessment.contraindications import ContraindicationTable
from ketamine_cds.domain.assessment.evidence import EvidenceTable
from ketamine_cds.domain.assessment.patient import PatientRecord
from ketamine_cds.domain.errors import UserInputError

DATA_PACKAGE = "ketamine_cds"
DATA_FOLDER = ("data", "assessment")

T = TypeVar("T", bound=BaseModel)


def parse_patient_text(text: str, name: str, *, as_json: bool = False) -> PatientRecord:
    """Validate a patient record's text; ``name`` is how errors refer to the file."""
    data = parse_structured(text, name, as_json=as_json)
    if not isinstance(data, dict):
        raise UserInputError(f"{name} does not hold a patient record (expected a mapping of keys)")
    try:
        return PatientRecord.model_validate(data)
    except ValidationError as error:
        raise UserInputError(describe_validation_error(name, error)) from None


def read_patient_file(path: Path) -> PatientRecord:
    """Read and validate a patient file; ``.json`` is read as JSON, anything else as YAML."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise UserInputError(f"cannot read patient file {path}: {error.strerror}") from None
    return parse_patient_text(text, path.name, as_json=path.suffix.lower() == ".json")


def _data_table(file_name: str, model: type[T]) -> T:
    entry = resources.files(DATA_PACKAGE).joinpath(*DATA_FOLDER, file_name)
    data = yaml.safe_load(entry.read_text(encoding="utf-8"))
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
