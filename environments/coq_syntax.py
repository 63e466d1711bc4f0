"""Coq's sentence structure: splitting vernacular text into sentences the way coqtop reads it.

A sentence ends at a `.` (or the old `...` terminator; `..` is notation) followed by
whitespace or the end of the text, outside comments (nested `(* *)`) and strings (`""`
escapes a quote); bullets (`-`, `+`, `*` runs) and braces (`{`, `}`, `N: {`) at the start
of a sentence are sentences of their own. The tactic guard, the backend, the checker, the
theorem-file parser and the stdlib tracer all split with this one function. The theorem
declaration keywords (`THEOREM_KEYWORD`, `DECLARATION`, `declaration_name`; with definitions,
`CONSTANT_DECLARATION` for premise selection) and the proof
terminators (`PROOF_END`) live here too, for the same readers plus decontamination and the server,
`open_blocks`, the sections and modules a text leaves open (the checker closes them), and
`IMPORTS_HAMMER`, whether a context imports CoqHammer (the backend's hammer, the policies), and
`REQUIRE_IMPORT`, the modules a sentence requires and imports (premise selection).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterator

_LITERAL = re.compile(r'\(\*|"')  # what opens a comment or a string
_SPECIAL = re.compile(r'\(\*|"|\.')  # ... or may end a sentence
_DOTS = re.compile(r"\.+")
_BULLET = re.compile(r"-+|\++|\*+|\{|\}|(?:\d+|\[[A-Za-z_][\w']*\])\s*:\s*\{")

# the keywords that state a theorem to be proved (a regex alternation, no group)
THEOREM_KEYWORD = r"(?:Theorem|Lemma|Fact|Remark|Corollary|Proposition|Property|Example)"
# the keywords that define a constant by a term or a fixpoint
DEFINITION_KEYWORD = r"(?:Definition|Fixpoint|CoFixpoint)"
_DECLARATION_PREFIX = r"(?:#\[[^\]]*\]\s*)?(?:(?:Local|Global|Program|Polymorphic)\s+)*"  # attributes, modifiers
# a theorem declaration sentence, attributes and modifiers included; group 1 is the name
DECLARATION = re.compile(_DECLARATION_PREFIX + THEOREM_KEYWORD + r"\s+([A-Za-z_][\w']*)")
# a theorem or definition declaration sentence (a constant later proofs may use); group 1 is the name
CONSTANT_DECLARATION = re.compile(_DECLARATION_PREFIX + r"(?:" + THEOREM_KEYWORD + "|" + DEFINITION_KEYWORD
                                  + r")\s+([A-Za-z_][\w']*)")
# the sentences that end a proof
PROOF_END = re.compile(r"(?:Qed|Defined|Admitted|Abort|Save)\b")
# a context that imports CoqHammer (`hammer`, `sauto`, ... exist only after it)
IMPORTS_HAMMER = re.compile(r"\bRequire\s+(?:Import|Export)\s+(?:[\w.]+\s+)*Hammer\b")
# a sentence that requires and imports modules; groups: the `From` prefix, Import or Export, the names
REQUIRE_IMPORT = re.compile(r"(?:From\s+([\w.]+)\s+)?Require\s+(Import|Export)\s+((?:[\w.']+\s*)+)\.$")
# a sentence that opens a section or an interactive module (type); groups: kind, name
_OPENS_BLOCK = re.compile(r"(?:#\[[^\]]*\]\s*)*(?:(?:Local|Global)\s+)?(Section|Module\s+Type|Module)\s+"
                          r"(?:(?:Import|Export)\s+)?([^\W\d][\w']*)")
_ENDS_BLOCK = re.compile(r"End\s+([^\W\d][\w']*)\s*\.")


@dataclass(frozen=True)
class Sentence:
    """One sentence: its text (terminator included) and its span in the source."""

    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Split:
    sentences: list[Sentence]
    rest: str  # unterminated text after the last sentence, stripped
    balanced: bool  # False when a comment or string is still open at the end


def _skip_blank(text: str, i: int) -> tuple[int, bool]:
    """Index of the next character that is neither whitespace nor inside a comment."""
    n = len(text)
    while i < n:
        if text[i].isspace():
            i += 1
        elif text.startswith("(*", i):
            i = _comment_end(text, i)
            if i < 0:
                return n, False
        else:
            break
    return i, True


def _comment_end(text: str, i: int) -> int:
    """Index just past the comment opening at `i` (nested, strings inside honoured), or -1."""
    depth, n = 0, len(text)
    while i < n:
        if text.startswith("(*", i):
            depth, i = depth + 1, i + 2
        elif text.startswith("*)", i):
            depth, i = depth - 1, i + 2
            if depth == 0:
                return i
        elif text[i] == '"':
            i = _string_end(text, i)
            if i < 0:
                return -1
        else:
            i += 1
    return -1


def _string_end(text: str, i: int) -> int:
    """Index just past the string literal opening at `i`, or -1."""
    i += 1
    while True:
        j = text.find('"', i)
        if j < 0:
            return -1
        if text.startswith('""', j):
            i = j + 2
        else:
            return j + 1


def _literals(text: str) -> Iterator[tuple[int, int, bool]]:
    """(start, end, is_comment) of every comment and string literal, in order; an
    unterminated one runs to the end of the text."""
    i, n = 0, len(text)
    while (found := _LITERAL.search(text, i)) is not None:
        start = found.start()
        comment = text[start] == "("
        end = _comment_end(text, start) if comment else _string_end(text, start)
        i = n if end < 0 else end
        yield start, i, comment


def mask_literals(text: str) -> str:
    """`text` with every comment and string literal replaced by blanks of the same length."""
    masked = list(text)
    for start, end, _ in _literals(text):
        masked[start:end] = " " * (end - start)
    return "".join(masked)


def in_comment(text: str, offset: int) -> bool:
    """Whether `offset` of `text` lies inside a comment (its delimiters included)."""
    return any(comment and start <= offset < end for start, end, comment in _literals(text))


def strip_comments(text: str) -> str:
    """`text` with every comment replaced by one blank (strings, which may hold `(*`, kept)."""
    out, i = [], 0
    for start, end, comment in _literals(text):
        if comment:
            out.append(text[i:start] + " ")
            i = end
    out.append(text[i:])
    return "".join(out)


def declaration_name(sentence: str) -> str | None:
    """The name declared by a `Theorem`/`Lemma`/... sentence, or None for any other sentence."""
    found = DECLARATION.match(sentence.lstrip())
    return found.group(1) if found else None


def open_blocks(text: str) -> list[tuple[str, str]]:
    """The sections and modules still open at the end of `text`, outermost first, as
    (kind, name) with kind "Section", "Module" or "Module Type". `Module M := ...` and
    `Declare Module` open nothing; an `End` closes the innermost block of its name."""
    stack: list[tuple[str, str]] = []
    for sentence in split_sentences(text).sentences:
        body = strip_comments(sentence.text).strip()
        opened = _OPENS_BLOCK.match(body)
        closed = _ENDS_BLOCK.fullmatch(body)
        if opened and ":=" not in mask_literals(body):
            stack.append((" ".join(opened.group(1).split()), opened.group(2)))
        elif closed and stack and stack[-1][1] == closed.group(1):
            stack.pop()
    return stack


def is_bullet(sentence: str) -> bool:
    """Whether `sentence` is a bullet or brace: a sentence that takes no terminating `.`."""
    return _BULLET.fullmatch(sentence.strip()) is not None


def split_sentences(text: str) -> Split:
    """Split `text` into complete sentences plus the unterminated remainder."""
    sentences: list[Sentence] = []
    n = len(text)
    i, ok = _skip_blank(text, 0)
    while ok and i < n:
        start = i
        bullet = _BULLET.match(text, i)
        if bullet:
            sentences.append(Sentence(bullet.group(0), start, bullet.end()))
            i, ok = _skip_blank(text, bullet.end())
            continue
        end = -1
        while i < n:
            if text.startswith("(*", i):
                i = _comment_end(text, i)
            elif text[i] == '"':
                i = _string_end(text, i)
            elif text[i] == ".":
                dots = _DOTS.match(text, i).end()
                if dots - i != 2 and (dots == n or text[dots].isspace()):  # `..` is notation
                    end = dots
                    break
                i = dots
                continue
            else:
                special = _SPECIAL.search(text, i + 1)
                i = special.start() if special else n
                continue
            if i < 0:
                return Split(sentences, text[start:], False)
        if end < 0:
            return Split(sentences, text[start:].strip(), True)
        sentences.append(Sentence(text[start:end], start, end))
        i, ok = _skip_blank(text, end)
    return Split(sentences, "", ok)
