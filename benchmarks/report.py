"""Reports over results directories: a markdown table of pass rates, overall and per
miniF2F category (read from the problem-name prefix) or per coqlib library, runs side by side, and PNG plots of
problems solved against the search budget (expansions) and against wall time.

Each report names, per run, the model, config hash, budget, software versions and date
from the run's manifest; a run still missing records is marked incomplete.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Sequence

import matplotlib

matplotlib.use("Agg")  # files only: no display on servers and CI
import matplotlib.pyplot as plt  # noqa: E402

from benchmarks.coqlib import library_of_problem  # noqa: E402
from benchmarks.results import read_manifest, read_records  # noqa: E402

# (category, name prefix), first match wins: "mathd_algebra" before "algebra"
CATEGORIES: tuple[tuple[str, str], ...] = (
    ("aime", "aime"), ("amc", "amc"), ("imo", "imo"), ("mathd algebra", "mathd_algebra"),
    ("mathd number theory", "mathd_numbertheory"), ("algebra", "algebra"),
    ("number theory", "numbertheory"), ("induction", "induction"),
)


def category(name: str) -> str:
    if ":" in name:  # a coqlib problem: LIBRARY:FILE:THEOREM
        return library_of_problem(name)
    for label, prefix in CATEGORIES:
        if name.startswith(prefix):
            return label
    return "other"


@dataclass
class Run:
    """One results directory, read."""

    label: str
    manifest: dict[str, Any]
    records: dict[str, dict[str, Any]]

    @classmethod
    def load(cls, root: Path) -> Run:
        root = Path(root)
        return cls(root.name, read_manifest(root), {r["name"]: r for r in read_records(root)})

    @property
    def problems(self) -> list[str]:
        return self.manifest["problems"]

    def proved(self, names: Sequence[str]) -> int:
        return sum(self.records.get(n, {}).get("status") == "proved" for n in names)

    def count(self, status: str) -> int:
        return sum(r["status"] == status for r in self.records.values())

    def proved_values(self, key: str) -> list[float]:
        return sorted(float(r[key]) for r in self.records.values() if r["status"] == "proved")


def _rate(proved: int, total: int) -> str:
    return f"{proved}/{total} ({100.0 * proved / total:.1f}%)" if total else "-"


def pass_rate_table(runs: Sequence[Run]) -> str:
    header = "| category | " + " | ".join(r.label for r in runs) + " |"
    lines = [header, "|" + "---|" * (len(runs) + 1)]
    lines.append("| **overall** | " + " | ".join(f"**{_rate(r.proved(r.problems), len(r.problems))}**"
                                                 for r in runs) + " |")
    fixed = [label for label, _ in CATEGORIES] + ["other"]
    libraries = sorted({category(n) for run in runs for n in run.problems} - set(fixed))
    for label in fixed + libraries:
        cells = []
        for run in runs:
            names = [n for n in run.problems if category(n) == label]
            cells.append(_rate(run.proved(names), len(names)))
        if any(c != "-" for c in cells):
            lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _budget_text(budget: dict[str, Any]) -> str:
    if "hole_timeout_s" in budget:
        return (f"{budget['attempts']} model sketch(es){' + the skeleton' if budget['skeleton'] else ''} per problem, "
                f"{budget['hole_timeout_s']:g} s per automation tactic on a hole, {budget['wall_time_s']:g} s per problem")
    return (f"{budget['attempts']} attempt(s) x {budget['samples_per_expansion']} tactics x "
            f"{budget['max_expansions']} expansions, {budget['wall_time_s']:g} s per problem, "
            f"{budget['tactic_timeout_s']:g} s per tactic")


def run_details(run: Run) -> str:
    m = run.manifest
    sessions = m["sessions"]
    wall = sum(s.get("wall_s", 0.0) for s in sessions)
    workers = sorted({s["workers"] for s in sessions})
    versions = ", ".join(f"{k} {v}" for k, v in sorted(m["versions"].items()))
    origins = Counter(r["sketch_origin"] for r in run.records.values() if r["status"] == "proved" and r.get("sketch_origin"))
    done = len(run.records)
    state = "complete" if done >= len(run.problems) else f"INCOMPLETE ({done}/{len(run.problems)} recorded)"
    return "\n".join([
        f"### {run.label}",
        f"- benchmark / system / mode / split: {m.get('benchmark', 'minif2f')} / {m['system']} / {m['mode']} / "
        f"{m['split']}; {state}",
        f"- model: {m['model']}" + (f" (weights sha256 {m['model_fingerprint']})" if m.get("model_fingerprint") else ""),
        f"- config hash: {m['config_hash']}",
        f"- budget: {_budget_text(m['budget'])}",
        f"- outcome: {run.count('proved')} proved, {run.count('failed')} failed, {run.count('skipped')} skipped, "
        f"{run.count('error')} errors",
        *(["- proofs by sketch: " + ", ".join(f"{k} {v}" for k, v in sorted(origins.items()))] if origins else []),
        f"- wall time: {wall:.0f} s over {len(sessions)} session(s), workers {workers}",
        f"- date: {m['date']}",
        f"- software: {versions}",
    ])


def curve_table(runs: Sequence[Run], key: str, unit: str) -> str:
    """The plot as text: problems solved within each budget threshold."""
    top = max((v for run in runs for v in run.proved_values(key)), default=1.0)
    marks = sorted({max(1, round(top * q)) if key == "expansions" else round(top * q, 2)
                    for q in (0.1, 0.25, 0.5, 0.75, 1.0)})
    lines = [f"| solved within ({unit}) | " + " | ".join(f"{m:g}" for m in marks) + " |",
             "|" + "---|" * (len(marks) + 1)]
    for run in runs:
        solved = run.proved_values(key)
        lines.append(f"| {run.label} | " + " | ".join(str(sum(v <= m for v in solved)) for m in marks) + " |")
    return "\n".join(lines)


def plot_curves(runs: Sequence[Run], key: str, xlabel: str, path: Path) -> Path:
    fig, ax = plt.subplots(figsize=(6, 4))
    for run in runs:
        solved = run.proved_values(key)
        ax.step([0.0, *solved], range(len(solved) + 1), where="post",
                label=f"{run.label} ({len(solved)}/{len(run.problems)})")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("problems solved")
    ax.set_title(f"solved vs {xlabel}")
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def write_report(roots: Sequence[Path], out: Path) -> Path:
    """Write `report.md` and the two PNG plots into `out`; returns the markdown path."""
    runs = [Run.load(root) for root in roots]
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    budget_png = plot_curves(runs, "expansions", "expansions (search budget)", out / "solved_vs_expansions.png")
    time_png = plot_curves(runs, "time_s", "wall time per problem (s)", out / "solved_vs_time.png")
    text = "\n\n".join([
        "# Benchmark report",
        f"Generated {datetime.now(timezone.utc).isoformat(timespec='seconds')} from "
        + ", ".join(str(Path(r).resolve()) for r in roots) + ".",
        "## Pass rate (proved / problems; only proofs re-checked by the checker count)",
        pass_rate_table(runs),
        "## Solved against budget",
        f"![solved vs expansions]({budget_png.name})",
        curve_table(runs, "expansions", "expansions"),
        f"![solved vs wall time]({time_png.name})",
        curve_table(runs, "time_s", "seconds"),
        "## Runs",
        *(run_details(run) for run in runs),
    ]) + "\n"
    path = out / "report.md"
    path.write_text(text, encoding="utf-8")
    return path
