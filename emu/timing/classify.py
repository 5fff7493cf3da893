"""Instruction classification: a capstone instruction -> a timing class and its dataflow.

The rules are data (timing/classes.toml in each arch folder): exact mnemonics, then glob
patterns in file order, then capstone groups. What matches nothing is
"unclassified" and counted as such in every report, never silently priced.
"""

from __future__ import annotations

import fnmatch
import functools
import tomllib
from dataclasses import dataclass
from typing import Any

import capstone

from emu import arch as arches

UNCLASSIFIED = "unclassified"
PREDICTED = frozenset({"branch", "branch_indirect", "call", "ret"})  # branches: predicted, not waited for
OP_REG, OP_IMM, OP_MEM = 1, 2, 3  # capstone operand types shared by x86/arm/ppc/riscv


@dataclass(frozen=True)
class Decoded:
    """One instruction as the scoreboard sees it."""

    address: int
    mnemonic: str
    cls: str
    reads: frozenset[str]
    writes: frozenset[str]
    address_writes: frozenset[str] = frozenset()  # base registers an update form writes back
    addresses: frozenset[str] = frozenset()  # registers that form a memory address

    @property
    def accumulators(self) -> frozenset[str]:
        """Registers read and written that are no address (an accumulator, a folded load's register
        operand): a class with `read_advance` reads them that many cycles after it starts."""
        return (self.reads & self.writes) - self.addresses

    @property
    def data_reads(self) -> frozenset[str]:
        """Registers read that are no address (a store's data)."""
        return self.reads - self.addresses


