"""How figures are shown: exact, without float noise, and phases found by id with one sentence."""

from __future__ import annotations

from ketamine_cds.domain.errors import UserInputError
from ketamine_cds.domain.protocols.schema import Phase, Protocol


def exact(value: float) -> float:
    """A figure as shown: float noise from unit arithmetic removed (12 significant digits)."""
    return float(f"{value:.12g}")


def num(value: float) -> str:
    """A figure in running text: exact, without float noise or a trailing '.0'."""
    return f"{value:.12g}"


def phase_by_id(protocol: Protocol, phase_id: str) -> Phase:
    """The phase ``phase_id`` of ``protocol``, or one sentence naming the phases it has."""
    try:
        return protocol.phase(phase_id)
    except KeyError:
        known = ", ".join(phase.id for phase in protocol.phases)
        raise UserInputError(
            f"protocol '{protocol.id}' has no phase '{phase_id}'; its phases: {known}"
        ) from None
