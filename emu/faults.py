"""Fault rules: how a CPU event becomes the signal Linux would send, from `[faults]` arch data.

Unicorn runs the guest as a kernel would run itself (x86 ring 0, PowerPC
supervisor state) and knows nothing of Linux's trap handlers, so a few answers
differ from a real process: privileged instructions run, `int N` looks like
exception N, and some undefined instructions are Linux breakpoints. `FaultRules`
holds those facts per arch; the machine asks it

- once per newly translated block (`forbidden_in`): the first instruction the
  block must not run, so the hot path pays nothing for blocks already seen (the block's
  bytes or capstone's lite decode: never full instruction objects);
- when the engine raises an interrupt or an invalid instruction (`interrupt`,
  `invalid_instruction`): which signal, why, and at which pc.

Addresses beyond the user half, which unicorn would alias to low memory, are
`UserSpaceLimit`'s (a TLB fill hook).
"""

from __future__ import annotations

import ctypes
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from unicorn import UC_HOOK_TLB_FILL, UC_PROT_ALL, UC_TLB_VIRTUAL, Uc, UcError
from unicorn.unicorn_py3 import unicorn as uc_binding

from emu.arch import Encoding, Interrupt
from emu.native import build

if TYPE_CHECKING:
    from collections.abc import Callable

    from emu.arch import Arch
    from emu.native.blocks import FirstSight


@dataclass(frozen=True)
class Verdict:
    """A signal for the guest: name, reason for the report, and the pc it is charged to."""

    signal_name: str
    reason: str
    pc: int


def _encoding_matches(rules: tuple[Encoding, ...], word: int) -> Encoding | None:
    return next((rule for rule in rules if word & rule.mask == rule.match), None)


def _major_opcodes(rules: tuple[Encoding, ...]) -> frozenset[int]:
    """The values of a word's top six bits (PowerPC's primary opcode) that some rule can match."""
    top = 0xFC000000
    return frozenset(
        opcode
        for rule in rules
        for opcode in range(64)
        if (opcode << 26) & rule.mask & top == rule.match & rule.mask & top
    )


class FaultRules:
    """The `[faults]` and `[interrupts]` tables of one arch, ready to query."""

    def __init__(self, arch: Arch) -> None:
        self.arch = arch
        data = arch.faults
        self._privileged = data.privileged
        self._mnemonics = frozenset(data.privileged.mnemonics if data.privileged else ())
        self._registers = frozenset(data.privileged.registers if data.privileged else ())
        self._encodings = data.privileged.encodings if data.privileged else ()
        self._allowed = data.privileged.allowed if data.privileged else ()
        self._major_opcodes = _major_opcodes(self._encodings)
        bits = data.address_bits
        self.user_address_limit: int | None = 1 << bits if bits else None
        self._software = data.software_interrupt
        self._breakpoints = [(bytes.fromhex(b.bytes), b.alt_mode) for b in data.breakpoints]

    @property
    def checks_blocks(self) -> bool:
        """Whether new blocks need a look at all (not on arches whose engine already refuses)."""
        return bool(self._privileged)

    # ---- new blocks ---------------------------------------------------------------------

    def forbidden_in(self, block: FirstSight) -> Verdict | None:
        """The first instruction in a freshly translated block that Linux would not let run."""
        pc = self._first_privileged(block)
        rule = self._privileged
        return None if pc is None or rule is None else Verdict(rule.signal, rule.reason, pc)

    def _first_privileged(self, block: FirstSight) -> int | None:
        if block.width == 4 and not (self._mnemonics or self._registers):
            return self._first_privileged_word(block)  # fixed width: the bytes say it all
        for address, size, mnemonic, operands in block.lite():
            if mnemonic in self._mnemonics:
                return address
            if self._registers and not self._registers.isdisjoint(operands.replace(",", " ").split()):
                return address  # a register operand, by name (cheaper than capstone's operand details)
            if self._encodings and size == 4:
                offset = address - block.address
                if self._privileged_word(self.arch.unpack(block.code[offset : offset + 4])):
                    return address
        return None

    def _first_privileged_word(self, block: FirstSight) -> int | None:
        """Fixed 4-byte instructions, matched by encoding; words whose major opcode no rule
        names are skipped at once (a block is mostly loads, stores and arithmetic)."""
        if not self._encodings:
            return None
        code = block.code
        for offset in range(0, len(code) - 3, 4):
            word = self.arch.unpack(code[offset : offset + 4])
            if word >> 26 in self._major_opcodes and self._privileged_word(word):
                return block.address + offset
        return None

    def _privileged_word(self, word: int) -> bool:
        return _encoding_matches(self._encodings, word) is not None and not _encoding_matches(
            self._allowed, word
        )

    # ---- engine events ------------------------------------------------------------------

    def interrupt(self, intno: int, pc: int, read: Callable[[int, int], bytes]) -> Verdict:
        """The signal for interrupt `intno` raised with the engine's pc at `pc`."""
        software = self._software_interrupt(intno, pc, read)
        if software is not None:
            return software
        info = self.arch.interrupts.get(intno, Interrupt("SIGILL", 0, f"CPU exception {intno}"))
        return Verdict(info.signal, info.reason, pc + info.pc_adjust)

    def _software_interrupt(self, intno: int, pc: int, read: Callable[[int, int], bytes]) -> Verdict | None:
        """`int N` for a vector user code may not raise: #GP at the int instruction."""
        rule = self._software
        if rule is None or intno in rule.user_vectors:
            return None
        opcode = bytes.fromhex(rule.opcode)
        start = pc - len(opcode) - 1
        try:
            raised_by_int = read(start, len(opcode) + 1) == opcode + bytes([intno & 0xFF])
        except UcError:  # unreadable code: not an int instruction
            return None
        if not raised_by_int or intno > 0xFF:
            return None
        return Verdict(rule.signal, f"{rule.reason}, vector {intno:#x}", start)

    def invalid_instruction(self, pc: int, alt_mode: bool, read: Callable[[int, int], bytes]) -> Verdict:
        """An undefined instruction: SIGILL, unless Linux reserves it as a breakpoint."""
        for pattern, pattern_alt in self._breakpoints:
            if pattern_alt != alt_mode:
                continue
            try:
                if read(pc, len(pattern)) == pattern:
                    return Verdict("SIGTRAP", "breakpoint", pc)
            except UcError:  # unreadable code: no breakpoint there
                continue
        return Verdict("SIGILL", "invalid instruction", pc)


