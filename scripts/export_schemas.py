"""Writes the published JSON Schemas of the input files and outputs to ``schemas/``.

Run after changing the models; a test fails while the files and the models disagree.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from pydantic import BaseModel

from ketamine_cds.domain.opioids.output import MedOut, TimelineOut
from ketamine_cds.domain.opioids.regimen import Regimen
from ketamine_cds.domain.protocols.plan_output import PlanOut
from ketamine_cds.domain.protocols.schema import Protocol

SCHEMAS = Path(__file__).resolve().parent.parent / "schemas"
PUBLISHED: dict[str, type[BaseModel]] = {
    "protocol.schema.json": Protocol,
    "plan.schema.json": PlanOut,
    "regimen.schema.json": Regimen,
    "med.schema.json": MedOut,
    "med-timeline.schema.json": TimelineOut,
}


def render(model: type[BaseModel]) -> str:
    """The schema as it is published: sorted keys, two-space indent, trailing newline."""
    return (
        json.dumps(model.model_json_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    )


def main() -> int:
    """Write every published schema."""
    for name, model in PUBLISHED.items():
        (SCHEMAS / name).write_text(render(model), encoding="utf-8")
        print(f"wrote schemas/{name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
