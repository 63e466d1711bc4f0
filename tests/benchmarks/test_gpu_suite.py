"""The GPU suite on a machine without a GPU: one line on stderr, exit code 2, no JSON."""

import subprocess
import sys
from pathlib import Path

import pytest
import torch

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(torch.cuda.is_available(), reason="a CUDA device is present: the suite would run for minutes")
def test_without_a_gpu_it_exits_2_with_one_line(tmp_path):
    out = tmp_path / "suite.json"
    done = subprocess.run([sys.executable, str(REPO / "benchmarks" / "gpu_suite.py"), "--out", str(out)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.strip().splitlines() == ["error: gpu_suite needs a CUDA GPU and none is visible"]
    assert not out.exists()
