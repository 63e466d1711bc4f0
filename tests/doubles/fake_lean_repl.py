#!/usr/bin/env python3
"""A stand-in for leanprover-community/repl (Lean cannot be installed here) that speaks its
exact wire format: JSON requests separated by blank lines on stdin, one JSON object and a
blank line back per request (environments/PROTOCOLS.md, "Lean REPL").

The Lean world is a small script: the theorems in THEOREMS and, for a first goal and a
tactic, the goals that replace it (TACTICS). Special tactics misbehave on purpose:
`hang` never answers, `crash` exits, `garbage` answers text that is not JSON, `allocate`
grabs memory until the memory limit kills it, `give_up` closes the goal the way a
sorry-using tactic does, `sorry` closes the first goal with sorry.

`fake_lean_repl.py --lean FILE` acts as `lake env lean FILE` instead: it runs the file's
proof through the same script and prints Lean-style errors and `#print axioms` output.

Environment: FAKE_LEAN_REPL_LOG=path appends every request (one JSON per line) to path.
"""

from __future__ import annotations

import json
import os
import re
import sys
import time

ADD = "n : ℕ\n⊢ n + 0 = n"
ZERO = "case zero\n⊢ 0 + 0 = 0"
SUCC = "case succ\nn : ℕ\nih : n + 0 = n\n⊢ n + 1 + 0 = n + 1"
AND = "p q : Prop\nhp : p\nhq : q\n⊢ p ∧ q"
LEFT = "case left\np q : Prop\nhp : p\nhq : q\n⊢ p"
RIGHT = "case right\np q : Prop\nhp : p\nhq : q\n⊢ q"

THEOREMS = {"add_zero_example": [ADD], "and_example": [AND]}
# (first goal, tactic) -> the goals replacing it, or an error text
TACTICS: dict[tuple[str, str], list[str] | str] = {
    (ADD, "simp"): [],
    (ADD, "rfl"): [],
    (ADD, "induction n"): [ZERO, SUCC],
    (ADD, "linarith"): "linarith failed to find a contradiction",
    (ADD, "uses_cheat_axiom"): [],
    (ZERO, "rfl"): [],
    (SUCC, "rfl"): [],
    (SUCC, "simp"): [],
    (AND, "constructor"): [LEFT, RIGHT],
    (AND, "exact ⟨hp, hq⟩"): [],
    (LEFT, "exact hp"): [],
    (RIGHT, "exact hq"): [],
}


class World:
    def __init__(self) -> None:
        self.envs: set[int] = set()
        self.states: dict[int, tuple[list[str], bool]] = {}  # id -> (goals, used sorry)

    def new_state(self, goals: list[str], tainted: bool) -> int:
        self.states[len(self.states)] = (goals, tainted)
        return len(self.states) - 1

    def command(self, request: dict) -> dict:
        cmd, env = request["cmd"], request.get("env")
        if env is not None and env not in self.envs:
            return {"message": f"unknown environment {env}"}
        if env is not None and "import " in cmd:
            return {"env": env, "messages": [error_message("invalid 'import' command, it must be used in the beginning of the file")]}
        missing = re.search(r"^import\s+(Missing\S*)", cmd, re.MULTILINE)
        if missing:
            return {"message": f"unknown module prefix '{missing.group(1)}'"}
        self.envs.add(len(self.envs))
        answer: dict = {"env": len(self.envs) - 1, "messages": []}
        theorem = re.search(r"\btheorem\s+(\S+)", cmd)
        if theorem is None:
            return answer
        if theorem.group(1) not in THEOREMS:
            answer["messages"] = [error_message(f"unknown identifier in the statement of '{theorem.group(1)}'")]
            return answer
        goals = THEOREMS[theorem.group(1)]
        answer["sorries"] = [{"pos": {"line": 2, "column": 2}, "endPos": {"line": 2, "column": 7},
                              "goal": "\n\n".join(goals), "proofState": self.new_state(goals, False)}]
        answer["messages"] = [{"severity": "warning", "pos": {"line": 1, "column": 8},
                               "endPos": {"line": 1, "column": 12}, "data": "declaration uses 'sorry'"}]
        return answer

    def tactic(self, request: dict) -> dict:
        tactic, number = request["tactic"], request["proofState"]
        if number not in self.states:
            return {"message": f"Unknown proof state: {number}"}
        goals, tainted = self.states[number]
        if not goals:
            return {"message": "Lean error:\nno goals to be proved"}
        if tactic in ("give_up", "sorry"):
            rest, tainted = ([] if tactic == "give_up" else goals[1:]), True
        else:
            result = TACTICS.get((goals[0], tactic))
            if result is None:
                return {"message": f"Lean error:\n<input>:1:0: unknown tactic '{tactic}'"}
            if isinstance(result, str):
                return {"proofState": self.new_state(goals, tainted), "goals": goals,
                        "messages": [error_message(result)], "proofStatus": "Error: kernel type check failed"}
            rest = result + goals[1:]
        status = "Incomplete: open goals remain" if rest else ("Incomplete: contains sorry" if tainted else "Completed")
        return {"proofState": self.new_state(rest, tainted), "goals": rest, "proofStatus": status}


