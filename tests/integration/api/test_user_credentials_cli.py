"""`ketamine-cds user password|token|tokens|revoke-token` and `demo load`, against the API."""

from __future__ import annotations

import json
from pathlib import Path

from api_ward import Ward, environment
from typer.testing import CliRunner

from ketamine_cds.entrypoints.cli.app import app as cli
from ketamine_cds.service.credentials import verify_password


def _cli(ward: Ward, *args: str, stdin: str | None = None) -> tuple[int, str, str]:
    env = environment(ward.db.url, Path("/nonexistent-data-folder"))
    result = CliRunner().invoke(cli, list(args), env=env, input=stdin)
    return result.exit_code, result.stdout, result.stderr


def _hash(ward: Ward, name: str) -> str | None:
    with ward.record.access.uow(writing=False) as uow:
        return uow.access.password_hash(name)


def test_a_password_read_from_standard_input(ward: Ward) -> None:
    """An admin sets nora's password from stdin; only an argon2 hash of it is kept."""
    code, out, _ = _cli(
        ward, "user", "password", "nora", "--as", "ann", stdin="quiet nights on ward 7\n"
    )
    assert (code, out.strip()) == (0, "password set for nora")
    kept = _hash(ward, "nora")
    assert kept is not None
    assert kept.startswith("$argon2id$")
    assert verify_password(kept, "quiet nights on ward 7")
    assert not verify_password(kept, "quiet nights on ward 7\n")


def test_password_refusals(ward: Ward) -> None:
    """Too short, holding the name, or another user's by a nurse: exit 2 and one sentence."""
    code, _, err = _cli(ward, "user", "password", "nora", "--as", "nora", stdin="short\n")
    assert code == 2
    assert "at least 15 characters" in err
    code, _, err = _cli(
        ward, "user", "password", "nora", "--as", "nora", stdin="nora is the best nurse\n"
    )
    assert (code, err.strip()) == (2, "error: a password may not contain the user's name.")
    code, _, err = _cli(
        ward, "user", "password", "phil", "--as", "nora", stdin="a long enough password\n"
    )
    assert code == 2
    assert err.strip() == (
        "error: Setting the password of another user needs the admin role; nora is a nurse."
    )
    code, _, err = _cli(
        ward, "user", "password", "ghost", "--as", "ann", stdin="a long enough password\n"
    )
    assert (code, err.strip()) == (2, "error: there is no user 'ghost' in the record.")


def test_a_token_printed_once_opens_the_api_until_revoked(ward: Ward) -> None:
    """`user token` prints a token the API accepts; `user tokens` lists it; revoked, it is 401."""
    code, out, _ = _cli(ward, "user", "token", "nora", "--label", "ward script", "--as", "ann")
    assert code == 0
    token = out.strip()
    assert token.startswith("kcds_")
    headers = {"Authorization": f"Bearer {token}"}
    assert ward.client.get("/api/v1/episodes", headers=headers).status_code == 200
    code, out, _ = _cli(ward, "user", "tokens", "nora", "--as", "nora", "--json")
    listed = json.loads(out)
    assert [t["label"] for t in listed] == ["tests", "ward script"]
    assert token not in out
    code, out, _ = _cli(ward, "user", "revoke-token", str(listed[1]["id"]), "--as", "nora")
    assert (code, out.strip()) == (0, f"token {listed[1]['id']} of nora revoked")
    assert ward.client.get("/api/v1/episodes", headers=headers).status_code == 401
    code, _, err = _cli(ward, "user", "revoke-token", str(listed[1]["id"]), "--as", "nora")
    assert (code, err.strip()) == (2, f"error: token {listed[1]['id']} was already revoked.")
    code, _, err = _cli(ward, "user", "token", "phil", "--as", "nora")
    assert code == 2
    assert "needs the admin role" in err


def test_the_demonstration_ward_loads_only_into_a_new_record(ward: Ward, tmp_path: Path) -> None:
    """`demo load` refuses a record that has users; into a new one it loads the marked ward."""
    code, _, err = _cli(ward, "demo", "load")
    assert code == 2
    assert "already has users" in err
    env = {"KETAMINE_CDS_DATA_DIR": str(tmp_path / "demo"), "KETAMINE_CDS_CACHE_DIR": ""}
    result = CliRunner().invoke(cli, ["demo", "load"], env=env)
    assert result.exit_code == 0, result.stderr
    assert "DEMONSTRATION DATA: 7 episodes." in result.stdout
    assert "demo-nurse       nurse       password: demonstration nurse" in result.stdout
    listed = CliRunner().invoke(cli, ["episode", "list", "--json", "--as", "demo-nurse"], env=env)
    episodes = json.loads(listed.stdout)
    assert len(episodes) == 7
    assert all(e["patient"].startswith("DEMO-") and e["demonstration_data"] for e in episodes)
    assert sum(e["status"] == "active" for e in episodes) == 6
