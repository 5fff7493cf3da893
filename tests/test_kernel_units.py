"""The Linux layer's handlers and the scheduler, called directly on a loaded Machine.

Guest programs (test_kernel_programs.py) show the behaviour end to end; these
pin the details that are awkward to reach from assembly: byte order of guest
structures, per-arch argument order and flag names, seeding, bookkeeping.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from archdata import expect
from conftest import ARCHES

from emu import arch as arches
from emu.asm import assemble_text
from emu.kernel import Blocked
from emu.kernel.abi import Errno
from emu.kernel.strace import format_call
from emu.machine import Machine
from emu.options import RunOptions
from emu.sched import Scheduler

SCRATCH = 0x1000  # offset into the stack mapping used as guest scratch memory


def machine_for(arch_name: str, **options) -> Machine:
    arch = arches.get(arch_name)
    body, prelude = expect(arch_name, "snippets.exit"), expect(arch_name, "snippets.prelude")
    image = assemble_text(f"{prelude}\n    .globl _start\n    .text\n_start:\n{body}\n", arch)
    machine = Machine(arch, image, RunOptions(**options))
    machine.load()
    return machine


def call(machine: Machine, name: str, *args: int) -> int:
    result = machine.kernel.handlers[name](machine.kernel, machine.threads[0], *args)
    assert isinstance(result, int), f"{name} returned {result}, not a value"
    return result


def scratch(machine: Machine) -> int:
    return machine.arch.stack_top - machine.arch.stack_size + SCRATCH


@pytest.mark.parametrize("arch_name", ["ppc64", "ppc64le"])
def test_timespec_is_read_in_the_arch_byte_order(arch_name: str) -> None:
    """The seed's futexsleep bug: a 32-bit tv_nsec stored at the start of a 64-bit field."""
    machine = machine_for(arch_name)
    kernel, address = machine.kernel, scratch(machine)
    kernel.store(address, 0, 8)
    kernel.store(address + 8, 0, 8)
    kernel.store(address + 8, 10_000_000, 4)  # int32 store into the low-address half
    kernel.store(address + 16, 0, 4)  # the futex word
    if arch_name == "ppc64":  # big-endian: tv_nsec reads as 10e6 << 32, out of range
        assert call(machine, "futex", address + 16, 128, 0, address, 0, 0) == -Errno.EINVAL
    else:  # little-endian: the bug is invisible, the thread really waits 10 ms
        with pytest.raises(Blocked):
            call(machine, "futex", address + 16, 128, 0, address, 0, 0)
        wait = machine.threads[0].wait
        assert wait is not None and wait.deadline is not None
        assert wait.deadline - machine.kernel.clock.monotonic() == 10_000_000


@pytest.mark.parametrize("arch_name", ARCHES)
def test_clone_accepts_go_flags_without_sysvsem_and_rejects_fork(arch_name: str) -> None:
    machine = machine_for(arch_name)
    assert call(machine, "clone", 0x11, 0, 0, 0, 0) == -Errno.EINVAL  # fork(): SIGCHLD only
    tid = call(machine, "clone", 0x10F00, scratch(machine), 0, 0, 0)  # Go's newosproc flags
    assert tid == machine.pid + 1 and len(machine.threads) == 2
    child = machine.threads[1]
    assert child.pending_result == 0 and child.pending_regs[machine.arch.sp] == scratch(machine)


@pytest.mark.parametrize("arch_name", ARCHES)
def test_clone_argument_order_and_tls_register_come_from_arch_data(arch_name: str) -> None:
    machine = machine_for(arch_name)
    order = machine.arch.linux.clone_args
    values = {
        "flags": 0x3D0F00,
        "stack": scratch(machine),
        "ptid": scratch(machine) + 64,
        "ctid": scratch(machine) + 68,
        "tls": 0x5EED0,
    }
    call(machine, "clone", *(values[name] for name in order))
    child = machine.threads[1]
    assert child.pending_regs[machine.arch.linux.tls_register] == 0x5EED0
    assert child.clear_child_tid == values["ctid"]
    assert machine.kernel.load(values["ptid"], 4) == child.tid
    line = format_call(machine.arch, 1000, "clone", [values[name] for name in order] + [0], child.tid)
    digits = machine.arch.word_size * 2  # QEMU pads clone's pointers to the word, NULL included
    assert f"tls=0x{0x5EED0:0{digits}x}" in line and f"child_tidptr=0x{values['ctid']:0{digits}x}" in line


