"""The new-episode assessment form read into a patient record (the patient file's model).

Each field is read by its kind: yes / no / not asked; a whole number; a number; text; one of a
list; findings ticked (or "none found"). An empty answer is left out, so the record says
"unknown" and the assessment names what is missing.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from ketamine_cds.domain.assessment.evidence import Indication
from ketamine_cds.domain.assessment.patient import PatientRecord
from ketamine_cds.domain.errors import UserInputError
from ketamine_cds.entrypoints.web.presenters.assessment_form import (
    NONE_FOUND,
    FormField,
    assessment_form,
    form_fields,
)
from ketamine_cds.entrypoints.web.views.forms import FormValues, many, one, read_number


def _answer(field: FormField, form: FormValues) -> Any:  # noqa: ANN401, PLR0911 - one JSON value per kind
    if field.kind == "multi":
        ticked = many(form, field.name)
        if NONE_FOUND in ticked:
            return []
        return ticked or None
    text = one(form, field.name)
    if text is None:
        return None
    if field.kind == "tri":
        return {"yes": True, "no": False}.get(text)
    if field.kind in {"int", "float"}:
        value = read_number(text, field.label.lower())
        if field.kind == "float" or value is None:
            return value
        if value != int(value):
            raise UserInputError(f"{field.label}: '{text[:20]}' is not a whole number")
        return int(value)
    if field.kind == "list":
        return [part.strip() for part in text.split(";") if part.strip()]
    return text


def _put(tree: dict[str, Any], path: str, value: Any) -> None:  # noqa: ANN401 - JSON values
    *parents, leaf = path.split(".")
    for part in parents:
        tree = tree.setdefault(part, {})
    tree[leaf] = value


def _labels(indications: tuple[Indication, ...]) -> dict[str, str]:
    return {f.name: f.label for f in form_fields(assessment_form(None, indications))}


def patient_record(form: FormValues, indications: tuple[Indication, ...]) -> PatientRecord:
    """The patient record the form describes, or one sentence naming the field that is wrong."""
    tree: dict[str, Any] = {}
    pseq: list[int | None] = []
    for field in form_fields(assessment_form(None, indications)):
        value = _answer(field, form)
        if field.name.startswith("questionnaires.pseq."):
            pseq.append(value)
        elif value is not None:
            _put(tree, field.name, value)
    if any(answer is not None for answer in pseq):
        _put(tree, "questionnaires.pseq.answers", pseq)
    if "id" not in tree or "weight" not in tree:
        raise UserInputError("give the patient's identifier and dosing weight")
    try:
        return PatientRecord.model_validate(tree)
    except ValidationError as error:
        first = error.errors()[0]
        path = ".".join(str(p) for p in first["loc"])
        label = _labels(indications).get(path, path.replace("_", " "))
        message = str(first["msg"]).removeprefix("Value error, ")
        raise UserInputError(f"{label}: {message}") from None


def record_from_json(text: str | None) -> PatientRecord:
    """The record carried from the previous step, or one sentence asking to start again."""
    if not text:
        raise UserInputError("the assessment was not carried over; start the new episode again")
    try:
        return PatientRecord.model_validate_json(text)
    except ValidationError:
        raise UserInputError(
            "the assessment carried over does not read; start the new episode again"
        ) from None
