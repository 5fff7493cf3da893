"""Errors a user sees as one line, never as a traceback.

Each carries the exit status the CLI should return, so the CLI has one
`except EmuError` and nothing else to know.
"""

from __future__ import annotations


class EmuError(Exception):
    """A user-facing failure: `str(err)` is the whole message."""

    exit_status = 2


class UsageError(EmuError):
    """Bad command line: unknown arch, conflicting options, missing file."""


class AsmError(EmuError):
    """An assembly error at `file:line`, shown with the offending source line."""

    def __init__(self, filename: str, line: int, message: str, source: str = "") -> None:
        self.filename, self.line, self.message, self.source = filename, line, message, source
        where = f"{filename}:{line}" if line > 0 else filename  # 0: the tool named no line
        text = f"{where}: error: {message}"
        if source.strip():
            text += f"\n    {source.strip()}"
        super().__init__(text)


class GuestError(EmuError):
    """The guest program died (fault, illegal instruction, budget, deadlock).

    `exit_status` is what a shell would report for the same death, e.g.
    128 + SIGSEGV = 139.
    """

    def __init__(self, message: str, exit_status: int) -> None:
        super().__init__(message)
        self.exit_status = exit_status


class EngineError(EmuError):
    """The CPU backend itself is broken (e.g. the PPC64 start-up self-test failed)."""

    exit_status = 3


class MissingDataError(EmuError):
    """emu's own data files are not where the package says (a broken install)."""

    exit_status = 3
