"""The conformance suite's vocabulary: cases, the context a case runs in, results, failures.

A case is a function registered under the stub it proves; it calls stubs
through a shared StubMachine (one engine per arch for the whole suite: the
sweeps make ~10^5 calls) and records each comparison with the context. Only
the first few failures of a case keep their bytes; the count is always exact.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

from emu.arch import Arch
from emu.stubs import StubError, StubMachine

KEPT_FAILURES = 3
MAX_FAILURES = 50  # a case stops here: a runaway stub costs its whole budget per call


@dataclass
class Failure:
    """One comparison that did not hold: enough for a person to reproduce and read it."""

    arch: str
    stub: str
    case: str
    inputs: str
    message: str
    address: int = 0
    expected: bytes | None = None
    actual: bytes | None = None


@dataclass
class CaseResult:
    arch: str
    stub: str
    case: str
    checks: int = 0
    failed: int = 0
    failures: list[Failure] = field(default_factory=list)
    skipped: str | None = None  # why the case could not run (e.g. a syscall emu lacks)
    seconds: float = 0.0
    errors: int = 0  # failed checks where the stub crashed or hung (JUnit <error>, not <failure>)

    @property
    def ok(self) -> bool:
        return self.failed == 0


class CaseAborted(Exception):
    """Too many failures in one case: the rest of it is not worth the time."""


class Pending(Exception):
    """The case cannot run here yet (missing kernel feature); it is reported as skipped."""


@dataclass
class Context:
    """What a case gets: the machine, the arch, a seeded random source, and the recorder."""

    sm: StubMachine
    result: CaseResult
    rng: random.Random
    full: bool
    seed: int
    memory_model: str = "sc"  # what the threaded (contended) cases run under (emu/memmodel)

    @property
    def arch(self) -> Arch:
        return self.sm.arch

    # ---- calling --------------------------------------------------------------------

    def call(self, stub: str, *args: int, inputs: str = "", budget: int | None = None) -> int | None:
        """Call a stub; a fault or a runaway stub is a failure of this case (None returned)."""
        try:
            return self.sm.call(stub, *args, budget=budget)
        except StubError as err:
            self.fail(stub, inputs or _args_text(stub, args), str(err), crashed=True)
            return None

    # ---- recording ------------------------------------------------------------------

    def fail(
        self,
        stub: str,
        inputs: str,
        message: str,
        address: int = 0,
        expected: bytes | None = None,
        actual: bytes | None = None,
        crashed: bool = False,
    ) -> None:
        """One check that did not hold; `crashed`: the stub faulted, hung or ended the guest
        instead of giving a wrong answer."""
        self.result.checks += 1
        self.result.failed += 1
        self.result.errors += crashed
        if len(self.result.failures) < KEPT_FAILURES:
            self.result.failures.append(
                Failure(self.arch.name, stub, self.result.case, inputs, message, address, expected, actual)
            )
        if self.result.failed >= MAX_FAILURES:
            raise CaseAborted(f"stopped after {MAX_FAILURES} failures")

    def expect_value(self, stub: str, inputs: str, what: str, expected: int, actual: int | None) -> bool:
        if actual is None:  # the call already failed
            return False
        if actual == expected:
            self.result.checks += 1
            return True
        self.fail(stub, inputs, f"{what}: expected {expected:#x}, got {actual:#x}")
        return False

    def expect_memory(self, stub: str, inputs: str, address: int, expected: bytes | bytearray) -> bool:
        """Read len(expected) guest bytes at `address` and compare them all."""
        actual = self.sm.read(address, len(expected))
        if actual == expected:
            self.result.checks += 1
            return True
        self.fail(stub, inputs, "memory differs from the reference model", address, bytes(expected), actual)
        return False


def _args_text(stub: str, args: tuple[int, ...]) -> str:
    return f"{stub}({', '.join(hex(a) for a in args)})"


CaseFunction = Callable[[Context], None]


@dataclass(frozen=True)
class Case:
    stub: str  # the row of the report
    name: str
    run: CaseFunction
    covers: tuple[str, ...] = ()  # other stubs the case calls (for --stub)
    slow: bool = False  # part of --full only
    bits: int | None = None  # a rule of 32-bit (or 64-bit) arches only

    def selected_by(self, stub: str | None) -> bool:
        return stub is None or stub == self.stub or stub in self.covers

    def applies_to(self, arch: Arch) -> bool:
        return self.bits is None or self.bits == arch.bits


CASES: list[Case] = []


def case(
    stub: str, name: str, covers: tuple[str, ...] = (), slow: bool = False, bits: int | None = None
) -> Callable[[CaseFunction], CaseFunction]:
    """Register a case function under `stub` (only for `bits`-bit arches when given)."""

    def register(function: CaseFunction) -> CaseFunction:
        CASES.append(Case(stub, name, function, covers, slow, bits))
        return function

    return register
