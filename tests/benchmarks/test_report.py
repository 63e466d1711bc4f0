"""Reports from real results directories: the pass-rate table (overall and per category),
the two plots, and each run's model, config hash, budget, versions and date."""

from __future__ import annotations

import re

import matplotlib.image
import pytest

from benchmarks.cli import main
from benchmarks.report import category
from benchmarks.results import read_manifest, read_records
from tests.benchmarks.slices import coq_slice, tactics_file

NAMES = ("mathd_algebra_104", "mathd_algebra_11", "mathd_numbertheory_466", "induction_sum_odd")


def test_category_from_the_problem_name():
    assert category("aimeI_2000_p7") == category("aime_1983_p9") == "aime"
    assert category("amc12a_2002_p1") == category("amc12_2000_p11") == "amc"
    assert category("imo_1964_p1_1") == category("imosl_2007_algebra_p6") == "imo"
    assert category("mathd_algebra_10") == "mathd algebra"
    assert category("mathd_numbertheory_48") == "mathd number theory"
    assert category("algebra_2rootsintpoly_am10tap11eqasqpam110") == "algebra"
    assert category("numbertheory_2dvd4expn") == "number theory"
    assert category("induction_sum_odd") == "induction"


@pytest.mark.requires_coq
def test_report_of_two_real_runs(tmp_path, capsys):
    data = coq_slice(tmp_path / "data", NAMES)
    common = ["--system", "coq", "--data", str(data), "--wall-time", "15", "--tactic-timeout", "3",
              "--workers", "2", "--no-progress"]
    assert main(["run", *common, "--mode", "auto", "--budget", "1x16x1", "--out", str(tmp_path / "auto")]) == 0
    assert main(["run", *common, "--policy", "fixed", "--tactics", str(tactics_file(tmp_path)),
                 "--budget", "1x6x2", "--out", str(tmp_path / "fixed")]) == 0
    capsys.readouterr()
    assert main(["report", str(tmp_path / "auto"), str(tmp_path / "fixed"), "--out", str(tmp_path / "report")]) == 0
    assert capsys.readouterr().out.strip() == str(tmp_path / "report" / "report.md")
    text = (tmp_path / "report" / "report.md").read_text()

    pass_rates = text[text.index("## Pass rate"): text.index("## Solved against budget")]
    table = {row[0]: row[1:] for row in (
        [c.strip().strip("*") for c in line.strip("|").split("|")] for line in pass_rates.splitlines()
        if line.startswith("| "))}
    for column, run in enumerate(("auto", "fixed")):
        records = read_records(tmp_path / run)
        proved = sum(r["status"] == "proved" for r in records)
        assert table["overall"][column].startswith(f"{proved}/4 ")
        by_name = {r["name"]: r["status"] for r in records}
        assert table["induction"][column].startswith("1/1" if by_name["induction_sum_odd"] == "proved" else "0/1")
        assert table["mathd algebra"][column].split()[0].endswith("/2")
        manifest = read_manifest(tmp_path / run)
        assert f"config hash: {manifest['config_hash']}" in text
        assert manifest["date"] in text
    assert re.search(r"budget: 1 attempt\(s\) x 16 tactics x 1 expansions, 15 s per problem", text)
    assert "model: none (automation tactics)" in text and "model: fixed:" in text
    assert "coqc The Coq Proof Assistant, version 8.16" in text and "torch " in text
    assert "aime" not in table  # categories without problems are left out
    for png in ("solved_vs_expansions.png", "solved_vs_time.png"):
        image = matplotlib.image.imread(tmp_path / "report" / png)
        assert image.shape[0] > 200 and image.shape[1] > 300
        assert f"]({png})" in text
