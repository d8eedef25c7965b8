"""What the record's use cases do beyond roles: the pharmacist's verification before the first
dose, limits refused and audited, stale changes refused, late entries kept out of answers
already shown, corrections, and one transaction per use case."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta

import pytest
from fakes import FakeProtocolSource
from record_builders import event, plan, started, ward

from ketamine_cds.domain.bedside import recommend
from ketamine_cds.domain.errors import UserInputError
from ketamine_cds.domain.record import (
    LimitRefusedError,
    NotVerifiedError,
    StaleRecommendationError,
)
from ketamine_cds.domain.roles import NotPermittedError
from ketamine_cds.service.audit_trail import verify_audit
from ketamine_cds.service.ports import LoadedProtocol
from ketamine_cds.service.record import (
    import_episode,
    recommend_now,
    record_event,
    start_episode,
)
from ketamine_cds.service.record_queries import export_episode, replay_stored, show_episode
from ketamine_cds.service.record_support import find_episode, output_text, protocol_of


def test_a_first_rate_before_verification_is_refused_naming_the_pharmacist() -> None:
    """No rate and no dose before the pharmacist's check; the refusal says who must verify."""
    fake = ward()
    episode_id = started(fake, verified=False)
    with pytest.raises(NotVerifiedError, match="needs the pharmacist role to verify it first"):
        record_event(
            fake.deps, "nina", episode_id, event(fake, "rate_change", rate="7 mg/h", by="n")
        )
    assert fake.store.events.get(episode_id, []) == []
    assert fake.store.audit[-1].action == "refused.event.rate_change"


def test_a_recommendation_before_verification_says_why_no_dose_may_be_given() -> None:
    """The engine still answers, but the answer carries the missing verification."""
    fake = ward()
    episode_id = started(fake, verified=False)
    made = recommend_now(fake.deps, "nina", episode_id)
    assert not made.order_verified
    assert made.recommendation.action == "start"
    assert any("not yet verified by a pharmacist" in w for w in made.warnings)


def test_observations_need_no_verification() -> None:
    """Only doses and rates wait for the pharmacist; a pain score is recorded at once."""
    fake = ward()
    episode_id = started(fake, verified=False)
    done = record_event(fake.deps, "nina", episode_id, event(fake, "observation", pain=7))
    assert done.event.event_id == "e1"
    assert done.version == 1


def test_a_rate_at_the_hard_limit_is_refused_and_audited() -> None:
    """70 mg/h for 70 kg is 1 mg/kg/h, the hard limit (seed 004): refused, nothing stored."""
    fake = ward()
    episode_id = started(fake)
    with pytest.raises(LimitRefusedError, match="hard limit") as refused:
        record_event(
            fake.deps, "phil", episode_id, event(fake, "rate_change", rate="70 mg/h", by="p")
        )
    assert refused.value.hard
    assert fake.store.events.get(episode_id, []) == []
    assert fake.store.audit[-1].action == "refused.event.rate_change"
    assert verify_audit(fake.deps, "nina").intact


def test_a_rate_above_the_ceiling_needs_a_physician_override() -> None:
    """15 mg/h is above 0.2 mg/kg/h (14 mg/h for 70 kg, seed 001); after a physician's
    override up to 16 mg/h the same rate is recorded."""
    fake = ward()
    episode_id = started(fake)
    record_event(fake.deps, "nina", episode_id, event(fake, "rate_change", rate="7 mg/h", by="n"))
    with pytest.raises(LimitRefusedError, match="needs the physician role") as refused:
        record_event(
            fake.deps, "nina", episode_id, event(fake, "rate_change", rate="15 mg/h", by="n")
        )
    assert not refused.value.hard
    override = event(
        fake,
        "physician_override",
        physician="phil",
        reason="pain crisis, reviewed",
        up_to="16 mg/h",
    )
    record_event(fake.deps, "phil", episode_id, override)
    done = record_event(
        fake.deps, "nina", episode_id, event(fake, "rate_change", rate="15 mg/h", by="n")
    )
    assert done.event.type == "rate_change"


def test_a_change_against_an_old_recommendation_is_refused_with_the_newer_one() -> None:
    """A rate change made against recommendation 1 after recommendation 2 exists is refused."""
    fake = ward()
    episode_id = started(fake)
    first = recommend_now(fake.deps, "nina", episode_id).stored
    fake.clock.advance(minutes=1)
    second = recommend_now(fake.deps, "phil", episode_id).stored
    change = event(fake, "rate_change", rate="7 mg/h", by="n")
    with pytest.raises(StaleRecommendationError) as stale:
        record_event(fake.deps, "nina", episode_id, change, against=first.id)
    assert stale.value.latest is not None
    assert stale.value.latest.id == second.id
    assert f"the latest is recommendation {second.id}" in str(stale.value)
    done = record_event(fake.deps, "nina", episode_id, change, against=second.id)
    assert done.version == 2


