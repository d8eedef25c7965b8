"""The one strict reader of the YAML and JSON documents users and the product hand in.

Every file the product reads (protocols, episodes, patients, regimens, FHIR JSON, its own data
tables) comes through here, so every file is refused the same way, in one sentence naming it:

* bytes in, UTF-8 only: binary, UTF-16, Latin-1 … are refused; a UTF-8 byte-order mark is
  accepted and dropped (Windows editors write one; it carries no meaning and cannot be misread);
* at most :data:`MAX_BYTES` bytes of YAML or :data:`MAX_JSON_BYTES` of JSON, and
  :data:`MAX_DEPTH` levels of nesting, so no file takes unbounded time or memory, or exhausts a
  parser's stack;
* a key given twice in one mapping is refused, naming the key and both lines;
* YAML without YAML 1.1 guesses (:mod:`.strict_yaml`), JSON without NaN or Infinity
  (:mod:`.strict_json`); numbers must be finite.

The decisions are recorded in docs/adr/0006-one-strict-document-reader.md.
"""

from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path

import yaml

from ketamine_cds.adapters.document_limits import (
    MAX_BYTES,
    MAX_DEPTH,
    MAX_JSON_BYTES,
    DocumentRefusal,
    byte_limit,
)
from ketamine_cds.adapters.strict_json import parse_json
from ketamine_cds.adapters.strict_yaml import describe_yaml_error, parse_yaml
from ketamine_cds.domain.errors import UserInputError

__all__ = [
    "MAX_BYTES",
    "MAX_DEPTH",
    "MAX_JSON_BYTES",
    "decode_utf8",
    "is_json_path",
    "parse_structured",
    "read_bytes",
    "read_document",
    "read_shipped",
]

_UTF8_BOM = b"\xef\xbb\xbf"
_OTHER_BOMS = (
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\xfe\xff", "UTF-16"),
    (b"\xff\xfe", "UTF-16"),
)
# C0 controls other than tab, line feed and carriage return, and DEL: no text file holds them.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def decode_utf8(data: bytes, name: str, error_type: type[UserInputError] = UserInputError) -> str:
    """The text of ``data``, which must be UTF-8 (a leading byte-order mark is dropped)."""
    for mark, encoding in _OTHER_BOMS:
        if data.startswith(mark):
            raise error_type(f"{name} is not a UTF-8 text file (it is {encoding}); save as UTF-8")
    if b"\x00" in data:
        raise error_type(f"{name} is not a UTF-8 text file (it holds NUL bytes: binary or UTF-16)")
    try:
        return data.removeprefix(_UTF8_BOM).decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise error_type(
            f"{name} is not a UTF-8 text file (byte 0x{data[error.start]:02x} at line {line} "
            "is not UTF-8; save it as UTF-8)"
        ) from None


def _sentence(name: str, message: str) -> str:
    return f"{name} {message}" if message.startswith("is ") else f"{name}: {message}"


def parse_structured(  # noqa: PLR0913 - the shared signature, plus two bounds with defaults
    text: str | bytes,
    name: str,
    *,
    as_json: bool,
    error_type: type[UserInputError] = UserInputError,
    max_bytes: int | None = None,
    allow_aliases: bool = False,
) -> object:
    """Parse one JSON (``as_json``) or YAML document strictly; refusals name ``name``.

    ``text`` is best given as the file's bytes (checked to be UTF-8); text already decoded is
    accepted. ``max_bytes`` defaults to the format's limit; ``allow_aliases`` is for the
    product's own reviewed tables only.
    """
    max_bytes = byte_limit(as_json=as_json) if max_bytes is None else max_bytes
    size = len(text) if isinstance(text, bytes) else len(text.encode("utf-8", "surrogatepass"))
    if size > max_bytes:
        raise error_type(
            f"{name} is {size:,} bytes, larger than the {max_bytes:,} bytes the product reads"
        )
    if isinstance(text, bytes):
        text = decode_utf8(text, name, error_type)
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise error_type(f"{name} is empty")
    if control := _CONTROL.search(text):
        line = text.count("\n", 0, control.start()) + 1
        raise error_type(
            f"{name} is not a text file the product reads (a control character, "
            f"0x{ord(control.group()):02x}, at line {line})"
        )
    try:
        return parse_json(text) if as_json else parse_yaml(text, allow_aliases=allow_aliases)
    except DocumentRefusal as refusal:
        raise error_type(_sentence(name, refusal.message)) from None
    except json.JSONDecodeError as error:
        raise error_type(f"{name} is not valid JSON at line {error.lineno} ({error.msg})") from None
    except yaml.YAMLError as error:
        raise error_type(f"{name} is not valid YAML{describe_yaml_error(error)}") from None
    except RecursionError:  # a safety net: both parsers bound nesting before they recurse
        raise error_type(f"{name} is nested more than {MAX_DEPTH} levels deep") from None


def read_bytes(
    path: Path,
    what: str,
    *,
    error_type: type[UserInputError] = UserInputError,
    max_bytes: int | None = None,
) -> bytes:
    """The bytes of ``path``, at most ``max_bytes``; ``what`` names the file in refusals.

    The default limit is that of the file's format (JSON for a ``.json`` file, else YAML).
    """
    if max_bytes is None:
        max_bytes = byte_limit(as_json=is_json_path(path))
    try:
        with path.open("rb") as stream:
            data = stream.read(max_bytes + 1)
    except FileNotFoundError:
        raise error_type(f"cannot read {what} {path}: there is no such file") from None
    except IsADirectoryError:
        raise error_type(f"cannot read {what} {path}: it is a folder, not a file") from None
    except PermissionError:
        raise error_type(f"cannot read {what} {path}: permission denied") from None
    except OSError as error:
        reason = (error.strerror or type(error).__name__).lower()
        raise error_type(f"cannot read {what} {path}: {reason}") from None
    if len(data) > max_bytes:
        raise error_type(f"{what} {path} is larger than the {max_bytes:,} bytes the product reads")
    return data


def is_json_path(path: Path) -> bool:
    """Whether a file is read as JSON: by its ``.json`` suffix; anything else is YAML."""
    return path.suffix.lower() == ".json"


def read_document(
    path: Path,
    what: str,
    *,
    as_json: bool | None = None,
    error_type: type[UserInputError] = UserInputError,
    max_bytes: int | None = None,
) -> object:
    """Read and parse one document: JSON for a ``.json`` file unless ``as_json`` says."""
    json_text = is_json_path(path) if as_json is None else as_json
    limit = byte_limit(as_json=json_text) if max_bytes is None else max_bytes
    data = read_bytes(path, what, error_type=error_type, max_bytes=limit)
    return parse_structured(
        data, path.name, as_json=json_text, error_type=error_type, max_bytes=limit
    )


def read_shipped(
    package: str, *parts: str, error_type: type[UserInputError] = UserInputError
) -> object:
    """Parse a document shipped inside the product, e.g. ``("ketamine_cds", "data", "x.yaml")``.

    The product's tables are reviewed with the code, so they may share a reference through a
    YAML alias; everything else is read as strictly as a user's file.
    """
    entry = resources.files(package).joinpath(*parts)
    name = parts[-1]
    return parse_structured(
        entry.read_bytes(),
        name,
        as_json=name.lower().endswith(".json"),
        error_type=error_type,
        allow_aliases=True,
    )
