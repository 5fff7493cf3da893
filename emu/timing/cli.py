"""`emu run --cpu/--cycles/--cycles-json/--cache`: the timing options and their lifetime.

emu/cli.py turns them into `CyclesOptions` (emu/options.py); `profiling` prices one run with them.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from emu import argtypes
from emu.options import CyclesOptions

if TYPE_CHECKING:
    from emu.machine import Machine
    from emu.timing.profile import Profiler


TOP_DEFAULT = 20


def add_run_arguments(run: argparse.ArgumentParser) -> None:
    group = run.add_argument_group("timing (docs/timing.md)")
    group.add_argument(
        "--cpu",
        metavar="MODEL",
        help="CPU timing model of the arch: `emu arches` lists each arch's models, its default first",
    )
    group.add_argument(
        "--cycles",
        action="store_true",
        help="after the run, print estimated cycles, IPC, costly blocks and a per-symbol table "
        "per thread (to stderr)",
    )
    group.add_argument(
        "--cycles-top",
        type=argtypes.count,
        default=TOP_DEFAULT,
        metavar="N",
        help=f"rows per table in the --cycles report (default {TOP_DEFAULT})",
    )
    group.add_argument("--cycles-all", action="store_true", help="every row in the --cycles report")
    group.add_argument(
        "--cycles-json",
        type=argtypes.output_file,
        metavar="FILE",
        help="write the cycle report as JSON to FILE",
    )
    group.add_argument(
        "--cycles-profile",
        type=argtypes.output_file,
        metavar="FILE",
        help="write cycles per function and source line as a pprof profile (go tool pprof, speedscope)",
    )
    group.add_argument(
        "--cache",
        metavar="SPEC",
        help="simulate caches and charge misses, e.g. "
        "L1=32K/8/64,L2=256K/4/64 (slower: every load and store is hooked)",
    )


@contextmanager
def profiling(machine: Machine, options: CyclesOptions | None) -> Iterator[None]:
    """Price blocks while `machine` runs; report when the run ends (also when the guest dies)."""
    if options is None:
        yield
        return
    from emu.timing.cache import parse_cache
    from emu.timing.model import model_for
    from emu.timing.profile import Profiler

    model = model_for(machine.arch.name, options.cpu)
    if options.cache:
        machine.counter.enable_cache(parse_cache(options.cache, model))
    profiler = Profiler(machine.counter, machine.arch, model)
    finished = False
    try:
        yield
        finished = True
    finally:
        # A guest that died after running still gets its report; a program that never ran (it
        # did not load) gets only its one-line error.
        if finished or machine.total_instructions:
            _report(profiler, machine, options)


def _report(profiler: Profiler, machine: Machine, options: CyclesOptions) -> None:
    """Write the reports the options asked for."""
    from emu.timing import pprof
    from emu.timing.report import write_json, write_text

    report = profiler.report(machine.image)
    if options.text_report:
        sys.stdout.flush()
        write_text(report, sys.stderr, options.top)
    if options.json_path:
        write_json(report, options.json_path)
    if options.profile_path:
        pprof.write(profiler.samples(machine.image), options.profile_path, machine.image.path)