def test_a_change_after_the_episode_moved_on_is_refused() -> None:
    """An observation recorded after the recommendation makes a change against it stale."""
    fake = ward()
    episode_id = started(fake)
    shown = recommend_now(fake.deps, "nina", episode_id).stored
    record_event(fake.deps, "phil", episode_id, event(fake, "observation", pain=9))
    change = event(fake, "rate_change", rate="7 mg/h", by="n")
    with pytest.raises(StaleRecommendationError, match="changed after recommendation"):
        record_event(fake.deps, "nina", episode_id, change, against=shown.id)
    with pytest.raises(StaleRecommendationError, match="not 1"):
        record_event(fake.deps, "nina", episode_id, change, expected_version=1)


def test_a_late_entry_does_not_change_an_answer_already_shown() -> None:
    """An observation entered late, timed before a stored recommendation, is not in its replay:
    the replay still gives the stored answer, while the episode now reads differently."""
    fake = ward()
    episode_id = started(fake)
    record_event(fake.deps, "nina", episode_id, event(fake, "rate_change", rate="7 mg/h", by="n"))
    fake.clock.advance(hours=2)
    shown = recommend_now(fake.deps, "nina", episode_id)
    late_at = fake.clock.now() - timedelta(minutes=30)
    fake.clock.advance(minutes=20)
    record_event(
        fake.deps,
        "nina",
        episode_id,
        event(fake, "observation", after_min=0, pain=9).model_copy(update={"at": late_at}),
    )
    checks = replay_stored(fake.deps, "nina", episode_id)
    assert [c.matches for c in checks] == [True]
    assert checks[0].replayed == shown.stored.output
    exported = export_episode(fake.deps, "nina", episode_id).episode
    late_event = exported.events[1]
    assert late_event.type == "observation"
    assert late_event.at == late_at
    assert late_event.recorded_at is not None
    assert late_event.recorded_at > shown.stored.made_at
    # Replayed without the cut-off, the late pain score of 9 changes the answer at that moment.
    loaded = fake.protocols.get("cancer-continuous")
    naive = recommend(exported, loaded.protocol, fake.protocols.limits().table, shown.stored.at)
    assert output_text(naive) != shown.stored.output


def test_a_correction_names_an_earlier_event_of_the_same_type() -> None:
    """A correction is a new event naming the one it corrects; both stay in the record."""
    fake = ward()
    episode_id = started(fake)
    record_event(fake.deps, "nina", episode_id, event(fake, "observation", pain=9))
    fixed = event(fake, "observation", pain=3, corrects="e1", note="pain was 3, not 9")
    record_event(fake.deps, "nina", episode_id, fixed)
    events = show_episode(fake.deps, "nina", episode_id).events
    assert [(e.event_id, e.corrects) for e in events] == [("e1", None), ("e2", "e1")]
    assert json.loads(events[0].body)["pain"] == 9
    with pytest.raises(UserInputError, match="which is not an earlier opioid_use"):
        record_event(
            fake.deps,
            "nina",
            episode_id,
            event(fake, "opioid_use", med_mg_per_24h=5, corrects="e1"),
        )


def test_an_event_in_the_future_or_before_the_start_is_refused() -> None:
    """An event cannot be recorded before it happens, nor before the episode started."""
    fake = ward()
    episode_id = started(fake)
    ahead = event(fake, "observation", pain=5).model_copy(
        update={"at": fake.clock.now() + timedelta(hours=1)}
    )
    with pytest.raises(UserInputError, match="is recorded when or after it happens"):
        record_event(fake.deps, "nina", episode_id, ahead)
    before = ahead.model_copy(update={"at": fake.clock.now() - timedelta(days=1)})
    with pytest.raises(UserInputError, match="before the episode started"):
        record_event(fake.deps, "nina", episode_id, before)


def test_the_record_writes_who_and_when_itself() -> None:
    """An event arriving with its own recorded_by is refused; the record sets it."""
    fake = ward()
    episode_id = started(fake)
    forged = event(fake, "observation", pain=5).model_copy(update={"recorded_by": "phil"})
    with pytest.raises(UserInputError, match="writes recorded_at, recorded_by and role itself"):
        record_event(fake.deps, "nina", episode_id, forged)
    done = record_event(fake.deps, "nina", episode_id, event(fake, "observation", pain=5))
    assert (done.event.recorded_by, done.event.role) == ("nina", "nurse")
    assert done.event.recorded_at == fake.clock.now()


def test_each_use_case_commits_once_with_its_audit_entries() -> None:
    """Recording an event with its recommendation is one commit holding both audit entries."""
    fake = ward()
    episode_id = started(fake)
    commits, entries = fake.commits, len(fake.store.audit)
    record_event(
        fake.deps, "nina", episode_id, event(fake, "observation", pain=5), recommend_after=True
    )
    assert fake.commits == commits + 1
    assert [e.action for e in fake.store.audit[entries:]] == [
        "event.record",
        "recommendation.store",
    ]


