"""Best-first proof search: the search graph (`search.tree`), the algorithm
(`search.best_first`), many searches at once (`search.runner`), and the policy protocol
(`search.policy`) and its batching wrapper (`search.batching`)."""

from search.batching import BatchingPolicy
from search.best_first import SearchConfig, SearchResult, best_first_search
from search.policy import Candidate, TacticPolicy
from search.runner import search_many
from search.tree import SearchTree, Status, graph_to_json

__all__ = [
    "BatchingPolicy", "Candidate", "SearchConfig", "SearchResult", "SearchTree", "Status", "TacticPolicy",
    "best_first_search", "graph_to_json", "search_many",
]
