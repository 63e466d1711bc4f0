"""The `prove` command: find every hole in theorem files, search each with a tactic policy,
re-check each proof, show a progress bar and a table, and optionally write the checked
proofs back (`--write`: atomically, only into a file unchanged since it was read, else
into FILE.proved; the first FILE.bak kept) and a JSON record per theorem (`--json`).

    prove FILE... [--env coq|lean-repl|leandojo|isabelle] [--model PATH] [--policy hf|vllm|fixed|knn|mixture]
          [--tactics FILE] [--budget SAMPLESxEXPANSIONS[@SECONDS] | PRESET]
          [--workers N] [--write] [--json OUT] [key=value ...]
    prove serve ...        (the editor server: prover.server.cli)
    prove suggest FILE:LINE[:COL] ...   (checked tactics at a cursor: prover.suggest_cli)

Flags become Hydra overrides of configs/prove.yaml (groups env/, model/, search/), so every
setting can also be given as key=value. Exit status: 0 all holes proved, 1 some not,
2 bad input (also a file whose text before a hole does not compile), 130 interrupted,
143 terminated (SIGTERM).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from omegaconf import DictConfig, OmegaConf
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from configs import env_options
from configs.budget import GRAMMAR, BudgetError, budget_overrides
from configs.cli import BadInput, OneLineParser, checked_workers, load_config, run_command
from environments import BACKENDS, SYSTEMS, ProverNotFound, make_environment
from environments.theorem_files import Hole, fill_holes, language, system_of
from prover.policies import POLICIES, build_policy
from search.best_first import SearchConfig, SearchResult
from search.runner import search_many


@dataclass(frozen=True)
class TheoremFile:
    """A theorem file as read: its bytes (what `--write` must still find there) and its holes."""

    path: Path
    data: bytes
    holes: list[Hole]


@dataclass(frozen=True)
class FileReport:
    file: TheoremFile
    results: list[SearchResult]
    written: Path | None = None  # where --write put the proofs


def _parser() -> argparse.ArgumentParser:
    parser = OneLineParser(prog="prove", description="Prove the holes of theorem files with a language model.")
    parser.add_argument("items", nargs="*", metavar="FILE|key=value",
                        help="theorem files (.v .lean .thy) and Hydra overrides such as search.max_expansions=50")
    parser.add_argument("--env", choices=sorted(BACKENDS), help="proof assistant backend (default: coq)")
    add_policy_arguments(parser)
    parser.add_argument("--workers", type=int, help="concurrent searches (default 2)")
    parser.add_argument("--write", action="store_true", help="write checked proofs into the files (FILE.bak kept)")
    parser.add_argument("--json", metavar="OUT", help="write one JSON record per theorem to OUT")
    return parser


def add_policy_arguments(parser: argparse.ArgumentParser) -> None:
    """The flags `prove` and `prove suggest` share: the policy and the search budget."""
    parser.add_argument("--model", help="model directory or hub name")
    parser.add_argument("--policy", choices=POLICIES, help="tactic policy (default: the model/default config)")
    parser.add_argument("--tactics", help="tactics file for the fixed policy: one tactic per line, or JSON/YAML (.json .yaml)")
    parser.add_argument("--budget", help=f"{GRAMMAR} or a search preset (default, llemma); see configs/budget.py")


def policy_overrides(args: argparse.Namespace) -> list[str]:
    """The Hydra overrides of the flags `add_policy_arguments` adds."""
    flags: list[str] = []
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
        flags.append(f"model.path={json.dumps(args.model)}")  # resolved once, by build_policy
    if args.budget:
        try:
            flags += budget_overrides(args.budget, attempts_allowed=False)
        except BudgetError as e:
            raise BadInput(str(e)) from None
    return flags


def overrides_from_args(args: argparse.Namespace) -> list[str]:
    """The Hydra overrides the command line stands for (files included, made absolute)."""
    files = [Path(item).expanduser().resolve() for item in args.items if "=" not in item]
    overrides = [item for item in args.items if "=" in item]
    flags = [f"env={args.env}"] if args.env else []
    flags += policy_overrides(args)
    if args.workers is not None:
        checked_workers(args.workers, "--workers")
        flags.append(f"workers={args.workers}")
    if args.write:
        flags.append("write=true")
    if args.json:
        flags.append(f"json={json.dumps(str(Path(args.json).expanduser().resolve()))}")
    flags.append(f"files=[{','.join(json.dumps(str(f)) for f in files)}]")
    return flags + overrides


def read_theorem_files(files: Sequence[Path], env_name: str) -> list[TheoremFile]:
    """Every file's bytes and holes, each file once; a missing, foreign, undecodable or
    hole-less file is bad input."""
    if not files:
        raise BadInput("no theorem file given")
    found = []
    for path in dict.fromkeys(files):  # a file named twice is one file
        if not path.is_file():
            raise BadInput(f"no such file: {path}")
        try:
            system = system_of(path)
        except ValueError as e:
            raise BadInput(str(e)) from None
        if SYSTEMS.get(env_name) != system:
            raise BadInput(f"{path}: a {system} file cannot be proved with --env {env_name}")
        data = path.read_bytes()
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as e:
            raise BadInput(f"{path}: not UTF-8 text (byte {e.start})") from None
        if "\0" in text:
            raise BadInput(f"{path}: a binary file, not theorem text")
        holes = language(system).find_holes(text, path)
        if not holes:
            raise BadInput(f"{path}: no holes to prove (no Admitted/admit/unfinished proof)")
        found.append(TheoremFile(path, data, holes))
    return found


def check_outputs(cfg: DictConfig, files: Sequence[TheoremFile]) -> None:
    """Fail before searching if an output cannot be written: the --json file, a --write file."""
    if cfg.json:
        out = Path(cfg.json)
        existed = out.exists()
        try:
            with open(out, "a", encoding="utf-8"):
                pass
        except OSError as e:
            raise BadInput(f"--json {out}: cannot write ({e.strerror})") from None
        if not existed:
            out.unlink()
    if cfg.write:
        for file in files:
            if not file.path.stat().st_mode & 0o200 or not os.access(file.path.parent, os.W_OK):
                raise BadInput(f"--write: {file.path} is read-only")


def build_search(cfg: DictConfig) -> tuple[SearchConfig, Any]:
    """The search settings and the policy (the model loads here)."""
    try:
        return SearchConfig(**OmegaConf.to_container(cfg.search, resolve=True)), build_policy(cfg.model)
    except (TypeError, ValueError, OSError) as e:
        raise BadInput(f"configuration: {e}") from None


def prove(cfg: DictConfig, console: Console | None = None) -> list[FileReport]:
    """Search every hole of `cfg.files`, write proofs back when `cfg.write`; the work of `main`."""
    console = console or Console(stderr=True)
    env_name, options = env_options(cfg.env)
    if env_name not in BACKENDS:
        raise BadInput(f"unknown environment {env_name!r} (choose from {', '.join(BACKENDS)})")
    workers = checked_workers(cfg.workers)
    files = read_theorem_files([Path(f) for f in cfg.files], env_name)
    check_outputs(cfg, files)
    try:
        make_environment(env_name, **options).close()  # fails now, once, if the prover is missing
    except TypeError as e:
        raise BadInput(f"configuration: env: {e}") from None
    search, policy = build_search(cfg)
    holes = [hole for file in files for hole in file.holes]
    by_theorem: dict[int, SearchResult] = {}
    index = {id(hole.theorem): i for i, hole in enumerate(holes)}
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console, transient=False) as bar:
        task = bar.add_task("proving", total=len(holes))
        proved = 0
        for result in search_many([h.theorem for h in holes], lambda: make_environment(env_name, **options),
                                  policy, search, workers=workers):
            by_theorem[index[id(result.theorem)]] = result
            proved += result.status == "proved"
            bar.update(task, advance=1, description=f"proving ({proved} proved)")
    reports, offset = [], 0
    for file in files:
        results = [by_theorem[offset + i] for i in range(len(file.holes))]
        offset += len(file.holes)
        reports.append(FileReport(file, results, write_proofs(file, results) if cfg.write else None))
    if cfg.json:
        records = [result.to_record() for report in reports for result in report.results]
        Path(cfg.json).write_text(json.dumps(records, indent=2) + "\n", encoding="utf-8")
    return reports


def write_proofs(file: TheoremFile, results: Sequence[SearchResult]) -> Path | None:
    """Put the checked proofs into the file if it is byte for byte what was read (else into
    FILE.proved beside it), atomically; the first FILE.bak keeps the original. Where the
    proofs went, or None when there were none."""
    proofs = [(hole, result.proof) for hole, result in zip(file.holes, results) if result.status == "proved" and result.proof]
    if not proofs:
        return None
    text = fill_holes(file.data.decode("utf-8"), proofs).encode("utf-8")
    try:
        unchanged = file.path.read_bytes() == file.data
    except OSError:
        unchanged = False
    target = file.path if unchanged else file.path.with_name(file.path.name + ".proved")
    backup = file.path.with_name(file.path.name + ".bak")
    if unchanged and not backup.exists():
        _replace(backup, file.data, file.path)
    _replace(target, text, file.path)
    return target


def _replace(path: Path, data: bytes, mode_of: Path) -> None:
    """Write `data` to `path` through a temporary file and a rename, with `mode_of`'s mode."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        if mode_of.exists():
            shutil.copymode(mode_of, tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def table(reports: Sequence[FileReport]) -> Table:
    out = Table(title="prove")
    for column in ("theorem", "status", "time", "expansions", "proof"):
        out.add_column(column, overflow="fold")
    for report in reports:
        for result in report.results:
            status = result.status
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
    if argv[:1] == ["suggest"]:
        from prover.suggest_cli import main as suggest

        return suggest(argv[1:])
    return run_command("prove", lambda: _prove_and_report(argv), bad_input=(ProverNotFound,))


def _prove_and_report(argv: list[str]) -> int:
    err = Console(stderr=True)
    start = time.perf_counter()
    reports = prove(load_config("prove", overrides_from_args(_parser().parse_intermixed_args(argv))), err)
    Console().print(table(reports))
    for report in reports:
        if report.written is not None and report.written != report.file.path:
            err.print(f"{report.file.path} changed while proving: its proofs are in {report.written}")
    results = [r for report in reports for r in report.results]
    proved = sum(r.status == "proved" for r in results)
    err.print(f"{proved}/{len(results)} proved in {time.perf_counter() - start:.1f}s")
    broken = next((r for r in results if "context" in r.error_kinds), None)
    if broken is not None:  # the file itself does not compile before this hole: bad input
        raise BadInput(f"{broken.theorem.path}: the text before {broken.theorem.name} does not compile: "
                       f"{broken.message}")
    return 0 if proved == len(results) else 1


if __name__ == "__main__":
    sys.exit(main())
