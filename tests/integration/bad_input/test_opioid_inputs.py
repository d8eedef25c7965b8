"""Bad and borderline input for ``med`` and ``opioid-plan``, run through the real command line.

Each case is a file (regimen YAML or JSON, a FHIR Bundle or single MedicationRequest, an episode
timeline) and the command's options, with the outcome it must have: refused with one sentence on
stderr and exit 2, or accepted (exit 0, or 3 when the total is incomplete) with the named
warning or figure in the output. No case may end in a traceback.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from ketamine_cds.entrypoints.cli.app import app
from ketamine_cds.entrypoints.cli.common import EXIT_USER_ERROR

RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
SNOMED = "http://snomed.info/sct"
NAN = float("nan")
INF = float("inf")
runner = CliRunner()


@dataclass(frozen=True)
class Case:
    """One input, the command it goes to, and the outcome it must have."""

    id: str
    content: str | bytes | None
    expect: str
    code: int = 2
    command: tuple[str, ...] = ("med",)
    options: tuple[str, ...] = ()
    suffix: str = ".yaml"
    json_checks: dict[str, Any] = field(default_factory=dict)


# -- builders ------------------------------------------------------------------------------------


def oral(drug: str = "oxycodone", dose: str = "10 mg", **extra: Any) -> dict[str, Any]:
    """A regimen line by mouth, twice a day unless said otherwise."""
    item = {"drug": drug, "route": "oral", "dose": dose, "doses_per_day": 2}
    item.update(extra)
    return {k: v for k, v in item.items() if v is not None}


def patch(rate: str = "25 µg/h", **extra: Any) -> dict[str, Any]:
    """A fentanyl patch line."""
    return {"drug": "fentanyl", "route": "transdermal", "patch": rate, **extra}


def regimen_yaml(*items: dict[str, Any]) -> str:
    """A regimen file in YAML (NaN and infinity are written as YAML's .nan and .inf)."""
    return yaml.safe_dump({"items": list(items)}, allow_unicode=True, sort_keys=False)


def regimen_json(*items: dict[str, Any]) -> str:
    """A regimen file in JSON (NaN and Infinity as Python's json writes them)."""
    return json.dumps({"items": list(items)}, ensure_ascii=False)


def dosage(
    *,
    dose: dict[str, Any] | None = None,
    rate: dict[str, Any] | None = None,
    timing: dict[str, Any] | None = None,
    route: str | None = "26643006",
    **extra: Any,
) -> dict[str, Any]:
    """A dosageInstruction: by default 10 mg every 4 h by mouth."""
    result: dict[str, Any] = {}
    result["timing"] = (
        timing
        if timing is not None
        else {"repeat": {"frequency": 1, "period": 4, "periodUnit": "h"}}
    )
    if route is not None:
        result["route"] = {"coding": [{"system": SNOMED, "code": route}]}
    dose_and_rate: dict[str, Any] = {}
    if dose is not None:
        dose_and_rate["doseQuantity"] = dose
    if rate is not None:
        dose_and_rate["rateQuantity"] = rate
    if dose is None and rate is None:
        dose_and_rate["doseQuantity"] = {"value": 10, "code": "mg"}
    result["doseAndRate"] = [dose_and_rate]
    result.update(extra)
    return result


def request(
    rid: str = "r1",
    *,
    code: str = "7052",
    status: str = "active",
    intent: str = "order",
    dosages: list[dict[str, Any]] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """A MedicationRequest: by default morphine 10 mg by mouth every 4 h (60 mg/day)."""
    resource: dict[str, Any] = {
        "resourceType": "MedicationRequest",
        "id": rid,
        "status": status,
        "intent": intent,
        "subject": {"reference": "Patient/p"},
        "medicationCodeableConcept": {"coding": [{"system": RXNORM, "code": code}]},
        "dosageInstruction": dosages if dosages is not None else [dosage()],
    }
    resource.update(extra)
    return {k: v for k, v in resource.items() if v is not None}


def contained_patch(numerator: dict[str, Any], denominator: dict[str, Any]) -> dict[str, Any]:
    """A fentanyl patch order whose strength is in a contained Medication."""
    return request(
        "patch",
        code="4337",
        medicationCodeableConcept=None,
        medicationReference={"reference": "#m"},
        contained=[
            {
                "resourceType": "Medication",
                "id": "m",
                "code": {"coding": [{"system": RXNORM, "code": "4337"}]},
                "ingredient": [
                    {
                        "itemCodeableConcept": {"coding": [{"system": RXNORM, "code": "4337"}]},
                        "strength": {"numerator": numerator, "denominator": denominator},
                    }
                ],
            }
        ],
        dosages=[
            dosage(
                dose={"value": 1, "code": "{patch}"},
                route="45890007",
                timing={"repeat": {"frequency": 1, "period": 3, "periodUnit": "d"}},
            )
        ],
    )


def patch_order(
    count: float, timing: dict[str, Any], code: str = "245134", **rate: Any
) -> dict[str, Any]:
    """Fentanyl patches worn at once, by default of the RxNorm 25 µg/h 72-hour product."""
    dose = {"value": count, "code": "{patch}"}
    return request(code=code, dosages=[dosage(dose=dose, route="45890007", timing=timing, **rate)])


def bundle(*resources: dict[str, Any] | None, kind: str = "collection") -> dict[str, Any]:
    """A Bundle of the resources (None: an entry without a resource)."""
    entries = [
        {"resource": r} if r is not None else {"fullUrl": "urn:uuid:empty"} for r in resources
    ]
    return {"resourceType": "Bundle", "type": kind, "entry": entries}


def fhir(data: object) -> str:
    """FHIR JSON text."""
    return json.dumps(data, ensure_ascii=False)


def timeline(*points: dict[str, Any]) -> str:
    """An episode timeline in YAML."""
    return yaml.safe_dump({"points": list(points)}, allow_unicode=True, sort_keys=False)


def recorded(day: float, med: float, **extra: Any) -> dict[str, Any]:
    """A MED recorded elsewhere, with its source."""
    return {"day": day, "recorded_med_mg": med, "source": "chart", **extra}


IV_MORPHINE = {"drug": "morphine", "route": "iv", "dose": "2 mg", "every_hours": 4}
ORAL_MORPHINE = {"drug": "morphine", "route": "oral", "dose": "10 mg", "every_hours": 4}
PHASE2 = regimen_yaml(patch("50 µg/h"), oral(dose="60 mg"))  # 120 + 180 = 300 mg/day

# -- regimen files -------------------------------------------------------------------------------

REGIMEN_CASES = [
    Case(
        "patch-25-mg-per-h",
        regimen_yaml(patch("25 mg/h")),
        "if it was entered in µg/h it is 25 µg/h = 60 mg/day oral morphine equivalent (cdc-2022)",
    ),
    Case(
        "patch-25-mg-per-hr-anzca",
        regimen_yaml(patch("25 mg/hr")),
        "25 µg/h = 75 mg/day oral morphine equivalent (anzca-fpm-2021)",
        options=("--table", "anzca-fpm-2021"),
    ),
    Case("patch-0.025-mg-per-h", regimen_yaml(patch("0.025 mg/h")), "Total MED: 60 mg/day", 0),
    Case(
        "patch-1000-patches",
        regimen_yaml(patch("25 µg/h", patches=1000)),
        "patches worn at once: 1,000 is above the plausible 20",
    ),
    Case(
        "patch-ten-100s-published-high-dose",
        regimen_yaml(patch("100 µg/h", patches=10)),
        "Total MED: 2400 mg/day",
        0,
    ),
    Case(
        "patch-300-seed-001-case-1",
        regimen_yaml(patch("300 µg/h")),
        "Total MED: 720 mg/day",
        0,
    ),
    Case(
        "patch-0.025-ug-per-h",
        regimen_yaml(patch("0.025 µg/h")),
        "below the plausible 12 µg/h (the smallest fentanyl patch delivers 12 µg/h); if it was "
        "entered in mg/h it is 25 µg/h",
    ),
    Case(
        "patch-3400-ug-per-h",
        regimen_yaml(patch("3400 µg/h")),
        "3,400 µg/h of fentanyl by the transdermal route, above the plausible 3,300 µg/h",
    ),
    Case(
        "oxycodone-10-g-a-day",
        regimen_yaml(oral(dose="5 g")),
        "10,000 mg/day of oxycodone by the oral route, above the plausible 6,600 mg/day "
        "(10,000 mg/day oral morphine equivalent at factor 1.5); if it was entered in mg it is "
        "10 mg/day = 15 mg/day",
    ),
    Case(
        "oxycodone-10000-mg",
        regimen_yaml(oral(dose="10000 mg", doses_per_day=1)),
        "if it was entered in µg it is 10 mg/day = 15 mg/day oral morphine equivalent",
    ),
    Case(
        "oxycodone-3300-mg-accepted",
        regimen_yaml(oral(dose="1650 mg")),
        "Total MED: 4950 mg/day",
        0,
    ),
    Case(
        "morphine-above-10-g",
        regimen_yaml(oral("morphine", "10001 mg", doses_per_day=1)),
        "above the plausible 10,000 mg/day",
    ),
    Case(
        "morphine-1400-seed-001-peak",
        regimen_yaml(oral("morphine", "700 mg")),
        "Total MED: 1400 mg/day",
        0,
    ),
    Case(
        "hydromorphone-iv-63-mg-seed-001-case-1",
        regimen_yaml(
            {"drug": "hydromorphone", "route": "iv", "pca_total_24h": "63 mg"},
        ),
        "Total MED: 945 mg/day",
        0,
        options=("--table", "anzca-fpm-2021"),
    ),
    Case(
        "hydromorphone-iv-700-mg",
        regimen_yaml({"drug": "hydromorphone", "route": "iv", "pca_total_24h": "700 mg"}),
        "above the plausible 660 mg/day",
    ),
    Case(
        "methadone-900-mg",
        regimen_yaml(oral("methadone", "450 mg")),
        "above the plausible 830 mg/day (10,000 mg/day oral morphine equivalent at the highest "
        "methadone tier, factor 12)",
    ),
    Case("methadone-200-mg", regimen_yaml(oral("methadone", "100 mg")), "Total MED: 940", 0),
    Case(
        "codeine-2-g",
        regimen_yaml(oral("codeine", "1000 mg")),
        "nearly three times the labelled daily maximum (360 mg)",
    ),
    Case(
        "tramadol-1300-mg",
        regimen_yaml(oral("tramadol", "650 mg")),
        "three times the labelled daily maximum (400 mg)",
    ),
    Case(
        "tapentadol-1500-mg",
        regimen_yaml(oral("tapentadol", "750 mg")),
        "twice the largest labelled daily dose (700 mg, on the first day)",
    ),
    Case(
        "buprenorphine-sublingual-100-mg",
        regimen_yaml({"drug": "buprenorphine", "route": "sl", "dose": "50 mg", "doses_per_day": 2}),
        "above the plausible 64 mg/day",
    ),
    Case(
        "buprenorphine-patch-300",
        regimen_yaml({"drug": "buprenorphine", "route": "td", "patch": "300 µg/h"}),
        "above the plausible 280 µg/h",
    ),
    Case(
        "buprenorphine-patch-2",
        regimen_yaml({"drug": "buprenorphine", "route": "td", "patch": "2 µg/h"}),
        "the smallest buprenorphine patch delivers 5 µg/h",
    ),
    Case(
        "buccal-fentanyl-2000-ug",
        regimen_yaml(
            {
                "drug": "fentanyl",
                "route": "buccal",
                "form": "tablet",
                "dose": "2000 µg",
                "prn": True,
                "taken_in_24h": 2,
            }
        ),
        "2000 µg per dose is above the largest transmucosal fentanyl product (1600 µg)",
        options=("--table", "cdc-2016"),
    ),
    Case(
        "buccal-fentanyl-200-mg",
        regimen_yaml(
            {
                "drug": "fentanyl",
                "route": "buccal",
                "form": "tablet",
                "dose": "200 mg",
                "prn": True,
                "taken_in_24h": 4,
            }
        ),
        "check mg against µg",
        options=("--table", "cdc-2016"),
    ),
    Case(
        "fentanyl-iv-25-mg-per-h",
        regimen_yaml({"drug": "fentanyl", "route": "iv", "rate": "25 mg/h"}),
        "if it was entered in µg/h it is 600 µg/day = 120 mg/day oral morphine equivalent",
        options=("--table", "anzca-fpm-2021"),
    ),
    Case(
        "fentanyl-by-mouth",
        regimen_yaml(oral("fentanyl", "100 µg")),
        "the product knows no fentanyl given by the oral route",
    ),
    Case(
        "codeine-patch",
        regimen_yaml({"drug": "codeine", "route": "transdermal", "patch": "25 µg/h"}),
        "the product knows no codeine given by the transdermal route",
    ),
    Case(
        "hydrocodone-iv",
        regimen_yaml({"drug": "hydrocodone", "route": "iv", "dose": "5 mg", "every_hours": 4}),
        "the product knows no hydrocodone given by the intravenous route",
    ),
    Case(
        "total-above-10-g",
        regimen_yaml(oral("morphine", "3000 mg"), oral("morphine", "3000 mg", name="second")),
        "the regimen's MED under cdc-2022 is 12,000 mg/day, above the plausible 10,000 mg/day",
    ),
    Case(
        "forty-one-items",
        regimen_yaml(*[oral("morphine", "1 mg", name=f"line {n}") for n in range(41)]),
        "the regimen has 41 items, more than the plausible 40",
    ),
    Case(
        "thirty-tablets",
        regimen_yaml(
            {
                "drug": "oxycodone",
                "route": "oral",
                "tablets": 30,
                "strength": "5 mg",
                "doses_per_day": 1,
            }
        ),
        "tablets per dose: 30 is above the plausible 20",
    ),
    Case(
        "100-doses-a-day",
        regimen_yaml(oral(dose="1 mg", doses_per_day=100)),
        "doses_per_day: 100 is above the plausible 96",
    ),
    Case(
        "200-taken",
        regimen_yaml(oral(dose="1 mg", doses_per_day=None, prn=True, taken_in_24h=200)),
        "taken_in_24h: 200 is above the plausible 96",
    ),
    Case(
        "every-6-minutes",
        regimen_yaml(oral(doses_per_day=None, every_hours=0.1)),
        "every_hours: 0.1 is below the plausible 0.25",
    ),
    Case(
        "every-200-hours",
        regimen_yaml(oral(doses_per_day=None, every_hours=200)),
        "every_hours: 200 is above the plausible 168",
    ),
    Case(
        "every-4-to-200-hours",
        regimen_yaml(oral(doses_per_day=None, every_hours=4, every_hours_max=200)),
        "every_hours_max: 200 is above the plausible 168",
    ),
    Case(
        "every-6-to-4-hours",
        regimen_yaml(oral(doses_per_day=None, every_hours=6, every_hours_max=4)),
        "every_hours_max must not be shorter than every_hours",
    ),
    Case(
        "patch-changed-every-10-days",
        regimen_yaml(patch(change_every_days=10)),
        "change_every_days: 10 is above the plausible 7",
    ),
    Case(
        "100-times-of-day",
        regimen_yaml(
            oral(
                doses_per_day=None,
                times_of_day=[f"{m // 60:02d}:{m % 60:02d}" for m in range(0, 1000, 10)],
            )
        ),
        "doses in times_of_day: 100 is above the plausible 96",
    ),
    Case(
        "time-of-day-twice",
        regimen_yaml(oral(doses_per_day=None, times_of_day=["08:00", "8:00"])),
        "times_of_day lists 08:00 twice",
    ),
    Case(
        "time-of-day-25",
        regimen_yaml(oral(doses_per_day=None, times_of_day=["25:00"])),
        "'25:00' is not a time of day",
    ),
    Case(
        "doses-per-day-nan",
        regimen_yaml(oral(doses_per_day=NAN)),
        "as a number that is not finite",
    ),
    Case(
        "doses-per-day-inf",
        regimen_yaml(oral(doses_per_day=INF)),
        "as a number that is not finite",
    ),
    Case(
        "doses-per-day-minus-inf",
        regimen_yaml(oral(doses_per_day=-INF)),
        "as a number that is not finite",
    ),
    Case(
        "doses-per-day-true",
        regimen_yaml(oral(doses_per_day=True)),
        "doses_per_day must be a number, not True",
    ),
    Case(
        "doses-per-day-text",
        regimen_yaml(oral(doses_per_day="2")),
        "doses_per_day must be a number, not '2'",
    ),
    Case("doses-per-day-zero", regimen_yaml(oral(doses_per_day=0)), "must be above zero"),
    Case("doses-per-day-negative", regimen_yaml(oral(doses_per_day=-2)), "must be above zero"),
    Case(
        "patches-nan",
        regimen_yaml(patch(patches=NAN)),
        "as a number that is not finite",
    ),
    Case("patches-zero", regimen_yaml(patch(patches=0)), "greater than 0"),
    Case(
        "tablets-inf",
        regimen_yaml(
            {
                "drug": "oxycodone",
                "route": "oral",
                "tablets": INF,
                "strength": "5 mg",
                "doses_per_day": 1,
            }
        ),
        "as a number that is not finite",
    ),
    Case(
        "taken-nan",
        regimen_yaml(oral(doses_per_day=None, prn=True, taken_in_24h=NAN)),
        "as a number that is not finite",
    ),
    Case(
        "every-hours-nan",
        regimen_yaml(oral(doses_per_day=None, every_hours=NAN)),
        "as a number that is not finite",
    ),
    Case(
        "change-every-days-inf",
        regimen_yaml(patch(change_every_days=INF)),
        "as a number that is not finite",
    ),
    Case("dose-1e999-mg", regimen_yaml(oral(dose="1e999 mg")), "'1e999 mg' is not a finite amount"),
    Case("dose-nan-mg", regimen_yaml(oral(dose="nan mg")), "is not a number followed by a unit"),
    Case("dose-inf-mg", regimen_yaml(oral(dose="inf mg")), "is not a number followed by a unit"),
    Case("dose-zero", regimen_yaml(oral(dose="0 mg")), "dose '0 mg' must be above zero"),
    Case("dose-negative", regimen_yaml(oral(dose="-5 mg")), "is not a number followed by a unit"),
    Case("dose-without-unit", regimen_yaml(oral(dose=10)), "dose 10 has no unit"),
    Case("dose-text-without-unit", regimen_yaml(oral(dose="10")), "without its unit"),
    Case("dose-true", regimen_yaml(oral(dose=True)), "dose must be an amount with its unit"),
    Case("dose-with-a-line-break", regimen_yaml(oral(dose="10\nmg")), "must be one line"),
    Case("dose-per-kg", regimen_yaml(oral(dose="0.1 mg/kg")), "weight-based"),
    Case("dose-as-a-rate", regimen_yaml(oral(dose="10 mg/h")), "was expected"),
    Case(
        "dose-missing",
        regimen_yaml({"drug": "oxycodone", "route": "oral", "doses_per_day": 2}),
        "give a dose (or tablets and strength), a patch, a rate or a PCA total",
    ),
    Case(
        "patch-missing",
        regimen_yaml({"drug": "fentanyl", "route": "transdermal", "patch": None}),
        "a patch needs its delivery rate",
    ),
    Case("patch-rate-zero", regimen_yaml(patch("0 µg/h")), "must be above zero"),
    Case("patch-in-mg", regimen_yaml(patch("25 mg")), "was expected"),
    Case("prn-one", regimen_yaml(oral(prn=1)), "valid boolean"),
    Case("prn-yes-text", regimen_yaml(oral(prn="yes")), "valid boolean"),
    Case("name-too-long", regimen_yaml(oral(name="x" * 300)), "at most 200 characters"),
    Case("unknown-drug", regimen_yaml(oral("oxycontinn")), "unknown drug 'oxycontinn'"),
    Case(
        "drug-with-a-line-break", regimen_yaml(oral("oxy\ncodone")), r"unknown drug 'oxy\ncodone'"
    ),
    Case(
        "name-with-a-line-break", regimen_yaml(oral(name="a\nb")), "must be one line of plain text"
    ),
    Case("unknown-route", regimen_yaml(oral(route="ear")), "route"),
    Case("unknown-key", regimen_yaml(oral(colour="red")), "unknown key 'colour'"),
    Case("no-items", "items: []\n", "at least 1 item"),
    Case("items-missing", "label: x\n", "'items' is required"),
    Case("a-list", "- 1\n- 2\n", "does not hold a regimen"),
    Case("empty-file", "", "input.yaml is empty"),
    Case("a-timeline-given-to-med", timeline(recorded(1, 100)), "holds a timeline (points)"),
    Case("latin-1", "items:\n  - {drug: morphine, name: caf\xe9}\n".encode("latin-1"), "not UTF-8"),
    Case("utf-16", regimen_yaml(oral()).encode("utf-16"), "not UTF-8"),
    Case("binary", bytes(range(256)) * 4, "not UTF-8"),
    Case("deep-json", "[" * 100_000 + "]" * 100_000, "nested too deeply", suffix=".json"),
    Case("deep-yaml-flow", "a: " + "[" * 100_000 + "]" * 100_000, "nested too deeply"),
    Case("yaml-larger-than-1-mib", "# " + "x" * (1024 * 1024) + "\n", "larger than 1 MiB"),
    Case(
        "json-larger-than-8-mib",
        '{"items": [], "pad": "' + "x" * (8 * 1024 * 1024) + '"}',
        "larger than 8 MiB, more than any regimen, bundle or timeline in JSON",
        suffix=".json",
    ),
    Case("bad-yaml", "items: [\n", "not valid YAML"),
    Case("bad-json", '{"items": [', "not valid JSON", suffix=".json"),
    Case(
        "json-nan",
        regimen_json(oral(doses_per_day=NAN)),
        "NaN is not a finite number (JSON has no NaN or Infinity)",
        suffix=".json",
    ),
    Case(
        "json-infinity",
        regimen_json(oral(every_hours=INF, doses_per_day=None)),
        "Infinity is not a finite number (JSON has no NaN or Infinity)",
        suffix=".json",
    ),
    Case(
        "json-patch-25-mg-per-h",
        regimen_json(patch("25 mg/h")),
        "if it was entered in µg/h it is 25 µg/h = 60 mg/day",
        suffix=".json",
    ),
    Case(
        "incomplete-iv-under-cdc",
        regimen_yaml(IV_MORPHINE, ORAL_MORPHINE),
        "Total MED: not given, incomplete; the covered part is 60 mg/day",
        3,
    ),
    Case(
        "incomplete-iv-under-cdc-json",
        regimen_yaml(IV_MORPHINE, ORAL_MORPHINE),
        "table cdc-2022 has no factor for morphine by the intravenous route",
        3,
        options=("--json",),
        json_checks={
            "total_med_mg": None,
            "covered_med_mg": 60.0,
            "complete": False,
            "regimen_range_med_mg": None,
        },
    ),
    Case(
        "complete-under-anzca",
        regimen_yaml(IV_MORPHINE, ORAL_MORPHINE),
        "Total MED: 96 mg/day",
        0,
        options=("--table", "anzca-fpm-2021"),
    ),
    Case(
        "methadone-under-anzca",
        regimen_yaml(oral("methadone", "10 mg")),
        "the ANZCA FPM 2021 table lists no methadone factor",
        3,
        options=("--table", "anzca-fpm-2021"),
    ),
    Case(
        "buprenorphine-under-cdc-2022",
        regimen_yaml({"drug": "buprenorphine", "route": "td", "patch": "10 µg/h"}),
        "the CDC 2022 MME table lists no buprenorphine product",
        3,
    ),
    Case("unknown-table", PHASE2, "unknown table 'who-1996'", options=("--table", "who-1996")),
    Case(
        "very-long-table-id",
        PHASE2,
        "unknown table '" + "x" * 40 + "…'",
        options=("--table", "x" * 10_000),
    ),
    Case(
        "buccal-without-form",
        regimen_yaml(
            {
                "drug": "fentanyl",
                "route": "buccal",
                "dose": "200 µg",
                "prn": True,
                "taken_in_24h": 2,
            }
        ),
        "give form: one of",
        options=("--table", "cdc-2016"),
    ),
]

# -- FHIR ----------------------------------------------------------------------------------------

FENTANYL_RATE = request(
    "patch",
    code="4337",
    dosages=[
        dosage(
            rate={"value": 25, "code": "mg/h"},
            route="45890007",
            timing={"repeat": {"frequency": 1, "period": 3, "periodUnit": "d"}},
        )
    ],
)


def with_dosage(**kwargs: Any) -> str:
    """One morphine request with its dosage changed."""
    return fhir(request(dosages=[dosage(**kwargs)]))


def statuses(status: str, intent: str = "order", **extra: Any) -> str:
    """An active order (60 mg/day) and a second one with the status or intent given."""
    return fhir(bundle(request("r1"), request("r2", status=status, intent=intent, **extra)))


FHIR_CASES = [
    Case(
        "fhir-rate-25-mg-per-h",
        fhir(bundle(FENTANYL_RATE)),
        "MedicationRequest patch: a patch of 25 mg/h is 25,000 µg/h of fentanyl by the "
        "transdermal route, above the plausible 3,300 µg/h",
    ),
    Case(
        "fhir-rate-25-mg-per-h-reading",
        fhir(FENTANYL_RATE),
        "if it was entered in µg/h it is 25 µg/h = 60 mg/day oral morphine equivalent",
    ),
    Case(
        "fhir-contained-strength-25-mg-per-h",
        fhir(bundle(contained_patch({"value": 25, "code": "mg"}, {"value": 1, "code": "h"}))),
        "if it was entered in µg/h it is 25 µg/h = 60 mg/day",
    ),
    Case(
        "fhir-contained-strength-25-ug-per-h",
        fhir(bundle(contained_patch({"value": 25, "code": "ug"}, {"value": 1, "code": "h"}))),
        "Total MED: 60 mg/day",
        0,
    ),
    Case(
        "fhir-strength-without-denominator-value",
        fhir(contained_patch({"value": 25, "code": "ug"}, {"code": "h"})),
        "the strength's denominator has no value",
    ),
    Case(
        "fhir-strength-without-numerator-value",
        fhir(contained_patch({"code": "ug"}, {"value": 1, "code": "h"})),
        "the strength's numerator has no value",
    ),
    Case(
        "fhir-stopped-left-out",
        statuses("stopped"),
        "MedicationRequest r2: not counted: status stopped: stopped",
        0,
        options=("--json",),
        json_checks={"total_med_mg": 60.0, "complete": True},
    ),
    Case(
        "fhir-entered-in-error",
        statuses("entered-in-error"),
        "status entered-in-error: entered in error",
        0,
    ),
    Case("fhir-draft", statuses("draft"), "status draft: a draft, not yet an order", 0),
    Case("fhir-on-hold", statuses("on-hold"), "status on-hold: on hold: not being given now", 0),
    Case("fhir-cancelled", statuses("cancelled"), "status cancelled: cancelled", 0),
    Case(
        "fhir-completed", statuses("completed"), "status completed: completed: no longer given", 0
    ),
    Case(
        "fhir-status-unknown-incomplete",
        statuses("unknown"),
        "whether every order is being given cannot be told (MedicationRequest r2)",
        3,
        options=("--json",),
        json_checks={"total_med_mg": None, "covered_med_mg": 60.0, "complete": False},
    ),
    Case(
        "fhir-status-bogus",
        statuses("bogus"),
        "status 'bogus' is not a MedicationRequest status",
    ),
    Case("fhir-proposal", statuses("active", "proposal"), "intent proposal: a proposal", 0),
    Case("fhir-option", statuses("active", "option"), "intent option: an option", 0),
    Case("fhir-directive", statuses("active", "directive"), "intent directive: a directive", 0),
    Case("fhir-plan-counted", statuses("active", "plan"), "counted as a plan (intent plan)", 0),
    Case("fhir-filler-order", statuses("active", "filler-order"), "Total MED: 120 mg/day", 0),
    Case(
        "fhir-intent-bogus",
        statuses("active", "wish"),
        "intent 'wish' is not a MedicationRequest intent",
    ),
    Case(
        "fhir-do-not-perform",
        statuses("active", doNotPerform=True),
        "doNotPerform: an order not to give it",
        0,
    ),
    Case(
        "fhir-all-stopped",
        fhir(bundle(request("r1", status="stopped"), request("r2", status="draft"))),
        "no MedicationRequest is counted (MedicationRequest r1: status stopped: stopped; "
        "MedicationRequest r2: status draft",
    ),
    Case(
        "fhir-same-id-twice",
        fhir(bundle(request("r1"), request("r1"))),
        "the same order as entry 1 (id r1): counted once",
        0,
        options=("--json",),
        json_checks={"total_med_mg": 60.0},
    ),
    Case(
        "fhir-same-identifier-twice",
        fhir(
            bundle(
                request("a", identifier=[{"system": "urn:oid:1.2", "value": "ORD-7"}]),
                request("b", identifier=[{"system": "urn:oid:1.2", "value": "ORD-7"}]),
            )
        ),
        "the same order as entry 1 (identifier urn:oid:1.2|ORD-7): counted once",
        0,
        options=("--json",),
        json_checks={"total_med_mg": 60.0},
    ),
    Case(
        "fhir-same-identifier-differing",
        fhir(
            bundle(
                request("a", identifier=[{"value": "ORD-7"}]),
                request(
                    "b",
                    identifier=[{"value": "ORD-7"}],
                    dosages=[dosage(dose={"value": 20, "code": "mg"})],
                ),
            )
        ),
        "entry 1 and entry 2 are the same order (identifier ORD-7) but differ",
    ),
    Case(
        "fhir-identical-but-for-id",
        fhir(bundle(request("a"), request("b"))),
        "entry 2 is identical to entry 1 but for its id; both are counted",
        0,
        options=("--json",),
        json_checks={"total_med_mg": 120.0},
    ),
    Case(
        "fhir-unknown-resource-type",
        fhir(bundle({"resourceType": "MedicationReqest", "id": "x"}, request())),
        "entry 1: resourceType 'MedicationReqest' is not a FHIR R4 resource",
    ),
    Case(
        "fhir-element-is-not-a-resource",
        fhir(bundle({"resourceType": "Quantity"}, request())),
        "resourceType 'Quantity' is not a FHIR R4 resource",
    ),
    Case(
        "fhir-patient-not-read",
        fhir(bundle({"resourceType": "Patient", "id": "p"}, request())),
        "entry 1: a Patient is not read (not a medication order)",
        0,
    ),
    Case(
        "fhir-statement-not-read",
        fhir(
            bundle(
                {
                    "resourceType": "MedicationStatement",
                    "status": "active",
                    "subject": {"reference": "Patient/p"},
                    "medicationCodeableConcept": {"text": "morphine"},
                },
                request(),
            )
        ),
        "a MedicationStatement is not read (only MedicationRequests are counted for the MED)",
        0,
    ),
    Case(
        "fhir-entry-without-resource",
        fhir(bundle(None, request())),
        "entry 1 has no resource and is not read",
        0,
    ),
    Case(
        "fhir-resource-not-an-object",
        fhir({"resourceType": "Bundle", "type": "collection", "entry": [{"resource": 5}]}),
        "entry 1: the resource is not a JSON object",
    ),
    Case(
        "fhir-entry-not-a-list",
        fhir({"resourceType": "Bundle", "type": "collection", "entry": {"resource": request()}}),
        "the Bundle's entry is not a list",
    ),
    Case(
        "fhir-history-bundle",
        fhir(bundle(request(), kind="history")),
        "a history Bundle lists past versions",
    ),
    Case(
        "fhir-bundle-type-missing",
        fhir({"resourceType": "Bundle", "entry": [{"resource": request()}]}),
        "the Bundle: not valid FHIR R4",
    ),
    Case(
        "fhir-only-a-patient",
        fhir(bundle({"resourceType": "Patient", "id": "p"})),
        "no MedicationRequest",
    ),
    Case(
        "fhir-a-patient-alone",
        fhir({"resourceType": "Patient", "id": "p"}),
        "a Patient is not a MedicationRequest or a Bundle of them",
    ),
    Case(
        "fhir-resource-type-a-number",
        fhir({"resourceType": 5}),
        "a 5 is not a MedicationRequest or a Bundle of them",
    ),
    Case(
        "fhir-status-missing",
        fhir(request(status=None)),
        "not valid FHIR R4: Value for the field 'status' is required",
    ),
    Case(
        "fhir-contained-unknown-type",
        fhir(request(contained=[{"resourceType": "Foo", "id": "m"}])),
        "contained resource 1: resourceType 'Foo' is not a FHIR R4 resource",
    ),
    Case(
        "fhir-dose-nan",
        fhir(request(dosages=[dosage(dose={"value": NAN, "code": "mg"})])),
        "NaN is not a finite number (JSON has no NaN or Infinity)",
    ),
    Case(
        "fhir-rate-infinity",
        fhir(request(code="4337", dosages=[dosage(rate={"value": INF, "code": "ug/h"})])),
        "Infinity is not a finite number (JSON has no NaN or Infinity)",
    ),
    Case(
        "fhir-dose-1e400",
        '{"resourceType": "MedicationRequest", "status": "active", "intent": "order", '
        '"subject": {"reference": "Patient/p"}, "medicationCodeableConcept": {"coding": '
        '[{"system": "' + RXNORM + '", "code": "7052"}]}, "dosageInstruction": [{"route": '
        '{"text": "oral"}, "doseAndRate": [{"doseQuantity": {"value": 1e400, "code": "mg"}}]}]}',
        "1e400 is too large to be a number the product reads",
        suffix=".json",
    ),
    Case(
        "fhir-period-nan",
        with_dosage(timing={"repeat": {"frequency": 1, "period": NAN, "periodUnit": "h"}}),
        "NaN is not a finite number (JSON has no NaN or Infinity)",
    ),
    Case(
        "fhir-dose-without-value",
        with_dosage(dose={"code": "mg"}),
        "MedicationRequest r1: doseQuantity has no value",
    ),
    Case(
        "fhir-rate-without-value",
        fhir(request(code="4337", dosages=[dosage(rate={"code": "ug/h"}, route="45890007")])),
        "rateQuantity has no value",
    ),
    Case(
        "fhir-dose-negative",
        with_dosage(dose={"value": -5, "code": "mg"}),
        "doseQuantity must be above zero, not -5",
    ),
    Case(
        "fhir-dose-zero",
        with_dosage(dose={"value": 0, "code": "mg"}),
        "doseQuantity must be above zero, not 0",
    ),
    Case(
        "fhir-dose-comparator",
        with_dosage(dose={"value": 5, "comparator": "<", "code": "mg"}),
        "doseQuantity '<5' is a bound, not a dose",
    ),
    Case(
        "fhir-oxycodone-in-grams",
        fhir(
            request(
                code="7804",
                dosages=[
                    dosage(
                        dose={"value": 10, "code": "g"},
                        timing={"repeat": {"frequency": 1, "period": 1, "periodUnit": "d"}},
                    )
                ],
            )
        ),
        "a dose of 10 g is 10,000 mg/day of oxycodone by the oral route, above the plausible "
        "6,600 mg/day (10,000 mg/day oral morphine equivalent at factor 1.5); if it was entered "
        "in mg it is 10 mg/day = 15 mg/day oral morphine equivalent (cdc-2022)",
    ),
    Case(
        "fhir-two-dosage-instructions",
        fhir(request(dosages=[dosage(), dosage()])),
        "2 dosageInstructions; give one per MedicationRequest",
    ),
    Case(
        "fhir-no-dosage-instruction",
        fhir(request(dosages=[])),
        "no dosageInstruction",
    ),
    Case(
        "fhir-two-dose-and-rate",
        fhir(
            request(
                dosages=[
                    {
                        **dosage(),
                        "doseAndRate": [
                            {"doseQuantity": {"value": 10, "code": "mg"}},
                            {"doseQuantity": {"value": 20, "code": "mg"}},
                        ],
                    }
                ]
            )
        ),
        "give one doseAndRate, not 2",
    ),
    Case(
        "fhir-dose-range",
        fhir(
            request(
                dosages=[
                    {
                        **dosage(),
                        "doseAndRate": [
                            {
                                "doseRange": {
                                    "low": {"value": 5, "code": "mg"},
                                    "high": {"value": 10, "code": "mg"},
                                }
                            }
                        ],
                    }
                ]
            )
        ),
        "doseRange is not read",
    ),
    Case(
        "fhir-rate-ratio",
        fhir(
            request(
                dosages=[
                    {
                        **dosage(),
                        "doseAndRate": [
                            {
                                "rateRatio": {
                                    "numerator": {"value": 1, "code": "mg"},
                                    "denominator": {"value": 1, "code": "h"},
                                }
                            }
                        ],
                    }
                ]
            )
        ),
        "rateRatio is not read",
    ),
    Case(
        "fhir-dose-and-rate-both",
        with_dosage(dose={"value": 10, "code": "mg"}, rate={"value": 1, "code": "mg/h"}),
        "give doseQuantity or rateQuantity, not both",
    ),
    Case(
        "fhir-two-patches-with-rate",
        fhir(
            patch_order(
                2,
                {"repeat": {"frequency": 1, "period": 72, "periodUnit": "h"}},
                "4337",
                rate={"value": 25, "code": "ug/h"},
            )
        ),
        "Total MED: 120 mg/day",
        0,
    ),
    Case(
        "fhir-1000-patches",
        fhir(patch_order(1000, {"repeat": {"frequency": 1, "period": 3, "periodUnit": "d"}})),
        "patches worn at once: 1,000 is above the plausible 20",
    ),
    Case(
        "fhir-patch-every-14-days",
        fhir(patch_order(1, {"repeat": {"frequency": 1, "period": 14, "periodUnit": "d"}})),
        "change_every_days: 14 is above the plausible 7",
    ),
    Case(
        "fhir-rate-in-ml-per-h",
        fhir(request(dosages=[dosage(rate={"value": 1, "code": "mL/h"}, route="47625008")])),
        "rateQuantity unit 'mL/h' is not µg/h or mg/h",
    ),
    Case(
        "fhir-day-of-week",
        with_dosage(
            timing={
                "repeat": {"frequency": 1, "period": 1, "periodUnit": "d", "dayOfWeek": ["mon"]}
            }
        ),
        "timing dayOfWeek is not read",
    ),
    Case(
        "fhir-timing-code-only",
        with_dosage(timing={"code": {"text": "BID"}}),
        "timing.code is not read; give timing.repeat",
    ),
    Case(
        "fhir-frequency-without-period",
        with_dosage(timing={"repeat": {"frequency": 2}}),
        "timing.repeat gives no period",
    ),
    Case(
        "fhir-period-in-months",
        with_dosage(timing={"repeat": {"frequency": 1, "period": 1, "periodUnit": "mo"}}),
        "timing periodUnit 'mo' is not read",
    ),
    Case(
        "fhir-period-zero",
        with_dosage(timing={"repeat": {"frequency": 1, "period": 0, "periodUnit": "h"}}),
        "timing period must be above zero",
    ),
    Case(
        "fhir-frequency-max",
        with_dosage(
            timing={"repeat": {"frequency": 1, "frequencyMax": 2, "period": 4, "periodUnit": "h"}}
        ),
        "Within the orders as written: 60-120 mg/day",
        0,
    ),
    Case(
        "fhir-period-max-shorter",
        with_dosage(
            timing={"repeat": {"frequency": 1, "period": 6, "periodMax": 4, "periodUnit": "h"}}
        ),
        "timing periodMax is shorter than period",
    ),
    Case(
        "fhir-when-more-than-frequency",
        with_dosage(
            timing={
                "repeat": {
                    "frequency": 1,
                    "period": 1,
                    "periodUnit": "d",
                    "when": ["MORN", "EVE", "NIGHT"],
                }
            }
        ),
        "timing names 3 times of day (when) for 1 dose(s) a period",
    ),
    Case(
        "fhir-as-needed-without-timing",
        with_dosage(timing={}, asNeededBoolean=True),
        "an as-needed order needs its timing",
    ),
    Case(
        "fhir-medication-in-the-bundle",
        fhir(
            bundle(
                {
                    "resourceType": "Medication",
                    "id": "morph",
                    "code": {"coding": [{"system": RXNORM, "code": "7052"}]},
                },
                request(
                    medicationCodeableConcept=None,
                    medicationReference={"reference": "Medication/morph"},
                ),
            )
        ),
        "Total MED: 60 mg/day",
        0,
    ),
    Case(
        "fhir-medication-reference-dangling",
        fhir(request(medicationCodeableConcept=None, medicationReference={"reference": "#gone"})),
        "medicationReference '#gone' is not among its contained resources",
    ),
    Case(
        "fhir-display-with-a-line-break",
        fhir(
            request(
                code="7804",
                medicationCodeableConcept={
                    "coding": [{"system": RXNORM, "code": "7804"}],
                    "text": "oxycodone\n10 g",
                },
                dosages=[
                    dosage(
                        dose={"value": 10, "code": "g"},
                        timing={"repeat": {"frequency": 1, "period": 1, "periodUnit": "d"}},
                    )
                ],
            )
        ),
        "MedicationRequest r1 (oxycodone 10 g): a dose of 10 g",
    ),
    Case(
        "fhir-empty-display",
        fhir(
            request(
                medicationCodeableConcept={
                    "coding": [{"system": RXNORM, "code": "7052", "display": ""}]
                }
            )
        ),
        "not valid FHIR R4: String should match pattern",
    ),
    Case(
        "fhir-unknown-code",
        fhir(request(code="161")),
        "codes given: 161",
    ),
    Case(
        "fhir-route-missing",
        fhir(request(dosages=[dosage(route=None)])),
        "the route is missing (dosageInstruction.route)",
    ),
    Case(
        "fhir-2001-entries",
        fhir(bundle(*[{"resourceType": "Patient", "id": f"p{n}"} for n in range(2001)])),
        "the Bundle has 2001 entries, more than the 2000 read",
    ),
    Case(
        "fhir-41-active-orders",
        fhir(bundle(*[request(f"r{n}", identifier=[{"value": str(n)}]) for n in range(41)])),
        "the regimen has 41 items, more than the plausible 40",
    ),
    Case(
        "fhir-iv-morphine-under-cdc",
        fhir(request(dosages=[dosage(route="47625008")])),
        "Total MED: not given, incomplete",
        3,
    ),
    Case(
        "fhir-not-json",
        "{resourceType: Bundle",
        "not valid JSON",
        suffix=".json",
    ),
]

# -- opioid-plan convert, taper, timeline --------------------------------------------------------

CONVERT = ("opioid-plan", "convert")
TAPER = ("opioid-plan", "taper")
TIMELINE = ("opioid-plan", "timeline")
STEP = ("--step-percent", "10", "--every-days", "2")

PLAN_CASES = [
    Case(
        "convert-incomplete",
        regimen_yaml(IV_MORPHINE, ORAL_MORPHINE),
        "the MED under cdc-2022 is incomplete (it leaves out morphine intravenous)",
        command=CONVERT,
        options=("--to", "morphine"),
    ),
    Case(
        "convert-status-unknown",
        statuses("unknown"),
        "is incomplete (it leaves out MedicationRequest r2)",
        command=CONVERT,
        options=("--to", "morphine"),
        suffix=".json",
    ),
    Case(
        "convert-stopped-order-left-out",
        statuses("stopped"),
        "As morphine oral: equianalgesic 60 mg/day",
        0,
        command=CONVERT,
        options=("--to", "morphine"),
        suffix=".json",
    ),
    Case(
        "convert-reduction-nan",
        PHASE2,
        "a reduction of nan % is not from 0 up to (not including) 100",
        command=CONVERT,
        options=("--to", "morphine", "--reduction", "nan"),
    ),
    Case(
        "convert-reduction-100",
        PHASE2,
        "a reduction of 100 % is not from 0",
        command=CONVERT,
        options=("--to", "morphine", "--reduction", "100"),
    ),
    Case(
        "convert-reduction-negative",
        PHASE2,
        "a reduction of -1 % is not from 0",
        command=CONVERT,
        options=("--to", "morphine", "--reduction", "-1"),
    ),
    Case(
        "convert-reduction-infinite",
        PHASE2,
        "a reduction of inf % is not from 0",
        command=CONVERT,
        options=("--to", "morphine", "--reduction", "inf"),
    ),
    Case(
        "convert-to-methadone",
        PHASE2,
        "conversion to methadone is not computed",
        command=CONVERT,
        options=("--to", "methadone"),
    ),
    Case(
        "convert-to-unknown-drug",
        PHASE2,
        "unknown drug 'heroin' to convert to",
        command=CONVERT,
        options=("--to", "heroin"),
    ),
    Case(
        "convert-to-unknown-route",
        PHASE2,
        "unknown route 'ear'",
        command=CONVERT,
        options=("--to", "morphine", "--route", "ear"),
    ),
    Case(
        "convert-to-a-route-with-a-line-break",
        PHASE2,
        r"unknown route 'o\nral'",
        command=CONVERT,
        options=("--to", "morphine", "--route", "o\nral"),
    ),
    Case(
        "convert-to-patch-without-reduction",
        PHASE2,
        "package insert",
        command=CONVERT,
        options=("--to", "fentanyl", "--route", "td"),
    ),
    Case(
        "convert-patch-25-mg-per-h",
        regimen_yaml(patch("25 mg/h")),
        "if it was entered in µg/h it is 25 µg/h = 60 mg/day",
        command=CONVERT,
        options=("--to", "morphine"),
    ),
    Case(
        "convert-seed-000-phase-2",
        PHASE2,
        "After a 50 % reduction (default): 150 mg/day",
        0,
        command=CONVERT,
        options=("--to", "morphine"),
    ),
    Case(
        "taper-step-1e-9",
        PHASE2,
        "a step of 1e-09 % is not between 1 and 100 % of the starting dose (a smaller step would "
        "make more than 100 steps)",
        command=TAPER,
        options=("--step-percent", "1e-9", "--every-days", "1"),
    ),
    Case(
        "taper-step-zero",
        PHASE2,
        "a step of 0 % is not between 1 and 100",
        command=TAPER,
        options=("--step-percent", "0", "--every-days", "1"),
    ),
    Case(
        "taper-step-nan",
        PHASE2,
        "a step of nan % is not between 1 and 100",
        command=TAPER,
        options=("--step-percent", "nan", "--every-days", "1"),
    ),
    Case(
        "taper-step-infinite",
        PHASE2,
        "a step of inf % is not between 1 and 100",
        command=TAPER,
        options=("--step-percent", "inf", "--every-days", "1"),
    ),
    Case(
        "taper-step-101",
        PHASE2,
        "a step of 101 % is not between 1 and 100",
        command=TAPER,
        options=("--step-percent", "101", "--every-days", "1"),
    ),
    Case(
        "taper-step-1-makes-100-steps",
        PHASE2,
        '"percent_of_start": 0.0',
        0,
        command=TAPER,
        options=("--step-percent", "1", "--every-days", "1", "--json"),
    ),
    Case(
        "taper-every-0-days",
        PHASE2,
        "steps must be at least one day apart and at most 90 days",
        command=TAPER,
        options=("--step-percent", "10", "--every-days", "0"),
    ),
    Case(
        "taper-every-91-days",
        PHASE2,
        "steps must be at least one day apart and at most 90 days (a step a quarter at the "
        "slowest), not 91",
        command=TAPER,
        options=("--step-percent", "10", "--every-days", "91"),
    ),
    Case(
        "taper-every-10e30-days",
        PHASE2,
        "steps must be at least one day apart and at most 90 days",
        command=TAPER,
        options=("--step-percent", "10", "--every-days", str(10**30)),
    ),
    Case(
        "taper-first-day-0",
        PHASE2,
        "give day 1 or later, up to day 365",
        command=TAPER,
        options=(*STEP, "--first-day", "0"),
    ),
    Case(
        "taper-first-day-366",
        PHASE2,
        "the first reduction on day 366: give day 1 or later, up to day 365",
        command=TAPER,
        options=(*STEP, "--first-day", "366"),
    ),
    Case(
        "taper-floor-nan",
        PHASE2,
        "the dose to stop at (nan) must be from zero up to below the starting dose (300)",
        command=TAPER,
        options=(*STEP, "--floor", "nan"),
    ),
    Case(
        "taper-floor-above-start",
        PHASE2,
        "the dose to stop at (400) must be from zero up to below the starting dose (300)",
        command=TAPER,
        options=(*STEP, "--floor", "400"),
    ),
    Case(
        "taper-floor-negative",
        PHASE2,
        "the dose to stop at (-1) must be from zero",
        command=TAPER,
        options=(*STEP, "--floor", "-1"),
    ),
    Case(
        "taper-incomplete-med",
        regimen_yaml(IV_MORPHINE, ORAL_MORPHINE),
        "is incomplete (it leaves out morphine intravenous); choose a table that covers every "
        "item, or settle each order's status, before planning a reduction",
        command=TAPER,
        options=STEP,
    ),
    Case(
        "taper-seed-000-phase-2",
        PHASE2,
        "day 5: 240 (80 %)",
        0,
        command=TAPER,
        options=(*STEP, "--first-day", "3"),
    ),
    Case(
        "timeline-recorded-nan",
        timeline(recorded(1, NAN)),
        "as a number that is not finite",
        command=TIMELINE,
    ),
    Case(
        "timeline-recorded-20000",
        timeline(recorded(1, 20000)),
        "day 1: a recorded MED of 20,000 mg/day is above the plausible 10,000 mg/day",
        command=TIMELINE,
    ),
    Case(
        "timeline-recorded-negative",
        timeline(recorded(1, -5)),
        "greater than or equal to 0",
        command=TIMELINE,
    ),
    Case(
        "timeline-day-twice",
        timeline(recorded(2, 100), recorded(2, 200)),
        "day 2 appears twice",
        command=TIMELINE,
    ),
    Case(
        "timeline-day-nan",
        timeline(recorded(NAN, 100)),
        "as a number that is not finite",
        command=TIMELINE,
    ),
    Case(
        "timeline-day-5000",
        timeline(recorded(5000, 100)),
        "less than or equal to 3650",
        command=TIMELINE,
    ),
    Case(
        "timeline-day-true",
        timeline(recorded(True, 100)),
        "day must be a number, not True",
        command=TIMELINE,
    ),
    Case(
        "timeline-recorded-without-source",
        timeline({"day": 1, "recorded_med_mg": 100}),
        "a recorded MED needs its source",
        command=TIMELINE,
    ),
    Case(
        "timeline-point-without-figure",
        timeline({"day": 1}),
        "give either a regimen or recorded_med_mg",
        command=TIMELINE,
    ),
    Case(
        "timeline-patch-25-mg-per-h",
        timeline({"day": 1, "regimen": {"items": [patch("25 mg/h")]}}),
        "day 1: fentanyl transdermal: a patch of 25 mg/h",
        command=TIMELINE,
    ),
    Case(
        "timeline-incomplete-point",
        timeline(
            recorded(1, 700),
            {"day": 2, "regimen": {"items": [IV_MORPHINE, ORAL_MORPHINE]}},
            recorded(3, 200),
        ),
        "day 2 is incomplete: no MED is given for it (its covered part is 60 mg/day)",
        3,
        command=TIMELINE,
        options=("--json",),
        json_checks={"complete": False, "peak": {"day": 1.0, "med_mg": 700.0}},
    ),
    Case(
        "timeline-only-incomplete",
        timeline({"day": 1, "regimen": {"items": [IV_MORPHINE]}}),
        "No peak: no point is complete",
        3,
        command=TIMELINE,
    ),
    Case(
        "timeline-501-points",
        timeline(*[recorded(n, 100) for n in range(501)]),
        "the timeline has 501 points, more than the plausible 500",
        command=TIMELINE,
    ),
    Case("timeline-a-list", "- 1\n", "does not hold a timeline", command=TIMELINE),
    Case(
        "timeline-from-zero",
        timeline(recorded(1, 0), recorded(2, 100)),
        "change_from_first_percent",
        0,
        command=TIMELINE,
        options=("--json",),
        json_checks={"change_from_first_percent": None, "change_from_peak_percent": 0.0},
    ),
    Case(
        "timeline-seed-001-case-2",
        timeline(recorded(2, 580), recorded(3, 855), recorded(4, 1400), recorded(6, 780)),
        "Peak 1400 on day 4; last 780: -44.3 % from the peak",
        0,
        command=TIMELINE,
    ),
]

FHIR_CASES = [replace(case, suffix=".json") for case in FHIR_CASES]
CASES = REGIMEN_CASES + FHIR_CASES + PLAN_CASES


def _run(case: Case, tmp_path: Path) -> tuple[int, str, str]:
    path = tmp_path / f"input{case.suffix}"
    if isinstance(case.content, bytes):
        path.write_bytes(case.content)
    elif case.content is not None:
        path.write_text(case.content, encoding="utf-8")
    result = runner.invoke(app, [*case.command, str(path), *case.options])
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"{case.id}: {result.exception!r}"
    )
    return result.exit_code, result.stdout, result.stderr


def test_the_corpus_is_large_and_its_ids_unique() -> None:
    """The corpus holds at least 120 cases over med and opioid-plan, each named once."""
    ids = [case.id for case in CASES]
    assert len(ids) >= 120
    assert len(set(ids)) == len(ids)
    assert {case.command for case in CASES} == {("med",), CONVERT, TAPER, TIMELINE}


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_each_input_has_its_exact_outcome(case: Case, tmp_path: Path) -> None:
    """Refused: exit 2, nothing on stdout, one sentence on stderr; else its exit and figure."""
    code, out, err = _run(case, tmp_path)
    assert code == case.code, f"{case.id}: exit {code}, stderr {err!r}"
    if case.code == EXIT_USER_ERROR:
        assert out == ""
        lines = err.strip().splitlines()
        assert len(lines) == 1, err
        assert lines[0].startswith("error: ")
        assert lines[0].endswith(".")
        assert case.expect in lines[0]
        return
    assert err == ""
    assert case.expect in out, out
    if case.json_checks:
        data = json.loads(out)
        for key, value in case.json_checks.items():
            assert data[key] == value, (key, data[key])
