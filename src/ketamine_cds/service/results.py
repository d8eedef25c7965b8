"""The published shapes of what the use cases answer.

Shared by the command line, the API and the pages; keys, once published, are only ever added to.
"""

from __future__ import annotations

from pydantic import Field

from ketamine_cds import __version__
from ketamine_cds.domain.bedside.output import Recommendation


class RecommendationRecord(Recommendation):
    """A recommendation as it is published and stored: with the software that made it."""

    software_version: str = Field(description="The ketamine-cds version that made it.")


def published(recommendation: Recommendation) -> RecommendationRecord:
    """The recommendation with this software's version."""
    return RecommendationRecord(
        **recommendation.model_dump(), software_version=__version__
    )
