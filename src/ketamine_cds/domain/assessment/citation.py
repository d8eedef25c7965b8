"""Where a rule of the assessment comes from.

Every contraindication, caution, score interpretation and evidence statement carries at least one
:class:`Citation`: a seed document (``"seed 000"``) with its section heading, or a named published
source (author, year, journal).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class Citation(BaseModel):
    """One source of a rule: the document, the section, and optionally the words it uses."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    document: str = Field(min_length=1, description="'seed 000' … 'seed 004' or a named reference.")
    section: str = Field(
        min_length=1, description="Section heading, table or page in the document."
    )
    quote: str | None = Field(default=None, description="The source's own words, where useful.")

    def __str__(self) -> str:
        """The citation as it is printed, e.g. ``seed 000, "Ketamine"``."""
        return f'{self.document}, "{self.section}"'

    def as_dict(self) -> dict[str, str | None]:
        """The citation as plain JSON values."""
        return {"document": self.document, "section": self.section, "quote": self.quote}
