"""`emu test`: the runtime stubs' conformance suite (cases, reference models, runner, reports).

Public entry points: `run_suite(SuiteOptions(...))` -> Report, `print_report`,
`write_junit`, and the mutant registry in `emu.conformance.mutants`.
"""

from emu.conformance.runner import Report, SuiteOptions, run_suite

__all__ = ["Report", "SuiteOptions", "run_suite"]
