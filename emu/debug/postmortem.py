"""`--postmortem[=N]`: what the dying thread was doing, printed when a run fails.

On a fault: the faulting thread's registers, its last N instructions and a
best-effort backtrace; on a deadlock: registers and backtrace of every blocked
thread. The instruction history is kept cheaply: one unicorn *block* hook
appends (thread, block start, block size) to a bounded deque, and only when a
report is printed are the blocks decoded back into instructions (the last one
cut at the faulting pc). A per-instruction hook would cost several times more.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from typing import TYPE_CHECKING, TextIO

import unicorn
from unicorn import UcError

from emu.debug.common import Decoder, Insn, ThreadRegisters, where

if TYPE_CHECKING:
    from emu.machine import Machine

MAX_FRAMES = 16


class PostMortem:
    """Attach with `PostMortem(machine, stream, n).install()`; call `report()` when the run fails."""

    def __init__(self, machine: Machine, stream: TextIO, last: int = 16) -> None:
        self.machine, self.stream, self.last = machine, stream, last
        self.blocks: deque[tuple[int, int, int, bool]] = deque(maxlen=max(4, last))
        self.decoder = Decoder(machine)

    def install(self) -> PostMortem:
        self.machine.uc.hook_add(unicorn.UC_HOOK_BLOCK, self._on_block)
        self.machine.attachments.append(self)
        return self

    def _on_block(self, uc, address: int, size: int, _user) -> None:
        alt = self.machine.in_alt_mode()
        self.blocks.append((self.machine.running.tid, address, size, alt))

    def after_slice(self, thread) -> None:
        """History is recorded by the block hook; nothing to do between slices."""

    # ---- the report ------------------------------------------------------------------------

    def report(self) -> None:
        machine = self.machine
        fault = machine.stop.fault
        if fault is not None and machine.current is not None:
            self.stream.write(
                f"--- post-mortem: thread {machine.current.tid}, {fault.signal_name} "
                f"at {where(machine.image, fault.pc)}\n"
            )
            self._thread(machine.current, fault.pc, history=True)
            return
        blocked = [t for t in machine.threads if t.alive]
        self.stream.write(f"--- post-mortem: {len(blocked)} live thread(s)\n")
        for thread in blocked:
            wait = getattr(thread, "wait", None)
            pc = wait.pc if wait is not None else ThreadRegisters(machine, thread)[machine.arch.pc]
            self.stream.write(f"thread {thread.tid}:\n")
            self._thread(thread, pc, history=True)

    def _thread(self, thread, pc: int, history: bool) -> None:
        regs = ThreadRegisters(self.machine, thread)
        self.stream.write(self.registers(regs))
        if history:
            insns = self.history(thread.tid, pc)
            self.stream.write(f"last {len(insns)} instruction(s):\n")
            for insn in insns:
                marker = "=>" if insn.address == pc else "  "
                self.stream.write(f" {marker} {where(self.machine.image, insn.address)}  {insn.text}\n")
        self.stream.write("backtrace (best effort):\n")
        for depth, address in enumerate(self.backtrace(regs, pc)):
            self.stream.write(f"  #{depth} {where(self.machine.image, address)}\n")

    def registers(self, regs: ThreadRegisters) -> str:
        names = self.machine.arch.registers.general
        width = self.machine.arch.bits // 4
        cells = [f"{name:>5} {regs[name]:0{width}x}" for name in names]
        per_line = 4 if width > 8 else 6
        rows = [" ".join(cells[i : i + per_line]) for i in range(0, len(cells), per_line)]
        return "".join(f"  {row}\n" for row in rows)

    def history(self, tid: int, pc: int) -> list[Insn]:
        """The thread's last instructions, decoded from the block ring; the last block ends at pc."""
        mine = [block for block in self.blocks if block[0] == tid]
        insns: list[Insn] = []
        for index, (_, start, size, alt) in enumerate(mine):
            for insn in self.decoder.block(start, size, alt):
                insns.append(insn)
                if index == len(mine) - 1 and insn.address == pc:
                    break
        return insns[-self.last :]

    # ---- backtrace --------------------------------------------------------------------------

    def backtrace(self, regs: ThreadRegisters, pc: int) -> list[int]:
        """pc, then the link register (leaf functions), then the frame chain, while they look like code."""
        frames = [pc]
        layout = self.machine.arch.frames
        if layout.link:
            self._push(frames, regs[layout.link])
        for address in self._frame_chain(regs):
            if not self._push(frames, address) or len(frames) >= MAX_FRAMES:
                break
        return frames

    def _push(self, frames: list[int], address: int) -> bool:
        if not self._is_code(address):
            return False
        if address != frames[-1]:
            frames.append(address)
        return True

    def _is_code(self, address: int) -> bool:
        mapping = self.machine.memory.find(address)
        return mapping is not None and bool(mapping.prot & 4)

    def _word(self, address: int) -> int | None:
        try:
            return self.machine.arch.unpack(self.machine.memory.read(address, self.machine.arch.word_size))
        except UcError:
            return None

    def _frame_chain(self, regs: ThreadRegisters) -> Iterator[int]:
        """Return addresses up the frame chain, laid out as the arch's [frames] table says.

        A leaf's return address first where the call left it at sp (x86); then from the
        frame register: the caller's frame is the word at frame + previous_offset, the
        return address the word at (this or the caller's frame) + return_offset. A chain
        that does not move strictly up the stack ends.
        """
        layout = self.machine.arch.frames
        if layout.return_on_stack_top:
            top = self._word(regs[self.machine.arch.sp])
            if top is not None and self._is_code(top):
                yield top
        frame = regs[layout.frame]
        for _ in range(MAX_FRAMES):
            caller = self._word(frame + layout.previous_offset)
            if not caller or caller <= frame:
                return
            saved = self._word((caller if layout.return_from == "caller" else frame) + layout.return_offset)
            if saved is None:
                return
            yield saved
            frame = caller
