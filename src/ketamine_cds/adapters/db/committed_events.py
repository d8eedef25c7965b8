"""The committed events of the episodes a process writes, kept between its units of work.

The database refuses UPDATE and DELETE on events, so an episode's events once committed stay
as they are: a write needs to read only the rows after the last one this process knows. Only
rows known to be committed enter, handed over by a unit of work when its commit returns; a
rolled-back unit of work hands over nothing. Writers alone use it: a writer reads the latest
committed rows, so the rows kept are a prefix of what it would read. A reader on PostgreSQL
reads one snapshot, which may be older than the rows kept, so readers read from the database.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence

from ketamine_cds.domain.record import StoredEvent

# A ward's episodes in progress, with room: a quiet episode is read in full again when next
# written, so the bound costs one full read, never a wrong answer.
EPISODES_KEPT = 256


class CommittedEvents:
    """The latest-written episodes' committed events, oldest-used dropped first."""

    def __init__(self, episodes: int = EPISODES_KEPT) -> None:
        self._kept: OrderedDict[int, tuple[StoredEvent, ...]] = OrderedDict()
        self._episodes = episodes
        self._lock = threading.Lock()  # the server's worker threads share one

    def of(self, episode_id: int) -> tuple[StoredEvent, ...]:
        """The episode's committed events known here, in position order (none if not known)."""
        with self._lock:
            kept = self._kept.get(episode_id)
            if kept is None:
                return ()
            self._kept.move_to_end(episode_id)
            return kept

    def add(self, episode_id: int, events: Sequence[StoredEvent]) -> None:
        """Keep these committed events of an episode, unless more of them are kept already."""
        with self._lock:
            kept = self._kept.get(episode_id, ())
            if len(events) > len(kept):
                self._kept[episode_id] = tuple(events)
            if episode_id in self._kept:
                self._kept.move_to_end(episode_id)
            while len(self._kept) > self._episodes:
                self._kept.popitem(last=False)
