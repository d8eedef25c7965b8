"""The regimen as the independent reference solutions read it: rate pieces and instant doses.

Written from the regimen's own deliveries and the model's inputs, without the simulator's
schedule, so that the references do not share the code they check.
"""

from __future__ import annotations

from ketamine_cds.domain.pk.model import CompiledModel
from ketamine_cds.domain.pk.regimen import Regimen

Pieces = list[tuple[float, float, int, float]]  # start h, end h, state, mg/h
Instants = list[tuple[float, int, float]]  # time h, state, mg


def inputs(model: CompiledModel, regimen: Regimen) -> tuple[Pieces, Instants]:
    """Constant-rate pieces (zero-order inputs included) and instant doses, per state."""
    pieces: Pieces = []
    instants: Instants = []
    for phase in regimen.phases:
        for start, end, mg in phase.deliveries():
            for inp in model.inputs[phase.route]:
                amount = mg * inp.fraction
                if end > start:
                    pieces.append((start, end, inp.state, amount / (end - start)))
                elif inp.zero_order_h > 0:
                    pieces.append(
                        (start, start + inp.zero_order_h, inp.state, amount / inp.zero_order_h)
                    )
                else:
                    instants.append((start, inp.state, amount))
    return pieces, instants
