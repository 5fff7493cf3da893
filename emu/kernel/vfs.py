"""A read-only virtual file system: the few files a language runtime opens at start-up.

emu never opens a host file for the guest: a path in `FILES` is answered from
emu's own data (per arch, from `[linux]` in arch/*.toml), any other path is
-ENOENT (or -EROFS when the guest asks to create it), so a run cannot depend
on the machine it runs on. The relative-path base is "/" (the guest's cwd).
"""

from __future__ import annotations

import errno
import posixpath
from collections.abc import Callable

import unicorn

from emu.arch import Arch
from emu.kernel import Kernel, signed, syscall
from emu.kernel.files import O_ACCMODE, O_CLOEXEC, O_RDONLY, OpenFile

AT_FDCWD = -100
O_CREAT = 0x40
PATH_MAX = 4096


def _hpage_pmd_size(arch: Arch) -> bytes:
    """Go reads it to learn the huge page size (physHugePageSize)."""
    return f"{arch.linux['hpage_pmd_size']}\n".encode()


FILES: dict[str, Callable[[Arch], bytes]] = {
    "/sys/kernel/mm/transparent_hugepage/hpage_pmd_size": _hpage_pmd_size,
}


class VirtualFile(OpenFile):
    """A read-only file whose whole content emu made up front."""

    def __init__(self, content: bytes) -> None:
        super().__init__(O_RDONLY)
        self.content = content
        self.offset = 0

    def read(self, kernel: Kernel, count: int) -> bytes | int:
        data = self.content[self.offset : self.offset + count]
        self.offset += len(data)
        return data

    def poll(self) -> int:
        return 1  # regular files are always readable (EPOLLIN)


def read_path(kernel: Kernel, address: int) -> str | int:
    """A NUL-terminated guest path, or -EFAULT / -ENAMETOOLONG."""
    data = b""
    try:
        while b"\0" not in data:
            if len(data) >= PATH_MAX:
                return -errno.ENAMETOOLONG
            data += kernel.machine.memory.read(address + len(data), 256 - (address + len(data)) % 256)
    except unicorn.UcError:
        if b"\0" not in data:
            return -errno.EFAULT
    return data.split(b"\0", 1)[0].decode("utf-8", "surrogateescape")


def open_path(kernel: Kernel, dirfd: int, address: int, flags: int) -> int:
    path = read_path(kernel, address)
    if isinstance(path, int):
        return path
    if not path:
        return -errno.ENOENT
    if not path.startswith("/"):
        if signed(dirfd, 32) != AT_FDCWD:
            return -errno.ENOTDIR if kernel.files.get(dirfd) else -errno.EBADF
        path = "/" + path
    maker = FILES.get(posixpath.normpath(path))
    if maker is None:
        return -errno.EROFS if flags & O_CREAT else -errno.ENOENT
    if flags & O_ACCMODE != O_RDONLY:
        return -errno.EROFS
    return kernel.files.install(VirtualFile(maker(kernel.arch)), bool(flags & O_CLOEXEC))


@syscall("open")
def sys_open(kernel: Kernel, thread, path: int, flags: int, mode: int, *_) -> int:
    return open_path(kernel, AT_FDCWD, path, flags)


@syscall("openat")
def sys_openat(kernel: Kernel, thread, dirfd: int, path: int, flags: int, mode: int, *_) -> int:
    return open_path(kernel, dirfd, path, flags)
