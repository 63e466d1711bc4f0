"""miniF2F loaders, one module per system (rocq, lean4, isabelle), and the informal
statements and proofs attached to them by problem name (informal)."""
