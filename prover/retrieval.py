"""Sparse retrieval over Coq text, shared by the kNN tactic policy and premise selection:
Coq tokens, the retrieval features of a goals text, BM25 indexes (`bm25s`) stored as a
directory with one JSON record per document, and reciprocal rank fusion of rankings.

Goal features weight the focused goal's conclusion (the text after its goal rule, up to the
next goal) `CONCLUSION_WEIGHT` times, and keep each token of the hypotheses and of the other
goals at most `HYPOTHESIS_CAP` times, so a long list of similar hypotheses does not outweigh
what is to be proved. Queries and indexed goals get the same features; an index records them
in its meta and is refused by code with other ones.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any, Hashable, Mapping, Sequence, TypeVar

if TYPE_CHECKING:  # bm25s loads when an index is built or read: vLLM's environment breaks with it imported
    import bm25s

# identifiers (qualified, primed), numbers, operator runs; brackets, commas and colons carry no evidence
_TOKEN = re.compile(r"[A-Za-z_][\w'.]*[\w']|[A-Za-z_]|\d+|[^\w\s(),:]+")
_HEADER = re.compile(r"^\s*\d+ goals?\b")  # "N goals": in every state
_RULE = re.compile(r"^[ \t]*={4,}[ \t]*$", re.M)
_NEXT_GOAL = re.compile(r"^\s*goal \d+ is:", re.M)
CONCLUSION_WEIGHT, HYPOTHESIS_CAP = 3, 1  # the best of a small grid on held-out stdlib steps (README)
FEATURES = f"conclusion x{CONCLUSION_WEIGHT}, hypotheses capped at {HYPOTHESIS_CAP}"  # in an index's meta
META_FILE = "meta.json"


def coq_tokens(text: str) -> list[str]:
    """The Coq tokens of a text: identifiers, numbers, operator runs."""
    return _TOKEN.findall(text)


def goal_features(goals: str) -> list[str]:
    """The retrieval features of a goals text: the focused conclusion's tokens repeated, the
    other tokens capped."""
    text = _HEADER.sub(" ", goals, count=1)
    rule = _RULE.search(text)
    hypotheses, conclusion = (text[:rule.start()], text[rule.end():]) if rule else ("", text)
    later = _NEXT_GOAL.search(conclusion)
    if later:
        hypotheses, conclusion = hypotheses + "\n" + conclusion[later.end():], conclusion[:later.start()]
    seen: Counter[str] = Counter()
    capped = []
    for token in coq_tokens(hypotheses):
        seen[token] += 1
        if seen[token] <= HYPOTHESIS_CAP:
            capped.append(token)
    return capped + coq_tokens(conclusion) * CONCLUSION_WEIGHT


def bm25_index(documents: Sequence[list[str]]) -> bm25s.BM25:
    import bm25s

    bm25 = bm25s.BM25()
    bm25.index([list(d) for d in documents], show_progress=False)
    return bm25


def bm25_search(bm25: bm25s.BM25, queries: Sequence[list[str]], n: int, size: int) -> list[list[tuple[float, int]]]:
    """Up to `n` (score, document number) pairs per query, best first; documents sharing no token left out."""
    ids, scores = bm25.retrieve([list(q) for q in queries], k=min(n, size), show_progress=False, n_threads=1)
    return [[(float(s), int(i)) for i, s in zip(row_ids, row_scores) if s > 0] for row_ids, row_scores in zip(ids, scores)]


RRF_K = 60  # reciprocal rank fusion's constant (Cormack et al.)
Item = TypeVar("Item", bound=Hashable)


def rank_fusion(rankings: Sequence[Sequence[Item]]) -> list[tuple[float, Item]]:
    """Reciprocal rank fusion: each item scored by the sum of 1/(RRF_K + rank) over the
    rankings (best first) holding it, best first; on a tie, the earlier ranking's item first."""
    score: dict[Item, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking):
            score[item] = score.get(item, 0.0) + 1 / (RRF_K + rank + 1)
    return sorted(((s, item) for item, s in score.items()), key=lambda pair: -pair[0])


def save_index(path: Path, bm25: bm25s.BM25, records_file: str, records: Sequence[Mapping[str, Any]],
               meta: Mapping[str, Any]) -> None:
    """`path/`: the BM25 matrices, `records_file` (one JSON record per document), `meta.json`."""
    path.mkdir(parents=True, exist_ok=True)
    bm25.save(str(path), show_progress=False)
    with (path / records_file).open("w", encoding="utf-8") as fh:
        for record in records:
            fh.write(json.dumps(record) + "\n")
    (path / META_FILE).write_text(json.dumps({**meta, "features": FEATURES, "documents": len(records)}, indent=1) + "\n")


def load_index(path: Path, records_file: str, build_hint: str) -> tuple[bm25s.BM25, list[dict], dict]:
    """(BM25, records, meta) of an index directory; FileNotFoundError naming `build_hint` when
    there is none, ValueError when it was built with other features than these."""
    if not (path / records_file).is_file():
        raise FileNotFoundError(f"no index at {path} (build one: {build_hint})")
    meta = json.loads((path / META_FILE).read_text(encoding="utf-8"))
    if meta.get("features") != FEATURES:
        raise ValueError(f"the index at {path} was built with other features ({meta.get('features', 'goal tokens')!r}, "
                         f"not {FEATURES!r}); rebuild it: {build_hint}")
    with (path / records_file).open(encoding="utf-8") as fh:
        records = [json.loads(line) for line in fh]
    import bm25s

    return bm25s.BM25.load(str(path), show_progress=False), records, meta
