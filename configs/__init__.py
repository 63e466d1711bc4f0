"""Hydra configuration: the YAML groups (`model/`, `env/`, `search/`, `train/`, `benchmark/`,
`server/`) beside this file, and one way to compose them for every entry point."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping, Sequence

from hydra import compose, initialize_config_dir
from omegaconf import DictConfig, OmegaConf

CONFIG_DIR = Path(__file__).resolve().parent
REPO_ROOT = CONFIG_DIR.parent

# ${repo:PATH}: PATH taken relative to the repository root, whatever the working directory
OmegaConf.register_new_resolver("repo", lambda path: str((REPO_ROOT / path).resolve()), replace=True)


def compose_config(name: str, overrides: Sequence[str] = ()) -> DictConfig:
    """Compose root config `name` (e.g. "prove") with Hydra-style `overrides`."""
    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
        return compose(config_name=name, overrides=list(overrides))


def env_options(env: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    """(backend name, its constructor options) from an `env` config group."""
    options = OmegaConf.to_container(env, resolve=True) if isinstance(env, DictConfig) else dict(env)
    return options.pop("name"), options
