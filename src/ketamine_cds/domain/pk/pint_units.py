"""pint's registry of the product's units, for the pharmacokinetic constants' free unit text.

A model file writes its constants in any of pint's notations (``L/h/kg``, ``1/min``), which the
dose path's own reader (:mod:`ketamine_cds.domain.unit_algebra`) does not take; pint reads them,
from the same :data:`DEFINITIONS`. Only the simulator's modules import this one: a plan or a
check loads no pint at all (docs/adr/0140).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

from ketamine_cds.domain.unit_algebra import DEFINITIONS

# pint imports each of these it can find, for arrays, uncertainties and locales; the product's
# quantities are single numbers, and numpy and scipy alone take longer to import than a plan.
_PINT_EXTRAS = ("numpy", "scipy", "uncertainties", "babel")


@contextmanager
def _without_pint_extras() -> Iterator[None]:
    """Import pint without its optional libraries, in every process alike (docs/adr/0120).

    A ``None`` in ``sys.modules`` makes ``import numpy`` fail inside pint, which then leaves its
    array support out; whatever was loaded before is put back. A pint imported before is used as
    it is.
    """
    if "pint" in sys.modules:
        yield
        return
    loaded = {name: sys.modules[name] for name in _PINT_EXTRAS if name in sys.modules}
    for name in _PINT_EXTRAS:
        sys.modules[name] = None  # type: ignore[assignment] # the documented import block
    try:
        yield
    finally:
        for name in _PINT_EXTRAS:
            del sys.modules[name]
        sys.modules.update(loaded)


with _without_pint_extras():
    import pint

# pint's full definitions take 20 times longer to build than these, and a unit outside them is
# one the product should refuse anyway.
ureg: pint.UnitRegistry = pint.UnitRegistry(None)  # type: ignore[type-arg]
for _definition in DEFINITIONS:
    ureg.define(_definition)
