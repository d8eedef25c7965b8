"""Seed 003's summary of evidence on ketamine analgesia, levels I-IV by indication.

The summary is data (``data/assessment/evidence.yaml``); each statement keeps its level and the
indications it bears on. :func:`evidence_for` returns the statements for the indication being
treated, strongest level first, and says plainly when the summary gives no level for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ketamine_cds.domain.assessment.citation import Citation
from ketamine_cds.domain.errors import UserInputError

Level = Literal["I", "II", "III", "IV"]
_ORDER: dict[str, int] = {"I": 1, "II": 2, "III": 3, "IV": 4}


class EvidenceLevel(BaseModel):
    """One level of the NHMRC hierarchy that seed 003's box uses."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    level: Level
    definition: str


class Indication(BaseModel):
    """An indication a patient record can name."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: str
    note: str | None = None


class EvidenceStatement(BaseModel):
    """One statement of the box, with its level and the indications it bears on."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    level: Level
    statement: str
    indications: list[str] = Field(min_length=1)


class EvidenceTable(BaseModel):
    """The whole summary, with its source."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str
    source: Citation
    levels: list[EvidenceLevel]
    indications: list[Indication]
    statements: list[EvidenceStatement]

    @model_validator(mode="after")
    def _consistent(self) -> EvidenceTable:
        known = {indication.id for indication in self.indications}
        for statement in self.statements:
            unknown = sorted(set(statement.indications) - known)
            if unknown:
                raise ValueError(
                    f"statement '{statement.id}' names unknown indication(s): {', '.join(unknown)}"
                )
        return self

    def indication(self, indication_id: str) -> Indication:
        """The indication of that id; an unknown id is a user error listing the known ones."""
        for indication in self.indications:
            if indication.id == indication_id:
                return indication
        known = ", ".join(i.id for i in self.indications)
        raise UserInputError(f"indication '{indication_id}' is not one of: {known}")


@dataclass(frozen=True)
class EvidenceView:
    """What the assessment shows beside the indication."""

    indication: Indication | None
    statements: tuple[EvidenceStatement, ...]
    source: Citation
    message: str

    @property
    def level(self) -> str | None:
        """The strongest level among the statements, or None."""
        return self.statements[0].level if self.statements else None


def evidence_for(table: EvidenceTable, indication_id: str | None) -> EvidenceView:
    """The statements for one indication, strongest first; silence is said, not hidden."""
    if indication_id is None:
        return EvidenceView(
            indication=None,
            statements=(),
            source=table.source,
            message="No indication recorded (field 'indication'); evidence level not shown.",
        )
    indication = table.indication(indication_id)
    statements = tuple(
        sorted(
            (s for s in table.statements if indication_id in s.indications),
            key=lambda s: _ORDER[s.level],
        )
    )
    if not statements:
        message = f"Seed 003's evidence summary gives no level for {indication.label}."
        if indication.note:
            message = f"{message} {indication.note}"
    else:
        message = (
            f"Strongest level in seed 003's summary for {indication.label}: {statements[0].level}."
        )
    return EvidenceView(
        indication=indication, statements=statements, source=table.source, message=message
    )
