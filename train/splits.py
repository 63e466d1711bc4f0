"""The held-out split of the Coq library corpus: whole source files, about 5 % of every
library (at least one): of a library's files that hold a proof, those with the smallest
stable hash (CRC-32) of their identifier (path relative to the Coq root).

Held-out files never enter a training mixture (`train.prepare` drops every document of
theirs, whatever its source) and are what the `coqlib` benchmark attacks. The split over
the registry is committed as `configs/train/data/heldout_files.txt`, one `LIBRARY FILE`
line per held-out file; `python -m train.splits --write` regenerates it, `--check` compares.
"""

from __future__ import annotations

import argparse
import sys
import math
import re
import zlib
from functools import cache
from pathlib import Path
from typing import Sequence

from configs import REPO_ROOT
from train.libraries import LIBRARIES, coq_root, file_id

HELDOUT_FRACTION = 0.05
HELDOUT_LIST = REPO_ROOT / "configs" / "train" / "data" / "heldout_files.txt"


_PROOF_END = re.compile(r"^\s*(Qed|Defined)\.", re.M)


def stable_hash(file: str) -> int:
    """The hash that orders files for the split (the same on every machine and Python)."""
    return zlib.crc32(file.encode())


def registry_split(root: Path, fraction: float = HELDOUT_FRACTION) -> dict[str, list[str]]:
    """Held-out files of every installed registry library, by library, sorted."""
    split = {}
    for name, lib in LIBRARIES.items():
        if lib.installed(root):
            files = [file_id(p, root) for p in lib.sources(root)
                     if _PROOF_END.search(p.read_text(encoding="utf-8", errors="replace"))]
            count = max(1, math.floor(fraction * len(files) + 0.5)) if files else 0
            split[name] = sorted(sorted(files, key=stable_hash)[:count])
    return split


def read_heldout(path: Path = HELDOUT_LIST) -> dict[str, list[str]]:
    """The committed split: library -> held-out files."""
    split: dict[str, list[str]] = {}
    for line in path.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            library, file = line.split()
            split.setdefault(library, []).append(file)
    return split


@cache
def heldout_files() -> frozenset[str]:
    """Every held-out file of the committed split."""
    return frozenset(f for files in read_heldout().values() for f in files)


def render(split: dict[str, list[str]]) -> str:
    header = ("# Held-out source files of the Coq library corpus (train/splits.py): never trained on,\n"
              "# attacked by the coqlib benchmark. Regenerate: python -m train.splits --write\n")
    return header + "".join(f"{lib} {file}\n" for lib, files in split.items() for file in files)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help=f"write {HELDOUT_LIST.relative_to(REPO_ROOT)}")
    args = parser.parse_args(argv)
    split = registry_split(coq_root())
    if args.write:
        HELDOUT_LIST.write_text(render(split))
    committed = read_heldout()
    differ = [lib for lib in split if split[lib] != committed.get(lib, [])]
    for lib in split:
        print(f"{lib}: {len(split[lib])} held-out files of {len(LIBRARIES[lib].sources(coq_root()))}")
    if differ:
        print(f"error: the committed split differs from the registry for {', '.join(differ)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
