"""A FHIR R4 Bundle in: the ketamine episode's events, and the opioid regimen beside it.

Read (each with R4 classes, each refused in one sentence naming the entry when it is not R4):

- the Patient (its product identifier, else its id);
- the ketamine MedicationRequest: the protocol (``instantiatesCanonical``), the bag concentration
  (its Medication's strength), the start (``authoredOn``, else the first administration);
- body-weight Observations (29463-7): the latest at or before the start is the dosing weight;
- Observations by LOINC (pain 72514-3 or 38208-5, heart rate 8867-4, the blood-pressure panel
  85354-9 with 8480-6 and 8462-4, respiratory rate 9279-1, SpO2 2708-6 or 59408-5) and the
  product's own codes (sedation, side effects, opioid use): those tagged ``baseline``, or when
  none is, those at or before the start, make the baseline; the others are observations,
  grouped by their event identifier or else by their time;
- ketamine MedicationAdministrations: a rate is a ``rate_change`` (rate 0 or status ``stopped`` a
  ``stop``, ``on-hold`` a ``pause``), a dose a ``dose_given``; another drug's dose a ``prn_given``;
- the pain goal (a Goal on a pain measure), Basic resources carrying the product's own events,
  and Provenance for who recorded each event, in which role, and when;
- the other MedicationRequests and the MedicationStatements (read as plans: what the patient
  takes) through the opioid reader, for the regimen.

Everything else is listed as not read, one sentence each. Recommendations in the Bundle
(GuidanceResponse, DetectedIssue) are not read: the engine computes them again.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pydantic import TypeAdapter, ValidationError

from ketamine_cds.adapters.fhir import codes as c
from ketamine_cds.adapters.fhir.ketamine_order import (
    concentration_of,
    protocol_of,
    read_amount,
    read_rate,
    read_route,
    recognise,
    referenced_medication,
)
from ketamine_cds.adapters.fhir.medication_request import regimen_from_fhir
from ketamine_cds.adapters.fhir.r4 import Json, bundle_entries, first_problem, parse
from ketamine_cds.adapters.fhir.weight import effective, has_code, weight_of
from ketamine_cds.domain.episode import AnyEvent, Episode
from ketamine_cds.domain.errors import UserInputError
from ketamine_cds.domain.opioids.products import ProductTable
from ketamine_cds.domain.opioids.regimen import RegimenReading
from ketamine_cds.domain.protocols.figures import num
from ketamine_cds.domain.units import BodyWeight, Measure

MAX_ENTRIES = 5000
_EVENT: TypeAdapter[AnyEvent] = TypeAdapter(AnyEvent)
_NOT_READ = {
    "GuidanceResponse": "recommendations are computed again from the events, not read",
    "DetectedIssue": "alerts are computed again from the events, not read",
    "Medication": "read where an order refers to it",
}
_STATEMENT_STATUS = {
    "active": "active",
    "completed": "completed",
    "entered-in-error": "entered-in-error",
    "intended": "draft",
    "stopped": "stopped",
    "on-hold": "on-hold",
    "unknown": "unknown",
    "not-taken": "cancelled",
}
_ROLES = frozenset({"nurse", "pharmacist", "physician", "admin"})
NO_PERFORMER = "not recorded in the EHR"


@dataclass(frozen=True)
class ImportedEpisode:
    """What a Bundle holds, read into the episode file format and the opioid regimen."""

    episode: Episode
    concentration_mg_per_ml: float | None
    regimen: RegimenReading | None
    notes: tuple[str, ...]


@dataclass
class _Entry:
    position: int
    full_url: str | None
    data: Json
    resource: Any

    @property
    def where(self) -> str:
        return f"entry {self.position} ({self.data.get('resourceType')})"

    def refs(self) -> list[str]:
        found = [self.full_url] if self.full_url else []
        if self.resource.id:
            found.append(f"{self.resource.resource_type}/{self.resource.id}")
        return found


@dataclass
class _Reading:
    """What the reader has found so far."""

    name: str
    notes: list[str] = field(default_factory=list)
    events: list[tuple[datetime, int, Json]] = field(default_factory=list)
    by_resource: dict[str, list[Json]] = field(default_factory=lambda: defaultdict(list))


def _tag(resource: Any, system: str) -> str | None:  # noqa: ANN401 - a fhirclient resource
    meta = resource.meta
    for coding in (meta.tag or []) if meta is not None else []:
        if coding.system == system:
            return str(coding.code)
    return None


def _identifier(resource: Any) -> str | None:  # noqa: ANN401 - a fhirclient resource
    for identifier in getattr(resource, "identifier", None) or []:
        if identifier.system == c.EVENT_ID and identifier.value:
            return str(identifier.value)
    return None


def _extension(resource: Any, url: str) -> Any:  # noqa: ANN401 - a fhirclient resource
    for extension in resource.extension or []:
        if extension.url == url:
            return extension
    return None


def _note(resource: Any) -> str | None:  # noqa: ANN401 - a fhirclient resource
    notes = [n.text for n in getattr(resource, "note", None) or [] if n.text]
    return " ".join(notes) if notes else None


def _common(entry: _Entry) -> Json:
    resource = entry.resource
    found: Json = {}
    event_id = _identifier(resource)
    if event_id is not None:
        found["id"] = event_id
    corrects = _extension(resource, c.CORRECTS_EXTENSION)
    if corrects is not None:
        found["corrects"] = corrects.valueString
    note = _note(resource)
    if note:
        found["note"] = note
    return found


def _entries(data: Json, name: str) -> list[_Entry]:
    if data.get("resourceType") != "Bundle":
        raise UserInputError(f"{name} is a {data.get('resourceType')!r}, not a Bundle")
    if len(data.get("entry") or []) > MAX_ENTRIES:
        raise UserInputError(f"{name}: the Bundle has more than {MAX_ENTRIES} entries")
    raw = bundle_entries(data, name)
    found = []
    for position, entry in enumerate(raw, start=1):
        resource = entry.get("resource")
        if resource is None:
            continue
        where = f"{name}, entry {position}"
        found.append(_Entry(position, entry.get("fullUrl"), resource, parse(resource, where)))
    return found


def _moment(value: Any, where: str) -> datetime:  # noqa: ANN401 - a FHIRDateTime
    moment: datetime = value.datetime
    if moment.tzinfo is None:
        if len(str(value.as_json())) <= 10:
            return moment.replace(tzinfo=UTC)
        raise UserInputError(f"{where}: the time {value.as_json()} has no time zone")
    return moment


def _observation_values(entry: _Entry, reading: _Reading) -> Json | None:  # noqa: C901, PLR0911, PLR0912 - one branch per code
    """The episode fields an Observation records, or None when it records none the product reads."""
    obs, where = entry.resource, f"{reading.name}, {entry.where}"
    if has_code(obs, c.PAIN_CODES):
        value = (
            obs.valueInteger
            if obs.valueInteger is not None
            else (obs.valueQuantity.value if obs.valueQuantity is not None else None)
        )
        if value is None or float(value) != int(value):
            raise UserInputError(f"{where}: a pain score must be a whole number from 0 to 10")
        return {"pain": int(value)}
    for name, (code, _, _) in c.VITALS.items():
        codes = c.SPO2_CODES if name == "spo2" else frozenset({code})
        if has_code(obs, codes):
            if obs.valueQuantity is None or obs.valueQuantity.value is None:
                raise UserInputError(f"{where}: the {name.replace('_', ' ')} has no valueQuantity")
            return {name: float(obs.valueQuantity.value)}
    pressures = {c.SYSTOLIC: "systolic_bp", c.DIASTOLIC: "diastolic_bp"}
    if has_code(obs, c.BP_PANEL):
        found = {}
        for component in obs.component or []:
            for code, name in pressures.items():
                if has_code(component, code) and component.valueQuantity is not None:
                    found[name] = float(component.valueQuantity.value)
        return found or None
    for code, name in pressures.items():
        if has_code(obs, code) and obs.valueQuantity is not None:
            return {name: float(obs.valueQuantity.value)}
    if has_code(obs, "sedation", c.OBSERVATION):
        return {"sedation": obs.valueInteger}
    if has_code(obs, "side-effects", c.OBSERVATION):
        return _side_effects(obs)
    return None


def _side_effects(obs: Any) -> Json:  # noqa: ANN401 - a fhirclient Observation
    symptoms, severe, found = [], [], {}
    for component in obs.component or []:
        for coding in component.code.coding or []:
            if coding.system == c.SYMPTOM:
                symptoms.append(coding.code)
                if component.valueString == "severe":
                    severe.append(coding.code)
            elif coding.system == c.OBSERVATION and coding.code == "troublesome":
                found["troublesome"] = bool(component.valueBoolean)
            elif coding.system == c.OBSERVATION and coding.code == "other-symptom":
                found["other_symptom"] = component.valueString
    return {"symptoms": symptoms, "severe": severe, **found}


def _opioid_use(entry: _Entry, at: datetime) -> Json:
    found: Json = {"type": "opioid_use", "at": at.isoformat(), **_common(entry)}
    for component in entry.resource.component or []:
        if has_code(component, "med-24h", c.OBSERVATION) and component.valueQuantity is not None:
            found["med_mg_per_24h"] = float(component.valueQuantity.value)
        if has_code(component, "breakthrough-24h", c.OBSERVATION):
            found["breakthrough_doses_24h"] = component.valueInteger
    return found


def _rate_text(measure: Measure) -> str:
    return f"{num(measure.magnitude())} {measure.canonical_symbol()}"


def _administration(entry: _Entry, reading: _Reading, *, ketamine: bool) -> Json | None:  # noqa: C901, PLR0911 - one branch per kind of administration
    admin, where = entry.resource, f"{reading.name}, {entry.where}"
    moment = admin.effectiveDateTime or (
        admin.effectivePeriod.start if admin.effectivePeriod else None
    )
    if moment is None:
        raise UserInputError(f"{where}: the administration has no effective time")
    at = _moment(moment, where)
    actors = [p.actor for p in admin.performer or [] if p.actor is not None]
    by = next(
        (str(a.display or a.reference) for a in actors if a.display or a.reference), NO_PERFORMER
    )
    base: Json = {"at": at.isoformat(), "by": by, **_common(entry)}
    tag = _tag(admin, c.EVENT_TYPE)
    dosage = admin.dosage
    reason = next((r.text for r in admin.statusReason or [] if r.text), None)
    if not ketamine:
        if dosage is None or dosage.dose is None:
            reading.notes.append(
                f"{entry.where}: an administration of another drug without a dose is not read"
            )
            return None
        drug = admin.medicationCodeableConcept.text if admin.medicationCodeableConcept else None
        if not drug:
            reading.notes.append(
                f"{entry.where}: an administration of another drug names no drug in words "
                "and is not read"
            )
            return None
        route = read_route(dosage.route, where)
        return {
            "type": "prn_given",
            "drug": drug,
            "dose": _rate_text(read_amount(dosage.dose, where)),
            **({"route": route.value} if route else {}),
            **base,
        }
    if admin.status == "entered-in-error":
        reading.notes.append(f"{entry.where}: an administration entered in error is not read")
        return None
    if admin.status == "on-hold" or tag == "pause":
        side = any(
            cd.code == "side-effects" for r in admin.statusReason or [] for cd in r.coding or []
        )
        return {
            "type": "pause",
            "for_side_effects": side,
            **({"reason": reason} if reason else {}),
            **base,
        }
    if admin.status == "stopped" or tag == "stop":
        return {"type": "stop", **({"reason": reason} if reason else {}), **base}
    if dosage is not None and dosage.rateQuantity is not None:
        if dosage.rateQuantity.value is not None and float(dosage.rateQuantity.value) == 0:
            return {"type": "stop", **base}
        rate, _ = read_rate(dosage.rateQuantity, where)
        kind = "resume" if tag == "resume" else "rate_change"
        return {"type": kind, "rate": _rate_text(rate), **base}
    if tag == "resume":
        return {"type": "resume", **base}
    if dosage is not None and dosage.dose is not None:
        route = read_route(dosage.route, where)
        return {
            "type": "dose_given",
            "dose": _rate_text(read_amount(dosage.dose, where)),
            **({"route": route.value} if route else {}),
            **base,
        }
    reading.notes.append(
        f"{entry.where}: a ketamine administration with neither a rate nor a dose is not read"
    )
    return None


def _provenance(entries: list[_Entry], reading: _Reading) -> dict[str, Json]:
    """Who recorded each resource, in which role, and when, from the Provenance resources."""
    found: dict[str, Json] = {}
    for entry in entries:
        if entry.resource.resource_type != "Provenance":
            continue
        prov = entry.resource
        recorded = _moment(prov.recorded, f"{reading.name}, {entry.where}")
        author = prov.agent[0]
        facts: Json = {"recorded_at": recorded}
        if author.who is not None and (author.who.display or author.who.reference):
            facts["recorded_by"] = str(author.who.display or author.who.reference)
        for role in author.role or []:
            for coding in role.coding or []:
                if coding.system == c.ROLE and coding.code in _ROLES:
                    facts["role"] = coding.code
        for target in prov.target or []:
            if target.reference:
                found[str(target.reference)] = facts
    return found


def _regimen(
    entries: list[_Entry], products: ProductTable, reading: _Reading
) -> RegimenReading | None:
    """The opioid regimen of the other orders and statements; each one refused is listed."""
    accepted: list[Json] = []
    medications = [e.data for e in entries if e.data.get("resourceType") == "Medication"]
    for entry in entries:
        data = entry.data
        if data.get("resourceType") == "MedicationStatement":
            data = {
                "resourceType": "MedicationRequest",
                **{
                    k: v
                    for k, v in data.items()
                    if k
                    in {
                        "id",
                        "identifier",
                        "medicationCodeableConcept",
                        "medicationReference",
                        "subject",
                        "contained",
                    }
                },
                "status": _STATEMENT_STATUS.get(str(data.get("status")), "unknown"),
                "intent": "plan",
                "dosageInstruction": data.get("dosage", []),
            }
        elif (
            data.get("resourceType") != "MedicationRequest"
            or recognise(entry.resource, {}) is not None
        ):
            continue
        single = {
            "resourceType": "Bundle",
            "type": "collection",
            "entry": [{"resource": data}, *({"resource": m} for m in medications)],
        }
        try:
            regimen_from_fhir(single, entry.where, products)
        except UserInputError as error:
            reading.notes.append(f"{entry.where} is not read for the opioid regimen: {error}")
            continue
        accepted.append(data)
    if not accepted:
        return None
    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [*({"resource": d} for d in accepted), *({"resource": m} for m in medications)],
    }
    return regimen_from_fhir(bundle, reading.name, products)


def _ketamine_order(entries: list[_Entry], reading: _Reading) -> tuple[_Entry, Any]:
    medications = {
        k: e.resource for e in entries if e.resource.resource_type == "Medication" for k in e.refs()
    }
    orders = [
        e
        for e in entries
        if e.resource.resource_type == "MedicationRequest" and recognise(e.resource, medications)
    ]
    active = [
        e for e in orders if e.resource.status in {"active", "completed", "stopped", "on-hold"}
    ] or orders
    if not active:
        raise UserInputError(
            f"{reading.name} holds no ketamine MedicationRequest (RxNorm 6130 or a ketamine "
            "product)"
        )
    if len(active) > 1:
        raise UserInputError(
            f"{reading.name} holds {len(active)} ketamine orders; export one episode at a time"
        )
    return active[0], referenced_medication(active[0].resource, medications)


def _pain_goal(entries: list[_Entry], given: int | None, reading: _Reading) -> int:
    for entry in entries:
        if entry.resource.resource_type != "Goal":
            continue
        for target in entry.resource.target or []:
            measure = target.measure
            if measure is None or not any(
                cd.system == c.LOINC and cd.code in c.PAIN_CODES for cd in measure.coding or []
            ):
                continue
            if target.detailInteger is not None:
                return int(target.detailInteger)
            if target.detailQuantity is not None and target.detailQuantity.value is not None:
                return int(target.detailQuantity.value)
    if given is not None:
        return given
    raise UserInputError(
        f"{reading.name} holds no pain goal (a Goal whose target measure is LOINC 72514-3); "
        "give one"
    )


def read_episode_bundle(  # noqa: C901, PLR0912, PLR0915 - the reading order of the resources
    data: Json,
    name: str,
    products: ProductTable,
    *,
    protocol_id: str | None = None,
    pain_goal: int | None = None,
) -> ImportedEpisode:
    """The episode and opioid regimen a FHIR R4 Bundle holds; a sentence for what is not read."""
    reading = _Reading(name)
    entries = _entries(data, name)
    order_entry, medication = _ketamine_order(entries, reading)
    order = order_entry.resource
    named, version = protocol_of(order, f"{name}, {order_entry.where}")
    chosen = protocol_id or named
    if chosen is None:
        raise UserInputError(
            f"{name}: the ketamine order names no protocol (instantiatesCanonical "
            "…/PlanDefinition/ID); give one"
        )
    concentration = concentration_of(medication, f"{name}, {order_entry.where}")
    phase = _extension(order, f"{c.PRODUCT}:extension:phase")
    medications = {
        k: e.resource for e in entries if e.resource.resource_type == "Medication" for k in e.refs()
    }
    admins = [e for e in entries if e.resource.resource_type == "MedicationAdministration"]
    ketamine_admins = [e for e in admins if _is_ketamine_admin(e.resource, medications)]
    if order.authoredOn is not None:
        started = _moment(order.authoredOn, f"{name}, {order_entry.where}")
    elif ketamine_admins:
        started = min(
            _moment(e.resource.effectiveDateTime or e.resource.effectivePeriod.start, e.where)
            for e in ketamine_admins
        )
    else:
        raise UserInputError(
            f"{name}: the ketamine order has no authoredOn and nothing was given; the start "
            "cannot be told"
        )
    provenance = _provenance(entries, reading)
    # In time order, so the baseline keeps the latest reading of each sign before the start.
    earliest = datetime.min.replace(tzinfo=UTC)
    observations = sorted(
        (e for e in entries if e.resource.resource_type == "Observation"),
        key=lambda e: (effective(e.resource) or earliest, e.position),
    )
    weights = [
        e
        for e in observations
        if has_code(e.resource, c.BODY_WEIGHT)
        and e.resource.status in {"final", "amended", "corrected"}
    ]
    weight = _weight(weights, started, reading)
    tagged = any(_tag(e.resource, c.EPISODE_PART) == "baseline" for e in observations)
    baseline: Json = {}
    groups: dict[str, tuple[datetime, int, Json]] = {}
    for entry in observations:
        obs = entry.resource
        if entry in weights or has_code(obs, c.BODY_WEIGHT):
            continue
        if obs.status in {"entered-in-error", "cancelled"}:
            reading.notes.append(f"{entry.where}: an Observation {obs.status} is not read")
            continue
        moment = effective(obs)
        if moment is None:
            reading.notes.append(
                f"{entry.where}: an Observation without an effective time is not read"
            )
            continue
        if has_code(obs, "opioid-use", c.OBSERVATION):
            _add(reading, moment, entry, _opioid_use(entry, moment), provenance)
            continue
        values = _observation_values(entry, reading)
        if values is None:
            shown = ", ".join(f"{cd.system}|{cd.code}" for cd in obs.code.coding or []) or "no code"
            reading.notes.append(
                f"{entry.where}: an Observation with {shown} is not one the product reads"
            )
            continue
        is_baseline = _tag(obs, c.EPISODE_PART) == "baseline" if tagged else moment <= started
        if is_baseline:
            baseline.update(
                {
                    k: v
                    for k, v in values.items()
                    if k
                    in {
                        "pain",
                        "heart_rate",
                        "systolic_bp",
                        "diastolic_bp",
                        "respiratory_rate",
                        "spo2",
                    }
                }
            )
            continue
        key = _identifier(obs) or moment.isoformat()
        if key not in groups:
            event: Json = {
                "type": "observation",
                "at": moment.isoformat(),
                "symptoms": [],
                "severe": [],
            }
            groups[key] = (moment, entry.position, event)
            reading.by_resource[key].append(event)
        event = groups[key][2]
        for field_name in ("symptoms", "severe"):
            event[field_name] = [*event[field_name], *values.pop(field_name, [])]
        event.update(values)
        event.update(_common(entry))
        for ref in entry.refs():
            if ref in provenance:
                event.update(provenance[ref])
    for moment, position, event in groups.values():
        reading.events.append((moment, position, event))
    for entry in admins:
        made = _administration(entry, reading, ketamine=entry in ketamine_admins)
        if made is not None:
            _add(reading, _moment_of(made), entry, made, provenance)
    for entry in entries:
        kind = entry.resource.resource_type
        if kind == "Basic":
            carried = _extension(entry.resource, c.EVENT_EXTENSION)
            if carried is None:
                reading.notes.append(
                    f"{entry.where}: a Basic resource is not one the product reads"
                )
                continue
            try:
                event = _EVENT.validate_json(carried.valueString).model_dump(
                    mode="json", exclude_none=True
                )
            except ValidationError:
                raise UserInputError(
                    f"{name}, {entry.where}: the event it carries is not an episode event"
                ) from None
            _add(reading, _moment_of(event), entry, event, {})
        elif kind in _NOT_READ:
            if kind != "Medication":
                reading.notes.append(f"{entry.where}: {_NOT_READ[kind]}")
        elif kind not in {
            "Patient",
            "Observation",
            "MedicationRequest",
            "MedicationAdministration",
            "MedicationStatement",
            "Goal",
            "Provenance",
        }:
            reading.notes.append(f"{entry.where}: a {kind} is not read")
    if "pain" not in baseline:
        raise UserInputError(
            f"{name} holds no pain score at or before the start ({started.isoformat()}) for "
            "the baseline"
        )
    regimen = _regimen(entries, products, reading)
    if regimen is None:
        reading.notes.append("No opioid order or statement was read: the regimen is empty")
    reading.events.sort(key=lambda item: (item[0], item[1]))
    patient = _patient(entries, reading)
    document: Json = {
        "patient": {"id": patient, "weight": weight},
        "protocol": {"id": chosen, **({"version": version} if version and not protocol_id else {})},
        "started_at": started.isoformat(),
        "baseline": baseline,
        "pain_goal": _pain_goal(entries, pain_goal, reading),
        "events": [_clean(e) for _, _, e in reading.events],
    }
    if phase is not None:
        document["phase"] = phase.valueCode
    try:
        episode = Episode.model_validate(document)
    except ValidationError as error:
        raise UserInputError(
            f"{name}: the episode read from it is not valid: {first_problem(error)}"
        ) from None
    return ImportedEpisode(
        episode=episode,
        concentration_mg_per_ml=None if concentration is None else concentration.magnitude("mg/mL"),
        regimen=regimen,
        notes=tuple(reading.notes),
    )


def _is_ketamine_admin(admin: Any, medications: dict[str, Any]) -> bool:  # noqa: ANN401 - a MedicationAdministration
    return recognise(admin, medications) is not None


def _moment_of(event: Json) -> datetime:
    return datetime.fromisoformat(str(event["at"]))


def _add(
    reading: _Reading, moment: datetime, entry: _Entry, event: Json, provenance: dict[str, Json]
) -> None:
    for ref in entry.refs():
        if ref in provenance:
            event.update(provenance[ref])
    reading.events.append((moment, entry.position, event))


def _clean(event: Json) -> Json:
    cleaned = {k: v for k, v in event.items() if v not in (None, [])}
    at, recorded = cleaned.get("at"), cleaned.get("recorded_at")
    if isinstance(recorded, datetime):
        if datetime.fromisoformat(str(at)) == recorded:
            cleaned.pop("recorded_at")
        else:
            cleaned["recorded_at"] = recorded.isoformat()
    return cleaned


def _weight(weights: list[_Entry], started: datetime, reading: _Reading) -> str:
    if not weights:
        raise UserInputError(
            f"{reading.name} holds no body weight (an Observation with LOINC 29463-7)"
        )
    dated = [(effective(e.resource), e) for e in weights]
    before = [(m, e) for m, e in dated if m is not None and m <= started]
    if before:
        _, chosen = max(before, key=lambda pair: pair[0])
    else:
        chosen = weights[0]
        reading.notes.append(
            f"{chosen.where}: no body weight was measured before the start; the first one is used"
        )
    weight: BodyWeight = weight_of(chosen.resource, f"{reading.name}, {chosen.where}")
    return weight.entered


def _patient(entries: list[_Entry], reading: _Reading) -> str | None:
    patients = [e for e in entries if e.resource.resource_type == "Patient"]
    if len(patients) > 1:
        raise UserInputError(
            f"{reading.name} holds {len(patients)} Patients; export one patient's episode"
        )
    if not patients:
        return None
    patient = patients[0].resource
    for identifier in patient.identifier or []:
        if identifier.system == f"{c.PRODUCT}:patient" and identifier.value:
            return str(identifier.value)
    return str(patient.id) if patient.id else None


def imported_json(imported: ImportedEpisode) -> Json:
    """An import as JSON: the episode file, the bag, the opioid regimen, and what was not read."""
    regimen = imported.regimen
    return {
        "episode": imported.episode.model_dump(mode="json", exclude_none=True),
        "concentration_mg_per_ml": imported.concentration_mg_per_ml,
        "opioid_regimen": None
        if regimen is None
        else {
            "regimen": regimen.regimen.model_dump(mode="json", exclude_none=True),
            "not_counted": [{"what": n.what, "reason": n.reason} for n in regimen.not_counted],
            "warnings": list(regimen.warnings),
        },
        "notes": list(imported.notes),
    }
