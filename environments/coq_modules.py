"""Coq's default load path, read from the file system: Coq's library root (`coqc -where`), the
logical name of each `.v` source under it (`theories/A/B.v` is `Coq.A.B`, `user-contrib/A/B.v`
is `A.B`) and `module_file`, the source a `[From P] Require M` sentence loads.

A partial name `M` means a module whose logical name ends in `.M` (or is `M`), under `P.` with
a `From`; where several do, the one sharing the longest prefix with the requiring module (a
library's own file first), then the standard library's (first on coqtop's load path; `List` is
`Coq.Lists.List`, not `Ltac2.List`), then the shortest name, is taken.
"""

from __future__ import annotations

import subprocess
from collections import defaultdict
from functools import cache
from pathlib import Path

from environments.process import require_executable


@cache
def coq_root() -> Path:
    """The Coq library root (`coqc -where`)."""
    coqc = require_executable("coqc")
    return Path(subprocess.run([coqc, "-where"], capture_output=True, text=True, check=True).stdout.strip())


@cache
def _modules(root: Path) -> dict[str, list[tuple[str, Path]]]:
    """The sources under `root` by their module's last name: (logical name, file) pairs."""
    found: dict[str, list[tuple[str, Path]]] = defaultdict(list)
    for folder, prefix in (("theories", ("Coq",)), ("user-contrib", ())):
        for path in sorted((root / folder).rglob("*.v")):
            parts = (*prefix, *path.relative_to(root / folder).with_suffix("").parts)
            found[parts[-1]].append((".".join(parts), path))
    return dict(found)


def logical_name(path: Path, root: Path) -> str:
    """The logical name of the source `path` under `root`."""
    folder, *parts = path.relative_to(root).with_suffix("").parts
    return ".".join(["Coq", *parts] if folder == "theories" else parts)


def module_file(name: str, prefix: str | None = None, near: str = "", root: Path | None = None) -> Path | None:
    """The source `[From prefix] Require name` loads from the module `near` (logical name; ""
    for a theorem's own file), or None when no source under `root` (default Coq's) has that name."""
    root = coq_root() if root is None else root
    below = prefix + "." if prefix else ""
    candidates = [(logical, path) for logical, path in _modules(root).get(name.rsplit(".", 1)[-1], [])
                  if logical.startswith(below) and (logical == below + name or logical.endswith("." + name))]
    if not candidates:
        return None

    def shared(logical: str) -> int:
        return next((i for i, (a, b) in enumerate(zip(logical.split("."), near.split("."))) if a != b),
                    min(logical.count("."), near.count(".")) + 1)

    return min(candidates, key=lambda c: (-shared(c[0]) if near else 0, not c[0].startswith("Coq."),
                                          c[0].count("."), c[0]))[1]
