"""Where a rule of the assessment comes from: the same :class:`Source` every protocol rule carries.

Every contraindication, caution, score interpretation and evidence statement carries at least one:
a seed document (``"seed 000"``) with its section heading, or a named published source.
"""

from ketamine_cds.domain.protocols.schema import Source as Citation

__all__ = ["Citation"]
