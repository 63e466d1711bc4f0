"""llemma.el in a real Emacs: `emacs --batch` runs the ERT tests of
prover/editor/emacs/llemma-test.el against a real `prove serve --env coq` on a loopback
port, with a token and real Coq. They fill the hole of a lemma (`Proof.`, an indented blank line,
`Admitted.`) with `llemma-suggest` in one file and `llemma-prove` in another and save;
each file then compiles with coqc once `Admitted.` is `Qed.`."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from prover.server.launch import server_process

EMACS_DIR = Path(__file__).resolve().parents[2] / "prover" / "editor" / "emacs"
HOLES = {
    "suggest.v": "Require Import Lia.\n\nLemma add_zero : forall n : nat, n + 0 = n.\nProof.\n  \nAdmitted.\n",
    "prove.v": "Lemma both : forall P : Prop, P -> P /\\ P.\nProof.\n  \nAdmitted.\n",
}
ERRORS = "Lemma t : True.\nProof.\n  \nAdmitted.\n"  # llemma-test.el asks here what must fail
CHOOSE = "Lemma id_P : forall P : Prop, P -> P.\nProof.\n  \nAdmitted.\n"  # it picks a tactic here as a user would
# the fixed policy: the same candidates at every goal, so every run is the same; no single one
# closes `both`, so its proof needs the search
TACTICS = ["reflexivity.", "intros P H.", "split.", "assumption.", "lia."]
TOKEN = "emacs t0ken"


def compiles(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run(["coqc", path.name], cwd=path.parent, capture_output=True, text=True, timeout=120)


def with_qed(path: Path) -> Path:
    qed = path.with_name(f"{path.stem}_qed.v")
    qed.write_text(path.read_text().replace("Admitted.", "Qed."))
    return qed


@pytest.mark.requires_coq
@pytest.mark.skipif(shutil.which("emacs") is None,
                    reason="emacs is not installed: apt-get install -y emacs-nox (bash .ci/setup --tests does)")
def test_llemma_el_in_emacs_fills_holes_that_then_compile(tmp_path: Path) -> None:
    for name, text in {**HOLES, "errors.v": ERRORS, "choose.v": CHOOSE}.items():
        (tmp_path / name).write_text(text)
    for name in HOLES:  # the holes do not compile as they are
        assert compiles(with_qed(tmp_path / name)).returncode != 0
    tactics = tmp_path / "tactics.txt"
    tactics.write_text("\n".join(TACTICS))
    overrides = ["--token", TOKEN, "--env", "coq", "model=fixed", f"model.tactics_file={tactics}"]
    with server_process(overrides) as served:
        env = {**os.environ, "LLEMMA_TEST_URL": served.url, "LLEMMA_TEST_TOKEN": TOKEN, "LLEMMA_TEST_DIR": str(tmp_path)}
        run = subprocess.run(["emacs", "--batch", "-Q", "-L", str(EMACS_DIR), "-l", "llemma-test.el",
                              "-f", "ert-run-tests-batch-and-exit"],
                             env=env, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Ran 4 tests, 4 results as expected" in run.stderr, run.stderr
    assert (tmp_path / "errors.v").read_text() == ERRORS and (tmp_path / "choose.v").read_text() != CHOOSE
    for name, text in HOLES.items():
        filled = (tmp_path / name).read_text()
        assert filled != text and filled.startswith(text[:text.index("Proof.")])
        result = compiles(with_qed(tmp_path / name))
        assert result.returncode == 0, f"{name}:\n{filled}\n{result.stderr}"
