"""Proof-assistant environments behind one contract (see `environments.base`), and the
registry that builds one by name: `coq`, `lean-repl`, `leandojo`, `isabelle`."""

from __future__ import annotations

from importlib import import_module
from typing import Any

from environments.base import (
    ContextError,
    Environment,
    Error,
    ErrorKind,
    Finished,
    GivenUp,
    OpenError,
    Outcome,
    Progress,
    ProofState,
    ProverError,
    ProverNotFound,
    Theorem,
    Verdict,
)

# name -> "module:class"; imported lazily so optional extras stay optional
BACKENDS: dict[str, str] = {
    "coq": "environments.coq:CoqEnvironment",
    "lean-repl": "environments.lean_repl:LeanReplEnvironment",
    "leandojo": "environments.leandojo:LeanDojoEnvironment",
    "isabelle": "environments.pisa:PisaEnvironment",
}

# environment name -> the theorem system it proves
SYSTEMS: dict[str, str] = {"coq": "coq", "lean-repl": "lean", "leandojo": "lean", "isabelle": "isabelle"}


def make_environment(name: str, **options: Any) -> Environment:
    """Build the environment registered as `name` with backend-specific `options`."""
    if name not in BACKENDS:
        raise ValueError(f"unknown environment {name!r} (choose from {', '.join(BACKENDS)})")
    module, cls = BACKENDS[name].split(":")
    return getattr(import_module(module), cls)(**options)


__all__ = [
    "BACKENDS", "SYSTEMS", "ContextError", "Environment", "Error", "ErrorKind", "Finished", "GivenUp", "OpenError",
    "Outcome", "Progress", "ProofState", "ProverError", "ProverNotFound", "Theorem",
    "Verdict", "make_environment",
]
