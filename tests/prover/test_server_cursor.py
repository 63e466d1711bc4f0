"""`POST /suggest/coq` over real HTTP on loopback with real Coq: the goals at a cursor in a
file's text, the suggestions checked there, a checked proof of the rest, one Coq process
reused across requests, and 4xx JSON for bad positions and malformed requests while the
server keeps serving."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Iterator

import httpx
import pytest

from environments.process import live_processes
from prover.server.settings import load_settings
from tests.prover.test_server import assert_error, running

SOURCE = """Require Import Lia.
(* a comment *)
Lemma add_zero : forall n : nat, n + 0 = n.
Proof.
  intros n.

Admitted.

Lemma both : forall P : Prop, P -> P /\\ P.
Proof.

Admitted.
"""
TACTICS = ["reflexivity.", "lia.", "induction n.", "intros m.", "intros P H.", "split.", "assumption."]


def at_line(line: int) -> dict:
    return {"line": line}


@pytest.fixture(scope="module")
def coq_server() -> Iterator[httpx.Client]:
    settings = load_settings(["env=coq", "model=fixed", f"model.tactics={json.dumps(TACTICS)}"])
    with running(settings) as client:
        yield client


def ask(client: httpx.Client, text: str = SOURCE, **body) -> httpx.Response:
    return client.post("/suggest/coq", json={"text": text, **body})


@pytest.mark.requires_coq
def test_suggestions_are_checked_at_the_cursor_on_one_reused_coq_process(coq_server: httpx.Client) -> None:
    offset = SOURCE.index("\n\nAdmitted.") + 1  # the blank line after `intros n.`
    response = ask(coq_server, cursor={"offset": offset}, n=4)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["theorem"] == "add_zero" and "n + 0 = n" in body["goals"] and "forall" not in body["goals"]
    assert body["proof"] is None and len(body["suggestions"]) <= 4
    marks = {s["tactic"]: s for s in body["suggestions"]}
    assert body["suggestions"][0]["status"] == "closes" and marks["lia."]["status"] == "closes"
    assert marks["induction n."] == {"tactic": "induction n.", "status": "goals", "goals": 2, "message": ""}
    provers = {p.pid for p in live_processes()}
    again = ask(coq_server, cursor={"line": 6, "column": 1}, n=4)  # the same place by line and column
    assert again.json() == body
    assert len(provers) == 1 and {p.pid for p in live_processes()} == provers  # the context was not loaded anew


@pytest.mark.requires_coq
def test_prove_gives_a_checked_rest_of_the_proof(coq_server: httpx.Client, tmp_path: Path) -> None:
    line = SOURCE.split("\n").index("Lemma both : forall P : Prop, P -> P /\\ P.") + 3
    response = ask(coq_server, cursor=at_line(line), prove=True, budget={"max_expansions": 20, "wall_time_s": 60})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["theorem"] == "both" and not any(s["status"] == "closes" for s in body["suggestions"])
    proof = body["proof"]
    assert proof and all(t in TACTICS for t in proof)
    # the rest put in the hole makes the file compile (lines are 1-based: the hole is line `line`)
    lines = SOURCE.split("\n")
    lines[line - 1] = " ".join(proof)
    assert lines[line] == "Admitted."
    lines[line] = "Qed."
    compiled = tmp_path / "both.v"
    compiled.write_text("\n".join(lines[:2] + lines[7:]))
    run = subprocess.run(["coqc", compiled.name], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr


@pytest.mark.requires_coq
@pytest.mark.parametrize("body, status, message", [
    ({"cursor": {"line": 1}}, 422, "not inside a proof"),
    ({"cursor": {"offset": len(SOURCE) + 5}}, 422, "past the end of the file"),
    ({"cursor": {"line": 99}}, 422, "past the end of the file"),
    ({"cursor": {"line": 2, "column": 5}}, 422, "inside a comment"),
    ({"cursor": {"line": 5, "column": 300}}, 422, "past the end of line 5"),
    ({"cursor": {"offset": 3, "line": 2}}, 422, "exactly one of 'offset' and 'line'"),
    ({"cursor": {"column": 2}}, 422, "exactly one of 'offset' and 'line'"),
    ({"cursor": {"offset": -1}}, 422, "cursor.offset"),
    ({"cursor": {"line": 5}, "n": 10_000}, 422, "max_samples"),
    ({"text": None, "cursor": {"line": 5}}, 422, "text"),
    ({"cursor": {"line": 5}, "extra": 1, "budget": {"nope": 1}}, 422, "budget.nope"),
    ({"text": 'Redirect "leak" Print nat.\n' + SOURCE, "cursor": {"line": 6}}, 422, "text rejected: 'Redirect'"),
    ({"text": "Require Import NoSuchLibrary.\n" + SOURCE, "cursor": {"line": 6}}, 422, "does not compile"),
    ({"text": SOURCE.replace("intros n.", "intros n m."), "cursor": {"line": 6}}, 422, "before the cursor fails"),
])
def test_bad_positions_and_requests_are_4xx_json_and_the_server_keeps_serving(
        coq_server: httpx.Client, body: dict, status: int, message: str) -> None:
    response = ask(coq_server, **{"text": SOURCE, **body})
    assert_error(response, status)
    error = response.json()["error"]
    assert message in error and "\n" not in error, error
    assert coq_server.get("/stats").json()["admission"]["queued_samples"] == 0  # released when the work failed
    assert ask(coq_server, cursor=at_line(6), n=1).status_code == 200


@pytest.mark.requires_coq
def test_a_malformed_body_is_a_400_and_the_server_keeps_serving(coq_server: httpx.Client) -> None:
    response = coq_server.post("/suggest/coq", content=b'{"text": "Lemma', headers={"Content-Type": "application/json"})
    assert_error(response, 400)
    assert ask(coq_server, cursor=at_line(6), n=1).status_code == 200


def test_without_a_coq_environment_it_is_a_503() -> None:
    with running(load_settings(["model=fixed", "model.tactics=[auto]"])) as client:
        assert_error(ask(client, cursor=at_line(6)), 503)
