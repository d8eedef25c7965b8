"""ketamine-cds: clinical decision support for subanesthetic ketamine analgesia.

Decision support, not a prescriber: it computes, checks, explains and records; a clinician decides.
"""

__version__ = "0.1.0"

DECISION_SUPPORT_NOTICE = (
    "Decision support, not a prescriber: every figure must be checked and ordered by a clinician."
)