def test_mmap_flag_names_are_per_arch() -> None:
    amd64, ppc64 = arches.get("amd64"), arches.get("ppc64")
    assert "MAP_NORESERVE" in format_call(amd64, 1, "mmap", [0, 4096, 0, 0x4022, -1, 0], 0x1000)
    assert "MAP_NORESERVE" in format_call(ppc64, 1, "mmap", [0, 4096, 0, 0x62, -1, 0], 0x1000)
    assert "PROT_NONE,MAP_PRIVATE|MAP_ANONYMOUS|MAP_NORESERVE" in format_call(
        ppc64, 1, "mmap", [0, 4096, 0, 0x62, 2**64 - 1, 0], 0
    )


def test_futex_op_names() -> None:
    line = format_call(arches.get("arm"), 7, "futex", [0x1000, 137, 0, 0, 0, 0xFFFFFFFF], 2**32 - 110)
    assert (
        line
        == "7 futex(0x00001000,FUTEX_PRIVATE_FLAG|FUTEX_WAIT_BITSET,0,NULL,NULL,0) = -1 errno=110 (Connection timed out)"
    )


@pytest.mark.parametrize("arch_name", ["amd64", "ppc64"])
def test_mincore_is_page_size_aware(arch_name: str) -> None:
    machine = machine_for(arch_name)
    page = machine.arch.page_size
    base = call(machine, "mmap", 0, 2 * page, 3, 0x22, -1, 0)
    vec = scratch(machine)
    expected = 0 if page == 4096 else -Errno.EINVAL
    assert call(machine, "mincore", base + 4096, 4096, vec) == expected
    assert call(machine, "mincore", base, 2 * page, vec) == 0
    assert machine.memory.read(vec, 2) == b"\x01\x01"
    assert call(machine, "mprotect", base + page, page, 0) == 0
    assert call(machine, "mincore", base, 2 * page, vec) == 0
    assert machine.memory.read(vec, 2) == b"\x01\x00"  # PROT_NONE: mapped, not resident
    assert call(machine, "munmap", base, 3 * page) == 0
    assert call(machine, "mincore", base, page, vec) == -Errno.ENOMEM


def test_mmap_fixed_noreplace_and_hints() -> None:
    machine = machine_for("amd64")
    first = call(machine, "mmap", 0x300000000, 8192, 3, 0x22, -1, 0)
    assert first == 0x300000000  # a free hint is honoured
    assert call(machine, "mmap", 0x300000000, 4096, 3, 0x100022, -1, 0) == -Errno.EEXIST
    moved = call(machine, "mmap", 0x300000000, 4096, 3, 0x22, -1, 0)
    assert moved not in range(first, first + 8192)  # a busy hint is not
    assert call(machine, "mmap", 0, 0, 3, 0x22, -1, 0) == -Errno.EINVAL
    assert call(machine, "mmap", 0, 4096, 3, 0x02, 5, 0) < 0  # no file mappings yet


def test_getrandom_and_at_random_follow_the_seed() -> None:
    def sample(seed: int) -> bytes:
        machine = machine_for("arm", seed=seed)
        address = scratch(machine)
        assert call(machine, "getrandom", address, 32, 0) == 32
        return machine.memory.read(address, 32)

    assert sample(1) == sample(1)
    assert sample(1) != sample(2)


def test_scheduler_slices_are_seeded() -> None:
    def slices(seed: int) -> list[int]:
        scheduler = Scheduler(1000, seed, lambda thread, result, wait: None)
        return [scheduler.slice_length() for _ in range(20)]

    assert slices(3) == slices(3)
    assert slices(3) != slices(4)
    assert all(500 <= n <= 1500 for n in slices(5))


