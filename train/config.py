"""Composing the trainer's Hydra config (`configs/train.yaml`) and the resolvers it uses."""

from __future__ import annotations

import sys
import sysconfig
from typing import Sequence

from hydra.errors import HydraException
from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from configs import compose_config

# the Python standard library sources: the general-code corpus present on every machine
OmegaConf.register_new_resolver("python_stdlib", lambda: sysconfig.get_paths()["stdlib"], replace=True)


def train_config(overrides: Sequence[str] = ()) -> DictConfig:
    """configs/train.yaml composed with Hydra-style `overrides`, fully resolved."""
    cfg = compose_config("train", overrides)
    OmegaConf.resolve(cfg)
    return cfg


class UsageError(ValueError):
    """Command-line overrides that do not compose into a config."""


def config_from_argv(argv: Sequence[str] | None) -> DictConfig:
    """The config for a command line of `key=value` overrides (default: sys.argv[1:]);
    UsageError names the problem."""
    argv = list(sys.argv[1:] if argv is None else argv)
    bad = [arg for arg in argv if "=" not in arg]
    if bad:
        raise UsageError(f"expected key=value overrides, got {bad[0]!r}")
    try:
        return train_config(argv)
    except (HydraException, OmegaConfBaseException) as exc:
        raise UsageError(str(exc).splitlines()[0]) from None