class _UserSpace(ctypes.Structure):
    _fields_ = [("limit", ctypes.c_uint64), ("refused", ctypes.c_uint64)]


class UserSpaceLimit:
    """Accesses beyond the arch's user addresses fault instead of aliasing low memory.

    Unicorn masks x86-64 addresses, so a store through a non-canonical pointer wrote
    ordinary memory (D11) and a jump there ran it (D12). In virtual TLB mode the engine
    asks us to translate each page on a TLB miss (emu/native/blockcount.c
    `bc_tlb_fill`, or the Python twin below without a C compiler): identity for user
    addresses, and for the rest the physical page at the limit, which nothing maps.
    The access then ends as an unmapped one, reported with the address the guest used.
    """

    def __init__(self, uc: Uc, limit: int, page_size: int) -> None:
        self.page_size = page_size
        self.space = _UserSpace(limit, 0)
        uc.ctl_set_tlb_mode(UC_TLB_VIRTUAL)
        self._hook: int | ctypes.c_size_t  # the Python hook's handle, or the C hook's
        lib = build.load()
        if lib is None:
            self._hook = uc.hook_add(UC_HOOK_TLB_FILL, self._fill)
            return
        handle = ctypes.c_size_t()
        status = uc_binding.uclib.uc_hook_add(
            uc._uch,  # noqa: SLF001 - the binding offers no other way to pass a C callback
            ctypes.byref(handle),
            UC_HOOK_TLB_FILL,
            ctypes.cast(lib.bc_tlb_fill, ctypes.c_void_p),
            ctypes.cast(ctypes.pointer(self.space), ctypes.c_void_p),
            ctypes.c_uint64(1),
            ctypes.c_uint64(0),
        )
        if status != 0:
            raise UcError(status)
        self._hook = handle

    def _fill(self, uc: Uc, address: int, access: int, entry: Any, _user: object) -> bool:
        if address >= self.space.limit:
            self.space.refused = address
            address = self.space.limit
        entry.paddr = address
        entry.perms = UC_PROT_ALL
        return True

    def guest_address(self, address: int) -> int:
        """The address the guest used, for an unmapped access the engine reports at `address`."""
        limit = self.space.limit
        if limit <= address < limit + self.page_size:
            return self.space.refused + address - limit
        return address
