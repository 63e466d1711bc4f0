"""`prove serve [--port P] [--host H] [--token T] [--env E] [key=value ...]`: compose the
`serve` config (configs/serve.yaml) with the flags as Hydra overrides, load the model, then
run the server under uvicorn until SIGINT (exit 130) or SIGTERM (exit 143), either of which
kills the provers at once so that running searches end and leave nothing behind."""

from __future__ import annotations

import argparse
import sys
from types import FrameType
from typing import Sequence

import uvicorn
from hydra.errors import HydraException
from omegaconf.errors import OmegaConfBaseException
from pydantic import ValidationError

from configs.cli import BadInput, OneLineParser, run_command
from environments.process import stop_all
from prover.server.main import create_app
from prover.server.services import Services, load_services
from prover.server.settings import ServerSettings, Settings, load_settings


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = OneLineParser(
        prog="prove serve",
        description="Tactic-suggestion server: llmstep (POST /), LeanCopilot (/generate, /encode), "
                    "/prove, /stats, /health.")
    parser.add_argument("--host", help="address to bind (default 127.0.0.1: this machine only)")
    parser.add_argument("--port", type=int, help="port (default 6000, llmstep's; LeanCopilot uses 23337)")
    parser.add_argument("--token", help="require 'Authorization: Bearer TOKEN' (or set LLEMMA_SERVER_TOKEN)")
    parser.add_argument("--env", help="environment for /prove, e.g. coq (the Hydra group env/)")
    parser.add_argument("overrides", nargs="*", metavar="key=value", help="Hydra overrides, e.g. model.path=DIR")
    return parser.parse_args(argv)


def settings_of(args: argparse.Namespace) -> Settings:
    flags = [f"server.host={args.host}"] if args.host else []
    flags += [f"server.port={args.port}"] if args.port is not None else []
    flags += [f"env={args.env}"] if args.env else []
    settings = load_settings(flags + list(args.overrides))
    if args.token == "":
        raise BadInput("--token is empty: that would leave the server open (was the variable you passed unset?)")
    if args.token is not None:
        # set after composing (a token needs no escaping from Hydra's override grammar), validated again
        server = settings.server.model_dump() | {"token": args.token}
        settings = settings.model_copy(update={"server": ServerSettings.model_validate(server)})
    return settings


class _Server(uvicorn.Server):
    """uvicorn's server, which on SIGINT/SIGTERM also kills every prover: a running /prove
    search ends now (its request answered with an error), not at its budget."""

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        stop_all()
        super().handle_exit(sig, frame)


def serve(settings: Settings, services: Services) -> None:
    """Run the server in this process until SIGINT/SIGTERM, which uvicorn raises again once it
    has shut down (run_command's handler then gives the exit status)."""
    server = _Server(uvicorn.Config(create_app(settings, services), host=settings.server.host,
                                    port=settings.server.port, log_level="info"))
    server.run()
    if not server.started:
        raise BadInput(f"cannot listen on {settings.server.host}:{settings.server.port} (the log above says why)")


def one_line(exc: Exception) -> str:
    """A config error as one line: pydantic's first error with its location, else the first line."""
    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        return f"{'.'.join(str(p) for p in first['loc'])}: {first['msg']}"
    return str(exc).strip().splitlines()[0]


def main(argv: Sequence[str] | None = None) -> int:
    def body() -> int:
        try:
            settings = settings_of(parse_args(argv))
        except (HydraException, OmegaConfBaseException, ValidationError) as exc:
            raise BadInput(one_line(exc)) from None
        # loaded before the server binds: a model that cannot load is bad input, not a failed startup
        try:
            services = load_services(settings)
        except (TypeError, ValueError, OSError) as exc:
            raise BadInput(f"model: {one_line(exc)}") from None
        serve(settings, services)
        return 0

    return run_command("prove serve", body)


if __name__ == "__main__":
    sys.exit(main())
