"""What coqtop's answers say: the error of an answer, its goals display, and the proof steps
of a Coq text replayed sentence by sentence, from coqtop's answer to each sentence (which
proof was open before it, which goals it shows) to (goals before, tactic, goals after) records, keeping only the proofs that end in `Qed`/`Defined` with no
failing sentence. Shared by the tracer (`train.trace`, whole library files) and the Coq
backend, which records the steps of a theorem's context while loading it: the file's own
earlier proofs, the closest examples there are (`prover.policies.knn`'s `file_steps`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from environments.coq_syntax import PROOF_END, is_bullet

_TOPLEVEL = re.compile(r"^Toplevel input, characters \d+-\d+:\n(?:>.*\n?)*", re.M)
_TAGGED = re.compile(r"<(infomsg|warning)>.*?</\1>", re.S)
_GOAL_ID = re.compile(r" \(ID \d+\)")
_ERROR = re.compile(r"^Error:", re.M)
CONTEXT_STEPS = "context_steps"  # Theorem.meta key: the opened context's steps, as `StepRecorder.steps`
_GOALS_HEADER = re.compile(r"^\d+ goals?\b", re.M)
# sentences inside a proof that are not tactics (they do not change the goals)
_NOT_TACTIC = re.compile(
    r"(Proof|Qed|Defined|Admitted|Save|Abort|Show|Check|Print|Locate|Search\w*|About|Eval|Compute"
    r"|Set|Unset|Local|Global|Hint|Opaque|Transparent|Arguments|Notation|Infix|Time|Fail|Timeout"
    r"|Require|Import|Export|Open|Close|Declare|Ltac|Tactic|Create|Typeclasses|Instance|Existing"
    r"|Next|Obligation|Program|Focus|Unfocus(?:ed)?)\b"
)
NO_MORE_GOALS = "No more goals."


def error_message(text: str) -> str | None:
    """Coq's error in a reply, from `Error:` on; None when the reply holds no error."""
    found = _ERROR.search(text)
    return text[found.start():].strip() if found else None


def goals_text(text: str) -> str:
    """The goals display of a reply, without messages, echoed input and goal ids."""
    text = _GOAL_ID.sub("", _TAGGED.sub("", _TOPLEVEL.sub("", text)))
    text = "\n".join(line.rstrip() for line in text.splitlines())
    return re.sub(r"\n{3,}", "\n\n", text).strip("\n")


def shown_goals(output: str) -> str | None:
    """The goals display in a coqtop answer, normalised as the Coq backend's ProofState.goals;
    `""` when no goals remain, None when the answer shows no goals."""
    text = goals_text(output)
    header = _GOALS_HEADER.search(text)
    if header is None:
        return "" if NO_MORE_GOALS in text else None
    return text[header.start():]


@dataclass(frozen=True)
class Reply:
    """One sentence as coqtop answered it."""

    sentence: str  # on one line, comments removed
    proof: str  # the proof open before the sentence (coqtop's prompt; "Coq": none)
    answer: str  # coqtop's whole answer
    failed: bool = False
    line: int = 0  # where the sentence starts in its file (1-based; 0: unknown)


@dataclass
class StepRecorder:
    """Fed every reply of a replay in order; `steps` holds the steps of the finished proofs."""

    file: str = ""
    steps: list[dict] = field(default_factory=list)
    traced: int = 0  # proofs recorded
    _goals: str | None = None
    _proof_steps: list[dict] = field(default_factory=list)
    _proof_ok: bool = True

    def feed(self, reply: Reply) -> None:
        if reply.failed:
            self._proof_ok = False
            return
        shown = shown_goals(reply.answer)
        if reply.proof == "Coq":
            self._goals, self._proof_steps, self._proof_ok = shown, [], True
            return
        if PROOF_END.match(reply.sentence):
            if self._proof_ok and self._proof_steps and reply.sentence.startswith(("Qed", "Defined")):
                self.traced += 1
                self.steps.extend(self._proof_steps)
            self._goals, self._proof_steps, self._proof_ok = None, [], True
            return
        if not is_bullet(reply.sentence) and not _NOT_TACTIC.match(reply.sentence) and self._goals:
            self._proof_steps.append({
                "file": self.file, "theorem": reply.proof, "line": reply.line, "step": len(self._proof_steps),
                "goals_before": self._goals, "tactic": reply.sentence,
                "goals_after": shown if shown is not None else self._goals})
        if shown is not None:
            self._goals = shown
