"""Reads protocol files: YAML text in, a validated :class:`Protocol` out.

A file that does not match the schema is refused with one sentence naming the file, the place
in it and what is wrong (an unknown key, a missing field, a rate written without its unit).
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path

from pydantic import ValidationError

from ketamine_cds.adapters.documents import is_json_path, parse_structured, read_bytes
from ketamine_cds.adapters.plausible_values import first_implausible
from ketamine_cds.domain.errors import ProtocolFileError
from ketamine_cds.domain.protocols.schema import Protocol

SHIPPED_PACKAGE = "ketamine_cds.protocols"


def _where(location: tuple[int | str, ...]) -> str:
    parts: list[str] = []
    for part in location:
        if isinstance(part, int):
            parts.append(f"[{part}]")
        elif not (part[:1].isupper() or "[" in part or part.startswith("function-")):
            # pydantic adds union-branch names (class names, tagged types) to the location;
            # only field names help a reader find the place in the file.
            parts.append(f".{part}" if parts else part)
    return "".join(parts) or "the top level"


def describe_validation_error(name: str, error: ValidationError) -> str:
    """One sentence for the first problem pydantic found in ``name``."""
    first = error.errors()[0]
    location = tuple(first["loc"])
    if first["type"] == "extra_forbidden":
        key = location[-1]
        return f"{name}: unknown key '{key}' at {_where(location[:-1])}"
    if first["type"] == "missing":
        return f"{name}: '{location[-1]}' is required at {_where(location[:-1])}"
    message = str(first["msg"]).removeprefix("Value error, ")
    return f"{name}: {message} (at {_where(location)})"


def parse_protocol_text(text: str | bytes, name: str, *, as_json: bool = False) -> Protocol:
    """Validate one protocol's YAML or JSON (best given as bytes); ``name`` names the file."""
    data = parse_structured(text, name, as_json=as_json, error_type=ProtocolFileError)
    if not isinstance(data, dict):
        raise ProtocolFileError(f"{name} does not hold a protocol (expected a mapping of keys)")
    try:
        protocol = Protocol.model_validate(data)
    except ValidationError as error:
        raise ProtocolFileError(describe_validation_error(name, error)) from None
    implausible = first_implausible(protocol)
    if implausible is not None:
        place, problem = implausible
        raise ProtocolFileError(f"{name}: {problem} (at {_where(place)})")
    return protocol


def read_protocol_file(path: Path) -> Protocol:
    """Read and validate a protocol file from disk."""
    data = read_bytes(path, "protocol file", error_type=ProtocolFileError)
    protocol = parse_protocol_text(data, path.name, as_json=is_json_path(path))
    if protocol.id != path.stem:
        raise ProtocolFileError(
            f"{path.name} declares id '{protocol.id}'; the file must be named "
            f"{protocol.id}{path.suffix or '.yaml'}"
        )
    return protocol


@cache
def shipped_protocols() -> tuple[Protocol, ...]:
    """Every protocol shipped with the product, parsed once per process (as strictly as any)."""
    return tuple(parse_protocol_text(text, name) for name, text in shipped_protocol_texts().items())


def shipped_protocol_texts() -> dict[str, str]:
    """The YAML text of every protocol shipped with the product, by file name."""
    folder = resources.files(SHIPPED_PACKAGE)
    return {
        entry.name: entry.read_text(encoding="utf-8")
        for entry in sorted(folder.iterdir(), key=lambda e: e.name)
        if entry.name.endswith(".yaml")
    }
