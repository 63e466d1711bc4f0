"""The vernacular guard: what a client-sent Coq context may contain before a prover runs it.

A whitelist, like the tactic guard: every sentence is a proof-mode sentence (it starts with no
capital letter: tactics, bullets, braces, goal selectors) or a vernacular command whose first
word, after attributes (`#[...]`), locality and prefix commands (`Time`, `Timeout N`, `Fail`,
...; the command they wrap is checked in turn), is one of the declaration, notation, scope,
module, query and proof commands below. Nothing that reaches the file system, native code or
the load path gets through: `Load`, `Cd`, `Redirect`, `Extraction`, `Drop`, `Declare ML Module`,
`Add LoadPath`/`Add ML Path`, `Require` from a file name (a string), and `Set`/`Unset` of an
option about extraction, files, paths or native compilation.
"""

from __future__ import annotations

import re
from typing import Callable

from environments.coq_syntax import mask_literals, split_sentences, strip_comments
from environments.isabelle_guard import isabelle_context_problem
from environments.lean_guard import lean_context_problem

_ALLOWED = frozenset({
    # declarations
    "Definition", "Fixpoint", "CoFixpoint", "Inductive", "CoInductive", "Variant", "Record", "Structure",
    "Class", "Instance", "Existing", "Let", "Example", "Theorem", "Lemma", "Fact", "Remark", "Corollary",
    "Proposition", "Property", "Goal", "Axiom", "Axioms", "Parameter", "Parameters", "Conjecture",
    "Hypothesis", "Hypotheses", "Variable", "Variables", "Context", "Function", "Scheme", "Combined",
    "Coercion", "SubClass", "Canonical", "Identity", "Universe", "Universes", "Constraint", "Generalizable",
    "Obligation", "Next", "Solve", "Obligations", "Derive",
    # notations, scopes, hints, tactics, implicit arguments, reduction
    "Notation", "Infix", "Reserved", "Number", "String", "Open", "Close", "Delimit", "Undelimit", "Bind",
    "Arguments", "Implicit", "Hint", "Create", "Remove", "Ltac", "Tactic", "Typeclasses", "Opaque",
    "Transparent", "Strategy", "Enable", "Disable",
    # modules, sections, libraries
    "Section", "Module", "End", "Include", "Require", "Import", "Export", "From",
    # options, queries, proofs
    "Set", "Unset", "Check", "Compute", "Eval", "Print", "About", "Locate", "Search", "SearchPattern",
    "SearchRewrite", "Proof", "Qed", "Defined", "Admitted", "Abort", "Save", "Unshelve",
    "Declare", "Add",
})
# the second word allowed after "Declare" / "Add" (Declare ML Module, Add LoadPath are not)
_SECOND_WORD = {
    "Declare": frozenset({"Module", "Scope", "Instance", "Custom", "Equivalent", "Reduction", "Left", "Right"}),
    "Add": frozenset({"Parametric", "Morphism", "Relation", "Setoid", "Ring", "Field", "Zify"}),
}
_FILE_OPTION = re.compile(r"Extraction|Directory|File|Path|Output|Load|Native|Dump", re.I)
_ATTRIBUTES = re.compile(r"#\[[^\]]*\]\s*")
_MODIFIER = re.compile(r"(?:Local|Global|Polymorphic|Monomorphic|Program|Private|Cumulative|NonCumulative"
                       r"|Time|Fail|Succeed|Instructions|Timeout\s+\d+)\s+")
_WORD = re.compile(r"[A-Za-z_][\w']*")


def _command_problem(sentence: str) -> str | None:
    masked = mask_literals(sentence)
    code = masked.strip()
    while True:  # attributes, modifiers and prefix commands: look at the command they wrap
        stripped = _MODIFIER.sub("", _ATTRIBUTES.sub("", code, count=1), count=1)
        if stripped == code:
            break
        code = stripped
    if not code[:1].isupper():
        return None  # proof mode: a tactic, bullet, brace or goal selector
    words = _WORD.findall(code)
    first = words[0] if words else code[:1]
    if first not in _ALLOWED:
        return f"{first!r} is not allowed in a context"
    if first in _SECOND_WORD and (len(words) < 2 or words[1] not in _SECOND_WORD[first]):
        return f"'{' '.join(words[:2])}' is not allowed in a context"
    if first in ("Require", "From") and '"' in strip_comments(sentence):
        return "Require from a file name is not allowed in a context"
    if {"Set", "Unset"} & set(words[:2]) and _FILE_OPTION.search(code):  # `Export Set ...` too
        return f"option {' '.join(words[1:4])!r} is not allowed in a context"
    return None


def coq_vernacular_problem(text: str) -> str | None:
    """None if every sentence of `text` may run in a server's prover, else why not."""
    split = split_sentences(text)
    if not split.balanced:
        return "unterminated comment or string"
    for sentence in split.sentences:
        problem = _command_problem(sentence.text)
        if problem:
            return f"{problem}: {sentence.text.strip()[:80]!r}"
    if split.rest:
        return _command_problem(split.rest)
    return None


# the context guard of each system
CONTEXT_GUARDS: dict[str, Callable[[str], str | None]] = {
    "coq": coq_vernacular_problem, "lean": lean_context_problem, "isabelle": isabelle_context_problem}
