"""YAML read without guesses, on PyYAML's own machinery (libyaml's parser where installed).

The resolver knows only the forms every YAML version reads alike (``true``/``false``, ``null``
or ``~``, plain decimal numbers); anything else is text, and a plain value that a YAML 1.1 reader
would take for a boolean, null or number (``yes``, ``on``, ``NULL``, ``0x1F``, ``1_000``, ``010``,
``12:30``, ``.inf``) is refused rather than guessed. Times and dates stay text for the models to
parse. The composer refuses anchors, aliases, tags and nesting deeper than
:data:`~ketamine_cds.adapters.document_limits.MAX_DEPTH` as the parser meets them, so no alias can
multiply a small file into a huge one and no nesting can exhaust a stack.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any, ClassVar, NoReturn

import yaml
from yaml.composer import Composer
from yaml.constructor import BaseConstructor
from yaml.events import AliasEvent, CollectionStartEvent, Event
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.resolver import BaseResolver

from ketamine_cds.adapters.document_limits import (
    MAX_DEPTH,
    bounded_integer,
    finite_number,
    given_twice,
    refuse,
)

_CORE = "tag:yaml.org,2002:"
_IMPLICIT = (
    ("null", r"^(?:~|null|)$", ["~", "n", ""]),
    ("bool", r"^(?:true|false)$", ["t", "f"]),
    ("int", r"^[-+]?(?:0|[1-9][0-9]*)$", list("-+0123456789")),
    # A point is required, and an exponent's sign: YAML 1.1 reads 1e5 and 1.5e3 as text.
    (
        "float",
        r"^[-+]?(?:(?:0|[1-9][0-9]*)\.[0-9]*|\.[0-9]+)(?:[eE][-+][0-9]+)?$",
        list("-+.0123456789"),
    ),
)
# What some YAML reader takes for something other than text. YAML 1.1 as PyYAML reads it (its
# resolver's patterns, which fix the 1.1 specification's float pattern that would read 1.0.0 as a
# number), with the specification's y and n; and YAML 1.2's core schema (YAML 1.2.2, 10.3.2).
_YAML11_NOT_TEXT = re.compile(
    r"y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF"
    r"|~|null|Null|NULL"
    r"|[-+]?(?:0b[0-1_]+|0[0-7_]+|(?:0|[1-9][0-9_]*)|0x[0-9a-fA-F_]+|[1-9][0-9_]*(?::[0-5]?[0-9])+)"
    r"|[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9_]+(?:[eE][-+][0-9]+)?"
    r"|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)"
)
_YAML12_NOT_TEXT = re.compile(
    r"null|Null|NULL|~|true|True|TRUE|false|False|FALSE|[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+"
    r"|[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)"
)
_WORDS = (
    (
        re.compile(r"y|Y|yes|Yes|YES|n|N|no|No|NO|True|TRUE|False|FALSE|on|On|ON|off|Off|OFF"),
        "as a boolean; write true or false, or quote it if it is text",
    ),
    (re.compile(r"Null|NULL"), "as null; write null, or quote it if it is text"),
    (
        re.compile(r"[-+]?\.(?:inf|Inf|INF|nan|NaN|NAN)"),
        "as a number that is not finite; give a finite number",
    ),
)
_EXPONENT = (
    "in YAML 1.2 and as text in YAML 1.1; write it with a point and a signed exponent "
    "(1.0e+5) or in plain digits"
)


class _PythonParser(yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser):
    """PyYAML's own parser, where libyaml is not installed (the same events, slower)."""

    def __init__(self, stream: str) -> None:
        yaml.reader.Reader.__init__(self, stream)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)


_Parser: type = getattr(getattr(yaml, "cyaml", None), "CParser", _PythonParser)


def _line(node: Node | Event) -> int:
    mark = node.start_mark
    return 0 if mark is None else mark.line + 1


class _Resolver(BaseResolver):
    """YAML's core schema without guesses: only the forms every YAML version reads alike."""


for _name, _pattern, _first in _IMPLICIT:
    _Resolver.add_implicit_resolver(_CORE + _name, re.compile(_pattern), _first)


class _Composer(Composer):
    """Builds the node tree, refusing anchors, aliases, tags and deep nesting as they come."""

    peek_event: Callable[[], Event]  # the parser's, next in the loader's bases

    def __init__(self, *, allow_aliases: bool) -> None:
        super().__init__()
        self._depth = 0
        self._allow_aliases = allow_aliases

    def compose_node(self, parent: Node | None, index: int) -> Node | None:
        """The next node, after the checks on the event that opens it."""
        event = self.peek_event()
        if not self._allow_aliases and (
            isinstance(event, AliasEvent) or getattr(event, "anchor", None)
        ):
            refuse(
                f"line {_line(event)} uses a YAML anchor or alias (& or *); "
                "write each value out in full"
            )
        tag = getattr(event, "tag", None)
        if tag is not None:
            shown = str(tag).replace(_CORE, "!!")
            refuse(f"line {_line(event)} has the YAML tag '{shown}'; tags are not read")
        nested = isinstance(event, CollectionStartEvent)
        if nested:
            self._depth += 1
            if self._depth > MAX_DEPTH:
                refuse(f"is nested more than {MAX_DEPTH} levels deep (at line {_line(event)})")
        node = super().compose_node(parent, index)
        if nested:
            self._depth -= 1
        return node


