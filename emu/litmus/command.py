"""`emu litmus FILE.litmus...`: run litmus tests under a memory model and report as litmus7 does.

For each test and each arch of its family (PPC tests on ppc64 and ppc64le, `--arch` picks one),
`--runs` seeded runs; the report is litmus7's (histogram with `*>` on the states that satisfy
the condition, Ok/No, Witnesses, `Observation NAME Never|Sometimes|Always P N`), then the seed
that gives each state first: `--replay SEED` runs that one schedule again and prints its state.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TextIO

from emu import arch as arches
from emu import argtypes
from emu.campaign import add_campaign_arguments
from emu.errors import UsageError
from emu.litmus.parse import LitmusTest, parse
from emu.litmus.runner import Campaign, LitmusMachine, Unsupported, campaign
from emu.memmodel.storage import MODELS

HEADING = {"exists": "Allowed", "~exists": "Forbidden", "forall": "Required"}


def arches_for(test: LitmusTest, wanted: str | None) -> list[str]:
    """The arches a test runs on: every arch of its family, or the one asked for."""
    family = [
        a.name
        for a in arches.all_arches().values()
        if a.memory_model and a.memory_model.litmus == test.family
    ]
    if not family:
        raise Unsupported(f"{test.path}: no emu arch runs {test.family} litmus tests")
    if wanted is None:
        return family
    name = arches.resolve_name(wanted)
    if name not in family:
        raise UsageError(f"{test.path}: a {test.family} test cannot run on {name} (try {', '.join(family)})")
    return [name]


def verdict(result: Campaign) -> str:
    """litmus7's Ok/No: did the runs validate the test's quantified condition?"""
    quantifier = result.test.quantifier
    if quantifier == "exists":
        return "Ok" if result.positive else "No"
    if quantifier == "~exists":
        return "Ok" if not result.positive else "No"
    return "Ok" if not result.negative else "No"


def observation(result: Campaign) -> str:
    if result.positive == 0:
        return "Never"
    return "Always" if result.negative == 0 else "Sometimes"


def write_report(result: Campaign, seconds: float, out: TextIO) -> None:
    test = result.test
    name = f"{test.name}"
    print(f"Test {name} {HEADING[test.quantifier]} ({result.arch}, memory model {result.model})", file=out)
    print(f"Histogram ({len(result.histogram)} states)", file=out)
    for outcome, count in sorted(result.histogram.items(), key=lambda item: str(item[0])):
        mark = "*>" if test.condition.holds(dict(outcome.values)) else ":>"
        print(f"{count:<6}{mark}{outcome}", file=out)
    ok = verdict(result)
    print(f"{ok}\n\nWitnesses", file=out)
    print(f"Positive: {result.positive}, Negative: {result.negative}", file=out)
    validated = "is validated" if ok == "Ok" else "is NOT validated"
    print(f"Condition {test.quantifier} {test.condition} {validated}", file=out)
    print(f"Observation {name} {observation(result)} {result.positive} {result.negative}", file=out)
    print(f"Time {name} {seconds:.2f}", file=out)
    print("Seeds (emu litmus FILE --arch ARCH --replay SEED runs one again)", file=out)
    for outcome, seed in sorted(result.first_seed.items(), key=lambda item: str(item[0])):
        print(f"  {outcome} seed {seed}", file=out)
    print(file=out)


def add_litmus_command(commands: argparse._SubParsersAction) -> None:
    litmus = commands.add_parser(
        "litmus",
        help="run herd/litmus7 litmus tests under a memory model (docs/memory-models.md)",
        description=__doc__.split("\n\n")[1],
    )
    litmus.add_argument(
        "tests",
        nargs="+",
        help="litmus test files (herd syntax; the family on the first line must be the arch's)",
    )
    litmus.add_argument(
        "--arch", "-a", type=argtypes.arch_name, help="one arch of the tests' family (default: all of them)"
    )
    litmus.add_argument(
        "--memory-model", choices=MODELS, help="sc, tso, power or arm (default: the arch's own)"
    )
    litmus.add_argument(
        "--runs",
        type=argtypes.integer_between(1, 10_000_000),
        default=1000,
        help="seeded runs per test and arch (default 1000)",
    )
    litmus.add_argument("--seed", type=argtypes.seed, default=0, help="the first run's seed (default 0)")
    litmus.add_argument(
        "--replay", type=argtypes.seed, metavar="SEED", help="run only this seed and show its final state"
    )
    add_campaign_arguments(litmus)
    litmus.set_defaults(handler=command_litmus)


@dataclass(frozen=True)
class CampaignRuns:
    """How many runs of each test, from which seed, where (locally, in processes, on Dask)."""

    runs: int
    first_seed: int
    cluster: str | None
    jobs: int | None


def command_litmus(args: argparse.Namespace) -> int:
    import sys

    tests = [parse(path) for path in args.tests]
    if args.replay is not None:
        return _replay(tests, args.arch, args.memory_model, args.replay)
    runs = CampaignRuns(args.runs, args.seed, args.cluster, args.jobs)
    failed = _run_all(tests, args.arch, args.memory_model, runs, sys.stdout)
    return 2 if failed else 0


def _run_all(
    tests: Iterable[LitmusTest], arch_text: str | None, model: str | None, runs: CampaignRuns, out: TextIO
) -> int:
    import sys

    failed = 0
    for test in tests:
        for arch in arches_for(test, arch_text):
            start = time.perf_counter()
            try:
                result = campaign(
                    test, arch, model, runs.runs, runs.first_seed, cluster=runs.cluster, jobs=runs.jobs
                )
            except Unsupported as err:
                print(f"Test {test.name} cannot run on {arch}: {err}", file=out)
                print(f"emu: {err}", file=sys.stderr)
                failed += 1
                continue
            write_report(result, time.perf_counter() - start, out)
    return failed


def _replay(tests: list[LitmusTest], arch_text: str | None, model_name: str | None, seed: int) -> int:
    if len(tests) != 1:
        raise UsageError("--replay takes exactly one test")
    test = tests[0]
    archs = arches_for(test, arch_text)
    if len(archs) != 1:
        raise UsageError(f"--replay needs --arch (one of {', '.join(archs)})")
    arch = arches.get(archs[0])
    model = model_name or arch.memory_model.default
    state = LitmusMachine(test, arch).run(model, seed)
    satisfied = test.condition.holds(state)
    mark = "*>" if satisfied else ":>"
    shown = " ".join(f"{loc}={state[loc]};" for loc in test.shown)
    print(f"Test {test.name} seed {seed} ({arch.name}, memory model {model})")
    print(f"{mark}{shown}")
    return 0
