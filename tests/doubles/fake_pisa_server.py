#!/usr/bin/env python3
"""A stand-in for a PISA server (Isabelle cannot be installed here): a real gRPC server on
loopback implementing environments/pisa.proto, over a small scripted Isabelle world.

THEOREMS maps a theorem name to its opened goals; STEPS maps (goals, step) to the goals
after it (FINISHED when the proof is done) or to an error text. Special steps misbehave
on purpose: `hang` outlasts any deadline, `crash_server` loses every state and fails
the call the way a restarted server does, `garbage` answers bytes that are not an
IsaState, `sorry` closes the first subgoal, `sledgehammer` takes HAMMER_SECONDS.
Every command is recorded in `FakePisa.commands`, so tests can count what was sent.

Run standalone: `python tests/doubles/fake_pisa_server.py --port 8000`.
"""

from __future__ import annotations

import argparse
import re
import sys
import threading
from concurrent import futures
from pathlib import Path

import grpc

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the repository, when run as a script
from environments import pisa_pb2 as pb  # noqa: E402

FINISHED = "FINISHED"
HAMMER_SECONDS = 0.6
ADD = "proof (prove)\ngoal (1 subgoal):\n 1. n + 0 = n"
INDUCT = ("proof (prove)\ngoal (2 subgoals):\n 1. 0 + 0 = 0\n"
          " 2. \\<And>n. n + 0 = n \\<Longrightarrow> Suc n + 0 = Suc n")
SUCC = "proof (prove)\ngoal (1 subgoal):\n 1. \\<And>n. n + 0 = n \\<Longrightarrow> Suc n + 0 = Suc n"
NO_SUBGOALS = "proof (prove)\ngoal:\nNo subgoals!"
SQUARE = "proof (prove)\ngoal (1 subgoal):\n 1. 0 \\<le> x\\<^sup>2"

THEOREMS = {"add_zero": ADD, "square_nonneg": SQUARE}
STEPS: dict[tuple[str, str], str] = {
    (ADD, "by simp"): FINISHED,
    (ADD, "by auto"): "Step error: Failed to finish proof (line 1): empty sequence",
    (ADD, "apply (induct n)"): INDUCT,
    (INDUCT, "apply simp"): SUCC,
    (SUCC, "apply simp"): NO_SUBGOALS,
    (NO_SUBGOALS, "done"): FINISHED,
    (SQUARE, "sledgehammer"): FINISHED,
}


def _serialize(answer: object) -> bytes:
    return answer if isinstance(answer, bytes) else answer.SerializeToString()


