"""Draft-Sketch-Prove (informal to formal): from a problem's informal statement and proof,
the model writes a formal proof sketch with holes; the system's automation closes each
hole; the whole proof is then re-checked by the checker.

Holes are `admit.` sentences in Coq and `sledgehammer` in Isabelle. A hole is closed by
the first automation tactic that proves exactly that goal (`prover.policies.automation`'s
list for the system, in Coq each as `solve [ T ]`), then by the backend's hammer
(`Environment.close_hole`: CoqHammer's `hammer`, Sledgehammer through PISA). Besides the
model's sketches, the statement's bare skeleton (introduce, then one hole) is tried, and
every record says which sketch proved it, so what the model contributes is visible.

One module per job: `examples` (few-shot examples and their paths), `prompts`, `sketches`
(the two sketch parsers), `holes` (closing holes), `pipeline` (one problem, start to end)
and `writers` (who writes the sketches: a table or a Hugging Face model).
"""
