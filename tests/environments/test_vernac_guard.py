"""The vernacular guard on client contexts: ordinary files pass, the file system does not."""

from __future__ import annotations

import pytest

from environments.vernac_guard import coq_vernacular_problem

ORDINARY = """Require Import Arith Lia. From Coq Require Import List.
#[local] Set Implicit Arguments. Set Warnings "-deprecated". Open Scope nat_scope.
Module M. Section S. Variable n : nat. Definition d := n + 0.
Lemma l : d = n. Proof. unfold d. - lia. Qed. End S. End M.
Inductive t := A | B. Notation "x ++ y" := (app x y). Hint Resolve l : core.
Ltac go := intros; auto. Lemma u : True. Proof. Time go. Admitted.
Add Parametric Relation (A : Type) : A (@eq A) as my_eq. Declare Scope s.
Check d. Compute 1 + 1. Print Assumptions u. Local Unset Elimination Schemes. (* "Load" *)
"""

HOSTILE = ['Redirect "/tmp/x" Print nat.', 'Extraction "/tmp/x.ml" nat.', 'Recursive Extraction nat.',
           'Cd "/tmp".', 'Load "/etc/passwd".', 'Declare ML Module "foo".', 'Drop.',
           'Add LoadPath "/tmp" as X.', 'Add Rec LoadPath "/tmp".', 'Add ML Path "/tmp".',
           'Require "/tmp/x".', 'From "/tmp" Require X.', 'Set Extraction Output Directory "/tmp".',
           'Export Set Extraction Output Directory "/tmp".', 'Time Redirect "/tmp/x" Print nat.',
           'Fail Fail Load "/x".', '#[local] Timeout 3 Cd "/".', 'Local Redirect "x" Check nat.',
           'Definition d := 0. Redirect "x" Print d.', 'Check nat. Redirect "x" Print nat',
           'Separate Extraction nat.', 'Extraction Library Datatypes.', 'Pwd.', 'Quit.',
           '(* unterminated', 'Set Native Compiler.']


def test_an_ordinary_context_passes():
    assert coq_vernacular_problem(ORDINARY) is None


@pytest.mark.parametrize("context", HOSTILE)
def test_file_system_plugins_and_load_paths_are_rejected(context):
    problem = coq_vernacular_problem(context)
    assert problem, context
