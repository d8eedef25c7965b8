"""The medicines a patient leaves with: the list a discharge or transfer is reconciled against.

A medicines file lists every medicine by its generic name (memantine, gabapentin, naproxen ...)
and, optionally, the opioids in the regimen file format (``schemas/regimen.schema.json``), so
that the discharge MED is computed by the same calculator as every other MED. A drug named in
either counts as on the list.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ketamine_cds.domain.opioids.regimen import Regimen, RegimenItem
from ketamine_cds.domain.outcomes.companions import frequency
from ketamine_cds.domain.protocols.fields import MassText, Span
from ketamine_cds.domain.units import Mass


def drug_key(name: str) -> str:
    """A drug's name as the reconciliation compares it: lower case, single spaces."""
    return " ".join(name.lower().split())


def names_drug(listed: str, drug: str) -> bool:
    """Whether a listed name is the drug: the same name, or the name with its salt or form."""
    listed, drug = drug_key(listed), drug_key(drug)
    return listed == drug or listed.startswith(f"{drug} ")


def opioid_text(item: RegimenItem) -> str:
    """An opioid of the regimen as a list shows it: 'methadone 40 mg three times daily, oral'."""
    parts = [item.name or item.drug]
    if item.patch is not None:
        parts.append(f"patch {item.patch}" + (f" × {item.patches:g}" if item.patches != 1 else ""))
    elif item.rate is not None:
        parts.append(f"infusion {item.rate}")
    elif item.pca_total_24h is not None:
        parts.append(f"PCA {item.pca_total_24h} in 24 h")
    else:
        dose = item.per_dose_mg()
        if dose is not None:
            parts.append(f"{dose:g} mg")
        if item.doses_per_day is not None:
            parts.append(frequency(round(item.doses_per_day)))
        elif item.every_hours is not None:
            parts.append(f"every {item.every_hours:g} h")
    text = " ".join(parts) + f", {item.route.value}"
    if item.prn:
        taken = f" ({item.taken_in_24h:g} taken in 24 h)" if item.taken_in_24h is not None else ""
        text += f", as needed{taken}"
    return text


class Medicine(BaseModel):
    """One medicine on the list, by its generic name."""

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)

    drug: str = Field(
        min_length=2,
        max_length=80,
        description="Generic name ('memantine', 'memantine hydrochloride'), not a brand.",
    )
    dose: MassText | None = Field(default=None, description="Dose per administration, '10 mg'.")
    doses_per_day: int | None = Field(default=None, ge=1, le=24)
    route: str | None = Field(default=None, min_length=2, max_length=40)
    prn: bool = Field(default=False, description="As needed.")
    note: str | None = Field(default=None, max_length=400)

    @field_validator("drug")
    @classmethod
    def _generic_name(cls, value: str) -> str:
        return drug_key(value)

    @model_validator(mode="after")
    def _one_dose(self) -> Medicine:
        if isinstance(self.dose, Span):
            # pydantic reports ValueError as the user's error
            raise ValueError(f"{self.drug}: give the dose per administration, not a range")  # noqa: TRY004
        return self

    @property
    def text(self) -> str:
        """The medicine as a list shows it: 'memantine 10 mg twice daily, oral'."""
        parts = [self.drug]
        if isinstance(self.dose, Mass):
            parts.append(f"{self.dose.mg:g} mg")
        if self.doses_per_day is not None:
            parts.append(frequency(self.doses_per_day))
        text = " ".join(parts)
        if self.route:
            text += f", {self.route}"
        if self.prn:
            text += ", as needed"
        return text


class DischargeMedicines(BaseModel):
    """Every medicine on a discharge or transfer list."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    label: str | None = Field(default=None, max_length=200)
    medicines: tuple[Medicine, ...] = Field(default=(), description="Every medicine but opioids.")
    opioids: Regimen | None = Field(
        default=None, description="The opioids, in the regimen file format (for the MED)."
    )

    def names(self) -> list[tuple[str, str]]:
        """Every drug on the list: (name, how the list shows it)."""
        found = [(m.drug, m.text) for m in self.medicines]
        if self.opioids is not None:
            found += [(item.drug, opioid_text(item)) for item in self.opioids.items]
        return found

    def find(self, drug: str) -> str | None:
        """How the list shows ``drug``, if it is on it."""
        return next((shown for name, shown in self.names() if names_drug(name, drug)), None)
