"""Run the registered cases on each arch: one StubMachine per arch, reused by every case.

Random inputs come from a Random seeded by (seed, arch, case), so a failure
reproduces with the same --seed whatever else was selected.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from emu import arch as arches
from emu.conformance import cases_atomic, cases_memory, cases_runtime  # noqa: F401 - they register cases
from emu.conformance.core import CASES, Case, CaseAborted, CaseResult, Context, Pending
from emu.errors import EmuError, UsageError
from emu.stubs import StubMachine, UserStubs


@dataclass
class SuiteOptions:
    arches: list[str]
    stub: str | None = None
    seed: int = 0
    full: bool = False
    user: UserStubs | None = None  # the user's stubs (--stubs, --mutant): only cases calling them run
    contended: bool = True
    memory_model: str | None = None  # the contended cases' model; None: each arch's own (arch data)


@dataclass
class Report:
    options: SuiteOptions
    results: list[CaseResult] = field(default_factory=list)
    seconds: float = 0.0
    user_functions: dict[str, tuple[Path, tuple[str, ...]]] = field(
        default_factory=dict
    )  # arch -> (file, names)
    started: datetime = field(default_factory=lambda: datetime.now().astimezone())
    setup_error: tuple[str, EmuError] | None = None  # (arch, why): its stubs did not build; the run stopped

    @property
    def checks(self) -> int:
        return sum(result.checks for result in self.results)

    @property
    def nothing_checked(self) -> str | None:
        """Why this run is no verdict (no check ran; with the user's stubs: on some arch), or None."""
        arches = self.options.arches if self.options.user else [None]
        reasons = [why for arch in arches if (why := self._nothing_checked_on(arch))]
        return "; ".join(reasons) or None

    def _nothing_checked_on(self, arch: str | None) -> str | None:
        results = [r for r in self.results if arch is None or r.arch == arch]
        if sum(r.checks for r in results):
            return None
        where = f" on {arch}" if arch else ""
        if not results:
            return f"no case ran{where}"
        if all(r.skipped for r in results):
            return f"every case was pending{where}"
        return f"the cases ran but compared nothing{where}"

    @property
    def ok(self) -> bool:
        return (
            self.setup_error is None
            and self.nothing_checked is None
            and all(result.ok for result in self.results)
        )

    def failures(self) -> list[CaseResult]:
        return [result for result in self.results if not result.ok]


def selected_cases(options: SuiteOptions) -> list[Case]:
    from emu.conformance import contended

    chosen = [c for c in CASES if c.selected_by(options.stub) and (options.full or not c.slow)]
    if not options.contended:
        chosen = [c for c in chosen if c.run.__module__ != contended.__name__]
    return chosen


def known_stubs() -> set[str]:
    selected_cases(SuiteOptions([]))  # imports every case module
    return {c.stub for c in CASES} | {s for c in CASES for s in c.covers}


def run_case(sm: StubMachine, case: Case, options: SuiteOptions) -> CaseResult:
    """One case on one arch; a case that cannot run here (Pending) is reported as skipped."""
    result = CaseResult(sm.arch.name, case.stub, case.name)
    rng = random.Random(f"{options.seed}:{sm.arch.name}:{case.stub}:{case.name}")
    model = options.memory_model or sm.arch.memory_model.default
    context = Context(sm, result, rng, options.full, options.seed, model)
    started = time.perf_counter()
    try:
        case.run(context)
    except Pending as why:
        result.skipped = str(why)
    except CaseAborted as why:
        result.failures[-1].message += f" ({why})"
    except EmuError as err:
        context.fail(case.stub, "(case set-up)", str(err), crashed=True)
    result.seconds = time.perf_counter() - started
    return result


def cases_for(sm: StubMachine, cases: list[Case], options: SuiteOptions) -> list[Case]:
    """The cases to run on this machine: with the user's stubs, those that call one of them.

    A stub asked for with --stub that the user's file does not define is an error:
    its cases would only test the shipped code.
    """
    applicable = [case for case in cases if case.applies_to(sm.arch)]
    if options.user is None:
        return applicable
    mine = set(sm.source.user_functions)
    if options.stub and options.stub not in mine:
        raise UsageError(
            f"{sm.source.user_file} does not define {options.stub} (it defines {', '.join(sorted(mine))}): "
            f"nothing of yours to test for --stub {options.stub} on {sm.arch.name}"
        )
    return [case for case in applicable if {case.stub, *case.covers} & mine]


def run_suite(
    options: SuiteOptions,
    on_arch_start: Callable[[str, int], None] | None = None,
    on_case_done: Callable[[CaseResult], None] | None = None,
) -> Report:
    """Every selected case on every arch. Stubs that do not build (the user's file does not
    assemble) end the run there: `report.setup_error` says why, for the JUnit file and the error.
    The callbacks follow progress: an arch starting with its number of cases, each case done."""
    report = Report(options)
    started = time.perf_counter()
    cases = selected_cases(options)
    for name in options.arches:
        try:
            sm = StubMachine(arches.get(name), options.user)
        except UsageError:
            raise
        except EmuError as err:
            report.setup_error = (name, err)
            break
        if sm.source.user_file is not None:
            report.user_functions[name] = (sm.source.user_file, sm.source.user_functions)
        mine = cases_for(sm, cases, options)
        if on_arch_start is not None:
            on_arch_start(name, len(mine))
        for case in mine:
            report.results.append(run_case(sm, case, options))
            if on_case_done is not None:
                on_case_done(report.results[-1])
    report.seconds = time.perf_counter() - started
    return report
