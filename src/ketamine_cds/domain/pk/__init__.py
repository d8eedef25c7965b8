"""Pharmacokinetics: cited compartment models of ketamine and an exact simulator.

A model is data (one YAML file per published model, each parameter with its unit and source),
validated by :mod:`ketamine_cds.domain.pk.spec`. The simulator solves the linear compartment
system exactly in modal form (eigen-decomposition; each mode advanced by ``exp(λΔt)`` across
piecewise-constant input), for one patient or a sampled virtual population.

This package's own namespace holds only the product's defaults, so that a command line can
name them without importing the numeric stack.
"""

DEFAULT_MODEL = "domino-1984"  # docs/adr/0033: the default model, with cited variability
DEFAULT_OPEN_ENDED_H = 48.0  # how long an open-ended protocol phase is simulated
MAX_SIMULATED_H = 2160.0  # 90 days: the longest regimen the simulator accepts
MAX_SEED = 2**63 - 1  # population seeds are whole numbers from 0 to this
MAX_POPULATION = 1_000_000  # virtual patients in one simulation
