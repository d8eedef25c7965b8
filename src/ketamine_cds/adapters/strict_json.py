"""JSON read strictly, on the standard library's decoder.

Keys are given once (a repeated key is found by the fast C decoder and then located, on that
rare path only, by the pure-Python scanner so the refusal can name its lines); ``NaN`` and
``Infinity`` are refused, as are numbers a float cannot hold and integers of more than
:data:`~ketamine_cds.adapters.document_limits.MAX_DIGITS` digits. Nesting is measured before
decoding, so no document can exhaust the decoder's stack.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from itertools import accumulate
from typing import Any, NoReturn

from ketamine_cds.adapters.document_limits import (
    MAX_DEPTH,
    bounded_integer,
    finite_number,
    given_twice,
    refuse,
)

_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


# Locating a repeated key reads the text again with the pure-Python scanner, about a second a
# MiB; above this size the refusal names the key without its lines.
LOCATE_REPEATS_UP_TO = 1024 * 1024


class _RepeatedKeyError(Exception):
    """A key given twice in one object, found by the C decoder (which knows no lines)."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _once(pairs: list[tuple[str, object]]) -> dict[str, object]:
    mapping = dict(pairs)
    if len(mapping) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _RepeatedKeyError(key)
            seen.add(key)
    return mapping


def _constant(text: str) -> NoReturn:
    refuse(f"{text} is not a finite number (JSON has no NaN or Infinity)")


def _decoder(pairs_hook: Callable[[list[tuple[str, object]]], object]) -> json.JSONDecoder:
    return json.JSONDecoder(
        object_pairs_hook=pairs_hook,
        parse_constant=_constant,
        parse_int=bounded_integer,
        parse_float=finite_number,
    )


def depth(text: str) -> int:
    """How deep lists and objects nest in JSON ``text`` (brackets inside strings ignored)."""
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    return max(accumulate(_STEP[c] for c in brackets), default=0)


def _locate_repeated_key(text: str, key: str) -> NoReturn:
    """Read ``text`` again with the pure-Python scanner, which can tell where each value is."""
    decoder = _decoder(list)
    plain_object = getattr(json.decoder, "JSONObject")  # noqa: B009 - not in the stubs

    def line(position: int) -> int:
        return text.count("\n", 0, position) + 1

    def object_with_lines(s_and_end: tuple[str, int], *args: Any) -> tuple[object, int]:  # noqa: ANN401 - the decoder's own arguments, passed on
        strict, scan_once, hook, pairs_hook = args[:4]
        keys: list[str] = []
        first_at: dict[str, int] = {}

        class Keys(dict[str, str]):
            def setdefault(self, key: str, default: str | None = None) -> str:  # noqa: ARG002 - the decoder's memo interface
                keys.append(key)
                return key

        def scan_value(s: str, end: int) -> tuple[object, int]:
            key = keys[-1]
            if key in first_at:
                refuse(given_twice(key, "object", line(first_at[key]), line(end)))
            first_at[key] = end
            value: tuple[object, int] = scan_once(s, end)
            return value

        found: tuple[object, int] = plain_object(
            s_and_end, strict, scan_value, hook, pairs_hook, Keys()
        )
        return found

    decoder.parse_object = object_with_lines  # type: ignore[attr-defined]
    decoder.scan_once = json.scanner.py_make_scanner(decoder)  # type: ignore[attr-defined]
    if len(text) <= LOCATE_REPEATS_UP_TO:
        decoder.decode(text)
    refuse(f"the key '{key}' is given twice in one object; give it once")


def parse_json(text: str) -> object:
    """One JSON document's value; raises ``DocumentRefusal`` or ``json.JSONDecodeError``."""
    if depth(text) > MAX_DEPTH:
        refuse(f"is nested more than {MAX_DEPTH} levels deep")
    try:
        return _decoder(_once).decode(text)
    except _RepeatedKeyError as repeated:
        _locate_repeated_key(text, repeated.key)
