"""The course of care around an infusion: companion drugs, response, transitions, discharge, audit.

Pure functions of an episode (and its protocol): what NMDA antagonists it relies on, whether the
patient responded by Good et al.'s definition, the MED over the episode, the planned route
changes with every figure checked, the discharge reconciliation and summary, and the cohort
measures of the seed audits.
"""
