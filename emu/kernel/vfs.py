"""A read-only virtual file system: the few files a language runtime opens at start-up, plus the
host directories the user mounts explicitly.

emu never opens a host file for the guest on its own: a path in `FILES` is answered from emu's own
data (per arch, from `[linux]` in arch/*/arch.toml), a path under a `--mount HOST_DIR:GUEST_DIR` is
answered from HOST_DIR (read-only; a symlink that leads out of HOST_DIR is not followed), the
directories on the way to any of those exist, and any other path is -ENOENT (or -EROFS when the
guest asks to create it), so a run depends only on what the user named. Relative paths start at
the guest's working directory (`--cwd`, default "/"), which always exists.
"""

from __future__ import annotations

import contextlib
import os
import posixpath
import stat as host_stat
import zlib
from collections.abc import Callable
from dataclasses import dataclass

import unicorn

from emu.arch import Arch
from emu.kernel import Kernel, signed, syscall
from emu.kernel.abi import Errno
from emu.kernel.files import O_ACCMODE, O_CLOEXEC, O_RDONLY, OpenFile

AT_FDCWD = -100
O_CREAT = 0x40
PATH_MAX = 4096
MAX_FILE = 1 << 28  # a mounted file bigger than this is refused (-EFBIG), not read into memory
SEEK_SET, SEEK_CUR, SEEK_END = 0, 1, 2
DT_DIR, DT_REG = 4, 8


def _hpage_pmd_size(arch: Arch) -> bytes:
    """Go reads it to learn the huge page size (physHugePageSize)."""
    return f"{arch.linux.hpage_pmd_size}\n".encode()


FILES: dict[str, Callable[[Arch], bytes]] = {
    "/sys/kernel/mm/transparent_hugepage/hpage_pmd_size": _hpage_pmd_size,
}


@dataclass(frozen=True)
class Node:
    """A file or directory the guest can see: its guest path and, if mounted, its host path."""

    path: str
    is_dir: bool
    host: str | None = None
    size: int = 0

    @property
    def inode(self) -> int:
        """Stable across runs and machines: derived from the guest path, never the host's."""
        return zlib.crc32(self.path.encode("utf-8", "surrogateescape")) + 2

    @property
    def name(self) -> str:
        return posixpath.basename(self.path) or "/"


class FileSystem:
    """What the guest's paths resolve to: emu's own files, the mounts, and their directories."""

    def __init__(self, arch: Arch, mounts: list[tuple[str, str]], cwd: str) -> None:
        self.arch = arch
        self.mounts = {posixpath.normpath(guest): os.path.realpath(host) for host, guest in mounts}
        self.cwd = posixpath.normpath(cwd)
        self.dirs = {"/"}
        for path in [*FILES, *self.mounts, self.cwd + "/."]:
            parent = posixpath.dirname(path)
            while parent not in self.dirs:
                self.dirs.add(parent)
                parent = posixpath.dirname(parent)
        self.dirs.update(self.mounts)

    def lookup(self, path: str) -> Node | None:
        """The node at an absolute, normalised guest path, or None."""
        mounted = self._mounted(path)
        if mounted is not None:
            return mounted
        if path in FILES:
            return Node(path, False, size=len(FILES[path](self.arch)))
        if path in self.dirs:
            return Node(path, True)
        return None

    def _mounted(self, path: str) -> Node | None:
        for guest in sorted(self.mounts, key=len, reverse=True):
            if path == guest or path.startswith(guest.rstrip("/") + "/"):
                root = self.mounts[guest]
                host = os.path.realpath(os.path.join(root, posixpath.relpath(path, guest)))
                if host != root and not host.startswith(root.rstrip("/") + "/"):
                    return None  # a symlink out of the mounted directory
                try:
                    info = os.stat(host)
                except OSError:
                    return None
                if host_stat.S_ISDIR(info.st_mode):
                    return Node(path, True, host)
                if host_stat.S_ISREG(info.st_mode):
                    return Node(path, False, host, info.st_size)
                return None  # devices, sockets, fifos are not served
        return None

    def content(self, node: Node) -> bytes | int:
        """A file's bytes (read once, at open), or -errno."""
        if node.host is None:
            return FILES[node.path](self.arch)
        if node.size > MAX_FILE:
            return -Errno.EFBIG
        try:
            with open(node.host, "rb") as host_file:
                return host_file.read(MAX_FILE + 1)
        except OSError as err:
            return -(err.errno or Errno.EIO)

    def children(self, node: Node) -> list[Node]:
        """A directory's entries, sorted by name (a deterministic order)."""
        names = {
            posixpath.basename(path)
            for path in [*FILES, *self.dirs]
            if path != "/" and posixpath.dirname(path) == node.path
        }
        if node.host is not None:
            with contextlib.suppress(OSError):
                names.update(os.listdir(node.host))
        found = (self.lookup(posixpath.join(node.path, name)) for name in sorted(names))
        return [child for child in found if child is not None]


