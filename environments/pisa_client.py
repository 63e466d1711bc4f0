"""A client for a PISA (Portal-to-ISAbelle) gRPC server: the session start sequence and
the string commands of environments/PROTOCOLS.md ("PISA"), over the stubs generated from pisa.proto.

Server failures become `PisaFailure` with an ErrorKind: a deadline is TIMEOUT, anything
else (the server went away, or it answered bytes that are not our messages) is CRASH.
"""

from __future__ import annotations

import re
from pathlib import Path

import grpc

from environments.base import ErrorKind, ProverError
from environments.pisa_pb2 import IsaCommand, IsaContext, IsaPath
from environments.pisa_pb2_grpc import ServerStub

MESSAGE_LIMIT = 100 * 1024 * 1024  # what PISA's own clients use
APPLY = "<apply to top level state>"
INITIAL_STATE = "default"
_ERROR = re.compile(r"\berror\b", re.IGNORECASE)


class PisaFailure(ProverError):
    """The PISA server did not answer a command properly."""

    def __init__(self, message: str, kind: ErrorKind) -> None:
        super().__init__(message)
        self.kind = kind


def is_error(state_text: str) -> bool:
    """PISA's convention: a step failed when its answer contains the word `error`."""
    return _ERROR.search(state_text) is not None


class PisaClient:
    """One connection to a PISA server; one Isabelle session at a time."""

    def __init__(self, address: str) -> None:
        self.address = address
        self._channel = grpc.insecure_channel(address, options=[
            ("grpc.max_send_message_length", MESSAGE_LIMIT), ("grpc.max_receive_message_length", MESSAGE_LIMIT)])
        self._stub = ServerStub(self._channel)

    def _call(self, method: str, request: object, timeout: float) -> str:
        try:
            answer = getattr(self._stub, method)(request, timeout=timeout)
        except grpc.RpcError as exc:
            code, details = exc.code(), exc.details()
            if code == grpc.StatusCode.DEADLINE_EXCEEDED:
                raise PisaFailure(f"PISA gave no answer within {timeout:g} s", ErrorKind.TIMEOUT) from None
            if code == grpc.StatusCode.INTERNAL and "deserializ" in (details or "").lower():
                raise PisaFailure(f"malformed response from the PISA server at {self.address}: {details}",
                                  ErrorKind.CRASH) from None
            raise PisaFailure(f"PISA server at {self.address} failed: {code.name}: {details}", ErrorKind.CRASH) from None
        return answer.state if method in ("IsabelleCommand", "IsabelleSearchIndexCommand") else answer.message

    def start(self, isabelle_path: str, working_directory: Path, theory_file: Path, timeout: float) -> None:
        """The session start sequence for `theory_file`; the initial state is named `default`."""
        self._call("InitialiseIsabelle", IsaPath(path=isabelle_path), timeout)
        self._call("IsabelleWorkingDirectory", IsaPath(path=str(working_directory)), timeout)
        self._call("IsabelleContext", IsaContext(context=str(theory_file)), timeout)
        self.command("<initialise>", timeout)

    def command(self, text: str, timeout: float) -> str:
        return self._call("IsabelleCommand", IsaCommand(command=text), timeout)

    def apply(self, old: str, step: str, new: str, timeout: float) -> str:
        """Run `step` on state `old`, naming the result `new` (`old` stays as it was)."""
        return self.command(f"{APPLY} {old} {APPLY} {step} {APPLY} {new}", timeout)

    def is_finished(self, name: str, timeout: float) -> bool:
        return self.command(f"<is finished> {name}", timeout).strip().startswith("t")

    def clone(self, old: str, new: str, timeout: float) -> None:
        self.command(f"<clone> {old} <clone> {new}", timeout)

    def delete(self, name: str, timeout: float) -> None:
        self.command(f"<delete> {name}", timeout)

    def parse(self, theory_text: str, timeout: float) -> list[str]:
        """The theory text split into Isabelle's own steps."""
        return [s.strip() for s in self.command(f"<parse text> {theory_text}", timeout).split("<SEP>") if s.strip()]

    def close(self) -> None:
        self._channel.close()
