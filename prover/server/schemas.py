"""Request and response bodies of every route, as pydantic models. The llmstep and
LeanCopilot shapes are theirs (environments/PROTOCOLS.md, "Editor integrations"); the optional fields
we add (`n`) are ignored by those clients and default sensibly."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator


class ErrorResponse(BaseModel):
    error: str


def error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """A router's OpenAPI `responses`: each of its error status codes with the `{"error": ...}` body."""
    return {code: {"model": ErrorResponse} for code in codes}


class ClientRequest(BaseModel):
    """A request body: every text in it must be encodable (JSON can carry a lone surrogate such as
    `"\\ud800"`, which no tokenizer or prover can take): 422, not a 500 later."""

    @field_validator("*", mode="after")
    @classmethod
    def _encodable(cls, value: Any) -> Any:
        if isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError as exc:
                raise ValueError(f"text is not valid Unicode at character {exc.start}: {exc.reason}") from None
        return value


class LlmstepRequest(ClientRequest):
    tactic_state: str
    prefix: str = ""
    context: str = ""  # the file before the cursor; the proofstep prompt does not use it
    n: int | None = Field(None, ge=1, description="suggestions wanted (server default if absent)")


class LlmstepResponse(BaseModel):
    suggestions: list[str]


class GenerateRequest(ClientRequest):
    name: str  # the model name the Lean side registered; any name is served by our model
    input: str
    prefix: str = ""
    n: int | None = Field(None, ge=1)


class Generation(BaseModel):
    output: str
    score: float  # log-probability of the whole tactic


class GenerateResponse(BaseModel):
    outputs: list[Generation]


class EncodeRequest(ClientRequest):
    name: str
    input: str = Field(min_length=1)


class EncodeResponse(BaseModel):
    outputs: list[float]


class Budget(BaseModel):
    model_config = ConfigDict(extra="forbid")

    max_expansions: int | None = Field(None, ge=1)
    wall_time_s: float | None = Field(None, gt=0)
    samples_per_expansion: int | None = Field(None, ge=1)


class ProveRequest(ClientRequest):
    """Either a whole `theorem` statement (`Theorem t : P.`) or a bare `goal` (`P`)."""

    theorem: str | None = None
    goal: str | None = None
    name: str = "goal"  # the theorem's name when only a goal is given
    context: str = ""  # imports and definitions before the statement
    budget: Budget = Budget()

    @model_validator(mode="after")
    def _one_statement(self) -> ProveRequest:
        if (self.theorem is None) == (self.goal is None):
            raise ValueError("give exactly one of 'theorem' and 'goal'")
        return self


class Position(BaseModel):
    """A cursor in a file's text: a character offset (0-based, as Python and Emacs count
    characters, not bytes) or a LINE with an optional COLUMN (both 1-based)."""

    model_config = ConfigDict(extra="forbid")

    offset: int | None = Field(None, ge=0)
    line: int | None = Field(None, ge=1)
    column: int | None = Field(None, ge=1)

    @model_validator(mode="after")
    def _one_way(self) -> Position:
        if (self.offset is None) == (self.line is None):
            raise ValueError("give exactly one of 'offset' and 'line'")
        if self.column is not None and self.line is None:
            raise ValueError("'column' needs 'line'")
        return self


class CoqSuggestRequest(ClientRequest):
    """A Coq file's whole text and a cursor inside one of its proofs."""

    text: str
    cursor: Position
    n: int | None = Field(None, ge=1, description="suggestions wanted (server default if absent)")
    prove: bool = False  # also search for a checked proof of the rest from the cursor
    budget: Budget = Budget()  # the search's budget when `prove`


class CheckedSuggestion(BaseModel):
    tactic: str
    status: Literal["closes", "goals", "fails"]
    goals: int  # goals left when status is "goals"
    message: str  # Coq's message when status is "fails"


class CoqSuggestResponse(BaseModel):
    theorem: str  # the name of the theorem whose proof holds the cursor
    goals: str  # the goals at the cursor, as Coq prints them
    suggestions: list[CheckedSuggestion]  # closing ones first, failing ones last
    proof: list[str] | None  # with `prove`: the tactics that finish the proof, checked as a whole; else None


class PremisesRequest(ClientRequest):
    """A goal and the Coq text before its theorem, whose declarations are the candidates."""

    goal: str
    context: str = ""
    k: int | None = Field(None, ge=1, description="premises wanted (server default if absent, at most max_samples)")


class RankedPremise(BaseModel):
    name: str
    statement: str
    score: float  # BM25 score of the statement for the goal, > 0


class PremisesResponse(BaseModel):
    premises: list[RankedPremise]  # best first; declarations sharing no token with the goal left out


class ProveResponse(BaseModel):
    status: Literal["proved", "failed", "skipped", "error"]
    proof: list[str] | None  # only when the checker accepted it
    checked: bool  # the independent checker's verdict on `proof`
    source: str | None  # the complete file the checker compiled
    partial: list[str]  # the deepest tactic path the search reached when unproved
    message: str
    expansions: int
    wall_s: float
    search: dict[str, Any]  # SearchResult.to_record()
