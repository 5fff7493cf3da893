"""Fault rules: how a CPU event becomes the signal Linux would send, from `[faults]` arch data.

Unicorn runs the guest as a kernel would run itself (x86 ring 0, PowerPC
supervisor state) and knows nothing of Linux's trap handlers, so a few answers
differ from a real process: privileged instructions run, `int N` looks like
exception N, a jump beyond the user address space aliases low memory, and some
undefined instructions are Linux breakpoints. `FaultRules` holds those facts per
arch; the machine asks it

- once per newly translated block (`forbidden_in`): the first instruction the
  block must not run, so the hot path pays nothing for blocks already seen;
- when the engine raises an interrupt or an invalid instruction (`interrupt`,
  `invalid_instruction`): which signal, why, and at which pc.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from unicorn import UcError

if TYPE_CHECKING:
    from collections.abc import Callable

    from emu.arch import Arch
    from emu.native.blocks import Block


@dataclass(frozen=True)
class Verdict:
    """A signal for the guest: name, reason for the report, and the pc it is charged to."""

    signal_name: str
    reason: str
    pc: int


def _encoding_matches(rules: list[dict[str, int]], word: int) -> dict[str, Any] | None:
    return next((rule for rule in rules if word & rule["mask"] == rule["match"]), None)


class FaultRules:
    """The `[faults]` and `[interrupts]` tables of one arch, ready to query."""

    def __init__(self, arch: Arch) -> None:
        self.arch = arch
        data = arch.faults
        privileged = data.get("privileged", {})
        self._privileged = privileged
        self._mnemonics = frozenset(privileged.get("mnemonics", ()))
        self._registers = frozenset(privileged.get("registers", ()))
        self._encodings = privileged.get("encodings", [])
        self._allowed = privileged.get("allowed", [])
        bits = data.get("address_bits")
        self._address_limit = 1 << bits if bits else None
        self._software = data.get("software_interrupt")
        self._breakpoints = [(bytes.fromhex(b["bytes"]), b["thumb"]) for b in data.get("breakpoints", [])]

    @property
    def checks_blocks(self) -> bool:
        """Whether new blocks need a look at all (not on arches whose engine already refuses)."""
        return bool(self._privileged) or self._address_limit is not None

    # ---- new blocks ---------------------------------------------------------------------

    def forbidden_in(self, block: Block) -> Verdict | None:
        """The first thing in a freshly translated block that Linux would not let run."""
        if self._address_limit is not None and block.address >= self._address_limit:
            return Verdict("SIGSEGV", "execution of a non-user address", block.address)
        if not self._privileged:
            return None
        for insn in block.insns:
            if self._is_privileged(insn):
                return Verdict(self._privileged["signal"], self._privileged["reason"], insn.address)
        return None

    def _is_privileged(self, insn: Any) -> bool:
        if insn.mnemonic in self._mnemonics:
            return True
        if self._registers and any(
            insn.reg_name(op.reg) in self._registers for op in _register_operands(insn)
        ):
            return True
        if self._encodings and insn.size == 4:
            word = self.arch.unpack(bytes(insn.bytes))
            return _encoding_matches(self._encodings, word) is not None and not _encoding_matches(
                self._allowed, word
            )
        return False

    # ---- engine events ------------------------------------------------------------------

    def interrupt(self, intno: int, pc: int, read: Callable[[int, int], bytes]) -> Verdict:
        """The signal for interrupt `intno` raised with the engine's pc at `pc`."""
        software = self._software_interrupt(intno, pc, read)
        if software is not None:
            return software
        info = self.arch.interrupts.get(intno, {"signal": "SIGILL", "pc_adjust": 0})
        return Verdict(info["signal"], info.get("reason", f"CPU exception {intno}"), pc + info["pc_adjust"])

    def _software_interrupt(self, intno: int, pc: int, read: Callable[[int, int], bytes]) -> Verdict | None:
        """`int N` for a vector user code may not raise: #GP at the int instruction."""
        rule = self._software
        if rule is None or intno in rule["user_vectors"]:
            return None
        opcode = bytes.fromhex(rule["opcode"])
        start = pc - len(opcode) - 1
        try:
            raised_by_int = read(start, len(opcode) + 1) == opcode + bytes([intno & 0xFF])
        except UcError:  # unreadable code: not an int instruction
            return None
        if not raised_by_int or intno > 0xFF:
            return None
        return Verdict(rule["signal"], f"{rule['reason']}, vector {intno:#x}", start)

    def invalid_instruction(self, pc: int, thumb: bool, read: Callable[[int, int], bytes]) -> Verdict:
        """An undefined instruction: SIGILL, unless Linux reserves it as a breakpoint."""
        for pattern, in_thumb in self._breakpoints:
            if in_thumb != thumb:
                continue
            try:
                if read(pc, len(pattern)) == pattern:
                    return Verdict("SIGTRAP", "breakpoint", pc)
            except UcError:  # unreadable code: no breakpoint there
                continue
        return Verdict("SIGILL", "invalid instruction", pc)


def _register_operands(insn: Any) -> list[Any]:
    """Register operands of a capstone instruction (empty when capstone has no details for it)."""
    try:
        return [op for op in insn.operands if op.type == 1]  # CS_OP_REG in every capstone arch
    except Exception:  # noqa: BLE001 - capstone raises for instructions without details
        return []