def test_a_new_episode_starts_empty_and_records_its_protocol_hash() -> None:
    """Start takes a plan without events and stores the protocol file's SHA-256."""
    fake = ward()
    header = start_episode(fake.deps, "phil", plan(fake), 1.0).header
    loaded = fake.protocols.get("cancer-continuous")
    assert header.protocol_hash == loaded.content_hash
    assert header.concentration_mg_per_ml == 1.0
    assert header.weight.kg == 70.0
    with_events = import_episode(fake.deps, "phil", plan(fake), None)
    assert with_events.recommendations == ()
    with pytest.raises(UserInputError, match="not plausible"):
        start_episode(fake.deps, "phil", plan(fake), 500.0)


def test_a_stop_does_not_stand_in_for_the_verification() -> None:
    """A stop recorded before any rate does not count as a first dose: the rate still waits."""
    fake = ward()
    episode_id = started(fake, verified=False)
    record_event(fake.deps, "nina", episode_id, event(fake, "stop", by="n", reason="not started"))
    with pytest.raises(NotVerifiedError):
        record_event(
            fake.deps, "nina", episode_id, event(fake, "rate_change", rate="7 mg/h", by="n")
        )


def test_an_event_entered_in_error_is_withdrawn_by_a_role_that_may_record_it() -> None:
    """A nurse withdraws her observation; a pharmacist may not withdraw an observation."""
    fake = ward()
    episode_id = started(fake)
    record_event(fake.deps, "nina", episode_id, event(fake, "observation", pain=9))
    withdrawal = event(fake, "entered_in_error", corrects="e1", by="nina", reason="wrong patient")
    with pytest.raises(
        NotPermittedError,
        match="Recording an observation needs the physician or nurse role; paula is a pharmacist",
    ):
        record_event(fake.deps, "paula", episode_id, withdrawal)
    done = record_event(fake.deps, "nina", episode_id, withdrawal)
    assert (done.event.type, done.event.corrects) == ("entered_in_error", "e1")


def test_two_readings_that_disagree_at_one_moment_are_refused() -> None:
    """A second observation at the very same moment may add to the first, never contradict it."""
    fake = ward()
    episode_id = started(fake)
    first = event(fake, "observation", pain=9)
    record_event(fake.deps, "nina", episode_id, first)
    adding = first.model_copy(update={"pain": None, "heart_rate": 80.0})
    record_event(fake.deps, "phil", episode_id, adding)
    clash = first.model_copy(update={"pain": 3})
    with pytest.raises(UserInputError, match="cannot take this event"):
        record_event(fake.deps, "phil", episode_id, clash)
    assert len(fake.store.events[episode_id]) == 2


class _RevisedProtocols(FakeProtocolSource):
    """The shipped protocols, but cancer-continuous's first phase reworded since the start."""

    def get(self, protocol_id: str) -> LoadedProtocol:
        loaded = super().get(protocol_id)
        first = loaded.protocol.phases[0].model_copy(update={"text": "Reworded since."})
        phases = [first, *loaded.protocol.phases[1:]]
        revised = loaded.protocol.model_copy(update={"phases": phases})
        return replace(loaded, protocol=revised, text=loaded.text + "\n# revised\n")


def test_an_export_carries_the_protocol_the_record_kept_not_the_one_read_today() -> None:
    """The FHIR Bundle's order text comes from the export: the archived protocol text wins."""
    fake = ward()
    episode_id = started(fake)
    kept = fake.protocols.get("cancer-continuous").protocol.phases[0].text
    fake.protocols = _RevisedProtocols()
    assert fake.protocols.get("cancer-continuous").protocol.phases[0].text == "Reworded since."
    exported = export_episode(fake.deps, "nina", episode_id)
    assert exported.protocol.phases[0].text == kept != "Reworded since."


class _ChangedFile(FakeProtocolSource):
    """The shipped protocols, each file edited since (another SHA-256)."""

    def get(self, protocol_id: str) -> LoadedProtocol:
        return replace(super().get(protocol_id), content_hash="0" * 64)


def test_an_episode_is_read_with_its_own_protocol_text_or_refused() -> None:
    """Without the archived text, the file serves only while unchanged; another is refused."""
    fake = ward()
    episode_id = started(fake)
    shipped = fake.protocols.get("cancer-continuous").protocol
    fake.store.archive.clear()
    with fake.deps.uow(writing=False) as uow:
        header = find_episode(uow, episode_id)
        assert protocol_of(fake.deps, uow, header) == shipped
    fake.protocols = _ChangedFile()
    with fake.deps.uow(writing=False) as uow, pytest.raises(UserInputError) as refused:
        protocol_of(fake.deps, uow, header)
    assert str(refused.value) == (
        f"episode {episode_id} was written against a text of protocol 'cancer-continuous' "
        "that the record does not keep and the protocol's file no longer holds"
    )
