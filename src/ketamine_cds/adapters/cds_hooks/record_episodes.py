"""The CDS Hooks service's view of the record: a patient's active episode, as it stands now.

The recommendation on the card is worked out at the moment of the call from the episode's
events and the protocol in use, and is not stored: opening a chart in the EHR is not a bedside
decision, and the episode page stores the recommendation each time a clinician looks at it.
"""

from __future__ import annotations

from dataclasses import dataclass

from ketamine_cds.adapters.cds_hooks.ports import ActiveEpisode
from ketamine_cds.service.episodes import recommend_for
from ketamine_cds.service.record_queries import active_episode_of_patient
from ketamine_cds.service.record_support import RecordDeps


@dataclass(frozen=True)
class RecordActiveEpisodes:
    """Active episodes by the EHR's patient id, read from the record."""

    deps: RecordDeps

    def active_for(self, patient_id: str) -> ActiveEpisode | None:
        """The patient's newest active episode with the recommendation now, or None."""
        found = active_episode_of_patient(self.deps, patient_id)
        if found is None:
            return None
        header = found.summary.header
        return ActiveEpisode(
            episode_id=str(header.id),
            episode=found.episode,
            recommendation=recommend_for(self.deps.protocols, found.episode, self.deps.clock.now()),
            concentration_mg_per_ml=header.concentration_mg_per_ml,
        )
