"""Proof-step extraction: replay every proof of the Coq standard library sources in coqtop
and record (goals before, tactic, goals after) as JSONL, one file per source file.

One coqtop per source file receives the file's sentences in order (pipelined: coqtop
answers every sentence with one prompt, so output is split by prompts, never by guessing).
The prompt names the open proof, so proof mode is known without asking Coq; goals are
printed by coqtop only in proof mode, so nothing is spent printing outside proofs.
Parallel over files (multiprocessing), resumable (a finished file leaves a `.done.json`
beside its steps), and a report with files, proofs, steps and failures with reasons.

    python -m train.trace --out outputs/traces/coq_stdlib --workers 2
"""

from __future__ import annotations

import argparse
import json
import os
import re
import select
import subprocess
import sys
import threading
import time
from bisect import bisect_right
from dataclasses import asdict, dataclass, field
from multiprocessing import Pool
from pathlib import Path
from typing import Iterator, Sequence

from environments import coq
from environments.coq_syntax import is_bullet, split_sentences, strip_comments
from environments.process import kill_group, require_executable, spawn

_PROMPT = re.compile(r"<prompt>(\S+) < (\d+) \|[^|]*\| \d+ < </prompt>")
_GOALS_HEADER = re.compile(r"^\d+ goals?\b", re.M)
# sentences inside a proof that are not tactics (they do not change the goals)
_NOT_TACTIC = re.compile(
    r"(Proof|Qed|Defined|Admitted|Save|Abort|Show|Check|Print|Locate|Search\w*|About|Eval|Compute"
    r"|Set|Unset|Local|Global|Hint|Opaque|Transparent|Arguments|Notation|Infix|Time|Fail|Timeout"
    r"|Require|Import|Export|Open|Close|Declare|Ltac|Tactic|Create|Typeclasses|Instance|Existing"
    r"|Next|Obligation|Program|Focus|Unfocus(?:ed)?)\b"
)
NO_MORE_GOALS = "No more goals."
_PROOF_END = re.compile(r"(Qed|Defined|Admitted|Save|Abort)\b")


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
        return bool(_PROOF_END.match(self.text))


def source_sentences(source: str) -> list[SourceSentence]:
    """The complete sentences of a Coq source, in order (an unterminated tail is dropped)."""
    newlines = [m.start() for m in re.finditer("\n", source)]
    return [SourceSentence(strip_comments(s.text).strip(), bisect_right(newlines, s.start) + 1)
            for s in split_sentences(source).sentences]


def coq_root() -> Path:
    """The Coq library root (`coqc -where`)."""
    coqc = require_executable("coqc")
    return Path(subprocess.run([coqc, "-where"], capture_output=True, text=True, check=True).stdout.strip())


# the standard library's source folders (Ltac2 ships with Coq; other user-contrib is not stdlib)
LIBRARY_DIRS = ("theories", "plugins", "user-contrib/Ltac2")


def library_files(root: Path) -> list[Path]:
    """The standard library's `.v` sources (583 files on Debian's Coq 8.16)."""
    return sorted(p for sub in LIBRARY_DIRS for p in (root / sub).rglob("*.v"))


def goals_text(output: str) -> str | None:
    """The goals display in a coqtop answer, normalised as the Coq backend's ProofState.goals;
    `""` when no goals remain, None when the answer shows no goals."""
    text = coq.goals_text(output)
    header = _GOALS_HEADER.search(text)
    if header is None:
        return "" if NO_MORE_GOALS in text else None
    return text[header.start():]


@dataclass
class FileTrace:
    file: str
    proofs: int = 0  # proofs in the source (Qed / Defined / Admitted / Save / Abort sentences)
    traced: int = 0  # proofs replayed to the end with every step recorded and no error
    steps: int = 0
    sentences: int = 0
    seconds: float = 0.0
    failures: list[str] = field(default_factory=list)  # reasons, "line N: message"


def _coqtop_argv(path: Path, root: Path) -> list[str]:
    argv = ["coqtop", "-emacs", "-quiet", "-topfile", str(path)]
    if (root / "theories" / "Init") in path.parents:
        argv.append("-noinit")  # the prelude's own files are compiled without it
    return argv


def _answers(proc: subprocess.Popen, count: int, deadline: float) -> Iterator[tuple[str, str]]:
    """(proof name before the sentence, coqtop's answer) for each of `count` sentences."""
    buf = ""
    pending: str | None = None  # the prompt seen whose answer is still being read
    seen = 0
    while True:
        match = _PROMPT.search(buf)
        while match:
            if pending is not None:
                yield pending, buf[: match.start()]
                seen += 1
                if seen == count:
                    return
            pending = match.group(1)
            buf = buf[match.end():]
            match = _PROMPT.search(buf)
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not select.select([proc.stdout], [], [], remaining)[0]:
            raise TimeoutError
        chunk = os.read(proc.stdout.fileno(), 1 << 16)
        if not chunk:
            raise EOFError("coqtop exited")
        buf += chunk.decode("utf-8", "replace")


