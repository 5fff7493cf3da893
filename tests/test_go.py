"""Real Go binaries (Go's own runtime, unmodified) give qemu-user's exact output under emu.

tests/go/*.go are built for each arch with Debian's golang-go and run under
qemu-user (the reference) and under emu; stdout and exit status must match.
GOMAXPROCS=1 is the default suite; GOMAXPROCS=4 (four Ps, more threads and
futex traffic) is marked slow. Two more checks make the differential test say
*why* it passes: the start-up syscalls are decoded by --strace, and the
preempt program really goes through signal delivery (tgkill SIGURG, then
rt_sigreturn) instead of surviving by luck.
"""

from __future__ import annotations

import pytest
from conftest import ARCHES, require_tool
from gotools import build, programs, run_qemu, run_under_emu

CASES = [(name, arch) for name in programs() for arch in ARCHES]


@pytest.fixture(scope="module", autouse=True)
def tools() -> None:
    require_tool("go", "qemu-x86_64", "qemu-arm", "qemu-ppc64", "qemu-ppc64le")


def check_same_as_qemu(name: str, arch: str, gomaxprocs: int) -> None:
    binary = build(name, arch)
    env = {"GOMAXPROCS": str(gomaxprocs)}
    expected = run_qemu(binary, arch, env)
    actual = run_under_emu(binary, env)
    assert expected.returncode == 0, expected.stderr  # every program ends well (nilpanic recovers)
    assert (actual.stdout, actual.returncode) == (expected.stdout, expected.returncode), actual.stderr[-2000:]
    assert "unimplemented syscall" not in actual.stderr, actual.stderr[-2000:]


@pytest.mark.parametrize("name,arch", CASES)
def test_go_program_gomaxprocs_1(name: str, arch: str) -> None:
    check_same_as_qemu(name, arch, 1)


@pytest.mark.slow
@pytest.mark.parametrize("name,arch", CASES)
def test_go_program_gomaxprocs_4(name: str, arch: str) -> None:
    check_same_as_qemu(name, arch, 4)


def test_strace_decodes_go_start_up_on_ppc64le() -> None:
    result = run_under_emu(build("hello", "ppc64le"), {"GOMAXPROCS": "1"}, 300, "--strace")
    assert result.returncode == 0 and result.stdout == "hello, world\n"
    trace = result.stderr
    for line in (
        'open("/sys/kernel/mm/transparent_hugepage/hpage_pmd_size",O_RDONLY) = 3',
        "read(3,",
        "close(3) = 0",
        "sched_getaffinity(0,8192,",
        "mmap(0x000000c000000000,67108864,PROT_NONE,MAP_PRIVATE|MAP_ANONYMOUS,-1,0) = 0x000000c000000000",
        "rt_sigaction(SIGSEGV,NULL,",
        "sigaltstack((nil),",
        "clone(CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM,child_stack=",
        "fcntl(0,F_GETFL) = ",
        "ugetrlimit(7,",
        "write(1,",
        "exit_group(0)",
    ):
        assert line in trace, f"{line!r} not in the --strace output"


@pytest.mark.parametrize("arch", ARCHES)
def test_async_preemption_delivers_sigurg(arch: str) -> None:
    """The spinning goroutine is only stopped by a delivered SIGURG (no fallback)."""
    result = run_under_emu(build("preempt", arch), {"GOMAXPROCS": "1"}, 300, "--strace")
    assert result.returncode == 0 and "preempted: true" in result.stdout, result.stderr[-2000:]
    trace = result.stderr
    assert (
        ",SIGURG) = 0" in trace
        and "--- SIGURG {si_signo=SIGURG, si_code=SI_TKILL, si_pid=1000, si_uid=0} ---" in trace
    )
    assert " rt_sigreturn(" in trace and ") = -1 errno=513 (Successful exit from sigreturn)" in trace
