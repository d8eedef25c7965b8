"""Pharmacokinetics: cited compartment models of ketamine and an exact simulator.

A model is data (one YAML file per published model, each parameter with its unit and source),
validated by :mod:`ketamine_cds.domain.pk.spec`. The simulator solves the linear compartment
system exactly in modal form (eigen-decomposition; each mode advanced by ``exp(λΔt)`` across
piecewise-constant input), for one patient or a sampled virtual population.
"""
