"""One router per resource: llmstep's root route, LeanCopilot's /generate and /encode,
/prove, and /stats with /health."""
