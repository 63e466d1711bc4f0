"""Splitting Coq source text into sentences, as coqtop reads them.

Handles nested comments (with strings inside them), strings with `""` escapes, qualified
names (`Nat.add`), the `..` notation token, the `...` terminator, bullets (`-`, `+`, `*`
runs), braces `{` / `}` and goal selectors (`2: {`). Comments are dropped from the
sentence text, so what is sent to the prover and recorded as a tactic is code only.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

_SELECTOR_BRACE = re.compile(r"(\d+|\[[\w']+\])\s*:\s*\{")
_SPECIAL = re.compile(r'\(\*|"|\.')
_VERNAC_END = re.compile(r"(Qed|Defined|Admitted|Save|Abort)\b")


@dataclass(frozen=True)
class Sentence:
    text: str  # code without comments, whitespace preserved
    line: int  # 1-based line of the sentence's first character

    @property
    def flat(self) -> str:
        """The sentence on one line, whitespace runs folded."""
        return " ".join(self.text.split())

    @property
    def is_bullet(self) -> bool:
        return bool(re.fullmatch(r"[-+*]+|\{|\}|" + _SELECTOR_BRACE.pattern, self.flat))

    @property
    def ends_proof(self) -> bool:
        return bool(_VERNAC_END.match(self.flat))


def _skip_comment(text: str, i: int) -> int:
    """Index just after the comment opening at `i` (nested comments, strings inside)."""
    depth, i, n = 1, i + 2, len(text)
    while i < n and depth:
        if text.startswith("(*", i):
            depth, i = depth + 1, i + 2
        elif text.startswith("*)", i):
            depth, i = depth - 1, i + 2
        elif text[i] == '"':
            i = _skip_string(text, i)
        else:
            i += 1
    return i


def _skip_string(text: str, i: int) -> int:
    """Index just after the string opening at `i`; `""` inside is an escaped quote."""
    i += 1
    while i < len(text):
        if text[i] == '"':
            if text.startswith('""', i):
                i += 2
                continue
            return i + 1
        i += 1
    return i


def split_sentences(text: str) -> list[Sentence]:
    """The sentences of a Coq source, in order, comments removed."""
    sentences: list[Sentence] = []
    buf: list[str] = []
    start = -1
    i, n = 0, len(text)
    newlines = [m.start() for m in re.finditer("\n", text)]

    def flush() -> None:
        nonlocal buf, start
        code = "".join(buf).strip()
        if code:
            sentences.append(Sentence(code, bisect_right(newlines, start) + 1))
        buf, start = [], -1

    while i < n:
        ch = text[i]
        if text.startswith("(*", i):
            i = _skip_comment(text, i)
            buf.append(" ")
            continue
        if start < 0:
            # at a sentence start: bullets, braces and `N: {` are sentences of their own
            if ch.isspace():
                i += 1
                continue
            start = i
            selector = _SELECTOR_BRACE.match(text, i)
            if selector:
                buf.append(selector.group(0))
                i = selector.end()
                flush()
                continue
            if ch in "{}":
                buf.append(ch)
                i += 1
                flush()
                continue
            if ch in "-+*":
                j = i
                while j < n and text[j] == ch:
                    j += 1
                buf.append(text[i:j])
                i = j
                flush()
                continue
        if ch == '"':
            j = _skip_string(text, i)
            buf.append(text[i:j])
            i = j
            continue
        if ch == ".":
            j = i
            while j < n and text[j] == ".":
                j += 1
            run = j - i
            buf.append(text[i:j])
            i = j
            if run != 2 and (j >= n or text[j].isspace()):
                flush()
            continue
        special = _SPECIAL.search(text, i + 1)
        j = special.start() if special else n
        buf.append(text[i:j])
        i = j
    flush()
    return sentences
