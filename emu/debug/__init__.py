"""Debugging instruments for guest programs: trace, watchpoints, explain, a gdb stub, post-mortems.

Each tool attaches to a Machine from outside: it adds unicorn hooks through
`machine.uc.hook_add` and appends itself to `machine.attachments`, whose
`after_slice(thread)` the run loop calls at the end of every slice (before a
fault is raised). That is the only hook point the Machine has for them, so the
run loop stays unaware of debugging.

`add_run_arguments` adds the options to `emu run`; `run_machine` runs a Machine
with whatever those options asked for.
"""

from __future__ import annotations

import argparse
import sys
from contextlib import ExitStack
from typing import TYPE_CHECKING

from emu import argtypes
from emu.errors import GuestError

if TYPE_CHECKING:
    from emu.machine import Machine


def add_run_arguments(run: argparse.ArgumentParser) -> None:
    group = run.add_argument_group("debugging (docs/debugging.md)")
    group.add_argument(
        "--trace",
        action="store_true",
        help="print every executed instruction with the registers and memory it changed (to stderr)",
    )
    group.add_argument(
        "--trace-range",
        action="append",
        metavar="SYM|ADDR-ADDR",
        help="trace only instructions in this symbol or address range (repeatable)",
    )
    group.add_argument(
        "--trace-thread", type=argtypes.thread_id, metavar="TID", help="trace only this guest thread"
    )
    group.add_argument(
        "--trace-file",
        type=argtypes.output_file,
        metavar="FILE",
        help="write the trace to FILE instead of stderr",
    )
    group.add_argument(
        "--watch",
        action="append",
        metavar="ADDR|SYMBOL[:LEN]",
        help="report every write (and LL/SC reservation) on this range (repeatable)",
    )
    group.add_argument(
        "--gdb",
        type=argtypes.port,
        metavar="PORT",
        help="wait for gdb (`target remote :PORT`, loopback only) before the first instruction; "
        "0 picks a free port and prints it",
    )
    group.add_argument(
        "--gdb-symbols",
        metavar="FILE",
        help="with --gdb: write the symbol ELF for gdb's `file` here (kept) instead of a temp dir",
    )
    group.add_argument(
        "--postmortem",
        type=argtypes.count,
        nargs="?",
        const=16,
        metavar="N",
        help="on a fault or deadlock print registers, the last N instructions (default 16) and a backtrace",
    )


def add_explain_command(commands) -> None:
    """`emu explain` (emu/debug/explain.py), registered here so the CLI imports only this package."""
    from emu.debug.explain import add_command

    add_command(commands)


def run_machine(machine: Machine, args: argparse.Namespace) -> int:
    """Run `machine` with the instruments `args` asked for; their output closes with the run."""
    with ExitStack() as stack:
        if not machine.threads:
            machine.load()
        postmortem = _attach(machine, args, stack)
        gdb = _attach_gdb(machine, args, stack)
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


def _attach(machine: Machine, args: argparse.Namespace, stack: ExitStack):
    from emu.debug.common import parse_range

    if args.trace or args.trace_file or args.trace_range or args.trace_thread is not None:
        from emu.debug.trace import Tracer

        stream = stack.enter_context(open(args.trace_file, "w")) if args.trace_file else sys.stderr  # noqa: SIM115
        ranges = [parse_range(text, machine.image) for text in args.trace_range or []]
        Tracer(machine, stream, ranges, args.trace_thread).install()
    if args.watch:
        from emu.debug.watch import Watcher, parse_watch

        watches = [parse_watch(text, machine.image, machine.arch.word_size) for text in args.watch]
        Watcher(machine, sys.stderr, watches).install()
    if args.postmortem is not None:
        from emu.debug.postmortem import PostMortem

        return PostMortem(machine, sys.stderr, args.postmortem).install()
    return None


def _attach_gdb(machine: Machine, args: argparse.Namespace, stack: ExitStack):
    if args.gdb is None:
        return None
    from emu.debug.gdbstub import GdbStub

    stub = GdbStub(machine, args.gdb, symbols_path=args.gdb_symbols).install()
    stack.callback(stub.close)  # the symbol file goes, however the run ends
    stub.wait_for_gdb()
    return stub
