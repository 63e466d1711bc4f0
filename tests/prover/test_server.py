"""The editor server over real HTTP on loopback (uvicorn in a thread, or `prove serve` as a
child process), with a real small Llama: the llmstep and LeanCopilot shapes, batching of
concurrent requests, the limits and error shapes, the bearer token, the CLI, and /prove on
real Coq."""

from __future__ import annotations

import json
import math
import shutil
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import httpx
import pytest
import uvicorn

from environments.process import live_processes
from prover.server.cli import main as serve_main
from prover.server.launch import server_process
from prover.server.main import create_app
from prover.server.settings import ServerSettings, Settings, load_settings
from tests.doubles import fake_lean_repl
from tests.prover.stopping import SLOW_SEARCH, left_behind, wait_until_searching

DEFAULT_MODEL = Path(__file__).resolve().parents[2] / "prover" / "models" / "default"

GOALS = ["n : nat\n============================\nn + 0 = n", "x y : Z\nH : x < y\n============================\nx <= y",
         "a b : nat\n============================\na + b = b + a", "============================\nTrue"]
AUTOMATION = ("intro h", "intro x", "simp")


@pytest.fixture(scope="module")
def model_dir() -> Path:
    """The committed default model: a real small Llama trained by our own training code."""
    assert (DEFAULT_MODEL / "config.json").exists(), f"the default model is missing from {DEFAULT_MODEL}"
    return DEFAULT_MODEL


def model_cfg(path: Path, **extra: Any) -> dict[str, Any]:
    return {"policy": "hf", "path": str(path), "prompt_format": "proofstep",
            "sampling": {"temperature": 1.0, "top_p": 1.0, "max_new_tokens": 12, "seed": 0}, **extra}


def settings_for(model: dict[str, Any], **server: Any) -> Settings:
    return Settings(server=ServerSettings(**{"port": 0, "default_samples": 4, "max_samples": 16, **server}),
                    model=model, search={}, env=None)


FAKE_LEAN_REPL = Path(fake_lean_repl.__file__)


@contextmanager
def running(settings: Settings) -> Iterator[httpx.Client]:
    """The app under a real uvicorn server on a free loopback port, in a thread."""
    server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=0, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 120
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "server did not start"
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60,
                          limits=httpx.Limits(max_connections=64)) as client:
            yield client
    finally:
        server.should_exit = True
        thread.join(timeout=30)


@pytest.fixture(scope="module")
def client(model_dir: Path) -> Iterator[httpx.Client]:
    # automation candidates make the prefix filter observable whatever the model samples
    model = model_cfg(model_dir, automation={"tactics": list(AUTOMATION), "prior": 0.5})
    # fifty concurrent requests of 4 samples (test_fifty_concurrent_requests_are_batched) all fit
    with running(settings_for(model, max_body_bytes=4096, max_queued_samples=200)) as c:
        yield c


def assert_error(response: httpx.Response, status: int) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"} and isinstance(body["error"], str) and body["error"]


def assert_serving(client: httpx.Client) -> None:
    response = client.post("/", json={"tactic_state": GOALS[0], "prefix": "", "context": ""})
    assert response.status_code == 200 and isinstance(response.json()["suggestions"], list)


def test_llmstep_request_gets_suggestions(client: httpx.Client) -> None:
    response = client.post("/", json={"tactic_state": GOALS[0], "prefix": "", "context": "theorem t : True := by"})
    assert response.status_code == 200, response.text
    suggestions = response.json()["suggestions"]
    assert set(response.json()) == {"suggestions"}
    assert 1 <= len(suggestions) <= 4 and len(set(suggestions)) == len(suggestions)
    assert all(isinstance(s, str) and s.strip() == s and s for s in suggestions)
    assert set(suggestions) - set(AUTOMATION), "no suggestion came from the model"


def test_llmstep_suggestions_start_with_the_prefix(client: httpx.Client) -> None:
    response = client.post("/", json={"tactic_state": GOALS[1], "prefix": "intro", "context": "", "n": 16})
    assert response.status_code == 200, response.text
    suggestions = response.json()["suggestions"]
    assert {"intro h", "intro x"} <= set(suggestions)
    assert all(s.startswith("intro") for s in suggestions)


