"""The token store: rows across shards and repeats, the id width, and a streaming
`train.prepare` from JSONL.gz shards that resumes where it was interrupted."""

import gzip
import json
import math
import os
import resource
import time
from pathlib import Path

import numpy as np
import pytest

from train.config import train_config
from train.prepare import prepare
from train.token_store import ShardWriter, TokenStore, token_dtype, write_index


def _store(root: Path, shards: list[tuple[list[list[int]], float]], eos: int = 0) -> TokenStore:
    entries = []
    for k, (docs, repeat) in enumerate(shards):
        writer = ShardWriter(root / f"s{k}.bin", np.dtype(np.uint16), eos)
        writer.add(docs)
        entries.append({**writer.close(), "repeat": repeat})
    write_index(root, np.dtype(np.uint16), entries)
    return TokenStore(root, width=4)


def test_rows_are_windows_of_each_shard_repeated_to_its_weight(tmp_path):
    # shard 0: 1 2 3 0 | 4 5 6 0 | 7 (tail dropped); shard 1: 9 9 9 0, used twice
    store = _store(tmp_path, [([[1, 2, 3], [4, 5, 6], [7]], 1.0), ([[9, 9, 9]], 2.0)])
    assert len(store) == 2 + 2
    assert store.rows([0, 1, 2, 3]).tolist() == [[1, 2, 3, 0], [4, 5, 6, 0], [9, 9, 9, 0], [9, 9, 9, 0]]
    assert store.rows([3, 0]).tolist() == [[9, 9, 9, 0], [1, 2, 3, 0]]
    with pytest.raises(IndexError):
        store.rows([4])
    assert len(_store(tmp_path / "half", [([[1, 2, 3]] * 4, 0.5)])) == 2  # a repeat below 1 keeps the first rows


def test_ids_take_two_bytes_until_the_vocabulary_needs_four():
    assert token_dtype(32016).itemsize == 2 and token_dtype(1 << 16).itemsize == 2
    assert token_dtype((1 << 16) + 1).itemsize == 4


def write_jsonl_gz(root: Path, shards: int, lines: list[str], copies: int = 1) -> Path:
    """`shards` JSONL.gz files of `lines` (documents), each written `copies` times as
    gzip members (a multi-member gzip file reads as their concatenation)."""
    root.mkdir(parents=True, exist_ok=True)
    text = "".join(json.dumps({"text": t}, ensure_ascii=False) + "\n" for t in lines)
    member = gzip.compress(text.encode(), compresslevel=1)
    for k in range(shards):
        (root / f"part-{k:03d}.jsonl.gz").write_bytes(member * copies)
    return root


def stack_config(root: Path, corpus: Path, *overrides: str):
    """A dataset of one Proof-Pile-2 style source, a twentieth held out."""
    cfg = train_config([f"run.root={root}", "train.tokenizer.vocab_size=300", "train.batch.seq_len=32", *overrides])
    cfg.data.sources = {"stack": {"format": "algebraic_stack", "path": str(corpus), "weight": 1.0}}
    cfg.data.tokenizer_sources = ["stack"]
    cfg.data.heldout = {"source": "stack", "fraction": 0.05}
    return cfg


def test_prepare_streams_jsonl_gz_shards_and_resumes_an_interrupted_run(tmp_path):
    lines = [f"lemma l{i} : {i} + n = n + {i}. Proof. lia. Qed." for i in range(200)]
    cfg = stack_config(tmp_path, write_jsonl_gz(tmp_path / "corpus", 3, lines), "prepare.workers=1")
    meta = prepare(cfg)
    out = Path(cfg.data.out_dir)
    index = (out / "train" / "index.json").read_text()
    assert [s["file"] for s in json.loads(index)["shards"]] == [f"stack-0000{k}.bin" for k in range(3)]
    assert meta["documents"] == {"stack": 3 * 200 - meta["val_documents"]} and meta["val_documents"] > 0
    assert meta["store_bytes"] == sum(p.stat().st_size for p in out.glob("*/*.bin"))

    # interrupted while writing shard 1: its marker never written, a partial file left
    (out / "shards" / "stack-00001.json").unlink()
    (out / "train" / "stack-00001.bin").rename(out / "train" / "stack-00001.bin.partial")
    kept = {p.name: p.stat().st_mtime_ns for p in (out / "train").glob("stack-0000[02].bin")}
    assert prepare(cfg)["train_rows"] == meta["train_rows"]
    assert (out / "train" / "index.json").read_text() == index
    assert {p.name: p.stat().st_mtime_ns for p in (out / "train").glob("stack-0000[02].bin")} == kept
    assert not list(out.glob("*/*.partial"))


def rss_anon_mib() -> float:
    status = Path("/proc/self/status").read_text()
    return int(next(line for line in status.splitlines() if line.startswith("RssAnon:")).split()[1]) / 1024


