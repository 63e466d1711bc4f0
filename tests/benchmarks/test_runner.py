"""The miniF2F runner against real Coq: checked records, skipped statements, bad input,
and a run killed with SIGKILL halfway and started again (miniF2F and coqlib)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from benchmarks.cli import main
from benchmarks.results import ResultsError, ResultStore, read_manifest, read_records
from tests.benchmarks.slices import COQ_SLICE, ROCQ_VALID, cli, coq_slice, tactics_file

REPO = Path(__file__).resolve().parents[2]


def _run(data: Path, out: Path, tactics: Path, *extra: str) -> int:
    return main(["run", "--system", "coq", "--data", str(data), "--policy", "fixed", "--tactics", str(tactics),
                 "--budget", "1x6x2", "--wall-time", "20", "--workers", "1", "--no-progress", "--out", str(out),
                 *extra])


def test_store_cuts_a_torn_line_and_refuses_a_second_record(tmp_path):
    store = ResultStore(tmp_path)
    store.append({"name": "a", "status": "proved"})
    with open(store.path, "ab") as fh:
        fh.write(b'{"name": "b", "sta')  # a run killed in the middle of a write
    assert [r["name"] for r in read_records(tmp_path)] == ["a"]
    store = ResultStore(tmp_path)
    assert store.done() == {"a"}
    store.append({"name": "b", "status": "failed"})
    assert [r["name"] for r in read_records(tmp_path)] == ["a", "b"]
    with pytest.raises(ResultsError):
        store.append({"name": "a", "status": "failed"})
    with pytest.raises(ResultsError):
        store.append({"name": "c", "status": "maybe"})


@pytest.mark.parametrize("argv, words", [
    (["run", "--out", "X", "--budget", "1x0x3"], "--budget"),
    (["run", "--out", "X", "--data", "/nonexistent/minif2f"], "not a directory"),
    (["run", "--out", "X", "--system", "lean", "--mode", "i2f"], "i2f"),
    (["run", "--out", "X", "notakeyvalue"], "key=value"),
    (["run", "--out", "X", "benchmark.nosuchkey=1"], "nosuchkey"),
    (["run", "--system", "coq"], "--out"),
    (["report", "/nonexistent/results"], "not a directory"),
    (["run", "--out", "X", "--wall-time", "-1"], "wall_time_s must be a number > 0"),
    (["run", "--out", "X", "--workers", "100000"], "this machine runs at most"),
    (["run", "--out", "X", "benchmark.workers=abc"], "benchmark.workers must be an integer"),
    (["run", "--out", "X", "benchmark.workers=0"], "benchmark.workers must be >= 1"),
    (["run", "--out", "X", "+env.bogus=1", "--limit", "1"], "bogus"),
    (["run", "--out", "afile"], "is a file"),
    (["run", "--out", "X", "--budget", "16x24@0"], "--budget"),
    (["report", "corrupt_results"], "not a JSON record"),
    (["report", "corrupt_manifest"], "not a readable manifest"),
    (["report", "foreign_manifest"], "not a manifest"),
])
def test_bad_input_is_one_line_and_exit_code_2(argv, words, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "afile").write_text("not a folder\n")
    for name, results, manifest in [("corrupt_results", b'{"name": "a", "status": "failed"}\n\xff\xfe\n',
                                     b'{"config_hash": "x", "problems": [], "sessions": []}'),
                                    ("corrupt_manifest", b"", b'{"config_hash": "\xff'),
                                    ("foreign_manifest", b"", b"[1, 2]")]:
        (tmp_path / name).mkdir()
        (tmp_path / name / "results.jsonl").write_bytes(results)
        (tmp_path / name / "manifest.json").write_bytes(manifest)
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and words in err


@pytest.mark.requires_coq
def test_records_hold_checked_proofs_that_compile_again(tmp_path, no_leaked_provers):
    names = COQ_SLICE[2:5]  # mathd_algebra_104 and 109 fall to the tactics; 11 does not
    data = coq_slice(tmp_path / "data", names)
    assert _run(data, tmp_path / "out", tactics_file(tmp_path)) == 0
    records = {r["name"]: r for r in read_records(tmp_path / "out")}
    assert sorted(records) == sorted(names)
    proved = [r for r in records.values() if r["status"] == "proved"]
    assert {r["name"] for r in proved} == {"mathd_algebra_104", "mathd_algebra_109"}
    assert records["mathd_algebra_11"]["status"] == "failed" and records["mathd_algebra_11"]["proof"] is None
    for record in proved:
        original = (ROCQ_VALID / f"{record['name']}.v").read_text()
        statement = original[original.index("Theorem"): original.rindex("Proof.")].strip()
        assert statement in record["source"]  # the statement is compiled unchanged
        assert record["proof"] and record["expansions"] >= 1 and record["time_s"] > 0
        check = tmp_path / f"{record['name']}.v"
        check.write_text(record["source"])
        done = subprocess.run(["coqc", check.name], cwd=tmp_path, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stdout + done.stderr
    manifest = read_manifest(tmp_path / "out")
    assert manifest["budget"]["tactics"] == 12 and manifest["problems"] == sorted(names)
    assert "coqc" in manifest["versions"] and manifest["sessions"][0]["finished"]


@pytest.mark.requires_coq
def test_a_statement_that_does_not_elaborate_is_skipped_with_its_error(tmp_path, no_leaked_provers):
    data = coq_slice(tmp_path / "data", COQ_SLICE[2:3])
    (data / "valid" / "broken_1.v").write_text(
        "Require Import Reals.\nOpen Scope R_scope.\n\nTheorem broken_1 : forall x : R, no_such_function x = 0.\n"
        "Proof.\nAdmitted.\n")
    assert _run(data, tmp_path / "out", tactics_file(tmp_path)) == 0
    records = {r["name"]: r for r in read_records(tmp_path / "out")}
    assert records["broken_1"]["status"] == "skipped"
    assert "no_such_function" in records["broken_1"]["message"]
    assert records["mathd_algebra_104"]["status"] == "proved"


@pytest.mark.requires_coq
def test_a_results_directory_refuses_a_different_configuration(tmp_path, capsys):
    data = coq_slice(tmp_path / "data", COQ_SLICE[2:3])
    assert _run(data, tmp_path / "out", tactics_file(tmp_path)) == 0
    assert _run(data, tmp_path / "out", tactics_file(tmp_path), "search.max_expansions=3") == 2
    assert "different configuration" in capsys.readouterr().err


def _minif2f_run(tmp_path: Path) -> tuple[list[str], list[str]]:
    argv = cli("run", "--system", "coq", "--data", str(coq_slice(tmp_path / "data")), "--policy", "fixed",
               "--tactics", str(tactics_file(tmp_path)), "--budget", "1x6x2", "--wall-time", "20",
               "--workers", "2", "--no-progress", "--out", str(tmp_path / "out"))
    return argv, list(COQ_SLICE)


def _coqlib_run(tmp_path: Path) -> tuple[list[str], list[str]]:
    from benchmarks.coqlib import load_coqlib
    from tests.benchmarks.test_coqlib import coqlib_argv

    names = [t.meta["problem"] for t in load_coqlib("heldout") if t.meta["file"] == "theories/Bool/Bool.v"][:24]
    (tmp_path / "tactics.json").write_text(json.dumps(["destr_bool", "easy"]))
    return cli(*coqlib_argv(tmp_path / "out", tmp_path / "tactics.json", names, workers=2)), names


@pytest.mark.slow
@pytest.mark.requires_coq
@pytest.mark.parametrize("benchmark", [_minif2f_run, _coqlib_run], ids=["minif2f", "coqlib"])
def test_a_killed_run_started_again_records_each_problem_exactly_once(tmp_path, benchmark):
    argv, problems = benchmark(tmp_path)
    out = tmp_path / "out"
    first = subprocess.Popen(argv, cwd=REPO, start_new_session=True,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    results = out / "results.jsonl"
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and first.poll() is None:
        if results.exists() and results.read_bytes().count(b"\n") >= 3:
            break
        time.sleep(0.05)
    assert first.poll() is None, "the run ended before it could be killed"
    os.killpg(first.pid, signal.SIGKILL)
    first.wait(timeout=30)
    killed_at = len(read_records(out))
    assert 3 <= killed_at < len(problems)

    second = subprocess.run(argv, cwd=REPO, capture_output=True, text=True, timeout=600)
    assert second.returncode == 0, second.stderr[-2000:]
    lines = [json.loads(line) for line in results.read_text().splitlines()]
    names = [r["name"] for r in lines]
    assert sorted(names) == sorted(problems)  # none lost, none twice
    manifest = read_manifest(out)
    assert len(manifest["sessions"]) == 2 and "finished" in manifest["sessions"][1]
    assert "proved" in {r["status"] for r in lines} and {r["status"] for r in lines} <= {"proved", "failed"}


def test_flags_map_onto_the_hydra_config(tmp_path):
    from benchmarks.cli import _parser, run_overrides
    from configs import compose_config

    args, extra = _parser().parse_known_args(
        ["run", "--system", "lean", "--policy", "fixed", "--tactics", "t.json", "--budget", "2x4x8",
         "--wall-time", "3", "--workers", "3", "--out", str(tmp_path), "search.length_normalise=true"])
    args.overrides = extra
    cfg = compose_config("minif2f", run_overrides(args))
    assert cfg.env.name == "lean-repl" and cfg.benchmark.system == "lean" and cfg.model.policy == "fixed"
    assert cfg.model.tactics_file == str(Path("t.json").resolve())
    assert (cfg.benchmark.attempts, cfg.search.samples_per_expansion, cfg.search.max_expansions) == (2, 4, 8)
    assert cfg.search.wall_time_s == 3 and cfg.benchmark.workers == 3 and cfg.search.length_normalise is True
    assert cfg.benchmark.out == str(tmp_path.resolve()) and cfg.benchmark.data is None


def test_a_second_run_on_a_results_directory_in_use_fails_at_once(tmp_path, capsys):
    from benchmarks.results import locked

    with locked(tmp_path / "out"):
        start = time.perf_counter()
        assert main(["run", "--out", str(tmp_path / "out"), "--mode", "auto", "--limit", "1"]) == 2
        assert time.perf_counter() - start < 30
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "in use by another run" in err
    assert not (tmp_path / "out" / "results.jsonl").exists()
