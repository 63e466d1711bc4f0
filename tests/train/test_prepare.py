import json
from pathlib import Path

import pytest

from environments.base import ProofState
from environments.theorem_files.coq import complete_proofs
from prover.policies.candidates import Prompting
from prover.premises import premises_of
from train.config import train_config
from train.corpora import Document
from train.decontaminate import DecontaminationReport, NgramIndex, minif2f_statements
from train.prepare import documents, is_heldout, mixture_repeats, plan_tasks
from train.token_store import TokenStore
from train.tokenizer import load_tokenizer
from train.trace import trace_file


def test_mixture_repeats_give_each_source_its_weight_share():
    repeats = mixture_repeats({"coq": 1000, "code": 9000}, {"coq": 0.5, "code": 0.5})
    assert repeats == pytest.approx({"coq": 5.0, "code": 5000 / 9000})
    shares = {s: n * repeats[s] for s, n in {"coq": 1000, "code": 9000}.items()}
    assert shares["coq"] == pytest.approx(shares["code"])


def test_heldout_keeps_whole_files_together():
    docs = [Document(f"d{i}", "coq", f"x:{i}", {"file": f"theories/F{i % 7}.v"}) for i in range(70)]
    by_file = {}
    for doc in docs:
        by_file.setdefault(doc.meta["file"], set()).add(is_heldout(doc, 0.3))
    assert all(len(flags) == 1 for flags in by_file.values())


def test_prepared_dataset_is_packed_with_our_tokenizer(tiny_data):
    cfg = train_config(tiny_data)
    out = Path(cfg.data.out_dir)
    meta = json.loads((out / "meta.json").read_text())
    width = cfg.train.batch.seq_len + 1
    train_rows, val_rows = TokenStore(out / "train", width), TokenStore(out / "val", width)
    assert meta["train_rows"] == len(train_rows) > 0 and meta["val_rows"] == len(val_rows) > 0
    assert train_rows.rows([0]).shape == (1, width)
    tokenizer = load_tokenizer(out / "tokenizer")
    assert len(tokenizer) <= cfg.train.tokenizer.vocab_size
    text = tokenizer.decode(train_rows.rows([0])[0].tolist())
    assert "[GOAL]1 goal" in text and "[PROOFSTEP]" in text and tokenizer.eos_token in text
    assert json.loads((out / "decontamination.json").read_text())["dropped_count"] == 0


TRACED = """Require Import Arith.
Lemma add_zero : forall n : nat, n + 0 = n.
Proof. intros n. rewrite Nat.add_0_r. reflexivity. Qed.
Definition double (n : nat) : nat := n + n.
Lemma double_zero : double 0 = 0 + 0.
Proof. unfold double. reflexivity. Qed.
Lemma add_zero_twice : forall n : nat, n + 0 + 0 = n.
Proof. intros n. rewrite add_zero. rewrite add_zero. reflexivity. Qed.
Lemma zero_add_zero : forall n : nat, 0 + n + 0 = n.
Proof. intros n. simpl. apply add_zero. Qed.
"""


@pytest.mark.requires_coq
def test_prepare_with_premises_lists_only_the_declarations_before_the_theorem(tmp_path, no_leaked_provers,
                                                                            monkeypatch):
    """A real trace of a small file, prepared with `prompt_format=proofstep-premises`: each
    step's premises come from its own file, before its theorem (never itself or a later lemma),
    or from the libraries it imports (here the prelude), and its training text is the prompt
    the search builds from the theorem's context (with no held-out file to leave out: training
    never reads their declarations, tests/prover/test_premises.py)."""
    monkeypatch.setattr("train.corpora.heldout_files", frozenset)
    (tmp_path / "src" / "theories").mkdir(parents=True)
    source = tmp_path / "src" / "theories" / "T.v"
    source.write_text(TRACED)
    _, steps = trace_file(source, "theories/T.v")
    assert {s["theorem"] for s in steps} == {"add_zero", "double_zero", "add_zero_twice", "zero_add_zero"}
    traces = tmp_path / "traces" / "steps" / "theories" / "T.jsonl"
    traces.parent.mkdir(parents=True)
    traces.write_text("".join(json.dumps(s) + "\n" for s in steps))
    cfg = train_config([f"run.root={tmp_path}", f"data.sources.coq_steps.path={tmp_path / 'traces'}",
                        "+data.sources.coq_steps.prompt_format=proofstep-premises",
                        f"+data.sources.coq_steps.sources_root={tmp_path / 'src'}"])
    [task], _ = plan_tasks(cfg.data)
    index = NgramIndex.build(minif2f_statements(Path(cfg.minif2f_root)))
    docs = [doc for doc, held in documents(task, index, DecontaminationReport()) if not held]
    assert len(docs) == len(steps)
    order = [p.name for p in premises_of(TRACED)]
    theorems = {t.name: t for t, _ in complete_proofs(TRACED)}
    prompting = Prompting("proofstep-premises")
    listed, imported = {}, set()
    for doc, step in zip(docs, steps):
        lines = doc.text.split("[GOAL]")[0].splitlines()
        assert lines[0] == "[PREMISES]"
        names = {line.split(" : ")[0] for line in lines[1:]}
        assert names & set(order) <= set(order[:order.index(step["theorem"])])  # the rest: the prelude's
        listed.setdefault(step["theorem"], set()).update(names & set(order))
        imported.update(names - set(order))
        state = ProofState(step["goals_before"], theorems[step["theorem"]])
        assert doc.text == prompting.prompt(state) + step["tactic"] + "\n"
    assert listed["add_zero"] == set()
    assert "add_zero" in listed["add_zero_twice"] and "zero_add_zero" not in listed["add_zero_twice"]
    assert {"add_zero", "add_zero_twice"} <= listed["zero_add_zero"]
    assert "plus_n_O" in imported  # Coq.Init.Peano's, through the prelude
