"""What every command shares: the error boundary, the exit statuses, JSON output and the notice.

Whatever goes wrong, the command line writes one line on stderr and exits with a documented
status (docs/SAFETY.md, "Exit statuses"). Bad input, whether the command-line library finds it
(a missing option, an unknown command) or the product does (a weight of 700 kg), is one sentence
and status 2. Anything else is a bug: one line saying so, with an error id, and status 70, never a
traceback and never a recommendation.
"""

from __future__ import annotations

import functools
import json
import re
import sys
import traceback
import uuid
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, NoReturn, ParamSpec, TypeVar

import typer
from typer._click import exceptions as cli_errors  # typer's own copy of click (pinned)
from typer.core import TyperGroup

from ketamine_cds import DECISION_SUPPORT_NOTICE
from ketamine_cds.domain.errors import UserInputError
from ketamine_cds.domain.references import SEEDS, abbreviated
from ketamine_cds.settings import read_settings

P = ParamSpec("P")
R = TypeVar("R")

# The exit statuses every command shares (documented in docs/SAFETY.md and in --help).
EXIT_OK = 0  # within protocol, or the command did what was asked
EXIT_USER_ERROR = 2  # bad input: one sentence on stderr says what is wrong
EXIT_SOFT_OR_INCOMPLETE = 3  # a soft limit needs a reasoned override, or a total is incomplete
EXIT_HARD_LIMIT = 4  # a hard limit was reached: nothing overrides it
EXIT_INTERNAL_ERROR = 70  # a bug in the product (EX_SOFTWARE), never a recommendation
EXIT_INTERRUPTED = 130  # stopped by the user (Ctrl-C)

EXIT_STATUS_HELP = (
    "Exit status: 0 within protocol; 2 input refused (one sentence on stderr); 3 a soft limit "
    "needs a physician's reasoned override, or a result is incomplete; 4 a hard limit was "
    "reached; 70 internal error (a bug: report it)."
)

_MAX_MESSAGE = 2000  # a sentence quoting a pasted file stays readable, on one line
_CONTROL = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]")


def one_line(text: str) -> str:
    """``text`` on one line: control characters shown as escapes, and a bounded length."""
    flat = _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)
    return flat if len(flat) <= _MAX_MESSAGE else flat[: _MAX_MESSAGE - 1] + "…"


def refuse(message: str) -> NoReturn:
    """Write ``message`` as one sentence on stderr and exit with status 2."""
    sentence = one_line(message.strip()).rstrip(".")
    end = "" if sentence.endswith("?") else "."
    typer.echo(f"error: {sentence}{end}", err=True)
    raise typer.Exit(EXIT_USER_ERROR)


def user_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Turn a :class:`UserInputError` into one sentence on stderr and exit code 2."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except UserInputError as error:
            refuse(str(error))

    return wrapper


def _click_sentence(error: cli_errors.ClickException) -> str:
    """The command-line library's complaint as one of the product's sentences."""
    if (
        isinstance(error, cli_errors.BadParameter)
        and not isinstance(error, cli_errors.MissingParameter)
        and error.param is not None
        and error.message
    ):
        hint = "/".join(error.param.opts) if error.param.opts else error.param.name
        message = error.message.strip().rstrip(".").removeprefix("Value error, ")
        return f"{hint}: {message[:1].lower()}{message[1:]}"
    message = error.format_message().strip().rstrip(".").replace(". Did you mean", "; did you mean")
    sentence = f"{message[:1].lower()}{message[1:]}"
    context = getattr(error, "ctx", None)
    if sentence.endswith("?") or context is None:
        return sentence
    return f"{sentence} (see '{context.command_path} --help')"


def _report_internal_error(error: BaseException) -> NoReturn:
    """One line for a bug, with an error id; the traceback goes to a file, never the screen."""
    error_id = uuid.uuid4().hex[:12]
    where = ""
    try:
        folder = read_settings().data_dir or Path.home() / ".local" / "share" / "ketamine-cds"
        report = folder / "errors" / f"{error_id}.txt"
        report.parent.mkdir(parents=True, exist_ok=True)
        report.write_text("".join(traceback.format_exception(error)), encoding="utf-8")
        where = f", details in {report}"
    except Exception:  # noqa: BLE001, S110 - the report is a courtesy; the line below is not
        pass
    typer.echo(
        one_line(
            f"internal error: {type(error).__name__} (error id {error_id}{where}); "
            "this is a bug in ketamine-cds; please report it"
        ),
        err=True,
    )
    sys.exit(EXIT_INTERNAL_ERROR)


class OneSentenceGroup(TyperGroup):
    """The application's command group: every failure is one line on stderr and a status."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,  # noqa: ARG002 - always run as a program
        windows_expand_args: bool = True,
        **extra: Any,  # noqa: ANN401 - passed on to click
    ) -> NoReturn:
        """Run the command line and exit with its status; never return, never a traceback."""
        try:
            status = super().main(
                args=args,
                prog_name=prog_name,
                complete_var=complete_var,
                standalone_mode=False,
                windows_expand_args=windows_expand_args,
                **extra,
            )
        except cli_errors.NoArgsIsHelpError as error:
            # Rich help is printed as it is built; plain help comes back as the message.
            if error.message.strip():
                typer.echo(error.message)
            self._refuse_safely("give a command; the commands are listed above")
        except cli_errors.ClickException as error:
            self._refuse_safely(_click_sentence(error))
        except typer.Abort:
            typer.echo("interrupted", err=True)
            sys.exit(EXIT_INTERRUPTED)
        except UserInputError as error:
            self._refuse_safely(str(error))
        except Exception as error:  # noqa: BLE001 - the boundary where a bug is reported as one
            _report_internal_error(error)
        sys.exit(status if isinstance(status, int) else EXIT_OK)

    @staticmethod
    def _refuse_safely(message: str) -> NoReturn:
        try:
            refuse(message)
        except typer.Exit as stop:
            sys.exit(stop.exit_code)


def emit_json(payload: Any) -> None:  # noqa: ANN401 - any JSON-serialisable value
    """Write ``payload`` as indented JSON with a trailing newline (no NaN or Infinity)."""
    sys.stdout.write(json.dumps(payload, indent=2, ensure_ascii=False, allow_nan=False) + "\n")


def with_references(text: str) -> str:
    """Text for a person: short citations in the lines, each full reference listed once after."""
    shortened, used = abbreviated(text)
    if not used:
        return text
    lines = shortened.split("\n")
    tail = [lines.pop()] if lines and lines[-1] == notice() else []
    listed = [f"  [{key}] {SEEDS[key]}" for key in sorted(used)]
    return "\n".join([*lines, "References:", *listed, *tail])


def notice() -> str:
    """The decision-support line every human-readable output ends with."""
    return f"-- {DECISION_SUPPORT_NOTICE}"


def status_of_alerts(kinds: Iterable[str]) -> int:
    """The exit status one recommendation earns from its alerts' kinds.

    A hard limit is 4; a soft limit without an override in effect is 3; anything else is 0.
    """
    found = set(kinds)
    if "hard_limit" in found:
        return EXIT_HARD_LIMIT
    if "soft_limit" in found and "override_in_effect" not in found:
        return EXIT_SOFT_OR_INCOMPLETE
    return EXIT_OK


def worst_status(statuses: Iterable[int]) -> int:
    """The most serious of several statuses (4 over 3 over 0)."""
    return max(statuses, default=EXIT_OK)
