"""The bedside engine: from an episode so far, what the protocol says to do now."""

from ketamine_cds.domain.bedside.engine import recommend
from ketamine_cds.domain.bedside.output import Alert, PrnAdvice, Reason, Recommendation

__all__ = ["Alert", "PrnAdvice", "Reason", "Recommendation", "recommend"]
