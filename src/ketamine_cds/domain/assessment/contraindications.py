"""Contraindications and cautions: cited data, decided against the patient record.

The table (``data/assessment/contraindications.yaml``) lists entries, each with a grade, the
condition it applies to, the text shown, and its sources. Where sources disagree the entry cites
both and its text says so; the product does not pick. The conditions themselves form a closed
vocabulary, decided here from the record as present, absent or unknown (naming what is missing).

Grades (see docs/adr/0021):

``contraindicated``
    a source says not to use ketamine, or lists the condition as a (relative) contraindication;
    present makes every protocol *not eligible*, unknown makes it *needs information*.
``caution``
    shown with the verdict; does not change it.
``note``
    context the team should see.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ketamine_cds.domain.assessment.citation import Citation
from ketamine_cds.domain.assessment.patient import PatientRecord, Route

BP_NOTIFY_SYSTOLIC = 160  # seed 001, "Ketamine Protocol Details": notify if BP > 160/100
BP_NOTIFY_DIASTOLIC = 100
HEART_RATE_LIMIT = 110  # seed 000, Table 1 (stop if P > 110); seed 001 (notify if HR > 110)


class Grade(StrEnum):
    """How much a finding weighs."""

    CONTRAINDICATED = "contraindicated"
    CAUTION = "caution"
    NOTE = "note"


class Condition(StrEnum):
    """Conditions a contraindication entry can apply to (a closed vocabulary)."""

    PSYCHOSIS_HISTORY = "psychosis_history"
    PERSONALITY_DISORDER = "personality_disorder"
    ACTIVE_PSYCHOSIS = "active_psychosis"
    HEPATIC_IMPAIRMENT_MILD_OR_MODERATE = "hepatic_impairment_mild_or_moderate"
    HEPATIC_IMPAIRMENT_SEVERE = "hepatic_impairment_severe"
    RENAL_IMPAIRMENT = "renal_impairment"
    TACHYARRHYTHMIA = "tachyarrhythmia"
    HYPERTENSION = "hypertension"
    BASELINE_BLOOD_PRESSURE_ABOVE_160_100 = "baseline_blood_pressure_above_160_100"
    BASELINE_HEART_RATE_ABOVE_110 = "baseline_heart_rate_above_110"
    POORLY_CONTROLLED_CARDIOVASCULAR_DISEASE = "poorly_controlled_cardiovascular_disease"
    RAISED_INTRACRANIAL_PRESSURE = "raised_intracranial_pressure"
    RAISED_INTRAOCULAR_PRESSURE = "raised_intraocular_pressure"
    PREGNANCY = "pregnancy"
    PRESERVED_KETAMINE_NEURAXIAL = "preserved_ketamine_neuraxial"
    PRESERVATIVE_FREE_KETAMINE_NEURAXIAL = "preservative_free_ketamine_neuraxial"
    ACTIVE_SUBSTANCE_MISUSE = "active_substance_misuse"
    PAST_SUBSTANCE_MISUSE = "past_substance_misuse"
    HARM_FACTORS_IDENTIFIED = "harm_factors_identified"
    HARM_FACTORS_NOT_ASSESSED = "harm_factors_not_assessed"
    SEIZURES = "seizures"
    CONCURRENT_OPIOIDS = "concurrent_opioids"


class ContraindicationEntry(BaseModel):
    """One graded, cited entry of the table."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    grade: Grade
    condition: Condition
    text: str = Field(min_length=1)
    sources: list[Citation] = Field(default_factory=list)
    sources_silent: bool = Field(
        default=False, description="True where no source of the product gives a rule."
    )

    @model_validator(mode="after")
    def _cited(self) -> ContraindicationEntry:
        if not self.sources and not self.sources_silent:
            raise ValueError(f"entry '{self.id}' has no source and is not marked sources_silent")
        return self


