"""The Ray backend: a real local Ray instance with 2 workers gives the same solved set as
the local backend on a 10-problem slice with a deterministic fixed policy."""

from __future__ import annotations

import pytest

from benchmarks.cli import main
from benchmarks.results import read_manifest, read_records
from tests.benchmarks.slices import COQ_SLICE, coq_slice, tactics_file

ray = pytest.importorskip("ray")


@pytest.mark.slow
@pytest.mark.requires_coq
def test_ray_workers_and_local_threads_solve_the_same_problems(tmp_path):
    data = coq_slice(tmp_path / "data")
    tactics = tactics_file(tmp_path)
    solved = {}
    for backend in ("local", "ray"):
        out = tmp_path / backend
        assert main(["run", "--system", "coq", "--data", str(data), "--policy", "fixed", "--tactics", str(tactics),
                     "--budget", "1x6x2", "--wall-time", "20", "--workers", "2", "--backend", backend,
                     "--no-progress", "--out", str(out), "benchmark.ray.num_cpus=2"]) == 0
        records = read_records(out)
        assert sorted(r["name"] for r in records) == sorted(COQ_SLICE)
        solved[backend] = {r["name"] for r in records if r["status"] == "proved"}
        assert read_manifest(out)["sessions"][0]["backend"] == backend
    assert solved["ray"] == solved["local"]
    assert 0 < len(solved["local"]) < len(COQ_SLICE)  # the slice separates solved from unsolved
    assert not ray.is_initialized()  # the backend stops the instance it started
