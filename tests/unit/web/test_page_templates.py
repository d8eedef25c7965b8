"""The ward templates as rendered: the notice, the CSRF token in every form, labelled fields,
states in words, and the htmx partial the forms swap in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from web_rows import START, answer_at, episode, header, stored, stored_answer

from ketamine_cds.domain.record import Verification
from ketamine_cds.domain.units import BodyWeight, Concentration
from ketamine_cds.entrypoints.web.presenters.episode_page import Outcome, episode_view
from ketamine_cds.entrypoints.web.presenters.ward_board import ward_board
from ketamine_cds.service.planning import plan
from ketamine_cds.service.record import MadeRecommendation
from ketamine_cds.service.record_queries import EpisodeDetail, EpisodeSummary, WardEpisode

TOKEN = "form-token-for-the-test"  # noqa: S105 - a test value
NOTICE = "Decision support, not a prescriber"


@dataclass(frozen=True)
class Viewer:
    name: str
    role: str


class Fields(HTMLParser):
    """The forms, fields, labels and ids of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, str | None]] = []
        self.hidden: list[list[tuple[str, str | None]]] = []
        self.fields: list[dict[str, str | None]] = []
        self.labels: set[str] = set()
        self.ids: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if found.get("id"):
            self.ids.append(str(found["id"]))
        if tag == "form":
            self.forms.append(found)
            self.hidden.append([])
        elif tag == "label" and found.get("for"):
            self.labels.add(str(found["for"]))
        elif tag in {"input", "select", "textarea"}:
            if found.get("type") == "hidden":
                if self.hidden:
                    self.hidden[-1].append((str(found.get("name")), found.get("value")))
            elif found.get("type") not in {"submit", "button"}:
                self.fields.append(found)


def parsed(html: str) -> Fields:
    fields = Fields()
    fields.feed(html)
    return fields


def check_forms(html: str) -> None:
    """Every POST form carries the token; every field has a label; ids are unique."""
    page = parsed(html)
    for form, hidden in zip(page.forms, page.hidden, strict=True):
        if (form.get("method") or "get").lower() == "post":
            assert ("csrf_token", TOKEN) in hidden, form
    for field in page.fields:
        labelled = field.get("id") in page.labels or field.get("aria-label")
        assert labelled, field
    duplicates = {i for i in page.ids if page.ids.count(i) > 1}
    assert not duplicates


@pytest.fixture
def view(protocols):
    events = (
        stored(1, 0, type="rate_change", rate="7 mg/h", by="nina"),
        stored(2, 30, type="observation", pain=7),
    )
    head = header()
    answer = answer_at(protocols, events, 31)
    made = stored_answer(answer, 7, episode_version=2)
    detail = EpisodeDetail(
        summary=EpisodeSummary(head, 2, True, made),
        weights=(head.weight,),
        events=events,
        recommendations=(made,),
        verifications=(Verification(1, "paula", START, "checked"),),
    )
    planned = plan(
        protocols, "cancer-continuous", BodyWeight.from_kg(70), Concentration.of(1, "mg/mL")
    )

    def build(role: str, outcome: Outcome | None = None):
        return episode_view(
            detail,
            MadeRecommendation(made, answer, True, (), head.patient),
            planned,
            user=Viewer("nina" if role == "nurse" else "phil", role),
            now=START + timedelta(minutes=32),
            chart=None,
            outcome=outcome,
        )

    return build


def render(env, name, **context):
    return env.get_template(name).render(csrf_token=TOKEN, **context)


def test_the_episode_page_has_the_notice_landmarks_and_safe_forms(env, view):
    """The notice, one main landmark, a labelled field everywhere, the token in every form."""
    e = view("nurse")
    html = render(env, "pages/episode.html", e=e, user=Viewer("nina", "nurse"))
    assert NOTICE in html
    assert html.count('<main id="main"') == 1
    assert 'href="/episodes/1/order-set.pdf"' in html
    check_forms(html)
    for form_id in ("observation-form", "rate-form", "prn-form", "pause-form", "stop-form"):
        assert f'id="{form_id}"' in html
    assert 'id="verify-form"' not in html  # a nurse does not verify
    assert 'name="against" value="7"' in html  # the rate form acts on the recommendation shown
    assert "Not verified" not in html


def test_the_live_partial_is_what_htmx_swaps(env, view):
    """The forms target #episode-live; the partial is that element with no page around it."""
    e = view("nurse", Outcome("ok", "Observation recorded as event e3."))
    partial = render(env, "partials/episode_live.html", e=e, user=Viewer("nina", "nurse"))
    assert '<div id="episode-live"' in partial
    assert "<html" not in partial
    assert 'role="status"' in partial
    assert "Recorded." in partial
    assert 'hx-get="/episodes/1/chart"' in partial  # the chart follows on its own
    check_forms(partial)


def test_a_soft_limit_refusal_offers_the_override_to_a_physician_only(env, view):
    """A nurse is told to ask a physician; a physician gets the override form with a reason."""
    refusal = Outcome("refused", "16 mg/h is above the ceiling.", override_rate="16")
    nurse = render(
        env, "partials/episode_live.html", e=view("nurse", refusal), user=Viewer("nina", "nurse")
    )
    assert 'id="override-form"' not in nurse
    assert "A physician must record an override with a reason" in nurse
    assert 'href="/login?next=/episodes/1"' in nurse
    physician = render(
        env,
        "partials/episode_live.html",
        e=view("physician", refusal),
        user=Viewer("phil", "physician"),
    )
    assert 'id="override-form"' in physician
    assert 'name="reason"' in physician
    assert 'role="alert"' in physician
    check_forms(physician)


def test_a_hard_limit_refusal_offers_no_override(env, view):
    """A hard limit is refused with its sentence and nothing to override it with."""
    refusal = Outcome("hard", "80 mg/h is at or above the hard limit. Nothing overrides it.")
    html = render(
        env,
        "partials/episode_live.html",
        e=view("physician", refusal),
        user=Viewer("phil", "physician"),
    )
    assert "Refused: hard limit." in html
    assert 'id="override-form"' not in html


def test_a_pharmacist_gets_the_verification_form(env, view):
    """Only a pharmacist's page has the verification form; it has no bedside forms."""
    html = render(
        env, "pages/episode.html", e=view("pharmacist"), user=Viewer("paula", "pharmacist")
    )
    assert 'id="verify-form"' in html
    assert 'id="rate-form"' not in html
    check_forms(html)


def test_the_board_says_overdue_in_words(env, protocols):
    """An overdue assessment is written "Overdue", not only drawn in red."""
    events = (
        stored(1, 0, type="rate_change", rate="7 mg/h", by="nina"),
        stored(2, 30, type="observation", pain=8),
    )
    made = stored_answer(answer_at(protocols, events, 31), 3, episode_version=2)
    line = WardEpisode(EpisodeSummary(header(patient="DEMO-x"), 2, True, made), episode(*events))
    board = ward_board([line], START + timedelta(hours=8))
    html = render(env, "pages/ward_board.html", b=board, user=Viewer("nina", "nurse"))
    assert ">Overdue<" in html
    assert "Demonstration data" in html
    assert "7 mg/h" in html
    assert "7.0 mL/h" in html
    assert NOTICE in html
    check_forms(html)


def test_the_login_page_is_labelled_and_carries_the_token(env):
    """The sign-in form posts the token and where to go next; a failure says so in words."""
    html = render(env, "pages/login.html", user=None, next="/episodes/3", failed=True)
    check_forms(html)
    assert 'name="next" value="/episodes/3"' in html
    assert "Not signed in." in html
