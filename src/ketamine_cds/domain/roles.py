"""Who may do what in the clinical record, from the sources and hospital practice.

- Only a physician of the ordering service starts (or imports) an episode, overrides a soft limit,
  records a physician's decision or gives a bolus: seed 001 ("available only to specialized pain
  services"); published hospital policies add that nurses run the infusion but do not bolus.
- A pharmacist verifies the order before the first dose or rate: ketamine is on ISMP's list of
  high-alert medications, for which an independent check is the standard.
- A nurse records observations, as-needed adjuncts, opioid use, pauses, restarts and titrations
  within the protocol (seed 001: "orders for the nursing staff to adjust the dose"), and stops the
  infusion when a stop criterion holds (seed 000: "Stop infusion if P>110 ...", an order to the
  bedside).
- A physician may also record observations and bedside events (the product's reading: the
  ordering physician examines the patient; decision record 0052).
- An admin manages users and nothing clinical: no episode is shown to an admin.

A refusal is one sentence naming the role (or roles) needed.
"""

from __future__ import annotations

from typing import Literal, get_args

from ketamine_cds.domain.errors import UserInputError

Role = Literal["nurse", "pharmacist", "physician", "admin"]
ROLES: tuple[Role, ...] = get_args(Role)

Action = Literal[
    "episode.start",
    "episode.import",
    "episode.read",
    "episode.verify",
    "episode.recommend",
    "event.observation",
    "event.rate_change",
    "event.pause",
    "event.resume",
    "event.stop",
    "event.dose_given",
    "event.prn_given",
    "event.opioid_use",
    "event.physician_override",
    "event.physician_decision",
    "event.phase_change",
    "event.entered_in_error",
    "user.add",
    "user.list",
    "audit.verify",
]

_CLINICAL: frozenset[Role] = frozenset({"nurse", "pharmacist", "physician"})
_BEDSIDE: frozenset[Role] = frozenset({"nurse", "physician"})
_PHYSICIAN: frozenset[Role] = frozenset({"physician"})

ALLOWED: dict[Action, frozenset[Role]] = {
    "episode.start": _PHYSICIAN,
    "episode.import": _PHYSICIAN,
    "episode.read": _CLINICAL,
    "episode.verify": frozenset({"pharmacist"}),
    "episode.recommend": _CLINICAL,
    "event.observation": _BEDSIDE,
    "event.rate_change": _BEDSIDE,
    "event.pause": _BEDSIDE,
    "event.resume": _BEDSIDE,
    "event.stop": _BEDSIDE,
    "event.dose_given": _PHYSICIAN,
    "event.prn_given": _BEDSIDE,
    "event.opioid_use": _CLINICAL,
    "event.physician_override": _PHYSICIAN,
    "event.physician_decision": _PHYSICIAN,
    "event.phase_change": _BEDSIDE,
    # Withdrawing an event also needs the role that may record the event withdrawn.
    "event.entered_in_error": _CLINICAL,
    "user.add": frozenset({"admin"}),
    "user.list": frozenset({"admin"}),
    "audit.verify": frozenset(ROLES),
}

_WHAT: dict[Action, str] = {
    "episode.start": "starting an episode",
    "episode.import": "importing an episode",
    "episode.read": "reading an episode",
    "episode.verify": "verifying an episode's order",
    "episode.recommend": "asking for a recommendation",
    "event.observation": "recording an observation",
    "event.rate_change": "recording a rate change",
    "event.pause": "recording a pause",
    "event.resume": "recording a restart",
    "event.stop": "recording a stop",
    "event.dose_given": "recording a bolus or dose",
    "event.prn_given": "recording an as-needed adjunct",
    "event.opioid_use": "recording opioid use",
    "event.physician_override": "overriding a soft limit",
    "event.physician_decision": "recording a physician's decision",
    "event.phase_change": "recording a phase change",
    "event.entered_in_error": "marking an event entered in error",
    "user.add": "adding a user",
    "user.list": "listing users",
    "audit.verify": "verifying the audit trail",
}

_ORDER: tuple[Role, ...] = ("physician", "pharmacist", "nurse", "admin")


class NotPermittedError(UserInputError):
    """The actor's role may not do this; the message names the role needed."""

    def __init__(self, action: Action, actor: str, role: Role) -> None:
        self.action = action
        self.actor = actor
        self.role = role
        super().__init__(refusal(action, actor, role))


def event_action(event_type: str) -> Action:
    """The action of recording an event of ``event_type`` (a type of the episode format)."""
    action = f"event.{event_type}"
    if action not in ALLOWED:
        raise UserInputError(f"'{event_type}' is not an event type the record knows")
    return action


def may(role: Role, action: Action) -> bool:
    """Whether ``role`` may do ``action``."""
    return role in ALLOWED[action]


def _article(role: Role) -> str:
    return "an" if role == "admin" else "a"


def refusal(action: Action, actor: str, role: Role) -> str:
    """The one sentence a refusal says: what was asked, the role needed, the actor's role."""
    needed = [r for r in _ORDER if r in ALLOWED[action]]
    names = needed[0] if len(needed) == 1 else f"{', '.join(needed[:-1])} or {needed[-1]}"
    what = _WHAT[action]
    return (
        f"{what[:1].upper()}{what[1:]} needs the {names} role; {actor} is {_article(role)} {role}"
    )


def require(role: Role, action: Action, actor: str) -> None:
    """Refuse, naming the role needed, unless ``role`` may do ``action``."""
    if not may(role, action):
        raise NotPermittedError(action, actor, role)