def trace_file(path: Path, root: Path, timeout: float = 300.0) -> tuple[FileTrace, list[dict]]:
    """Replay `path` in one coqtop; its trace summary and the recorded steps."""
    rel = str(path.relative_to(root))
    sentences = source_sentences(path.read_text(encoding="utf-8", errors="replace"))
    trace = FileTrace(rel, proofs=sum(s.ends_proof for s in sentences), sentences=len(sentences))
    steps: list[dict] = []
    start = time.monotonic()
    proc = spawn(_coqtop_argv(path, root), cwd=str(path.parent), stderr=subprocess.STDOUT)
    writer = threading.Thread(target=_feed, args=(proc, sentences), daemon=True)
    writer.start()
    goals: str | None = None
    proof_steps: list[dict] = []
    proof_ok = True
    try:
        for sentence, (proof, answer) in zip(sentences, _answers(proc, len(sentences), start + timeout)):
            in_proof = proof != "Coq"
            error = coq.error_message(answer)
            if error:
                trace.failures.append(f"line {sentence.line}: {error.splitlines()[0][:200]}")
                proof_ok = False
                continue
            shown = goals_text(answer)
            if not in_proof:
                goals, proof_steps, proof_ok = shown, [], True
                continue
            if sentence.ends_proof:
                if proof_ok and proof_steps and sentence.flat.startswith(("Qed", "Defined")):
                    trace.traced += 1
                    steps.extend(proof_steps)
                goals, proof_steps, proof_ok = None, [], True
                continue
            if not sentence.is_bullet and not _NOT_TACTIC.match(sentence.flat) and goals:
                after = shown if shown is not None else goals
                proof_steps.append({"file": rel, "theorem": proof, "line": sentence.line, "step": len(proof_steps),
                                    "goals_before": goals, "tactic": sentence.flat, "goals_after": after})
            if shown is not None:
                goals = shown
    except TimeoutError:
        trace.failures.append(f"timeout after {timeout:.0f} s")
    except EOFError as exc:
        trace.failures.append(str(exc))
    finally:
        kill_group(proc)
        writer.join(timeout=5)
    trace.steps = len(steps)
    trace.seconds = round(time.monotonic() - start, 2)
    return trace, steps


def _feed(proc: subprocess.Popen, sentences: Sequence[SourceSentence]) -> None:
    try:
        for sentence in sentences:
            proc.stdin.write(sentence.text.encode() + b"\n")
        proc.stdin.close()
    except (BrokenPipeError, ValueError, OSError):
        pass  # coqtop died or was killed; the reader reports why


def _outputs(out_dir: Path, rel: str) -> tuple[Path, Path]:
    base = out_dir / "steps" / rel
    return base.with_suffix(".jsonl"), base.with_suffix(".done.json")


def _trace_one(args: tuple[Path, Path, Path, float]) -> dict:
    path, root, out_dir, timeout = args
    steps_file, done_file = _outputs(out_dir, str(path.relative_to(root)))
    if done_file.exists():
        return json.loads(done_file.read_text())
    trace, steps = trace_file(path, root, timeout)
    steps_file.parent.mkdir(parents=True, exist_ok=True)
    with steps_file.open("w") as fh:
        for step in steps:
            fh.write(json.dumps(step) + "\n")
    done_file.write_text(json.dumps(asdict(trace)))  # written last: its presence means finished
    return asdict(trace)


def trace_library(out_dir: Path, files: Sequence[Path] | None = None, root: Path | None = None,
                  workers: int = 2, timeout: float = 300.0, progress: bool = True) -> dict:
    """Trace `files` (default: the whole standard library) into `out_dir`; the report."""
    root = root or coq_root()
    files = list(files) if files is not None else library_files(root)
    files.sort(key=lambda p: p.stat().st_size, reverse=True)  # big files first balances the pool
    start = time.monotonic()
    jobs = [(p, root, out_dir, timeout) for p in files]
    with Pool(workers) as pool:
        results = []
        for result in pool.imap_unordered(_trace_one, jobs):
            results.append(result)
            if progress:
                print(f"[{len(results)}/{len(jobs)}] {result['file']}: {result['traced']}/{result['proofs']} proofs, "
                      f"{result['steps']} steps, {result['seconds']} s", file=sys.stderr, flush=True)
    proofs = sum(r["proofs"] for r in results)
    traced = sum(r["traced"] for r in results)
    report = {
        "files": len(results),
        "files_clean": sum(not r["failures"] for r in results),
        "proofs": proofs,
        "proofs_traced": traced,
        "coverage": round(traced / proofs, 4) if proofs else 0.0,
        "steps": sum(r["steps"] for r in results),
        "wall_s": round(time.monotonic() - start, 1),
        "failures": {r["file"]: r["failures"] for r in sorted(results, key=lambda r: r["file"]) if r["failures"]},
    }
    (out_dir / "report.json").write_text(json.dumps(report, indent=1))
    return report


def read_steps(out_dir: Path) -> Iterator[dict]:
    """Every recorded step under a trace directory, in file order."""
    for path in sorted((out_dir / "steps").rglob("*.jsonl")):
        with path.open() as fh:
            for line in fh:
                yield json.loads(line)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="trace directory (steps/, report.json)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds per source file")
    parser.add_argument("--files", nargs="*", type=Path, help="source files (default: the whole stdlib)")
    args = parser.parse_args(argv)
    if args.workers < 1 or args.timeout <= 0:
        print("error: --workers and --timeout must be positive", file=sys.stderr)
        return 2
    root = coq_root()
    files = None
    if args.files:
        files = [f.resolve() for f in args.files]
        bad = [str(f) for f in files if not f.is_file() or root not in f.parents]
        if bad:
            print(f"error: not a source file under {root}: {bad[0]}", file=sys.stderr)
            return 2
    args.out.mkdir(parents=True, exist_ok=True)
    report = trace_library(args.out, files, root, args.workers, args.timeout)
    print(json.dumps({k: v for k, v in report.items() if k != "failures"}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
