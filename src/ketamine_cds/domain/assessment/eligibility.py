"""Eligibility per protocol: each criterion met, not met or unknown, then combined.

A protocol file names, for each criterion, a :class:`~ketamine_cds.domain.findings.Finding`;
:func:`evaluate_finding` decides it from the patient record. A finding the record cannot decide is
``unknown`` and names the record fields that would decide it. Groups combine their members by
three-valued logic: ``all_of`` is not met if any member is not met, else unknown if any is unknown,
else met; ``any_of`` is met if any member is met, else unknown if any is unknown, else not met.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from ketamine_cds.domain.assessment.patient import ExaminationSign, PainType, PatientRecord
from ketamine_cds.domain.assessment.screening import NeuropathicScreen, screen_neuropathic
from ketamine_cds.domain.findings import Finding
from ketamine_cds.domain.protocols.schema import EligibilityCriterion, EligibilityGroup, Source


class Status(StrEnum):
    """The state of one criterion or group."""

    MET = "met"
    NOT_MET = "not_met"
    UNKNOWN = "unknown"
    NO_CRITERIA_STATED = "no_criteria_stated"


@dataclass(frozen=True)
class FindingResult:
    """A finding decided from the record, with the reason and what is missing if unknown."""

    finding: Finding
    status: Status
    reason: str
    missing: tuple[str, ...] = ()


def _flag(value: bool | None, field: str, yes: str, no: str) -> tuple[Status, str, tuple[str, ...]]:  # noqa: FBT001
    if value is None:
        return Status.UNKNOWN, f"not recorded ({field})", (field,)
    return (Status.MET, yes, ()) if value else (Status.NOT_MET, no, ())


def _adult(record: PatientRecord) -> tuple[Status, str, tuple[str, ...]]:
    if record.age_years is None:
        return Status.UNKNOWN, "age not recorded", ("age_years",)
    return Status.MET, f"age {record.age_years}", ()


def _population(wanted: str) -> Callable[[PatientRecord], tuple[Status, str, tuple[str, ...]]]:
    def decide(record: PatientRecord) -> tuple[Status, str, tuple[str, ...]]:
        population = record.pain.population
        if population is None:
            return Status.UNKNOWN, "cancer / non-cancer not recorded", ("pain.population",)
        label = population.replace("_", "-")
        return (Status.MET if population == wanted else Status.NOT_MET), f"{label} pain", ()

    return decide


def _adjuvants(record: PatientRecord) -> tuple[Status, str, tuple[str, ...]]:
    considered, tried = record.adjuvants.considered, record.adjuvants.tried
    if considered is not None:
        return _flag(considered, "adjuvants.considered", "adjuvants considered", "not considered")
    if tried:
        names = ", ".join(sorted({trial.drug_class.value for trial in tried}))
        return Status.MET, f"adjuvants tried: {names}", ()
    return (
        Status.UNKNOWN,
        "adjuvants neither listed nor marked considered",
        (
            "adjuvants.considered",
            "adjuvants.tried",
        ),
    )


def _neuropathic(record: PatientRecord) -> tuple[Status, str, tuple[str, ...]]:
    types = record.pain.types
    if types is not None and ({PainType.NEUROPATHIC, PainType.MIXED} & set(types)):
        return Status.MET, "pain type recorded as neuropathic or mixed", ()
    screen: NeuropathicScreen = screen_neuropathic(record)
    if screen.features_present:
        return Status.MET, f"neuropathic screen: {screen.summary}", ()
    if types is not None and screen.assessed:
        return (
            Status.NOT_MET,
            "pain type not neuropathic and screen without neuropathic features",
            (),
        )
    missing = tuple(
        field
        for field, value in (
            ("pain.types", types),
            ("pain.descriptors", record.pain.descriptors),
            ("pain.examination_signs", record.pain.examination_signs),
        )
        if value is None
    )
    return Status.UNKNOWN, "pain type and neuropathic screen incomplete", missing


def _central_sensitisation(record: PatientRecord) -> tuple[Status, str, tuple[str, ...]]:
    judged = record.pain.central_sensitisation
    if judged is not None:
        return _flag(
            judged,
            "pain.central_sensitisation",
            "clear clinical evidence of central sensitisation recorded",
            "no clear clinical evidence of central sensitisation",
        )
    signs = record.pain.examination_signs or []
    manifest = [
        s.value for s in signs if s in {ExaminationSign.ALLODYNIA, ExaminationSign.HYPERALGESIA}
    ]
    hint = (
        f"; the record shows {', '.join(manifest)} (seed 000: manifestations of central "
        "sensitisation), but no clinician judgement"
        if manifest
        else ""
    )
    return Status.UNKNOWN, f"not recorded{hint}", ("pain.central_sensitisation",)


def _syndrome(name: str) -> Callable[[PatientRecord], tuple[Status, str, tuple[str, ...]]]:
    def decide(record: PatientRecord) -> tuple[Status, str, tuple[str, ...]]:
        syndromes = record.pain.syndromes
        if syndromes is None:
            return Status.UNKNOWN, "syndromes not recorded", ("pain.syndromes",)
        present = name in {s.value for s in syndromes}
        return (
            (Status.MET, f"{name} recorded", ())
            if present
            else (
                Status.NOT_MET,
                f"{name} not among the recorded syndromes",
                (),
            )
        )

    return decide


def _comprehensive(record: PatientRecord) -> tuple[Status, str, tuple[str, ...]]:
    done = record.comprehensive_assessment.done
    if done is not None:
        return _flag(
            done, "comprehensive_assessment.done", "recorded as done", "recorded as not done"
        )
    assessment = record.comprehensive_assessment
    missing = tuple(
        f"comprehensive_assessment.{name}"
        for name in (
            "multidisciplinary_approaches_to_date",
            "expectancy",
            "clinician_goals",
            "indicators_of_success",
        )
        if getattr(assessment, name) is None
    )
    if record.harm_factors.assessed is None:
        missing = (*missing, "harm_factors.assessed")
    if record.questionnaires.bpi is None:
        missing = (*missing, "questionnaires.bpi")
    if record.questionnaires.pseq is None:
        missing = (*missing, "questionnaires.pseq")
    if not missing:
        return Status.MET, "each element of seed 004's assessment is recorded", ()
    return (
        Status.UNKNOWN,
        "assessment not marked done and elements missing",
        (
            "comprehensive_assessment.done",
            *missing,
        ),
    )


def _simple(
    getter: Callable[[PatientRecord], bool | None], field: str, yes: str, no: str
) -> Callable[[PatientRecord], tuple[Status, str, tuple[str, ...]]]:
    def decide(record: PatientRecord) -> tuple[Status, str, tuple[str, ...]]:
        return _flag(getter(record), field, yes, no)

    return decide


_DECIDERS: dict[Finding, Callable[[PatientRecord], tuple[Status, str, tuple[str, ...]]]] = {
    Finding.ADULT: _adult,
    Finding.CANCER_PAIN: _population("cancer"),
    Finding.NON_CANCER_PAIN: _population("non_cancer"),
    Finding.INPATIENT: _simple(
        lambda r: r.setting.inpatient, "setting.inpatient", "inpatient", "not an inpatient"
    ),
    Finding.ORDERED_BY_SPECIALIST_PAIN_SERVICE: _simple(
        lambda r: r.setting.ordered_by_specialist_pain_service,
        "setting.ordered_by_specialist_pain_service",
        "ordered by a specialist pain service",
        "not ordered by a specialist pain service",
    ),
    Finding.PAIN_REFRACTORY_TO_OPIOID_ESCALATION: _simple(
        lambda r: r.opioids.refractory_to_escalation,
        "opioids.refractory_to_escalation",
        "pain not controlled despite opioid escalation",
        "pain not refractory to opioid escalation",
    ),
    Finding.OPIOID_ESCALATION_LIMITED_BY_SIDE_EFFECTS: _simple(
        lambda r: r.opioids.escalation_limited_by_side_effects,
        "opioids.escalation_limited_by_side_effects",
        "opioid escalation limited by side effects",
        "opioid escalation not limited by side effects",
    ),
    Finding.ADJUVANTS_CONSIDERED: _adjuvants,
    Finding.NEUROPATHIC_PAIN: _neuropathic,
    Finding.CENTRAL_SENSITISATION: _central_sensitisation,
    Finding.POOR_OPIOID_RESPONSIVENESS: _simple(
        lambda r: r.opioids.poor_responsiveness,
        "opioids.poor_responsiveness",
        "opioid doses reflect poor responsiveness",
        "opioid responsiveness not poor",
    ),
    Finding.SIGNIFICANT_OPIOID_SIDE_EFFECTS: _simple(
        lambda r: r.opioids.significant_side_effects,
        "opioids.significant_side_effects",
        "clinically significant opioid side effects",
        "no clinically significant opioid side effects",
    ),
    Finding.OPIOID_DRUG_SEEKING: _simple(
        lambda r: r.opioids.drug_seeking,
        "opioids.drug_seeking",
        "opioid drug-seeking behaviour recorded",
        "no opioid drug-seeking behaviour",
    ),
    Finding.OPIOID_TOLERANCE: _simple(
        lambda r: r.opioids.tolerant, "opioids.tolerant", "opioid tolerant", "not opioid tolerant"
    ),
    Finding.OPIOIDS_CONVERTED_TO_ONE_SPECIES: _simple(
        lambda r: r.opioids.converted_to_one_species,
        "opioids.converted_to_one_species",
        "opioids converted to one species",
        "opioids not yet converted to one species",
    ),
    Finding.COMPREHENSIVE_ASSESSMENT_DONE: _comprehensive,
    Finding.COMPLEX_REGIONAL_PAIN_SYNDROME: _syndrome("complex_regional_pain_syndrome"),
    Finding.SPINAL_CORD_INJURY_PAIN: _syndrome("spinal_cord_injury_pain"),
    Finding.PERIOPERATIVE: _simple(
        lambda r: r.setting.perioperative,
        "setting.perioperative",
        "perioperative",
        "not perioperative",
    ),
    Finding.PROCEDURAL_PAIN: _simple(
        lambda r: r.setting.procedural,
        "setting.procedural",
        "procedural pain",
        "not procedural pain",
    ),
    Finding.ABLE_TO_TAKE_ORAL: _simple(
        lambda r: r.setting.able_to_take_oral,
        "setting.able_to_take_oral",
        "able to take oral medication",
        "not able to take oral medication",
    ),
}


DECIDED_FINDINGS: frozenset[Finding] = frozenset(_DECIDERS)


def evaluate_finding(finding: Finding, record: PatientRecord) -> FindingResult:
    """Decide one finding from the record: met, not met, or unknown naming what is missing."""
    decide = _DECIDERS.get(finding)
    if decide is None:
        # A finding added to the vocabulary before the assessment learns it stays unknown.
        return FindingResult(
            finding=finding,
            status=Status.UNKNOWN,
            reason=f"the assessment cannot yet decide '{finding.value}' from a patient record",
            missing=(f"finding:{finding.value}",),
        )
    status, reason, missing = decide(record)
    return FindingResult(finding=finding, status=status, reason=reason, missing=missing)


def combine_all_of(statuses: Sequence[Status]) -> Status:
    """All must hold: not met if any is not met, else unknown if any is unknown, else met."""
    if Status.NOT_MET in statuses:
        return Status.NOT_MET
    return Status.UNKNOWN if Status.UNKNOWN in statuses else Status.MET


def combine_any_of(statuses: Sequence[Status]) -> Status:
    """One must hold: met if any is met, else unknown if any is unknown, else not met."""
    if Status.MET in statuses:
        return Status.MET
    return Status.UNKNOWN if Status.UNKNOWN in statuses else Status.NOT_MET


@dataclass(frozen=True)
class CriterionResult:
    """One criterion of a protocol, decided for this patient."""

    id: str
    text: str
    source: Source | None
    status: Status
    reason: str
    finding: Finding | None = None
    missing: tuple[str, ...] = ()
    group_path: tuple[str, ...] = ()


@dataclass(frozen=True)
class GroupResult:
    """One group of criteria, combined."""

    id: str
    text: str
    combinator: str
    status: Status
    members: tuple[str, ...]


@dataclass(frozen=True)
class EligibilityResult:
    """The whole eligibility tree of one protocol decided for one patient."""

    status: Status
    criteria: tuple[CriterionResult, ...]
    groups: tuple[GroupResult, ...]

    @property
    def missing(self) -> tuple[str, ...]:
        """Every record field an unknown criterion needs, once each, in order."""
        seen: dict[str, None] = {}
        for criterion in self.criteria:
            if criterion.status is Status.UNKNOWN:
                seen.update(dict.fromkeys(criterion.missing))
        return tuple(seen)


def _walk(
    node: EligibilityCriterion | EligibilityGroup,
    record: PatientRecord,
    path: tuple[str, ...],
    criteria: list[CriterionResult],
    groups: list[GroupResult],
) -> Status:
    if isinstance(node, EligibilityCriterion):
        result = evaluate_finding(node.finding, record)
        criteria.append(
            CriterionResult(
                id=node.id,
                text=node.text,
                source=node.source,
                status=result.status,
                reason=result.reason,
                finding=node.finding,
                missing=result.missing,
                group_path=path,
            )
        )
        return result.status
    members = node.all_of if node.all_of is not None else node.any_of
    combinator = "all_of" if node.all_of is not None else "any_of"
    statuses = [_walk(m, record, (*path, node.id), criteria, groups) for m in members or ()]
    status = combine_all_of(statuses) if combinator == "all_of" else combine_any_of(statuses)
    groups.append(
        GroupResult(
            id=node.id,
            text=node.text,
            combinator=combinator,
            status=status,
            members=tuple(m.id for m in members or ()),
        )
    )
    return status


NO_CRITERIA_TEXT = (
    "The protocol's source states no eligibility criteria; the verdict rests on the product-wide "
    "contraindications only."
)


def evaluate_eligibility(root: EligibilityGroup | None, record: PatientRecord) -> EligibilityResult:
    """Decide a protocol's eligibility tree; ``None`` (no criteria stated) is said explicitly."""
    if root is None:
        return EligibilityResult(
            status=Status.NO_CRITERIA_STATED,
            criteria=(
                CriterionResult(
                    id="no_criteria_stated",
                    text=NO_CRITERIA_TEXT,
                    source=None,
                    status=Status.NO_CRITERIA_STATED,
                    reason="the protocol file declares eligibility: null",
                ),
            ),
            groups=(),
        )
    criteria: list[CriterionResult] = []
    groups: list[GroupResult] = []
    status = _walk(root, record, (), criteria, groups)
    return EligibilityResult(status=status, criteria=tuple(criteria), groups=tuple(groups))
