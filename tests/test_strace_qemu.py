"""`emu run --strace` against `qemu-<arch> -strace` on the same static binaries (issue 16).

Both traces are compared line by line after masking only what legitimately differs
between the two runs (docs/linux.md, "--strace" lists the same):
- the pid and tids (QEMU's are the host's, emu's start at 1000): a one-to-one renaming;
- addresses that depend on where mmap and the stack put things (QEMU maps at 0x40_0000_0000,
  emu at 0x7f00_0000_0000): numbers of 0x10000 or more may differ if they are renamed
  one-to-one through the whole trace — the same QEMU address always pairs with the same
  emu address — and are printed in the same form (padded hex, unpadded hex, decimal);
- times: the numbers of `tv_sec = `, `tv_nsec = `, `tv_usec = ` (host clock against virtual);
- a signal sender's si_uid (QEMU's is the host user's, emu's guest runs as root);
- sched_getaffinity's result, the size of the host kernel's CPU mask (emu models 8 bytes);
- emu's and QEMU's own diagnostics (`emu: ...`, `qemu: ...`) are not strace lines.
Everything else — names, flags, NULL, padding, error text, signal lines — must be equal.

Programs: the GNU-assembled kernel programs whose trace does not depend on the host's thread
interleaving (mm: mmap/munmap/mincore/madvise/brk/mprotect, errors and a SIGSEGV delivery
line; futex: timeouts, EAGAIN/ETIMEDOUT), and the Go hello, whose single-threaded start-up
up to its first clone (~130 calls: openat, read, mmap, madvise, clock_gettime with its
result, rt_sigprocmask, sigaltstack, rt_sigaction of every signal, clone) is compared.
After the first clone, QEMU's threads print in whatever order the host runs them.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from archdata import example, input_path
from conftest import ARCHES, require_tool, run_emu
from gotools import build
from test_differential import build_with_gnu

from emu import arch as arches

# the first token of each QEMU/emu trace piece: `PID name(` (or `PID Unknown syscall N`)
CALL = re.compile(r"^(\d+) ")
NUMBER = re.compile(r"-?(?:0x[0-9a-f]+|\d+)")
TIME_FIELD = re.compile(r"(?:tv_sec|tv_nsec|tv_usec) = $")
ADDRESS_MIN = 0x10000
TIMEOUT = 300


def kernel_program(arch: str, name: str) -> str:
    return input_path(arch, f"tests/programs/{name}.s")


def qemu_strace(arch: str, binary: Path, env: dict[str, str]) -> str:
    """QEMU's -strace (stderr), run with the arch's page size (Go reads it from the auxv)."""
    spec = arches.get(arch)
    require_tool(spec.gnu.qemu)
    command = [spec.gnu.qemu, "-p", str(spec.page_size), "-strace"]
    variables = [f"{key}={value}" for key, value in env.items()]
    done = subprocess.run(
        ["env", "-i", *variables, *command, str(binary)],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    return done.stderr


def emu_strace(arch: str, binary: Path, env: dict[str, str]) -> str:
    flags = [f"--env={key}={value}" for key, value in env.items()]
    return run_emu("run", binary, "--arch", arch, *flags, "--strace", timeout=TIMEOUT).stderr


def trace_lines(text: str) -> list[str]:
    """The strace lines (the tools' own diagnostics dropped)."""
    lines = [line for line in text.splitlines() if not line.startswith(("emu: ", "qemu: "))]
    return mask_host_file_reads(lines)


def ids(lines: list[str]) -> set[int]:
    """The pid and tids a trace shows: line prefixes, clone/gettid/getpid/set_tid_address results."""
    found = set()
    for line in lines:
        if match := CALL.match(line):
            found.add(int(match.group(1)))
        if re.search(r" (clone|gettid|getpid|set_tid_address)\(.* = (\d+)$", line):
            found.add(int(line.rsplit(" = ", 1)[1]))
    return found


class Masking:
    """Compares lines of two traces, renaming ids and addresses one-to-one across the whole run."""

    def __init__(self, qemu_ids: set[int], emu_ids: set[int]) -> None:
        self.qemu_ids, self.emu_ids = qemu_ids, emu_ids
        self.pairs: dict[str, dict[int, int]] = {"id": {}, "address": {}}
        self.reverse: dict[str, dict[int, int]] = {"id": {}, "address": {}}

    def same(self, qemu: str, emu: str) -> bool:
        qemu, emu = _mask(qemu), _mask(emu)
        qemu_text, qemu_numbers = _split(qemu)
        emu_text, emu_numbers = _split(emu)
        if qemu_text != emu_text or len(qemu_numbers) != len(emu_numbers):
            return False
        for before, (q, e) in zip(qemu_text, zip(qemu_numbers, emu_numbers, strict=True), strict=False):
            if q != e and not self._may_differ(before, q, e):
                return False
        return True

    def _may_differ(self, before: str, q: str, e: str) -> bool:
        if TIME_FIELD.search(before):
            return True
        if _form(q) != _form(e):
            return False
        qv, ev = int(q, 0), int(e, 0)
        if qv in self.qemu_ids and ev in self.emu_ids:
            return self._rename("id", qv, ev)
        if abs(qv) >= ADDRESS_MIN and abs(ev) >= ADDRESS_MIN:
            return self._rename("address", qv, ev)
        return False

    def _rename(self, kind: str, q: int, e: int) -> bool:
        pairs, reverse = self.pairs[kind], self.reverse[kind]
        return pairs.setdefault(q, e) == e and reverse.setdefault(e, q) == q


# Values that differ for a reason other than emu's output format, each masked where it appears.
MASKS = [
    # the host kernel's CPU mask size (QEMU passes the host's answer through; emu models 8 bytes)
    (re.compile(r"(sched_getaffinity\(.*\) = )\d+$"), r"\1<cpumask size>"),
    # FUTEX_WAKE does not read its timeout argument; QEMU prints the register anyway, and on
    # ppc64 it holds what the program computed last: a deadline's nanoseconds (host vs virtual clock)
    (re.compile(r"(futex\(0x[0-9a-f]+,[A-Z_|]*FUTEX_WAKE,-?\d+,)0x[0-9a-f]+"), r"\1<unread>"),
    # a sender's uid: QEMU's is the host user's, emu's guest runs as root (getuid() = 0)
    (re.compile(r"(, si_uid=)\d+"), r"\1<uid>"),
]
# Calls QEMU prints with its default format, six registers as decimal words, and how many of
# them the call reads: the others hold whatever the program computed last (CPUID bits, auxv
# values, stack addresses), which differ between two correct runs.
ARITY = {
    "arch_prctl": 2,
    "sched_getaffinity": 3,
    "mincore": 3,
    "nanosleep": 2,
    "getrlimit": 2,
    "ugetrlimit": 2,
    "setrlimit": 2,
    "prlimit64": 4,
    "set_tid_address": 1,
    "set_robust_list": 2,
    "rt_sigreturn": 0,
    "pipe": 1,
    "pipe2": 2,
    "time": 1,
    "sched_yield": 0,
    "epoll_ctl": 4,
    "epoll_wait": 4,
}
DEFAULT_FORMAT = re.compile(r"\b(" + "|".join(ARITY) + r")\(([-\d,]*)\)")
# Files QEMU reads from the host but emu models for the guest's arch (their size differs:
# ppc64 Linux has 16 MiB huge pages, the x86-64 host 2 MiB).
HOST_FILES = ("/sys/kernel/mm/transparent_hugepage/hpage_pmd_size",)


def _mask(line: str) -> str:
    for pattern, replacement in MASKS:
        line = pattern.sub(replacement, line)
    return DEFAULT_FORMAT.sub(_unread_arguments, line)


def _unread_arguments(match: re.Match[str]) -> str:
    name, arguments = match.group(1), match.group(2).split(",")
    read = ARITY[name]
    return f"{name}({','.join(arguments[:read] + ['<unread>'] * (len(arguments) - read))})"


def mask_qemu_ppc_fault_code(lines: list[str]) -> list[str]:
    """QEMU 7.2's ppc64 linux-user reports every data-access SIGSEGV as SEGV_MAPERR (1); Linux, and
    emu, say SEGV_ACCERR (2) for a write to a read-only page: the code is not compared on ppc64."""
    return [re.sub(r"(--- SIGSEGV \{si_signo=SIGSEGV, si_code=)\d+", r"\1<code>", line) for line in lines]


def mask_host_file_reads(lines: list[str]) -> list[str]:
    """The result of a read from a HOST_FILES descriptor: the file's size on that system."""
    masked, descriptors = [], set()
    for line in lines:
        if any(f'"{path}"' in line for path in HOST_FILES) and (fd := re.search(r" = (\d+)$", line)):
            descriptors.add(fd.group(1))
        elif (read := re.search(r" read\((\d+),.* = (\d+)$", line)) and read.group(1) in descriptors:
            line = line[: read.start(2)] + "<host file size>"
        masked.append(line)
    return masked


def _split(line: str) -> tuple[list[str], list[str]]:
    """The text between numbers (the last piece included) and the numbers."""
    numbers = NUMBER.findall(line)
    return NUMBER.split(line), numbers


def _form(number: str) -> str:
    """How a number is printed: zero-padded hex (and its width), plain hex, or decimal."""
    if number.startswith("0x"):
        return f"hex{len(number)}" if number[2] == "0" and len(number) > 3 else "hex"
    return "decimal"


def first_difference(qemu: list[str], emu: list[str]) -> str | None:
    """The first pair of lines that differ after masking, or a length mismatch; None if equal.

    A clock_gettime on one side only is passed over: how many times a loop polls the clock
    before it moves on is timing (Go on amd64 compares rdtsc with it, the host TSC against emu's
    virtual clock; QEMU's own runs differ), not format. The ones on both sides are compared."""
    masking = Masking(ids(qemu), ids(emu))
    q = e = 0
    while q < len(qemu) and e < len(emu):
        if masking.same(qemu[q], emu[e]):
            q, e = q + 1, e + 1
        elif _polls_clock(qemu[q]):
            q += 1
        elif _polls_clock(emu[e]):
            e += 1
        else:
            return f"qemu line {q + 1} and emu line {e + 1} differ:\n  qemu: {qemu[q]}\n  emu:  {emu[e]}"
    rest = [line for line in qemu[q:] + emu[e:] if not _polls_clock(line)]
    return f"left over: {rest}" if rest else None


def _polls_clock(line: str) -> bool:
    return " clock_gettime(" in line.split(" = ")[0]


def until_first_clone(lines: list[str]) -> list[str]:
    """The single-threaded start-up: every line before the first clone, and the clone call itself
    (its result may come after the new thread's first lines)."""
    for index, line in enumerate(lines):
        if " clone(" in line:
            return [*lines[:index], line[: line.index(")") + 1]]
    raise AssertionError("no clone in the trace")


@pytest.mark.parametrize("arch", ARCHES)
@pytest.mark.parametrize("name", ["mm", "futex"])
def test_kernel_program_strace_is_qemus(tmp_path: Path, arch: str, name: str) -> None:
    binary = build_with_gnu(arch, kernel_program(arch, name), tmp_path)
    qemu = trace_lines(qemu_strace(arch, binary, {}))
    emu = trace_lines(emu_strace(arch, binary, {}))
    if arch.startswith("ppc64"):
        qemu, emu = mask_qemu_ppc_fault_code(qemu), mask_qemu_ppc_fault_code(emu)
    assert len(qemu) > 5, qemu
    assert first_difference(qemu, emu) is None, first_difference(qemu, emu)


@pytest.mark.parametrize("arch", ARCHES)
def test_go_hello_start_up_strace_is_qemus(arch: str) -> None:
    require_tool("go")
    binary = build("hello", arch)
    env = {"GOMAXPROCS": "1"}
    qemu = until_first_clone(trace_lines(qemu_strace(arch, binary, env)))
    emu = until_first_clone(trace_lines(emu_strace(arch, binary, env)))
    assert len(qemu) > 100, qemu
    assert first_difference(qemu, emu) is None, first_difference(qemu, emu)


def test_masking_keeps_what_must_match() -> None:
    """The comparison fails on the differences the test is for (a test that cannot fail proves nothing)."""
    qemu = [
        "7 mmap(NULL,4096,PROT_READ,MAP_PRIVATE|MAP_ANONYMOUS,-1,0) = 0x0000004000803000",
        "7 close(3) = 0",
    ]
    renamed = [
        "1000 mmap(NULL,4096,PROT_READ,MAP_PRIVATE|MAP_ANONYMOUS,-1,0) = 0x00007f0000000000",
        "1000 close(3) = 0",
    ]
    assert first_difference(qemu, renamed) is None
    wrong = [
        "1000 mmap(0,4096,PROT_READ,MAP_PRIVATE|MAP_ANONYMOUS,-1,0) = 0x00007f0000000000",  # NULL
        "1000 mmap(NULL,4096,PROT_READ,MAP_PRIVATE|MAP_ANONYMOUS,-1,0) = 0x7f0000000000",  # padding
        "1000 mmap(NULL,4096,1,MAP_PRIVATE|MAP_ANONYMOUS,-1,0) = 0x00007f0000000000",  # flags
        "1000 mmap(NULL,8192,PROT_READ,MAP_PRIVATE|MAP_ANONYMOUS,-1,0) = 0x00007f0000000000",  # size
    ]
    for line in wrong:
        assert first_difference(qemu, [line, qemu[1]]) is not None, line
    error = ["7 close(9) = -1 errno=9 (Bad file descriptor)"]
    assert first_difference(error, ["1000 close(9) = -1 errno=9 (EBADF)"]) is not None
    # one QEMU address cannot stand for two emu addresses
    twice = ["7 munmap(0x0000004000803000,4096) = 0"] * 2
    assert first_difference(
        twice, ["1 munmap(0x00007f0000000000,4096) = 0", "1 munmap(0x00007f0000001000,4096) = 0"]
    )


# ---- what QEMU cannot be compared on ----------------------------------------------------------


def test_call_blocked_forever_is_shown() -> None:
    """A deadlock: both futex waits were printed as they started; the unfinished line is closed
    before emu's report."""
    result = run_emu("run", kernel_program("amd64", "deadlock"), "--arch", "amd64", "--strace")
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert lines[1] == (
        "1000 futex(0x0000000000401004,FUTEX_WAIT,0,NULL,NULL,0)1000 futex(0x0000000000401000,FUTEX_WAIT,0,NULL,NULL,0)"
    ), result.stderr
    assert lines[2].startswith("emu: deadlock:")


def test_hypercalls_are_named() -> None:
    result = run_emu("run", example("amd64", "runtime/pingpong"), "--arch", "amd64", "--strace")
    assert result.returncode == 0, result.stderr
    assert re.search(r"^1000 hc_rt0\(\d+,\d+,0,0,0,0\)$", result.stderr, re.M), result.stderr[:2000]
    assert " hc_newproc(" in result.stderr and "syscall_" not in result.stderr


SELF_SIGNAL_AMD64 = """
    .globl _start
    .text
_start:
    mov eax, 13                     # rt_sigaction(SIGUSR1, &act, NULL, 8)
    mov edi, 10
    lea rsi, [rip + act]
    xor edx, edx
    mov r10d, 8
    syscall
    mov eax, 39                     # tgkill(getpid(), getpid(), SIGUSR1)
    syscall
    mov edi, eax
    mov esi, eax
    mov edx, 10
    mov eax, 234
    syscall
    mov eax, 231                    # exit_group(0)
    xor edi, edi
    syscall
handler:
    ret
restorer:
    mov eax, 15                     # rt_sigreturn
    syscall
    .data
act: .quad handler, 0x04000000, restorer, 0
"""


def test_a_signal_sent_is_shown_as_delivered(tmp_path: Path) -> None:
    source = tmp_path / "self_signal.s"
    source.write_text(SELF_SIGNAL_AMD64)
    result = run_emu("run", source, "--arch", "amd64", "--strace")
    assert result.returncode == 0, result.stderr
    lines = result.stderr.splitlines()
    assert lines[2:4] == [
        "1000 tgkill(1000,1000,SIGUSR1) = 0",
        "--- SIGUSR1 {si_signo=SIGUSR1, si_code=SI_TKILL, si_pid=1000, si_uid=0} ---",
    ], result.stderr
    sigreturn = r"1000 rt_sigreturn\(10,\d+,\d+,8,0,0\) = -1 errno=513 \(Successful exit from sigreturn\)"
    assert re.fullmatch(sigreturn, lines[4]), result.stderr


def test_signal_delivery_strace_is_qemus(tmp_path: Path) -> None:
    (tmp_path / "self_signal.s").write_text(SELF_SIGNAL_AMD64)
    binary = build_with_gnu("amd64", str(tmp_path / "self_signal.s"), tmp_path)
    qemu = trace_lines(qemu_strace("amd64", binary, {}))
    emu = trace_lines(emu_strace("amd64", binary, {}))
    assert any(line.startswith("--- SIGUSR1 ") for line in qemu), qemu
    assert first_difference(qemu, emu) is None, first_difference(qemu, emu)
