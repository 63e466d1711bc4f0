"""The `prove` command on real Coq: exit codes, --write output that coqc compiles, --json
records, flags and Hydra overrides, bad input as one line and exit 2."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from prover.cli import main
from tests.prover.stopping import SLOW_SEARCH, left_behind, wait_until_searching

TWO_LEMMAS = """Require Import Lia.

Lemma easy_add : forall n : nat, n + 0 = n.
Proof.
Admitted.

Lemma easy_and : forall P Q : Prop, P /\\ Q -> Q /\\ P.
Proof.
  intros P Q H.
  admit.
Admitted.
"""

UNPROVABLE = """Lemma ok : 2 + 2 = 4.
Proof.
Admitted.

Lemma wrong : 2 + 2 = 5.
Proof.
Admitted.

Lemma broken : no_such_constant = 1.
Proof.
Admitted.
"""

TACTICS = ["intros", "lia", "tauto", "reflexivity"]


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def fixed(*more: str) -> list[str]:
    return ["--policy", "fixed", f"model.tactics=[{','.join(TACTICS)}]", *more]


def coqc_compiles(path: Path, tmp_path: Path) -> bool:
    build = tmp_path / "build"
    build.mkdir(exist_ok=True)
    copy = build / path.name
    shutil.copy(path, copy)
    return subprocess.run(["coqc", copy.name], cwd=build, capture_output=True, timeout=120).returncode == 0


@pytest.mark.requires_coq
def test_all_proved_exit_0_write_compiles_and_json(tmp_path: Path, capsys, no_leaked_provers):
    path = write(tmp_path, "two.v", TWO_LEMMAS)
    out = tmp_path / "out.json"
    code = main([str(path), *fixed("--write", "--json", str(out), "--workers", "2")])
    assert code == 0
    assert "easy_add" in capsys.readouterr().out  # the table
    written = path.read_text()
    assert "Admitted" not in written and "admit" not in written
    assert written.count("Qed.") == 2
    assert (tmp_path / "two.v.bak").read_text() == TWO_LEMMAS
    assert coqc_compiles(path, tmp_path)
    records = json.loads(out.read_text())
    assert [r["theorem"] for r in records] == ["easy_add", "easy_and"]
    for record in records:
        assert record["status"] == "proved" and record["proof"] and record["expansions"] >= 1
        assert record["time_s"] > 0


@pytest.mark.requires_coq
def test_some_not_proved_exit_1_and_hydra_overrides(tmp_path: Path, no_leaked_provers):
    path = write(tmp_path, "mixed.v", UNPROVABLE)
    out = tmp_path / "out.json"
    code = main([str(path), *fixed("--json", str(out), "--write", "--budget", "4x3@30", "search.tactic_timeout_s=2")])
    assert code == 1
    records = {r["theorem"]: r for r in json.loads(out.read_text())}
    assert records["ok"]["status"] == "proved"
    assert records["wrong"]["status"] == "failed" and records["wrong"]["proof"] is None
    assert records["wrong"]["expansions"] <= 3
    assert records["broken"]["status"] == "skipped" and "no_such_constant" in records["broken"]["message"]
    written = path.read_text()
    assert written.count("Qed.") == 1 and written.count("Admitted.") == 2  # only the checked proof went in


@pytest.mark.requires_coq
def test_hf_policy_with_a_real_model_from_the_command_line(tmp_path: Path, tiny_model: Path, no_leaked_provers):
    path = write(tmp_path, "one.v", "Lemma t : True.\nProof.\nAdmitted.\n")
    out = tmp_path / "out.json"
    code = main([str(path), "--policy", "hf", "--model", str(tiny_model), "--json", str(out),
                 "model.sampling.max_new_tokens=8", "model.options.device=cpu",
                 "model.automation={prior: 0.5, tactics: [auto]}"])
    assert code == 0
    [record] = json.loads(out.read_text())
    assert record["status"] == "proved" and record["proof"] == ["auto."]
    assert record["tokens"] > 0  # the model was asked too


@pytest.mark.parametrize("argv, message", [
    (["{tmp}/missing.v"], "no such file"),
    (["{tmp}/noholes.v"], "no holes"),
    (["{tmp}/notes.txt"], "not a theorem file"),
    (["{tmp}/noholes.v", "--env", "nope"], "invalid choice"),
    (["{tmp}/noholes.v", "--frobnicate"], "unrecognized arguments"),
    (["{tmp}/one.v", "--budget", "lots"], "--budget"),
    (["{tmp}/one.v", "--budget", "nosuchpreset"], "preset"),
    (["{tmp}/one.v", "--budget", "2x4x3"], "one attempt"),
    (["{tmp}/one.v", "--workers", "0"], "--workers"),
    (["{tmp}/one.v", "--policy", "hf", "--tactics", "{tmp}/t.yaml"], "--tactics"),
    (["{tmp}/one.v", "--env", "lean-repl"], "cannot be proved with --env lean-repl"),
    (["{tmp}/one.v", "env.coqtop=/no/such/coqtop"], "not found"),
    (["{tmp}/one.v", "search.max_expansions=0"], "max_expansions"),
    (["{tmp}/one.v", "search.bogus=1"], "configuration"),
    (["{tmp}/one.v", "--model", "{tmp}/no-model-here"], "no model directory"),
    ([], "no theorem file"),
    (["{tmp}/binary.v"], "not UTF-8"),
    (["{tmp}/one.v", "--tactics", "{tmp}/bad.yaml"], "tactics file"),
    (["{tmp}/one.v", "--tactics", "{tmp}/goals.json"], "'goals' must map"),
    (["{tmp}/one.v", "--tactics", "{tmp}/t.yaml", "--json", "{tmp}/no/such/dir/out.json"], "--json"),
    (["{tmp}/one.v", "--tactics", "{tmp}/t.yaml", "--json", "{tmp}"], "--json"),
    (["{tmp}/one.v", "workers=0"], "workers must be >= 1"),
    (["{tmp}/one.v", "workers=abc"], "workers must be an integer"),
    (["{tmp}/one.v", "--workers", "100000"], "this machine runs at most"),
    (["{tmp}/one.v", "--workers", "abc"], "invalid int"),
    (["{tmp}/one.v", "+env.bogus=1"], "bogus"),
    (["{tmp}/one.v", "search.samples_per_expansion=true"], "Value 'True' of type 'bool' could not be converted"),
    (["{tmp}/one.v", "search.max_expansions=abc"], "search.max_expansions=abc Value 'abc' of type 'str' could not be converted"),
    (["{tmp}/one.v", "+model.sampling.n=true"], "sampling parameter n"),
    (["{tmp}/one.v", "+model.sampling.n=4"], "search.samples_per_expansion"),
    (["{tmp}/one.v", "model.sampling.n=4"], "Could not override 'model.sampling.n'"),
    (["{tmp}/one.lean", "--env", "lean-repl", "env.repl_command=[no-such-lake,env,repl]"], "no-such-lake not found"),
])
def test_bad_input_is_one_line_and_exit_2(tmp_path: Path, capsys, argv, message):
    write(tmp_path, "noholes.v", "Lemma t : True.\nProof. exact I. Qed.\n")
    write(tmp_path, "notes.txt", "hello")
    write(tmp_path, "one.v", "Lemma t : True.\nProof.\nAdmitted.\n")
    write(tmp_path, "t.yaml", "[auto]\n")
    write(tmp_path, "bad.yaml", "- intros.\nall: admit.\n")
    write(tmp_path, "goals.json", '{"goals": [1, 2]}')
    write(tmp_path, "one.lean", "theorem t : True := by sorry\n")
    (tmp_path / "binary.v").write_bytes(b"Lemma t : True.\nProof.\nAdmitted.\n(* \xff\xfe *)\n")
    code = main([a.format(tmp=tmp_path) for a in argv])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("prove: error:"), err
    assert message in err


def test_console_script_exit_code_for_bad_input(tmp_path: Path):
    run = subprocess.run([sys.executable, "-m", "prover.cli", str(tmp_path / "missing.v")],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 2
    assert run.stderr.strip().startswith("prove: error: no such file")


def test_serve_dispatches_to_the_server_cli(monkeypatch):
    import prover.server.cli

    seen = []
    monkeypatch.setattr(prover.server.cli, "main", lambda argv: seen.append(argv) or 0)
    assert main(["serve", "--port", "0"]) == 0
    assert seen == [["--port", "0"]]


@pytest.mark.requires_coq
def test_tactics_from_a_plain_text_file_one_per_line(tmp_path: Path, no_leaked_provers):
    path = write(tmp_path, "two.v", TWO_LEMMAS)
    tactics = write(tmp_path, "tactics.txt", "intros.\n\nall: lia.\ntauto.\n")  # `all:` is no YAML key here
    out = tmp_path / "out.json"
    assert main([str(path), "--tactics", str(tactics), "--json", str(out), "--workers", "1"]) == 0
    assert all(r["status"] == "proved" for r in json.loads(out.read_text()))


@pytest.mark.requires_coq
def test_write_a_file_named_twice_once_and_keep_the_first_backup(tmp_path: Path, capsys, no_leaked_provers):
    path = write(tmp_path, "two.v", TWO_LEMMAS)
    (tmp_path / "two.v.bak").write_text("the first backup\n")
    assert main([str(path), str(path), *fixed("--write", "--workers", "1")]) == 0
    assert "2/2 proved" in capsys.readouterr().err
    written = path.read_text()
    assert written.count("Qed.") == 2 and "Qed.." not in written and coqc_compiles(path, tmp_path)
    assert (tmp_path / "two.v.bak").read_text() == "the first backup\n"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("two")) == ["two.v", "two.v.bak"]


def test_a_file_changed_while_proving_gets_its_proofs_beside_it(tmp_path: Path):
    from environments.theorem_files import find_holes
    from prover.cli import TheoremFile, write_proofs
    from search.best_first import SearchResult

    path = write(tmp_path, "one.v", "Lemma t : True.\nProof.\nAdmitted.\n")
    [hole] = find_holes(path)
    read = TheoremFile(path, path.read_bytes(), [hole])
    path.write_text("(* edited meanwhile *)\n" + path.read_text())
    assert write_proofs(read, [SearchResult(hole.theorem, "proved", proof=("exact I",))]) == tmp_path / "one.v.proved"
    assert path.read_text().startswith("(* edited meanwhile *)") and not (tmp_path / "one.v.bak").exists()
    assert (tmp_path / "one.v.proved").read_text() == "Lemma t : True.\nProof.\n  exact I.\nQed.\n"


def test_write_to_a_read_only_file_is_refused_before_searching(tmp_path: Path, capsys):
    path = write(tmp_path, "one.v", "Lemma t : True.\nProof.\nAdmitted.\n")
    path.chmod(0o444)
    assert main([str(path), *fixed("--write")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "read-only" in err
    assert not (tmp_path / "one.v.bak").exists()


@pytest.mark.requires_coq
def test_a_syntax_error_before_the_hole_is_bad_input(tmp_path: Path, capsys, no_leaked_provers):
    path = write(tmp_path, "broken.v", "Definition x := (1 + .\n\nLemma t : True.\nProof.\nAdmitted.\n")
    assert main([str(path), *fixed("--workers", "1")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("prove: error:") and "before t does not compile" in err[-1]


@pytest.mark.requires_coq
@pytest.mark.parametrize("signum, status, line", [(signal.SIGINT, 130, "prove: interrupted"),
                                                  (signal.SIGTERM, 143, "prove: terminated")])
def test_a_signal_mid_search_is_one_line_and_leaves_nothing_behind(tmp_path: Path, signum: int, status: int,
                                                                    line: str) -> None:
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    path = write(tmp_path, "slow.v", "Lemma t : 2 + 2 = 5.\nProof.\nAdmitted.\n")
    run = subprocess.Popen([sys.executable, "-m", "prover.cli", str(path), "--policy", "fixed", "--workers", "1",
                            *SLOW_SEARCH], env={**os.environ, "TMPDIR": str(scratch)}, stderr=subprocess.PIPE,
                           text=True,
                           # as from a terminal: a test run started in the background (`&`) inherits SIGINT ignored
                           preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    provers = wait_until_searching(run, scratch)
    run.send_signal(signum)
    start = time.monotonic()
    err = run.communicate(timeout=120)[1]
    assert run.returncode == status, err
    assert time.monotonic() - start < 10, "the running search should end now, not at its budget"
    assert "Traceback" not in err and err.strip().splitlines()[-1] == line
    assert not left_behind(scratch, provers)