def char_checkpoint(root: Path, chars: list[str]) -> Path:
    """A Hugging Face checkpoint to continue from: a one-token-per-character tokeniser over
    `chars` (more than 65,536 ids: the store takes 4 bytes a token) and a tiny Llama of its
    size."""
    from tokenizers import Regex, Tokenizer, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    from train.model import build_model
    from train.tokenizer import BOS, EOS, PAD, UNK

    vocab = {token: i for i, token in enumerate([BOS, EOS, PAD, UNK, *chars])}
    backend = Tokenizer(models.WordLevel(vocab, unk_token=UNK))
    backend.pre_tokenizer = pre_tokenizers.Split(Regex("."), behavior="isolated")
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=backend, bos_token=BOS, eos_token=EOS, pad_token=PAD,
                                        unk_token=UNK)
    tokenizer.save_pretrained(root)
    shape = {"hidden_size": 32, "intermediate_size": 64, "num_layers": 2, "num_heads": 2, "max_seq_len": 64}
    build_model(shape, len(tokenizer), 0, 1, 2).save_pretrained(root)
    return root


def _losses(run_dir: Path) -> dict[int, float]:
    records = map(json.loads, (run_dir / "metrics.jsonl").read_text().splitlines())
    return {r["step"]: r["loss"] for r in records if "loss" in r}


SCALE = "LLEMMA_PROVER_SCALE_TESTS"


@pytest.mark.slow
@pytest.mark.parametrize("store_mib", [
    48,
    pytest.param(1100, marks=[pytest.mark.timeout(3600),
                              pytest.mark.skipif(not os.environ.get(SCALE),
                                                 reason=f"writes 2.5 GB and runs for half an hour: set {SCALE}=1")]),
])
def test_a_store_larger_than_memory_is_read_in_bounded_memory_and_training_resumes_exactly(tmp_path, store_mib):
    from train.data import BatchLoader
    from train.trainer import run

    # CJK ideographs and Hangul: one character is one token and one \w+ run, so this corpus
    # tests the store and the loader, not the speed of decontamination (a 30-gram scan)
    chars = [chr(c) for c in (*range(0x4E00, 0x9FA6), *range(0xAC00, 0xD7A4), *range(0x20000, 0x2A6DF))][:70_000]
    checkpoint = char_checkpoint(tmp_path / "checkpoint", chars)
    rng = np.random.default_rng(0)
    lines = ["".join(chars[i] for i in rng.integers(0, len(chars), 1024)) for _ in range(64)]
    # 8 shards of copies × 64 documents of 1,025 tokens (4 bytes each), 5 % of them held out
    copies = math.ceil(store_mib * 2**20 / (0.95 * 8 * 64 * 1025 * 4))
    corpus = write_jsonl_gz(tmp_path / "corpus", 8, lines, copies)
    common = [f"train.model.init_from={checkpoint}", "prepare.workers=2", "train.batch.seq_len=64",
              "train.batch.micro_batch=2", "train.batch.global_batch=8", "train.log.every=1", "train.eval.every=0",
              "train.checkpoint.every=2", "train.checkpoint.keep_latest=5"]
    cfg = stack_config(tmp_path, corpus, *common)
    meta = prepare(cfg)
    train_dir = Path(cfg.data.out_dir) / "train"
    train_bytes = sum(p.stat().st_size for p in train_dir.glob("*.bin"))
    assert train_bytes >= min(store_mib, 1024) * 2**20 and meta["vocab_size"] > 1 << 16

    start = time.monotonic()
    before = rss_anon_mib()
    loader = BatchLoader(TokenStore(train_dir, 65), 1024, 1024, 0, 1, seed=0)
    growth = 0.0
    for _ in range(loader.batches_per_epoch):  # one epoch: every row of the store, in shuffled order
        (inputs, _), = loader.next()
        growth = max(growth, rss_anon_mib() - before)
    print(f"\ntoken store {train_bytes / 2**20:.0f} MiB ({meta['train_rows']} rows of 65 tokens), prepared in "
          f"{meta['seconds']} s by 2 workers (largest child peak RSS "
          f"{resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024:.0f} MiB); one epoch read in "
          f"{time.monotonic() - start:.0f} s with RssAnon growth {growth:.1f} MiB (from {before:.0f} MiB)")
    assert growth < 100

    # 5 steps at once, and 3 (the last saved though 2 does not divide it) then resumed to 5
    reference = run(stack_config(tmp_path, corpus, *common, "run.name=reference", "train.steps=5"))
    for steps in (3, 5):
        cut = run(stack_config(tmp_path, corpus, *common, "run.name=cut", f"train.steps={steps}"))
    assert reference.status == cut.status == "done"
    ref, resumed = (_losses(tmp_path / "outputs" / "runs" / name) for name in ("reference", "cut"))
    assert sorted(ref) == [1, 2, 3, 4, 5] and resumed == ref
