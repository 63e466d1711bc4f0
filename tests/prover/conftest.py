"""Fixtures for policy and CLI tests: a tiny real model directory, made once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.prover.tiny_model import save_tiny_llama


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return save_tiny_llama(tmp_path_factory.mktemp("tiny-llama"))
