"""The `emu test` subcommand: arguments here, the work in runner/report (imported when run)."""

from __future__ import annotations

import argparse

from emu import argtypes
from emu.errors import UsageError
from emu.memmodel.storage import MODELS
from emu.progress import progress
from emu.stubs import UserStubs, add_stubs_argument, plain_name


def add_test_command(commands: argparse._SubParsersAction) -> None:
    test = commands.add_parser(
        "test",
        help="run the runtime stubs' conformance suite (stub x arch table)",
        description="Run every runtime stub (runtime_asm/) on the emulated CPUs and compare its effect on "
        "guest memory with a Python reference model, byte by byte, with guard bytes around every target. "
        "Exits 1 if any case fails, and non-zero when nothing (of your --stubs) was checked.",
    )
    test.add_argument(
        "--arch",
        "-a",
        default="all",
        help="all (default; with --stubs or --mutant: the arches they have files for) or a comma-separated list",
    )
    test.add_argument("--stub", metavar="NAME", help="only the cases for this stub")
    test.add_argument(
        "--junit", type=argtypes.output_file, metavar="FILE", help="also write JUnit XML for a CI server"
    )
    test.add_argument(
        "--seed", type=argtypes.seed, default=0, help="seed for random inputs and preemption (default 0)"
    )
    test.add_argument("--full", action="store_true", help="the full sweeps (every offset pair; slower)")
    test.add_argument(
        "--memory-model",
        choices=MODELS,
        help="the model the threaded cases run under: sc, tso, power or arm "
        "(default: each arch's own, docs/memory-models.md)",
    )
    source = test.add_mutually_exclusive_group()
    add_stubs_argument(source, "--stub-dir")
    source.add_argument(
        "--mutant",
        metavar="NAME",
        help="run against a mutant from emu/data/mutants (`--mutant list` lists them)",
    )
    test.set_defaults(handler=command_test)


def _arches(text: str) -> list[str]:
    from emu import arch as arches

    if text.strip().lower() == "all":
        return list(arches.all_arches())
    return [arches.resolve_name(name) for name in text.split(",") if name.strip()]


def _user_stubs(mutant: str | None, stubs: str | None) -> UserStubs | None:
    """The stubs under test: --stubs PATH, or a mutant's directory."""
    from emu.conformance import mutants

    if mutant:
        return mutants.get(mutant).stubs
    return UserStubs.from_option(stubs)


def _list_mutants() -> int:
    from emu.conformance import mutants

    for mutant in mutants.all_mutants().values():
        print(
            f"{mutant.name:<26} {mutant.stub:<10} bug on {', '.join(mutant.bug_on)}\n    {mutant.description}"
        )
    return 0


def command_test(args: argparse.Namespace) -> int:
    from emu.conformance.report import print_report, write_junit
    from emu.conformance.runner import SuiteOptions, known_stubs, run_suite

    if args.mutant == "list":
        return _list_mutants()
    args.stub = plain_name(args.stub) if args.stub else None
    if args.stub and args.stub not in known_stubs():
        raise UsageError(f"no cases for stub '{args.stub}' (known: {', '.join(sorted(known_stubs()))})")
    user = _user_stubs(args.mutant, args.stubs)
    wanted = _arches(args.arch)
    if user is not None:
        wanted = user.select(None if args.arch.strip().lower() == "all" else wanted)
    options = SuiteOptions(wanted, args.stub, args.seed, args.full, user, memory_model=args.memory_model)
    with progress("emu test") as bar:
        report = run_suite(
            options,
            on_arch_start=lambda arch, cases: bar.add_total(cases),
            on_case_done=lambda result: bar.advance(now=f"{result.arch} {result.stub}"),
        )
    if report.setup_error is not None:  # the stubs did not build: the error, and CI still gets its file
        if args.junit:
            write_junit(report, args.junit)
        raise report.setup_error[1]
    print_report(report)
    if args.junit:
        write_junit(report, args.junit)
    return 0 if report.ok else 1
