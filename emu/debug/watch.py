"""`--watch ADDR|SYMBOL[:LEN]`: every write to a range, and the LL/SC reservations on it.

    watch m [0x10020000+4] T1000 0x10000298 <atomicor8+0x8> `stbcx. 5, 0, 3` wrote 1 byte at +1
      before 01 01 01 01
      after  01 f1 01 01
                ^^

Unicorn's write hook fires before the store lands, with the value as the CPU
holds it, so the "after" dump is the "before" dump with that value laid into it
in the arch's byte order: that is exactly the picture that shows a big-endian
word store landing on the wrong byte.

Every store that *overlaps* the range is reported, whatever its width, alignment
or kind (store-conditional, locked read-modify-write, one element of a `rep
stos`): unicorn matches a hook's range against the first byte of an access only,
so the hooks start MAX_ACCESS_BYTES - 1 below the range and `_overlap` keeps the
accesses that reach into it. A word store covering a watched byte starts before
it, and is exactly the store a word-sized atomicor8 makes.

Reservations are modelled from the outside, because unicorn keeps its monitor
private: a load-reserve (lwarx, ldrexb, ... from the arch's [memory_model]) reading a watched
range *takes* one for its thread; a store-conditional that then stores *keeps*
it; it is *lost* when another thread writes the range first, or when the same
thread takes a new one without having stored (its store-conditional failed).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, TextIO

import unicorn

from emu.debug.common import Decoder, hexdump, parse_range, where

if TYPE_CHECKING:
    from emu.image import Image
    from emu.machine import Machine
    from emu.sched import Thread

# More than the widest single access a memory hook sees: unicorn reports a 16-byte vector store,
# a `rep stos` or an `stm` as several accesses of at most 8 bytes each.
MAX_ACCESS_BYTES = 64


@dataclass
class Watch:
    label: str
    start: int
    end: int

    def overlaps(self, address: int, size: int) -> bool:
        return address < self.end and self.start < address + size

    def offset(self, address: int) -> str:
        """`+0x1`, or `-0x3` for an access that starts below the range."""
        return f"{address - self.start:+#x}"


@dataclass
class Reservation:
    watch: Watch
    address: int
    size: int
    pc: int


def parse_watch(text: str, image: Image, word_size: int) -> Watch:
    """`m`, `m:4`, `0x1000:16`, `0x1000-0x1010`; a bare address watches one word."""
    bare_address = text.strip() not in image.symbols and ":" not in text and "-" not in text
    start, end = parse_range(text, image, default_len=word_size if bare_address else None)
    return Watch(text.strip(), start, end)


class Watcher:
    """Attach with `Watcher(machine, stream, watches).install()`."""

    def __init__(self, machine: Machine, stream: TextIO, watches: list[Watch]) -> None:
        self.machine, self.stream, self.watches = machine, stream, watches
        self.decoder = Decoder(machine)
        atomics = machine.arch.memory_model
        self.load_reserve = set(atomics.load_reserve)
        self.store_conditional = set(atomics.store_conditional)
        self.reservations: dict[int, Reservation] = {}  # by thread id
        self.events = 0

    def install(self) -> Watcher:
        uc = self.machine.uc
        for watch in self.watches:
            first = max(0, watch.start - MAX_ACCESS_BYTES + 1)
            uc.hook_add(unicorn.UC_HOOK_MEM_WRITE, self._on_write, watch, first, watch.end - 1)
            if self.load_reserve:
                uc.hook_add(unicorn.UC_HOOK_MEM_READ, self._on_read, watch, first, watch.end - 1)
        self.machine.attachments.append(self)
        return self

    def after_slice(self, thread: Thread) -> None:
        """Nothing to flush: every event is printed from inside its hook."""

    # ---- hooks --------------------------------------------------------------------------

    def _on_read(self, uc, access, address: int, size: int, value: int, watch: Watch) -> None:
        if not watch.overlaps(address, size):
            return
        pc = self.machine.regs[self.machine.arch.pc]
        insn = self.decoder.at(pc)
        if insn.mnemonic not in self.load_reserve:
            return
        tid = self.machine.running.tid
        old = self.reservations.get(tid)
        if old is not None:
            self._say(
                watch,
                f"T{tid} reservation at {watch.offset(old.address)} lost "
                f"(the store-conditional failed; retrying)",
            )
        self.reservations[tid] = Reservation(watch, address, size, pc)
        self._say(
            watch,
            f"T{tid} {where(self.machine.image, pc)} `{insn.text}` "
            f"reservation taken on {size} byte(s) at {watch.offset(address)}",
        )

    def _on_write(self, uc, access, address: int, size: int, value: int, watch: Watch) -> None:
        if not watch.overlaps(address, size):
            return
        pc = self.machine.regs[self.machine.arch.pc]
        insn = self.decoder.at(pc)
        tid = self.machine.running.tid
        before = self.machine.memory.read(watch.start, watch.end - watch.start)
        after = self._apply(before, watch, address, size, value)
        changed = {i for i in range(len(before)) if before[i] != after[i]}
        touched = f"wrote {size} byte(s) at {watch.offset(address)}"
        self._say(watch, f"T{tid} {where(self.machine.image, pc)} `{insn.text}` {touched}")
        old_hex, _ = hexdump(before)
        new_hex, marks = hexdump(after, changed)
        self.stream.write(f"  before {old_hex}\n  after  {new_hex}\n")
        if marks:
            self.stream.write(f"         {marks}\n")
        self._reservations_on_write(watch, tid, insn.mnemonic, address, size)

    def _reservations_on_write(self, watch: Watch, tid: int, mnemonic: str, address: int, size: int) -> None:
        if mnemonic in self.store_conditional and tid in self.reservations:
            held = self.reservations.pop(tid)
            self._say(watch, f"T{tid} reservation at {watch.offset(held.address)} kept: {mnemonic} stored")
        for other, held in list(self.reservations.items()):
            overlaps = held.address < address + size and address < held.address + held.size
            if other != tid and overlaps:
                del self.reservations[other]
                self._say(
                    watch, f"T{other} reservation at {watch.offset(held.address)} lost: T{tid} wrote it"
                )

    def _apply(self, before: bytes, watch: Watch, address: int, size: int, value: int) -> bytes:
        """The range after a store of `value` (the CPU's view) in the arch's byte order."""
        data = (value & ((1 << (8 * size)) - 1)).to_bytes(size, self.machine.arch.byteorder)
        out = bytearray(before)
        for i, byte in enumerate(data):
            offset = address + i - watch.start
            if 0 <= offset < len(out):
                out[offset] = byte
        return bytes(out)

    def _say(self, watch: Watch, text: str) -> None:
        self.events += 1
        self.stream.write(f"watch {watch.label} [{watch.start:#x}+{watch.end - watch.start}] {text}\n")