def test_copilot_generate_gets_scored_outputs(client: httpx.Client) -> None:
    response = client.post("/generate", json={"name": "llemma", "input": GOALS[2], "prefix": ""})
    assert response.status_code == 200, response.text
    outputs = response.json()["outputs"]
    assert 1 <= len(outputs) <= 4
    assert all(set(o) == {"output", "score"} and isinstance(o["output"], str) and o["output"] for o in outputs)
    scores = [o["score"] for o in outputs]
    assert all(math.isfinite(s) and s <= 0 for s in scores) and scores == sorted(scores, reverse=True)
    assert {o["output"] for o in outputs} - set(AUTOMATION), "no output came from the model"
    prefixed = client.post("/generate", json={"name": "llemma", "input": GOALS[2], "prefix": "si", "n": 16})
    tactics = [o["output"] for o in prefixed.json()["outputs"]]
    assert "simp" in tactics and all(t.startswith("si") for t in tactics)


@pytest.fixture(scope="module")
def model_only(model_dir: Path) -> Iterator[httpx.Client]:
    """No automation: every suggestion is the model's continuation of the prefix."""
    with running(settings_for(model_cfg(model_dir))) as c:
        yield c


def test_llmstep_prefix_is_continued_by_the_model(model_only: httpx.Client) -> None:
    response = model_only.post("/", json={"tactic_state": GOALS[3], "prefix": "intro", "context": "", "n": 4})
    assert response.status_code == 200, response.text
    suggestions = response.json()["suggestions"]
    # all four samples continue "intro"; sampling freely and filtering keeps one at best here
    assert 3 <= len(suggestions) <= 4 and all(s.startswith("intro") for s in suggestions)


def test_copilot_prefix_is_continued_by_the_model(model_only: httpx.Client) -> None:
    response = model_only.post("/generate", json={"name": "llemma", "input": GOALS[0], "prefix": "induction", "n": 4})
    assert response.status_code == 200, response.text
    outputs = response.json()["outputs"]
    assert outputs and all(o["output"].startswith("induction") for o in outputs)
    scores = [o["score"] for o in outputs]
    assert all(math.isfinite(s) and s <= 0 for s in scores) and scores == sorted(scores, reverse=True)


def test_copilot_encode_gives_a_hidden_state_vector(client: httpx.Client, model_dir: Path) -> None:
    hidden = json.loads((model_dir / "config.json").read_text())["hidden_size"]
    one = client.post("/encode", json={"name": "llemma", "input": GOALS[0]})
    two = client.post("/encode", json={"name": "llemma", "input": GOALS[3]})
    assert one.status_code == 200, one.text
    a, b = one.json()["outputs"], two.json()["outputs"]
    assert len(a) == len(b) == hidden and all(isinstance(x, float) and math.isfinite(x) for x in a + b)
    assert a != b
    assert client.post("/encode", json={"name": "llemma", "input": GOALS[0]}).json()["outputs"] == a


def test_fifty_concurrent_requests_are_batched(client: httpx.Client) -> None:
    before = client.get("/stats").json()["batching"].get("calls", 0)

    def ask(i: int) -> httpx.Response:
        return client.post("/", json={"tactic_state": GOALS[i % len(GOALS)] + f"\nH{i} : True", "prefix": ""})

    with ThreadPoolExecutor(50) as pool:
        responses = list(pool.map(ask, range(50)))
    assert [r.status_code for r in responses] == [200] * 50
    assert all(isinstance(r.json()["suggestions"], list) and r.json()["suggestions"] for r in responses)
    stats = client.get("/stats").json()
    batching = stats["batching"]
    assert batching["max_batch"] > 1 and batching["calls"] - before < 50
    assert stats["requests"]["POST /"]["requests"] >= 50 and stats["requests"]["POST /"]["p95_s"] > 0


