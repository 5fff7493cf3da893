"""The glue between unicorn and a storage subsystem: hooks on the tracked memory and code.

Every load of tracked memory by the running thread asks the storage subsystem what to return
and writes those bytes into the engine's memory just before the load reads them (unicorn calls
a read hook before the access, so the guest sees the model's answer). Every store is handed to
the storage subsystem, which decides who sees it when. A code hook on the tracked code sees each
instruction before it runs: barriers go to the storage subsystem, store-conditionals are decided
by it (the hook makes unicorn's own compare succeed or fail accordingly), and register
dependencies are followed (a load's address registers carry the time their producing loads
were satisfied at: an address dependency orders the load after them).

Per-arch facts (which mnemonics are barriers, load-reserve, store-conditional, locked) come from
the arch's `[memory_model]` table; nothing here names an instruction set.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

import unicorn

from emu import cpu
from emu.arch import Arch
from emu.memmodel.storage import Storage
from emu.timing.classify import classifier_for

LOCK_PREFIX = 0xF0


class Seen(NamedTuple):
    """An instruction as the observer needs it, decoded once per address."""

    mnemonic: str
    operands: str
    reads: tuple[str, ...]
    writes: tuple[str, ...]  # including an update form's base register
    locked: bool  # drains the store buffer (x86 lock prefix, xchg with memory)


class WeakMemory:
    """Route one engine's accesses to tracked ranges through `storage`, for thread `self.tid`."""

    def __init__(
        self,
        uc: unicorn.Uc,
        arch: Arch,
        storage: Storage,
        data: Iterable[tuple[int, int]],
        code: Iterable[tuple[int, int]],
    ) -> None:
        self.uc, self.arch, self.storage = uc, arch, storage
        self.facts = arch.memory_model
        self.tid = 0
        self.taint: dict[int, dict[str, int]] = {}  # thread -> register -> time
        self.disassembler = cpu.new_disassembler(arch)
        self.classifier = classifier_for(arch.name)  # its register dataflow is ours too
        self.decoded: dict[int, Seen] = {}
        self.current: Seen | None = None
        self.conditional: bool | None = None  # the running store-conditional's fate
        self.reserved: dict[int, bytes] = {}  # thread -> what its load-reserve read
        for start, end in data:
            uc.hook_add(unicorn.UC_HOOK_MEM_READ, self._on_read, begin=start, end=end - 1)
            uc.hook_add(unicorn.UC_HOOK_MEM_WRITE, self._on_write, begin=start, end=end - 1)
        for start, end in code:
            uc.hook_add(unicorn.UC_HOOK_CODE, self._on_instruction, begin=start, end=end - 1)

    def _decode(self, address: int, size: int) -> Seen:
        if address not in self.decoded:
            code = bytes(self.uc.mem_read(address, size))
            insn = next(self.disassembler.disasm(code, address))
            flow = self.classifier.decode(insn)
            locked = "lock" in self.facts.locked and LOCK_PREFIX in (insn.prefix or ())
            self.decoded[address] = Seen(
                insn.mnemonic,
                insn.op_str,
                tuple(flow.reads),
                tuple(flow.writes | flow.address_writes),
                locked or (insn.mnemonic in self.facts.locked and "[" in insn.op_str),
            )
        return self.decoded[address]

    def _on_instruction(self, uc: unicorn.Uc, address: int, size: int, _: object) -> None:
        mnemonic, operands, read, written, locked = self.current = self._decode(address, size)
        kind = self.facts.barriers.get(f"{mnemonic} {operands}".strip()) or self.facts.barriers.get(mnemonic)
        if kind:
            self.storage.barrier(self.tid, kind)
        if locked:
            self.storage.barrier(self.tid, "full")
        self.conditional = None
        if mnemonic in self.facts.store_conditional:
            self.conditional = self.storage.store_conditional_ok(self.tid)
        taint = self.taint.setdefault(self.tid, {})
        source = max((taint.get(r, 0) for r in read), default=0)
        for register in written:
            taint[register] = source

    def _on_read(self, uc: unicorn.Uc, access: int, address: int, size: int, value: int, _: object) -> None:
        insn = self.current
        taint = self.taint.setdefault(self.tid, {})
        after = max((taint.get(r, 0) for r in insn.reads), default=0) if insn else 0
        if self.conditional is not None:
            data = self._conditional_bytes(address, size)
        else:
            data, when = self.storage.read(self.tid, address, size, after)
            for register in insn.writes if insn else ():
                taint[register] = max(taint.get(register, 0), when)
            if insn and insn.mnemonic in self.facts.load_reserve:
                self.reserved[self.tid] = data
                self.storage.reserve(self.tid, address, size)
        uc.mem_write(address, data)

    def _conditional_bytes(self, address: int, size: int) -> bytes:
        """What unicorn's store-conditional compares against: the reserved value to succeed,
        anything else to fail (the storage subsystem has decided which)."""
        reserved = self.reserved.get(self.tid, bytes(size))[:size].ljust(size, b"\0")
        return reserved if self.conditional else bytes(b ^ 0xFF for b in reserved)

    def _on_write(self, uc: unicorn.Uc, access: int, address: int, size: int, value: int, _: object) -> None:
        data = self.arch.pack(value, size)
        locked = bool(self.current and self.current.locked)
        self.storage.write(self.tid, address, data, locked)
