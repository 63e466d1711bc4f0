"""benchmarks.premise_recall on a trace of two steps in a committed held-out file: one naming a
lemma of that file, one naming only a prelude lemma, which the file-only ranking cannot offer."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from benchmarks.premise_recall import main
from environments.coq_modules import coq_root
from prover.premises import premises_of
from train.splits import read_heldout


def test_recall_with_and_without_imports(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    file = read_heldout()["stdlib"][0]
    text = (coq_root() / file).read_text(encoding="utf-8")
    own = max(premises_of(text), key=lambda p: len(p.statement))  # the most distinctive
    last_line = text.count("\n") + 1
    steps = [{"file": file, "line": last_line, "theorem": "not_in_the_file", "goals_before": goals, "tactic": tactic}
             for goals, tactic in ((f"============================\n{own.statement}", f"apply {own.name}."),
                                   ("n : nat\n============================\nn = n + 0", "apply plus_n_O."))]
    (tmp_path / "steps.jsonl").write_text("".join(json.dumps(s) + "\n" for s in steps))
    assert main(["--traces", str(tmp_path), "--steps", "10", "-k", "32"]) == 0
    out = capsys.readouterr().out
    assert "2 held-out steps, 2 name a visible premise (1 one of their file's, 1 only imported ones)" in out
    rows = dict(re.findall(r"^\| (file only|file \+ imports) \| ([\d.]+) \| [\d.]+ \|$", out, re.M))
    assert rows == {"file only": "0.500", "file + imports": "1.000"}


def test_bad_input_is_one_line_and_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (["--traces", str(tmp_path / "missing")], ["--traces", str(tmp_path), "--steps", "0"]):
        with pytest.raises(SystemExit) as exit_:
            main(argv)
        assert exit_.value.code == 2 and len(capsys.readouterr().err.strip().splitlines()) == 1
