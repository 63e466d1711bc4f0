"""The `prove` command: find every hole in theorem files, search each with a tactic policy,
re-check each proof, show a progress bar and a table, and optionally write the checked
proofs back (`--write`, a `.bak` copy kept) and a JSON record per theorem (`--json`).

    prove FILE... [--env coq|lean-repl|leandojo|isabelle] [--model PATH] [--policy hf|vllm|fixed]
          [--tactics FILE] [--budget SAMPLESxEXPANSIONS[@SECONDS] | PRESET]
          [--workers N] [--write] [--json OUT] [key=value ...]
    prove serve ...        (the editor server: prover.server.cli)

Flags become Hydra overrides of configs/prove.yaml (groups env/, model/, search/), so every
setting can also be given as key=value. Exit status: 0 all holes proved, 1 some not,
2 bad input.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from hydra.errors import HydraException
from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from configs import compose_config, env_options
from configs.budget import GRAMMAR, BudgetError, budget_overrides
from environments import BACKENDS, SYSTEMS, ProverNotFound, make_environment
from environments.theorem_files import Hole, fill_holes, find_holes, system_of
from prover.policies import POLICIES, build_policy, resolve_model_path
from search.best_first import SearchConfig, SearchResult
from search.runner import search_many


class BadInput(Exception):
    """Input the user must fix: reported as one line, exit status 2."""


@dataclass(frozen=True)
class FileReport:
    path: Path
    holes: list[Hole]
    results: list[SearchResult]


def _parser() -> argparse.ArgumentParser:
    parser = _OneLineParser(prog="prove", description="Prove the holes of theorem files with a language model.")
    parser.add_argument("items", nargs="*", metavar="FILE|key=value",
                        help="theorem files (.v .lean .thy) and Hydra overrides such as search.max_expansions=50")
    parser.add_argument("--env", choices=sorted(BACKENDS), help="proof assistant backend (default: coq)")
    parser.add_argument("--model", help="model directory or hub name")
    parser.add_argument("--policy", choices=POLICIES, help="tactic policy (default: the model/default config)")
    parser.add_argument("--tactics", help="tactics file for the fixed policy (JSON or YAML)")
    parser.add_argument("--budget", help=f"{GRAMMAR} or a search preset (default, llemma); see configs/budget.py")
    parser.add_argument("--workers", type=int, help="concurrent searches (default 2)")
    parser.add_argument("--write", action="store_true", help="write checked proofs into the files (FILE.bak kept)")
    parser.add_argument("--json", metavar="OUT", help="write one JSON record per theorem to OUT")
    return parser


class _OneLineParser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse prints the whole usage; one line is enough
        raise BadInput(message)


def overrides_from_args(args: argparse.Namespace) -> list[str]:
    """The Hydra overrides the command line stands for (files included, made absolute)."""
    files = [Path(item).expanduser().resolve() for item in args.items if "=" not in item]
    overrides = [item for item in args.items if "=" in item]
    flags: list[str] = []
    if args.env:
        flags.append(f"env={args.env.replace('-', '_')}")
    if args.policy:
        flags.append(f"model={args.policy}")
    if args.tactics:
        if args.policy not in (None, "fixed"):
            raise BadInput(f"--tactics goes with --policy fixed, not --policy {args.policy}")
        if args.policy is None:
            flags.append("model=fixed")
        tactics = Path(args.tactics).expanduser().resolve()
        if not tactics.is_file():
            raise BadInput(f"--tactics: no such file: {args.tactics}")
        flags.append(f"model.tactics_file={json.dumps(str(tactics))}")
    if args.model:
        flags.append(f"model.path={json.dumps(resolve_model_path(args.model))}")
    if args.budget:
        try:
            flags += budget_overrides(args.budget, attempts_allowed=False)
        except BudgetError as e:
            raise BadInput(str(e)) from None
    if args.workers is not None:
        if args.workers < 1:
            raise BadInput(f"--workers must be >= 1, got {args.workers}")
        flags.append(f"workers={args.workers}")
    if args.write:
        flags.append("write=true")
    if args.json:
        flags.append(f"json={json.dumps(str(Path(args.json).expanduser().resolve()))}")
    flags.append(f"files=[{','.join(json.dumps(str(f)) for f in files)}]")
    return flags + overrides


def load_config(overrides: Sequence[str]) -> DictConfig:
    try:
        return compose_config("prove", overrides)
    except (HydraException, OmegaConfBaseException) as e:
        raise BadInput(f"configuration: {str(e).splitlines()[0]}") from None


def collect_holes(files: Sequence[Path], env_name: str) -> list[tuple[Path, list[Hole]]]:
    """Every file's holes; a missing, foreign or hole-less file is bad input."""
    if not files:
        raise BadInput("no theorem file given")
    found = []
    for path in files:
        if not path.is_file():
            raise BadInput(f"no such file: {path}")
        try:
            system = system_of(path)
        except ValueError as e:
            raise BadInput(str(e)) from None
        if SYSTEMS.get(env_name) != system:
            raise BadInput(f"{path}: a {system} file cannot be proved with --env {env_name}")
        holes = find_holes(path)
        if not holes:
            raise BadInput(f"{path}: no holes to prove (no Admitted/admit/unfinished proof)")
        found.append((path, holes))
    return found


