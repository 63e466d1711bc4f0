"""Dataset preparation, streaming: read the configured sources, decontaminate against
miniF2F, hold out whole Coq source files, train (or reuse) the tokeniser, then tokenise in
worker processes, one source file at a time with bounded memory, into the token stores
`train/` and `val/` (`train.token_store`; the mixture weights become shard repeats), with
`tokenizer/`, `meta.json` and `decontamination.json`. An interrupted run resumes: a source
file whose shard is complete (`shards/<name>.json`) is not read again.

    python -m train.prepare train/data@data=coq_steps [prepare.workers=N] [key=value ...]
"""

from __future__ import annotations

import json
import multiprocessing
import shutil
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Iterator, Sequence

from omegaconf import DictConfig, OmegaConf
from transformers import PreTrainedTokenizerBase

from train.config import UsageError, config_from_argv
from train.corpora import Document, read_source, source_files
from train.decontaminate import DecontaminationReport, NgramIndex, decontaminate, minif2f_statements
from train.splits import heldout_files, stable_hash
from train.token_store import ShardWriter, TokenStore, token_dtype, write_index
from train.tokenizer import load_tokenizer, train_bpe

ENCODE_BATCH = 256  # documents tokenised at a time: what bounds a worker's memory


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


@dataclass(frozen=True)
class Task:
    """One source file (or a whole source, for readers of a folder): one shard per store."""

    name: str  # <source>-<k>: the shard files and the completion marker
    source: str
    format: str
    path: str
    train: bool  # its documents are trained on (weight > 0)
    validation: bool  # its held-out documents are the validation set (`heldout.source`)
    heldout_fraction: float
    max_docs: int | None
    options: dict[str, Any] = field(default_factory=dict)


def plan_tasks(data: DictConfig) -> tuple[list[Task], dict[str, str]]:
    """The tasks of every configured source, and the sources skipped (path missing)."""
    tasks, skipped = [], {}
    for name, source in data.sources.items():
        if not Path(source.path).exists():
            skipped[name] = f"{source.path} does not exist"
            print(f"warning: source {name}: {source.path} does not exist, skipped", file=sys.stderr)
            continue
        options = {k: v for k, v in source.items() if k not in ("format", "path", "weight")}
        for k, path in enumerate(source_files(source.format, source.path)):
            tasks.append(Task(f"{name}-{k:05d}", name, source.format, str(path), source.weight > 0,
                              name == data.heldout.source, data.heldout.fraction, data.max_docs, options))
    return tasks, skipped


def documents(task: Task, index: NgramIndex, report: DecontaminationReport) -> Iterator[tuple[Document, bool]]:
    """The task's documents that survive decontamination, each with whether it is held
    out (held-out files go to validation, from the validation source, or nowhere); at most
    `max_docs` that are not (held-out ones are spread over the whole source)."""
    kept = 0
    for doc in decontaminate(read_source(task.format, task.path, task.source, **task.options), index, report):
        if is_heldout(doc, task.heldout_fraction):
            if task.validation:
                yield doc, True
            continue
        if task.max_docs and kept >= task.max_docs:
            if task.validation:
                continue
            break
        kept += 1
        yield doc, False


def write_shards(task: Task, out_dir: Path, tokenizer: PreTrainedTokenizerBase, index: NgramIndex) -> dict[str, Any]:
    """Tokenise `task` into its train and val shards; the completion record (also written
    to `shards/<name>.json`, last)."""
    report = DecontaminationReport()
    dtype, eos = token_dtype(len(tokenizer)), tokenizer.eos_token_id
    writers = {held: ShardWriter(out_dir / store / f"{task.name}.bin", dtype, eos)
               for held, store in ((False, "train"), (True, "val"))}
    pending: dict[bool, list[str]] = {False: [], True: []}
    val_bytes = 0

    def flush(held: bool) -> None:
        if pending[held]:
            writers[held].add(tokenizer(pending[held], add_special_tokens=False, verbose=False)["input_ids"])
            pending[held] = []

    for doc, held in documents(task, index, report):
        if held:
            val_bytes += len(doc.text.encode())
        elif not task.train:
            continue
        pending[held].append(doc.text)
        if len(pending[held]) >= ENCODE_BATCH:
            flush(held)
    flush(False)
    flush(True)
    record = {"task": asdict(task), "train": writers[False].close(), "val": writers[True].close(),
              "val_bytes": val_bytes, "decontamination": report.to_json()}
    marker = out_dir / "shards" / f"{task.name}.json"
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.write_text(json.dumps(record))
    return record


_WORKER: dict[str, Any] = {}  # what a worker process loads once: the tokeniser and the n-gram index


def _init_worker(tokenizer_dir: str, minif2f_root: str) -> None:
    _WORKER["tokenizer"] = load_tokenizer(tokenizer_dir)
    _WORKER["index"] = NgramIndex.build(minif2f_statements(Path(minif2f_root)))


def _run_task(job: tuple[Task, str]) -> dict[str, Any]:
    task, out_dir = job
    return write_shards(task, Path(out_dir), _WORKER["tokenizer"], _WORKER["index"])


