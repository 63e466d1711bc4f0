"""The cursor (FILE:LINE[:COL] to a proof and its sentences before) and `prove suggest`
against real Coq: 2n suggestions run and marked and the n best shown, the `intros` retry,
`--prove`'s checked completion (and exit 1 without one), bad positions one line and exit 2."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from prover.cli import main
from prover.cursor import BadPosition, locate, offset_of

SOURCE = """Require Import Lia.
(* a comment
   over lines *)
Lemma first : forall n : nat, n + 0 = n.
Proof.
  intros n.

Admitted.

Lemma second : 1 = 1.
Proof. reflexivity. Qed.

Lemma open_end : forall a b : nat, a + b = b + a.
Proof.
  intros a b.
"""


def test_the_line_after_proof_has_no_sentences_before_and_earlier_holes_closed():
    cursor = locate(SOURCE, offset_of(SOURCE, 6))
    assert cursor.theorem.name == "first" and cursor.prefix == ()
    later = locate(SOURCE, offset_of(SOURCE, 7))
    assert later.prefix == ("intros n.",)
    last = locate(SOURCE, len(SOURCE))
    assert last.theorem.name == "open_end" and last.prefix == ("intros a b.",)
    assert "Proof.\nAdmitted." in last.theorem.context and "Lemma second" in last.theorem.context


def test_a_column_inside_a_one_line_proof():
    line = SOURCE.split("\n").index("Proof. reflexivity. Qed.") + 1
    assert locate(SOURCE, offset_of(SOURCE, line, 8)).prefix == ()
    assert locate(SOURCE, offset_of(SOURCE, line, 21)).prefix == ("reflexivity.",)


@pytest.mark.parametrize("line, col, message", [
    (1, None, "not inside a proof"),
    (2, 3, "inside a comment"),
    (9, None, "not inside a proof"),
    (99, None, "past the end of the file"),
    (4, 200, "past the end of line 4"),
])
def test_bad_positions(line, col, message):
    with pytest.raises(BadPosition, match=message):
        locate(SOURCE, offset_of(SOURCE, line, col))


def _write(tmp_path: Path) -> Path:
    path = tmp_path / "cursor.v"
    path.write_text(SOURCE)
    return path


@pytest.mark.requires_coq
def test_suggestions_are_checked_against_the_state_at_the_cursor(tmp_path: Path, capsys, no_leaked_provers):
    path = _write(tmp_path)
    tactics = ["reflexivity.", "lia.", "induction n.", "intros m.", "lia"]
    code = main(["suggest", f"{path}:7", "--json", "--policy", "fixed", f"model.tactics={json.dumps(tactics)}"])
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert out["theorem"] == "first" and "n + 0 = n" in out["goals"] and "forall" not in out["goals"]
    marks = {s["tactic"]: s for s in out["suggestions"]}
    assert len(marks) == 4 and "lia" not in marks  # `lia` is `lia.`, shown once
    assert marks["lia."]["status"] == "closes" and out["suggestions"][0]["tactic"] == "lia."
    assert marks["induction n."] == {"tactic": "induction n.", "status": "goals", "goals": 2, "message": ""}
    assert marks["intros m."]["status"] == "fails" and "Error" in marks["intros m."]["message"]


@pytest.mark.parametrize("position, message", [
    ("{path}:1", "not inside a proof"),
    ("{path}:2:3", "inside a comment"),
    ("{path}:999", "past the end of the file"),
    ("{path}", "expected FILE:LINE[:COL]"),
])
def test_bad_positions_from_the_command_line_are_one_line_exit_2(tmp_path: Path, capsys, position, message):
    path = _write(tmp_path)
    assert main(["suggest", position.format(path=path)]) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1


def _suggest_json(argv: list[str], capsys) -> dict:
    assert main(["suggest", *argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def _tactics_file(tmp_path: Path, tactics: list[str]) -> str:
    path = tmp_path / "tactics.txt"
    path.write_text("\n".join(tactics) + "\n")
    return str(path)


@pytest.mark.requires_coq
def test_twice_n_candidates_are_checked_and_the_n_best_shown(tmp_path: Path, capsys, no_leaked_provers):
    path = _write(tmp_path)
    tactics = _tactics_file(tmp_path, ["reflexivity.", "intros m.", "induction n.", "lia."])
    out = _suggest_json([f"{path}:7", "-n", "2", "--tactics", tactics], capsys)
    assert [(s["tactic"], s["status"]) for s in out["suggestions"]] == [("lia.", "closes"), ("induction n.", "goals")]


BINDERS = """Require Import Arith.
Lemma with_binders : forall n m : nat, n + 0 + m = m + n.
Proof.
  {prefix}
Admitted.
"""


@pytest.mark.requires_coq
def test_a_failing_tactic_is_retried_after_intros_where_the_goal_has_binders(tmp_path: Path, capsys,
                                                                            no_leaked_provers):
    path = tmp_path / "binders.v"
    path.write_text(BINDERS.format(prefix=""))
    tactics = _tactics_file(tmp_path, ["ring.", "reflexivity."])
    marks = {s["tactic"]: s["status"] for s in _suggest_json([f"{path}:4", "--tactics", tactics], capsys)["suggestions"]}
    assert marks == {"intros; ring.": "closes", "reflexivity.": "fails"}


@pytest.mark.requires_coq
def test_prove_prints_a_completion_from_the_cursor_that_compiles(tmp_path: Path, capsys, no_leaked_provers):
    path = tmp_path / "binders.v"
    path.write_text(BINDERS.format(prefix="intros n.\n"))
    tactics = _tactics_file(tmp_path, ["reflexivity.", "ring.", "intros m."])
    assert main(["suggest", f"{path}:5", "--prove", "--tactics", tactics, "--budget", "4x6"]) == 0
    proof = capsys.readouterr().out.split()
    assert proof == ["intros", "m.", "ring."]
    path.write_text(BINDERS.format(prefix="intros n.\n  " + " ".join(proof)).replace("Admitted.", "Qed."))
    compiled = subprocess.run(["coqc", "-q", path.name], cwd=tmp_path, capture_output=True, text=True)
    assert compiled.returncode == 0, compiled.stderr


@pytest.mark.requires_coq
@pytest.mark.parametrize("source, tactics", [
    ("Lemma wrong : 2 + 2 = 5.\nProof.\n\nAdmitted.\n", ["reflexivity.", "simpl.", "auto."]),
    # coqtop closes it with the section variable; the checker (`Proof using Type`) refuses that
    ("Section S.\nVariable x : nat.\nLemma uses_x : nat.\nProof.\n\nAdmitted.\nEnd S.\n", ["exact x."]),
])
def test_prove_without_a_checked_completion_is_one_line_and_exit_1(tmp_path: Path, capsys, no_leaked_provers,
                                                                  source, tactics):
    path = tmp_path / "stuck.v"
    path.write_text(source)
    line = source.split("\n").index("Proof.") + 2
    code = main(["suggest", f"{path}:{line}", "--prove", "--tactics", _tactics_file(tmp_path, tactics),
                 "--budget", "4x3"])
    captured = capsys.readouterr()
    assert code == 1 and captured.out == ""
    assert captured.err.strip() == "no proof of the rest found (failed)"
