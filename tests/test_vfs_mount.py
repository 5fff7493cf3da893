"""Directories, the working directory, the stat family and `--mount` (issue 13).

The VFS serves emu's own files, the directories on the way to them, and host directories the
user mounts by name; stat answers exactly where open does, with ENOENT for everything else.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from archdata import example
from conftest import ARCHES, ROOT, require_tool, run_emu
from gotools import build
from test_kernel_units import call, machine_for, scratch
from test_vfs import HPAGE, put_path

from emu.kernel.abi import Errno
from emu.kernel.stat import S_IFDIR, S_IFREG

FIXTURE = ROOT / "tests" / "fixtures" / "gostd_mount"
AT_FDCWD = -100
PATH_STAT, FSTAT, FSTATAT = ("stat", "stat64"), ("fstat", "fstat64"), ("newfstatat", "fstatat64")


def mounted(arch_name: str, cwd: str = "/src"):
    return machine_for(arch_name, mounts=[(str(FIXTURE), "/src")], cwd=cwd)


def stat_field(machine, address: int, name: str) -> int:
    offset, size = machine.arch.linux.stat.fields[name]
    return machine.kernel.load(address + offset, size)


def stat_name(machine, kind: tuple[str, ...]) -> str:
    """The arch's call of one kind (path stat, fstat, fstatat), or "" if it has none."""
    return next((name for name in machine.arch.linux.stat.calls if name in kind), "")


def stat_call(machine, path: str) -> tuple[int, int]:
    """(result, buffer) of this arch's path stat call (stat, or stat64 on arm); newfstatat at
    AT_FDCWD where the arch has no stat (the asm-generic numbering: arm64)."""
    buffer = scratch(machine)
    name = stat_name(machine, PATH_STAT)
    if not name:
        at = AT_FDCWD & machine.arch.word_mask
        return call(machine, stat_name(machine, FSTATAT), at, put_path(machine, path), buffer, 0), buffer
    return call(machine, name, put_path(machine, path), buffer), buffer


def entries(machine, fd: int) -> list[str]:
    """Names from getdents64, read with a small buffer so it takes several calls."""
    names, buffer = [], scratch(machine)
    while (count := call(machine, "getdents64", fd, buffer, 64)) > 0:
        offset = 0
        while offset < count:
            length = machine.kernel.load(buffer + offset + 16, 2)
            raw = machine.memory.read(buffer + offset + 19, length - 19)
            names.append(raw.split(b"\0")[0].decode())
            offset += length
    assert count == 0
    return names


@pytest.mark.parametrize("arch_name", ARCHES)
def test_stat_answers_where_open_does(arch_name: str) -> None:
    machine = machine_for(arch_name)
    result, buffer = stat_call(machine, HPAGE)
    assert result == 0
    size = len(f"{machine.arch.linux.hpage_pmd_size}\n")
    assert stat_field(machine, buffer, "mode") == S_IFREG | 0o444
    assert stat_field(machine, buffer, "size") == size
    assert stat_field(machine, buffer, "nlink") == 1
    assert stat_call(machine, "/sys/kernel")[0] == 0
    assert stat_field(machine, buffer, "mode") == S_IFDIR | 0o555
    for path in ("/etc/localtime", "/etc", "/proc/self/exe", ""):
        assert stat_call(machine, path)[0] == -Errno.ENOENT
        assert call(machine, "open", put_path(machine, path), 0, 0) == -Errno.ENOENT


@pytest.mark.parametrize("arch_name", ARCHES)
def test_fstat_and_fstatat_agree_with_stat(arch_name: str) -> None:
    machine = machine_for(arch_name)
    fstat, fstatat = stat_name(machine, FSTAT), stat_name(machine, FSTATAT)
    fd = call(machine, "open", put_path(machine, HPAGE), 0, 0)
    first, second = scratch(machine), scratch(machine) + 512
    assert call(machine, fstat, fd, first) == 0
    path = put_path(machine, HPAGE)
    assert call(machine, fstatat, AT_FDCWD & machine.arch.word_mask, path, second, 0) == 0
    assert machine.memory.read(first, 104) == machine.memory.read(second, 104)
    assert call(machine, fstat, 99, first) == -Errno.EBADF


def test_arm_old_stat_is_not_answered_with_stat64() -> None:
    machine = machine_for("arm")
    assert call(machine, "stat", put_path(machine, HPAGE), scratch(machine)) == -Errno.ENOSYS


def test_statx() -> None:
    machine = machine_for("ppc64")
    buffer = scratch(machine)
    assert (
        call(machine, "statx", AT_FDCWD & machine.arch.word_mask, put_path(machine, "/sys"), 0, 0x7FF, buffer)
        == 0
    )
    assert machine.kernel.load(buffer + 28, 2) == S_IFDIR | 0o555
    path = put_path(machine, "/nope")
    assert call(machine, "statx", AT_FDCWD & machine.arch.word_mask, path, 0, 0x7FF, buffer) == -Errno.ENOENT


