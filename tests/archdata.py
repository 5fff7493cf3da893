"""Each arch's test inputs and expected values, read from its own folder (docs/adding-an-architecture.md).

An arch folder holds what the tests need of it: example programs (`examples/`), guest programs
(`tests/programs/`), small fixtures (`tests/fixtures/`) and `tests/expect.toml`, the values the
tests compare with (a register name the post-mortem must show, the mnemonic of a store, a guest
snippet that faults...). A derived arch (`base = "ppc64"`) finds what it lacks in its base's folder
through the arch record's own lookup (`Arch.find`); a key of its expect.toml replaces the base's.

INPUTS and EXPECTED list what the tests read: asking for anything else is an error, so the lists
stay complete, and tests/test_archdata.py checks that every arch found has all of them. A missing
file or key fails the test that needs it, naming the arch and the file or key: never a skip.
"""

from __future__ import annotations

import functools
import tomllib
from pathlib import Path
from typing import Any

import pytest

from emu import arch as arches

ROOT = Path(__file__).resolve().parent.parent
EXPECT_FILE = "tests/expect.toml"

# Files every arch folder (or its base's) has for the tests.
INPUTS = (
    "examples/hello.s",  # prints "Hello from <arch>!" (test_run, test_asm, test_elf, the wheel)
    "examples/runtime/gcloop.s",  # the toy runtime (test_runtime, test_sched, emu bench)
    "examples/runtime/pingpong.s",
    "examples/runtime/workers.s",
    "tests/programs/directives.s",  # every assembler directive; prints "directives ok"
    "tests/programs/mm.s",  # the kernel programs (test_kernel_programs, test_differential, strace)
    "tests/programs/futex.s",
    "tests/programs/clone.s",
    "tests/programs/deadlock.s",
    "tests/programs/linux.s",
    "tests/programs/race.s",
    "tests/fixtures/or8.s",  # atomicor8(&m[1], 0xf0) (trace, watch, gdb)
    "tests/fixtures/stores.s",  # every store width next to a watched range (test_debug_watch)
    "tests/fixtures/predefines.S",  # checks the gcc predefines of a .S file (test_asm_conditionals)
)

# Keys every arch's tests/expect.toml (or its base's) has: "table.key".
EXPECTED = (
    "snippets.prelude",  # what a source needs before `_start` (ppc64: `.abiversion 2`), or ""
    "snippets.fault",  # a store to address 0
    "snippets.illegal",  # an instruction Linux answers with SIGILL
    "snippets.loop",  # a branch to itself
    "snippets.unknown_syscall",  # syscall 999, then exit with the (positive) errno
    "snippets.exit",  # exit(whatever is in the first argument register)
    "snippets.exit_zero",  # exit(0)
    "snippets.jump_to_minus_one",
    "snippets.handler_at_minus_one",  # a SIGSEGV handler at -1 (rt_sigaction on `act`), then a fault
    "snippets.call_then_fault",  # a whole `_start` that calls a leaf which stores to 0
    "snippets.counted_loop",  # 3 x 300 stores, counted by test_blockcount
    "snippets.syscall_loop",  # the syscall instruction in a loop (the syscall fuzzer sets the registers)
    "faults.cases",
    "trace.or8_store",
    "trace.or8_result",
    "watch.or8_llsc",
    "watch.stores",
    "postmortem.flags_register",
    "gdb.first_args",
    "gdb.pc_index",
    "gdb.first_arg_index",
    "gdb.or8_first_insn_size",
    "gdb.or8_exit_after_write",
    "gdb.cas_stepi_bytes",
    "signals.go_pc_offset",
    "signals.go_fault_address_offset",
    "elf.exit_zero_code",
    "fuzz.mnemonics",
    "fuzz.operands",
    "fuzz.fragments",
    "counts.dialect",
)
# Keys only the arches with a feature have, read by that feature's tests (which fail on an arch
# with the feature and without the key): [llvm] for an arch whose [asm] backends name llvm.
WHEN_APPLICABLE = (
    "llvm.rejected",  # sources llvm-mc cannot build -> why (tests/test_asm_llvm.py)
    "llvm.other_bytes",  # sources whose llvm bytes legitimately differ from GNU's -> why
)


def input_file(arch_name: str, relative: str) -> Path:
    """The arch's test input `relative` (one of INPUTS): its own, else its base's."""
    if relative not in INPUTS:
        raise AssertionError(f"{relative} is not in tests/archdata.py INPUTS: add it there")
    return _found(arch_name, relative)


def arch_path(arch_name: str, relative: str) -> str:
    """A file only this arch has (a test of this arch alone: amd64's tests/programs/tsc.s)."""
    return _relative(_found(arch_name, relative))


def _found(arch_name: str, relative: str) -> Path:
    found = arches.get(arch_name).find(relative)
    if found is None:
        folders = ", ".join(str(folder) for folder in arches.get(arch_name).folders)
        pytest.fail(f"{arch_name}: no {relative} in its folder (looked in {folders})")
    return found


def input_path(arch_name: str, relative: str) -> str:
    """input_file as a path relative to the checkout, as a user types it (and reports show it)."""
    return _relative(input_file(arch_name, relative))


def _relative(found: Path) -> str:
    return found.relative_to(ROOT).as_posix() if found.is_relative_to(ROOT) else str(found)


def example(arch_name: str, name: str) -> str:
    """The arch's example `name` ("hello", "runtime/gcloop"), relative to the checkout."""
    return input_path(arch_name, f"examples/{name}.s")


@functools.cache
def _tables(folder: Path) -> dict[str, Any]:
    """The folder's tests/expect.toml (read once), or nothing."""
    path = folder / EXPECT_FILE
    return tomllib.loads(path.read_text()) if path.is_file() else {}


def lookup(arch_name: str, key: str) -> tuple[bool, Any]:
    """(found, value) of `key` ("table.key") in the arch's expect.toml, else its base's."""
    table, _, name = key.partition(".")
    for folder in arches.get(arch_name).folders:
        values = _tables(folder).get(table, {})
        if name in values:
            return True, values[name]
    return False, None


def expect(arch_name: str, key: str) -> Any:
    """The arch's expected value `key` (one of EXPECTED); missing, the test fails naming both."""
    if key not in EXPECTED:
        raise AssertionError(f"{key} is not in tests/archdata.py EXPECTED: add it there")
    found, value = lookup(arch_name, key)
    if not found:
        pytest.fail(f"{arch_name}: no '{key}' in emu/data/arch/{arch_name}/{EXPECT_FILE} (nor its base's)")
    return value
