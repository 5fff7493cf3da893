"""The read-only virtual file system and the fd calls: emu answers, the host is never read."""

from __future__ import annotations

import pytest
from conftest import ARCHES
from test_kernel_units import call, machine_for, scratch

from emu.kernel.abi import Errno

HPAGE = "/sys/kernel/mm/transparent_hugepage/hpage_pmd_size"
AT_FDCWD = (1 << 64) - 100
O_CREAT, O_RDWR, O_CLOEXEC = 0x40, 2, 0x80000


def put_path(machine, path: str) -> int:
    address = scratch(machine) + 2048
    machine.memory.write(address, path.encode() + b"\0")
    return address


@pytest.mark.parametrize("arch_name", ARCHES)
def test_hpage_pmd_size_is_emu_data(arch_name: str) -> None:
    machine = machine_for(arch_name)
    fd = call(machine, "openat", AT_FDCWD & machine.arch.word_mask, put_path(machine, HPAGE), O_CLOEXEC, 0)
    assert fd == 3
    buffer = scratch(machine)
    count = call(machine, "read", fd, buffer, 64)
    expected = f"{machine.arch.linux.hpage_pmd_size}\n".encode()
    assert machine.memory.read(buffer, count) == expected
    assert call(machine, "read", fd, buffer, 64) == 0  # end of file
    assert call(machine, "fcntl", fd, 1, 0) == 1  # F_GETFD: FD_CLOEXEC
    assert call(machine, "close", fd) == 0
    assert call(machine, "close", fd) == -Errno.EBADF


@pytest.mark.parametrize("path", ["/etc/passwd", "/proc/self/maps", "/etc", "etc/hostname"])
def test_host_files_are_never_visible(path: str) -> None:
    machine = machine_for("amd64")
    assert call(machine, "open", put_path(machine, path), 0, 0) == -Errno.ENOENT


def test_writes_and_creation_are_refused() -> None:
    machine = machine_for("ppc64")
    assert call(machine, "open", put_path(machine, HPAGE), O_RDWR, 0) == -Errno.EROFS
    assert call(machine, "open", put_path(machine, "/tmp/new"), O_CREAT | 1, 0o644) == -Errno.EROFS
    assert call(machine, "open", 0, 0, 0) == -Errno.EFAULT


def test_relative_path_is_from_root_and_dirfd_checked() -> None:
    machine = machine_for("arm")
    relative = put_path(machine, HPAGE.lstrip("/"))
    assert call(machine, "openat", AT_FDCWD & 0xFFFFFFFF, relative, 0, 0) == 3
    assert call(machine, "openat", 3, relative, 0, 0) == -Errno.ENOTDIR
    assert call(machine, "openat", 77, relative, 0, 0) == -Errno.EBADF


def test_standard_fds_and_fcntl() -> None:
    machine = machine_for("amd64")
    assert call(machine, "fcntl", 1, 3, 0) == 1  # F_GETFL: O_WRONLY
    assert call(machine, "fcntl", 1, 1030, 10) == 10  # F_DUPFD_CLOEXEC
    assert call(machine, "fcntl", 99, 3, 0) == -Errno.EBADF
    assert call(machine, "read", 1, scratch(machine), 1) == -Errno.EBADF


@pytest.mark.parametrize("arch_name", ARCHES)
def test_rlimits_have_fixed_defaults_and_can_be_set(arch_name: str) -> None:
    machine = machine_for(arch_name)
    kernel, base = machine.kernel, scratch(machine)
    assert call(machine, "prlimit64", 0, 7, 0, base) == 0  # RLIMIT_NOFILE
    assert (kernel.load(base, 8), kernel.load(base + 8, 8)) == (1024, 4096)
    kernel.store(base, 4096, 8)
    assert call(machine, "prlimit64", 0, 7, base, base + 16) == 0
    name = "getrlimit" if arch_name == "amd64" else "ugetrlimit"
    assert call(machine, name, 7, base + 32) == 0
    assert kernel.load(base + 32, machine.arch.word_size) == 4096
