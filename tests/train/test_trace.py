import json

import pytest

from environments import Theorem, make_environment
from train.libraries import LIBRARIES, coq_root
from train.splits import heldout_files
from train.trace import heldout_sources, library_table, main, read_steps, trace_file, trace_libraries

pytestmark = pytest.mark.requires_coq

SOURCE = """Require Import Arith.
Lemma good : forall n : nat, n + 0 = n /\\ True.
Proof.
  intros n. split.
  - (* bullets are not steps *) induction n; simpl; auto.
  - exact I.
Qed.
Lemma bad : 1 = 1.
Proof. apply no_such_lemma. reflexivity. Qed.
Definition d : nat.
Proof. exact 3. Defined.
"""


def test_trace_records_steps_and_failures(tmp_path, no_leaked_provers):
    path = tmp_path / "T.v"
    path.write_text(SOURCE)
    trace, steps = trace_file(path, "T.v")
    assert (trace.proofs, trace.traced) == (3, 2)
    assert [s["tactic"] for s in steps] == ["intros n.", "split.", "induction n; simpl; auto.", "exact I.", "exact 3."]
    assert [s["theorem"] for s in steps] == ["good"] * 4 + ["d"]
    assert steps[1]["goals_after"].startswith("2 goals") and steps[3]["goals_after"] == ""
    assert len(trace.failures) == 1 and "line 9" in trace.failures[0] and "no_such_lemma" in trace.failures[0]


def test_traced_goals_are_the_backends_goals(tmp_path, no_leaked_provers):
    """Training prompts must be inference prompts: the Coq backend shows the same text."""
    path = tmp_path / "T.v"
    path.write_text(SOURCE)
    _, steps = trace_file(path, "T.v")
    with make_environment("coq") as env:
        state = env.open(Theorem("good", "coq", "Lemma good : forall n : nat, n + 0 = n /\\ True.",
                                 context="Require Import Arith."))
        assert state.goals == steps[0]["goals_before"]
        after = env.step(state, steps[0]["tactic"])
        assert after.state.goals == steps[0]["goals_after"] == steps[1]["goals_before"]


def test_libraries_trace_is_resumable_and_reported(tmp_path, no_leaked_provers):
    """Real files of the standard library and of two other libraries (ssreflect's own tactic
    language included), each library in its own folder with its report."""
    root = coq_root()
    files = [root / "theories" / "Bool" / "Sumbool.v", root / "user-contrib" / "mathcomp" / "ssreflect" / "ssrfun.v",
             root / "user-contrib" / "Coquelicot" / "Iter.v"]
    libraries = ["stdlib", "mathcomp-ssreflect", "coquelicot"]
    reports = trace_libraries(tmp_path, libraries, files, workers=2, progress=False)
    assert sorted(reports) == sorted(libraries)
    for name, report in reports.items():
        assert report["files"] == 1 and report["proofs"] >= 5, name
        assert report["proofs_traced"] == report["proofs"] and not report["failures"], name
        assert report["steps"] == sum(1 for _ in read_steps(tmp_path / name)) > 0
        assert json.loads((tmp_path / name / "report.json").read_text())["steps"] == report["steps"]
    tactics = {s["tactic"] for s in read_steps(tmp_path / "mathcomp-ssreflect")}
    assert any("/=" in t or "=>" in t for t in tactics)  # ssreflect tactics are steps like any other
    done = tmp_path / "coquelicot" / "steps" / "user-contrib" / "Coquelicot" / "Iter.done.json"
    stamp = done.stat().st_mtime_ns
    again = trace_libraries(tmp_path, libraries, files, workers=1, progress=False)
    assert done.stat().st_mtime_ns == stamp  # finished files are skipped
    assert {n: r["steps"] for n, r in again.items()} == {n: r["steps"] for n, r in reports.items()}
    assert sum(1 for _ in read_steps(tmp_path)) == sum(r["steps"] for r in reports.values())
    table = library_table(tmp_path).splitlines()
    assert len(table) == 2 + 3 + 1 and table[-1].startswith("| **all** | 3 |")
    assert any(row.startswith("| coquelicot | 1/") and f"| {reports['coquelicot']['steps']:,} |" in row for row in table)


def test_untraceable_file_is_reported_with_its_reason(tmp_path, no_leaked_provers):
    """A library replayed without its flags fails to load, and the report says why."""
    path = tmp_path / "T.v"
    path.write_text("Require Import NoSuchLibrary.Foo.\nLemma t : True.\nProof. exact I. Qed.\n")
    trace, steps = trace_file(path, "T.v")
    assert trace.traced == 1 and [s["tactic"] for s in steps] == ["exact I."]
    assert any("line 1" in f and "NoSuchLibrary" in f for f in trace.failures)


def test_cli_rejects_bad_input(tmp_path, capsys):
    assert main(["--out", str(tmp_path), "--workers", "0"]) == 2
    assert main(["--out", str(tmp_path), "--files", str(tmp_path / "elsewhere.v")]) == 2
    assert main(["--out", str(tmp_path), "--library", "no-such-library"]) == 2
    assert main(["--out", str(tmp_path), "--table", "--timeout", "0"]) == 2  # checked whatever the mode
    errors = capsys.readouterr().err.strip().splitlines()
    assert len(errors) == 4 and all(e.startswith("error: ") for e in errors)


def test_heldout_selects_exactly_the_committed_heldout_files_of_the_libraries():
    root = coq_root()
    files = heldout_sources(["stdlib", "mathcomp-ssreflect"], root)
    assert files and {str(f.relative_to(root)) for f in files} <= heldout_files()
    assert set(files) <= set(LIBRARIES["stdlib"].sources(root)) | set(LIBRARIES["mathcomp-ssreflect"].sources(root))
    assert root / "theories/Bool/Bool.v" in files and root / "theories/Arith/PeanoNat.v" not in files
    with pytest.raises(SystemExit) as exit:  # one or the other
        main(["--heldout", "--files", str(files[0])])
    assert exit.value.code == 2
