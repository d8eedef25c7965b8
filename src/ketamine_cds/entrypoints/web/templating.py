"""The pages' Jinja2 environment: the templates, the static files, and how pages reach them.

One environment serves the browser and the PDF: the page links its static files through
``static_url``, which the web app points at its mounted ``/static/`` and the printer at the
files on disk, so the PDF is the page's own template printed. Autoescaping is on and an
undefined name is an error, never an empty string on an order.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from ketamine_cds import DECISION_SUPPORT_NOTICE, __version__

STATIC_DIR = Path(__file__).parent / "static"
TEMPLATES_DIR = Path(__file__).parent / "templates"
NOTICE_SHORT = "Decision support, not a prescriber"


def served_static(prefix: str = "/static/") -> Callable[[str], str]:
    """Static URLs under ``prefix``, as the web app mounts them."""
    return lambda path: f"{prefix}{path}"


def file_static(path: str) -> str:
    """Static URLs as files on disk, for the PDF printer."""
    return (STATIC_DIR / path).resolve().as_uri()


def environment(static_url: Callable[[str], str] | None = None) -> Environment:
    """A Jinja2 environment for the pages; ``static_url`` maps a static path to its URL."""
    env = Environment(
        loader=PackageLoader("ketamine_cds.entrypoints.web", "templates"),
        autoescape=select_autoescape(["html", "svg"], default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(
        static_url=static_url or served_static(),
        notice=DECISION_SUPPORT_NOTICE,
        notice_short=NOTICE_SHORT,
        software_version=__version__,
    )
    env.filters["hours"] = hours_text
    return env


def hours_text(hours: float) -> str:
    """Hours for a table cell: ``0 h``, ``2 h``, ``1.5 h``, ``3 days 2 h``."""
    if hours >= 48:
        days, rest = divmod(hours, 24)
        return f"{days:.0f} days" + (f" {rest:g} h" if rest else "")
    return f"{hours:g} h"


def render(name: str, static_url: Callable[[str], str] | None = None, **context: Any) -> str:  # noqa: ANN401 - template context is open
    """Render template ``name`` with ``context``."""
    return environment(static_url).get_template(name).render(**context)


def inline_svg(svg: str) -> Markup:
    """An SVG this product drew (its text already escaped) as markup a template may embed."""
    return Markup(svg)  # noqa: S704 - the chart module escapes every text it writes
