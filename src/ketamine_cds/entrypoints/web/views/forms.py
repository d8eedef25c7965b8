"""The episode page's forms read into events of the episode file's vocabulary.

A form's text is handed to the same models that read an episode file, so a page and a file
accept the same things and refuse them with the same sentence. An empty field is left out,
never read as zero. A time left empty is now; a time typed without a zone is the ward's.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from ketamine_cds.domain.episode import AnyEvent
from ketamine_cds.domain.errors import UserInputError
from ketamine_cds.entrypoints.web.presenters.formatting import WARD_ZONE
from ketamine_cds.service.record_support import EVENT_ADAPTER

FormValues = Mapping[str, Sequence[str]]
OBSERVATION_NUMBERS = (
    "pain",
    "heart_rate",
    "systolic_bp",
    "diastolic_bp",
    "respiratory_rate",
    "spo2",
    "sedation",
)
_LABELS = {
    "pain": "the pain score",
    "heart_rate": "the heart rate",
    "systolic_bp": "the systolic blood pressure",
    "diastolic_bp": "the diastolic blood pressure",
    "respiratory_rate": "the respiratory rate",
    "spo2": "the SpO₂",
    "sedation": "the sedation score",
    "rate_mg_per_h": "the rate",
    "rate": "the rate",
    "reason": "the reason",
    "drug": "the drug",
    "dose": "the dose",
    "at": "the time",
    "other_symptom": "the other symptom",
    "up_to": "the rate allowed",
}


def one(form: FormValues, name: str) -> str | None:
    """A field's text, stripped; None when it is missing or empty."""
    values = form.get(name) or []
    text = values[-1].strip() if values else ""
    return text or None


def many(form: FormValues, name: str) -> list[str]:
    """Every non-empty value of a repeated field (ticked boxes)."""
    return [v.strip() for v in form.get(name) or [] if v.strip()]


def ticked(form: FormValues, name: str) -> bool:
    """Whether a checkbox was ticked."""
    return one(form, name) is not None


def number(form: FormValues, name: str) -> float | None:
    """A number typed in a field, or one sentence saying it is not one."""
    return read_number(one(form, name), _LABELS.get(name, name))


def read_number(text: str | None, label: str) -> float | None:
    """A plain decimal number (a comma is read as the decimal point), or one sentence."""
    if text is None or not text.strip():
        return None
    try:
        value = float(text.strip().replace(",", "."))
    except ValueError:
        raise UserInputError(f"{label} '{text[:20]}' is not a number") from None
    if not math.isfinite(value):
        raise UserInputError(f"{label} '{text[:20]}' is not a number")
    return value


def moment(form: FormValues, now: datetime) -> datetime:
    """When the event happened: the form's time (the ward's zone unless one is given), or now."""
    text = one(form, "at")
    if text is None:
        return now
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise UserInputError(
            f"the time '{text[:30]}' is not a date and time (e.g. 2024-03-02T08:00)"
        ) from None
    return value if value.tzinfo is not None else value.replace(tzinfo=WARD_ZONE)


def sentence(error: ValidationError) -> str:
    """The first problem pydantic found, as one sentence naming the field."""
    first = error.errors()[0]
    where = next((str(p) for p in first["loc"] if str(p) in _LABELS), None)
    message = str(first["msg"]).removeprefix("Value error, ")
    return f"{_LABELS[where]}: {message}" if where else message


def event(values: dict[str, Any]) -> AnyEvent:
    """An event from its fields, or one sentence saying what is wrong with them."""
    try:
        return EVENT_ADAPTER.validate_python({k: v for k, v in values.items() if v is not None})
    except ValidationError as error:
        raise UserInputError(sentence(error)) from None


def _whole(value: float | None, name: str) -> int | None:
    if value is None:
        return None
    if value != int(value):
        raise UserInputError(f"{_LABELS[name]} is a whole number, not {value:g}")
    return int(value)


def observation(form: FormValues, at: datetime) -> AnyEvent:
    """An observation from the observation form."""
    values: dict[str, Any] = {"type": "observation", "at": at, "note": one(form, "note")}
    for name in OBSERVATION_NUMBERS:
        value = number(form, name)
        values[name] = _whole(value, name) if name in {"pain", "sedation"} else value
    values["symptoms"] = many(form, "symptoms")
    values["severe"] = many(form, "severe")
    values["troublesome"] = ticked(form, "troublesome")
    values["other_symptom"] = one(form, "other_symptom")
    return event(values)


def rate_text(form: FormValues, name: str = "rate_mg_per_h") -> str:
    """The rate typed in mg/h, as the episode format writes it."""
    value = number(form, name)
    if value is None:
        raise UserInputError("give the new rate in mg/h")
    return f"{value:g} mg/h"


def rate_change(form: FormValues, at: datetime, by: str) -> AnyEvent:
    """A rate change from the rate form."""
    return event(
        {
            "type": "rate_change",
            "at": at,
            "rate": rate_text(form),
            "by": by,
            "note": one(form, "note"),
        }
    )


def override(form: FormValues, at: datetime, physician: str) -> AnyEvent:
    """A physician's override of a soft limit, up to the rate the form names."""
    return event(
        {
            "type": "physician_override",
            "at": at,
            "physician": physician,
            "reason": one(form, "reason"),
            "up_to": rate_text(form),
        }
    )


def prn(form: FormValues, at: datetime, by: str) -> AnyEvent:
    """An as-needed dose from the PRN form."""
    return event(
        {
            "type": "prn_given",
            "at": at,
            "drug": one(form, "drug"),
            "dose": one(form, "dose"),
            "route": one(form, "route"),
            "by": by,
            "note": one(form, "note"),
        }
    )


def pause(form: FormValues, at: datetime, by: str) -> AnyEvent:
    """A pause from the pause form."""
    return event(
        {
            "type": "pause",
            "at": at,
            "by": by,
            "reason": one(form, "reason"),
            "for_side_effects": ticked(form, "for_side_effects"),
        }
    )


def stop(form: FormValues, at: datetime, by: str) -> AnyEvent:
    """A stop from the stop form."""
    return event({"type": "stop", "at": at, "by": by, "reason": one(form, "reason")})


def recommendation_id(form: FormValues) -> int | None:
    """The recommendation the user acted on (the form names it), if any."""
    text = one(form, "against")
    if text is None:
        return None
    if not text.isdigit():
        raise UserInputError(f"'{text[:20]}' does not name a recommendation")
    return int(text)


def positive(text: str | None, label: str) -> float | None:
    """A positive number typed in a field (None when empty), or one sentence."""
    value = read_number(text, label)
    if value is None:
        return None
    if value <= 0:
        raise UserInputError(f"{label} '{value:g}' is not a positive number")
    return value
