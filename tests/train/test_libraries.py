"""The library registry against the installed Debian packages."""

import shutil
import subprocess

import pytest

from train.libraries import LIBRARIES, coq_root, dependency_order, file_id, library_of

pytestmark = pytest.mark.requires_coq


def _installed():
    root = coq_root()
    return [lib for lib in LIBRARIES.values() if lib.installed(root)]


def test_dependency_order_puts_requirements_first():
    root = coq_root()
    order = [file_id(p, root) for p in dependency_order(LIBRARIES["mathcomp-ssreflect"], root)]
    prefix = "user-contrib/mathcomp/ssreflect/"
    assert order.index(prefix + "ssrbool.v") < order.index(prefix + "eqtype.v") < order.index(prefix + "seq.v")
    assert sorted(order) == sorted(file_id(p, root) for p in LIBRARIES["mathcomp-ssreflect"].sources(root))
    stdlib = [file_id(p, root) for p in dependency_order(LIBRARIES["stdlib"], root)]
    assert stdlib.index("theories/Init/Logic.v") < stdlib.index("theories/Arith/PeanoNat.v")


def test_every_source_belongs_to_one_library():
    root = coq_root()
    seen = {}
    for lib in _installed():
        for path in lib.sources(root):
            file = file_id(path, root)
            assert file not in seen, f"{file} in {seen.get(file)} and {lib.name}"
            seen[file] = lib.name
            assert library_of(file) == lib.name
    assert len(seen) > 583  # the standard library and the libraries setup installs


@pytest.mark.skipif(shutil.which("dpkg") is None, reason="not a Debian system")
def test_each_library_is_shipped_by_its_package():
    root = coq_root()
    for lib in _installed():
        source = lib.sources(root)[0]
        owner = subprocess.run(["dpkg", "-S", str(source)], capture_output=True, text=True, check=True).stdout
        assert owner.split(":")[0] == lib.package, f"{lib.name}: {owner.strip()}"
