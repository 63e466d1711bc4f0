"""One router per resource: llmstep's root route, LeanCopilot's /generate and /encode,
/prove, /suggest/coq (a cursor in a Coq file), /premises (premise selection), and /stats with /health."""
