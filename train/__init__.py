"""The training pipeline: corpora (`libraries` registry, `trace`, `splits`, `corpora`), decontamination, tokeniser and
packing (`prepare`), the FSDP2 trainer (`main` → `trainer`, with `model`, `parallelize`,
`schedule`, `data`, `checkpoint`, `metrics`), and held-out evaluation (`evaluate`).

    python -m train.trace [--library NAME... | --all] --workers 2
    python -m train.prepare [train/data@data=coq_steps|corpus|code|formal] [key=value ...]
    torchrun --nproc_per_node 2 -m train.main [train=tiny_cpu|llemma_7b|llemma_34b] [key=value ...]
    python -m train.evaluate --model DIR
"""
