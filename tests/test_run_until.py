"""Machine.run_until, the one place the engine runs: it stops at its address or its budget, exact.

The program is the arch's own `procyield(n)` stub (a counted loop), entered as a stub call; its
whole length is measured once per arch, then cut at every budget hypothesis picks.
"""

from __future__ import annotations

import pytest
from conftest import ARCHES
from hypothesis import given, settings
from hypothesis import strategies as st

from emu.stubs import StubMachine

ITERATIONS = 50
LARGE = 1 << 40


@pytest.fixture(scope="module", params=ARCHES)
def sm(request: pytest.FixtureRequest) -> StubMachine:
    return StubMachine(request.param)


def _enter_procyield(sm: StubMachine) -> None:
    sm.set_args("procyield", ("w",), (ITERATIONS,))
    sm.enter("procyield")


def _whole_call(sm: StubMachine) -> int:
    _enter_procyield(sm)
    executed = sm.machine.run_until(sm.thread, sm.sentinel, LARGE)
    assert sm.regs[sm.arch.pc] == sm.sentinel
    return executed


def test_a_run_to_an_address_stops_there_with_its_exact_count(sm: StubMachine) -> None:
    first = _whole_call(sm)
    assert first > ITERATIONS  # the loop ran, each iteration at least one instruction
    assert _whole_call(sm) == first  # and again the same: nothing is left over from the last run


@settings(max_examples=10, deadline=None)
@given(fraction=st.floats(min_value=0.0, max_value=1.0, exclude_max=True))
def test_a_budget_stops_on_its_instruction_and_the_rest_runs_on_resume(
    sm: StubMachine, fraction: float
) -> None:
    whole = _whole_call(sm)
    budget = max(1, int(whole * fraction))
    _enter_procyield(sm)
    assert sm.machine.run_until(sm.thread, sm.sentinel, budget) == budget
    assert sm.regs[sm.arch.pc] != sm.sentinel and sm.machine.stop.fault is None
    assert sm.machine.run_until(sm.thread, sm.sentinel, LARGE) == whole - budget
    assert sm.regs[sm.arch.pc] == sm.sentinel


def test_a_slice_without_an_address_ends_on_its_budget(sm: StubMachine) -> None:
    whole = _whole_call(sm)
    _enter_procyield(sm)
    assert sm.machine.run_until(sm.thread, None, whole // 2) == whole // 2


def test_an_engine_fault_is_left_in_the_stop_reason(sm: StubMachine) -> None:
    """Not raised: the slice's callers (a debugger, a signal handler) see it first."""
    sm.regs[sm.arch.pc] = 0  # nothing is mapped at page zero
    assert sm.machine.run_until(sm.thread, sm.sentinel, 100) == 0
    fault = sm.machine.stop.fault
    assert fault is not None and fault.signal_name == "SIGSEGV" and "execution" in fault.reason
