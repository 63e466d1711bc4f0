from pathlib import Path

import pytest

from configs import CONFIG_DIR
from train.config import UsageError, config_from_argv, train_config

PRESETS = sorted(p.stem for p in (CONFIG_DIR / "train").glob("*.yaml"))
MIXTURES = sorted(p.stem for p in (CONFIG_DIR / "train" / "data").glob("*.yaml"))


@pytest.mark.parametrize("preset", PRESETS)
@pytest.mark.parametrize("mixture", MIXTURES)
def test_every_preset_and_mixture_composes(preset, mixture):
    cfg = train_config([f"train={preset}", f"train/data@data={mixture}"])
    assert cfg.train.name == preset and cfg.data.name == mixture
    assert cfg.train.batch.global_batch % cfg.train.batch.micro_batch == 0
    assert cfg.train.batch.seq_len <= cfg.train.model.max_seq_len
    assert all(Path(s.path).is_absolute() and s.weight >= 0 for s in cfg.data.sources.values())
    assert Path(cfg.run.out_dir).is_absolute()


def test_llemma_7b_is_the_papers_setting():
    t = train_config(["train=llemma_7b"]).train
    assert t.model.init_from == "codellama/CodeLlama-7b-hf" and t.batch.seq_len == 4096
    assert t.batch.global_batch * t.batch.seq_len == 4 * 2**20  # 4M tokens per step
    assert (t.optim.lr, t.optim.warmup_steps, t.optim.decay_steps) == (1e-4, 500, 48_000)
    assert t.optim.min_lr_ratio == pytest.approx(1 / 30, rel=1e-3)
    assert t.parallel.bf16 and t.parallel.activation_checkpointing


def test_bad_overrides_are_usage_errors():
    with pytest.raises(UsageError, match="key=value"):
        config_from_argv(["steps"])
    with pytest.raises(UsageError):
        config_from_argv(["train=nope"])
