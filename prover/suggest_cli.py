"""`prove suggest FILE:LINE[:COL]`: the goals at a cursor in a Coq file and the policy's
suggestions there, each already run against that state and marked closes the goal / leaves
N goals / fails (Coq's message with --verbose); `--prove`: a checked completion of the proof
from the cursor instead (exit 1 when the search finds none); --json for machines.

    prove suggest FILE:LINE[:COL] [-n N] [--prove] [--json] [--verbose]
                  [--policy hf|vllm|fixed|knn|mixture] [--tactics FILE] [--model PATH]
                  [--budget SAMPLESxEXPANSIONS[@SECONDS] | PRESET] [key=value ...]
"""

from __future__ import annotations

import json
import sys
from typing import Sequence

from configs import env_options
from configs.cli import BadInput, OneLineParser, load_config, run_command
from environments import ProverNotFound, make_environment
from environments.base import OpenError
from prover.cli import add_policy_arguments, build_search, policy_overrides
from prover.cursor import BadPosition, locate, offset_of, parse_position
from prover.suggest import BrokenPrefix, replay, rest_of_proof, suggest


def _parser() -> OneLineParser:
    parser = OneLineParser(prog="prove suggest", description="Checked tactic suggestions at a cursor in a Coq file.")
    parser.add_argument("position", metavar="FILE:LINE[:COL]")
    parser.add_argument("overrides", nargs="*", metavar="key=value")
    parser.add_argument("-n", type=int, default=8, help="suggestions to show (default 8; twice as many are checked)")
    parser.add_argument("--prove", action="store_true", help="search for a checked proof of the rest instead")
    parser.add_argument("--json", action="store_true", help="one JSON object on stdout")
    parser.add_argument("--verbose", action="store_true", help="show Coq's message for failing suggestions")
    add_policy_arguments(parser)
    return parser


def run(argv: Sequence[str]) -> int:
    args = _parser().parse_intermixed_args(argv)
    if args.n < 1:
        raise BadInput(f"-n must be >= 1, got {args.n}")
    path, line, col = parse_position(args.position)
    if path.suffix != ".v":
        raise BadInput(f"{path}: prove suggest reads Coq .v files")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise BadInput(f"{path}: cannot read ({exc})") from None
    cursor = locate(text, offset_of(text, line, col), path)
    cfg = load_config("prove", policy_overrides(args) + list(args.overrides))
    env_name, options = env_options(cfg.env)
    search, policy = build_search(cfg)
    with make_environment(env_name, **options) as env:
        try:
            state = replay(env, cursor)
        except OpenError as exc:
            raise BadInput(f"{path}: the text before {cursor.theorem.name} does not compile: {exc}") from None
        if args.prove:
            proof = rest_of_proof(env, policy, state, search)
        else:
            checked = suggest(env, policy, state, args.n)
    if args.prove:
        if args.json:
            print(json.dumps({"theorem": cursor.theorem.name, "goals": state.goals, "proof": proof}))
        elif proof is None:
            print("no proof of the rest found (failed)", file=sys.stderr)
        else:
            print("\n".join(proof))
        return 0 if proof is not None else 1
    if args.json:
        print(json.dumps({"theorem": cursor.theorem.name, "goals": state.goals,
                          "suggestions": [c.to_record() for c in checked]}))
        return 0
    print(state.goals, end="\n\n")
    for c in checked:
        print(f"{c.tactic:40s} {c.describe()}")
        if args.verbose and c.message:
            print("    " + c.message.replace("\n", "\n    "))
    return 0


def main(argv: Sequence[str]) -> int:
    return run_command("prove suggest", lambda: run(argv), bad_input=(BadPosition, BrokenPrefix, ProverNotFound))
