"""benchmarks.suggest_latency on real Coq with a fixed policy: the cursor after each
`Proof.`, the lemmas with a closing suggestion counted, warm and cold times printed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from benchmarks.suggest_latency import cursor_lines, main

TWO = """Require Import Lia.
Lemma closes : forall n : nat, n + 0 = n.
Proof.
Admitted.

Lemma stuck : False.
Proof.
Admitted.
"""


@pytest.mark.requires_coq
def test_counts_the_lemmas_with_a_closing_suggestion_and_times_each_call(tmp_path: Path, capsys, no_leaked_provers):
    path = tmp_path / "two.v"
    path.write_text(TWO)
    assert cursor_lines(TWO) == [4, 8]
    assert main(["--file", str(path), "--cold", "1", "model=fixed", "model.tactics=[lia, auto]"]) == 0
    out = capsys.readouterr().out
    assert "closing 1/2" in out
    assert re.search(r"warm: median \d+\.\d\d s/call, max \d+\.\d\d s", out)
    assert re.search(r"cold: median \d+\.\d\d s over 1 fresh processes", out)
