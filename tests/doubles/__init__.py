"""Protocol-faithful stand-ins for provers that cannot be installed here: a fake Lean REPL
executable (fake_lean_repl.py) and a fake PISA gRPC server (fake_pisa_server.py)."""
