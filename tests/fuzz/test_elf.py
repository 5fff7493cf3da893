"""Fuzz the ELF loader: mutated static executables through `emu run FILE`, in-process.

Seeds are a minimal exit(0) executable per arch synthesised with struct, plus
each arch's examples/hello.s linked by GNU as + ld where the cross binutils are
installed. Mutations rewrite header and program-header fields (boundary values
first), truncate, flip bits and overwrite bytes. Every case must end as a run
(bounded by --max-insns/--timeout), a fault (128+N) or `FILE: bad ELF: ...`
(exit 2): never an internal error, a traceback or a hang.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from archdata import input_file
from conftest import ARCHES
from elfgen import HEADER_FIELDS, PHDR_FIELDS, set_header_field, set_phdr_field, synthesise
from hypothesis import event, given
from hypothesis import strategies as st

from emu import arch as arches
from emu.asm import gnu_backend
from fuzz.conftest import record
from fuzz.inprocess import assert_documented_outcome, ledger_word, run_cli

RUN_BUDGET = ["--max-insns", "5000", "--timeout", "10"]


class SeedCorpus(tuple):
    """(arch, file bytes) pairs, shown by count in a failure report (not as megabytes of repr)."""

    def __repr__(self) -> str:
        return f"<{len(self)} seed executables: {', '.join(arch for arch, _ in self)}>"


def seeds(work: Path) -> SeedCorpus:
    """Every seed executable: synthesised ones, then GNU-linked hello programs where binutils are installed."""
    found = [(name, synthesise(name)) for name in ARCHES]
    for name in ARCHES:
        arch = arches.get(name)
        if gnu_backend.available(arch):
            source = input_file(name, "examples/hello.s")
            out = gnu_backend.link_executable(source.read_text(), arch, str(source), work / f"hello-{name}")
            found.append((name, out.read_bytes()))
    return SeedCorpus(found)


@pytest.fixture(scope="module")
def seed_files(tmp_path_factory) -> SeedCorpus:
    return seeds(tmp_path_factory.mktemp("elf-seeds"))


BOUNDARY = st.sampled_from(
    [0, 1, 2, 0x7F, 0x80, 0xFF, 0x1000, 0xFFFF, 0x10000, 0x7FFFFFFF, 0xFFFFFFFF, 1 << 32, 1 << 47, 1 << 63]
    + [(1 << 64) - 1, (1 << 64) - 0x1000, 0x7FFFFFFFF000, 0x800000000000, 0xBF000000, 0x40000000]
)
VALUES = st.one_of(BOUNDARY, st.integers(0, (1 << 64) - 1), st.integers(0, 0x2000))
MUTATION = st.one_of(
    st.tuples(st.just("header"), st.sampled_from(list(HEADER_FIELDS)), VALUES),
    st.tuples(st.just("phdr"), st.integers(0, 3), st.sampled_from(PHDR_FIELDS[64]), VALUES),
    st.tuples(st.just("truncate"), st.integers(0, 1 << 16)),
    st.tuples(st.just("flip"), st.integers(0, 1 << 16), st.integers(0, 7)),
    st.tuples(st.just("byte"), st.integers(0, 1 << 16), st.integers(0, 255)),
)


def mutate(seed: bytes, mutations: list[tuple]) -> bytes:
    data = bytearray(seed)
    for mutation in mutations:
        kind = mutation[0]
        if kind == "header" and len(data) >= 64:
            set_header_field(data, mutation[1], mutation[2])
        elif kind == "phdr" and len(data) >= 64:
            set_phdr_field(data, *mutation[1:])
        elif kind == "truncate":
            del data[mutation[1] % (len(data) + 1) :]
        elif kind in ("flip", "byte") and data:
            position = mutation[1] % len(data)
            data[position] = data[position] ^ (1 << mutation[2]) if kind == "flip" else mutation[2]
    return bytes(data)


def run_elf(path: Path, arch: str) -> None:
    argv = ["run", str(path), *RUN_BUDGET]
    outcome = run_cli(argv)
    assert_documented_outcome(outcome, argv)
    record("elf", arch, ledger_word(outcome))
    event(f"exit {outcome.status}" + (" (bad ELF)" if ": bad ELF: " in outcome.stderr else ""))
    if outcome.status == 2:
        assert ": bad ELF: " in outcome.stderr or "emu: " in outcome.stderr, outcome.stderr


@pytest.mark.parametrize("arch", ARCHES)
def test_synthesised_seed_runs_to_exit_0(tmp_path, arch: str) -> None:
    """The seeds are valid: unmutated, each runs and exits 0 (else the campaign tests nothing)."""
    path = tmp_path / "seed"
    path.write_bytes(synthesise(arch))
    outcome = run_cli(["run", str(path)])
    assert outcome.status == 0, outcome.stderr


@pytest.mark.fuzz
@given(choice=st.integers(0, 1 << 16), mutations=st.lists(MUTATION, min_size=1, max_size=4))
def test_mutated_elf_is_run_fault_or_bad_elf(seed_files, tmp_path_factory, choice: int, mutations) -> None:
    arch, seed = seed_files[choice % len(seed_files)]
    path = tmp_path_factory.mktemp("mutant") / "a.out"
    path.write_bytes(mutate(seed, mutations))
    run_elf(path, arch)
