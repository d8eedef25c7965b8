"""The discharge summary and the letter to the general practitioner, as pages and as a PDF.

The content is the typed :class:`DischargeSummary` (every figure and line computed, cited, in
the domain); the templates under ``templates/letters/`` only lay it out, extending the pages'
``base.html``. The PDF is the same templates printed (``adapters/render/pdf.py``): the summary,
then the letter, in one document.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from ketamine_cds.adapters.render.pdf import html_to_pdf
from ketamine_cds.domain.outcomes.discharge import DischargeSummary
from ketamine_cds.entrypoints.web.templating import STATIC_DIR, file_static, render

Letter = Literal["discharge_summary", "gp_letter", "discharge"]


def render_letter(
    summary: DischargeSummary,
    letter: Letter = "discharge",
    static_url: Callable[[str], str] | None = None,
) -> str:
    """The page of ``letter``: the summary, the letter, or both one after the other."""
    return render(f"letters/{letter}.html", static_url, s=summary)


def letter_pdf(summary: DischargeSummary, letter: Letter = "discharge") -> bytes:
    """The PDF of ``letter``, printed from its page's own template."""
    return html_to_pdf(render_letter(summary, letter, file_static), STATIC_DIR)
