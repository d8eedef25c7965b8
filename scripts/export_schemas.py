"""Writes the published JSON Schemas of the protocol file and the plan output to ``schemas/``.

Run after changing the models; a test fails while the files and the models disagree.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from ketamine_cds.domain.protocols.plan_output import PlanOut
from ketamine_cds.domain.protocols.schema import Protocol

SCHEMAS = Path(__file__).resolve().parent.parent / "schemas"
PUBLISHED = {"protocol.schema.json": Protocol, "plan.schema.json": PlanOut}


def render(model: type[Protocol | PlanOut]) -> str:
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
