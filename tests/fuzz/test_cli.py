"""Fuzz the command line: random option values for every subcommand, through the parser and main.

Each case is one subcommand with a small, cheap base command (hello world with
an instruction budget, one stub on one arch) and one to three options with
hostile values: huge, negative, NaN, infinite, empty, unit-suffixed, unprintable,
paths that cannot be written. Every case must end as a normal exit, a usage
error (2, one line), a budget (124) or death by a signal: never an internal
error (70), a traceback or a hang.

Not fuzzed with working values: `--gdb PORT` (a valid port waits for a
debugger by design) and `bench --only` text that selects programs (it runs
real benchmarks against qemu-user for minutes).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from archdata import example
from hypothesis import event, given
from hypothesis import strategies as st

from fuzz.conftest import record
from fuzz.inprocess import assert_documented_outcome, ledger_word, run_cli

HELLO = example("amd64", "hello")
BUDGET = ["--max-insns", "20000", "--timeout", "10"]
INTEGERS = st.one_of(
    st.integers(-(1 << 70), 1 << 70),
    st.sampled_from([0, -1, 1, 65535, 65536, 70000, (1 << 63) - 1, 1 << 63, (1 << 64) - 1, 1 << 64]),
).map(str)
FLOATS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from(["nan", "inf", "-inf", "1e300", "-0", "0.0", "1e-300", "infk", "nanM", "1e30G"]),
)
SIZES = st.builds(
    lambda n, unit: f"{n}{unit}",
    st.integers(-5, 1 << 50),
    st.sampled_from(["", "k", "M", "G", "T", "GiB", "q"]),
)
TEXT = st.text(max_size=30)
NUMBERS = st.one_of(INTEGERS, FLOATS, SIZES, TEXT)


def paths(work: Path) -> st.SearchStrategy[str]:
    """Output or input paths: in a scratch directory, missing directories, a directory, empty."""
    return st.one_of(
        st.sampled_from(["", "/nonexistent/dir/out", str(work), "/dev/null", str(work / "x" / "y")]),
        st.text(
            st.characters(exclude_characters="/\0", exclude_categories=["Cs"]), min_size=1, max_size=12
        ).map(lambda name: str(work / name)),
    )


def plausible(*values: str) -> st.SearchStrategy[str]:
    """Mostly working values for an option that takes text, with hostile text mixed in."""
    return st.one_of(st.sampled_from(values), TEXT)


def options(work: Path) -> dict[str, list[tuple[str, st.SearchStrategy[str]]]]:
    """Per subcommand: (option, values) pairs."""
    path = paths(work)
    return {
        "run": [
            ("--arch", plausible("amd64", "x86_64", "arm", "ppc64")), ("--assembler", plausible("gnu", "keystone", "llvm")),
            ("--max-insns", NUMBERS), ("--timeout", NUMBERS), ("--quantum", NUMBERS), ("--seed", NUMBERS),
            ("--ncpu", NUMBERS), ("--mem-limit", NUMBERS), ("--strace-file", path),
            ("--env", plausible("A=1", "PATH=/bin", "=x", "A")), ("--trace-range", plausible("_start", "0x401000-0x401010", "msg-_start", "1-0")),
            ("--trace-thread", NUMBERS), ("--trace-file", path),
            ("--watch", plausible("msg", "msg:4", "0x402000:8", "msg:0", "msg:-1", "nosuch", "0:99999999999")),
            ("--gdb", NUMBERS.filter(_not_a_port)), ("--postmortem", NUMBERS),
            ("--cpu", plausible("skylake", "zen2", "power9", "cortex-a9")), ("--cycles-json", path),
            ("--cache", plausible("L1=32K/8/64", "L1=32K/8/64,L2=256K/4/64", "L1=0/0/0", "L1=3K/3/3", "L9=1G/1/1")),
            ("--schedtrace", NUMBERS), ("--runtime-stubs", path),
        ],
        "test": [
            ("--arch", plausible("amd64", "arm,amd64", "amd64,")), ("--stub", plausible("cas", "xadd", "nosuch")),
            ("--junit", path), ("--seed", NUMBERS), ("--stub-dir", path), ("--mutant", plausible("list", "nosuch")),
        ],
        "explain": [
            ("--arch", plausible("amd64", "arm")), ("--args", plausible("m", "m+1", "0xf0", "m+99999", "-1")),
            ("--mem", plausible("01020304", "u32:5", "u64:1", "zz", "u32:-1", "0" * 9)), ("--stub-file", path),
        ],
        "check": [("--arch", plausible("amd64", "arm", "all,")), ("--stubs", path)],
        "bench": [("--only", TEXT.map(lambda text: "~" + text))],  # `~`: no program name has it
        "timeline": [
            ("--arch", plausible("amd64", "arm")), ("--cpu", plausible("skylake", "zen2", "power9")),
            ("--iterations", NUMBERS),
        ],
    }  # fmt: skip


BASE = {
    "run": ["run", HELLO, "--arch", "amd64", *BUDGET],
    "test": ["test", "--arch", "amd64", "--stub", "cas"],
    "explain": ["explain", "atomicor8", "--arch", "amd64"],
    "check": ["check", "--arch", "amd64"],
    "bench": ["bench"],
    "timeline": ["timeline", HELLO, "_start", "--arch", "amd64"],
}


def _not_a_port(text: str) -> bool:
    try:
        return not 0 <= int(text, 0) <= 65535
    except ValueError:
        return True


@st.composite
def command_lines(draw, work: Path) -> list[str]:
    command = draw(st.sampled_from(sorted(BASE)))
    choices = options(work)[command]
    picked = draw(st.lists(st.sampled_from(choices), min_size=1, max_size=3, unique_by=lambda pair: pair[0]))
    argv = list(BASE[command])
    for option, values in picked:
        argv += [option, draw(values)]
    if command == "run":
        argv += BUDGET  # last wins: a fuzzed --max-insns/--timeout cannot lift the budget
    return argv


@pytest.fixture(scope="module")
def work(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("cli-fuzz")


@pytest.mark.fuzz
@given(data=st.data())
def test_random_option_values_never_crash(work: Path, data) -> None:
    argv = data.draw(command_lines(work))
    outcome = run_cli(argv)
    assert_documented_outcome(outcome, argv)
    if outcome.status == 2:  # one line; an assembly error adds the offending source line, indented
        first, *detail = outcome.stderr.rstrip("\n").splitlines()
        assert first.startswith("emu") and all(line.startswith(" ") for line in detail), (
            argv,
            outcome.stderr,
        )
    record(f"cli {argv[0]}", "-", ledger_word(outcome))
    event(f"{argv[0]}: exit {outcome.status}")
