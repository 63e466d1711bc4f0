(* Small theorems with known proofs, for the Coq backend's tests.
   Each proof is one tactic per sentence, so the tests can step it. *)
Require Import Arith Lia ZArith Reals Lra List.
Import ListNotations.

Theorem nat_add_zero : forall n : nat, n + 0 = n.
Proof.
  intros n.
  induction n.
  - reflexivity.
  - simpl.
    rewrite IHn.
    reflexivity.
Qed.

Theorem nat_add_comm : forall a b : nat, a + b = b + a.
Proof.
  intros a b.
  lia.
Qed.

Theorem nat_mul_two : forall n : nat, 2 * n = n + n.
Proof.
  intros n.
  simpl.
  lia.
Qed.

Theorem nat_le_succ : forall n : nat, n <= S n.
Proof.
  intros n.
  auto.
Qed.

Theorem nat_even_double : forall n : nat, Nat.even (n + n) = true.
Proof.
  intros n.
  induction n as [| k IH].
  - reflexivity.
  - rewrite Nat.add_succ_r.
    simpl.
    exact IH.
Qed.

Theorem z_sq_nonneg : forall x : Z, (0 <= x * x)%Z.
Proof.
  intros x.
  nia.
Qed.

Theorem z_add_assoc : forall a b c : Z, (a + (b + c) = a + b + c)%Z.
Proof.
  intros a b c.
  ring.
Qed.

Theorem z_lt_trans : forall a b c : Z, (a < b)%Z -> (b < c)%Z -> (a < c)%Z.
Proof.
  intros a b c H1 H2.
  lia.
Qed.

Theorem r_add_lt : forall x y : R, (x < y)%R -> (x + 1 < y + 1)%R.
Proof.
  intros x y H.
  lra.
Qed.

Theorem r_half : forall x : R, (x / 2 + x / 2 = x)%R.
Proof.
  intros x.
  field.
Qed.

Theorem r_linear : forall x : R, (2 * x + 3 = 7)%R -> (x = 2)%R.
Proof.
  intros x H.
  lra.
Qed.

Theorem r_sq_nonneg : forall x : R, (0 <= x * x)%R.
Proof.
  intros x.
  nra.
Qed.

Theorem list_app_nil : forall (A : Type) (l : list A), l ++ [] = l.
Proof.
  intros A l.
  rewrite app_nil_r.
  reflexivity.
Qed.

Theorem list_length_app : forall (A : Type) (l1 l2 : list A),
  length (l1 ++ l2) = length l1 + length l2.
Proof.
  intros A l1 l2.
  apply app_length.
Qed.

Theorem list_rev_rev : forall (A : Type) (l : list A), rev (rev l) = l.
Proof.
  intros A l.
  apply rev_involutive.
Qed.

Theorem list_map_length : forall (A B : Type) (f : A -> B) (l : list A),
  length (map f l) = length l.
Proof.
  intros A B f l.
  induction l as [| a l IH].
  - reflexivity.
  - simpl.
    rewrite IH.
    reflexivity.
Qed.

Theorem prop_and_comm : forall P Q : Prop, P /\ Q -> Q /\ P.
Proof.
  intros P Q H.
  destruct H as [HP HQ].
  split.
  + exact HQ.
  + exact HP.
Qed.

Theorem prop_or_comm : forall P Q : Prop, P \/ Q -> Q \/ P.
Proof.
  intros P Q [HP | HQ].
  - right.
    exact HP.
  - left.
    exact HQ.
Qed.

Theorem prop_modus_ponens : forall P Q : Prop, P -> (P -> Q) -> Q.
Proof.
  intros P Q HP HPQ.
  apply HPQ.
  exact HP.
Qed.

Theorem prop_contrapositive : forall P Q : Prop, (P -> Q) -> ~ Q -> ~ P.
Proof.
  intros P Q HPQ HnQ HP.
  apply HnQ.
  apply HPQ.
  exact HP.
Qed.

Theorem prop_double_neg : forall P : Prop, P -> ~ ~ P.
Proof.
  intros P HP HnP.
  { apply HnP.
    exact HP. }
Qed.

Theorem prop_tauto : forall P Q R : Prop, (P -> Q -> R) -> (P /\ Q -> R).
Proof.
  tauto.
Qed.
