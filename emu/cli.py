"""The `emu` command line. Parsing only: each subcommand calls one function."""

from __future__ import annotations

import argparse
import os
import signal
import sys

from emu import __version__, debug
from emu import arch as arches
from emu.bench import add_bench_command
from emu.errors import EmuError, UsageError
from emu.memory import DEFAULT_MEM_LIMIT
from emu.options import RunOptions
from emu.runtime import command as runtime_cli
from emu.sched import SCHEDULES
from emu.timing import cli as timing_cli


def _size(text: str) -> int:
    units = {"k": 1 << 10, "m": 1 << 20, "g": 1 << 30}
    text = text.strip().lower().removesuffix("b").removesuffix("i")
    try:
        if text and text[-1] in units:
            return int(float(text[:-1]) * units[text[-1]])
        return int(text, 0)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (e.g. 256M, 1G)") from None


def _positive(text: str) -> int:
    value = int(text, 0)
    if value <= 0:
        raise argparse.ArgumentTypeError("must be positive")
    return value


def _define(text: str) -> str:
    from emu.asm.preprocess import check_define

    try:
        return check_define(text)
    except UsageError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="emu",
        description="Cycle-approximate multi-arch emulator for a toy Go-like runtime "
        "(amd64, arm, ppc64, ppc64le).",
    )
    parser.add_argument("--version", action="version", version=f"emu {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    run = commands.add_parser(
        "run",
        help="assemble (or load) a program and run it",
        description="Run a GNU-syntax assembly program or a static ELF executable on an emulated CPU. "
        "The guest's stdout is emu's stdout and its exit status is emu's; a guest that dies "
        "by a signal makes emu exit 128+signal, as a shell reports it.",
    )
    run.add_argument("program", help="assembly source (.s/.S) or static ELF executable")
    run.add_argument("args", nargs="*", help="arguments passed to the guest (after --)")
    run.add_argument(
        "--arch",
        "-a",
        help="target: amd64, arm, ppc64, ppc64le (or an alias, see `emu arches`); "
        "required for assembly, checked against the header for ELF",
    )
    run.add_argument(
        "--assembler",
        choices=("keystone", "gnu"),
        default="keystone",
        help="keystone (built in, default) or gnu (GNU as + ld for the target, when installed)",
    )
    run.add_argument(
        "-D",
        dest="defines",
        action="append",
        default=[],
        type=_define,
        metavar="NAME[=VALUE]",
        help="define a macro for the C preprocessor, which a .S source goes through (repeatable)",
    )
    run.add_argument(
        "--max-insns", type=_positive, metavar="N", help="stop after N guest instructions (exit 124)"
    )
    run.add_argument(
        "--timeout", type=float, metavar="SECONDS", help="stop after this much wall time (exit 124)"
    )
    run.add_argument(
        "--quantum",
        type=_positive,
        default=100_000,
        metavar="N",
        help="instructions per thread time slice (default 100000)",
    )
    run.add_argument(
        "--seed", type=int, default=0, help="seed for AT_RANDOM, getrandom and preemption points"
    )
    run.add_argument(
        "--schedule",
        choices=SCHEDULES,
        default="random",
        help="how the next thread is chosen: random (seeded) or pct (seeded random priorities "
        "with change points, Burckhardt et al. 2010)",
    )
    run.add_argument("--ncpu", type=_positive, default=4, help="CPUs the guest sees (default 4)")
    run.add_argument(
        "--mem-limit",
        type=_size,
        default=DEFAULT_MEM_LIMIT,
        metavar="SIZE",
        help="cap on guest memory; mmap beyond it returns -ENOMEM (default 1G)",
    )
    run.add_argument(
        "--strace", action="store_true", help="print each syscall (QEMU -strace style) to stderr"
    )
    run.add_argument("--strace-file", metavar="FILE", help="write --strace output to FILE instead")
    run.add_argument(
        "--env",
        "-E",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="set a variable in the guest's environment (repeatable); the guest sees no other",
    )
    debug.add_run_arguments(run)
    timing_cli.add_run_arguments(run)
    runtime_cli.add_run_arguments(run)
    run.set_defaults(handler=command_run)

    from emu.conformance.command import add_test_command

    add_test_command(commands)

    debug.add_explain_command(commands)

    add_bench_command(commands)

    runtime_cli.add_check_command(commands)

    from emu.timing.timeline import add_timeline_command

    add_timeline_command(commands)

    from emu.litmus.command import add_litmus_command

    add_litmus_command(commands)

    from emu.explore import add_explore_command

    add_explore_command(commands)

    listing = commands.add_parser("arches", help="list the supported architectures and their aliases")
    listing.set_defaults(handler=command_arches)
    return parser


def _environment(pairs: list[str]) -> list[str]:
    for pair in pairs:
        if "=" not in pair:
            raise UsageError(f"--env needs NAME=VALUE, got '{pair}'")
    return list(pairs)


def _open_strace(path: str):
    """The --strace-file stream, opened before the run so a bad path is a one-line error.
    Lines are ASCII (strace.escape), backslashreplace is only a guarantee against encode errors."""
    try:
        return open(path, "w", encoding="utf-8", errors="backslashreplace")  # noqa: SIM115 - closed at exit
    except OSError as err:
        raise UsageError(f"cannot write --strace-file {path}: {err.strerror}") from None


def command_run(args: argparse.Namespace) -> int:
    from emu.machine import Machine
    from emu.program import load_program

    strace = _open_strace(args.strace_file) if args.strace_file else None
    if strace is None and args.strace:
        strace = sys.stderr
    image, arch = runtime_cli.load(args) or load_program(
        args.program, args.arch, args.assembler, args.defines, args.mem_limit
    )
    options = RunOptions(
        max_insns=args.max_insns,
        timeout=args.timeout,
        quantum=args.quantum,
        seed=args.seed,
        schedule=args.schedule,
        ncpu=args.ncpu,
        mem_limit=args.mem_limit,
        argv=[args.program, *args.args],
        env=_environment(args.env),
        strace_stream=strace,
    )
    try:
        machine = Machine(arch, image, options)
        runtime_cli.attach(machine, args)
        with timing_cli.profiling(machine, args):
            return debug.run_machine(machine, args)
    finally:
        if args.strace_file and strace:
            strace.close()


def command_arches(args: argparse.Namespace) -> int:
    for arch in arches.all_arches().values():
        aliases = ", ".join(a for a in arch.aliases if a != arch.name)
        page = f"{arch.page_size // 1024} KiB pages"
        print(f"{arch.name:<8} {arch.bits}-bit {arch.endian}-endian, {page:<13} aliases: {aliases}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    try:
        status = args.handler(args)
        sys.stdout.flush()  # here, not at interpreter exit: a reader that went away is handled below
        return status
    except EmuError as err:
        sys.stdout.flush()
        print(err if str(err).startswith("emu:") else f"emu: {err}", file=sys.stderr)
        return err.exit_status
    except KeyboardInterrupt:
        print("emu: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # emu's own output to a closed pipe: end quietly, as SIGPIPE would
        from emu.kernel.files import discard_unwritten

        discard_unwritten(sys.stdout)
        return 128 + signal.SIGPIPE
    except Exception as err:  # noqa: BLE001 - a bug in emu, still reported in one line
        if os.environ.get("EMU_DEBUG"):
            raise
        print(
            f"emu: internal error: {type(err).__name__}: {err} (EMU_DEBUG=1 shows the traceback)",
            file=sys.stderr,
        )
        return 70