def read_path(kernel: Kernel, address: int) -> str | int:
    """A NUL-terminated guest path, or -EFAULT / -ENAMETOOLONG."""
    data = b""
    try:
        while b"\0" not in data:
            if len(data) >= PATH_MAX:
                return -Errno.ENAMETOOLONG
            data += kernel.process.memory.read(address + len(data), 256 - (address + len(data)) % 256)
    except unicorn.UcError:
        if b"\0" not in data:
            return -Errno.EFAULT
    return data.split(b"\0", 1)[0].decode("utf-8", "surrogateescape")


class VirtualFile(OpenFile):
    """A read-only file whose whole content emu read or made up front."""

    def __init__(self, content: bytes, node: Node | None = None) -> None:
        super().__init__(O_RDONLY)
        self.content = content
        self.offset = 0
        self.node = node

    def read(self, kernel: Kernel, count: int) -> bytes | int:
        data = self.content[self.offset : self.offset + count]
        self.offset += len(data)
        return data

    def poll(self) -> int:
        return 1  # regular files are always readable (EPOLLIN)

    def seek(self, offset: int, whence: int) -> int:
        base = {SEEK_SET: 0, SEEK_CUR: self.offset, SEEK_END: len(self.content)}.get(whence)
        if base is None or base + offset < 0:
            return -Errno.EINVAL
        self.offset = base + offset
        return self.offset


class Directory(OpenFile):
    """An open directory: getdents64 walks its entries ("." and ".." first, as Linux lists them)."""

    def __init__(self, node: Node, entries: list[tuple[str, Node]]) -> None:
        super().__init__(O_RDONLY)
        self.node = node
        self.entries = entries
        self.position = 0

    def read(self, kernel: Kernel, count: int) -> bytes | int:
        return -Errno.EISDIR

    def seek(self, offset: int, whence: int) -> int:
        if whence != SEEK_SET or not 0 <= offset <= len(self.entries):
            return -Errno.EINVAL
        self.position = offset
        return offset


def filesystem(kernel: Kernel) -> FileSystem:
    """The process's view of files (made from the run options by the Kernel)."""
    return kernel.vfs


def guest_path(kernel: Kernel, dirfd: int, address: int, empty_ok: bool = False) -> str | int:
    """The absolute, normalised guest path a (dirfd, path) pair names, or -errno."""
    path = read_path(kernel, address)
    if isinstance(path, int):
        return path
    if not path and not empty_ok:
        return -Errno.ENOENT
    if path.startswith("/"):
        return posixpath.normpath(path)
    if signed(dirfd, 32) == AT_FDCWD:
        base = filesystem(kernel).cwd
    else:
        directory = kernel.files.get(dirfd)
        if directory is None:
            return -Errno.EBADF
        if not isinstance(directory, Directory):
            return -Errno.ENOTDIR
        base = directory.node.path
    return posixpath.normpath(posixpath.join(base, path)) if path else base


def resolve(kernel: Kernel, dirfd: int, address: int) -> Node | int:
    """The node a (dirfd, path) pair names, or -errno (-ENOENT where it is not in the VFS)."""
    path = guest_path(kernel, dirfd, address)
    if isinstance(path, int):
        return path
    node = filesystem(kernel).lookup(path)
    return -Errno.ENOENT if node is None else node


def open_node(kernel: Kernel, node: Node) -> OpenFile | int:
    """A new open file description for a node (a directory lists its entries now)."""
    fs = filesystem(kernel)
    if node.is_dir:
        parent = fs.lookup(posixpath.dirname(node.path)) or node
        entries = [(".", node), ("..", parent), *((child.name, child) for child in fs.children(node))]
        return Directory(node, entries)
    content = fs.content(node)
    return content if isinstance(content, int) else VirtualFile(content, node)


