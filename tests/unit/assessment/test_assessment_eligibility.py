"""Eligibility: findings decided from the record and combined by three-valued logic."""

from __future__ import annotations

from assessment_records import safe_record
from hypothesis import given
from hypothesis import strategies as st
from library import all_protocols, shipped

from ketamine_cds.domain.assessment.contraindications import (
    ContraindicationTable,
    check_contraindications,
)
from ketamine_cds.domain.assessment.eligibility import (
    DECIDED_FINDINGS,
    Status,
    combine_all_of,
    combine_any_of,
    evaluate_eligibility,
    evaluate_finding,
)
from ketamine_cds.domain.assessment.patient import PatientRecord
from ketamine_cds.domain.assessment.report import Verdict, assess_protocol
from ketamine_cds.domain.findings import Finding
from ketamine_cds.domain.protocols.schema import (
    EligibilityCriterion,
    EligibilityGroup,
    Source,
)

THREE = st.sampled_from([Status.MET, Status.NOT_MET, Status.UNKNOWN])
SOURCE = Source(document="seed 004", section="2. Patient selection")


def _criterion(cid: str, finding: Finding) -> EligibilityCriterion:
    return EligibilityCriterion(id=cid, text="A criterion.", source=SOURCE, finding=finding)


@given(st.lists(THREE, min_size=1, max_size=6))
def test_all_of_follows_three_valued_and(statuses: list[Status]) -> None:
    """all_of is not met if any member is not met, else unknown if any is unknown, else met."""
    result = combine_all_of(statuses)
    if Status.NOT_MET in statuses:
        assert result is Status.NOT_MET
    elif Status.UNKNOWN in statuses:
        assert result is Status.UNKNOWN
    else:
        assert result is Status.MET


@given(st.lists(THREE, min_size=1, max_size=6))
def test_any_of_follows_three_valued_or(statuses: list[Status]) -> None:
    """any_of is met if any member is met, else unknown if any is unknown, else not met."""
    result = combine_any_of(statuses)
    if Status.MET in statuses:
        assert result is Status.MET
    elif Status.UNKNOWN in statuses:
        assert result is Status.UNKNOWN
    else:
        assert result is Status.NOT_MET


def test_an_empty_record_meets_no_finding_and_names_what_is_missing() -> None:
    """Nothing is read as met from an empty record; each unknown names the fields it needs."""
    empty = PatientRecord()
    for finding in Finding:
        result = evaluate_finding(finding, empty)
        assert result.status is Status.UNKNOWN, finding
        assert result.missing, finding


def test_every_finding_of_the_vocabulary_has_a_decider() -> None:
    """Each finding a protocol file may name is decided from the record, not left to a default."""
    assert set(Finding) == DECIDED_FINDINGS


def test_an_empty_record_is_never_eligible_for_a_shipped_protocol(
    table: ContraindicationTable,
) -> None:
    """With nothing recorded, every shipped protocol says needs information, never eligible."""
    empty = PatientRecord()
    findings = check_contraindications(table, empty)
    protocols = all_protocols()
    assert protocols
    for protocol in protocols:
        verdict = assess_protocol(protocol, empty, findings)
        assert verdict.verdict is Verdict.NEEDS_INFORMATION, protocol.id
        assert verdict.missing, protocol.id


def test_nested_groups_combine_and_flatten_their_criteria() -> None:
    """A nested any_of inside all_of is decided member by member, and each leaf is reported."""
    tree = EligibilityGroup(
        id="eligibility",
        text="Selection.",
        source=SOURCE,
        all_of=[
            _criterion("non-cancer", Finding.NON_CANCER_PAIN),
            EligibilityGroup(
                id="opioid-problem",
                text="Opioid problem.",
                source=SOURCE,
                any_of=[
                    _criterion("poor", Finding.POOR_OPIOID_RESPONSIVENESS),
                    _criterion("side-effects", Finding.SIGNIFICANT_OPIOID_SIDE_EFFECTS),
                ],
            ),
        ],
    )
    record = PatientRecord.model_validate(
        {"pain": {"population": "non_cancer"}, "opioids": {"significant_side_effects": True}}
    )
    result = evaluate_eligibility(tree, record)
    assert result.status is Status.MET
    assert [c.id for c in result.criteria] == ["non-cancer", "poor", "side-effects"]
    assert [c.status for c in result.criteria] == [Status.MET, Status.UNKNOWN, Status.MET]
    assert [g.id for g in result.groups] == ["opioid-problem", "eligibility"]


def test_unknown_member_of_all_of_gives_needs_information_naming_the_field(
    table: ContraindicationTable,
) -> None:
    """A criterion the record cannot decide makes the verdict needs information, naming it."""
    record = safe_record(pain={"population": "non_cancer"})
    protocol = shipped("noncancer-subcutaneous")
    result = assess_protocol(protocol, record, check_contraindications(table, record))
    assert result.verdict is Verdict.NEEDS_INFORMATION
    assert "pain.central_sensitisation" in result.missing


def test_no_criteria_stated_is_said_and_the_verdict_rests_on_contraindications(
    table: ContraindicationTable,
) -> None:
    """A protocol without eligibility reports no_criteria_stated; contraindications decide."""
    protocol = shipped("marshfield-inpatient").model_copy(update={"eligibility": None})
    record = safe_record(pain={"population": "cancer"})
    result = assess_protocol(protocol, record, check_contraindications(table, record))
    assert result.eligibility.status is Status.NO_CRITERIA_STATED
    assert [c.status for c in result.eligibility.criteria] == [Status.NO_CRITERIA_STATED]
    assert result.verdict is Verdict.ELIGIBLE
    pregnant = safe_record(pain={"population": "cancer"}, pregnancy="pregnant")
    blocked = assess_protocol(protocol, pregnant, check_contraindications(table, pregnant))
    assert blocked.verdict is Verdict.NOT_ELIGIBLE
    assert blocked.contraindicated == ("pregnancy",)


def test_population_mismatch_is_not_eligible(table: ContraindicationTable) -> None:
    """A cancer patient is not eligible for a protocol whose population is non-cancer."""
    record = safe_record(pain={"population": "cancer"})
    protocol = shipped("noncancer-subcutaneous")
    result = assess_protocol(protocol, record, check_contraindications(table, record))
    assert result.verdict is Verdict.NOT_ELIGIBLE
    assert result.population_status is Status.NOT_MET


def test_central_sensitisation_signs_without_judgement_stay_unknown() -> None:
    """Allodynia alone is mentioned but does not stand in for the clinician's judgement."""
    record = PatientRecord.model_validate({"pain": {"examination_signs": ["allodynia"]}})
    result = evaluate_finding(Finding.CENTRAL_SENSITISATION, record)
    assert result.status is Status.UNKNOWN
    assert "allodynia" in result.reason


def test_adjuvants_tried_count_as_considered() -> None:
    """A list of adjuvants tried meets 'adjuvants considered' even without the explicit flag."""
    record = PatientRecord.model_validate(
        {
            "adjuvants": {
                "tried": [
                    {"drug": "gabapentin", "drug_class": "gabapentinoid", "outcome": "ineffective"}
                ]
            }
        }
    )
    assert evaluate_finding(Finding.ADJUVANTS_CONSIDERED, record).status is Status.MET
