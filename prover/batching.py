"""BatchingPolicy: concurrent propose() calls merged into one model call. The
implementation lives in `search.batching` (it needs only the policy protocol, and search
must not import prover/); this is its name on the prover side."""

from search.batching import BatchingPolicy

__all__ = ["BatchingPolicy"]