@pytest.mark.parametrize("arch_name", ARCHES)
def test_mounted_directory_is_served_read_only(arch_name: str) -> None:
    machine = mounted(arch_name)
    fd = call(machine, "open", put_path(machine, "testdata"), machine.arch.linux.open_flags["O_DIRECTORY"], 0)
    assert fd == 3
    assert entries(machine, fd) == [".", "..", "a.txt", "b.txt", "sub"]
    assert call(machine, "read", fd, scratch(machine), 16) == -Errno.EISDIR
    assert (
        call(
            machine,
            "open",
            put_path(machine, "testdata/a.txt"),
            machine.arch.linux.open_flags["O_DIRECTORY"],
            0,
        )
        == -Errno.ENOTDIR
    )
    fd = call(machine, "openat", fd, put_path(machine, "a.txt"), 0, 0)  # relative to a directory fd
    assert fd == 4
    assert call(machine, "read", fd, scratch(machine), 64) == 6
    assert machine.memory.read(scratch(machine), 6) == b"alpha\n"
    assert call(machine, "open", put_path(machine, "testdata/a.txt"), 2, 0) == -Errno.EROFS
    assert call(machine, "open", put_path(machine, "testdata/new"), 0x41, 0o644) == -Errno.EROFS
    result, buffer = stat_call(machine, "/src/testdata/b.txt")
    assert result == 0 and stat_field(machine, buffer, "size") == 6


def test_root_lists_only_what_emu_serves() -> None:
    machine = mounted("amd64")
    fd = call(machine, "open", put_path(machine, "/"), 0, 0)
    assert entries(machine, fd) == [".", "..", "src", "sys"]


def test_symlinks_out_of_a_mount_are_not_followed(tmp_path: Path) -> None:
    (tmp_path / "inside.txt").write_text("ok")
    (tmp_path / "escape").symlink_to("/etc")
    machine = machine_for("amd64", mounts=[(str(tmp_path), "/m")])
    assert call(machine, "open", put_path(machine, "/m/inside.txt"), 0, 0) == 3
    assert call(machine, "open", put_path(machine, "/m/escape/passwd"), 0, 0) == -Errno.ENOENT
    assert call(machine, "open", put_path(machine, "/m/../etc/passwd"), 0, 0) == -Errno.ENOENT


def test_getcwd_chdir_and_lseek() -> None:
    machine = mounted("ppc64le")
    buffer = scratch(machine)
    assert call(machine, "getcwd", buffer, 64) == 5
    assert machine.memory.read(buffer, 5) == b"/src\0"
    assert call(machine, "getcwd", buffer, 4) == -Errno.ERANGE
    assert call(machine, "chdir", put_path(machine, "testdata/sub")) == 0
    assert call(machine, "chdir", put_path(machine, "c.dat")) == -Errno.ENOTDIR
    fd = call(machine, "open", put_path(machine, "../b.txt"), 0, 0)
    assert call(machine, "lseek", fd, 3, 0) == 3  # SEEK_SET
    assert call(machine, "read", fd, buffer, 64) == 3
    assert call(machine, "lseek", fd, -1 & machine.arch.word_mask, 2) == 5  # SEEK_END - 1
    assert call(machine, "lseek", 1, 0, 0) == -Errno.ESPIPE


def test_llseek_on_arm() -> None:
    machine = mounted("arm")
    fd = call(machine, "open", put_path(machine, "testdata/a.txt"), 0, 0)
    result = scratch(machine) + 256
    assert call(machine, "_llseek", fd, 0, 4, result, 0) == 0
    assert machine.kernel.load(result, 8) == 4


@pytest.mark.parametrize(
    "option,message",
    [
        (["--mount", "nowhere:/src"], "--mount: 'nowhere' is not a directory"),
        (["--mount", "tests"], "--mount needs HOST_DIR:/GUEST_DIR"),
        (["--mount", "tests:src"], "--mount needs HOST_DIR:/GUEST_DIR"),
        (["--cwd", "src"], "--cwd needs an absolute guest path"),
    ],
)
def test_bad_mount_and_cwd_options(option: list[str], message: str) -> None:
    result = run_emu("run", *option, example("amd64", "hello"), "--arch", "amd64", timeout=60)
    assert result.returncode == 2 and message in result.stderr, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("arch", ARCHES)
def test_go_reads_its_testdata_through_a_mount(arch: str) -> None:
    """os.Getwd, os.ReadFile, os.Stat/Lstat, filepath.Glob, os.ReadDir, File.Seek, IsNotExist."""
    require_tool("go")
    binary = build("files", arch, ROOT / "tests" / "go_vfs")
    result = run_emu("run", "--mount", f"{FIXTURE}:/src", "--cwd", "/src", binary, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "getwd: /src <nil>",
        'read: "alpha\\n" <nil>',
        "stat: a.txt 6 -r--r--r-- false <nil>",
        "lstat dir: testdata true <nil>",
        "glob: [testdata/a.txt testdata/b.txt] <nil>",
        "entry: a.txt false",
        "entry: b.txt false",
        "entry: sub true",
        "readdir: <nil>",
        'fstat+seek: 6 2 "avo\\n"',
        "missing: true",
        "host file: true",
        "write refused: true",
    ]


@pytest.mark.parametrize("arch_name", ARCHES)
def test_uname_is_fixed_except_the_machine(arch_name: str) -> None:
    machine = machine_for(arch_name)
    buffer = scratch(machine)
    assert call(machine, "uname", buffer) == 0
    fields = [machine.memory.read(buffer + 65 * i, 65).split(b"\0")[0].decode() for i in range(6)]
    assert fields[:2] == ["Linux", "emu"] and fields[4] == machine.arch.linux.uname_machine
