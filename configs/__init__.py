"""Hydra configuration: the YAML groups (`model/`, `env/`, `search/`, `train/`, `benchmark/`,
`server/`) beside this file, and one way to compose them for every entry point. The
`search/` group's `default` is `search.best_first.SearchConfig` itself (a structured config:
its defaults are the one source, its field types checked when a config is composed)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping, Sequence

from hydra import compose, initialize_config_dir
from hydra.core.config_store import ConfigStore
from omegaconf import DictConfig, OmegaConf

from search.best_first import SearchConfig

CONFIG_DIR = Path(__file__).resolve().parent
REPO_ROOT = CONFIG_DIR.parent

# ${repo:PATH}: PATH taken relative to the repository root, whatever the working directory
OmegaConf.register_new_resolver("repo", lambda path: str((REPO_ROOT / path).resolve()), replace=True)


def _structured(schema: type) -> DictConfig:
    node = OmegaConf.structured(schema)
    OmegaConf.set_readonly(node, False)  # a frozen dataclass still takes overrides while composing
    return node


ConfigStore.instance().store(group="search", name="default", node=_structured(SearchConfig))


def compose_config(name: str, overrides: Sequence[str] = ()) -> DictConfig:
    """Compose root config `name` (e.g. "prove") with Hydra-style `overrides`."""
    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
        return compose(config_name=name, overrides=list(overrides))


def env_options(env: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    """(backend name, its constructor options) from an `env` config group."""
    options = OmegaConf.to_container(env, resolve=True) if isinstance(env, DictConfig) else dict(env)
    return options.pop("name"), options