@pytest.mark.parametrize("arch_name", ARCHES)
def test_signal_bookkeeping_reads_back(arch_name: str) -> None:
    machine = machine_for(arch_name)
    kernel, base, word = machine.kernel, scratch(machine), machine.arch.word_size
    action = bytes(range(1, 3 * word + 9))
    machine.memory.write(base, action)
    assert call(machine, "rt_sigaction", 11, base, 0, 8) == 0
    assert call(machine, "rt_sigaction", 11, 0, base + 256, 8) == 0
    assert machine.memory.read(base + 256, len(action)) == action
    assert call(machine, "rt_sigaction", 9, base, 0, 8) == -Errno.EINVAL
    assert call(machine, "rt_sigaction", 11, base, 0, 4) == -Errno.EINVAL
    kernel.store(base, (1 << 9) | (1 << 8), 8)  # block SIGUSR1(10) and SIGKILL(9)
    assert call(machine, "rt_sigprocmask", 0, base, base + 64, 8) == 0
    assert call(machine, "rt_sigprocmask", 0, 0, base + 64, 8) == 0
    assert kernel.load(base + 64, 8) == 1 << 9  # SIGKILL cannot be blocked
    kernel.store_words(base, [0x7000, 0, 0x8000])
    assert call(machine, "sigaltstack", base, 0) == 0
    assert call(machine, "sigaltstack", 0, base + 128) == 0
    assert kernel.load(base + 128, word) == 0x7000 and kernel.load(base + 128 + 2 * word, word) == 0x8000


@pytest.mark.parametrize("ncpu", [1, 4, 70])
def test_sched_getaffinity_reports_ncpu(ncpu: int) -> None:
    machine = machine_for("ppc64", ncpu=ncpu)
    address = scratch(machine)
    written = call(machine, "sched_getaffinity", 0, 128, address)
    mask = int.from_bytes(machine.memory.read(address, written), "big") if written == 8 else None
    assert written == (ncpu + 63) // 64 * 8
    if mask is not None:
        assert mask == (1 << ncpu) - 1
    assert call(machine, "sched_getaffinity", 0, 4, address) == -Errno.EINVAL


def test_virtual_clock_is_monotonic_and_nanosleep_blocks() -> None:
    machine = machine_for("amd64")
    address = scratch(machine)
    assert call(machine, "clock_gettime", 1, address) == 0
    first = machine.kernel.load_words(address, 2)
    machine.kernel.clock.advance(1)  # the syscall cost alone moves it too
    assert call(machine, "clock_gettime", 1, address) == 0
    assert machine.kernel.load_words(address, 2) > first
    assert call(machine, "clock_gettime", 99, address) == -Errno.EINVAL


def test_syscall_tables_are_built_explicitly_per_kernel() -> None:
    """No import fills a global table: the Linux table comes from the modules linux_table() lists,
    the runtime's hypercalls are added by the machine, and a kernel answers from its own table."""
    from emu.kernel import Kernel, linux_table
    from emu.machine import process_syscalls
    from emu.runtime.abi import HC_BASE

    assert {"write", "futex", "clone", "rt_sigreturn"} <= linux_table().keys()
    assert f"syscall_{HC_BASE}" not in linux_table() and f"syscall_{HC_BASE}" in process_syscalls()
    machine = machine_for("amd64")
    only_getpid = Kernel(machine, {"getpid": linux_table()["getpid"]})
    assert only_getpid.handlers.keys() == {"getpid"}


def test_a_syscall_name_with_two_handlers_is_an_error() -> None:
    import types

    from emu.kernel import table_of

    module = types.ModuleType("twice")
    exec("from emu.kernel import syscall\n@syscall('write')\ndef a(k, t): return 0\n@syscall('write')\ndef b(k, t): return 1\n", vars(module))  # fmt: skip
    with pytest.raises(RuntimeError, match="syscall write has two handlers"):
        table_of(module)


def test_the_machine_offers_the_kernel_its_process_interface_and_the_kernel_uses_nothing_else() -> None:
    """emu/kernel reaches the machine only through emu.kernel.interface.Process."""
    import re

    from emu.kernel import interface

    members = set(interface.Process.__annotations__) | {
        name for name in vars(interface.Process) if not name.startswith("_")
    }
    machine = machine_for("arm")
    offered = set(dir(type(machine))) | set(vars(machine))  # not getattr: `running` needs a thread on the CPU
    assert members <= offered, members - offered
    kernel_dir = Path(interface.__file__).parent
    used = {
        match
        for path in kernel_dir.glob("*.py")
        for match in re.findall(r"\b(?:kernel|self)\.process\.(\w+)", path.read_text())
    }
    assert used and used <= members, used - members
    assert not any("kernel.machine" in path.read_text() for path in kernel_dir.glob("*.py"))
