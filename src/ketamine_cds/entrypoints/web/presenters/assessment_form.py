"""The new-episode assessment form, laid out from the patient record's own model.

Every field of the patient record (``domain/assessment/patient.py``) that a clinician answers
at the bedside is a form field, named by its path (``psychiatric.active_psychosis``), so the form
and the file format cannot drift apart. A yes/no question has three answers: yes, no and *not
asked*, and *not asked* is the default: the assessment then says what is missing instead of
reading silence as "no". A list of findings has a "none found" choice, because "asked, none
found" and "not asked" are different answers.
"""

from __future__ import annotations

import types
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from ketamine_cds.domain.assessment.evidence import Indication
from ketamine_cds.domain.assessment.measures import BPI_INTERFERENCE_ITEMS, PSEQ_ITEMS
from ketamine_cds.domain.assessment.patient import PatientRecord
from ketamine_cds.domain.assessment.screening import LANSS_ITEMS

Kind = Literal["tri", "int", "float", "text", "select", "multi", "list"]
NONE_FOUND = "none-found"
# Record fields the form leaves out: the file's version, and tried adjuvants (a table of its
# own, entered as a patient file).
LEFT_OUT = frozenset({"format_version", "adjuvants.tried", "questionnaires.pseq"})
SECTIONS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("patient", "Patient", ("id", "weight", "age_years", "sex")),
    ("pain", "Pain", ("pain", "goal")),
    ("indication", "Indication and evidence", ("indication",)),
    ("opioids", "Opioids and adjuvants", ("opioids", "adjuvants")),
    (
        "contraindications",
        "Contraindications and cautions",
        (
            "psychiatric",
            "cardiovascular",
            "neurological",
            "organ_function",
            "pregnancy",
            "substance_use",
            "harm_factors",
        ),
    ),
    ("setting", "Setting and plan", ("setting", "comprehensive_assessment", "plan", "notes")),
    ("lanss", "LANSS pain scale", ("questionnaires.lanss",)),
    ("bpi", "Brief Pain Inventory", ("questionnaires.bpi",)),
    ("pseq", "Pain Self-Efficacy Questionnaire (PSEQ)", ()),
)
LABELS = {
    "id": "Patient identifier (hospital number)",
    "weight": "Dosing weight (e.g. 70 kg or 154 lb)",
    "age_years": "Age (years)",
    "goal.target_pain": "Target pain score (0-10, or a range such as 3-4)",
    "goal.function": "What the patient wants to be able to do",
    "indication": "Indication treated",
    "pain.population": "Cancer or non-cancer pain",
    "pain.types": "Kind of pain",
    "pain.baseline_score": "Usual pain (0-10)",
    "pain.worst_score": "Worst pain (0-10)",
    "pain.duration_months": "Duration (months)",
    "opioids.med_mg_per_day": "Opioid, oral morphine equivalent (mg/day)",
    "cardiovascular.blood_pressure": "Baseline blood pressure (e.g. 150/90)",
    "cardiovascular.heart_rate": "Baseline heart rate (/min)",
    "pregnancy": "Pregnancy",
    "harm_factors.factors": "Factors that might predispose to harm (separate with ;)",
    "opioids.side_effects": "Opioid side effects (separate with ;)",
    "notes": "Notes",
}
_LANSS = {f"questionnaires.lanss.{item.field}": item.label for item in LANSS_ITEMS}
_BPI = {
    "worst": "Pain at its worst in the last 24 h",
    "least": "Pain at its least in the last 24 h",
    "average": "Pain on average",
    "now": "Pain right now",
}
_BPI.update(
    {name: f"Interference with {name.replace('_', ' ')}" for name in BPI_INTERFERENCE_ITEMS}
)


