"""Option values are checked when the command line is parsed: one line, exit 2, nothing run.

Each case below was a traceback, an internal error, a hang or a failure after
the run (issue 12) before the option got a checking type (emu/argtypes.py).
"""

from __future__ import annotations

import pytest
from archdata import example
from conftest import ROOT, run_emu
from fuzz.inprocess import run_cli

HELLO = example("amd64", "hello")
RUN = ["run", HELLO, "--arch", "amd64", "--max-insns", "100000"]
EXIT_WITH_ARGC = "mov rdi, [rsp]\nmov eax, 60\nsyscall\n"  # exit(argc)

BAD_VALUES = [
    (RUN, "--mem-limit", "infk"),
    (RUN, "--mem-limit", "nanM"),
    (RUN, "--mem-limit", "0"),
    (RUN, "--mem-limit", "-1G"),
    (RUN, "--mem-limit", "1e30G"),
    (RUN, "--mem-limit", "lots"),
    (RUN, "--gdb", "70000"),
    (RUN, "--gdb", "-1"),
    (RUN, "--timeout", "-1"),
    (RUN, "--timeout", "0"),
    (RUN, "--timeout", "nan"),
    (RUN, "--timeout", "inf"),
    (RUN, "--timeout", "1e300"),
    (RUN, "--quantum", "0"),
    (RUN, "--quantum", str(1 << 64)),
    (RUN, "--max-insns", "0"),
    (RUN, "--max-insns", "1.5"),
    (RUN, "--seed", str(1 << 64)),
    (RUN, "--seed", "-1"),
    (RUN, "--ncpu", "-1"),
    (RUN, "--ncpu", "0"),
    (RUN, "--ncpu", "100000"),
    (RUN, "--trace-thread", "0"),
    (RUN, "--postmortem", "0"),
    (RUN, "--schedtrace", "-1"),
    (RUN, "--env", "NO_EQUALS_SIGN"),
    (RUN, "--env", "=value"),
    (RUN, "--env", "BIG=" + "x" * (128 * 1024)),
    (RUN, "--strace-file", "/nonexistent/dir/strace.txt"),
    (RUN, "--trace-file", "/nonexistent/dir/trace.txt"),
    (RUN, "--cycles-json", "/nonexistent/dir/cycles.json"),
    (RUN, "--timeline", "/nonexistent/dir/timeline.json"),
    (RUN, "--strace-file", str(ROOT)),
    (RUN, "--stats-json", "/nonexistent/dir/stats.json"),
    (RUN, "--gdb-symbols", "/nonexistent/dir/symbols.elf"),
    (["test", "--arch", "amd64"], "--junit", "/nonexistent/dir/junit.xml"),
    (["test", "--arch", "amd64"], "--seed", "-1"),
]


@pytest.mark.parametrize("base,option,value", BAD_VALUES, ids=[f"{o}={v[:20]}" for _, o, v in BAD_VALUES])
def test_bad_option_value_is_a_one_line_usage_error(base: list[str], option: str, value: str) -> None:
    outcome = run_cli([*base, option, value])
    assert outcome.status == 2, outcome.stderr
    lines = outcome.stderr.strip().splitlines()
    assert len(lines) == 1 and f"argument {option}" in lines[0], outcome.stderr
    assert outcome.stdout == "", "the run started although an option was bad"


@pytest.mark.parametrize(
    "option,value,parsed",
    [
        ("--mem-limit", "256M", 256 << 20),
        ("--mem-limit", "1GiB", 1 << 30),
        ("--mem-limit", "0x10000", 0x10000),
    ]
    + [
        ("--mem-limit", "1.5k", 1536),
        ("--timeout", "0.5", 0.5),
        ("--seed", "0x10", 16),
        ("--gdb", "65535", 65535),
    ],
)
def test_good_option_values_parse(option: str, value: str, parsed) -> None:
    from emu.cli import build_parser

    args = build_parser().parse_args(["run", "x.s", option, value])
    assert getattr(args, option.lstrip("-").replace("-", "_")) == parsed


def test_environment_larger_than_linux_takes_is_e2big() -> None:
    """Three 100 KB variables: each fits MAX_ARG_STRLEN, together more than a quarter of the stack."""
    env = [arg for index in range(3) for arg in ("--env", f"V{index}=" + "x" * 100_000)]
    outcome = run_cli([*RUN, *env])
    assert outcome.status == 2 and "E2BIG" in outcome.stderr, outcome.stderr
    assert len(outcome.stderr.strip().splitlines()) == 1 and outcome.stdout == ""


def test_mem_limit_below_the_program_is_a_load_error() -> None:
    outcome = run_cli([*RUN, "--mem-limit", "4k"])
    assert outcome.status == 2 and "does not fit in memory" in outcome.stderr, outcome.stderr


def test_options_after_the_program_and_guest_arguments_after_double_dash(tmp_path) -> None:
    """The documented `emu run FILE --arch A -- args`; after `--` even `--arch` belongs to the guest."""
    source = tmp_path / "argc.s"
    source.write_text(EXIT_WITH_ARGC)
    outcome = run_cli(
        ["run", str(source), "--arch", "amd64", "--max-insns", "1000", "--", "--arch", "x", "--"]
    )
    assert outcome.status == 4, outcome.stderr  # argv: program, --arch, x, --


def test_double_dash_for_a_command_without_guest_arguments_is_an_error() -> None:
    outcome = run_cli(["test", "--arch", "amd64", "--", "extra"])
    assert outcome.status == 2 and "unrecognized arguments: -- extra" in outcome.stderr, outcome.stderr


def test_unwritable_output_is_found_before_the_run(tmp_path) -> None:
    """The report file is checked at parse time: the guest never runs, so nothing is lost after a long run."""
    target = tmp_path / "missing" / "cycles.json"
    outcome = run_cli([*RUN, "--cycles", "--cycles-json", str(target)])
    assert outcome.status == 2 and outcome.stdout == "" and not target.exists(), outcome.stderr


@pytest.mark.parametrize("spec", ["L1=0/0/0", "L1=32K/0/64", "L1=-32K/8/64", "L1=99999M/8/64"])
def test_impossible_cache_geometry_is_a_usage_error(spec: str) -> None:
    """`L1=0/0/0` was an internal error (ZeroDivisionError), found by tests/fuzz/test_cli.py."""
    outcome = run_cli([*RUN, "--cache", spec])
    assert outcome.status == 2 and "is not a valid geometry" in outcome.stderr, outcome.stderr


def test_a_program_that_does_not_load_gets_no_cycles_report() -> None:
    """Found by the long CLI fuzz campaign: the empty report came before the one-line error."""
    done = run_emu(
        "run", example("amd64", "hello"), "--arch", "amd64", "--cpu", "skylake", "--mem-limit", "1"
    )
    assert done.returncode == 2
    assert done.stderr.startswith("emu:") and len(done.stderr.splitlines()) == 1
