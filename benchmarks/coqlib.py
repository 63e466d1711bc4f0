"""The `coqlib` benchmark: the theorems of the held-out files of the Coq library corpus
(`train.splits`), each opened with everything that precedes it in its file (earlier proofs
kept, no preamble), its own proof removed; the checker re-compiles the file with the
library's flags. Splits: `heldout` (every finished proof of every held-out file of an
installed library), `sample` (a fixed, seeded selection spread over the libraries,
committed as benchmarks/coqlib_sample.txt) and `train` (the finished proofs of the other
files, the ones a model may train on: what expert iteration searches, `train.expert_iteration`).

Problem names are `LIBRARY:FILE:THEOREM` (`#N` added to a name repeated in its file), so
reports group by library.

    python -m benchmarks.coqlib --write-sample   # regenerate the committed sample
    python -m benchmarks.coqlib                  # held-out theorems per library
    python -m benchmarks.coqlib --check-open outputs/coqlib/unopenable.json   # which ones do not open, why
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections import Counter, defaultdict
from dataclasses import replace
from pathlib import Path
from typing import Sequence

from configs import REPO_ROOT
from environments import Theorem
from environments.theorem_files.coq import complete_proofs
from train.libraries import LIBRARIES, coq_root, coqtop_flags, file_id
from train.splits import heldout_files, read_heldout

SPLITS = ("sample", "heldout", "train")
SAMPLE_FILE = REPO_ROOT / "benchmarks" / "coqlib_sample.txt"
SAMPLE_SIZE, SAMPLE_SEED = 300, 0
HAMMER_IMPORT = "From Hammer Require Import Hammer.\n"


def library_of_problem(name: str) -> str:
    """The library a coqlib problem name belongs to."""
    return name.split(":", 1)[0]


def file_theorems(library: str, file: str, root: Path, split: str = "heldout") -> list[Theorem]:
    """Every finished proof of one source file as a problem: statement, the file's text before it."""
    path = root / file
    flags = tuple(coqtop_flags(LIBRARIES[library], path, root))
    seen: Counter[str] = Counter()
    theorems = []
    for theorem, _ in complete_proofs(path.read_text(encoding="utf-8", errors="replace"), path):
        seen[theorem.name] += 1
        problem = f"{library}:{file}:{theorem.name}" + (f"#{seen[theorem.name]}" if seen[theorem.name] > 1 else "")
        theorems.append(replace(theorem, meta={"problem": problem, "library": library, "file": file,
                                               "split": split, "coq_flags": flags}))
    return theorems


def heldout_theorems(root: Path | None = None) -> list[Theorem]:
    """The theorems of every held-out file of the installed libraries, in file order."""
    root = root or coq_root()
    return [t for library, files in read_heldout().items() if LIBRARIES[library].installed(root)
            for file in files for t in file_theorems(library, file, root)]


def training_theorems(root: Path | None = None, libraries: Sequence[str] | None = None) -> list[Theorem]:
    """The theorems of every file outside the held-out split of the installed `libraries`
    (default: all), in file order."""
    root = root or coq_root()
    heldout = heldout_files()
    return [t for library in libraries or LIBRARIES if LIBRARIES[library].installed(root)
            for path in LIBRARIES[library].sources(root) if file_id(path, root) not in heldout
            for t in file_theorems(library, file_id(path, root), root, "train")]


def choose_sample(names: Sequence[str], size: int = SAMPLE_SIZE, seed: int = SAMPLE_SEED) -> list[str]:
    """`size` problem names spread over the libraries: each library's names shuffled with
    `seed`, then taken one library at a time in turn (small libraries give all they have)."""
    rng = random.Random(seed)
    by_library: dict[str, list[str]] = defaultdict(list)
    for name in sorted(names):
        by_library[library_of_problem(name)].append(name)
    queues = [rng.sample(v, len(v)) for _, v in sorted(by_library.items())]
    chosen: list[str] = []
    while len(chosen) < size and any(queues):
        for queue in queues:
            if queue and len(chosen) < size:
                chosen.append(queue.pop())
    return sorted(chosen)


def read_sample(path: Path = SAMPLE_FILE) -> list[str]:
    return [line.strip() for line in path.read_text().splitlines() if line.strip() and not line.startswith("#")]


def with_hammer(theorem: Theorem) -> Theorem:
    """`theorem` with CoqHammer imported after its whole context (never before an earlier
    proof of the file, which it could break), for libraries built on the standard prelude."""
    if "-noinit" in theorem.meta.get("coq_flags", ()):
        return theorem
    return replace(theorem, context=theorem.context + "\n" + HAMMER_IMPORT)


def load_coqlib(split: str, hammer: bool = False) -> list[Theorem]:
    """The problems of `split` (sample | heldout | train); ValueError for another split."""
    if split not in SPLITS:
        raise ValueError(f"coqlib has the splits {', '.join(SPLITS)}, not {split!r}")
    theorems = training_theorems() if split == "train" else heldout_theorems()
    if split == "sample":
        wanted = set(read_sample())
        theorems = [replace(t, meta={**t.meta, "split": "sample"}) for t in theorems if t.meta["problem"] in wanted]
    return [with_hammer(t) for t in theorems] if hammer else theorems


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write-sample", action="store_true", help=f"write {SAMPLE_FILE.relative_to(REPO_ROOT)}")
    parser.add_argument("--check-open", type=Path, metavar="JSON",
                        help="open every held-out theorem in Coq; write {problem: error} of those that do not open")
    args = parser.parse_args(argv)
    theorems = heldout_theorems()
    names = [t.meta["problem"] for t in theorems]
    if args.check_open:
        from benchmarks.minif2f.rocq import elaborate
        from environments import make_environment

        with make_environment("coq") as env:
            failed = elaborate(theorems, env)[1]
        args.check_open.parent.mkdir(parents=True, exist_ok=True)
        args.check_open.write_text(json.dumps(failed, indent=1))
        print(f"{len(failed)} of {len(theorems)} held-out theorems do not open:")
        for library, count in sorted(Counter(map(library_of_problem, failed)).items()):
            print(f"  {library}: {count}")
    if args.write_sample:
        header = (f"# coqlib sample: {SAMPLE_SIZE} held-out theorems spread over the libraries (seed {SAMPLE_SEED}).\n"
                  "# Regenerate: python -m benchmarks.coqlib --write-sample\n")
        SAMPLE_FILE.write_text(header + "".join(f"{n}\n" for n in choose_sample(names)))
    sample = Counter(library_of_problem(n) for n in read_sample())
    for library, count in sorted(Counter(map(library_of_problem, names)).items()):
        print(f"{library}: {count} held-out theorems, {sample[library]} in the sample")
    print(f"total: {len(names)} held-out theorems, {sum(sample.values())} in the sample")
    return 0


if __name__ == "__main__":
    sys.exit(main())