@dataclass(frozen=True)
class FormField:
    """One question of the form, with its answer so far."""

    name: str
    label: str
    kind: Kind
    hint: str | None = None
    options: tuple[tuple[str, str], ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    value: str = ""
    values: tuple[str, ...] = ()
    required: bool = False

    @property
    def field_id(self) -> str:
        """The input's id."""
        return "f-" + self.name.replace(".", "-").replace("_", "-")


@dataclass(frozen=True)
class FormGroup:
    """A fieldset: one part of the record."""

    title: str
    fields: tuple[FormField, ...]


@dataclass(frozen=True)
class FormSection:
    """A section of the form (a heading and its fieldsets)."""

    id: str
    title: str
    groups: tuple[FormGroup, ...]


def _words(name: str) -> str:
    text = name.rsplit(".", 1)[-1].replace("_", " ")
    return text[:1].upper() + text[1:]


def _unwrap(annotation: Any) -> Any:  # noqa: ANN401 - a typing construct
    """The annotation without ``| None`` and without ``Annotated``."""
    if get_origin(annotation) in {Union, types.UnionType}:
        args = [a for a in get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            annotation = args[0]
    if get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    return annotation


def _bounds(info: FieldInfo) -> tuple[float | None, float | None]:
    low = high = None
    for item in info.metadata:
        low = getattr(item, "ge", low)
        high = getattr(item, "le", high)
    return low, high


def _choices(kind: Any) -> tuple[tuple[str, str], ...] | None:  # noqa: ANN401 - a typing construct
    if get_origin(kind) is Literal:
        return tuple((str(v), str(v).replace("_", " ")) for v in get_args(kind))
    if isinstance(kind, type) and issubclass(kind, StrEnum):
        return tuple((m.value, m.value.replace("_", " ")) for m in kind)
    return None


def _label(name: str, info: FieldInfo) -> tuple[str, str | None]:
    short = name.removeprefix("questionnaires.bpi.")
    label = (
        LABELS.get(name)
        or _LANSS.get(name)
        or (_BPI.get(short) if name.startswith("questionnaires.bpi.") else None)
    )
    if label is not None:
        return label, None
    hint = info.description
    if hint is not None and "[]" in hint:  # the file format's words; the form has "none found"
        hint = hint.split("; []")[0].split("[]")[0].rstrip(" ;,") or None
    return _words(name), hint


def _field(name: str, info: FieldInfo, answers: Mapping[str, Any]) -> FormField | None:  # noqa: PLR0911 - one answer per kind of field
    kind = _unwrap(info.annotation)
    label, hint = _label(name, info)
    given = answers.get(name)
    if kind is bool:
        value = "" if given is None else ("yes" if given else "no")
        return FormField(name, label, "tri", hint, value=value)
    if kind is int or kind is float:
        low, high = _bounds(info)
        text = "" if given is None else f"{given:g}"
        return FormField(
            name,
            label,
            "int" if kind is int else "float",
            hint,
            minimum=low,
            maximum=high,
            value=text,
        )
    if kind is str:
        return FormField(name, label, "text", hint, value=given or "", required=name == "weight")
    choices = _choices(kind)
    if choices is not None:
        return FormField(name, label, "select", hint, options=choices, value=given or "")
    if get_origin(kind) is list:
        item = get_args(kind)[0]
        listed = _choices(item)
        if listed is not None:
            chosen = (NONE_FOUND,) if given == [] else tuple(given or ())
            return FormField(
                name,
                label,
                "multi",
                hint,
                options=(*listed, (NONE_FOUND, "none found")),
                values=chosen,
            )
        if item is str:
            return FormField(name, label, "list", hint, value="; ".join(given or ()))
    return None


def _fields(prefix: str, model: type[BaseModel], answers: Mapping[str, Any]) -> list[FormField]:
    found = []
    for key, info in model.model_fields.items():
        name = f"{prefix}{key}"
        if name in LEFT_OUT:
            continue
        field = _field(name, info, answers)
        if field is not None:
            found.append(field)
    return found


def _model_at(path: str) -> tuple[type[BaseModel], FieldInfo] | None:
    model: type[BaseModel] = PatientRecord
    info: FieldInfo | None = None
    for part in path.split("."):
        info = model.model_fields[part]
        kind = _unwrap(info.annotation)
        if isinstance(kind, type) and issubclass(kind, BaseModel):
            model = kind
        else:
            return None
    assert info is not None  # noqa: S101 - a path has at least one part
    return model, info


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:  # noqa: ANN401 - JSON values
    """A record's JSON as ``path: value`` pairs (the form's names)."""
    if isinstance(value, Mapping):
        flat: dict[str, Any] = {}
        for key, item in value.items():
            flat.update(flatten(item, f"{prefix}{key}."))
        return flat
    return {prefix.removesuffix("."): value}


def _group(path: str, answers: Mapping[str, Any], indications: tuple[Indication, ...]) -> FormGroup:
    nested = _model_at(path)
    if nested is not None:
        return FormGroup(_words(path), tuple(_fields(f"{path}.", nested[0], answers)))
    info = PatientRecord.model_fields[path]
    if path == "indication":
        options = tuple((i.id, i.label) for i in indications)
        label, _ = _label(path, info)
        chosen = FormField(path, label, "select", options=options, value=answers.get(path) or "")
        return FormGroup("", (chosen,))
    field = _field(path, info, answers)
    return FormGroup("", () if field is None else (field,))


def pseq_fields(answers: Mapping[str, Any]) -> tuple[FormField, ...]:
    """The ten PSEQ items, 0 (not at all confident) to 6 (completely confident)."""
    given = answers.get("questionnaires.pseq.answers") or [None] * len(PSEQ_ITEMS)
    return tuple(
        FormField(
            f"questionnaires.pseq.{number}",
            f"{number}. {text}",
            "int",
            minimum=0,
            maximum=6,
            value="" if given[number - 1] is None else str(given[number - 1]),
        )
        for number, text in enumerate(PSEQ_ITEMS, start=1)
    )


def assessment_form(
    answers: Mapping[str, Any] | None, indications: tuple[Indication, ...]
) -> tuple[FormSection, ...]:
    """The form's sections, filled with ``answers`` (``path: value``) where given."""
    given = answers or {}
    sections = []
    for section_id, title, paths in SECTIONS:
        if section_id == "pseq":
            groups: tuple[FormGroup, ...] = (FormGroup("", pseq_fields(given)),)
        elif section_id == "patient":
            fields = [_field(p, PatientRecord.model_fields[p], given) for p in paths]
            groups = (FormGroup("", tuple(f for f in fields if f is not None)),)
        else:
            groups = tuple(_group(p, given, indications) for p in paths)
        sections.append(FormSection(section_id, title, groups))
    return tuple(sections)


def form_fields(sections: tuple[FormSection, ...]) -> list[FormField]:
    """Every field of the form, in order."""
    return [f for s in sections for g in s.groups for f in g.fields]
