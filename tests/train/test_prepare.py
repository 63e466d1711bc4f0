import json
from pathlib import Path

import pytest

from train.config import train_config
from train.corpora import Document
from train.prepare import is_heldout, mixture_repeats
from train.token_store import TokenStore
from train.tokenizer import load_tokenizer


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
