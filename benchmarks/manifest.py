"""The run manifest (`manifest.json` in a results directory): the resolved config and its
hash, the model, the budget, software versions, the problems, and each session's start
and end. A run continued in the same directory must have the same config hash, so a
results directory never mixes two configurations.
"""

from __future__ import annotations

import hashlib
import json
import platform
import shutil
import subprocess
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any, Sequence

from omegaconf import DictConfig, OmegaConf

from benchmarks.results import MANIFEST, ResultsError, read_manifest, write_manifest

# keys that change how a run is executed, not what it measures
_EXECUTION_KEYS = ("out", "workers", "backend", "ray", "limit", "problems", "progress")
_PACKAGES = ("llemma-prover", "torch", "transformers", "hydra-core", "ray", "matplotlib")
_PROVER_VERSION = {"coq": ["coqc", "--version"]}


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


def measured_config(cfg: DictConfig) -> dict[str, Any]:
    """The resolved config without the keys that only say how the run is executed."""
    data = OmegaConf.to_container(cfg, resolve=True)
    for key in _EXECUTION_KEYS:
        data["benchmark"].pop(key, None)
    if cfg.benchmark.mode == "auto":  # no model takes part, only its automation tactics
        data["model"] = {"automation": data["model"].get("automation")}
    return data


def model_fingerprint(model_cfg: DictConfig) -> str | None:
    """sha256 over the model folder's config and weights, when the policy has one."""
    path = model_cfg.get("path")
    if not path or not Path(path).is_dir():
        return None
    digest = hashlib.sha256()
    for name in ("config.json", "model.safetensors"):
        file = Path(path) / name
        if file.exists():
            digest.update(file.read_bytes())
    return digest.hexdigest()[:16]


def config_hash(cfg: DictConfig) -> str:
    weights = model_fingerprint(cfg.model) if cfg.benchmark.mode != "auto" else None
    blob = json.dumps({"config": measured_config(cfg), "model": weights}, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:12]


def software_versions(system: str) -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for package in _PACKAGES:
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = "absent"
    argv = _PROVER_VERSION.get(system)
    if argv and shutil.which(argv[0]):
        out = subprocess.run(argv, capture_output=True, text=True, timeout=30).stdout.strip()
        versions[argv[0]] = " ".join(out.split())
    return versions


def budget(cfg: DictConfig) -> dict[str, Any]:
    """attempts x tactics per expansion x expansions, and the wall time per problem; for
    i2f, sketches per problem and the automation's time per hole."""
    search = cfg.search
    if cfg.benchmark.mode == "i2f":
        dsp = cfg.benchmark.dsp
        return {"attempts": int(cfg.benchmark.attempts), "skeleton": bool(dsp.skeleton),
                "hole_timeout_s": float(dsp.hole_timeout_s), "hammer": bool(dsp.hammer),
                "wall_time_s": float(search.wall_time_s)}
    return {
        "attempts": int(cfg.benchmark.attempts), "samples_per_expansion": int(search.samples_per_expansion),
        "max_expansions": int(search.max_expansions),
        "tactics": int(cfg.benchmark.attempts) * int(search.samples_per_expansion) * int(search.max_expansions),
        "wall_time_s": float(search.wall_time_s), "tactic_timeout_s": float(search.tactic_timeout_s),
    }


def model_label(cfg: DictConfig) -> str:
    model = cfg.model
    if cfg.benchmark.mode == "auto":
        return "none (automation tactics)"
    return f"{model.policy}:{model.get('path') or model.get('tactics_file') or '-'}"


def begin_run(out: Path, cfg: DictConfig, problems: Sequence[str], argv: Sequence[str]) -> dict[str, Any]:
    """Write (or, on a continued run, re-validate and extend) the manifest."""
    digest = config_hash(cfg)
    session = {"started": now(), "argv": list(argv), "workers": int(cfg.benchmark.workers),
               "backend": cfg.benchmark.backend, "host": platform.node()}
    if (out / MANIFEST).exists():
        manifest = read_manifest(out)
        if manifest["config_hash"] != digest:
            raise ResultsError(f"{out} holds a run with config {manifest['config_hash']}, not {digest}: "
                               "use another --out to run a different configuration")
        manifest["problems"] = sorted(set(manifest["problems"]) | set(problems))
    else:
        manifest = {
            "config_hash": digest, "config": measured_config(cfg), "model": model_label(cfg),
            "model_fingerprint": model_fingerprint(cfg.model) if cfg.benchmark.mode != "auto" else None, "system": cfg.benchmark.system,
            "benchmark": cfg.benchmark.name, "mode": cfg.benchmark.mode, "split": cfg.benchmark.split, "budget": budget(cfg),
            "versions": software_versions(cfg.benchmark.system), "date": session["started"],
            "problems": sorted(problems), "sessions": [],
        }
    manifest["sessions"].append(session)
    write_manifest(out, manifest)
    return manifest


def end_run(out: Path, manifest: dict[str, Any]) -> None:
    session = manifest["sessions"][-1]
    session["finished"] = now()
    started = datetime.fromisoformat(session["started"])
    session["wall_s"] = (datetime.fromisoformat(session["finished"]) - started).total_seconds()
    write_manifest(out, manifest)
