"""Debugging instruments for guest programs: trace, watchpoints, explain, a gdb stub, post-mortems.

Each tool attaches to a Machine from outside: it adds unicorn hooks through
`machine.uc.hook_add` and appends itself to `machine.attachments`, whose
`after_slice(thread)` the run loop calls at the end of every slice (before a
fault is raised). That is the only hook point the Machine has for them, so the
run loop stays unaware of debugging.

`add_run_arguments` adds the options to `emu run`; emu/session.py attaches the
instruments they ask for (as `TraceOptions`, `GdbOptions`... in emu/options.py).
"""

from __future__ import annotations

import argparse

from emu import argtypes


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
        type=argtypes.output_file,
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