class FakePisa:
    def __init__(self) -> None:
        self.commands: list[str] = []
        self.states: dict[str, str] = {}
        self.initialised: list[str] = []  # InitialiseIsabelle / IsabelleContext calls, in order
        self.stopping = threading.Event()

    # -- the RPCs -------------------------------------------------------------------------

    def InitialiseIsabelle(self, request, context):
        self.initialised.append(f"isabelle {request.path}")
        self.states.clear()
        return pb.IsaMessage(message=f"Isabelle initialised at {request.path}")

    def IsabelleWorkingDirectory(self, request, context):
        self.initialised.append(f"directory {request.path}")
        return pb.IsaMessage(message=f"working directory {request.path}")

    def IsabelleContext(self, request, context):
        if not Path(request.context).exists():
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, f"no theory file {request.context}")
        self.initialised.append(f"context {request.context}")
        return pb.IsaMessage(message=f"context {request.context}")

    def IsabelleSetSearchWidth(self, request, context):
        return pb.IsaMessage(message=f"width {request.width}")

    def IsabelleSearchIndexCommand(self, request, context):
        return pb.IsaState(state="Step error: search is not scripted")

    def IsabelleCommand(self, request, context):
        command = request.command
        self.commands.append(command)
        if command == "<initialise>":
            self.states = {"default": ""}
            return pb.IsaState(state="initialised")
        if command.startswith("<apply to top level state>"):
            return self.apply(*[p.strip() for p in command.split("<apply to top level state>")[1:]], context)
        if command.startswith("<is finished>"):
            return pb.IsaState(state="true" if self.states.get(command.split()[-1]) == FINISHED else "false")
        if command.startswith("<clone>"):
            old, new = (p.strip() for p in command.split("<clone>")[1:])
            self.states[new] = self.states[old]
            return pb.IsaState(state="")
        if command.startswith("<delete>"):
            self.states.pop(command.split()[-1], None)
            return pb.IsaState(state="")
        if command.startswith("<get state>"):
            return pb.IsaState(state=self.states.get(command.split()[-1], "Step error: unknown state"))
        if command.startswith("<parse text>"):
            return pb.IsaState(state="<SEP>".join(parse(command[len("<parse text>"):])))
        return pb.IsaState(state=f"Step error: unknown command {command[:40]!r}")

    # -- the scripted Isabelle ------------------------------------------------------------

    def apply(self, old: str, step: str, new: str, context):
        if step == "hang":
            self.stopping.wait(30)
        elif step == "crash_server":
            self.states.clear()
            context.abort(grpc.StatusCode.UNAVAILABLE, "Connection reset: the server restarted")
        elif step == "garbage":
            return b"\xff\xff\xff not a protobuf message"
        elif step == "sledgehammer":
            self.stopping.wait(HAMMER_SECONDS)
        if old not in self.states:
            return pb.IsaState(state=f"Step error: unknown state {old}")
        result = self.transition(self.states[old], step)
        if "error" not in result:
            self.states[new] = result
        return pb.IsaState(state="" if result == FINISHED else result)

    @staticmethod
    def transition(goals: str, step: str) -> str:
        if step.startswith("theory ") or step == "end":
            return ""
        statement = re.match(r"(?:theorem|lemma)\s+(\w+)", step)
        if statement:
            return THEOREMS.get(statement.group(1), f"Step error: Undefined fact: {statement.group(1)}")
        if step == "sorry" and goals.startswith("proof"):
            remaining = re.findall(r"^ \d+\. .*$", goals, re.MULTILINE)[1:]
            return FINISHED if not remaining else SUCC
        return STEPS.get((goals, step), f"Step error: Failed to apply proof method (line 1): {step}")

    def handlers(self) -> grpc.GenericRpcHandler:
        requests = {"InitialiseIsabelle": pb.IsaPath, "IsabelleContext": pb.IsaContext,
                    "IsabelleWorkingDirectory": pb.IsaPath, "IsabelleCommand": pb.IsaCommand,
                    "IsabelleSetSearchWidth": pb.IsaSearchWidth, "IsabelleSearchIndexCommand": pb.IsaSearchIndexCommand}
        # our own serializer so `garbage` can put bytes on the wire that no client can decode
        return grpc.method_handlers_generic_handler("server.Server", {
            name: grpc.unary_unary_rpc_method_handler(getattr(self, name), request_deserializer=message.FromString,
                                                      response_serializer=_serialize)
            for name, message in requests.items()})


def parse(text: str) -> list[str]:
    """Isabelle's steps, for the kind of theory text this world has: the header through
    `begin`, a statement with its fixes/assumes/shows lines, then one step per line."""
    header, _, body = text.partition("begin")
    steps = [" ".join((header + "begin").split())] if _ else []
    for line in (body if _ else text).splitlines():
        if not line.strip() or line.strip().startswith("(*"):
            continue
        continues = re.match(r"\s+(fixes|assumes|shows|and|\")", line)
        if continues and steps and re.match(r"(theorem|lemma)\b", steps[-1]):
            steps[-1] += "\n" + line
        else:
            steps.append(line.strip())
    return steps


def serve(port: int = 0) -> tuple[grpc.Server, int, FakePisa]:
    """Start a fake PISA server on 127.0.0.1 (`port` 0: any free one)."""
    fake = FakePisa()
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    server.add_generic_rpc_handlers((fake.handlers(),))
    bound = server.add_insecure_port(f"127.0.0.1:{port}")
    server.start()
    return server, bound, fake


def stop(server: grpc.Server, fake: FakePisa) -> None:
    fake.stopping.set()
    server.stop(grace=None).wait()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8000)
    server, port, _ = serve(parser.parse_args().port)
    print(f"fake PISA server on 127.0.0.1:{port}", flush=True)
    server.wait_for_termination()
