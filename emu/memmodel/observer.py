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

from collections.abc import Callable, Iterable
from typing import NamedTuple

import unicorn

from emu import cpu
from emu.arch import Arch
from emu.memmodel.storage import Storage
from emu.timing.classify import classifier_for

LOCK_PREFIX = 0xF0


def _has_memory_operand(operands: str) -> bool:
    """A memory operand as capstone prints it: `[rax]`, `[x0]` (x86, ARM) or `(a0)`, `0(r3)` (RISC-V, PPC)."""
    return "[" in operands or "(" in operands


class Seen(NamedTuple):
    """An instruction as the observer needs it, decoded once per address."""

    mnemonic: str
    operands: str
    reads: tuple[str, ...]
    writes: tuple[str, ...]  # including an update form's base register
    locked: bool  # drains the store buffer (x86 lock prefix, xchg with memory)
    ordering: str | None = None  # its barrier kind (storage.BARRIERS), "full" when locked
    load_reserve: bool = False
    store_conditional: bool = False


UNDECODABLE = Seen("", "", (), (), False)  # unicorn raises SIGILL for it; a hook must not raise


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
        # Told of every ordering instruction run, as (pc, instruction, kind): `emu explain`'s row.
        self.on_ordering: Callable[[int, str, str], None] | None = None
        for start, end in data:
            uc.hook_add(unicorn.UC_HOOK_MEM_READ, self._on_read, begin=start, end=end - 1)
            uc.hook_add(unicorn.UC_HOOK_MEM_WRITE, self._on_write, begin=start, end=end - 1)
        for start, end in code:
            uc.hook_add(unicorn.UC_HOOK_CODE, self._on_instruction, begin=start, end=end - 1)

    def _decode(self, address: int, size: int) -> Seen:
        code = bytes(self.uc.mem_read(address, size))
        insn = next(self.disassembler.disasm(code, address), None)
        if insn is None:
            return UNDECODABLE
        flow = self.classifier.decode(insn)
        facts, mnemonic = self.facts, insn.mnemonic
        locked = ("lock" in facts.locked and LOCK_PREFIX in (insn.prefix or ())) or (
            mnemonic in facts.locked and _has_memory_operand(insn.op_str)
        )
        kind = facts.barriers.get(f"{mnemonic} {insn.op_str}".strip()) or facts.barriers.get(mnemonic)
        self.decoded[address] = Seen(
            mnemonic,
            insn.op_str,
            tuple(flow.reads),
            tuple(flow.writes | flow.address_writes),
            locked,
            kind or ("full" if locked else None),
            mnemonic in facts.load_reserve,
            mnemonic in facts.store_conditional,
        )
        return self.decoded[address]

    def _on_instruction(self, uc: unicorn.Uc, address: int, size: int, _: object) -> None:
        seen = self.current = self.decoded.get(address) or self._decode(address, size)
        if seen.ordering is not None:
            self.storage.barrier(self.tid, seen.ordering)
            if self.on_ordering is not None:
                text = f"{seen.mnemonic} {seen.operands}".strip()
                self.on_ordering(address, text, "locked: full" if seen.locked else seen.ordering)
        self.conditional = self.storage.store_conditional_ok(self.tid) if seen.store_conditional else None
        if seen.writes and self.storage.uses_dependencies:
            taint = self.taint.setdefault(self.tid, {})
            source = max([taint.get(r, 0) for r in seen.reads]) if seen.reads else 0
            for register in seen.writes:
                taint[register] = source

    def _on_read(self, uc: unicorn.Uc, access: int, address: int, size: int, value: int, _: object) -> None:
        insn = self.current
        if self.conditional is not None:
            self.storage.touch(address, size)  # before the engine's bytes become the decoy below
            uc.mem_write(address, self._conditional_bytes(address, size))
            return
        taint = self.taint.setdefault(self.tid, {})
        after = max([taint.get(r, 0) for r in insn.reads]) if insn and insn.reads else 0
        data, when = self.storage.read(self.tid, address, size, after)
        if insn is not None:
            for register in insn.writes:
                taint[register] = max(taint.get(register, 0), when)
            if insn.load_reserve:
                self.reserved[self.tid] = data
                self.storage.reserve(self.tid, address, size)
        uc.mem_write(address, data)

    def _conditional_bytes(self, address: int, size: int) -> bytes:
        """What unicorn's store-conditional compares against: the reserved value to succeed,
        anything else to fail (the storage subsystem has decided which)."""
        reserved = self.reserved.get(self.tid, bytes(size))[:size].ljust(size, b"\0")
        return reserved if self.conditional else bytes(b ^ 0xFF for b in reserved)

    def _on_write(self, uc: unicorn.Uc, access: int, address: int, size: int, value: int, _: object) -> None:
        if self.conditional is False:
            return  # unicorn's cmpxchg stores the old value back when it fails; the hardware stores nothing
        data = self.arch.pack(value, size)
        locked = bool(self.current and self.current.locked)
        self.storage.write(self.tid, address, data, locked)
