"""/suggest/coq's work: a Coq file's text and a cursor in it to the goals there, the policy's
suggestions each run against them and marked (prover.suggest), and on request a checked
proof of the rest from the cursor. The text passes the vernacular guard before any of it
runs; the work runs on the /prove pool's Coq processes (`Prover.pool`), a request going to
the process that last loaded the same context (the file before the cursor's theorem), so a
second request in the same proof loads nothing again."""

from __future__ import annotations

from contextlib import nullcontext

from environments.base import OpenError
from environments.vernac_guard import coq_vernacular_problem
from prover.cursor import Cursor, locate, offset_of
from prover.server.proving import Prover
from prover.server.schemas import Budget, CheckedSuggestion, CoqSuggestRequest, CoqSuggestResponse
from prover.suggest import BrokenPrefix, replay, rest_of_proof, suggest
from search.pool import GRACE_S


class Refused(ValueError):
    """A request the server cannot serve as sent: text the guard refuses, a cursor outside a
    proof, a file that does not compile before the cursor."""


def cursor_of(request: CoqSuggestRequest) -> Cursor:
    """The request's cursor in its text (raises Refused, or prover.cursor.BadPosition)."""
    problem = coq_vernacular_problem(request.text)
    if problem:
        raise Refused(f"text rejected: {problem}")
    at = request.cursor
    offset = at.offset if at.offset is not None else offset_of(request.text, at.line or 1, at.column)
    return locate(request.text, offset)


def suggest_at(prover: Prover, cursor: Cursor, n: int, timeout_s: float,
               prove: Budget | None = None) -> CoqSuggestResponse:
    """The goals at `cursor`, the policy's `n` suggestions there checked, and with a `prove`
    budget a checked proof of the rest (None if the search found none); blocking."""
    config = prover.config(prove) if prove is not None else None

    def work(env) -> CoqSuggestResponse | Refused:
        # a broken file is the client's: answered, not raised, so the pool keeps this prover
        try:
            state = replay(env, cursor)
        except OpenError as exc:
            return Refused(f"the text before {cursor.theorem.name} does not compile: {exc}")
        except BrokenPrefix as exc:
            return Refused(str(exc))
        checked = suggest(env, prover.policy, state, n)
        proof = rest_of_proof(env, prover.policy, state, config) if config is not None else None
        return CoqSuggestResponse(theorem=cursor.theorem.name, goals=state.goals, proof=proof,
                                  suggestions=[CheckedSuggestion(**c.to_record()) for c in checked])

    # a suggestion request waits for a free prover; a search holds a slot (beyond the slots, 503)
    with nullcontext() if config is None else prover.slot():
        result = prover.pool.submit(work, key=cursor.theorem.context, deadline_s=timeout_s + GRACE_S).result()
    if isinstance(result, Refused):
        raise result
    return result
