"""The server's settings: the composed `serve` config as validated pydantic models, and the
cached `get_settings()` dependency that handlers declare and tests override."""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Sequence

from omegaconf import DictConfig, OmegaConf
from pydantic import BaseModel, ConfigDict, Field, model_validator

from configs import compose_config


class ProveLimits(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    max_concurrent: int = Field(2, ge=1, description="searches running at once; more requests get 503")
    max_wall_time_s: float = Field(120.0, gt=0, description="upper bound on a request's wall-time budget")
    max_expansions: int = Field(200, ge=1, description="upper bound on a request's expansions")


class ServerSettings(BaseModel):
    """The `server` config group."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    host: str = "127.0.0.1"
    port: int = Field(6000, ge=0, le=65535, description="0 = any free port")
    token: str | None = Field(None, min_length=1, description="bearer token every request but /health must carry "
                                                            "(an empty one is refused: it would leave the server open)")
    max_body_bytes: int = Field(65536, ge=1)
    default_samples: int = Field(8, ge=1)
    max_samples: int = Field(32, ge=1)
    max_queued_samples: int = Field(128, ge=1, strict=True,
                                    description="model samples admitted and unfinished at once; more get 503")
    request_timeout_s: float = Field(30.0, gt=0)
    max_batch: int = Field(64, ge=1)
    max_wait_s: float = Field(0.005, ge=0)
    encoder: bool = True
    prove: ProveLimits = ProveLimits()

    @model_validator(mode="after")
    def _samples_in_range(self) -> ServerSettings:
        if self.default_samples > self.max_samples:
            raise ValueError(f"default_samples={self.default_samples} exceeds max_samples={self.max_samples}")
        if self.max_samples > self.max_queued_samples:
            raise ValueError(f"max_samples={self.max_samples} exceeds max_queued_samples={self.max_queued_samples}: "
                             "such a request could never be admitted")
        return self


class Settings(BaseModel):
    """Everything the server reads from the composed config."""

    model_config = ConfigDict(frozen=True, extra="ignore", protected_namespaces=())

    server: ServerSettings
    model: dict[str, Any]  # the Hydra `model` group, handed to prover.policies.build_policy
    search: dict[str, Any] = {}  # the Hydra `search` group: the default /prove budget
    env: dict[str, Any] | None = None  # the Hydra `env` group; None = /prove is off

    @classmethod
    def from_config(cls, cfg: DictConfig) -> Settings:
        return cls.model_validate(OmegaConf.to_container(cfg, resolve=True))


def load_settings(overrides: Sequence[str] = ()) -> Settings:
    """Compose `configs/serve.yaml` with Hydra `overrides` into Settings."""
    return Settings.from_config(compose_config("serve", overrides))


@lru_cache
def get_settings() -> Settings:
    """The default settings, composed once; `create_app(settings)` overrides this dependency."""
    return load_settings()
