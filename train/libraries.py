"""The registry of Coq libraries the tracer and the `coqlib` benchmark know: for each, the
Debian package that ships it (sources next to the compiled files), its logical roots with
the folders that hold them, the extra coqtop flags its files are compiled with, and its
source files in dependency order (`coqdep -sort`).

File identifiers everywhere (traces, held-out split, benchmark problems) are paths relative
to Coq's library root (`coqc -where`), e.g. `theories/Arith/PeanoNat.v` or
`user-contrib/mathcomp/ssreflect/seq.v`.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

from environments.coq_modules import coq_root  # noqa: F401  (the registry's users take the root from here)
from environments.process import require_executable


@dataclass(frozen=True)
class Library:
    name: str
    package: str  # the Debian package shipping its .v and .vo files
    roots: tuple[tuple[str, str], ...]  # (folder relative to the Coq root, logical root)
    flags: tuple[str, ...] = ()  # coqtop flags its files were compiled with
    exclude: tuple[str, ...] = ()  # folders (relative to the Coq root) not traced, with the reason in a comment

    def load_path(self, root: Path) -> list[str]:
        """The `-R folder logical` flags of its roots (libraries require their own files by partial names)."""
        return [arg for folder, logical in self.roots for arg in ("-R", str(root / folder), logical)]

    def sources(self, root: Path) -> list[Path]:
        """Its `.v` files, sorted by name (installed or not: none when the package is missing)."""
        files = (p for folder, _ in self.roots for p in (root / folder).rglob("*.v"))
        return sorted(p for p in files if not any(str(p.relative_to(root)).startswith(e + "/") for e in self.exclude))

    def installed(self, root: Path) -> bool:
        return all((root / folder).is_dir() for folder, _ in self.roots)


STDLIB = "stdlib"
_UC = "user-contrib"


def _lib(name: str, *roots: str, flags: tuple[str, ...] = (), exclude: tuple[str, ...] = ()) -> Library:
    """A user-contrib library shipped as `libcoq-NAME`, whose folders `A/B` hold the logical roots `A.B`."""
    return Library(name, f"libcoq-{name}", tuple((f"{_UC}/{r}", r.replace("/", ".")) for r in roots), flags,
                   tuple(f"{_UC}/{e}" for e in exclude))


LIBRARIES: dict[str, Library] = {lib.name: lib for lib in (
    Library(STDLIB, "libcoq-stdlib", (("theories", "Coq"), (f"{_UC}/Ltac2", "Ltac2"))),
    *(_lib(f"mathcomp-{part}", f"mathcomp/{part}")
      for part in ("ssreflect", "fingroup", "algebra", "solvable", "field", "character", "finmap")),
    _lib("mathcomp-real-closed", "mathcomp/real_closed"),
    _lib("mathcomp-analysis", "mathcomp/classical", "mathcomp/analysis"),
    _lib("mathcomp-multinomials", "SsrMultinomials"),
    _lib("mathcomp-abel", "Abel"),
    _lib("mathcomp-zify", "mathcomp/zify"),
    _lib("stdpp", "stdpp"),
    _lib("iris", "iris"),
    _lib("flocq", "Flocq"),
    _lib("coquelicot", "Coquelicot"),
    _lib("corn", "CoRN"),
    _lib("math-classes", "MathClasses"),
    _lib("unimath", "UniMath", flags=("-noinit", "-indices-matter", "-type-in-type")),
    _lib("hott", "HoTT", flags=("-noinit", "-indices-matter")),
    _lib("coqprime", "Coqprime"),
    _lib("bignums", "Bignums"),
    # Equations/HoTT is the variant for the HoTT library (its own flags); Prop and Type are traced
    _lib("equations", "Equations", exclude=("Equations/HoTT",)),
    _lib("relation-algebra", "RelationAlgebra"),
    _lib("coqeal", "CoqEAL"),
    _lib("reglang", "RegLang"),
    _lib("extructures", "extructures"),
    _lib("aac-tactics", "AAC_tactics"),
    _lib("ext-lib", "ExtLib"),
    _lib("quickchick", "QuickChick"),
    _lib("menhirlib", "MenhirLib"),
    _lib("deriving", "deriving"),
)}

CORPUS_PACKAGES = sorted({lib.package for lib in LIBRARIES.values()})


def dependency_order(lib: Library, root: Path, files: list[Path] | None = None) -> list[Path]:
    """`files` (default: all its sources) with every file after the files it requires."""
    files = lib.sources(root) if files is None else files
    if not files:
        return []
    coqdep = require_executable("coqdep")
    argv = [coqdep, "-sort", "-coqlib", str(root), *lib.load_path(root), *map(str, files)]
    done = subprocess.run(argv, capture_output=True, text=True, check=True)
    ordered = [Path(p) for p in done.stdout.split()]
    ordered = [p if p.suffix == ".v" else p.with_suffix(".v") for p in ordered]
    wanted = set(files)
    seen = [p for p in dict.fromkeys(ordered) if p in wanted]
    seen += sorted(wanted - set(seen))  # coqdep leaves out nothing; kept safe if it did
    # every file outside the prelude loads it implicitly, which coqdep does not see
    return sorted(seen, key=lambda p: not _in_prelude(lib, p, root))


def _in_prelude(lib: Library, file: Path, root: Path) -> bool:
    return lib.name == STDLIB and (root / "theories" / "Init") in file.parents


def file_id(path: Path, root: Path) -> str:
    """The identifier of a source file: its path relative to the Coq root."""
    return str(path.relative_to(root))


def library_of(file: str) -> str:
    """The registry library a file identifier belongs to (ValueError if none)."""
    for lib in LIBRARIES.values():
        if any(file.startswith(folder + "/") for folder, _ in lib.roots) and \
                not any(file.startswith(e + "/") for e in lib.exclude):
            return lib.name
    raise ValueError(f"{file}: in no registered library")


def coqtop_flags(lib: Library, file: Path, root: Path) -> list[str]:
    """The flags to replay `file` of `lib` as it was compiled (the prelude's files: -noinit)."""
    if lib.name != STDLIB:  # the standard library is coqtop's own load path
        return [*lib.flags, *lib.load_path(root)]
    return ["-noinit"] if _in_prelude(lib, file, root) else []
