"""The runtime's command-line pieces: `emu run` options for runtime programs, and `emu check`.

Kept here so emu/cli.py only wires them in; heavy imports happen when used.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from emu import argtypes
from emu.errors import UsageError
from emu.options import ProgramOptions, RuntimeOptions
from emu.stubs import UserStubs, add_stubs_argument

if TYPE_CHECKING:
    from emu.arch import Arch
    from emu.image import Image
    from emu.machine import Machine


def add_run_arguments(run: argparse.ArgumentParser) -> None:
    group = run.add_argument_group("toy Go runtime (programs marked `# emu:runtime`, see docs/runtime.md)")
    group.add_argument(
        "--gctrace",
        action="store_true",
        help="one line per GC on stderr: heap before/after, objects freed, pause in instructions",
    )
    group.add_argument(
        "--schedtrace",
        type=argtypes.count,
        nargs="?",
        const=1_000_000,
        default=0,
        metavar="NS",
        help="a SCHED line every NS virtual ns (default 1000000) and at exit: Ps, Ms, run queues, Gs",
    )
    add_stubs_argument(group, "--runtime-stubs")


def load(program: ProgramOptions) -> tuple[Image, Arch] | None:
    """(image, arch) for a runtime program, or None for any other program."""
    from emu.runtime import link

    if not link.uses_runtime(program.path) or not program.arch:
        if program.stubs is not None:
            raise UsageError(
                f"--stubs: {program.path} does not use the runtime (no `# emu:runtime` line"
                f"{'' if program.arch else ', or no --arch'}), so no stub of yours would run"
            )
        return None
    from emu import arch as arches

    arch = arches.get(program.arch)
    return link.link(program.path, arch, program.assembler, program.stubs), arch


def attach(machine: Machine, options: RuntimeOptions) -> None:
    """Give a runtime program's machine the runtime, with the trace options."""
    from emu.runtime.hypercalls import is_runtime_program

    if not is_runtime_program(machine.image):
        return
    from emu.runtime.runtime import attach as attach_runtime

    attach_runtime(machine, options)


def add_check_command(commands) -> None:
    check = commands.add_parser(
        "check",
        help="run the Go runtime's start-up check() through the stubs",
        description="Run the items of Go's runtime1.go check() (cas, casp, atomicor8, 64-bit atomics, "
        "timediv, NaN) through the per-arch stubs on the emulated CPU and report each one.",
    )
    check.add_argument(
        "--arch",
        "-a",
        default="all",
        help="`all` (default; with --stubs: the arches you have stubs for) or a comma-separated list",
    )
    add_stubs_argument(check)
    check.set_defaults(handler=command_check)


def command_check(args: argparse.Namespace) -> int:
    from emu import arch as arches
    from emu.runtime.check import report, run_check

    user = UserStubs.from_option(args.stubs)
    wanted = None if args.arch == "all" else [arches.resolve_name(name) for name in args.arch.split(",")]
    names = user.select(wanted) if user else wanted or list(arches.all_arches())
    failed = 0
    for name in names:
        run = run_check(name, user)
        print(report(run))
        failed += run.failed
    return 1 if failed else 0