def test_malformed_json_is_a_400_and_the_server_keeps_serving(client: httpx.Client) -> None:
    assert_error(client.post("/", content=b'{"tactic_state": ', headers={"content-type": "application/json"}), 400)
    assert_serving(client)


def test_missing_and_wrong_fields_are_422(client: httpx.Client) -> None:
    assert_error(client.post("/", json={"prefix": "simp"}), 422)
    assert_error(client.post("/generate", json={"input": GOALS[0]}), 422)
    assert_error(client.post("/", json={"tactic_state": ["not", "a", "string"]}), 422)
    assert_error(client.post("/", json={"tactic_state": GOALS[0], "n": 17}), 422)  # over max_samples
    assert_error(client.post("/encode", json={"name": "m", "input": ""}), 422)
    assert_serving(client)


def test_a_lone_surrogate_is_422_and_the_server_keeps_serving(client: httpx.Client) -> None:
    # valid JSON, but "\\ud800" decodes to a lone surrogate that no tokenizer or prover can take
    for route, body in (("/", b'{"tactic_state": "x", "prefix": "\\ud800"}'),
                        ("/generate", b'{"name": "m", "input": "\\udfff x"}'),
                        ("/prove", b'{"goal": "True", "context": "\\ud800"}')):
        response = client.post(route, content=body, headers={"content-type": "application/json"})
        assert_error(response, 422)
        assert "not valid Unicode" in response.json()["error"]
    assert_serving(client)


def test_oversize_bodies_are_413_declared_or_streamed(client: httpx.Client) -> None:
    big = json.dumps({"tactic_state": "x" * 5000, "prefix": ""}).encode()
    assert_error(client.post("/", content=big, headers={"content-type": "application/json"}), 413)

    def chunks() -> Iterator[bytes]:  # no Content-Length: the limit must count the bytes
        for i in range(0, len(big), 1000):
            yield big[i:i + 1000]

    assert_error(client.post("/", content=chunks(), headers={"content-type": "application/json"}), 413)
    assert_serving(client)


def test_unknown_route_is_a_json_404(client: httpx.Client) -> None:
    assert_error(client.get("/nowhere"), 404)


def test_prove_without_an_environment_is_503(client: httpx.Client) -> None:
    assert_error(client.post("/prove", json={"goal": "True"}), 503)
    assert client.get("/health").json()["prove"] is None


def test_a_request_over_the_time_limit_is_504(model_dir: Path) -> None:
    with running(settings_for(model_cfg(model_dir), request_timeout_s=0.001)) as c:
        assert_error(c.post("/", json={"tactic_state": GOALS[0], "prefix": ""}), 504)
        assert c.get("/health").status_code == 200


# the batcher holds each model call this long for company: concurrent requests are all in flight at once
HELD_S = 1.0
FIXED = {"policy": "fixed", "tactics": ["simp", "intro h", "auto", "lia"]}


def queued_samples(client: httpx.Client) -> int:
    return client.get("/stats").json()["admission"]["queued_samples"]


def wait_until_released(client: httpx.Client) -> None:
    deadline = time.monotonic() + 10 * HELD_S
    while queued_samples(client):
        assert time.monotonic() < deadline, "admitted samples were never released"
        time.sleep(0.05)


def assert_shed(response: httpx.Response) -> None:
    assert_error(response, 503)
    assert response.headers["retry-after"] == "1" and "max_queued_samples" in response.json()["error"]


def test_sample_work_beyond_the_bound_is_shed_with_503_and_released_when_done() -> None:
    settings = settings_for(FIXED, max_queued_samples=16, max_samples=8, max_wait_s=HELD_S)
    with running(settings) as c:
        def ask(route_n: tuple[str, int]) -> httpx.Response:
            route, n = route_n
            body = {"tactic_state": GOALS[0]} if route == "/" else {"name": "m", "input": GOALS[0]}
            return c.post(route, json={**body, "prefix": "", "n": n})

        with ThreadPoolExecutor(6) as pool:  # 6 x 4 samples against a bound of 16: four fit
            responses = list(pool.map(ask, [("/", 4), ("/generate", 4)] * 3))
        ok = [r for r in responses if r.status_code == 200]
        assert len(ok) == 4 and all(len(r.json().get("suggestions", r.json().get("outputs", []))) == 4 for r in ok)
        for shed in (r for r in responses if r.status_code != 200):
            assert_shed(shed)
        assert c.get("/stats").json()["admission"] == {"queued_samples": 0, "max_queued_samples": 16, "shed": 2}
        with ThreadPoolExecutor(2) as pool:  # released: the whole bound is free again
            assert [r.status_code for r in pool.map(ask, [("/", 8), ("/generate", 8)])] == [200, 200]
        response = ask(("/", 9))  # more than max_samples, which may not exceed the bound: never admissible
        assert_error(response, 422)
        assert "max_samples=8" in response.json()["error"]


