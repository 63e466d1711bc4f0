"""The committed held-out split: it is the registry's split, and no training mixture of
configs/train/data/ lets a held-out file in, whatever the source (traces or raw sources)."""

import json
import shutil
from pathlib import Path

import pytest

from configs import REPO_ROOT
from train.config import train_config
from train.decontaminate import DecontaminationReport, NgramIndex
from train.libraries import LIBRARIES, coq_root, file_id
from train.prepare import documents, plan_tasks
from train.splits import heldout_files, read_heldout, registry_split

MIXTURES = sorted(p.stem for p in (REPO_ROOT / "configs" / "train" / "data").glob("*.yaml"))


def test_committed_split_covers_every_library():
    split = read_heldout()
    assert set(split) == set(LIBRARIES)
    assert all(files for files in split.values())  # every library has held-out files
    assert sum(map(len, split.values())) == len(heldout_files()) > 100


@pytest.mark.requires_coq
def test_committed_split_is_the_registry_split_of_installed_libraries():
    root = coq_root()
    committed = read_heldout()
    computed = registry_split(root)
    assert "stdlib" in computed and "mathcomp-ssreflect" in computed
    assert {lib: committed[lib] for lib in computed} == computed


def _write_trace(path: Path, files: list[str], label: str) -> None:
    path.mkdir(parents=True, exist_ok=True)
    with (path / f"{label}.jsonl").open("w") as fh:
        for i, file in enumerate(files):
            goal = f"1 goal\n  ============================\n  {label}_statement_{i} = 0"
            fh.write(json.dumps({"file": file, "theorem": f"{label}_{i}", "line": 1, "step": 0,
                                 "goals_before": goal, "tactic": "reflexivity.", "goals_after": ""}) + "\n")


@pytest.mark.requires_coq
@pytest.mark.parametrize("mixture", MIXTURES)
def test_no_heldout_theorem_enters_a_training_mixture(mixture, tmp_path):
    """Every mixture, its Coq sources read for real: held-out files' steps and sources stay out,
    the others go in (so the check can fail)."""
    root = coq_root()
    heldout = sorted(heldout_files())
    lib = LIBRARIES["coquelicot"]
    held_source = next(p for p in lib.sources(root) if file_id(p, root) in heldout_files())
    kept_source = next(p for p in lib.sources(root) if file_id(p, root) not in heldout_files()
                       and "Lemma" in p.read_text())
    training = [f for f in (file_id(p, root) for p in LIBRARIES["stdlib"].sources(root)) if f not in heldout_files()]
    cfg = train_config([f"train/data@data={mixture}", f"run.root={tmp_path}"])
    overrides = []
    for name, source in cfg.data.sources.items():
        if source.format == "coq_traces":
            traces = tmp_path / "traces" / name
            _write_trace(traces / "steps", heldout, "heldout")
            _write_trace(traces / "steps", training[:50], "training")
            overrides.append(f"data.sources.{name}.path={traces}")
        elif source.format == "code" and Path(source.path).resolve().is_relative_to(root):
            # the real source tree, cut down to one held-out and one training file of it
            sources = tmp_path / "coq_sources" / name
            for path in (held_source, kept_source):
                target = sources / path.relative_to(Path(source.path).resolve())
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(path, target)
            assert source.get("file_prefix") == str(Path(source.path).resolve().relative_to(root))
            overrides.append(f"data.sources.{name}.path={sources}")
        elif source.format == "code":
            (tmp_path / "py").mkdir(exist_ok=True)
            (tmp_path / "py" / "m.py").write_text("x = 1\n")
            overrides.append(f"data.sources.{name}.path={tmp_path / 'py'}")
    cfg = train_config([f"train/data@data={mixture}", f"run.root={tmp_path}", *overrides])
    tasks, _ = plan_tasks(cfg.data)
    picked = [(t, d, held) for t in tasks for d, held in documents(t, NgramIndex.build({}), DecontaminationReport())]
    trained = [d for t, d, held in picked if not held and t.train]
    val = [d for _, d, held in picked if held]
    texts = [d.text for d in trained] + [d.text for t, d, held in picked
                                         if not held and t.source in cfg.data.tokenizer_sources]
    trained_files = {d.meta.get("file") for d in trained}
    assert not trained_files & heldout_files()
    assert not any("heldout_statement" in t for t in texts)
    assert not any(t == held_source.read_text() for t in texts)
    if cfg.data.sources.coq_steps.weight > 0:
        assert any("training_statement" in t for t in texts)
        assert len(val) == len(heldout)  # held-out steps are the validation set
    if "coq_sources" in cfg.data.sources:
        assert any(t == kept_source.read_text() for t in texts)
