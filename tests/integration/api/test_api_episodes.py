"""Episodes over HTTP: start, import, list, show, events, recommendations, verification, export."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import yaml
from api_ward import Ward, episode, now, observation, rate_change, stamp

EXAMPLES = Path(__file__).parents[3] / "examples" / "episodes"


def _running(ward: Ward, rate: str = "7 mg/h") -> tuple[int, int]:
    """An episode verified and started at ``rate``; its id and the recommendation after it."""
    episode_id = ward.start()
    ward.verify(episode_id)
    response = ward.call(
        "POST", f"/api/v1/episodes/{episode_id}/events", "nina", json=rate_change(rate)
    )
    assert response.status_code == 201, response.text
    return episode_id, int(response.json()["recommendation"]["id"])


def test_a_physician_starts_an_episode(ward: Ward) -> None:
    """POST /episodes with no events: 201, its id, a Location, the header as `episode start`."""
    body = episode("p-7", "154 lb")
    response = ward.call("POST", "/api/v1/episodes", "phil", json=body)
    assert response.status_code == 201
    created = response.json()
    assert response.headers["location"] == f"/api/v1/episodes/{created['id']}"
    assert created["patient"] == "p-7"
    assert created["weight"] == "154 lb"
    assert abs(created["weight_kg"] - 69.85) < 0.01
    assert created["started_by"] == "phil"
    assert (created["status"], created["version"], created["events"]) == ("active", 0, 0)
    assert created["demonstration_data"] is False


def test_only_a_physician_starts_an_episode(ward: Ward) -> None:
    """A nurse is refused with 403, the role needed named in the sentence and in role_needed."""
    response = ward.call("POST", "/api/v1/episodes", "nina", json=episode())
    assert response.status_code == 403
    assert response.json() == {
        "detail": "Starting an episode needs the physician role; nina is a nurse.",
        "error": "not_permitted",
        "role_needed": ["physician"],
    }
    listed = ward.call("GET", "/api/v1/episodes", "nina").json()
    assert listed == []


def test_a_malformed_episode_gets_the_file_readers_sentence(ward: Ward) -> None:
    """An episode with a pain score of 11 is refused (400) naming the place, as a file would be."""
    bad = episode()
    bad["baseline"] = {"pain": 11}
    response = ward.call("POST", "/api/v1/episodes", "phil", json=bad)
    assert response.status_code == 400
    assert response.json()["detail"].startswith("The request body: 11 is out of range")
    assert "baseline.pain" in response.json()["detail"]


def test_an_episode_file_imports_with_its_recommendations(ward: Ward) -> None:
    """Seed 001 case 1, as JSON: its 6 events and a recommendation at the start and after each."""
    document = yaml.safe_load((EXAMPLES / "seed-001-case-1.yaml").read_text(encoding="utf-8"))
    data = json.loads(json.dumps(document, default=str))
    response = ward.call("POST", "/api/v1/episodes?concentration_mg_per_ml=1", "phil", json=data)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["events"] == 6
    assert len(body["recommendations"]) == 6  # the start and five more moments (two share one)
    assert body["recommendations"][-1]["output"]["action"] == "discontinue"
    assert body["status"] == "stopped"
    assert body["concentration_mg_per_ml"] == 1


def test_list_and_show(ward: Ward) -> None:
    """GET /episodes lists newest first (filtered by status); GET /episodes/{id} shows one."""
    first, _ = _running(ward)
    second = ward.start("p-2")
    listed = ward.call("GET", "/api/v1/episodes", "paula").json()
    assert [e["id"] for e in listed] == [second, first]
    assert [e["order_verified"] for e in listed] == [False, True]
    stopped = ward.call("GET", "/api/v1/episodes?status=stopped", "paula").json()
    assert stopped == []
    assert ward.call("GET", "/api/v1/episodes?status=paused", "paula").status_code == 422
    shown = ward.call("GET", f"/api/v1/episodes/{first}", "paula").json()
    assert shown["id"] == first
    assert [e["type"] for e in shown["events"]] == ["rate_change"]
    assert shown["verifications"][0]["verified_by"] == "paula"
    assert shown["events"][0]["recorded_by"] == "nina"


def test_an_admin_reads_no_episode_and_a_missing_one_is_404(ward: Ward) -> None:
    """An admin is refused reading (403 naming the clinical roles); an unknown id is 404."""
    episode_id = ward.start()
    refused = ward.call("GET", f"/api/v1/episodes/{episode_id}", "ann")
    assert refused.status_code == 403
    assert refused.json()["role_needed"] == ["physician", "pharmacist", "nurse"]
    assert refused.json()["detail"] == (
        "Reading an episode needs the physician, pharmacist or nurse role; ann is an admin."
    )
    missing = ward.call("GET", "/api/v1/episodes/999", "nina")
    assert missing.status_code == 404
    assert missing.json()["detail"] == "There is no episode 999 in the record."
    assert ward.call("GET", "/api/v1/episodes/0", "nina").status_code == 422
    assert ward.call("GET", "/api/v1/episodes/99999999999", "nina").status_code == 422


def test_the_first_rate_needs_the_pharmacists_verification(ward: Ward) -> None:
    """Before verification a rate is refused (422 not_verified, naming the pharmacist)."""
    episode_id = ward.start()
    path = f"/api/v1/episodes/{episode_id}/events"
    refused = ward.call("POST", path, "nina", json=rate_change("7 mg/h"))
    assert refused.status_code == 422
    assert refused.json()["error"] == "not_verified"
    assert refused.json()["role_needed"] == ["pharmacist"]
    nurse = ward.call("POST", f"/api/v1/episodes/{episode_id}/verification", "nina")
    assert nurse.status_code == 403
    assert nurse.json()["role_needed"] == ["pharmacist"]
    verified = ward.call(
        "POST", f"/api/v1/episodes/{episode_id}/verification", "paula", json={"note": "checked"}
    )
    assert verified.status_code == 201
    assert verified.json()["note"] == "checked"
    accepted = ward.call("POST", path, "nina", json=rate_change("7 mg/h"))
    assert accepted.status_code == 201


def test_an_event_answers_with_the_recommendation_after_it(ward: Ward) -> None:
    """POST .../events: 201, the event as stored (by the token's user), the version, the answer."""
    episode_id, _ = _running(ward)
    response = ward.call(
        "POST", f"/api/v1/episodes/{episode_id}/events", "nora", json=observation(6, sedation=1)
    )
    assert response.status_code == 201
    body = response.json()
    assert body["event"]["type"] == "observation"
    assert (body["event"]["recorded_by"], body["event"]["role"]) == ("nora", "nurse")
    assert body["version"] == 3  # verification, the rate, this observation
    made = body["recommendation"]
    assert made["episode_version"] == 3
    assert made["made_by"] == "nora"
    assert made["order_verified"] is True
    assert made["output"]["protocol_id"] == "cancer-continuous"
    assert body["demonstration_data"] is False


def test_a_change_against_a_stale_recommendation_is_409_with_the_latest(ward: Ward) -> None:
    """Acting on recommendation N after another answer was made: 409, the latest in the body."""
    episode_id, acted_on = _running(ward)
    path = f"/api/v1/episodes/{episode_id}/events"
    newer = ward.call("POST", path, "nora", json=observation(6)).json()["recommendation"]
    stale = ward.call("POST", f"{path}?against={acted_on}", "nina", json=rate_change("9 mg/h"))
    assert stale.status_code == 409
    body = stale.json()
    assert body["error"] == "stale"
    assert body["detail"].startswith(f"Recommendation {acted_on} is no longer the latest")
    assert body["latest_recommendation"]["id"] == newer["id"]
    assert body["latest_recommendation"]["output"] == newer["output"]
    current = ward.call("POST", f"{path}?against={newer['id']}", "nina", json=rate_change("9 mg/h"))
    assert current.status_code == 201


def test_an_expected_version_that_moved_on_is_409(ward: Ward) -> None:
    """?expected_version=N when the episode is past N: 409, and nothing is recorded."""
    episode_id, _ = _running(ward)
    path = f"/api/v1/episodes/{episode_id}/events"
    response = ward.call("POST", f"{path}?expected_version=1", "nina", json=observation(5))
    assert response.status_code == 409
    assert "is at version 2, not 1" in response.json()["detail"]
    shown = ward.call("GET", f"/api/v1/episodes/{episode_id}", "nina").json()
    assert len(shown["events"]) == 1


def test_limits_refuse_rates_with_their_kind(ward: Ward) -> None:
    """At 70 kg: 80 mg/h is a hard limit (422 hard_limit); 18 mg/h needs a physician's override."""
    episode_id, _ = _running(ward)
    path = f"/api/v1/episodes/{episode_id}/events"
    hard = ward.call("POST", path, "nina", json=rate_change("80 mg/h"))
    assert hard.status_code == 422
    assert hard.json()["error"] == "hard_limit"
    assert "Nothing overrides a hard limit" in hard.json()["detail"]
    soft = ward.call("POST", path, "nina", json=rate_change("18 mg/h"))
    assert soft.status_code == 422
    assert (soft.json()["error"], soft.json()["role_needed"]) == ("soft_limit", ["physician"])
    override = {
        "type": "physician_override",
        "at": stamp(now()),
        "physician": "phil",
        "reason": "pain uncontrolled at the ceiling",
        "up_to": "18 mg/h",
    }
    by_nurse = ward.call("POST", path, "nina", json=override)
    assert by_nurse.status_code == 403
    assert ward.call("POST", path, "phil", json=override).status_code == 201
    assert ward.call("POST", path, "nina", json=rate_change("18 mg/h")).status_code == 201


def test_events_the_record_writes_itself_or_that_do_not_parse(ward: Ward) -> None:
    """recorded_by in the body, an unknown type, a time without zone: 400, one sentence each."""
    episode_id, _ = _running(ward)
    path = f"/api/v1/episodes/{episode_id}/events"
    written = ward.call("POST", path, "nina", json={**observation(5), "recorded_by": "x"})
    assert written.status_code == 400
    assert written.json()["detail"] == (
        "The record writes recorded_at, recorded_by and role itself; leave them out."
    )
    unknown = ward.call("POST", path, "nina", json={"type": "dance", "at": stamp(now())})
    assert unknown.status_code == 400
    assert "not one the episode format knows" in unknown.json()["detail"]
    naive = ward.call("POST", path, "nina", json={"type": "observation", "at": "2026-01-01T08:00"})
    assert naive.status_code == 400
    assert "time zone" in naive.json()["detail"]
    future = ward.call(
        "POST", path, "nina", json={**observation(5), "at": stamp(now() + timedelta(hours=2))}
    )
    assert future.status_code == 400
    assert "later than it was recorded" in future.json()["detail"]


def test_a_recommendation_now_or_at_a_time(ward: Ward) -> None:
    """GET .../recommendation stores an answer; ?at= asks at a past moment; a bad time is 400."""
    episode_id, _ = _running(ward)
    path = f"/api/v1/episodes/{episode_id}/recommendation"
    made = ward.call("GET", path, "paula")
    assert made.status_code == 200
    assert made.json()["made_by"] == "paula"
    at = now() - timedelta(seconds=30)
    earlier = ward.call("GET", path, "nina", params={"at": stamp(at)})
    assert earlier.status_code == 200
    assert earlier.json()["at"] == at.isoformat()
    assert earlier.json()["id"] == made.json()["id"] + 1
    assert ward.call("GET", path, "nina", params={"at": "yesterday"}).status_code == 400
    outside = ward.call("GET", path, "nina", params={"at": "1850-01-01T00:00Z"})
    assert outside.status_code == 400
    assert "outside the times the product reads" in outside.json()["detail"]
    assert ward.call("GET", path, "ann").status_code == 403


def test_an_unverified_order_still_answers_but_says_so(ward: Ward) -> None:
    """Before verification the recommendation is given with order_verified false and a warning."""
    episode_id = ward.start()
    made = ward.call("GET", f"/api/v1/episodes/{episode_id}/recommendation", "nina").json()
    assert made["order_verified"] is False
    assert made["warnings"][0].startswith("The order is not yet verified by a pharmacist")
    assert made["output"]["action"] == "start"


def test_export_is_the_episode_file_with_its_recommendations(ward: Ward) -> None:
    """GET .../export: the episode file (re-importable), the bag, the hash, every recommendation."""
    episode_id, _ = _running(ward)
    ward.call("POST", f"/api/v1/episodes/{episode_id}/events", "nina", json=observation(5))
    exported = ward.call("GET", f"/api/v1/episodes/{episode_id}/export", "nina")
    assert exported.status_code == 200
    body = exported.json()
    assert [e["type"] for e in body["episode"]["events"]] == ["rate_change", "observation"]
    assert len(body["recommendations"]) == 2
    assert len(body["protocol_hash"]) == 64
    again = ward.call("POST", "/api/v1/episodes", "phil", json=body["episode"])
    assert again.status_code == 201
    assert again.json()["events"] == 2
    assert ward.call("GET", "/api/v1/episodes/77/export", "nina").status_code == 404