class Classifier:
    """Applies one classes file to capstone instructions."""

    def __init__(self, rules: dict[str, Any]) -> None:
        self.rules = rules
        self.exact: dict[str, str] = {}
        self.patterns: list[tuple[str, str]] = []
        for cls, names in rules["classes"].items():
            for name in names:
                if any(c in name for c in "*?["):
                    self.patterns.append((name, cls))
                else:
                    self.exact.setdefault(name, cls)
        self.groups: dict[str, str] = rules.get("groups", {})
        self.ignore = set(rules.get("ignore_registers", []))
        self.alias = {sub: full for full, subs in rules.get("register_aliases", {}).items() for sub in subs}
        self.conditions = rules.get("conditions", [])
        self.suffixes = rules.get("strip_suffixes", [])

    def _match(self, mnemonic: str) -> str | None:
        if mnemonic in self.exact:
            return self.exact[mnemonic]
        return next((cls for pattern, cls in self.patterns if fnmatch.fnmatchcase(mnemonic, pattern)), None)

    def _candidates(self, mnemonic: str) -> list[str]:
        """The mnemonic, then without a condition code, then without a flag-setting suffix."""
        names = [mnemonic]
        for cond in self.conditions:
            if mnemonic.endswith(cond) and len(mnemonic) > len(cond):
                names.append(mnemonic[: -len(cond)])
        for name in list(names):
            names += [name[: -len(s)] for s in self.suffixes if name.endswith(s) and len(name) > len(s)]
        return names

    def classify(self, insn: capstone.CsInsn) -> str:
        cls = next((c for c in map(self._match, self._candidates(insn.mnemonic)) if c), None)
        if cls is None:
            cls = next(
                (self.groups[insn.group_name(g)] for g in insn.groups if insn.group_name(g) in self.groups),
                UNCLASSIFIED,
            )
        return self._indexed_form(insn, self._shifted_form(insn, self._memory_form(insn, cls)))

    def _shifted_form(self, insn: capstone.CsInsn, cls: str) -> str:
        """ARM: an ALU op whose register operand goes through the shifter is a slower class."""
        shifted = self.rules.get("shifted_operand", {})
        if cls not in shifted:
            return cls
        if any(op.type == OP_REG and getattr(op, "shift", None) and op.shift.type for op in insn.operands):
            return shifted[cls]
        return cls

    def _indexed_form(self, insn: capstone.CsInsn, cls: str) -> str:
        """AArch64: a load/store with a register offset (`ldr x3, [x4, x3, lsl #3]`) adds an
        integer uop for the address (LLVM's A57 WriteLDIdx/WriteSTIdx): a class of its own."""
        indexed = self.rules.get("indexed_form", {})
        if cls in indexed and any(op.type == OP_MEM and getattr(op.mem, "index", 0) for op in insn.operands):
            return str(indexed[cls])
        return cls

    def _memory_form(self, insn: capstone.CsInsn, cls: str) -> str:
        """x86-style operands: a class with a memory operand is priced as a load/store form."""
        indirect = self.rules.get("indirect", {})
        if insn.mnemonic in indirect and insn.operands and insn.operands[0].type in (OP_REG, OP_MEM):
            return indirect[insn.mnemonic]
        forms = self.rules.get("memory", {})
        form = forms.get(insn.mnemonic) or forms.get(cls)
        if not form:
            return cls
        mems = [op for op in insn.operands if op.type == OP_MEM]
        if not mems:
            return cls
        written = any(getattr(op, "access", 0) & capstone.CS_AC_WRITE for op in mems)
        return form["write" if written else "read"]

    def _name(self, insn: capstone.CsInsn, reg: int) -> str | None:
        if not reg:
            return None
        name = insn.reg_name(reg)
        if not name or name in self.ignore:
            return None
        return self.alias.get(name, name)

    def dataflow(
        self, insn: capstone.CsInsn, cls: str
    ) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
        """(registers read, registers written, base registers written back by an update form)."""
        if self.rules.get("dataflow") == "capstone":
            read, written = insn.regs_access()
            read = read + self._conditional_reads(insn, cls, written)
            written, updated = self._base_writeback(insn, cls, written)
        else:
            read, written, updated = self._operand_dataflow(insn, cls)
        names = functools.partial(self._names, insn)
        return names(read), names(written), names(updated)

    def _conditional_reads(self, insn: capstone.CsInsn, cls: str, written: list[int]) -> list[int]:
        """A predicated non-branch instruction (ARM `movlt`) waits for the flags, and for its
        destinations: when the condition fails they keep their old value."""
        flags = self.rules.get("condition_register")
        code = getattr(insn, "cc", None)  # capstone's condition code, on ISAs that predicate
        if not flags or cls in PREDICTED or code is None or code in self.rules["unconditional_codes"]:
            return []
        return [_reg_id(insn, flags), *written]

    def _base_writeback(
        self, insn: capstone.CsInsn, cls: str, written: list[int]
    ) -> tuple[list[int], list[int]]:
        """(registers written, base registers written back): a post/pre-indexed access (`ldr r3,
        [r1], #4`, `ldm r1!`) or push/pop's stack pointer is written by an address uop, not by the
        memory access, so the base must not get the load's latency (a false loop-carried chain)."""
        if cls not in self.rules.get("writes_base", []):
            return written, []
        bases = set(insn.regs_read) & set(insn.regs_write)  # implicit: push/pop/call/ret's stack pointer
        if getattr(insn, "writeback", False):
            bases |= {op.mem.base for op in insn.operands if op.type == OP_MEM}
            if insn.operands and insn.operands[0].type == OP_REG and cls in self.rules.get("base_first", []):
                bases.add(insn.operands[0].reg)  # ldm r1!, {...}
        updated = [r for r in written if r in bases]
        return [r for r in written if r not in bases], updated

    def _names(self, insn: capstone.CsInsn, regs: list[int]) -> frozenset[str]:
        return frozenset(n for n in (self._name(insn, r) for r in regs) if n)

    def _operand_dataflow(self, insn: capstone.CsInsn, cls: str) -> tuple[list[int], list[int], list[int]]:
        read, written, updated = (
            self._implicit(insn, insn.regs_read),
            self._implicit(insn, insn.regs_write),
            [],
        )
        first = True
        for op in insn.operands:
            if op.type == OP_REG:
                (written if first and cls not in self.rules.get("no_dest", []) else read).append(op.reg)
                if first and insn.mnemonic in self.rules.get("destination_read", []):
                    read.append(op.reg)  # a two-operand form (RVC's c.addi rd, imm: rd = rd + imm)
                first = False
            elif op.type == OP_MEM:
                read += [r for r in (op.mem.base, getattr(op.mem, "index", 0)) if r]
                if cls in self.rules.get("writes_base", []) and op.mem.base:
                    updated.append(op.mem.base)
        record = self.rules.get("record_register")
        if record and (insn.mnemonic.endswith(".") or cls in self.rules.get("record_classes", [])):
            written.append(self._record_id(insn, record))
        return read, written, updated

    def _implicit(self, insn: capstone.CsInsn, regs: list[int]) -> list[int]:
        """capstone's implicit registers, without those `implicit_only` keeps for other mnemonics."""
        only = self.rules.get("implicit_only", {})
        return [
            r
            for r in regs
            if insn.reg_name(r) not in only
            or any(fnmatch.fnmatchcase(insn.mnemonic, pattern) for pattern in only[insn.reg_name(r)])
        ]

    def _record_id(self, insn: capstone.CsInsn, name: str) -> int:
        if not hasattr(self, "_record"):
            self._record = _reg_id(insn, name)
        return self._record

    def branch_targets(self, insn: capstone.CsInsn) -> list[int]:
        """The addresses a branch's immediate operands name: capstone gives x86/ARM/PPC targets
        absolutely and RISC-V's as an offset from the branch (`branch_offsets = "relative"`)."""
        base = insn.address if self.rules.get("branch_offsets") == "relative" else 0
        return [base + op.imm for op in insn.operands if op.type == OP_IMM]

    def decode(self, insn: capstone.CsInsn) -> Decoded:
        cls = self.classify(insn)
        reads, writes, updated = self.dataflow(insn, cls)
        addresses = self._names(insn, self._address_registers(insn))
        return Decoded(insn.address, insn.mnemonic, cls, reads, writes, updated, addresses)

    def _address_registers(self, insn: capstone.CsInsn) -> list[int]:
        mems = [op.mem for op in insn.operands if op.type == OP_MEM]
        return [r for mem in mems for r in (mem.base, getattr(mem, "index", 0)) if r]


def _reg_id(insn: capstone.CsInsn, name: str) -> int:
    """A register id by name, for the current capstone arch (used for PPC's cr0)."""
    for reg in range(1, 512):
        if insn.reg_name(reg) == name:
            return reg
    return 0


@functools.cache
def classifier_for(arch_name: str) -> Classifier:
    path = arches.get(arch_name).file("timing/classes.toml")
    return Classifier(tomllib.loads(path.read_text()))