def test_samples_stay_held_until_abandoned_work_ends() -> None:
    request = {"tactic_state": GOALS[0], "prefix": "", "n": 8}
    # a client that disconnects before its answer: the model call still runs, and holds its samples
    with running(settings_for(FIXED, max_queued_samples=8, max_samples=8, max_wait_s=HELD_S)) as c:
        with pytest.raises(httpx.ReadTimeout):
            c.post("/", json=request, timeout=HELD_S / 5)
        assert_shed(c.post("/", json={**request, "n": 1}))
        wait_until_released(c)
        assert c.post("/", json=request).status_code == 200
    # a request over its time limit: 504, and its samples are held until the abandoned call ends
    with running(settings_for(FIXED, max_queued_samples=8, max_samples=8, max_wait_s=HELD_S,
                              request_timeout_s=HELD_S / 5)) as c:
        assert_error(c.post("/", json=request), 504)
        assert_shed(c.post("/", json={**request, "n": 1}))
        wait_until_released(c)
        assert c.get("/stats").json()["admission"]["shed"] == 1


def test_bearer_token(model_dir: Path) -> None:
    settings = settings_for({"policy": "fixed", "tactics": ["simp", "intro h"]}, token="s3cret t0ken")
    with running(settings) as c:
        request = {"tactic_state": GOALS[0], "prefix": ""}
        assert_error(c.post("/", json=request), 401)
        assert_error(c.post("/", json=request, headers={"Authorization": "Bearer wrong"}), 401)
        assert_error(c.get("/stats"), 401)
        assert c.get("/health").status_code == 200
        ok = c.post("/", json=request, headers={"Authorization": "Bearer s3cret t0ken"})
        assert ok.status_code == 200 and ok.json() == {"suggestions": ["simp", "intro h"]}
        assert_error(c.post("/encode", json={"name": "m", "input": "x"},
                            headers={"Authorization": "Bearer s3cret t0ken"}), 503)  # fixed tactics: no weights


def test_the_token_is_checked_before_the_body_and_guards_the_docs() -> None:
    settings = settings_for({"policy": "fixed", "tactics": ["simp"]}, token="tok", max_body_bytes=4096)
    with running(settings) as c:
        json_type = {"content-type": "application/json"}
        huge = json.dumps({"tactic_state": "x" * 10_000}).encode()
        for route in ("/", "/generate", "/prove"):
            assert_error(c.post(route, content=huge, headers=json_type), 401)  # not 413
            assert_error(c.post(route, content=b"{not json", headers=json_type), 401)  # not 400
            assert_error(c.post(route, json={"wrong": "fields"}), 401)  # not 422
        for docs in ("/docs", "/redoc", "/openapi.json"):
            assert_error(c.get(docs), 401)
        authorized = {"Authorization": "Bearer tok", **json_type}
        assert_error(c.post("/", content=huge, headers=authorized), 413)
        assert_error(c.post("/", content=b"{not json", headers=authorized), 400)
        assert c.get("/health").status_code == 200
    with running(settings_for({"policy": "fixed", "tactics": ["simp"]})) as open_server:
        assert open_server.get("/openapi.json").status_code == 200  # without a token the docs stay open


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_the_lean_tactics_curl_request_gets_suggestions_and_errors() -> None:
    """The exact command line prover/editor/lean/LlemmaEditor/Tactic.lean runs (curlArgs)."""
    settings = settings_for({"policy": "fixed", "tactics": ["simp", "intro h"]}, token="tok")
    with running(settings) as c:
        url = str(c.base_url).rstrip("/")

        def curl(body: str) -> dict[str, Any]:
            args = ["curl", "--silent", "--show-error", "--max-time", "60", "-X", "POST", f"{url}/",
                    "-H", "Content-Type: application/json", "-d", body, "-H", "Authorization: Bearer tok"]
            out = subprocess.run(args, capture_output=True, text=True, timeout=60, check=True)
            return json.loads(out.stdout)

        request = json.dumps({"tactic_state": "p : Prop\nh : p\n⊢ p", "prefix": "in", "context": ""},
                             separators=(",", ":"), ensure_ascii=False)
        assert curl(request) == {"suggestions": ["intro h"]}
        assert set(curl('{"prefix": ""}')) == {"error"}


