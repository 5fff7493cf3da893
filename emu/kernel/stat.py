"""The stat family: stat/lstat/fstat/newfstatat (64-bit arches), their *64 forms (arm), statx.

Answers describe the files the VFS serves (emu/kernel/vfs.py) and the descriptors a process holds,
with -ENOENT exactly where open gives -ENOENT (Go's os.IsNotExist, os.Getwd, filepath.Glob depend
on it). Every field is made up deterministically: inode numbers from the guest path, times at the
virtual clock's epoch, the guest runs as root; only sizes and the file/directory distinction come
from a mounted host directory. Which struct a call fills, and where each field lives, is arch data
(`stat` in `[linux]`); struct statx is the same on every arch.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from emu.kernel import Handler, Kernel, signed, syscall
from emu.kernel.abi import Errno
from emu.kernel.epoll import PipeEnd
from emu.kernel.files import HostStream, OpenFile
from emu.kernel.vfs import AT_FDCWD, Directory, Node, VirtualFile, filesystem, guest_path
from emu.sched import Clock

S_IFIFO, S_IFCHR, S_IFDIR, S_IFREG = 0o010000, 0o020000, 0o040000, 0o100000
AT_SYMLINK_NOFOLLOW, AT_EMPTY_PATH = 0x100, 0x1000
DEVICE = 0x2A  # the one device every VFS file is on
BLOCK_SIZE = 4096
STATX_SIZE = 256
STATX_BASIC_STATS = 0x7FF
# struct statx (include/uapi/linux/stat.h): name -> (offset, size); timestamps are {s64 sec, u32 nsec}
STATX_FIELDS = {
    "mask": (0, 4),
    "blksize": (4, 4),
    "nlink": (16, 4),
    "uid": (20, 4),
    "gid": (24, 4),
    "mode": (28, 2),
    "ino": (32, 8),
    "size": (40, 8),
    "blocks": (48, 8),
    "atime": (64, 8),
    "atime_nsec": (72, 4),
    "ctime": (96, 8),
    "ctime_nsec": (104, 4),
    "mtime": (112, 8),
    "mtime_nsec": (120, 4),
    "dev_minor": (140, 4),
}


@dataclass(frozen=True)
class Status:
    """What a stat call reports, before it is laid out in the arch's struct."""

    mode: int
    ino: int
    size: int = 0
    nlink: int = 1

    def fields(self) -> dict[str, int]:
        seconds = Clock.REALTIME_EPOCH_NS // 10**9
        return {
            "dev": DEVICE,
            "ino": self.ino,
            "short_ino": self.ino & 0xFFFFFFFF,
            "nlink": self.nlink,
            "mode": self.mode,
            "uid": 0,
            "gid": 0,
            "rdev": 0,
            "size": self.size,
            "blksize": BLOCK_SIZE,
            "blocks": (self.size + 511) // 512,
            "atime": seconds,
            "mtime": seconds,
            "ctime": seconds,
        }


def node_status(node: Node) -> Status:
    if node.is_dir:
        return Status(S_IFDIR | 0o555, node.inode, BLOCK_SIZE, nlink=2)
    return Status(S_IFREG | 0o444, node.inode, node.size)


def file_status(file: OpenFile, fd: int) -> Status:
    """An open descriptor: a VFS file or directory, emu's own streams, a pipe, or an anonymous
    inode (epoll, eventfd: no file type, like Linux's anon_inode)."""
    node = getattr(file, "node", None) if isinstance(file, VirtualFile | Directory) else None
    if node is not None:
        return node_status(node)
    inode = 0x10000 + fd
    if isinstance(file, VirtualFile):
        return Status(S_IFREG | 0o444, inode, len(file.content))
    if isinstance(file, HostStream):
        return Status(S_IFCHR | 0o620, inode)
    if isinstance(file, PipeEnd):
        return Status(S_IFIFO | 0o600, inode)
    return Status(0o600, inode)


def _write_struct(kernel: Kernel, address: int, size: int, layout: dict, values: dict[str, int]) -> None:
    buffer = bytearray(size)
    for name, (offset, width) in layout.items():
        buffer[offset : offset + width] = kernel.arch.pack(
            values.get(name, 0) & ((1 << 8 * width) - 1), width
        )
    kernel.process.memory.write(address, bytes(buffer))


def _status_at(kernel: Kernel, dirfd: int, path: int, flags: int) -> Status | int:
    """(dirfd, path, AT_* flags) -> Status or -errno; AT_EMPTY_PATH with "" means dirfd itself."""
    name = guest_path(kernel, dirfd, path, empty_ok=bool(flags & AT_EMPTY_PATH))
    if isinstance(name, int):
        return name
    if flags & AT_EMPTY_PATH and kernel.load(path, 1) == 0 and signed(dirfd, 32) >= 0:
        return _status_of_fd(kernel, dirfd)
    node = filesystem(kernel).lookup(name)
    return -Errno.ENOENT if node is None else node_status(node)


def _status_of_fd(kernel: Kernel, fd: int) -> Status | int:
    file = kernel.files.get(fd)
    return -Errno.EBADF if file is None else file_status(file, signed(fd, 32))


def _fill_stat(kernel: Kernel, status: Status | int, address: int) -> int:
    if isinstance(status, int):
        return status
    layout = kernel.arch.linux.stat
    _write_struct(kernel, address, layout.size, layout.fields, status.fields())
    return 0


def _stat(kernel: Kernel, path: int, address: int, *_) -> int:
    """No symlinks exist in the VFS (a mount's are followed), so lstat is stat."""
    return _fill_stat(kernel, _status_at(kernel, AT_FDCWD, path, 0), address)


def _fstat(kernel: Kernel, fd: int, address: int, *_) -> int:
    return _fill_stat(kernel, _status_of_fd(kernel, fd), address)


def _fstatat(kernel: Kernel, dirfd: int, path: int, address: int, flags: int, *_) -> int:
    if flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH):
        return -Errno.EINVAL
    return _fill_stat(kernel, _status_at(kernel, dirfd, path, flags), address)


def _only_where_listed(name: str, answer: Callable[..., int]) -> Handler:
    """`name` answers only on the arches whose `stat.calls` list it: arm's plain stat takes the
    old 32-bit struct stat, which neither Go nor glibc uses, and stays -ENOSYS."""

    @syscall(name)
    def handler(kernel: Kernel, thread, *args: int) -> int:
        if name not in kernel.arch.linux.stat.calls:
            return -Errno.ENOSYS
        return answer(kernel, *args)

    return handler


sys_stat = _only_where_listed("stat", _stat)
sys_lstat = _only_where_listed("lstat", _stat)
sys_stat64 = _only_where_listed("stat64", _stat)
sys_lstat64 = _only_where_listed("lstat64", _stat)
sys_fstat = _only_where_listed("fstat", _fstat)
sys_fstat64 = _only_where_listed("fstat64", _fstat)
sys_newfstatat = _only_where_listed("newfstatat", _fstatat)
sys_fstatat64 = _only_where_listed("fstatat64", _fstatat)


@syscall("statx")
def sys_statx(kernel: Kernel, thread, dirfd: int, path: int, flags: int, mask: int, address: int, *_) -> int:
    status = _status_at(kernel, dirfd, path, flags)
    if isinstance(status, int):
        return status
    values = status.fields() | {"mask": STATX_BASIC_STATS, "dev_minor": DEVICE}
    for name in ("atime", "mtime", "ctime"):
        values[f"{name}_nsec"] = 0
    _write_struct(kernel, address, STATX_SIZE, STATX_FIELDS, values)
    return 0
