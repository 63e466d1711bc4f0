"""Proof-step extraction: replay every proof of the registered Coq libraries' sources in
coqtop and record (goals before, tactic, goals after) as JSONL, one file per source file.

One coqtop per source file (`environments.coqtop`, started with the library's flags) receives
the file's sentences in order; the prompt that ends each answer names the open proof, so
proof mode is known without asking Coq; goals are printed by coqtop only in proof mode.
Parallel over files (multiprocessing), resumable (a finished file leaves a `.done.json`
beside its steps), one directory per library (`<out>/<library>/steps/...`) with a
`report.json`: files, proofs, traced, steps, failures with reasons, time.

    python -m train.trace --library stdlib mathcomp-ssreflect --workers 2
    python -m train.trace --all
    python -m train.trace --all --heldout   # only the committed held-out files (what perplexity is scored on)
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from bisect import bisect_right
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from multiprocessing import Pool
from pathlib import Path
from typing import Iterator, Sequence

from environments.coq_steps import Reply, StepRecorder, error_message
from environments.coq_syntax import PROOF_END, is_bullet, split_sentences, strip_comments
from environments.coqtop import Coqtop, Died, Hung
from environments.process import require_executable
from train.libraries import LIBRARIES, STDLIB, coq_root, coqtop_flags, dependency_order, file_id
from train.splits import read_heldout

DEFAULT_OUT = Path("outputs/traces")


@dataclass(frozen=True)
class SourceSentence:
    """One sentence of a source file as the tracer sends it: code only, and where it starts."""

    text: str  # comments removed, outer whitespace stripped
    line: int  # 1-based line of its first character

    @property
    def flat(self) -> str:
        """The sentence on one line, whitespace runs folded."""
        return " ".join(self.text.split())

    @property
    def is_bullet(self) -> bool:
        return is_bullet(self.text)

    @property
    def ends_proof(self) -> bool:
        return bool(PROOF_END.match(self.text))


def source_sentences(source: str) -> list[SourceSentence]:
    """The complete sentences of a Coq source, in order (an unterminated tail is dropped)."""
    newlines = [m.start() for m in re.finditer("\n", source)]
    return [SourceSentence(strip_comments(s.text).strip(), bisect_right(newlines, s.start) + 1)
            for s in split_sentences(source).sentences]


@dataclass
class FileTrace:
    file: str
    proofs: int = 0  # proofs in the source (Qed / Defined / Admitted / Save / Abort sentences)
    traced: int = 0  # proofs replayed to the end with every step recorded and no error
    steps: int = 0
    sentences: int = 0
    seconds: float = 0.0
    failures: list[str] = field(default_factory=list)  # reasons, "line N: message"


def trace_file(path: Path, file: str, flags: Sequence[str] = (), timeout: float = 300.0) -> tuple[FileTrace, list[dict]]:
    """Replay `path` (identified as `file`) in one coqtop started with `flags`; its trace
    summary and the recorded steps."""
    sentences = source_sentences(path.read_text(encoding="utf-8", errors="replace"))
    trace = FileTrace(file, proofs=sum(s.ends_proof for s in sentences), sentences=len(sentences))
    recorder = StepRecorder(file)
    start = time.monotonic()
    deadline = start + timeout
    top = None
    try:
        top = Coqtop(require_executable("coqtop"), None, None, ["-topfile", str(path), *flags])
        for sentence in sentences:
            proof = top.proof  # the proof open before the sentence
            answer = top.send(sentence.text, deadline - time.monotonic()).text
            error = error_message(answer)
            if error:
                trace.failures.append(f"line {sentence.line}: {error.splitlines()[0][:200]}")
            recorder.feed(Reply(sentence.flat, proof, answer, bool(error), sentence.line))
    except Hung:
        trace.failures.append(f"timeout after {timeout:.0f} s")
    except Died as exc:
        trace.failures.append(str(exc))
    finally:
        if top is not None:
            top.close()
    trace.traced, trace.steps = recorder.traced, len(recorder.steps)
    trace.seconds = round(time.monotonic() - start, 2)
    return trace, recorder.steps


def _trace_one(args: tuple[Path, str, list[str], Path, float]) -> dict:
    path, file, flags, out_dir, timeout = args
    base = out_dir / "steps" / file
    steps_file, done_file = base.with_suffix(".jsonl"), base.with_suffix(".done.json")
    if done_file.exists():
        return json.loads(done_file.read_text())
    trace, steps = trace_file(path, file, flags, timeout)
    steps_file.parent.mkdir(parents=True, exist_ok=True)
    with steps_file.open("w") as fh:
        for step in steps:
            fh.write(json.dumps(step) + "\n")
    done_file.write_text(json.dumps(asdict(trace)))  # written last: its presence means finished
    return asdict(trace)


def summarise(results: Sequence[dict], seconds: float) -> dict:
    """The report of a set of traced files (`FileTrace` dicts)."""
    proofs = sum(r["proofs"] for r in results)
    traced = sum(r["traced"] for r in results)
    return {
        "files": len(results), "files_clean": sum(not r["failures"] for r in results), "proofs": proofs,
        "proofs_traced": traced, "coverage": round(traced / proofs, 4) if proofs else 0.0,
        "steps": sum(r["steps"] for r in results),
        "trace_s": round(sum(r["seconds"] for r in results), 1),  # coqtop time over all files
        "wall_s": round(seconds, 1),
        "failures": {r["file"]: r["failures"] for r in sorted(results, key=lambda r: r["file"]) if r["failures"]},
    }


def trace_libraries(out: Path, libraries: Sequence[str], files: Sequence[Path] | None = None,
                    workers: int = 2, timeout: float = 300.0, progress: bool = True) -> dict[str, dict]:
    """Trace `libraries` (only `files` of them when given) into `out/<library>/`; each one's report,
    also written to `out/<library>/report.json` as soon as its last file is done."""
    root = coq_root()
    jobs, pending, library_of_file = [], {}, {}
    for name in libraries:
        lib = LIBRARIES[name]
        chosen = dependency_order(lib, root, [f for f in files if f in set(lib.sources(root))] if files else None)
        chosen.sort(key=lambda p: p.stat().st_size, reverse=True)  # big files first balances the pool
        jobs += [(p, file_id(p, root), coqtop_flags(lib, p, root), out / name, timeout) for p in chosen]
        pending[name] = len(chosen)
        library_of_file.update((file_id(p, root), name) for p in chosen)
    start = time.monotonic()
    results: dict[str, list[dict]] = defaultdict(list)
    reports: dict[str, dict] = {}
    with Pool(workers) as pool:
        for count, result in enumerate(pool.imap_unordered(_trace_one, jobs), 1):
            name = library_of_file[result["file"]]
            results[name].append(result)
            if progress:
                print(f"[{count}/{len(jobs)}] {result['file']}: {result['traced']}/{result['proofs']} proofs, "
                      f"{result['steps']} steps, {result['seconds']} s", file=sys.stderr, flush=True)
            if len(results[name]) == pending[name]:
                reports[name] = summarise(results[name], time.monotonic() - start)
                (out / name).mkdir(parents=True, exist_ok=True)
                (out / name / "report.json").write_text(json.dumps(reports[name], indent=1))
    return reports


def read_steps(out_dir: Path) -> Iterator[dict]:
    """Every recorded step under a trace directory (one library's or the traces root), in file order."""
    for path in sorted(out_dir.rglob("*.jsonl")):
        with path.open() as fh:
            for line in fh:
                yield json.loads(line)


def library_table(out: Path) -> str:
    """A markdown table over every library folder under `out`, from its finished files."""
    root = coq_root()
    lines = ["| library | files traced | proofs | proofs traced | steps | files with failures | coqtop s |",
             "|---|---|---|---|---|---|---|"]
    totals: list[dict] = []
    for name, lib in LIBRARIES.items():
        done = [json.loads(p.read_text()) for p in sorted((out / name).rglob("*.done.json"))]
        if not done:
            continue
        totals += done
        r = summarise(done, 0.0)
        lines.append(f"| {name} | {r['files']}/{len(lib.sources(root))} | {r['proofs']:,} | {r['proofs_traced']:,} | "
                     f"{r['steps']:,} | {len(r['failures'])} | {r['trace_s']:,.0f} |")
    r = summarise(totals, 0.0)
    lines.append(f"| **all** | {r['files']:,} | {r['proofs']:,} | {r['proofs_traced']:,} | **{r['steps']:,}** | "
                 f"{len(r['failures'])} | {r['trace_s']:,.0f} |")
    return "\n".join(lines)


def heldout_sources(libraries: Sequence[str], root: Path) -> list[Path]:
    """The committed held-out source files of `libraries` (configs/train/data/heldout_files.txt)."""
    heldout = read_heldout()
    return [root / f for name in libraries for f in heldout.get(name, [])]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--library", nargs="+", metavar="NAME", help=f"libraries of the registry (default: {STDLIB})")
    which.add_argument("--all", action="store_true", help="every registered library that is installed")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="traces root: one folder per library")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds per source file")
    only = parser.add_mutually_exclusive_group()
    only.add_argument("--files", nargs="*", type=Path, help="only these source files of the libraries")
    only.add_argument("--heldout", action="store_true",
                      help="only the libraries' held-out files (configs/train/data/heldout_files.txt)")
    parser.add_argument("--table", action="store_true", help="print the per-library markdown table of --out, trace nothing")
    args = parser.parse_args(argv)
    if args.workers < 1 or args.timeout <= 0:
        print("error: --workers and --timeout must be positive", file=sys.stderr)
        return 2
    if args.table:
        print(library_table(args.out))
        return 0
    root = coq_root()
    names = [n for n, lib in LIBRARIES.items() if lib.installed(root)] if args.all else args.library or [STDLIB]
    unknown = [n for n in names if n not in LIBRARIES]
    if unknown:
        print(f"error: unknown library {unknown[0]!r} (known: {', '.join(LIBRARIES)})", file=sys.stderr)
        return 2
    missing = [n for n in names if not LIBRARIES[n].installed(root)]
    if missing:
        print(f"error: library {missing[0]} is not installed (apt-get install {LIBRARIES[missing[0]].package})",
              file=sys.stderr)
        return 2
    files = None
    if args.heldout:
        files = heldout_sources(names, root)
        if not files:
            print(f"error: no held-out files in {', '.join(names)}", file=sys.stderr)
            return 2
    if args.files:
        files = [f.resolve() for f in args.files]
        sources = {p for n in names for p in LIBRARIES[n].sources(root)}
        bad = [str(f) for f in files if f not in sources]
        if bad:
            print(f"error: not a source file of {', '.join(names)}: {bad[0]}", file=sys.stderr)
            return 2
    reports = trace_libraries(args.out, names, files, args.workers, args.timeout)
    for name, report in reports.items():
        print(json.dumps({"library": name, **{k: v for k, v in report.items() if k != "failures"}}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
