"""Reads episode files (YAML or JSON) and writes the episode file's JSON Schema.

A file that does not match the published format (``schemas/episode.schema.json``) is refused
with one sentence naming the file, the event's position (counting from 1) and what is wrong:
events out of order, a symptom outside the closed list, a pain score of 11, a rate without units.

Run as a module to print the JSON Schema::

    python -m ketamine_cds.adapters.episode_files > schemas/episode.schema.json
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ketamine_cds.adapters.schema_export import print_schema, published_schema
from ketamine_cds.adapters.structured_text import parse_structured
from ketamine_cds.domain.episode import Episode
from ketamine_cds.domain.errors import UserInputError

_FRIENDLY = {
    "timezone_aware": "the time has no time zone; write it with one (e.g. 2024-03-02T08:00Z)",
    "union_tag_invalid": "the event type is not one the episode format knows",
    "union_tag_not_found": "the event has no 'type'",
}


_RANGE = {"less_than_equal", "greater_than_equal", "less_than", "greater_than"}


def _field_path(location: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in location)


def describe_episode_error(name: str, error: ValidationError) -> str:
    """One sentence for the first problem in an episode file, naming the event's position."""
    first = error.errors()[0]
    location = tuple(first["loc"])
    message = _FRIENDLY.get(first["type"], str(first["msg"]).removeprefix("Value error, "))
    if first["type"] == "extra_forbidden":
        message = f"unknown key '{location[-1]}'"
        location = location[:-1]
    elif first["type"] == "missing":
        message = f"'{location[-1]}' is required"
        location = location[:-1]
    elif first["type"] == "enum" and ("symptoms" in location or "severe" in location):
        value = first.get("input")
        message = f"'{value}' is not a symptom on the closed list ({first['msg']})"
    elif first["type"] in _RANGE:
        msg = str(first["msg"])
        message = f"{first.get('input')} is out of range ({msg[:1].lower()}{msg[1:]})"
    if len(location) >= 2 and location[0] == "events" and isinstance(location[1], int):
        event_type = location[2] if len(location) > 2 else None
        rest = _field_path(location[3:])
        what = f" ({event_type})" if isinstance(event_type, str) else ""
        where = f", {rest}" if rest else ""
        return f"{name}: event {location[1] + 1}{what}{where}: {message}"
    where = _field_path(location)
    return f"{name}: {message}" + (f" (at {where})" if where else "")


def parse_episode_data(data: object, name: str) -> Episode:
    """Validate already-parsed episode data; ``name`` is how errors refer to it."""
    if not isinstance(data, dict):
        raise UserInputError(f"{name} does not hold an episode (expected a mapping of keys)")
    try:
        return Episode.model_validate(data)
    except ValidationError as error:
        raise UserInputError(describe_episode_error(name, error)) from None


def parse_episode_text(text: str, name: str, *, as_json: bool = False) -> Episode:
    """Validate an episode's YAML or JSON text."""
    return parse_episode_data(parse_structured(text, name, as_json=as_json), name)


def read_episode_file(path: Path) -> Episode:
    """Read and validate an episode file; ``.json`` is read as JSON, anything else as YAML."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise UserInputError(f"cannot read episode file {path}: {error.strerror}") from None
    return parse_episode_text(text, path.name, as_json=path.suffix.lower() == ".json")


def episode_json_schema() -> dict[str, Any]:
    """The JSON Schema of the episode file format."""
    return published_schema(Episode, "episode")


def main() -> None:
    """Print the episode file's JSON Schema."""
    print_schema(Episode, "episode")


if __name__ == "__main__":
    main()
