"""Dataset preparation: read the configured sources, decontaminate against miniF2F, hold
out whole Coq source files (the committed split of `train.splits`, from every source, plus
an optional extra fraction by hash), train (or reuse) the tokeniser, weight the mixture, pack, and
save `train.pt`, `val.pt`, `tokenizer/`, `meta.json` and `decontamination.json`.

    python -m train.prepare train/data@data=coq_steps [key=value ...]
"""

from __future__ import annotations

import json
import random
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import torch
from omegaconf import DictConfig, OmegaConf

from train.config import UsageError, config_from_argv
from train.corpora import Document, read_source
from train.decontaminate import DecontaminationReport, NgramIndex, decontaminate, minif2f_statements
from train.packing import pack
from train.splits import heldout_files, stable_hash
from train.tokenizer import load_tokenizer, train_bpe


def is_heldout(doc: Document, fraction: float = 0.0) -> bool:
    """Held out when its source file is in the committed split or, with `fraction`, by the
    hash of its file (or id): whole files either way, so no file is split."""
    key = doc.meta.get("file", doc.id)
    return key in heldout_files() or stable_hash(key) % 10_000 < fraction * 10_000


def bytes_per_token(docs: list[Document], ids: list[list[int]]) -> float:
    """UTF-8 bytes per token of `docs` tokenised as `ids`: turns nats per token into bits per byte."""
    return sum(len(d.text.encode()) for d in docs) / max(1, sum(map(len, ids)))


def mixture_repeats(tokens_per_source: dict[str, int], weights: dict[str, float]) -> dict[str, float]:
    """How many times each source's documents are used so that its share of the training
    tokens is its share of the weights (above 1: up-sampled, below: sub-sampled)."""
    total = sum(tokens_per_source.values())
    weight_sum = sum(weights[s] for s in tokens_per_source) or 1.0
    return {s: (weights[s] / weight_sum) * total / n if n else 0.0 for s, n in tokens_per_source.items()}


@dataclass
class Selection:
    """The documents of a mixture after decontamination and the held-out split."""

    train: dict[str, list[Document]] = field(default_factory=lambda: defaultdict(list))  # by source, weight > 0
    val: list[Document] = field(default_factory=list)  # the held-out documents of `heldout.source`
    tokenizer_texts: list[str] = field(default_factory=list)  # never held-out text: it would shape the vocabulary
    skipped: dict[str, str] = field(default_factory=dict)  # sources whose path does not exist
    report: DecontaminationReport = field(default_factory=DecontaminationReport)


def select_documents(data: DictConfig, index: NgramIndex) -> Selection:
    """Read every source of the mixture `data`; held-out files go to validation or nowhere."""
    chosen = Selection()
    for name, source in data.sources.items():
        options = {k: v for k, v in source.items() if k not in ("format", "path", "weight")}
        if not Path(source.path).exists():
            chosen.skipped[name] = f"{source.path} does not exist"
            print(f"warning: source {name}: {source.path} does not exist, skipped", file=sys.stderr)
            continue
        kept = 0
        for doc in decontaminate(read_source(source.format, source.path, name, **options), index, chosen.report):
            if is_heldout(doc, data.heldout.fraction):
                if name == data.heldout.source:
                    chosen.val.append(doc)
                continue
            if data.max_docs and kept >= data.max_docs:
                if name == data.heldout.source:
                    continue  # read on: the held-out documents are spread over the whole source
                break
            kept += 1
            if source.weight > 0:
                chosen.train[name].append(doc)
            if name in data.tokenizer_sources:
                chosen.tokenizer_texts.append(doc.text)
    return chosen


def prepare(cfg: DictConfig) -> dict:
    """Build the dataset described by `cfg.data` into `cfg.data.out_dir`; its meta."""
    data, seed = cfg.data, cfg.run.seed
    out_dir = Path(data.out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    start = time.monotonic()
    chosen = select_documents(data, NgramIndex.build(minif2f_statements(Path(cfg.minif2f_root))))
    train_docs, val_docs, report = chosen.train, chosen.val, chosen.report
    init_from = cfg.train.model.init_from
    if init_from:
        tokenizer = load_tokenizer(init_from)
    else:
        tokenizer = train_bpe(chosen.tokenizer_texts, cfg.train.tokenizer.vocab_size, cfg.train.batch.seq_len)
    tokenizer.save_pretrained(out_dir / "tokenizer")
    def encode(docs: list[Document]) -> list[list[int]]:
        return tokenizer([d.text for d in docs], add_special_tokens=False, verbose=False)["input_ids"] if docs else []

    encoded = {name: encode(docs) for name, docs in train_docs.items()}
    counts = {name: sum(map(len, ids)) for name, ids in encoded.items()}
    repeats = mixture_repeats(counts, {n: data.sources[n].weight for n in encoded})
    rng = random.Random(seed)
    mixed: list[list[int]] = []
    for name, ids in encoded.items():
        whole, fraction = divmod(repeats[name], 1.0)
        mixed.extend(doc for doc in ids for _ in range(int(whole) + (rng.random() < fraction)))
    rng.shuffle(mixed)
    seq_len = cfg.train.batch.seq_len
    train_rows = pack(mixed, seq_len, tokenizer.eos_token_id)
    val_ids = encode(val_docs)
    val_rows = pack(val_ids, seq_len, tokenizer.eos_token_id)
    torch.save(train_rows, out_dir / "train.pt")
    torch.save(val_rows, out_dir / "val.pt")
    (out_dir / "decontamination.json").write_text(json.dumps(report.to_json(), indent=1))
    meta = {
        "documents": {n: len(d) for n, d in train_docs.items()},
        "tokens": counts,
        "repeats": {n: round(r, 4) for n, r in repeats.items()},
        "skipped_sources": chosen.skipped,
        "train_rows": len(train_rows),
        "val_rows": len(val_rows),
        "val_documents": len(val_docs),
        "val_bytes_per_token": bytes_per_token(val_docs, val_ids),
        "seq_len": seq_len,
        "vocab_size": len(tokenizer),
        "decontamination_dropped": len(report.dropped),
        "seconds": round(time.monotonic() - start, 1),
        "config": OmegaConf.to_container(data),
    }
    (out_dir / "meta.json").write_text(json.dumps(meta, indent=1))
    return meta


def main(argv: Sequence[str] | None = None) -> int:
    try:
        cfg = config_from_argv(argv)
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    meta = prepare(cfg)
    print(json.dumps({k: v for k, v in meta.items() if k != "config"}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
