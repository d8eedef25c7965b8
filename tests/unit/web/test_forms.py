"""The episode page's forms read into events of the episode file, or refused in one sentence."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ketamine_cds.domain.episode import Observation, PhysicianOverride, PrnGiven, RateChange
from ketamine_cds.domain.errors import UserInputError
from ketamine_cds.entrypoints.web.views import forms

NOW = datetime(2024, 6, 2, 12, 0, tzinfo=UTC)


def test_an_observation_keeps_only_what_was_entered():
    """Empty fields are left out (never read as 0); ticked symptoms and severity are kept."""
    event = forms.observation(
        {
            "pain": ["6"],
            "heart_rate": ["92"],
            "spo2": [""],
            "symptoms": ["dizziness", "nausea"],
            "severe": ["nausea"],
            "troublesome": ["yes"],
        },
        NOW,
    )
    assert isinstance(event, Observation)
    assert event.pain == 6
    assert event.heart_rate == 92
    assert event.spo2 is None
    assert [s.value for s in event.symptoms] == ["dizziness", "nausea"]
    assert [s.value for s in event.severe] == ["nausea"]
    assert event.troublesome is True
    assert event.at == NOW


def test_an_empty_observation_is_refused_in_the_episode_formats_words():
    """Nothing entered is the same refusal an episode file gets."""
    with pytest.raises(UserInputError, match="records nothing"):
        forms.observation({"pain": [""]}, NOW)


@pytest.mark.parametrize(
    ("fields", "sentence"),
    [
        ({"pain": ["11"]}, "the pain score: Input should be less than or equal to 10"),
        ({"pain": ["6.5"]}, "the pain score is a whole number, not 6.5"),
        ({"heart_rate": ["fast"]}, "the heart rate 'fast' is not a number"),
        ({"heart_rate": ["nan"]}, "the heart rate 'nan' is not a number"),
        ({"pain": ["4"], "severe": ["nausea"]}, "severe lists nausea"),
    ],
)
def test_bad_entries_are_named_in_one_sentence(fields, sentence):
    """Each bad entry names its field and what is wrong."""
    with pytest.raises(UserInputError) as refused:
        forms.observation(fields, NOW)
    assert sentence in str(refused.value)


def test_a_rate_change_is_written_in_mg_per_h_by_the_signed_in_user():
    """The rate form's number is mg/h; the event names who set it."""
    event = forms.rate_change({"rate_mg_per_h": ["9.5"], "note": [" step "]}, NOW, "nina")
    assert isinstance(event, RateChange)
    assert str(event.rate) == "9.5 mg/h"
    assert event.by == "nina"
    assert event.note == "step"


def test_a_rate_change_needs_a_rate():
    """An empty rate is not zero: it is refused."""
    with pytest.raises(UserInputError, match="give the new rate in mg/h"):
        forms.rate_change({"rate_mg_per_h": [""]}, NOW, "nina")


def test_an_override_needs_a_reason_and_allows_up_to_the_rate_given():
    """A physician's override names the rate it allows and the reason, which cannot be empty."""
    event = forms.override({"rate_mg_per_h": ["16"], "reason": ["pain crisis"]}, NOW, "phil")
    assert isinstance(event, PhysicianOverride)
    assert str(event.up_to) == "16 mg/h"
    assert event.reason == "pain crisis"
    with pytest.raises(UserInputError, match="the reason"):
        forms.override({"rate_mg_per_h": ["16"], "reason": [""]}, NOW, "phil")


def test_a_prn_dose_keeps_its_unit_and_route():
    """A PRN is written as the episode file writes it: drug, dose with its unit, route."""
    event = forms.prn({"drug": ["lorazepam"], "dose": ["0.5 mg"], "route": ["iv"]}, NOW, "nina")
    assert isinstance(event, PrnGiven)
    assert str(event.dose) == "0.5 mg"
    assert event.route is not None
    assert event.route.value == "iv"


def test_a_time_typed_without_a_zone_is_the_wards():
    """datetime-local sends no zone: it is read in the ward's zone (UTC); empty is now."""
    assert forms.moment({"at": ["2024-06-02T09:15"]}, NOW) == datetime(
        2024, 6, 2, 9, 15, tzinfo=UTC
    )
    assert forms.moment({"at": [""]}, NOW) == NOW
    with pytest.raises(UserInputError, match="is not a date and time"):
        forms.moment({"at": ["yesterday"]}, NOW)


def test_the_recommendation_acted_on_is_a_number():
    """The hidden field naming the recommendation is read as its id, or refused."""
    assert forms.recommendation_id({"against": ["12"]}) == 12
    assert forms.recommendation_id({}) is None
    with pytest.raises(UserInputError, match="does not name a recommendation"):
        forms.recommendation_id({"against": ["12; drop"]})
