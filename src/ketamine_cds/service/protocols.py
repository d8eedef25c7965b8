"""The protocol library: the shipped protocols plus any a hospital adds as files."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ketamine_cds.adapters.protocol_files import read_protocol_file, shipped_protocols
from ketamine_cds.domain.errors import ProtocolFileError, UserInputError
from ketamine_cds.domain.protocols.schema import Protocol


@dataclass
class ProtocolLibrary:
    """Every protocol the product can use, by id; local files may not shadow a shipped id."""

    extra_dirs: tuple[Path, ...] = ()
    _cache: dict[str, Protocol] | None = field(default=None, repr=False)

    def _load(self) -> dict[str, Protocol]:
        if self._cache is None:
            found: dict[str, Protocol] = {}
            for protocol in shipped_protocols():
                found[protocol.id] = protocol
            for folder in self.extra_dirs:
                for path in sorted(folder.glob("*.yaml")):
                    protocol = read_protocol_file(path)
                    if protocol.id in found:
                        raise ProtocolFileError(
                            f"{path} uses the id '{protocol.id}' of a protocol already loaded; "
                            "give a local protocol its own id"
                        )
                    found[protocol.id] = protocol
            self._cache = found
        return self._cache

    def all(self) -> list[Protocol]:
        """Every protocol, ordered by id."""
        return [self._load()[key] for key in sorted(self._load())]

    def get(self, protocol_id: str) -> Protocol:
        """The protocol with ``protocol_id``, or one sentence listing the known ids."""
        protocols = self._load()
        if protocol_id not in protocols:
            known = ", ".join(sorted(protocols))
            raise UserInputError(f"there is no protocol '{protocol_id}'; known protocols: {known}")
        return protocols[protocol_id]


_default = ProtocolLibrary()


def configure(extra_dirs: tuple[Path, ...]) -> None:
    """Point the default library at a hospital's own protocol folders (see bootstrap)."""
    global _default  # noqa: PLW0603 - one library per process, set once at start-up
    _default = ProtocolLibrary(extra_dirs=extra_dirs)


def load_protocol(protocol_id: str) -> Protocol:
    """The protocol with ``protocol_id`` from the configured library."""
    return _default.get(protocol_id)


def list_protocols() -> list[Protocol]:
    """Every protocol in the configured library, ordered by id."""
    return _default.all()
