"""`emu test`: the runtime stubs' conformance suite (cases, reference models, runner, reports).

Entry points: `emu.conformance.runner.run_suite(SuiteOptions(...))` -> Report,
`emu.conformance.report.print_report` / `write_junit`, the mutant registry in
`emu.conformance.mutants`, and the `emu test` subcommand in
`emu.conformance.command`. Nothing heavy is imported here, so the CLI stays quick.
"""