def build_tokenizer(cfg: DictConfig, tasks: list[Task], index: NgramIndex) -> PreTrainedTokenizerBase:
    """The checkpoint's tokeniser when continuing one, else a BPE trained on the
    `tokenizer_sources` (never on held-out text: it would shape the vocabulary)."""
    if cfg.train.model.init_from:
        return load_tokenizer(cfg.train.model.init_from)
    wanted = [t for t in tasks if t.source in cfg.data.tokenizer_sources]
    texts = (doc.text for t in wanted for doc, held in documents(t, index, DecontaminationReport()) if not held)
    return train_bpe(texts, cfg.train.tokenizer.vocab_size, cfg.train.batch.seq_len)


def start_or_resume(out_dir: Path, fingerprint: dict[str, Any]) -> None:
    """Keep what an interrupted run of the same configuration wrote; clear anything else."""
    stamp = out_dir / "prepare.json"
    if stamp.exists() and json.loads(stamp.read_text()) != fingerprint:
        for name in ("train", "val", "shards", "tokenizer"):
            shutil.rmtree(out_dir / name, ignore_errors=True)
    out_dir.mkdir(parents=True, exist_ok=True)
    stamp.write_text(json.dumps(fingerprint))


def prepare(cfg: DictConfig) -> dict:
    """Build (or finish building) the dataset described by `cfg.data` into `cfg.data.out_dir`; its meta."""
    data = cfg.data
    out_dir = Path(data.out_dir)
    start = time.monotonic()
    start_or_resume(out_dir, {"data": OmegaConf.to_container(data), "tokenizer": OmegaConf.to_container(cfg.train.tokenizer),
                              "init_from": cfg.train.model.init_from, "seq_len": cfg.train.batch.seq_len})
    index = NgramIndex.build(minif2f_statements(Path(cfg.minif2f_root)))
    tasks, skipped = plan_tasks(data)
    tokenizer_dir = out_dir / "tokenizer"
    tokenizer = load_tokenizer(tokenizer_dir) if tokenizer_dir.exists() else build_tokenizer(cfg, tasks, index)
    tokenizer.save_pretrained(tokenizer_dir)
    pending = [(t, str(out_dir)) for t in tasks if not (out_dir / "shards" / f"{t.name}.json").exists()]
    workers = min(cfg.prepare.workers, len(pending))
    if workers > 1:
        context = multiprocessing.get_context("spawn")  # a fresh interpreter: no forked tokeniser threads
        with context.Pool(workers, _init_worker, (str(tokenizer_dir), str(cfg.minif2f_root))) as pool:
            for record in pool.imap_unordered(_run_task, pending):
                print(f"shard {record['task']['name']}: {record['train']['tokens']} tokens", file=sys.stderr)
    else:
        for task, _ in pending:
            write_shards(task, out_dir, tokenizer, index)
    records = [json.loads((out_dir / "shards" / f"{t.name}.json").read_text()) for t in tasks]
    return finish(cfg, out_dir, records, skipped, len(tokenizer), time.monotonic() - start)


def finish(cfg: DictConfig, out_dir: Path, records: list[dict[str, Any]], skipped: dict[str, str], vocab_size: int,
           seconds: float) -> dict:
    """Write the two stores' indexes (train shards repeated to the mixture weights), the
    decontamination report and `meta.json`; the meta."""
    data = cfg.data
    trained = [r for r in records if r["task"]["train"]]
    tokens, docs = {}, {}
    for r in trained:
        source = r["task"]["source"]
        tokens[source] = tokens.get(source, 0) + r["train"]["tokens"]
        docs[source] = docs.get(source, 0) + r["train"]["documents"]
    repeats = mixture_repeats(tokens, {s: data.sources[s].weight for s in tokens})
    dtype = token_dtype(vocab_size)
    write_index(out_dir / "train", dtype, [{**r["train"], "repeat": repeats[r["task"]["source"]]} for r in trained])
    write_index(out_dir / "val", dtype, [r["val"] for r in records])
    report = DecontaminationReport(sum(r["decontamination"]["documents"] for r in records),
                                   [d for r in records for d in r["decontamination"]["dropped"]])
    (out_dir / "decontamination.json").write_text(json.dumps(report.to_json(), indent=1))
    width = cfg.train.batch.seq_len + 1
    val_tokens = sum(r["val"]["tokens"] - r["val"]["documents"] for r in records)  # without the separators
    meta = {
        "documents": docs,
        "tokens": tokens,
        "repeats": {n: round(r, 4) for n, r in repeats.items()},
        "skipped_sources": skipped,
        "train_rows": len(TokenStore(out_dir / "train", width)),
        "val_rows": len(TokenStore(out_dir / "val", width)),
        "val_documents": sum(r["val"]["documents"] for r in records),
        "val_bytes_per_token": sum(r["val_bytes"] for r in records) / max(1, val_tokens),
        "store_bytes": sum(r[s]["tokens"] for r in records for s in ("train", "val")) * dtype.itemsize,
        "seq_len": cfg.train.batch.seq_len,
        "vocab_size": vocab_size,
        "decontamination_dropped": len(report.dropped),
        "seconds": round(seconds, 1),
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
