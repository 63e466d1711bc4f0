"""The tactic guard: what a policy's output may be before it reaches Coq.

A whitelist, not a list of known attacks: the text must be exactly one proof-mode sentence
of the tactic language, which is

    [bullet] [goal selector ":"] tactic-expression "."      or a lone bullet / brace,

where the tactic expression starts with a lower-case word or "(" (every vernacular command
starts with a capital: `Admitted`, `Require`, `Load`, `Lemma`, ...), the only capitalised
command allowed is `Unshelve`, brackets, strings and comments are balanced, and no word of it
gives up a goal (`admit`, `give_up`) or skips the type check the kernel redoes later
(`exact_no_check`, ...). Anything else is rejected with the reason.
"""

from __future__ import annotations

import re

from environments.coq_syntax import is_bullet, mask_literals, split_sentences

MAX_LENGTH = 2000
# words that close goals without proving them, or let the stepping prover accept what Qed refuses
_FORBIDDEN_WORDS = frozenset({"admit", "give_up", "Admitted", "exact_no_check", "vm_cast_no_check",
                              "native_cast_no_check"})
_SELECTOR = re.compile(r"(?:all|par|!|\d+(?:\s*-\s*\d+)?(?:\s*,\s*\d+(?:\s*-\s*\d+)?)*|\[[A-Za-z_][\w']*\])\s*:(?!=)\s*")
_START = re.compile(r"[a-z_(]|Unshelve$")
_WORD = re.compile(r"[A-Za-z_][\w']*")
_PAIRS = {")": "(", "]": "[", "}": "{"}


def _bracket_problem(code: str) -> str | None:
    stack: list[str] = []
    for ch in code:
        if ch in "([{":
            stack.append(ch)
        elif ch in _PAIRS:
            if not stack or stack.pop() != _PAIRS[ch]:
                return f"unbalanced {ch!r}"
    return f"unclosed {stack[-1]!r}" if stack else None


def normalise_tactic(text: str) -> str:
    """The tactic as sent to Coq: stripped, with its one terminating `.` (bullets take none)."""
    text = text.strip()
    if is_bullet(text) or text.endswith("."):
        return text
    return text + "."


def coq_tactic_problem(text: str) -> str | None:
    """None if `text` is one acceptable Coq tactic sentence, else why it is rejected."""
    if not text.strip():
        return "empty tactic"
    if len(text) > MAX_LENGTH:
        return f"tactic longer than {MAX_LENGTH} characters"
    if "prompt>" in text:
        return "prompt marker in tactic"  # coqtop echoes input in errors: it must not fake a prompt
    if any(ord(c) < 32 and c not in "\t\n" for c in text) or "\x7f" in text:
        return "control characters in tactic"
    tactic = normalise_tactic(text)
    if is_bullet(tactic):
        return None
    split = split_sentences(tactic)
    if not split.balanced:
        return "unterminated comment or string"
    sentences = split.sentences
    if len(sentences) == 2 and is_bullet(sentences[0].text):
        sentences = sentences[1:]
    if len(sentences) != 1 or split.rest or sentences[0].end != len(tactic):
        return "more than one sentence"
    code = mask_literals(sentences[0].text[:-1]).strip()
    selector = _SELECTOR.match(code)
    if selector:
        code = code[selector.end():]
    if not _START.match(code):
        first = _WORD.match(code)
        return f"not a tactic: starts with {first.group(0) if first else code[:1]!r}"
    for word in _WORD.findall(code):
        if word in _FORBIDDEN_WORDS:
            return f"forbidden word {word!r}"
    return _bracket_problem(code)