def _other_reading(value: str) -> str | None:
    """What another YAML reader makes of plain ``value``, where this one reads text."""
    if not (_YAML11_NOT_TEXT.fullmatch(value) or _YAML12_NOT_TEXT.fullmatch(value)):
        return None
    for pattern, reading in _WORDS:
        if pattern.fullmatch(value):
            return reading
    digits = value.lstrip("+-")
    kinds = (
        (":" in digits, "in base 60 (12:30 is 750 in YAML 1.1); quote it if it is a time"),
        ("_" in digits, "with underscores (1_000 is 1000); write the digits alone"),
        (
            digits[:2].lower() in {"0x", "0o", "0b"},
            "in hexadecimal, octal or binary; write it in decimal",
        ),
        ("e" in digits.lower(), _EXPONENT),
    )
    default = "with leading zeros (010 is 8 in YAML 1.1, 10 in YAML 1.2); drop the zeros"
    return "as a number " + next((text for hit, text in kinds if hit), default)


class _Constructor(BaseConstructor):
    """Python values from nodes: text, null, true/false, finite numbers, lists, text-keyed maps."""

    yaml_constructors: ClassVar[dict[str | None, Any]] = {}  # PyYAML's registry, filled below

    def construct_text(self, node: ScalarNode) -> str:
        """Text; a plain value another YAML reader would read otherwise is refused."""
        value = str(node.value)
        if not node.style and (reading := _other_reading(value)) is not None:
            refuse(f"line {_line(node)}: '{value}' is read by some YAML readers {reading}")
        return value

    def construct_null(self, node: ScalarNode) -> None:
        """``null``, ``~`` or nothing."""

    def construct_boolean(self, node: ScalarNode) -> bool:
        """``true`` or ``false``."""
        return bool(node.value == "true")

    def construct_integer(self, node: ScalarNode) -> int:
        """A plain decimal integer."""
        return bounded_integer(str(node.value), f"line {_line(node)}")

    def construct_decimal(self, node: ScalarNode) -> float:
        """A finite decimal number."""
        return finite_number(str(node.value), f"line {_line(node)}")

    def construct_list(self, node: SequenceNode) -> Iterator[list[object]]:
        """A list, filled after it is made (PyYAML's two-step construction)."""
        items: list[object] = []
        yield items
        items.extend(self.construct_object(child) for child in node.value)

    def construct_map(self, node: MappingNode) -> Iterator[dict[str, object]]:
        """A mapping with text keys, each given once."""
        mapping: dict[str, object] = {}
        yield mapping
        lines: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = self.construct_object(key_node) if isinstance(key_node, ScalarNode) else None
            if not isinstance(key, str):
                refuse(f"line {_line(key_node)}: a key is not text; write keys as words")
            if key in lines:
                refuse(given_twice(key, "mapping", lines[key], _line(key_node)))
            lines[key] = _line(key_node)
            mapping[key] = self.construct_object(value_node)

    def construct_unknown(self, node: Node) -> NoReturn:
        """Any other type (binary, timestamps, sets, Python objects) is not read."""
        refuse(f"line {_line(node)} holds a YAML type ('{node.tag}') that is not read")


_Constructor.yaml_constructors.update(
    {
        _CORE + "str": _Constructor.construct_text,
        _CORE + "null": _Constructor.construct_null,
        _CORE + "bool": _Constructor.construct_boolean,
        _CORE + "int": _Constructor.construct_integer,
        _CORE + "float": _Constructor.construct_decimal,
        _CORE + "seq": _Constructor.construct_list,
        _CORE + "map": _Constructor.construct_map,
        None: _Constructor.construct_unknown,
    }
)


class _Loader(_Composer, _Parser, _Constructor, _Resolver):  # type: ignore[misc]
    """The parser under the strict composer, constructor and resolver."""

    def __init__(self, stream: str, *, allow_aliases: bool) -> None:
        _Parser.__init__(self, stream)  # type: ignore[misc]
        _Composer.__init__(self, allow_aliases=allow_aliases)
        _Constructor.__init__(self)
        _Resolver.__init__(self)


def parse_yaml(text: str, *, allow_aliases: bool = False) -> object:
    """One YAML document's value; raises ``DocumentRefusal`` or ``yaml.YAMLError``.

    ``allow_aliases`` is for the product's own reviewed tables only, which share references.
    """
    loader = _Loader(text, allow_aliases=allow_aliases)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def describe_yaml_error(error: yaml.YAMLError) -> str:
    """Where and what, for a YAML syntax error: ``at line 3 (found a tab …)``."""
    mark = getattr(error, "problem_mark", None)
    where = f" at line {mark.line + 1}" if mark is not None else ""
    words = [getattr(error, "context", None), getattr(error, "problem", None)]
    detail = "; ".join(str(word) for word in words if word)
    return where + (f" ({detail})" if detail else "")
