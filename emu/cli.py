"""The `emu` command line. Parsing only: each subcommand calls one function."""

from __future__ import annotations

import argparse
import os
import signal
import sys
from typing import NoReturn

from emu import __version__, argtypes, debug, thread_timeline
from emu import arch as arches
from emu.asm import ASSEMBLERS
from emu.bench import add_bench_command
from emu.errors import EmuError, UsageError
from emu.memmodel.storage import MODELS
from emu.memory import DEFAULT_MEM_LIMIT
from emu.options import (
    CyclesOptions,
    GdbOptions,
    ProgramOptions,
    RunOptions,
    RuntimeOptions,
    SessionOptions,
    StraceOptions,
    TraceOptions,
)
from emu.runtime import command as runtime_cli
from emu.sched import SCHEDULES
from emu.stubs import UserStubs
from emu.timing import cli as timing_cli


class OneLineParser(argparse.ArgumentParser):
    """argparse with its usage errors on one line (the full usage is a screenful for `emu run`)."""

    def error(self, message: str) -> NoReturn:
        """Exit 2 with one line; control characters from the command line are shown escaped."""
        self.exit(
            2, f"{self.prog}: error: {argtypes.printable(message)} (`{self.prog} --help` lists the options)\n"
        )


def _define(text: str) -> str:
    from emu.asm.preprocess import check_define

    try:
        return check_define(text)
    except UsageError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


