(* Easy lemmas for `prove`: naturals, integers, reals, lists and logic.
   Every proof is a hole; `prove prover/examples/easy.v --write` fills them. *)
Require Import Arith Lia ZArith Reals Lra List.
Import ListNotations.
Open Scope nat_scope.

Lemma add_zero_r : forall n : nat, n + 0 = n.
Proof.
Admitted.

Lemma add_comm_nat : forall a b : nat, a + b = b + a.
Proof.
Admitted.

Lemma double_le : forall n : nat, n <= 2 * n.
Proof.
Admitted.

Lemma mul_one_l : forall n : nat, 1 * n = n.
Proof.
Admitted.

Lemma succ_pos : forall n : nat, 0 < S n.
Proof.
Admitted.

Lemma lin_nat : forall x y : nat, x < y -> 2 * x + 1 < 2 * y + 1.
Proof.
Admitted.

Lemma z_square_expand : forall a b : Z, ((a + b) * (a + b) = a * a + 2 * a * b + b * b)%Z.
Proof.
Admitted.

Lemma z_lin : forall x : Z, (3 * x + 2 = 11)%Z -> x = 3%Z.
Proof.
Admitted.

Lemma z_abs_nonneg : forall x : Z, (0 <= Z.abs x)%Z.
Proof.
Admitted.

Lemma r_lin : forall x : R, (2 * x + 1 = 7)%R -> x = 3%R.
Proof.
Admitted.

Lemma r_ineq : forall x y : R, (x < y)%R -> (x + 1 < y + 1)%R.
Proof.
Admitted.

Lemma r_ring : forall a b : R, ((a - b) * (a + b) = a * a - b * b)%R.
Proof.
Admitted.

Lemma app_nil_r_nat : forall l : list nat, l ++ [] = l.
Proof.
Admitted.

Lemma length_cons : forall (x : nat) (l : list nat), length (x :: l) = S (length l).
Proof.
Admitted.

Lemma rev_single : forall x : nat, rev [x] = [x].
Proof.
Admitted.

Lemma and_swap : forall P Q : Prop, P /\ Q -> Q /\ P.
Proof.
Admitted.

Lemma or_swap : forall P Q : Prop, P \/ Q -> Q \/ P.
Proof.
Admitted.

Lemma modus_ponens : forall P Q : Prop, (P -> Q) -> P -> Q.
Proof.
Admitted.

Lemma double_neg_intro : forall P : Prop, P -> ~ ~ P.
Proof.
Admitted.

Lemma true_is_true : True.
Proof.
Admitted.