def test_the_token_can_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LLEMMA_SERVER_TOKEN", "from-env")
    assert load_settings([]).server.token == "from-env"
    monkeypatch.delenv("LLEMMA_SERVER_TOKEN")
    assert load_settings([]).server.token is None


def test_settings_reject_inconsistent_limits() -> None:
    with pytest.raises(ValueError, match="default_samples"):
        ServerSettings(default_samples=9, max_samples=8)
    with pytest.raises(ValueError, match="max_samples=32 exceeds max_queued_samples=16"):
        ServerSettings(max_queued_samples=16)


def test_cli_rejects_bad_input_with_exit_code_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert serve_main(["--port", "not-a-number"]) == 2
    [line] = capsys.readouterr().err.strip().splitlines()  # no usage block
    assert line.startswith("prove serve: ") and "--port" in line and "not-a-number" in line
    assert serve_main(["server.max_samples=0"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("prove serve: ") and "max_samples" in err[-1]
    for bad in ("0", "-4", "abc", "2.5", "true"):
        assert serve_main([f"server.max_queued_samples={bad}"]) == 2
        [line] = capsys.readouterr().err.strip().splitlines()
        assert line.startswith("prove serve: ") and "max_queued_samples" in line, line
    assert serve_main(["server.no_such_key=1"]) == 2
    capsys.readouterr()
    assert serve_main(["--token", ""]) == 2  # e.g. --token "$TOKEN" with TOKEN unset: never an open server
    [line] = capsys.readouterr().err.strip().splitlines()
    assert line.startswith("prove serve: error: --token is empty")
    assert serve_main(["server.token="]) == 2
    assert "server.token" in capsys.readouterr().err


def test_cli_refuses_a_missing_model_before_binding(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    # exit 2 from main, not uvicorn's exit 3 after a failed startup (which would raise SystemExit here)
    assert serve_main(["--port", "0", "model=hf", f"model.path={tmp_path / 'no-such-model'}"]) == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    assert line.startswith("prove serve: error: model: ") and "no-such-model" in line


def test_prove_serve_process_serves_llmstep(model_dir: Path) -> None:
    overrides = [f"model.path={model_dir}", "model.policy=hf", "model.sampling.max_new_tokens=8"]
    with server_process(overrides) as served:
        url = served.url
        response = httpx.post(f"{url}/", json={"tactic_state": GOALS[0], "prefix": "", "context": ""}, timeout=60)
        assert response.status_code == 200 and isinstance(response.json()["suggestions"], list)
        assert httpx.get(f"{url}/health").json()["status"] == "ok"


@pytest.mark.requires_coq
def test_sigterm_mid_search_exits_143_and_leaves_nothing_behind(tmp_path: Path) -> None:
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    with server_process(["--env", "coq", "model=fixed", "server.encoder=false", *SLOW_SEARCH],
                        env={"TMPDIR": str(scratch)}) as served:
        request = threading.Thread(target=lambda: httpx.post(f"{served.url}/prove", json={"goal": "2 + 2 = 5"},
                                                             timeout=120), daemon=True)
        request.start()
        provers = wait_until_searching(served.proc, scratch)
        served.proc.send_signal(signal.SIGTERM)
        start = time.monotonic()
        served.proc.wait(timeout=60)
        assert time.monotonic() - start < 20, "the running search should end now, not at its budget"
        assert served.proc.returncode == 143
        request.join(timeout=10)
    assert not left_behind(scratch, provers)


def test_prove_with_a_missing_prover_is_503_and_the_server_keeps_serving() -> None:
    settings = load_settings(["env=coq", "env.coqtop=/nonexistent/coqtop", "env.coqc=/nonexistent/coqc",
                              "model=fixed", "model.tactics=[auto]"])
    with running(settings) as c:
        response = c.post("/prove", json={"goal": "True"})
        assert_error(response, 503)
        assert "coqtop" in response.json()["error"]
        assert c.get("/health").json()["prove"] == "coq"


@pytest.mark.requires_coq
def test_prove_returns_a_checked_coq_proof(no_leaked_provers: None) -> None:
    settings = load_settings(["env=coq", "model=fixed", "model.tactics=[intros, reflexivity, lia]"])
    with running(settings) as c:
        response = c.post("/prove", json={"theorem": "Theorem add_zero : forall n : nat, n + 0 = n.",
                                          "context": "Require Import Lia.",
                                          "budget": {"max_expansions": 10, "wall_time_s": 60}})
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["status"] == "proved" and body["checked"] is True
        assert body["proof"] and body["proof"][-1].rstrip(".") in {"lia", "reflexivity"}
        assert "Theorem add_zero" in body["source"] and "Require Import Lia." in body["source"]
        assert body["partial"] == []

        goal = c.post("/prove", json={"goal": "forall a b : nat, a + b = b + a", "name": "comm",
                                      "context": "Require Import Lia.", "budget": {"max_expansions": 10}}).json()
        assert goal["status"] == "proved" and goal["checked"] and "Theorem comm" in goal["source"]

        false = c.post("/prove", json={"goal": "forall n : nat, n = 0", "budget": {"max_expansions": 5}}).json()
        assert false["status"] != "proved" and false["proof"] is None and not false["checked"]
        assert false["partial"][:1] == ["intros"] and false["expansions"] >= 1

        assert_error(c.post("/prove", json={"goal": "True", "theorem": "Theorem t : True."}), 422)


@pytest.mark.requires_coq
def test_prove_reuses_its_coq_process_across_requests(no_leaked_provers: None) -> None:
    settings = load_settings(["env=coq", "model=fixed", "model.tactics=[intros, lia]"])
    with running(settings) as c:
        pids = []
        for name in ("first", "second"):
            response = c.post("/prove", json={"goal": "forall n : nat, n + 0 = n", "name": name,
                                              "context": "Require Import Lia.", "budget": {"max_expansions": 5}})
            assert response.status_code == 200 and response.json()["checked"], response.text
            pids.append({p.pid for p in live_processes()})
        assert len(pids[0]) == 1 and pids[1] == pids[0]  # one coqtop, kept between requests


@pytest.mark.requires_coq
def test_prove_rejects_contexts_that_reach_the_file_system(tmp_path: Path) -> None:
    settings = load_settings(["env=coq", "model=fixed", "model.tactics=[auto]"])
    target = tmp_path / "written"
    with running(settings) as c:
        for body in ({"goal": "True", "context": f'Redirect "{target}" Print nat.'},
                     {"goal": "True", "context": f'Extraction "{target}.ml" nat.'},
                     {"goal": f'True. Redirect "{target}" Print nat', "name": "t"},
                     {"theorem": "Theorem t : True.", "context": 'Declare ML Module "foo".'}):
            response = c.post("/prove", json=body)
            assert_error(response, 422)
            assert response.json()["error"].startswith("context rejected: "), response.text
        assert not list(tmp_path.iterdir())
        assert c.get("/health").json()["prove"] == "coq"


def test_prove_refuses_a_hostile_lean_context_before_the_repl_sees_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                      no_leaked_provers: None) -> None:
    log = tmp_path / "repl.jsonl"
    monkeypatch.setenv("FAKE_LEAN_REPL_LOG", str(log))
    python, fake = json.dumps(sys.executable), json.dumps(str(FAKE_LEAN_REPL))
    settings = load_settings(["env=lean-repl", f"env.repl_command=[{python},{fake}]", "model=fixed",
                              f'env.check_command=[{python},{fake},"--lean"]', "model.tactics=[rfl]"])
    theorem = "theorem add_zero_example (n : Nat) : n + 0 = n := by"
    with running(settings) as c:
        hostile = c.post("/prove", json={"theorem": theorem,
                                         "context": f'import Mathlib\n#eval IO.FS.writeFile "{tmp_path}/x" "y"'})
        assert_error(hostile, 422)
        assert hostile.json()["error"].startswith("context rejected: '#eval'"), hostile.text
        ordinary = c.post("/prove", json={"theorem": theorem,
                                          "context": "import Mathlib\nset_option maxHeartbeats 400000\n"})
        assert ordinary.status_code == 200 and ordinary.json()["status"] == "proved", ordinary.text
    sent = log.read_text()
    assert "maxHeartbeats" in sent and "#eval" not in sent  # the REPL got the ordinary context only


PREMISE_CONTEXT = """Require Import List.
Lemma app_nil_r' : forall (A : Type) (l : list A), l ++ nil = l.
Proof. intros. apply app_nil_r. Qed.
Definition double (n : nat) : nat := n + n.
Lemma rev_involutive' : forall (A : Type) (l : list A), rev (rev l) = l.
Proof. intros. apply rev_involutive. Qed.
"""


def test_premises_are_ranked_for_a_goal_with_the_token_and_limits() -> None:
    settings = settings_for({"policy": "fixed", "tactics": ["auto"]}, token="tok", max_body_bytes=4096)
    auth = {"Authorization": "Bearer tok"}
    with running(settings) as c:
        goal = "A : Type\nl : list A\n============================\nrev (rev l) = l"
        assert_error(c.post("/premises", json={"goal": goal, "context": PREMISE_CONTEXT}), 401)
        response = c.post("/premises", json={"goal": goal, "context": PREMISE_CONTEXT, "k": 2}, headers=auth)
        assert response.status_code == 200, response.text
        ranked = response.json()["premises"]
        assert 1 <= len(ranked) <= 2 and all(set(p) == {"name", "statement", "score"} for p in ranked)
        assert ranked[0]["name"] == "rev_involutive'"
        assert ranked[0]["statement"] == "forall (A : Type) (l : list A), rev (rev l) = l" and ranked[0]["score"] > 0
        assert ranked[1]["name"] == "rev_involutive"  # Coq.Lists.List's, through `Require Import List`
        peano = {"goal": "n : nat\n============================\nn = n + 0", "k": 3}
        for context in ("", "From etc Require Import passwd."):  # the prelude; a name Coq does not hold: nothing
            response = c.post("/premises", json={**peano, "context": context}, headers=auth)
            names = [p["name"] for p in response.json()["premises"]]
            assert "plus_n_O" in names and len(names) == 3

        for bad, status in (({"context": PREMISE_CONTEXT}, 422), ({"goal": goal, "k": 0}, 422),
                            ({"goal": goal, "k": 17}, 422), ({"goal": ["x"]}, 422),
                            ({"goal": goal, "context": 'Load "/etc/passwd".'}, 422),
                            ({"goal": goal, "context": "x" * 5000}, 413)):
            response = c.post("/premises", json=bad, headers=auth)
            assert_error(response, status)
            assert "\n" not in response.json()["error"], response.text
        assert "k: 17 exceeds" in c.post("/premises", json={"goal": goal, "k": 17}, headers=auth).json()["error"]
        assert c.post("/premises", json={"goal": goal, "context": 'Load "x".'},
                      headers=auth).json()["error"].startswith("context rejected: ")
        again = c.post("/premises", json={"goal": goal, "context": PREMISE_CONTEXT}, headers=auth)
        assert again.status_code == 200 and again.json()["premises"][0]["name"] == "rev_involutive'"