class ContraindicationTable(BaseModel):
    """The whole table, versioned."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str
    title: str
    references: dict[str, Citation] = Field(
        default_factory=dict, description="Named references cited by several entries."
    )
    entries: list[ContraindicationEntry]

    @model_validator(mode="after")
    def _unique(self) -> ContraindicationTable:
        ids = [entry.id for entry in self.entries]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"duplicate entry id(s): {', '.join(duplicates)}")
        return self


class Presence(StrEnum):
    """Whether a condition holds for this patient."""

    PRESENT = "present"
    ABSENT = "absent"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class ConditionResult:
    """A condition decided from the record."""

    presence: Presence
    detail: str
    missing: tuple[str, ...] = ()


def _flag(value: bool | None, field: str, detail: str) -> ConditionResult:  # noqa: FBT001 - the recorded answer is the subject, not a switch
    if value is None:
        return ConditionResult(Presence.UNKNOWN, f"not recorded ({field})", (field,))
    return ConditionResult(Presence.PRESENT if value else Presence.ABSENT, detail)


def _hepatic(levels: set[str]) -> Callable[[PatientRecord], ConditionResult]:
    def decide(record: PatientRecord) -> ConditionResult:
        hepatic = record.organ_function.hepatic
        if hepatic is None:
            return ConditionResult(
                Presence.UNKNOWN, "hepatic function not recorded", ("organ_function.hepatic",)
            )
        note = (
            f" ({record.organ_function.hepatic_note})" if record.organ_function.hepatic_note else ""
        )
        present = Presence.PRESENT if hepatic in levels else Presence.ABSENT
        return ConditionResult(present, f"hepatic impairment: {hepatic}{note}")

    return decide


def _renal(record: PatientRecord) -> ConditionResult:
    renal = record.organ_function.renal
    if renal is None:
        return ConditionResult(
            Presence.UNKNOWN, "renal function not recorded", ("organ_function.renal",)
        )
    note = f" ({record.organ_function.renal_note})" if record.organ_function.renal_note else ""
    present = Presence.ABSENT if renal == "none" else Presence.PRESENT
    return ConditionResult(present, f"renal impairment: {renal}{note}")


def _blood_pressure(record: PatientRecord) -> ConditionResult:
    pressure = record.cardiovascular.systolic_diastolic
    if pressure is None:
        return ConditionResult(
            Presence.UNKNOWN,
            "baseline blood pressure not recorded",
            ("cardiovascular.blood_pressure",),
        )
    systolic, diastolic = pressure
    above = systolic > BP_NOTIFY_SYSTOLIC or diastolic > BP_NOTIFY_DIASTOLIC
    return ConditionResult(
        Presence.PRESENT if above else Presence.ABSENT,
        f"baseline blood pressure {systolic}/{diastolic} mmHg",
    )


def _heart_rate(record: PatientRecord) -> ConditionResult:
    rate = record.cardiovascular.heart_rate
    if rate is None:
        return ConditionResult(
            Presence.UNKNOWN, "baseline heart rate not recorded", ("cardiovascular.heart_rate",)
        )
    return ConditionResult(
        Presence.PRESENT if rate > HEART_RATE_LIMIT else Presence.ABSENT,
        f"baseline heart rate {rate}/min",
    )


def _pregnancy(record: PatientRecord) -> ConditionResult:
    if record.pregnancy is None:
        if record.sex == "male":
            return ConditionResult(Presence.ABSENT, "male")
        return ConditionResult(Presence.UNKNOWN, "pregnancy status not recorded", ("pregnancy",))
    return ConditionResult(
        Presence.PRESENT if record.pregnancy == "pregnant" else Presence.ABSENT,
        record.pregnancy.replace("_", " "),
    )


def _neuraxial(preservative_free: bool) -> Callable[[PatientRecord], ConditionResult]:  # noqa: FBT001
    def decide(record: PatientRecord) -> ConditionResult:
        if record.plan.route is not Route.NEURAXIAL:
            return ConditionResult(Presence.ABSENT, "no neuraxial route planned")
        preparation = record.plan.preparation
        if preparation is None:
            return ConditionResult(
                Presence.UNKNOWN,
                "neuraxial route planned; preserved or preservative-free not recorded",
                ("plan.preparation",),
            )
        wanted = "preservative_free" if preservative_free else "preserved"
        return ConditionResult(
            Presence.PRESENT if preparation == wanted else Presence.ABSENT,
            f"neuraxial route planned with {preparation.replace('_', '-')} ketamine",
        )

    return decide


def _harm_factors(record: PatientRecord) -> ConditionResult:
    factors = record.harm_factors.factors
    if factors:
        return ConditionResult(Presence.PRESENT, "; ".join(factors))
    if record.harm_factors.assessed is None:
        return ConditionResult(
            Presence.UNKNOWN, "harm factors not assessed", ("harm_factors.assessed",)
        )
    return ConditionResult(Presence.ABSENT, "none identified")


def _harm_not_assessed(record: PatientRecord) -> ConditionResult:
    assessed = record.harm_factors.assessed is True or bool(record.harm_factors.factors)
    return ConditionResult(
        Presence.ABSENT if assessed else Presence.PRESENT,
        "harm factors assessed" if assessed else "no record that harm factors were looked for",
    )


def _opioids(record: PatientRecord) -> ConditionResult:
    med, regimen = record.opioids.med_mg_per_day, record.opioids.regimen
    if med is None and regimen is None:
        return ConditionResult(
            Presence.UNKNOWN, "current opioids not recorded", ("opioids.med_mg_per_day",)
        )
    on_opioids = (med is not None and med > 0) or (med is None and bool(regimen))
    detail = regimen or ""
    if med is not None:
        detail = f"{detail} (MED {med:g} mg/day)".strip()
    return ConditionResult(Presence.PRESENT if on_opioids else Presence.ABSENT, detail)


def _simple(
    getter: Callable[[PatientRecord], bool | None], field: str, detail: str
) -> Callable[[PatientRecord], ConditionResult]:
    def decide(record: PatientRecord) -> ConditionResult:
        return _flag(getter(record), field, detail)

    return decide


_CONDITIONS: dict[Condition, Callable[[PatientRecord], ConditionResult]] = {
    Condition.PSYCHOSIS_HISTORY: _simple(
        lambda r: r.psychiatric.psychosis_history,
        "psychiatric.psychosis_history",
        "history of psychosis",
    ),
    Condition.PERSONALITY_DISORDER: _simple(
        lambda r: r.psychiatric.personality_disorder,
        "psychiatric.personality_disorder",
        "personality disorder",
    ),
    Condition.ACTIVE_PSYCHOSIS: _simple(
        lambda r: r.psychiatric.active_psychosis, "psychiatric.active_psychosis", "active psychosis"
    ),
    Condition.HEPATIC_IMPAIRMENT_MILD_OR_MODERATE: _hepatic({"mild", "moderate"}),
    Condition.HEPATIC_IMPAIRMENT_SEVERE: _hepatic({"severe"}),
    Condition.RENAL_IMPAIRMENT: _renal,
    Condition.TACHYARRHYTHMIA: _simple(
        lambda r: r.cardiovascular.tachyarrhythmia,
        "cardiovascular.tachyarrhythmia",
        "tachyarrhythmia",
    ),
    Condition.HYPERTENSION: _simple(
        lambda r: r.cardiovascular.hypertension, "cardiovascular.hypertension", "hypertension"
    ),
    Condition.BASELINE_BLOOD_PRESSURE_ABOVE_160_100: _blood_pressure,
    Condition.BASELINE_HEART_RATE_ABOVE_110: _heart_rate,
    Condition.POORLY_CONTROLLED_CARDIOVASCULAR_DISEASE: _simple(
        lambda r: r.cardiovascular.poorly_controlled_disease,
        "cardiovascular.poorly_controlled_disease",
        "poorly controlled cardiovascular disease",
    ),
    Condition.RAISED_INTRACRANIAL_PRESSURE: _simple(
        lambda r: r.neurological.raised_intracranial_pressure,
        "neurological.raised_intracranial_pressure",
        "raised intracranial pressure",
    ),
    Condition.RAISED_INTRAOCULAR_PRESSURE: _simple(
        lambda r: r.neurological.raised_intraocular_pressure,
        "neurological.raised_intraocular_pressure",
        "raised intraocular pressure",
    ),
    Condition.PREGNANCY: _pregnancy,
    Condition.PRESERVED_KETAMINE_NEURAXIAL: _neuraxial(preservative_free=False),
    Condition.PRESERVATIVE_FREE_KETAMINE_NEURAXIAL: _neuraxial(preservative_free=True),
    Condition.ACTIVE_SUBSTANCE_MISUSE: _simple(
        lambda r: r.substance_use.active_misuse,
        "substance_use.active_misuse",
        "active substance misuse",
    ),
    Condition.PAST_SUBSTANCE_MISUSE: _simple(
        lambda r: r.substance_use.past_misuse,
        "substance_use.past_misuse",
        "past substance misuse",
    ),
    Condition.HARM_FACTORS_IDENTIFIED: _harm_factors,
    Condition.HARM_FACTORS_NOT_ASSESSED: _harm_not_assessed,
    Condition.SEIZURES: _simple(
        lambda r: r.neurological.seizures, "neurological.seizures", "seizures"
    ),
    Condition.CONCURRENT_OPIOIDS: _opioids,
}


def decide_condition(condition: Condition, record: PatientRecord) -> ConditionResult:
    """Decide one condition from the record."""
    return _CONDITIONS[condition](record)


@dataclass(frozen=True)
class ContraindicationFinding:
    """One table entry decided for this patient."""

    entry: ContraindicationEntry
    presence: Presence
    detail: str
    missing: tuple[str, ...]


def check_contraindications(
    table: ContraindicationTable, record: PatientRecord
) -> tuple[ContraindicationFinding, ...]:
    """Decide every entry of the table; callers pick the present and the unknown ones."""
    findings: list[ContraindicationFinding] = []
    for entry in table.entries:
        result = decide_condition(entry.condition, record)
        findings.append(
            ContraindicationFinding(
                entry=entry, presence=result.presence, detail=result.detail, missing=result.missing
            )
        )
    return tuple(findings)
