"""The run loop ends every run, whatever the pc: a jump, handler or ELF entry of -1 is SIGSEGV.

Unicorn runs nothing when `emu_start` begins at its own `until` address (which was the top of
the address space), so a thread at pc = -1 used to spin through empty slices forever, past
`--max-insns` (issue 12, D01/D18f).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from archdata import example, expect
from conftest import ARCHES, run_emu
from test_elf import link_hello

# [snippets] jump_to_minus_one and handler_at_minus_one (rt_sigaction(SIGSEGV, {handler = -1}),
# then a fault: the handler "runs" at pc -1) of each arch's tests/expect.toml.


def program(tmp_path: Path, body: str, data: str = "") -> Path:
    path = tmp_path / "top.s"
    path.write_text(f".text\n.globl _start\n_start:\n{body}\n.data\n.balign 8\nact: .zero 32\n{data}")
    return path


def assert_sigsegv_at_top(done) -> None:
    assert done.returncode == 139, done.stderr
    assert "SIGSEGV" in done.stderr and "pc 0xffff" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("arch", ARCHES)
def test_jump_to_minus_one_is_sigsegv(tmp_path: Path, arch: str) -> None:
    done = run_emu(
        "run",
        program(tmp_path, expect(arch, "snippets.jump_to_minus_one")),
        "--arch",
        arch,
        "--max-insns",
        "1000",
        timeout=60,
    )
    assert_sigsegv_at_top(done)


@pytest.mark.parametrize("arch", ARCHES)
def test_signal_handler_at_minus_one_is_sigsegv(tmp_path: Path, arch: str) -> None:
    done = run_emu(
        "run",
        program(tmp_path, expect(arch, "snippets.handler_at_minus_one")),
        "--arch",
        arch,
        "--max-insns",
        "1000",
        timeout=60,
    )
    assert_sigsegv_at_top(done)


@pytest.mark.parametrize("arch", ARCHES)
def test_elf_entry_at_minus_one_is_sigsegv(tmp_path: Path, arch: str) -> None:
    path = Path(link_hello(tmp_path, arch))
    image = bytearray(path.read_bytes())
    width = 8 if image[4] == 2 else 4  # EI_CLASS: ELFCLASS64 or 32; e_entry sits at 0x18 in both
    image[0x18 : 0x18 + width] = b"\xff" * width
    path.write_bytes(bytes(image))
    done = run_emu("run", path, "--max-insns", "1000", timeout=60)
    assert_sigsegv_at_top(done)


def run_example(tmp_path: Path, arch: str, name: str, seed: int) -> tuple[str, bytes]:
    """A toy-runtime example at the default quantum: (stdout, --strace bytes)."""
    trace = tmp_path / f"{name}-{seed}.strace"
    program = example(arch, f"runtime/{name}")
    done = run_emu("run", program, "--arch", arch, "--seed", str(seed), "--strace-file", trace, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout, trace.read_bytes()


@pytest.mark.parametrize("arch", ARCHES)
def test_seeds_change_the_interleaving_of_the_toy_runtime_by_default(tmp_path: Path, arch: str) -> None:
    """Issue 11: at the default quantum every seed used to replay one interleaving (the examples
    switch threads when they block or wake, far inside a quantum); the seed now picks who runs."""
    runs = [run_example(tmp_path, arch, "workers", seed) for seed in range(4)]
    assert {stdout for stdout, _ in runs} == {"workers 4\nsum of squares 338350\n"}
    assert len({trace for _, trace in runs}) > 1


@pytest.mark.parametrize("arch", ARCHES)
def test_same_seed_replays_the_toy_runtime_byte_for_byte(tmp_path: Path, arch: str) -> None:
    assert run_example(tmp_path, arch, "pingpong", 5) == run_example(tmp_path, arch, "pingpong", 5)
