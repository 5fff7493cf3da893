"""The runtime's command-line pieces: `emu run` options for runtime programs, and `emu check`.

Kept here so emu/cli.py only wires them in; heavy imports happen when used.
"""

from __future__ import annotations

import argparse
from pathlib import Path


def add_run_arguments(run: argparse.ArgumentParser) -> None:
    group = run.add_argument_group("toy Go runtime (programs marked `# emu:runtime`, see docs/runtime.md)")
    group.add_argument(
        "--gctrace",
        action="store_true",
        help="one line per GC on stderr: heap before/after, objects freed, pause in instructions",
    )
    group.add_argument(
        "--schedtrace",
        type=int,
        nargs="?",
        const=1_000_000,
        default=0,
        metavar="NS",
        help="a SCHED line every NS virtual ns (default 1000000) and at exit: Ps, Ms, run queues, Gs",
    )
    group.add_argument(
        "--runtime-stubs",
        metavar="DIR",
        help="link the runtime with replacement stubs from DIR (<dir>.s or <dir>/runtime.s, e.g. a mutant)",
    )


def load(args: argparse.Namespace):
    """(image, arch) for a runtime program, or None for any other program."""
    from emu.runtime import link

    if not link.uses_runtime(args.program) or not args.arch:
        return None
    from emu import arch as arches

    arch = arches.get(args.arch)
    stubs = Path(args.runtime_stubs) if args.runtime_stubs else None
    return link.link(args.program, arch, args.assembler, stubs), arch


def attach(machine, args: argparse.Namespace) -> None:
    """Give a runtime program's machine the runtime, with the trace options."""
    from emu.runtime.hypercalls import is_runtime_program

    if not is_runtime_program(machine.image):
        return
    from emu.runtime.runtime import RuntimeOptions
    from emu.runtime.runtime import attach as attach_runtime

    attach_runtime(machine, RuntimeOptions(gctrace=args.gctrace, schedtrace=args.schedtrace))


def add_check_command(commands) -> None:
    check = commands.add_parser(
        "check",
        help="run the Go runtime's start-up check() through the stubs",
        description="Run the items of Go's runtime1.go check() (cas, casp, atomicor8, 64-bit atomics, "
        "timediv, NaN) through the per-arch stubs on the emulated CPU and report each one.",
    )
    check.add_argument("--arch", "-a", default="all", help="an arch, or `all` (default)")
    check.add_argument(
        "--stubs", metavar="DIR", help="replacement stubs (<dir>.s or <dir>/runtime.s), e.g. a mutant"
    )
    check.set_defaults(handler=command_check)


def command_check(args: argparse.Namespace) -> int:
    from emu import arch as arches
    from emu.runtime.check import report, run_check

    names = list(arches.all_arches()) if args.arch == "all" else [arches.get(args.arch).name]
    failed = 0
    for name in names:
        items = run_check(name, Path(args.stubs) if args.stubs else None)
        print(report(name, items))
        failed += sum(not item.ok for item in items)
    return 1 if failed else 0
