"""The Lean and Isabelle context guards: every miniF2F header passes, code and files do not."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from environments.isabelle_guard import isabelle_context_problem
from environments.lean_guard import lean_context_problem
from environments.theorem_files.isabelle import DECLARATION

MINIF2F = Path("/work/shared/data/minif2f")
needs_data = pytest.mark.skipif(not MINIF2F.is_dir(), reason="shared miniF2F data not present")

LEAN_ORDINARY = """import Mathlib
import Aesop
set_option maxHeartbeats 400000
open BigOperators Real Nat Topology Rat
namespace Foo
variable (n : ℕ)
/-- a docstring -/
@[simp, to_additive (attr := simp)] theorem t : n + 0 = n := by simp
attribute [local instance] Classical.propDecidable
notation "𝔽" => ℕ
#check t
#print axioms t
set_option maxRecDepth 1000 in
lemma u : True := by trivial
end Foo
"""
LEAN_HOSTILE = ['#eval IO.FS.writeFile "/x" "y"', "run_cmd Lean.logInfo m!\"x\"", "run_elab pure ()",
                "run_meta pure ()", "#exit", "initialize r : IO.Ref Nat ← IO.mkRef 0", "builtin_initialize pure ()",
                '@[extern "c_f"] opaque f : Nat', "@[implemented_by g] def f := 1", "unsafe def f : Nat := 1",
                "import Foo.Bar", "import Mathlib\nimport «/tmp/x»", "set_option debug.skipKernelTC true",
                'elab "x" : term => pure default', 'macro "x" : command => `(#check 1)',
                "attribute [init g] f", "@[simp, x [y], init] def f := 1", "@[to_additive (attr := init)] def f := 1",
                "theorem a : 2 = 2 := by native_decide", "def x := by_elab pure default", "theorem t : True := by\n  run_tac pure ()",
                'def s := "--" #eval 1', "#guard 1 == 1", "open Lean in #eval 1", "register_simp_attr foo"]

ISABELLE_ORDINARY = """theory T imports Complex_Main "HOL-Library.Code_Target_Numeral"
begin
(* ML is mentioned in a comment *)
definition f :: "nat \\<Rightarrow> nat" where "f x = x\\<^sup>2 + 1"
lemma f_pos: "f x > 0" unfolding f_def by simp
text \\<open>setup notes\\<close>
"""
ISABELLE_HOSTILE = ['ML \\<open>File.write (Path.explode "/x") "y"\\<close>', "ML_file \"/tmp/x.ML\"", "ML_val ‹1›",
                    "setup ‹I›", "local_setup ‹I›", "declaration ‹K I›", 'export_code f in SML file "/tmp/x"',
                    'external_file "/etc/passwd"', 'theory T imports "/tmp/x" begin', "theory T imports \"~~/x\" begin",
                    "lemma t: True by (tactic ‹all_tac›)", "text ‹@{ML ‹OS.Process.exit 0›}›",
                    "text \\<open>\\<^ML>\\<open>1\\<close>\\<close>", "oracle o = ‹fn _ => raise Fail \"\"›",
                    "method_setup m = ‹Scan.succeed (K all_tac)›", "code_printing constant f \\<rightharpoonup> (SML) \"x\""]


def test_ordinary_lean_and_isabelle_contexts_pass() -> None:
    assert lean_context_problem(LEAN_ORDINARY) is None
    assert lean_context_problem("-- #eval in a comment\n/- run_cmd -/ theorem t : True := trivial") is None
    assert isabelle_context_problem(ISABELLE_ORDINARY) is None


@pytest.mark.parametrize("context", LEAN_HOSTILE)
def test_lean_code_imports_and_options_are_refused(context: str) -> None:
    assert lean_context_problem(context), context


@pytest.mark.parametrize("context", ISABELLE_HOSTILE)
def test_isabelle_ml_and_files_are_refused(context: str) -> None:
    assert isabelle_context_problem(context), context


@needs_data
def test_every_minif2f_lean_header_passes() -> None:
    headers = {json.loads(line)["header"] for line in (MINIF2F / "lean4/minif2f_lean4_with_informal.jsonl").open()}
    headers |= {f.read_text().split("theorem ", 1)[0] for f in (MINIF2F / "lean4/MiniF2F").glob("*/*.lean")}
    assert len(headers) >= 2
    assert {h: p for h in headers if (p := lean_context_problem(h))} == {}


@needs_data
def test_every_minif2f_isabelle_header_passes() -> None:
    files = sorted((MINIF2F / "isabelle").glob("*/*.thy"))
    assert len(files) > 400
    headers = {f.name: f.read_text()[:DECLARATION.search(f.read_text()).start()] for f in files}
    assert {n: p for n, h in headers.items() if (p := isabelle_context_problem(h))} == {}
