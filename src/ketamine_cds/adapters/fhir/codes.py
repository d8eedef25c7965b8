"""The code systems and codes the product reads and writes in FHIR R4, each checked at its source.

LOINC for observations (vital-signs panel codes as FHIR R4's vital-signs profile lists them, pain
severity 72514-3 and the older 38208-5), UCUM for every quantity, RxNorm for ketamine, SNOMED CT
for routes. The product's own systems (event types, the rule ids of a protocol, the episode's
identifiers) are URNs under ``urn:ketamine-cds:``, so nothing exported pretends to be a code of
a published terminology.
"""

from __future__ import annotations

from typing import Final

from ketamine_cds.domain.vocabulary import Route

LOINC: Final = "http://loinc.org"
UCUM: Final = "http://unitsofmeasure.org"
RXNORM: Final = "http://www.nlm.nih.gov/research/umls/rxnorm"
SNOMED: Final = "http://snomed.info/sct"
OBSERVATION_CATEGORY: Final = "http://terminology.hl7.org/CodeSystem/observation-category"
PROVENANCE_AGENT: Final = "http://terminology.hl7.org/CodeSystem/provenance-participant-type"

PRODUCT: Final = "urn:ketamine-cds"
EVENT_TYPE: Final = f"{PRODUCT}:event-type"
EVENT_ID: Final = f"{PRODUCT}:event-id"
EPISODE_PART: Final = f"{PRODUCT}:episode-part"
OBSERVATION: Final = f"{PRODUCT}:observation"
SYMPTOM: Final = f"{PRODUCT}:symptom"
RULE: Final = f"{PRODUCT}:rule"
ROLE: Final = f"{PRODUCT}:role"
ALERT: Final = f"{PRODUCT}:alert"
EVENT_EXTENSION: Final = f"{PRODUCT}:extension:event"
CORRECTS_EXTENSION: Final = f"{PRODUCT}:extension:corrects"
OVERRIDE_REASON: Final = f"{PRODUCT}:override-reason"

# LOINC codes: body weight, the vital signs of FHIR R4's vital-signs profile, pain severity.
BODY_WEIGHT: Final = "29463-7"
HEART_RATE: Final = "8867-4"
RESPIRATORY_RATE: Final = "9279-1"
BP_PANEL: Final = "85354-9"
SYSTOLIC: Final = "8480-6"
DIASTOLIC: Final = "8462-4"
SPO2: Final = "2708-6"
SPO2_PULSE_OXIMETRY: Final = "59408-5"
PAIN: Final = "72514-3"
PAIN_REPORTED: Final = "38208-5"
VITAL_SIGNS_PANEL: Final = "85353-1"

# Each vital sign the episode records: its field, LOINC code, display and UCUM unit.
VITALS: Final[dict[str, tuple[str, str, str]]] = {
    "heart_rate": (HEART_RATE, "Heart rate", "/min"),
    "respiratory_rate": (RESPIRATORY_RATE, "Respiratory rate", "/min"),
    "spo2": (SPO2, "Oxygen saturation in Arterial blood", "%"),
}
PAIN_CODES: Final = frozenset({PAIN, PAIN_REPORTED})
SPO2_CODES: Final = frozenset({SPO2, SPO2_PULSE_OXIMETRY})

# RxNorm: ketamine the ingredient (6130), and ketamine injectable products. The product codes
# are those openFDA's NDC directory attaches to ketamine hydrochloride injection labels (generic
# 238082, 238083, 238084; Ketalar 206967, 206970, 206972). Which strength each names is not
# relied on: the concentration is read from the order's own Medication, never from the code.
KETAMINE_INGREDIENT: Final = "6130"
KETAMINE_CODES: Final = frozenset(
    {KETAMINE_INGREDIENT, "238082", "238083", "238084", "206967", "206970", "206972"}
)

# SNOMED CT route codes (the FHIR R4 route-codes value set) for the routes the product knows.
ROUTES: Final[dict[str, Route]] = {
    "47625008": Route.IV,
    "34206005": Route.SC,
    "78421000": Route.IM,
    "26643006": Route.ORAL,
    "37839007": Route.SUBLINGUAL,
    "46713006": Route.INTRANASAL,
}
ROUTE_CODES: Final[dict[Route, tuple[str, str]]] = {
    Route.IV: ("47625008", "Intravenous route"),
    Route.SC: ("34206005", "Subcutaneous route"),
    Route.IM: ("78421000", "Intramuscular route"),
    Route.ORAL: ("26643006", "Oral route"),
    Route.SUBLINGUAL: ("37839007", "Sublingual route"),
    Route.INTRANASAL: ("46713006", "Nasal route"),
}

# UCUM codes of a rate or dose, as the product writes them.
UCUM_OF: Final[dict[str, str]] = {
    "mg/h": "mg/h",
    "mg/kg/h": "mg/kg/h",
    "mg": "mg",
    "mg/kg": "mg/kg",
    "µg/kg/h": "ug/kg/h",
    "µg/h": "ug/h",
    "mg/day": "mg/d",
    "mg/kg/day": "mg/kg/d",
    "µg": "ug",
}


def plan_definition_url(base: str, protocol_id: str) -> str:
    """The canonical URL of a protocol's PlanDefinition under ``base``."""
    return f"{base.rstrip('/')}/fhir/PlanDefinition/{protocol_id}"


def ucum(value: float, unit: str, code: str | None = None) -> dict[str, object]:
    """A FHIR Quantity in UCUM: ``unit`` as shown, ``code`` as UCUM writes it."""
    return {"value": value, "unit": unit, "system": UCUM, "code": code or UCUM_OF.get(unit, unit)}
