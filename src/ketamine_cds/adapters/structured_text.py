"""Reading the YAML and JSON files users hand the product, with one-sentence refusals."""

from __future__ import annotations

import json

import yaml

from ketamine_cds.domain.errors import UserInputError

# libyaml's safe loader where installed: the same documents, parsed several times faster.
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse_structured(
    text: str, name: str, *, as_json: bool, error_type: type[UserInputError] = UserInputError
) -> object:
    """Parse JSON (``as_json``) or YAML text; a syntax error names the file and line."""
    if as_json:
        try:
            return json.loads(text)
        except json.JSONDecodeError as error:
            raise error_type(f"{name} is not valid JSON at line {error.lineno}") from None
    try:
        return yaml.load(text, Loader=YAML_LOADER)  # noqa: S506 - a safe loader
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise error_type(f"{name} is not valid YAML{where}") from None
