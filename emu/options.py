"""What `emu run` asks for, as typed values: the program, the machine's options, each observer's.

The command line (emu/cli.py `session_options`) is the only place that reads argparse's
Namespace for `emu run`; everything below it (emu/session.py, the Machine, the instruments in
emu/debug, emu/timing, emu/thread_timeline, emu/runtime) takes these. Frozen, so an observer
cannot change what another one reads. `RunOptions` is the Machine's own part; tests and other
commands (`emu test`, `emu check`, `emu explore`) build it directly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TextIO

from emu.memory import DEFAULT_MEM_LIMIT

if TYPE_CHECKING:
    from emu.stubs import UserStubs


@dataclass(frozen=True)
class RunOptions:
    """The Machine's options: limits, scheduling, the guest's process environment."""

    max_insns: int | None = None  # stop after this many guest instructions
    timeout: float | None = None  # wall-clock seconds
    quantum: int = 100_000  # instructions per scheduling slice
    seed: int = 0
    schedule: str = "random"  # how the next thread is chosen: "random" or "pct" (emu/sched.py)
    ncpu: int = 4
    mem_limit: int = DEFAULT_MEM_LIMIT  # guest memory and emu's records for it (emu/memory.py)
    argv: list[str] = field(default_factory=list)
    env: list[str] = field(default_factory=list)
    strace_stream: TextIO | None = None
    mounts: list[tuple[str, str]] = field(default_factory=list)  # (host dir, guest dir), read-only
    cwd: str = "/"  # the guest's working directory
    memory_model: str = "sc"  # sc (one memory, no hooks), tso, power or arm (emu/memmodel/attach.py)


@dataclass(frozen=True)
class ProgramOptions:
    """The program and how to load it (emu/program.py; a runtime program: emu/runtime/link.py)."""

    path: str
    arch: str | None = None  # as typed (an alias is fine); None: from the ELF header
    assembler: str | None = None  # one of emu.asm.ASSEMBLERS; None: the arch's default
    defines: tuple[str, ...] = ()  # -D NAME[=VALUE] for the C preprocessor
    stubs: UserStubs | None = None  # --stubs: the user's runtime stubs, for a runtime program


@dataclass(frozen=True)
class StraceOptions:
    """--strace: each syscall, QEMU -strace style."""

    path: str | None = None  # --strace-file; None: stderr


@dataclass(frozen=True)
class TraceOptions:
    """--trace: each executed instruction with what it changed (emu/debug/trace.py)."""

    ranges: tuple[str, ...] = ()  # symbols or ADDR-ADDR; none: everywhere
    thread: int | None = None  # only this tid
    path: str | None = None  # --trace-file; None: stderr


@dataclass(frozen=True)
class GdbOptions:
    """--gdb: wait for gdb before the first instruction (emu/debug/gdbstub.py)."""

    port: int  # 0: a free one, printed
    symbols_path: str | None = None  # where the symbol ELF for gdb's `file` goes; None: a temp dir


@dataclass(frozen=True)
class CyclesOptions:
    """--cpu/--cycles/--cycles-json/--cycles-profile/--cache: price the run (emu/timing)."""

    cpu: str | None = None  # the timing model; None: the arch's default
    text: bool = False  # --cycles: the report on stderr (also when no file is asked for)
    top: int | None = 20  # rows per table in the text report; None: every row
    json_path: str | None = None
    profile_path: str | None = None  # pprof
    cache: str | None = None  # cache levels to simulate, e.g. L1=32K/8/64

    @property
    def text_report(self) -> bool:
        """The text report goes to stderr when asked for, or when nothing else was."""
        return self.text or not (self.json_path or self.profile_path)


@dataclass(frozen=True)
class RuntimeOptions:
    """The toy Go runtime's options (emu/runtime), for a program linked with it."""

    gctrace: bool = False
    schedtrace: int = 0  # virtual ns between SCHED lines (0: off)
    gogc: int | None = None  # None: the guest's GOGC, else 100
    checkmark: bool = True
    trace_stream: TextIO | None = None


@dataclass(frozen=True)
class SessionOptions:
    """Everything one `emu run` asks for; emu/session.py `run` carries it out."""

    program: ProgramOptions
    machine: RunOptions = field(default_factory=RunOptions)
    strace: StraceOptions | None = None
    trace: TraceOptions | None = None
    watch: tuple[str, ...] = ()  # ADDR|SYMBOL[:LEN] ranges whose writes are reported
    cycles: CyclesOptions | None = None
    timeline: str | None = None  # --timeline FILE
    runtime: RuntimeOptions = field(default_factory=RuntimeOptions)
    postmortem: int | None = None  # instructions shown after a fault or deadlock; None: no report
    gdb: GdbOptions | None = None
    stats_json: str | None = None  # --stats-json FILE