def prove(cfg: DictConfig, console: Console | None = None) -> list[FileReport]:
    """Search every hole of `cfg.files`, write proofs back when `cfg.write`; the work of `main`."""
    console = console or Console(stderr=True)
    env_name, options = env_options(cfg.env)
    if env_name not in BACKENDS:
        raise BadInput(f"unknown environment {env_name!r} (choose from {', '.join(BACKENDS)})")
    files = collect_holes([Path(f) for f in cfg.files], env_name)
    make_environment(env_name, **options).close()  # fails now, once, if the prover is missing
    try:
        search = SearchConfig(**OmegaConf.to_container(cfg.search, resolve=True))
        policy = build_policy(cfg.model)
    except (TypeError, ValueError, OSError) as e:
        raise BadInput(f"configuration: {e}") from None
    holes = [hole for _, file_holes in files for hole in file_holes]
    by_theorem: dict[int, SearchResult] = {}
    index = {id(hole.theorem): i for i, hole in enumerate(holes)}
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console, transient=False) as bar:
        task = bar.add_task("proving", total=len(holes))
        proved = 0
        for result in search_many([h.theorem for h in holes], lambda: make_environment(env_name, **options),
                                  policy, search, workers=int(cfg.workers)):
            by_theorem[index[id(result.theorem)]] = result
            proved += result.status == "proved"
            bar.update(task, advance=1, description=f"proving ({proved} proved)")
    reports, offset = [], 0
    for path, file_holes in files:
        results = [by_theorem[offset + i] for i in range(len(file_holes))]
        offset += len(file_holes)
        reports.append(FileReport(path, file_holes, results))
        if cfg.write:
            write_proofs(path, file_holes, results)
    if cfg.json:
        Path(cfg.json).write_text(json.dumps(records(reports), indent=2) + "\n", encoding="utf-8")
    return reports


def write_proofs(path: Path, holes: Sequence[Hole], results: Sequence[SearchResult]) -> None:
    """Put the checked proofs into the file, keeping the original as FILE.bak."""
    proofs = [(hole, result.proof) for hole, result in zip(holes, results) if result.status == "proved" and result.proof]
    if not proofs:
        return
    backup = path.with_name(path.name + ".bak")
    shutil.copy2(path, backup)
    path.write_text(fill_holes(path.read_text(encoding="utf-8"), proofs), encoding="utf-8")


def records(reports: Sequence[FileReport]) -> list[dict[str, Any]]:
    return [result.to_record() for report in reports for result in report.results]


def table(reports: Sequence[FileReport]) -> Table:
    out = Table(title="prove")
    for column in ("theorem", "status", "time", "expansions", "proof"):
        out.add_column(column, overflow="fold")
    for report in reports:
        for result in report.results:
            status = result.outcome
            style = {"proved": "green", "failed": "yellow"}.get(status, "red")
            proof = " ".join(result.proof) if result.proof else result.message
            out.add_row(result.theorem.name, f"[{style}]{status}[/]", f"{result.wall_s:.1f}s",
                        str(result.expansions), proof)
    return out


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["serve"]:
        from prover.server.cli import main as serve  # the server's dependencies load only here

        return serve(argv[1:])
    err = Console(stderr=True)
    start = time.perf_counter()
    try:
        reports = prove(load_config(overrides_from_args(_parser().parse_intermixed_args(argv))), err)
    except (BadInput, ProverNotFound) as e:
        print(f"prove: error: {e}", file=sys.stderr)
        return 2
    Console().print(table(reports))
    results = [r for report in reports for r in report.results]
    proved = sum(r.status == "proved" for r in results)
    err.print(f"{proved}/{len(results)} proved in {time.perf_counter() - start:.1f}s")
    return 0 if proved == len(results) else 1


if __name__ == "__main__":
    sys.exit(main())
