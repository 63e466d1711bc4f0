"""Runs the vLLM policy tests inside `.venv-vllm` (vLLM's CPU build, set up by
`bash .ci/setup --tests`), so the one test command of the README covers them too.
vLLM pins its own torch/transformers, hence the separate environment and the subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
VLLM_PYTHON = ROOT / ".venv-vllm" / "bin" / "python"


@pytest.mark.slow
@pytest.mark.skipif(not VLLM_PYTHON.exists(), reason=".venv-vllm missing: run `bash .ci/setup --tests`")
def test_vllm_policy_tests_pass_in_the_vllm_environment() -> None:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "VLLM_ENABLE_V1_MULTIPROCESSING": "0", "VLLM_CPU_KVCACHE_SPACE": "1"}
    run = subprocess.run(
        [str(VLLM_PYTHON), "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/prover/test_vllm_policy.py"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=900,
    )
    print(run.stdout[-4000:], run.stderr[-2000:], file=sys.stderr)
    assert run.returncode == 0, run.stdout[-4000:]
    assert " passed" in run.stdout and "skipped" not in run.stdout.splitlines()[-1]