def error_message(text: str) -> dict:
    return {"severity": "error", "pos": {"line": 1, "column": 0}, "endPos": {"line": 1, "column": 1}, "data": text}


def misbehave(tactic: str) -> None:
    if tactic == "hang":
        time.sleep(3600)
    elif tactic == "crash":
        print("fake REPL: INTERNAL PANIC: crashed on purpose", file=sys.stderr, flush=True)
        os._exit(1)
    elif tactic == "garbage":
        sys.stdout.write("uncaught exception: this is not JSON\n\n")
        sys.stdout.flush()
    elif tactic == "allocate":
        hog = [bytearray(64 * 1024 * 1024) for _ in range(10_000)]
        print(len(hog))


def requests():
    lines: list[str] = []
    for line in sys.stdin:
        if line.strip():
            lines.append(line)
        elif lines:
            yield "".join(lines)
            lines = []
    if lines:
        yield "".join(lines)


def serve() -> None:
    world, log = World(), os.environ.get("FAKE_LEAN_REPL_LOG")
    for text in requests():
        if log:
            with open(log, "a", encoding="utf-8") as f:
                f.write(json.dumps(json.loads(text)) + "\n")
        request = json.loads(text)
        if "tactic" in request and request["tactic"] in ("hang", "crash", "garbage", "allocate"):
            misbehave(request["tactic"])
            continue
        if "cmd" in request:
            answer = world.command(request)
        elif "tactic" in request:
            answer = world.tactic(request)
        else:
            answer = {"message": "unsupported request"}
        sys.stdout.write(json.dumps(answer, ensure_ascii=False, indent=1) + "\n\n")
        sys.stdout.flush()


def compile_file(path: str) -> int:
    """`lake env lean FILE`: run the proof after `:= by` through the script."""
    text = open(path, encoding="utf-8").read()
    printed = re.search(r"^#print axioms (\S+)", text, re.MULTILINE)
    name = printed.group(1) if printed else ""
    found = re.search(rf"^theorem\s+({re.escape(name)})\s.*?:= by\n(.*?)\n\n#print axioms (\S+)", text,
                      re.MULTILINE | re.DOTALL)
    if found is None or found.group(1) not in THEOREMS:
        print(f"{path}:1:0: error: unknown theorem")
        return 1
    first_line = text[: found.start(2)].count("\n") + 1
    world = World()
    state = world.new_state(THEOREMS[found.group(1)], False)
    cheat = False
    for offset, line in enumerate(found.group(2).splitlines()):
        answer = world.tactic({"tactic": line.strip(), "proofState": state})
        error = answer.get("message") or "".join(m["data"] for m in answer.get("messages", []))
        if error:
            print(f"{path}:{first_line + offset}:2: error: {error}")
            return 1
        state, cheat = answer["proofState"], cheat or line.strip() == "uses_cheat_axiom"
    goals, tainted = world.states[state]
    if goals:
        print(f"{path}:{first_line}:0: error: unsolved goals\n" + "\n\n".join(goals))
        return 1
    axioms = ["propext"] + (["sorryAx"] if tainted else []) + (["cheat"] if cheat else [])
    if tainted:
        print(f"{path}:{first_line - 1}:8: warning: declaration uses 'sorry'")
    print(f"{path}:{text.count(chr(10))}:0: info: '{found.group(3)}' depends on axioms: [{', '.join(axioms)}]")
    return 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["--lean"]:
        sys.exit(compile_file(sys.argv[2]))
    serve()
