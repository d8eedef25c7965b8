"""The bounds every document is read within, and the refusal raised inside the parsers.

A document larger, deeper or with longer numbers than these is an entry error or an attack
(a file that takes unbounded time or memory), never clinical data. The numbers are recorded
in docs/adr/0006-one-strict-document-reader.md.
"""

from __future__ import annotations

import math
from typing import NoReturn

MAX_BYTES = 1024 * 1024
"""The largest YAML document read (1 MiB): ten times the largest real protocol, episode or
patient file, and a worst-case parse of about a second (bench/reader.py)."""

MAX_JSON_BYTES = 8 * 1024 * 1024
"""The largest JSON document read (8 MiB): a FHIR Bundle of a patient's orders with its narrative
is well under this, and JSON is read about twenty times faster than YAML."""


def byte_limit(*, as_json: bool) -> int:
    """The size limit of a document in one of the two formats."""
    return MAX_JSON_BYTES if as_json else MAX_BYTES

MAX_DEPTH = 32
"""The deepest nesting of mappings and lists read; the product's formats need at most 12."""

MAX_DIGITS = 30
"""The most digits an integer may have; longer runs are entry errors, not quantities."""


class DocumentRefusal(Exception):  # noqa: N818 - a refusal, turned into a sentence by the reader
    """A reason to refuse a document, raised inside the parsers and named by the reader."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def refuse(message: str) -> NoReturn:
    """Stop reading the document, for ``message``."""
    raise DocumentRefusal(message)


def _at(where: str | None, message: str) -> str:
    return message if where is None else f"{where}: {message}"


def bounded_integer(text: str, where: str | None = None) -> int:
    """An integer of at most :data:`MAX_DIGITS` digits (``text`` is already decimal digits)."""
    digits = text.lstrip("+-")
    if len(digits) > MAX_DIGITS:
        refuse(_at(where, f"a number of {len(digits)} digits is not a value the product reads"))
    return int(text)


def finite_number(text: str, where: str | None = None) -> float:
    """A decimal number that a float holds as a finite value."""
    number = float(text)
    if not math.isfinite(number):
        refuse(_at(where, f"{text[:40]} is too large to be a number the product reads"))
    return number


def given_twice(key: str, container: str, first: int, second: int) -> str:
    """The sentence for a key given twice in one mapping, with both lines."""
    where = f"line {first}" if first == second else f"lines {first} and {second}"
    return f"the key '{key}' is given twice in one {container} ({where}); give it once"
