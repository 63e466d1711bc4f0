"""The `--budget` grammar shared by `prove` and `minif2f run`, and its one parser.

    --budget [ATTEMPTSx]SAMPLESxEXPANSIONS[@SECONDS]   e.g. 16x24, 32x100@600, 2x16x24@60
    --budget PRESET                                     a file of configs/search/ (default, llemma)

SAMPLES is the tactics sampled per expansion (`search.samples_per_expansion`), EXPANSIONS
the search's expansion limit (`search.max_expansions`), SECONDS its wall time
(`search.wall_time_s`), ATTEMPTS the independent searches per problem
(`benchmark.attempts`, default 1). Every number is positive.
"""

from __future__ import annotations

import re
from pathlib import Path

from hydra.core.config_store import ConfigStore

from configs import CONFIG_DIR

GRAMMAR = "[ATTEMPTSx]SAMPLESxEXPANSIONS[@SECONDS] (e.g. 32x100@600)"
_BUDGET = re.compile(r"(?:(\d+)x)?(\d+)x(\d+)(?:@(\d+(?:\.\d+)?)s?)?")


class BudgetError(ValueError):
    """A `--budget` that is not in the grammar; the message says what is expected."""


def presets() -> list[str]:
    """The search presets a `--budget` may name."""
    stored = {Path(name).stem for name in ConfigStore.instance().list("search")}
    return sorted(stored | {p.stem for p in (CONFIG_DIR / "search").glob("*.yaml")})


def budget_overrides(text: str, attempts_allowed: bool) -> list[str]:
    """The Hydra overrides `--budget text` stands for; an ATTEMPTS count only where the
    entry point makes several attempts (`minif2f run`, not `prove`)."""
    found = _BUDGET.fullmatch(text)
    if found is None:
        if text in presets():
            return [f"search={text}"]
        raise BudgetError(f"--budget {text!r}: expected {GRAMMAR} or a preset ({', '.join(presets())})")
    attempts, samples, expansions, seconds = found.groups()
    if any(value is not None and float(value) <= 0 for value in found.groups()):
        raise BudgetError(f"--budget {text!r}: every number must be positive")
    if attempts is not None and not attempts_allowed and int(attempts) != 1:
        raise BudgetError(f"--budget {text!r}: this command makes one attempt per theorem (use SAMPLESxEXPANSIONS)")
    out = [f"search.samples_per_expansion={int(samples)}", f"search.max_expansions={int(expansions)}"]
    if attempts is not None and attempts_allowed:
        out.append(f"benchmark.attempts={int(attempts)}")
    return out + ([f"search.wall_time_s={float(seconds)}"] if seconds else [])
