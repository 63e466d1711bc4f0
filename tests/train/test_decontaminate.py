import json
from pathlib import Path

import pytest

from train.corpora import Document
from train.decontaminate import DecontaminationReport, NgramIndex, decontaminate, minif2f_statements

MINIF2F = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "minif2f"


@pytest.fixture(scope="module")
def index():
    if not MINIF2F.is_dir():
        pytest.skip(f"miniF2F data not at {MINIF2F}")
    return NgramIndex.build(minif2f_statements(MINIF2F))


def test_statements_of_every_system_are_read():
    if not MINIF2F.is_dir():
        pytest.skip(f"miniF2F data not at {MINIF2F}")
    statements = minif2f_statements(MINIF2F)
    systems = {key.split(":")[0] for key in statements}
    assert systems == {"lean4", "isabelle", "rocq", "informal"}
    assert len(statements) > 1000


def test_planted_statement_is_dropped_and_listed(index):
    rocq = (MINIF2F / "rocq" / "valid" / "aimeII_2001_p3.v").read_text()
    statement = rocq[rocq.index("Theorem"): rocq.index("Proof.")]
    informal = json.loads((MINIF2F / "informal" / "valid" / "aime_1983_p9.json").read_text())["informal_statement"]
    docs = [
        Document("Lemma clean : forall n : nat, n + 0 = n.\nProof. lia. Qed.", "coq", "clean"),
        Document("(* copied *)\n" + "  ".join(statement.split()) + "\nProof. Admitted.", "coq", "planted-rocq"),
        Document("Exercise: " + informal.upper(), "web", "planted-informal"),
        Document("Find the minimum value of a function on an interval.", "web", "near-miss"),
    ]
    report = DecontaminationReport()
    kept = [d.id for d in decontaminate(docs, index, report)]
    assert kept == ["clean", "near-miss"]
    assert [(d["id"], d["statement"]) for d in report.dropped] == [
        ("planted-rocq", "rocq:valid/aimeII_2001_p3#0"), ("planted-informal", "informal:valid/aime_1983_p9")]
    assert report.to_json()["documents"] == 4


def test_short_statements_must_match_whole():
    index = NgramIndex.build({"s": "theorem t : 2004 % 12 = 0", "long": " ".join(f"w{i}" for i in range(40))})
    assert index.match("intro: theorem t : 2004 % 12 = 0 := by norm_num") == "s"
    assert index.match("theorem t : 2004 % 12 = 1") is None
    assert index.match(" ".join(f"w{i}" for i in range(5, 35))) == "long"  # one 30-gram suffices
    assert index.match(" ".join(f"w{i}" for i in range(5, 34))) is None  # 29 tokens do not
