"""The events table: what each event records, who wrote it, corrections and late entries."""

from __future__ import annotations

from web_rows import stored

from ketamine_cds.entrypoints.web.presenters.events import event_rows


def test_events_are_listed_newest_first_with_who_wrote_them():
    """Newest clinical time first; each row names the author and role."""
    rows = event_rows(
        [
            stored(1, 0, type="rate_change", rate="7 mg/h", by="nina"),
            stored(
                2, 30, type="observation", pain=7, heart_rate=88, systolic_bp=130, diastolic_bp=80
            ),
        ]
    )
    assert [r.event_id for r in rows] == ["e2", "e1"]
    assert rows[0].details == "pain 7/10; HR 88/min; BP 130/80 mm Hg"
    assert rows[1].details == "set to 7 mg/h by nina"
    assert (rows[0].recorded_by, rows[0].role) == ("nina", "nurse")


def test_an_override_shows_its_reason_and_the_rate_allowed():
    """The physician's reason is printed where the event is listed."""
    rows = event_rows(
        [
            stored(
                1,
                0,
                type="physician_override",
                physician="phil",
                reason="pain crisis, reviewed at the bedside",
                up_to="16 mg/h",
                author="phil",
                role="physician",
            )
        ]
    )
    assert rows[0].type_words == "Physician's override"
    assert "up to 16 mg/h" in rows[0].details
    assert "Reason: pain crisis, reviewed at the bedside" in rows[0].details


def test_an_event_entered_in_error_stays_listed_and_is_marked_withdrawn():
    """A withdrawn event is not removed; it says in words which event withdrew it."""
    rows = event_rows(
        [
            stored(1, 0, type="observation", pain=9),
            stored(2, 5, type="entered_in_error", corrects="e1", by="nina", reason="wrong patient"),
        ]
    )
    by_id = {r.event_id: r for r in rows}
    assert by_id["e1"].withdrawn_by == "e2"
    assert by_id["e2"].withdrawn_by is None
    assert by_id["e2"].details == "event e1 withdrawn by nina. Reason: wrong patient"


def test_a_late_entry_says_how_late():
    """An event written long after it happened is marked with the delay."""
    rows = event_rows([stored(1, 0, type="observation", pain=5, late_minutes=75)])
    assert rows[0].late == "written 1 h 15 min later"
    on_time = event_rows([stored(1, 0, type="observation", pain=5, late_minutes=2)])
    assert on_time[0].late is None
