"""What every command shares: the error boundary, JSON output and the notice."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

import typer

from ketamine_cds import DECISION_SUPPORT_NOTICE
from ketamine_cds.domain.errors import UserInputError

P = ParamSpec("P")
R = TypeVar("R")

# The exit statuses every command shares (documented in the README and docs/SAFETY.md).
EXIT_OK = 0  # within protocol, or the command did what was asked
EXIT_USER_ERROR = 2  # bad input: one sentence on stderr says what is wrong
EXIT_SOFT_OR_INCOMPLETE = 3  # a soft limit needs a reasoned override, or a total is incomplete
EXIT_HARD_LIMIT = 4  # a hard limit was reached: nothing overrides it
EXIT_INTERNAL_ERROR = 70  # a bug in the product (EX_SOFTWARE), never a recommendation


def user_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Turn a :class:`UserInputError` into one sentence on stderr and exit code 2."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except UserInputError as error:
            typer.echo(f"error: {str(error).rstrip('.')}.", err=True)
            raise typer.Exit(EXIT_USER_ERROR) from None

    return wrapper


def emit_json(payload: Any) -> None:  # noqa: ANN401 - any JSON-serialisable value
    """Write ``payload`` as indented JSON with a trailing newline."""
    sys.stdout.write(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")


def notice() -> str:
    """The decision-support line every human-readable output ends with."""
    return f"-- {DECISION_SUPPORT_NOTICE}"
