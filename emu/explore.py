"""`emu explore PROG --seeds N`: run a program under N seeded schedules and list what it can do.

Each seed is one `emu run PROG --seed S` (a fresh process: a crash of one run cannot end the
campaign), so each outcome comes with the seed that replays it exactly. An outcome is the exit
status, a hash of stdout and the first line emu printed about the run's end (a fault, a
deadlock, a limit). Different outcomes mean the program's result depends on the schedule; the
exit status is then 1, so CI can ask "is this program schedule-independent?".
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass

from rich.console import Console
from rich.table import Table

from emu import argtypes
from emu.campaign import add_campaign_arguments, chunks, run_chunks
from emu.errors import UsageError
from emu.memmodel.storage import MODELS
from emu.sched import SCHEDULES


@dataclass(frozen=True, order=True)
class RunOutcome:
    status: int
    stdout_sha: str
    ending: str  # emu's own last word on the run ("" for a plain exit)


def run_one(command: tuple[str, ...], timeout: float, seed: int) -> RunOutcome:
    """One `emu run ... --seed SEED` in its own process."""
    try:
        done = subprocess.run(
            [*command, "--seed", str(seed)], capture_output=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired:
        return RunOutcome(-1, "", f"no result within {timeout:g} s")
    emu_lines = [
        line for line in done.stderr.decode(errors="replace").splitlines() if line.startswith("emu:")
    ]
    return RunOutcome(
        done.returncode, hashlib.sha256(done.stdout).hexdigest()[:16], emu_lines[-1] if emu_lines else ""
    )


def run_chunk(command: tuple[str, ...], timeout: float, seeds: range) -> list[RunOutcome]:
    return [run_one(command, timeout, seed) for seed in seeds]


def _run_command(args: argparse.Namespace) -> tuple[str, ...]:
    command = [sys.executable, "-m", "emu", "run", args.program]
    if args.arch:
        command += ["--arch", args.arch]
    for option in ("max_insns", "timeout", "quantum", "schedule", "memory_model"):
        value = getattr(args, option)
        if value is not None:
            command += [f"--{option.replace('_', '-')}", str(value)]
    return (*command, "--", *args.args) if args.args else tuple(command)


def add_explore_command(commands: argparse._SubParsersAction) -> None:
    explore = commands.add_parser(
        "explore",
        help="run a program under many seeded schedules and list its distinct outcomes",
        description=__doc__.split("\n\n")[1],
    )
    explore.add_argument("program", help="assembly source or static ELF (as for emu run)")
    explore.add_argument("args", nargs="*", help="guest arguments (after --)")
    explore.add_argument("--arch", "-a", help="target arch (required for assembly)")
    explore.add_argument(
        "--seeds", type=argtypes.count, default=100, metavar="N", help="schedules to try (default 100)"
    )
    explore.add_argument(
        "--first-seed", type=argtypes.seed, default=0, metavar="S", help="seeds S..S+N-1 (default 0)"
    )
    explore.add_argument("--max-insns", type=argtypes.count, metavar="N", help="per run, as for emu run")
    explore.add_argument(
        "--timeout", type=argtypes.seconds, default=60.0, metavar="SECONDS", help="per run (default 60)"
    )
    explore.add_argument("--quantum", type=argtypes.count, metavar="N", help="as for emu run")
    explore.add_argument(
        "--schedule",
        choices=SCHEDULES,
        default="random",
        help="random (seeded draws) or pct (seeded priorities with change points, ASPLOS 2010)",
    )
    explore.add_argument(
        "--memory-model",
        choices=MODELS,
        help="as for emu run (default sc): tso, power or arm also explore when stores become visible",
    )
    explore.add_argument(
        "--replay", type=argtypes.seed, metavar="SEED", help="run the program once with this seed"
    )
    add_campaign_arguments(explore)
    explore.set_defaults(handler=command_explore)


def command_explore(args: argparse.Namespace) -> int:
    if not 0 < args.timeout <= 86_400:
        raise UsageError("--timeout must be between 0 and 86400 seconds")
    command = _run_command(args)
    if args.replay is not None:
        return subprocess.run([*command, "--seed", str(args.replay)], check=False).returncode
    parts = chunks(args.first_seed, args.seeds, size=4)
    task = functools.partial(run_chunk, command, args.timeout + 30)
    results = run_chunks(task, parts, cluster=args.cluster, jobs=args.jobs, label="schedules")
    outcomes: Counter[RunOutcome] = Counter()
    first: dict[RunOutcome, int] = {}
    for part, found in zip(parts, results, strict=True):
        for seed, outcome in zip(part, found, strict=True):
            outcomes[outcome] += 1
            first.setdefault(outcome, seed)
    _report(args.program, args.seeds, outcomes, first)
    return 0 if len(outcomes) == 1 else 1


def _report(program: str, seeds: int, outcomes: Counter[RunOutcome], first: dict[RunOutcome, int]) -> None:
    table = Table(title=f"emu explore {program}: {seeds} schedules, {len(outcomes)} outcome(s)")
    for column in ("runs", "exit", "stdout sha256", "emu said", "replay with"):
        table.add_column(column)
    for outcome, count in sorted(outcomes.items(), key=lambda item: first[item[0]]):
        table.add_row(
            str(count),
            str(outcome.status),
            outcome.stdout_sha,
            outcome.ending or "-",
            f"--seed {first[outcome]}",
        )
    Console(width=160).print(table)
