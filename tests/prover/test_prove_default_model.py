"""CI acceptance: `prove` with the shipped default model on prover/examples/easy.v, on real
Coq and 2 cores, proves at least 80 % of the holes within 2 minutes, and the --write output
compiles with coqc with no Admitted."""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from environments.theorem_files import find_holes
from prover.cli import main

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_MODEL = ROOT / "prover" / "models" / "default"
EASY = ROOT / "prover" / "examples" / "easy.v"


@pytest.mark.slow
@pytest.mark.requires_coq
def test_default_model_proves_the_easy_examples(tmp_path: Path, no_leaked_provers):
    if not (DEFAULT_MODEL / "config.json").is_file():
        pytest.skip(f"the default model is missing: {DEFAULT_MODEL} (built by the training pipeline)")
    work = tmp_path / "easy.v"
    shutil.copy(EASY, work)
    holes = len(find_holes(work))
    assert holes >= 15
    out = tmp_path / "easy.json"
    start = time.perf_counter()
    code = main([str(work), "--write", "--json", str(out), "--workers", "2"])
    elapsed = time.perf_counter() - start
    records = json.loads(out.read_text())
    proved = [r for r in records if r["status"] == "proved"]
    assert len(records) == holes
    assert len(proved) >= 0.8 * holes, [(r["theorem"], r["status"]) for r in records]
    assert elapsed < 120, f"took {elapsed:.0f} s"
    assert code == (0 if len(proved) == holes else 1)
    # (that the model's samples are among the candidates, beside the automation list, is
    # test_prove_configs' known answer; on these lemmas automation alone finds every proof)
    # every checked proof went in; a hole left unproved stays as it was
    assert work.read_text().count("Admitted.") == holes - len(proved)
    build = tmp_path / "build"
    build.mkdir()
    shutil.copy(work, build / "easy.v")
    run = subprocess.run(["coqc", "easy.v"], cwd=build, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
