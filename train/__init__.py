"""The training pipeline: corpora (`libraries` registry, `trace`, `splits`, `corpora`),
decontamination, tokeniser and the streaming, parallel `prepare` into token stores on disk
(`token_store`), the FSDP2 trainer (`main` → `trainer`, with `model`, `parallelize`,
`weights`, `schedule`, `data`, `checkpoint`, `guard`, `metrics`), and held-out evaluation
(`evaluate`). Multi-node recipes and memory arithmetic: `train/README.md`.

    python -m train.trace [--library NAME... | --all] --workers 2
    python -m train.prepare [train/data@data=coq_steps|corpus|code|formal] [key=value ...]
    torchrun --nproc_per_node 2 -m train.main [train=tiny_cpu|llemma_7b|llemma_34b] [key=value ...]
    python -m train.evaluate --model DIR
"""
