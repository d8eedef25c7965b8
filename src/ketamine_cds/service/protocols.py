"""The protocol library: the protocols the source holds now (the shipped ones and a hospital's)."""

from __future__ import annotations

from ketamine_cds.domain.protocols.schema import Protocol
from ketamine_cds.service.ports import ProtocolSource


def load_protocol(source: ProtocolSource, protocol_id: str) -> Protocol:
    """The protocol with ``protocol_id``, or one sentence listing the known ids."""
    return source.get(protocol_id).protocol


def list_protocols(source: ProtocolSource) -> list[Protocol]:
    """Every protocol, ordered by id."""
    return [loaded.protocol for loaded in source.all()]
