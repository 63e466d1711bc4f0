"""Which problems a run attacks: the dataset folder resolved from the config, the
system's loader, informal statements attached for i2f, then exclusions and slices.
`benchmark.name: coqlib` takes the held-out theorems of the Coq library corpus instead
(`benchmarks.coqlib`: no dataset folder, no preamble).

Paths in the `benchmark` config are relative to the repository root unless absolute, so
a run gives the same problems whatever the working directory.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from omegaconf import DictConfig

from configs import REPO_ROOT
from environments import Theorem

SYSTEMS = ("coq", "lean", "isabelle")


class DataError(ValueError):
    """A dataset folder that is missing or does not hold the asked split."""


def problem_name(theorem: Theorem) -> str:
    """The miniF2F problem a theorem states (its file name), which names its record."""
    return str(theorem.meta.get("problem", theorem.name))


def resolve(path: str | Path) -> Path:
    # benchmark paths are plain strings (`~`, absolute, or repo-relative, also from overrides), not ${repo:}
    path = Path(path).expanduser()
    return path if path.is_absolute() else (REPO_ROOT / path).resolve()


def dataset_dir(bench: DictConfig) -> Path:
    """The folder holding one sub-folder per split for `bench.system`."""
    if bench.system not in SYSTEMS:
        raise DataError(f"unknown system {bench.system!r} (choose from {', '.join(SYSTEMS)})")
    folder = resolve(bench.data) if bench.data else resolve(bench.data_root) / bench.datasets[bench.system]
    if not folder.is_dir():
        raise DataError(f"dataset folder {folder} does not exist")
    return folder


def excluded(cfg: DictConfig) -> set[str]:
    """Problems left out: the configured ones, and in i2f every few-shot example problem."""
    names = set(cfg.benchmark.exclude)
    if cfg.benchmark.mode == "i2f":
        from prover.dsp.examples import example_problems

        names |= example_problems(cfg.benchmark)
    return names


def load_split(system: str, folder: Path, split: str) -> list[Theorem]:
    """The loader of `system` (benchmarks/minif2f/) on `split` of the dataset at `folder`."""
    if system == "coq":
        from benchmarks.minif2f.rocq import load_rocq

        return load_rocq(folder / split)
    if system == "lean":
        from benchmarks.minif2f.lean4 import load_lean4

        return load_lean4(folder, split)
    from benchmarks.minif2f.isabelle import load_isabelle

    return load_isabelle(folder, split)


def with_preamble(theorem: Theorem, preamble: str) -> Theorem:
    """`theorem` with fixed imports before its own context; its statement is untouched."""
    return replace(theorem, context=preamble + theorem.context) if preamble else theorem


def _coqlib(bench: DictConfig) -> list[Theorem]:
    from benchmarks.coqlib import load_coqlib

    if bench.system != "coq":
        raise DataError(f"coqlib is a Coq benchmark, not a {bench.system} one")
    try:
        theorems = load_coqlib(bench.split, bool(bench.coqlib.hammer))
    except (OSError, ValueError) as exc:
        raise DataError(f"coqlib: {exc}") from exc
    if not theorems:
        raise DataError("coqlib: no held-out theorems here (bash .ci/setup --corpus installs the libraries)")
    return theorems


def load_problems(cfg: DictConfig) -> list[Theorem]:
    """The run's problems in a stable order (by name)."""
    bench = cfg.benchmark
    if bench.name == "coqlib":
        theorems = _coqlib(bench)
    elif bench.name == "minif2f":
        folder = dataset_dir(bench)
        try:
            theorems = load_split(bench.system, folder, bench.split)
        except (OSError, ValueError) as exc:
            raise DataError(f"{folder}: {exc}") from exc
        if not theorems:
            raise DataError(f"{folder}: no problems in split {bench.split!r}")
    else:
        raise DataError(f"unknown benchmark {bench.name!r} (choose from minif2f, coqlib)")
    if bench.mode == "i2f":
        from benchmarks.minif2f.informal import attach_informal

        informal = resolve(bench.informal) if bench.informal else resolve(bench.data_root) / "informal"
        theorems = attach_informal(theorems, informal)
    drop = excluded(cfg)
    wanted = set(bench.problems)
    unknown = wanted - {problem_name(t) for t in theorems}
    if unknown:
        raise DataError(f"unknown problems in split {bench.split!r}: {', '.join(sorted(unknown))}")
    preamble = (bench.preamble.get(bench.system) or "") if bench.name == "minif2f" else ""
    chosen = sorted((with_preamble(t, preamble) for t in theorems
                     if problem_name(t) not in drop and (not wanted or problem_name(t) in wanted)), key=problem_name)
    return chosen[: bench.limit] if bench.limit else chosen
