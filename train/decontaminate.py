"""Decontamination: drop every training document that shares a 30-gram with a miniF2F
statement (Lean 4, Isabelle, Rocq, informal), as the Llemma paper did; a statement shorter
than 30 tokens must appear whole. The dropped documents are listed in a report."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

from environments.coq_syntax import THEOREM_KEYWORD
from train.corpora import Document

_TOKEN = re.compile(r"\w+|[^\w\s]")
_ISABELLE_THEOREM = re.compile(r"^(?:theorem|lemma)\b.*?(?=^\s*(?:sorry|oops|proof|by|using|apply)\b|\Z)", re.S | re.M)
_ROCQ_THEOREM = re.compile(r"^" + THEOREM_KEYWORD + r"\b.*?(?=^\s*Proof\b|\Z)", re.S | re.M)
_LEAN_THEOREM = re.compile(r"^(?:theorem|lemma)\b.*?(?=:=|\Z)", re.S | re.M)

N = 30


def tokens(text: str) -> list[str]:
    """Word and symbol tokens, lower-cased: layout and case do not hide an overlap."""
    return _TOKEN.findall(text.lower())


def minif2f_statements(root: Path) -> dict[str, str]:
    """Every miniF2F statement under `root` (lean4/, isabelle/, rocq/, informal/), by id."""
    found: dict[str, str] = {}
    for file in sorted((root / "lean4").rglob("*.jsonl")):
        for line in file.read_text(encoding="utf-8").splitlines():
            if line.strip():
                record = json.loads(line)
                found[f"lean4:{record['id']}"] = record["formal_statement"].removesuffix("sorry").rstrip()
    patterns = {"lean4": ("*.lean", _LEAN_THEOREM), "isabelle": ("*.thy", _ISABELLE_THEOREM),
                "rocq": ("*.v", _ROCQ_THEOREM)}
    for system, (glob, theorem) in patterns.items():
        for file in sorted((root / system).rglob(glob)):
            for index, match in enumerate(theorem.finditer(file.read_text(encoding="utf-8", errors="replace"))):
                found[f"{system}:{file.parent.name}/{file.stem}#{index}"] = match.group(0).strip()
    for file in sorted((root / "informal").rglob("*.json")):
        record = json.loads(file.read_text(encoding="utf-8"))
        found[f"informal:{file.parent.name}/{file.stem}"] = record["informal_statement"]
    return found


@dataclass
class NgramIndex:
    """The n-grams of the statements (whole token tuples for the short ones)."""

    n: int = N
    grams: dict[tuple[str, ...], str] = field(default_factory=dict)  # n-gram -> statement id
    # statements shorter than n, keyed by their first `prefix` tokens: [(whole tokens, id)]
    short: dict[tuple[str, ...], list[tuple[tuple[str, ...], str]]] = field(default_factory=dict)
    prefix: int = 1

    @classmethod
    def build(cls, statements: dict[str, str], n: int = N) -> NgramIndex:
        index = cls(n)
        short = []
        for sid, text in statements.items():
            toks = tuple(tokens(text))
            if len(toks) < n:
                short.append((toks, sid))
            for i in range(len(toks) - n + 1):
                index.grams.setdefault(toks[i: i + n], sid)
        short = [(toks, sid) for toks, sid in short if toks]
        index.prefix = min((len(toks) for toks, _ in short), default=1)
        for toks, sid in short:
            index.short.setdefault(toks[: index.prefix], []).append((toks, sid))
        return index

    def match(self, text: str) -> str | None:
        """The id of a statement that `text` overlaps, or None."""
        toks = tuple(tokens(text))
        for i in range(len(toks) - self.n + 1):
            hit = self.grams.get(toks[i: i + self.n])
            if hit is not None:
                return hit
        for i in range(len(toks) - self.prefix + 1):
            for whole, sid in self.short.get(toks[i: i + self.prefix], ()):
                if toks[i: i + len(whole)] == whole:
                    return sid
        return None


@dataclass
class DecontaminationReport:
    documents: int = 0
    dropped: list[dict[str, str]] = field(default_factory=list)  # {"id", "source", "statement"}

    def to_json(self) -> dict:
        return {"documents": self.documents, "dropped_count": len(self.dropped), "dropped": self.dropped}


def decontaminate(documents: Iterable[Document], index: NgramIndex, report: DecontaminationReport) -> Iterator[Document]:
    """The documents that overlap no statement; the others are recorded in `report`."""
    for doc in documents:
        report.documents += 1
        hit = index.match(doc.text)
        if hit is None:
            yield doc
        else:
            report.dropped.append({"id": doc.id, "source": doc.source, "statement": hit})
