"""Reads the opioid data the product ships and the regimen files users give it.

Shipped: the equivalence tables and the RxNorm product table under ``ketamine_cds/data/opioids``.
User files: a regimen (YAML or JSON, see ``schemas/regimen.schema.json``), a FHIR R4
``MedicationRequest`` or ``Bundle`` of them (JSON), or an episode timeline (YAML or JSON).
A file that does not match is refused with one sentence naming the file and the item; so is one
too large to be a regimen, one that is not UTF-8 text, and one nested too deeply to read.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from ketamine_cds.adapters.structured_text import parse_structured
from ketamine_cds.domain.errors import UserInputError
from ketamine_cds.domain.opioids.plausibility import PlausibilityTable
from ketamine_cds.domain.opioids.products import ProductTable
from ketamine_cds.domain.opioids.regimen import Episode, Regimen, RegimenReading
from ketamine_cds.domain.opioids.tables import EquivalenceTable

PRODUCTS_FILE = "rxnorm-products.yaml"
PLAUSIBILITY_FILE = "plausibility.yaml"
NOT_TABLES = frozenset({PRODUCTS_FILE, PLAUSIBILITY_FILE})
# A FHIR Bundle of a patient's medication orders, with its narrative, is well under this; YAML
# (hand-written regimens and timelines) is parsed about twenty times slower than JSON, so its
# bound is smaller, keeping any file's reading to a second or two.
MIB = 1024 * 1024
MAX_FILE_BYTES = 8 * MIB
MAX_YAML_BYTES = 1 * MIB
# Far deeper than any regimen or FHIR resource (a Bundle's dosage is about 10 levels down).
MAX_DEPTH = 64
SHOWN = 60
M = TypeVar("M", bound=BaseModel)


def _data_folder() -> Any:  # noqa: ANN401 - importlib.resources Traversable
    return resources.files("ketamine_cds").joinpath("data").joinpath("opioids")


def _item_name(data: object, location: tuple[int | str, ...]) -> tuple[str, str] | None:
    """The regimen item a validation error points at: 'item N (label)' and its label."""
    node = data
    found: tuple[str, str] | None = None
    for index, part in enumerate(location):
        if isinstance(node, dict):
            node = node.get(part) if isinstance(part, str) else None
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            node = node[part]
            if index > 0 and location[index - 1] == "items" and isinstance(node, dict):
                label = node.get("name") or f"{node.get('drug', '?')} {node.get('route', '?')}"
                shown = " ".join(str(label).split())[:SHOWN]
                found = (f"item {part + 1} ({shown})", str(label))
        else:
            break
    return found


def describe(name: str, data: object, error: ValidationError) -> str:
    """One sentence for the first problem pydantic found, naming the file and the item."""
    first = error.errors()[0]
    location = tuple(first["loc"])
    where = ".".join(str(p) for p in location) or "the top level"
    item = _item_name(data, location)
    prefix = f"in {name}, {item[0]}" if item else f"in {name}"
    message = str(first["msg"]).removeprefix("Value error, ")
    if item and message.startswith(f"{item[1]}: "):
        message = message[len(item[1]) + 2 :]
    if first["type"] == "extra_forbidden":
        return f"{prefix}: unknown key '{location[-1]}'"
    if first["type"] == "missing":
        return f"{prefix}: '{location[-1]}' is required"
    if first["type"] == "value_error":
        return f"{prefix}: {message}"
    return f"{prefix}: {message} (at {where})"


def _validate(model: type[M], data: object, name: str) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise UserInputError(describe(name, data, error)) from None


def _flow_depth(text: str) -> int:
    """The deepest nesting of brackets and braces, counted over the raw text."""
    depth = deepest = 0
    for char in text:
        if char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}" and depth:
            depth -= 1
    return deepest


def _parse_text(text: str, name: str) -> object:
    too_deep = UserInputError(f"the file {name} is nested too deeply to be read")
    # libyaml recurses in C on nested flow collections and can overflow the stack
    if _flow_depth(text) > MAX_DEPTH:
        raise too_deep
    try:
        return parse_structured(text, name, as_json=name.lower().endswith(".json"))
    except RecursionError:
        raise too_deep from None


def _read(path: Path) -> object:
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        raise UserInputError(f"cannot read {path}: {error.strerror or error}") from None
    limit = MAX_FILE_BYTES if path.name.lower().endswith(".json") else MAX_YAML_BYTES
    if len(raw) > limit:
        kind = "JSON" if limit == MAX_FILE_BYTES else "YAML"
        raise UserInputError(
            f"the file {path.name} is larger than {limit // MIB} MiB, more than any regimen, "
            f"bundle or timeline in {kind}"
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise UserInputError(f"the file {path.name} is not UTF-8 text") from None
    return _parse_text(text, path.name)


def shipped_tables() -> tuple[EquivalenceTable, ...]:
    """Every equivalence table the product ships, validated, in id order."""
    tables: list[EquivalenceTable] = []
    for entry in sorted(_data_folder().iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".yaml") or entry.name in NOT_TABLES:
            continue
        data = _parse_text(entry.read_text(encoding="utf-8"), entry.name)
        table = _validate(EquivalenceTable, data, entry.name)
        if f"{table.id}.yaml" != entry.name:
            raise UserInputError(f"{entry.name} declares id '{table.id}'")
        tables.append(table)
    return tuple(tables)


def shipped_products() -> ProductTable:
    """The shipped RxNorm product table."""
    entry = _data_folder().joinpath(PRODUCTS_FILE)
    data = _parse_text(entry.read_text(encoding="utf-8"), PRODUCTS_FILE)
    return _validate(ProductTable, data, PRODUCTS_FILE)


def shipped_plausibility() -> PlausibilityTable:
    """The shipped plausibility bounds of opioid input."""
    entry = _data_folder().joinpath(PLAUSIBILITY_FILE)
    data = _parse_text(entry.read_text(encoding="utf-8"), PLAUSIBILITY_FILE)
    return _validate(PlausibilityTable, data, PLAUSIBILITY_FILE)


def regimen_from_data(data: object, name: str, products: ProductTable) -> RegimenReading:
    """A regimen from parsed data: the regimen format, or FHIR R4 resources."""
    if isinstance(data, dict) and "resourceType" in data:
        # fhir.resources is imported only when a FHIR file is read: it is slow to import
        from ketamine_cds.adapters.fhir.medication_request import regimen_from_fhir  # noqa: PLC0415

        return regimen_from_fhir(data, name, products)
    if not isinstance(data, dict):
        raise UserInputError(f"the file {name} does not hold a regimen (a mapping with 'items')")
    if "points" in data and "items" not in data:
        raise UserInputError(
            f"the file {name} holds a timeline (points), not a regimen; use opioid-plan timeline"
        )
    return RegimenReading(_validate(Regimen, data, name))


def read_regimen(path: Path, products: ProductTable) -> RegimenReading:
    """Read a regimen file (YAML, JSON, or FHIR R4 JSON)."""
    return regimen_from_data(_read(path), path.name, products)


def read_episode(path: Path) -> Episode:
    """Read an episode timeline file."""
    data = _read(path)
    if not isinstance(data, dict):
        raise UserInputError(
            f"the file {path.name} does not hold a timeline (a mapping with 'points')"
        )
    return _validate(Episode, data, path.name)