def open_path(kernel: Kernel, dirfd: int, address: int, flags: int) -> int:
    node = resolve(kernel, dirfd, address)
    if isinstance(node, int):
        return -Errno.EROFS if node == -Errno.ENOENT and flags & O_CREAT else node
    if flags & O_ACCMODE != O_RDONLY or flags & O_CREAT:
        return -Errno.EISDIR if node.is_dir else -Errno.EROFS
    if flags & kernel.arch.linux.open_flags["O_DIRECTORY"] and not node.is_dir:
        return -Errno.ENOTDIR
    file = open_node(kernel, node)
    if isinstance(file, int):
        return file
    return kernel.files.install(file, bool(flags & O_CLOEXEC))


@syscall("open")
def sys_open(kernel: Kernel, thread, path: int, flags: int, mode: int, *_) -> int:
    return open_path(kernel, AT_FDCWD, path, flags)


@syscall("openat")
def sys_openat(kernel: Kernel, thread, dirfd: int, path: int, flags: int, mode: int, *_) -> int:
    return open_path(kernel, dirfd, path, flags)


# ---- the working directory ------------------------------------------------------------------


@syscall("getcwd")
def sys_getcwd(kernel: Kernel, thread, buf: int, size: int, *_) -> int:
    """Linux returns the length including the NUL (-ERANGE when the buffer is too small)."""
    data = filesystem(kernel).cwd.encode("utf-8", "surrogateescape") + b"\0"
    if size < len(data):
        return -Errno.ERANGE
    kernel.process.memory.write(buf, data)
    return len(data)


def _change_directory(kernel: Kernel, node: Node | int) -> int:
    if isinstance(node, int):
        return node
    if not node.is_dir:
        return -Errno.ENOTDIR
    filesystem(kernel).cwd = node.path
    return 0


@syscall("chdir")
def sys_chdir(kernel: Kernel, thread, path: int, *_) -> int:
    return _change_directory(kernel, resolve(kernel, AT_FDCWD, path))


@syscall("fchdir")
def sys_fchdir(kernel: Kernel, thread, fd: int, *_) -> int:
    file = kernel.files.get(fd)
    if file is None:
        return -Errno.EBADF
    return _change_directory(kernel, file.node if isinstance(file, Directory) else -Errno.ENOTDIR)


# ---- reading directories and seeking -------------------------------------------------------


def _dirent64(arch: Arch, name: str, node: Node, next_offset: int) -> bytes:
    """struct linux_dirent64: d_ino u64, d_off s64, d_reclen u16, d_type u8, the name and its NUL,
    padded to 8 bytes (the same layout on every arch; the byte order is the arch's)."""
    encoded = name.encode("utf-8", "surrogateescape") + b"\0"
    length = (19 + len(encoded) + 7) & ~7
    header = arch.pack(node.inode, 8) + arch.pack(next_offset, 8) + arch.pack(length, 2)
    return (header + bytes([DT_DIR if node.is_dir else DT_REG]) + encoded).ljust(length, b"\0")


@syscall("getdents64")
def sys_getdents64(kernel: Kernel, thread, fd: int, buf: int, count: int, *_) -> int:
    directory = kernel.files.get(fd)
    if directory is None:
        return -Errno.EBADF
    if not isinstance(directory, Directory):
        return -Errno.ENOTDIR
    out = b""
    while directory.position < len(directory.entries):
        name, node = directory.entries[directory.position]
        record = _dirent64(kernel.arch, name, node, directory.position + 1)
        if len(out) + len(record) > count:
            if not out:
                return -Errno.EINVAL  # the buffer cannot hold even one entry
            break
        out += record
        directory.position += 1
    kernel.process.memory.write(buf, out)
    return len(out)


def _seek(kernel: Kernel, fd: int, offset: int, whence: int) -> int:
    file = kernel.files.get(fd)
    if file is None:
        return -Errno.EBADF
    seek = getattr(file, "seek", None)
    return -Errno.ESPIPE if seek is None else seek(offset, whence)


@syscall("lseek")
def sys_lseek(kernel: Kernel, thread, fd: int, offset: int, whence: int, *_) -> int:
    return _seek(kernel, fd, signed(offset, kernel.arch.bits), whence)


@syscall("_llseek")
def sys_llseek(kernel: Kernel, thread, fd: int, high: int, low: int, result: int, whence: int, *_) -> int:
    """32-bit arches: the 64-bit offset comes in two words and goes back through `result`."""
    position = _seek(kernel, fd, signed((high << 32) | (low & 0xFFFFFFFF), 64), whence)
    if position >= 0:
        kernel.store(result, position, 8)
        return 0
    return position
