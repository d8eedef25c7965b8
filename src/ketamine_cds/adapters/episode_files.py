"""Reads episode files (YAML or JSON) and writes the episode file's JSON Schema.

A file that does not match the published format (``schemas/episode.schema.json``) is refused
with one sentence naming the file, the event's position (counting from 1) and what is wrong:
events out of order, a symptom outside the closed list, a pain score of 11, a rate without units.
Files are read by the one strict reader (:mod:`.documents`); an episode holds at most
:data:`MAX_EVENTS` events, its patient's weight lies in the product's adult range
(``data/limits.yaml``), its times between 1990 and 2099 and its quantities of a size the
product reads (:mod:`.plausible_values`).

Run as a module to print the JSON Schema::

    python -m ketamine_cds.adapters.episode_files > schemas/episode.schema.json
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ketamine_cds.adapters.data_files import limit_table
from ketamine_cds.adapters.documents import is_json_path, parse_structured, read_bytes
from ketamine_cds.adapters.plausible_values import first_implausible
from ketamine_cds.adapters.schema_export import print_schema, published_schema
from ketamine_cds.domain.episode import Episode
from ketamine_cds.domain.errors import UserInputError

MAX_EVENTS = 1000
"""The most events an episode file holds: an event an hour for six weeks, longer than any course
the sources describe; it bounds a replay (one recommendation per event) to seconds."""

_FRIENDLY = {
    "timezone_aware": "the time has no time zone; write it with one (e.g. 2024-03-02T08:00Z)",
    "union_tag_invalid": "the event type is not one the episode format knows",
    "union_tag_not_found": "the event has no 'type'",
}


_RANGE = {"less_than_equal", "greater_than_equal", "less_than", "greater_than"}


def _field_path(location: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in location)


def _placed(name: str, location: tuple[int | str, ...], message: str) -> str:
    """``message`` about the place ``location`` of an episode, naming an event by position."""
    if len(location) >= 2 and location[0] == "events" and isinstance(location[1], int):
        event_type = location[2] if len(location) > 2 else None
        rest = _field_path(location[3:])
        what = f" ({event_type})" if isinstance(event_type, str) else ""
        where = f", {rest}" if rest else ""
        return f"{name}: event {location[1] + 1}{what}{where}: {message}"
    where = _field_path(location)
    return f"{name}: {message}" + (f" (at {where})" if where else "")


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
    return _placed(name, location, message)


def _typed_location(episode: Episode, place: tuple[int | str, ...]) -> tuple[int | str, ...]:
    """``place`` with each event's type after its index, as validation errors name events."""
    if len(place) >= 2 and place[0] == "events" and isinstance(place[1], int):
        return ("events", place[1], episode.events[place[1]].type, *place[2:])
    return place


def parse_episode_data(data: object, name: str) -> Episode:
    """Validate already-parsed episode data; ``name`` is how errors refer to it."""
    if not isinstance(data, dict):
        raise UserInputError(f"{name} does not hold an episode (expected a mapping of keys)")
    events = data.get("events")
    if isinstance(events, list) and len(events) > MAX_EVENTS:
        raise UserInputError(
            f"{name} holds {len(events):,} events, more than the {MAX_EVENTS:,} an episode "
            "file may hold; split the episode"
        )
    try:
        episode = Episode.model_validate(data)
    except ValidationError as error:
        raise UserInputError(describe_episode_error(name, error)) from None
    implausible = first_implausible(episode)
    if implausible is not None:
        place, problem = implausible
        raise UserInputError(_placed(name, _typed_location(episode, place), problem))
    try:
        limit_table().check_weight(episode.patient.body_weight)
    except UserInputError as error:
        raise UserInputError(_placed(name, ("patient", "weight"), str(error))) from None
    return episode


def parse_episode_text(text: str | bytes, name: str, *, as_json: bool = False) -> Episode:
    """Validate an episode's YAML or JSON text (best given as the file's bytes)."""
    return parse_episode_data(parse_structured(text, name, as_json=as_json), name)


def read_episode_file(path: Path) -> Episode:
    """Read and validate an episode file; ``.json`` is read as JSON, anything else as YAML."""
    data = read_bytes(path, "episode file")
    return parse_episode_text(data, path.name, as_json=is_json_path(path))


def episode_json_schema() -> dict[str, Any]:
    """The JSON Schema of the episode file format."""
    return published_schema(Episode, "episode")


def main() -> None:
    """Print the episode file's JSON Schema."""
    print_schema(Episode, "episode")


if __name__ == "__main__":
    main()
