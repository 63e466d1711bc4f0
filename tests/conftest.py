"""Shared test fixtures and the `requires_*` skips: a test that needs a prover or device
that is absent skips with the reason, never passes silently."""

from __future__ import annotations

import importlib.util
import shutil

import pytest

from environments.process import live_processes


def _has_cuda() -> bool:
    try:
        import torch

        return torch.cuda.is_available()
    except ImportError:
        return False


_SKIPS = {
    "requires_coq": (lambda: shutil.which("coqtop") is not None and shutil.which("coqc") is not None,
                     "coqtop/coqc not on PATH: apt-get install -y coq libcoq-coquelicot libcoq-hammer"),
    "requires_lean": (lambda: shutil.which("lake") is not None, "lake not on PATH: Lean 4 is not installed here"),
    "requires_isabelle": (lambda: shutil.which("isabelle") is not None, "isabelle not on PATH: Isabelle is not installed here"),
    "requires_gpu": (_has_cuda, "no CUDA device"),
    "requires_vllm": (lambda: importlib.util.find_spec("vllm") is not None,
                      "vllm not importable here: these tests run inside .venv-vllm (bash .ci/setup --tests)"),
}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for marker, (available, reason) in _SKIPS.items():
        if any(marker in item.keywords for item in items) and not available():
            for item in items:
                if marker in item.keywords:
                    item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture
def no_leaked_provers():
    """Fails the test if it leaves prover processes running."""
    yield
    leaked = live_processes()
    assert not leaked, f"{len(leaked)} prover processes left running: {[p.pid for p in leaked]}"