def build_parser() -> argparse.ArgumentParser:
    names = ", ".join(arches.names())  # the arch folders found, not a list kept here
    parser = OneLineParser(
        prog="emu",
        description=f"Cycle-approximate multi-arch emulator for a toy Go-like runtime ({names}).",
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
    run.add_argument(
        "args", nargs="*", default=[], help="arguments passed to the guest (everything after --)"
    )
    run.add_argument(
        "--arch",
        "-a",
        type=argtypes.arch_name,
        help=f"target: {names} (or an alias, see `emu arches`); "
        "required for assembly, checked against the header for ELF",
    )
    run.add_argument(
        "--assembler",
        choices=ASSEMBLERS,
        default=None,
        help="keystone (built in), gnu (GNU as + ld for the target) or llvm (llvm-mc + ld.lld), "
        "the last two when installed; "
        "default: the arch's first installed one (keystone where it can)",
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
        "--max-insns", type=argtypes.count, metavar="N", help="stop after N guest instructions (exit 124)"
    )
    run.add_argument(
        "--timeout",
        type=argtypes.seconds,
        metavar="SECONDS",
        help="stop after this much wall time (exit 124)",
    )
    run.add_argument(
        "--quantum",
        type=argtypes.count,
        default=100_000,
        metavar="N",
        help="instructions per thread time slice (default 100000)",
    )
    run.add_argument(
        "--seed", type=argtypes.seed, default=0, help="seed for AT_RANDOM, getrandom and preemption points"
    )
    run.add_argument(
        "--schedule",
        choices=SCHEDULES,
        default="random",
        help="how the next thread is chosen: random (seeded) or pct (seeded random priorities "
        "with change points, Burckhardt et al. 2010)",
    )
    run.add_argument(
        "--memory-model",
        choices=MODELS,
        default="sc",
        help="sc (default: one memory, full speed), tso, power or arm: let stores reach other "
        "threads late, as those machines do (100-2000x slower; docs/memory-models.md)",
    )
    run.add_argument("--ncpu", type=argtypes.cpus, default=4, help="CPUs the guest sees (default 4)")
    run.add_argument(
        "--mem-limit",
        type=argtypes.size,
        default=DEFAULT_MEM_LIMIT,
        metavar="SIZE",
        help="cap on guest memory; mmap beyond it returns -ENOMEM (default 1G)",
    )
    run.add_argument(
        "--strace", action="store_true", help="print each syscall (QEMU -strace style) to stderr"
    )
    run.add_argument(
        "--strace-file",
        type=argtypes.output_file,
        metavar="FILE",
        help="write --strace output to FILE instead",
    )
    run.add_argument(
        "--env",
        "-E",
        action="append",
        type=argtypes.env_pair,
        default=[],
        metavar="NAME=VALUE",
        help="set a variable in the guest's environment (repeatable); the guest sees no other",
    )
    run.add_argument(
        "--mount",
        action="append",
        default=[],
        metavar="HOST_DIR:GUEST_DIR",
        help="serve HOST_DIR's files read-only at GUEST_DIR (repeatable); without it the guest "
        "sees no host file",
    )
    run.add_argument(
        "--cwd", default="/", metavar="GUEST_DIR", help="the guest's working directory (default /)"
    )
    run.add_argument(
        "--stats-json",
        type=argtypes.output_file,
        metavar="FILE",
        help="write the run's guest instruction count, wall time and exit status as JSON to FILE",
    )
    debug.add_run_arguments(run)
    thread_timeline.add_run_arguments(run)
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

    from emu.examples import add_examples_command

    add_examples_command(commands)

    listing = commands.add_parser("arches", help="list the supported architectures and their aliases")
    listing.set_defaults(handler=command_arches)
    return parser


def _mounts(pairs: list[str]) -> list[tuple[str, str]]:
    """--mount HOST_DIR:GUEST_DIR values, checked: an existing host directory, an absolute guest path."""
    mounts = []
    for pair in pairs:
        host, separator, guest = pair.rpartition(":")
        if not separator or not host or not guest.startswith("/"):
            raise UsageError(f"--mount needs HOST_DIR:/GUEST_DIR, got '{pair}'")
        if not os.path.isdir(host):
            raise UsageError(f"--mount: '{host}' is not a directory")
        mounts.append((host, guest))
    return mounts


def _guest_directory(path: str) -> str:
    if not path.startswith("/"):
        raise UsageError(f"--cwd needs an absolute guest path, got '{path}'")
    return path


def session_options(args: argparse.Namespace) -> SessionOptions:
    """`emu run`'s parsed command line as typed options: the one place its Namespace is read.

    Values argparse could not check alone (mounts, the guest's cwd, the --stubs path) are checked
    here, each a one-line usage error."""
    trace = None
    if args.trace or args.trace_file or args.trace_range or args.trace_thread is not None:
        trace = TraceOptions(tuple(args.trace_range or ()), args.trace_thread, args.trace_file)
    cycles = None
    if args.cycles or args.cycles_json or args.cycles_profile or args.cache or args.cpu:  # not --cycles-top
        top = None if args.cycles_all else args.cycles_top
        cycles = CyclesOptions(args.cpu, args.cycles, top, args.cycles_json, args.cycles_profile, args.cache)
    return SessionOptions(
        program=ProgramOptions(
            path=args.program,
            arch=args.arch,
            assembler=args.assembler,
            defines=tuple(args.defines),
            stubs=UserStubs.from_option(args.stubs),
        ),
        machine=RunOptions(
            max_insns=args.max_insns,
            timeout=args.timeout,
            quantum=args.quantum,
            seed=args.seed,
            schedule=args.schedule,
            ncpu=args.ncpu,
            mem_limit=args.mem_limit,
            argv=[args.program, *args.args],
            env=list(args.env),
            mounts=_mounts(args.mount),
            cwd=_guest_directory(args.cwd),
            memory_model=args.memory_model,
        ),
        strace=StraceOptions(args.strace_file) if args.strace or args.strace_file else None,
        trace=trace,
        watch=tuple(args.watch or ()),
        cycles=cycles,
        timeline=args.timeline,
        runtime=RuntimeOptions(gctrace=args.gctrace, schedtrace=args.schedtrace),
        postmortem=args.postmortem,
        gdb=GdbOptions(args.gdb, args.gdb_symbols) if args.gdb is not None else None,
        stats_json=args.stats_json,
    )


def command_run(args: argparse.Namespace) -> int:
    from emu import session

    return session.run(session_options(args))


def command_arches(args: argparse.Namespace) -> int:
    for arch in arches.all_arches().values():
        aliases = ", ".join(a for a in arch.aliases if a != arch.name)
        page = f"{arch.page_size // 1024} KiB pages"
        cpus = ", ".join(sorted(arch.cpus, key=lambda cpu: cpu != arch.timing.default_cpu))
        order = f"{arch.endian}-endian,"
        print(f"{arch.name:<8} {arch.bits}-bit {order:<14} {page:<13} cpus: {cpus:<22} aliases: {aliases}")
    return 0


def split_guest_arguments(argv: list[str]) -> tuple[list[str], list[str]]:
    """emu's own arguments, and the guest's: everything after the first `--`, verbatim.

    Splitting before argparse lets options come anywhere before `--`
    (`emu run FILE --arch A -- args`): argparse alone fills the optional
    positional `args` with nothing at FILE and then rejects the rest.
    """
    if "--" not in argv:
        return argv, []
    split = argv.index("--")
    return argv[:split], argv[split + 1 :]


def parse_arguments(parser: argparse.ArgumentParser, argv: list[str] | None) -> argparse.Namespace:
    """The parsed command line, guest arguments after `--` appended to `emu run`'s."""
    own, guest = split_guest_arguments(sys.argv[1:] if argv is None else list(argv))
    args = parser.parse_args(own)
    if guest and args.command != "run":
        parser.error(f"unrecognized arguments: -- {' '.join(guest)} (only `emu run` passes arguments on)")
    if guest:
        args.args = [*args.args, *guest]
    return args


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parse_arguments(parser, argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    try:
        status = args.handler(args)
        sys.stdout.flush()  # here, not at interpreter exit: a reader that went away is handled below
        return status
    except EmuError as err:
        sys.stdout.flush()
        text = (
            argtypes.printable(str(err)) if isinstance(err, UsageError) else str(err)
        )  # one line, by nature
        print(text if text.startswith("emu:") else f"emu: {text}", file=sys.stderr)
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
