"""The tracer reads a source as coqtop does: sentences with their lines, code only."""

from train.trace import source_sentences

SOURCE = '''(* a comment "with *) inside a string" (* nested *) *)
Require Import Arith.
Notation "[ x ; .. ; y ]" := (cons x .. (cons y nil) ..).
Lemma foo : forall n, n + 0 = n /\\ True.
Proof.
  intros n. split.
  - induction n; simpl; auto...
  - { exact I. }
Qed.
Goal True. 2: { idtac. } exact I. Defined.
Definition s := "a ""quoted"". string".
Definition x := Nat.add 1 2.
'''


def test_sentences_comments_strings_bullets_and_dots():
    flat = [s.flat for s in source_sentences(SOURCE)]
    assert flat == [
        "Require Import Arith.",
        'Notation "[ x ; .. ; y ]" := (cons x .. (cons y nil) ..).',
        "Lemma foo : forall n, n + 0 = n /\\ True.",
        "Proof.", "intros n.", "split.", "-", "induction n; simpl; auto...", "-", "{", "exact I.", "}", "Qed.",
        "Goal True.", "2: {", "idtac.", "}", "exact I.", "Defined.",
        'Definition s := "a ""quoted"". string".',
        "Definition x := Nat.add 1 2.",
    ]


def test_lines_bullets_and_proof_ends():
    sentences = source_sentences(SOURCE)
    assert [s.line for s in sentences[:4]] == [2, 3, 4, 5]
    assert [s.flat for s in sentences if s.is_bullet] == ["-", "-", "{", "}", "2: {", "}"]
    assert [s.flat for s in sentences if s.ends_proof] == ["Qed.", "Defined."]
