"""uname: a fixed description of the emulated machine (os.Hostname falls back to it).

The host's name and kernel are not the guest's business: every field is a constant except
`machine`, which is what `uname -m` prints on that arch (arch data, `[linux] uname_machine`).
"""

from __future__ import annotations

from emu.kernel import Kernel, syscall

FIELD = 65  # struct utsname: six NUL-padded char[65] (the same on every arch)
NODENAME = "emu"
RELEASE = "6.1.0-emu"
VERSION = "#1 SMP emu"


@syscall("uname")
def sys_uname(kernel: Kernel, thread, address: int, *_) -> int:
    fields = ("Linux", NODENAME, RELEASE, VERSION, kernel.arch.linux.uname_machine, "(none)")
    kernel.process.memory.write(address, b"".join(f.encode().ljust(FIELD, b"\0") for f in fields))
    return 0
