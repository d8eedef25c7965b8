"""Protocols and the limit table as their files say now, each with the SHA-256 of its text.

The shipped files are read from the installed package; a hospital's folders are read again
whenever a file there changes (its size or modification time), so a running server sees an
edited protocol on the next request. Nothing but the files decides what a request sees: the
kept parse is only reused while the file it came from is unchanged.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from pydantic import ValidationError

from ketamine_cds.adapters.data_files import read_data_text
from ketamine_cds.adapters.documents import read_bytes
from ketamine_cds.adapters.protocol_files import (
    describe_validation_error,
    parse_protocol_text,
    shipped_protocol_texts,
)
from ketamine_cds.domain.errors import ProtocolFileError, UserInputError
from ketamine_cds.domain.protocols.limits import LimitTable
from ketamine_cds.domain.protocols.schema import Protocol
from ketamine_cds.service.ports import LoadedLimits, LoadedProtocol

# libyaml's scanner and parser under PyYAML's safe constructor and resolver: the same values as
# yaml.safe_load, about eight times faster on the limit table; PyYAML's own where libyaml is absent.
_SAFE_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def content_hash(text: str) -> str:
    """The SHA-256 of a file's text (UTF-8)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass
class FileProtocolSource:
    """The shipped protocols plus a hospital's folders; a local file may not shadow a shipped id."""

    extra_dirs: tuple[Path, ...] = ()
    _parsed: dict[str, tuple[str, Protocol]] = field(default_factory=dict, repr=False)
    _local_stamp: tuple[tuple[str, int, int], ...] | None = field(default=None, repr=False)
    _local: dict[str, LoadedProtocol] = field(default_factory=dict, repr=False)
    _tables: dict[str, LimitTable] = field(default_factory=dict, repr=False)
    _shipped_texts: dict[str, str] | None = field(default=None, repr=False)
    _limits_text: str | None = field(default=None, repr=False)

    def _parse(self, text: str, name: str) -> Protocol:
        digest = content_hash(text)
        kept = self._parsed.get(digest)
        if kept is None:
            kept = (name, parse_protocol_text(text, name))
            self._parsed[digest] = kept
        return kept[1]

    def _texts(self) -> dict[str, str]:
        # The shipped files are part of the installed software: read once per source.
        if self._shipped_texts is None:
            self._shipped_texts = shipped_protocol_texts()
        return self._shipped_texts

    def _shipped_one(self, name: str) -> LoadedProtocol:
        text = self._texts()[name]
        protocol = self._parse(text, name)
        if f"{protocol.id}.yaml" != name:
            # A shipped file is found by its name, so its name must be its id.
            raise ProtocolFileError(f"{name} declares id '{protocol.id}'; it must be {name[:-5]}")
        return LoadedProtocol(protocol, text, content_hash(text))

    def _shipped_ids(self) -> set[str]:
        return {name.removesuffix(".yaml") for name in self._texts()}

    def _hospital(self, shipped: set[str]) -> dict[str, LoadedProtocol]:
        paths = sorted(p for folder in self.extra_dirs for p in folder.glob("*.yaml"))
        stamp = tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in paths)
        if stamp == self._local_stamp:
            return self._local
        found: dict[str, LoadedProtocol] = {}
        for path in paths:
            data = read_bytes(path, "protocol file", error_type=ProtocolFileError)
            # The strict reader refuses anything but UTF-8 before the text is kept.
            parse_protocol_text(data, path.name)
            text = data.decode("utf-8-sig")
            protocol = self._parse(text, path.name)
            if protocol.id != path.stem:
                raise ProtocolFileError(
                    f"{path.name} declares id '{protocol.id}'; the file must be named "
                    f"{protocol.id}.yaml"
                )
            if protocol.id in shipped or protocol.id in found:
                raise ProtocolFileError(
                    f"{path} uses the id '{protocol.id}' of a protocol already loaded; "
                    "give a local protocol its own id"
                )
            found[protocol.id] = LoadedProtocol(protocol, text, content_hash(text))
        self._local_stamp, self._local = stamp, found
        return found

    def get(self, protocol_id: str) -> LoadedProtocol:
        """The protocol with this id, as its file says now (only that file is parsed)."""
        shipped = self._shipped_ids()
        local = self._hospital(shipped)
        if protocol_id in shipped:
            return self._shipped_one(f"{protocol_id}.yaml")
        if protocol_id not in local:
            known = ", ".join(sorted(shipped | set(local)))
            raise UserInputError(f"there is no protocol '{protocol_id}'; known protocols: {known}")
        return local[protocol_id]

    def all(self) -> list[LoadedProtocol]:
        """Every protocol, ordered by id."""
        shipped = self._shipped_ids()
        found = {name: self._shipped_one(f"{name}.yaml") for name in shipped}
        found.update(self._hospital(shipped))
        return [found[key] for key in sorted(found)]

    def limits(self) -> LoadedLimits:
        """The shipped limit table."""
        if self._limits_text is None:
            self._limits_text = read_data_text("limits.yaml")
        text = self._limits_text
        return LoadedLimits(self.limits_from_text(text), text, content_hash(text))

    def protocol_from_text(self, text: str) -> Protocol:
        """A protocol from archived text."""
        return self._parse(text, "the archived protocol")

    def limits_from_text(self, text: str) -> LimitTable:
        """A limit table from its text (kept by content hash: the same text, the same table)."""
        digest = content_hash(text)
        if digest not in self._tables:
            try:
                data = yaml.load(text, Loader=_SAFE_LOADER)  # noqa: S506 - the safe loader
                self._tables[digest] = LimitTable.model_validate(data)
            except ValidationError as error:
                raise ProtocolFileError(describe_validation_error("limits.yaml", error)) from None
        return self._tables[digest]
