"""The editor server (`prove serve`): one FastAPI app speaking llmstep's and LeanCopilot's
protocols plus /prove, /suggest/coq, /stats and /health, over a BatchingPolicy so concurrent editors
share model calls. See README.md in this folder."""
