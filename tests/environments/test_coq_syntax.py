"""Coq sentence splitting: terminators, comments, strings, bullets and braces."""

from __future__ import annotations

from environments.coq_syntax import (PROOF_END, declaration_name, is_bullet, mask_literals, open_blocks,
                                    split_sentences)


def texts(source: str) -> list[str]:
    return [s.text for s in split_sentences(source).sentences]


def test_sentences_end_at_a_dot_before_blank_outside_comments_and_strings():
    source = 'Require Import Reals. (* a. b *) Lemma x : Nat.add 1 1 = 2.\nProof. idtac "c. d". Qed.'
    assert texts(source) == ["Require Import Reals.", "Lemma x : Nat.add 1 1 = 2.", "Proof.",
                             'idtac "c. d".', "Qed."]
    split = split_sentences(source)
    assert all(source[s.start:s.end] == s.text for s in split.sentences)
    assert split.rest == "" and split.balanced


def test_bullets_and_braces_are_sentences():
    assert texts("- auto. + { simpl. } 2: { idtac. } -- x.") == [
        "-", "auto.", "+", "{", "simpl.", "}", "2: {", "idtac.", "}", "--", "x."]
    assert is_bullet(" - ") and is_bullet("2: {") and not is_bullet("- auto.") and not is_bullet("-1")


def test_ellipsis_unterminated_and_unbalanced_text():
    assert texts("exact [1 ; .. ; 3].") == ["exact [1 ; .. ; 3]."]
    assert split_sentences("auto. simpl").rest == "simpl"
    assert not split_sentences("auto. (* open").balanced
    assert not split_sentences('idtac "open').balanced


def test_mask_literals_keeps_offsets():
    source = 'a (* b (* c *) "x*)" *) d "e""f" g'
    masked = mask_literals(source)
    assert len(masked) == len(source) and masked.split() == ["a", "d", "g"]


def test_declaration_name_and_proof_end():
    assert declaration_name("#[local] Program Lemma foo' : True.") == "foo'"
    assert declaration_name("  Theorem mathd_1 : 1 = 1.") == "mathd_1"
    assert declaration_name("Definition foo := 1.") is None
    assert [bool(PROOF_END.match(s)) for s in ("Qed.", "Defined.", "Admitted.", "Proof.", "Qedx.")] == [
        True, True, True, False, False]


def test_open_blocks_follow_sentences_not_lines():
    text = ("Definition d := 0. Module Import A. (* Module Fake. *) Section S. End S. Section \u00c9.\n"
            "Module B := Nat. Declare Module C : T. Module Type D. End D. #[local] Module E (X : T) <: T.\n")
    assert open_blocks(text) == [("Module", "A"), ("Section", "\u00c9"), ("Module", "E")]
    assert open_blocks("Module Type T. Module M.") == [("Module Type", "T"), ("Module", "M")]
