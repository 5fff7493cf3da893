"""One `emu run`: load the program, build the Machine, attach the observers, run, close the outputs.

The command line turns its arguments into `SessionOptions` (emu/options.py) and calls `run`;
nothing here reads argparse. The instruments stay in their packages (emu/debug, emu/timing,
emu/thread_timeline, emu/runtime); this module only wires them, in one order:

    strace, trace, watch, cycles, timeline, runtime, postmortem, then the program is loaded,
    then gdb (which shows the loaded registers), then Machine.run.

Every output an option opened is closed however the run ends (a fault, a deadlock, a limit, an
error in emu): an ExitStack unwinds in the reverse order, so the reports print as before the error
line, and --stats-json is written last, also when the run ended in an error (status null).
"""

from __future__ import annotations

import json
import sys
import time
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, TextIO

from emu import argtypes, thread_timeline
from emu.errors import GuestError
from emu.options import GdbOptions, ProgramOptions, SessionOptions, TraceOptions
from emu.timing import cli as timing_cli

if TYPE_CHECKING:
    from emu.arch import Arch
    from emu.debug.gdbstub import GdbStub
    from emu.debug.postmortem import PostMortem
    from emu.image import Image
    from emu.machine import Machine


@dataclass
class _Outcome:
    """What --stats-json reports, filled in as the run goes."""

    start: float = field(default_factory=time.perf_counter)  # made after the load: the run's time
    machine: Machine | None = None
    status: int | None = None  # None: the run ended in an error


def run(options: SessionOptions) -> int:
    """Run the program as `options` ask; its exit status (GuestError when the guest dies)."""
    from emu.machine import Machine

    with ExitStack() as outputs:
        machine_options = options.machine
        if options.strace is not None:
            stream = _strace_stream(options.strace.path, outputs)
            machine_options = replace(machine_options, strace_stream=stream)
        image, arch = load(options.program, machine_options.mem_limit)
        outcome = _Outcome()
        if options.stats_json:  # after the load: a program that does not assemble writes none
            stats = argtypes.open_output("--stats-json", options.stats_json)
            outputs.callback(_write_stats, stats, outcome)  # last: after every report is written
        outcome.machine = machine = Machine(arch, image, machine_options)
        _attach_observers(machine, options, outputs)
        outcome.status = _run(machine, options, outputs)
        return outcome.status


def load(program: ProgramOptions, mem_limit: int) -> tuple[Image, Arch]:
    """The program's image and arch: linked with the toy runtime when it asks for it."""
    from emu.program import load_program
    from emu.runtime import command as runtime_cli

    return runtime_cli.load(program) or load_program(
        program.path, program.arch, program.assembler, list(program.defines), mem_limit
    )


def _attach_observers(machine: Machine, options: SessionOptions, outputs: ExitStack) -> None:
    """Every observer but the post-mortem and gdb (see _run), in the module's order."""
    from emu.runtime import command as runtime_cli

    if options.trace is not None:
        _attach_trace(machine, options.trace, outputs)
    if options.watch:
        _attach_watch(machine, options.watch)
    outputs.enter_context(timing_cli.profiling(machine, options.cycles))
    outputs.enter_context(thread_timeline.recording(machine, options.timeline))
    runtime_cli.attach(machine, options.runtime)


def _run(machine: Machine, options: SessionOptions, outputs: ExitStack) -> int:
    """Load, attach the post-mortem and gdb, run; a dying guest gets its post-mortem first."""
    postmortem = _attach_postmortem(machine, options.postmortem) if options.postmortem is not None else None
    if not machine.threads:
        machine.load()
    gdb = _attach_gdb(machine, options.gdb, outputs) if options.gdb is not None else None
    try:
        status = machine.run()
    except GuestError:
        if postmortem is not None:
            sys.stdout.flush()
            postmortem.report()
        if gdb is not None:
            gdb.finish(None)
        raise
    if gdb is not None:
        gdb.finish(status)
    return status


def _strace_stream(path: str | None, outputs: ExitStack) -> TextIO:
    """--strace's stream: stderr, or --strace-file (lines are ASCII, strace.escape;
    backslashreplace is only a guarantee against encode errors)."""
    if path is None:
        return sys.stderr
    return outputs.enter_context(argtypes.open_output("--strace-file", path, errors="backslashreplace"))


def _attach_trace(machine: Machine, options: TraceOptions, outputs: ExitStack) -> None:
    from emu.debug.common import parse_range
    from emu.debug.trace import Tracer

    stream = (
        outputs.enter_context(argtypes.open_output("--trace-file", options.path))
        if options.path
        else sys.stderr
    )
    ranges = [parse_range(text, machine.image) for text in options.ranges]
    Tracer(machine, stream, ranges, options.thread).install()


def _attach_watch(machine: Machine, texts: tuple[str, ...]) -> None:
    from emu.debug.watch import Watcher, parse_watch

    watches = [parse_watch(text, machine.image, machine.arch.word_size) for text in texts]
    Watcher(machine, sys.stderr, watches).install()


def _attach_postmortem(machine: Machine, last: int) -> PostMortem:
    from emu.debug.postmortem import PostMortem

    return PostMortem(machine, sys.stderr, last).install()


def _attach_gdb(machine: Machine, options: GdbOptions, outputs: ExitStack) -> GdbStub:
    """Wait for gdb to connect and resume; the symbol file goes however the run ends."""
    from emu.debug.gdbstub import GdbStub

    stub = GdbStub(machine, options.port, symbols_path=options.symbols_path).install()
    outputs.callback(stub.close)
    stub.wait_for_gdb()
    return stub


def _write_stats(stream: TextIO, outcome: _Outcome) -> None:
    """--stats-json: what a benchmark needs of one run (status null: the run ended in an error)."""
    instructions = outcome.machine.total_instructions if outcome.machine is not None else 0
    seconds = round(time.perf_counter() - outcome.start, 6)
    with stream:
        json.dump({"instructions": instructions, "seconds": seconds, "exit_status": outcome.status}, stream)
        stream.write("\n")
