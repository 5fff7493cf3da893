"""What each instruction-set family needs beyond "substitute symbols, encode".

An arch data file names its dialect (`[asm] dialect = "ppc"`); the keystone
back end hands every instruction to that dialect. Each one rewrites the
constructs keystone gets wrong for its family — PPC `@ha/@l` pieces, ARM
literal pools / `adr` / `:lower16:`, x86-64 RIP-relative displacements and the
Intel-syntax readings where GNU as and keystone disagree — and then calls the
back end's generic `encode`.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from emu.asm import sections as sec
from emu.asm.expr import ExprError, symbols_in
from emu.asm.source import split_operands

if TYPE_CHECKING:
    from emu.asm.keystone_backend import Item, KeystoneAssembler


class Dialect:
    """The default: symbols become numbers, keystone encodes."""

    def __init__(self, asm: KeystoneAssembler) -> None:
        self.asm = asm

    def instruction(self, item: Item, address: int, literals: list[Item]) -> bytes:
        return self.asm.encode(item, self.rewrite(item, item.text, address), address)

    def rewrite(self, item: Item, text: str, address: int) -> str:
        return self.asm.symbolic(item, text, address)

    def pool(self, item: Item, address: int, literals: list[Item]) -> bytes:
        raise item.st.error(f"'{item.st.op}' is only valid on targets with literal pools")


# ---- PowerPC -------------------------------------------------------------------------------

PPC_PIECES = {
    "l": lambda v: v & 0xFFFF,
    "h": lambda v: (v >> 16) & 0xFFFF,
    "ha": lambda v: ((v + 0x8000) >> 16) & 0xFFFF,
    "higher": lambda v: (v >> 32) & 0xFFFF,
    "highera": lambda v: ((v + 0x8000) >> 32) & 0xFFFF,
    "highest": lambda v: (v >> 48) & 0xFFFF,
    "highesta": lambda v: ((v + 0x8000) >> 48) & 0xFFFF,
}
PPC_UNSIGNED_IMMEDIATE = {"ori", "oris", "xori", "xoris", "andi.", "andis."}
PPC_PIECE = re.compile(
    r"(\([^()]*\)|[A-Za-z_.$][\w.$\u00b7]*|\d\w*)@(highesta|highest|highera|higher|ha|h|l)\b"
)


class PpcDialect(Dialect):
    """`sym@ha` and friends: keystone silently encodes the low 16 bits of a label."""

    def rewrite(self, item: Item, text: str, address: int) -> str:
        text = PPC_PIECE.sub(lambda m: self._piece(item, m, address), text)
        return super().rewrite(item, text, address)

    def _piece(self, item: Item, match: re.Match, address: int) -> str:
        value = PPC_PIECES[match.group(2)](self.asm.evaluate(item, match.group(1), address))
        if item.st.op.lower() not in PPC_UNSIGNED_IMMEDIATE and value >= 0x8000:
            value -= 0x10000  # addi/lis/ld take a signed field; GNU as accepts either reading
        return str(value)


# ---- ARM -----------------------------------------------------------------------------------

ARM_HALF = re.compile(r"#:(lower16|upper16):([^,\]]+)")
LDR_LITERAL = re.compile(r"^\s*(\w+)\s*,\s*=\s*(.+)$")


class ArmDialect(Dialect):
    """Literal pools as GNU as builds them, pc-relative `adr`/`ldr label`, `:lower16:`."""

    def instruction(self, item: Item, address: int, literals: list[Item]) -> bytes:
        literal = LDR_LITERAL.match(item.st.args) if item.st.op.lower() == "ldr" else None
        if literal:
            return self._ldr_literal(item, address, literal, literals)
        return super().instruction(item, address, literals)

    def rewrite(self, item: Item, text: str, address: int) -> str:
        text = ARM_HALF.sub(lambda m: self._half(item, m, address), text)
        return super().rewrite(item, self._pc_relative(item, text, address), address)

    def _half(self, item: Item, match: re.Match, address: int) -> str:
        value = self.asm.evaluate(item, match.group(2), address) & 0xFFFFFFFF
        return f"#{(value & 0xFFFF) if match.group(1) == 'lower16' else value >> 16:#x}"

    @staticmethod
    def _pc(item: Item, address: int) -> int:
        return ((address + 4) & ~3) if item.mode == "thumb" else address + 8

    def _pc_relative(self, item: Item, text: str, address: int) -> str:
        """`adr rX, label` and `ldr rX, label`: keystone rejects or misplaces them."""
        op = item.st.op.lower()
        operands = split_operands(item.st.args)
        if op not in ("adr", "ldr") or len(operands) != 2 or operands[1].startswith(("[", "=")):
            return text
        offset = self.asm.evaluate(item, operands[1], address) - self._pc(item, address)
        if op == "ldr":
            return f"ldr {operands[0]}, [pc, #{offset}]"
        return f"{'add' if offset >= 0 else 'sub'} {operands[0]}, pc, #{abs(offset):#x}"

    def _ldr_literal(self, item: Item, address: int, match: re.Match, literals: list[Item]) -> bytes:
        """`ldr rX, =value`: mov/mvn when the constant fits (GNU's rule), else a pool slot."""
        register, expr = match.group(1), match.group(2).strip()
        if not any(name != "." for name in _symbols(expr)):
            value = self.asm.evaluate(item, expr, address) & 0xFFFFFFFF
            for op, operand in (("mov", value), ("mvn", ~value & 0xFFFFFFFF)):
                if _arm_immediate(operand):
                    return self.asm.encode(item, f"{op} {register}, #{operand:#x}", address)
        item.literal = expr
        literals.append(item)
        offset = self.asm.previous.get(_literal_key(item), address + 8) - self._pc(item, address)
        if self.asm.final and not -4095 <= offset <= 4095:
            raise item.st.error("literal pool out of reach: add a .ltorg closer to this ldr")
        return self.asm.encode(item, f"ldr {register}, [pc, #{offset}]", address)

    def pool(self, item: Item, address: int, literals: list[Item]) -> bytes:
        """The pending literals, deduplicated, word-aligned, at `.ltorg` or the section end."""
        if not literals:
            return b""
        data = bytearray(sec.align_up(address, 4) - address)
        slots: dict[str, int] = {}
        for literal in literals:
            key = literal.literal
            if key not in slots:
                slots[key] = address + len(data)
                data += self.asm.arch.pack(self.asm.evaluate(literal, key, address), 4)
            self.asm.symbols[_literal_key(literal)] = slots[key]
        literals.clear()
        return bytes(data)


def _literal_key(item: Item) -> str:
    return f"__emu_literal_{item.st.filename}_{item.st.line}_{id(item)}"


def _symbols(expr: str) -> list[str]:
    try:
        return symbols_in(expr)
    except ExprError:
        return ["?"]


def _arm_immediate(value: int) -> bool:
    """True if `value` is an ARM modified immediate (8 bits rotated right by 2n)."""
    return any(((value << r) | (value >> (32 - r))) & 0xFFFFFFFF <= 0xFF for r in range(0, 32, 2))


# ---- AArch64 -------------------------------------------------------------------------------

A64_LO12 = re.compile(r"#?:lo12:([^,\]]+)")
A64_REGISTER = re.compile(r"^([wx])(\d+|zr)$|^(sp|wsp)$", re.I)
A64_LSE_ORDER = {"": 0, "a": 2, "l": 1, "al": 3}  # acquire, release bits
A64_LSE_SIZE = {"b": 0, "h": 1}  # byte and halfword forms; otherwise the register width decides (w: 2, x: 3)
A64_LDOP = {"ldadd": 0, "ldclr": 1, "ldeor": 2, "ldset": 3, "swp": 8}  # opc, or 8 for SWP's o3
A64_LSE = re.compile(r"^(cas|ldadd|ldclr|ldeor|ldset|swp)(al|a|l|)(b|h|)$")


class Arm64Dialect(Dialect):
    """What keystone 0.9.2 gets wrong for AArch64: `adr`/`adrp` targets (it encodes a wrong
    offset), `:lo12:` pieces (unknown to it), and `udf` and the ARMv8.1 LSE atomics (cas, swp,
    ld<op>: not in its instruction tables), which are encoded here from the Arm ARM's field layout."""

    def instruction(self, item: Item, address: int, literals: list[Item]) -> bytes:
        op = item.st.op.lower()
        lse = A64_LSE.match(op)
        operands = split_operands(item.st.args)
        if op in ("adr", "adrp") and len(operands) == 2:
            return self._adr(item, op, operands, address)
        if lse and len(operands) == 3:
            return self._lse(item, lse, operands)
        if op == "udf" and len(operands) == 1:  # permanently undefined: the immediate is the word
            return self.asm.arch.pack(self.asm.evaluate(item, operands[0].lstrip("#"), address) & 0xFFFF, 4)
        return super().instruction(item, address, literals)

    def rewrite(self, item: Item, text: str, address: int) -> str:
        text = A64_LO12.sub(lambda m: f"#{self.asm.evaluate(item, m.group(1), address) & 0xFFF:#x}", text)
        return super().rewrite(item, text, address)

    def _adr(self, item: Item, op: str, operands: list[str], address: int) -> bytes:
        target = self.asm.evaluate(item, operands[1].lstrip("#"), address)
        if op == "adrp":
            offset, base, limit = ((target & ~0xFFF) - (address & ~0xFFF)) >> 12, 0x90000000, 1 << 20
        else:
            offset, base, limit = target - address, 0x10000000, 1 << 20
        if self.asm.final and not -limit <= offset < limit:
            raise item.st.error(f"{op} target out of reach ({target:#x} from {address:#x})")
        offset &= (1 << 21) - 1
        word = base | (offset & 3) << 29 | (offset >> 2) << 5 | self._register(item, operands[0])[1]
        return self.asm.arch.pack(word, 4)

    def _lse(self, item: Item, match: re.Match, operands: list[str]) -> bytes:
        kind, order, size = match.groups()
        width, rs = self._register(item, operands[0])
        other, rt = self._register(item, operands[1])
        if other != width or (size and width != "w"):
            raise item.st.error(f"'{item.st.op}' takes {'two w' if size else 'two w or two x'} registers")
        address = operands[2].strip()
        if not (address.startswith("[") and address.endswith("]")):
            raise item.st.error(f"'{item.st.op}' takes [xN] as its address")
        _, rn = self._register(item, address[1:-1].strip().removesuffix(", #0").removesuffix(",#0"))
        size_bits = A64_LSE_SIZE[size] if size else (3 if width == "x" else 2)
        acquire, release = A64_LSE_ORDER[order] >> 1, A64_LSE_ORDER[order] & 1
        if kind == "cas":  # CAS: size 001000 1 L 1 Rs o0 11111 Rn Rt
            word = 0x08A07C00 | size_bits << 30 | acquire << 22 | rs << 16 | release << 15
        else:  # LD<op>/SWP: size 111000 A R 1 Rs o3 opc 00 Rn Rt
            opc = A64_LDOP[kind]
            word = 0x38200000 | size_bits << 30 | acquire << 23 | release << 22 | rs << 16 | opc << 12
        return self.asm.arch.pack(word | rn << 5 | rt, 4)

    @staticmethod
    def _register(item: Item, text: str) -> tuple[str, int]:
        """('w' or 'x', number) of a general register; sp and the zero register are 31."""
        match = A64_REGISTER.match(text.strip())
        if not match:
            raise item.st.error(f"'{text.strip()}' is not a general register")
        if match.group(3):
            return ("x" if match.group(3).lower() == "sp" else "w"), 31
        number = 31 if match.group(2).lower() == "zr" else int(match.group(2))
        if number > 30:
            raise item.st.error(f"no register {text.strip()}")
        return match.group(1).lower(), number


# ---- x86-64 --------------------------------------------------------------------------------

RIP_INTEL = re.compile(r"\brip\s*([+-])\s*([^\]]+)\]", re.I)
RIP_ATT = re.compile(r"([^\s,()]+)\(%rip\)")
INTEL_KEYWORDS = {
    "byte",
    "word",
    "dword",
    "fword",
    "qword",
    "tbyte",
    "oword",
    "xmmword",
    "ymmword",
    "zmmword",
    "ptr",
    "offset",
    "short",
    "near",
    "far",
    "flat",
}
IDENT = re.compile(r"(?<![\w.$\u00b7%])([A-Za-z_.$][\w.$\u00b7]*)")


class X86Dialect(Dialect):
    """RIP-relative displacements, and Intel-syntax operands GNU as reads differently."""

    def instruction(self, item: Item, address: int, literals: list[Item]) -> bytes:
        """Keystone measures RIP-relative displacements from the wrong place.

        Encode with a placeholder displacement to learn the length, then put the
        real `target - next_instruction` in.
        """
        text = item.text
        if item.syntax == "intel":
            self._check_keyword_labels(item)
        match = (RIP_ATT if item.syntax == "att" else RIP_INTEL).search(text)
        if not match:
            if item.syntax == "intel":
                self._check_ambiguity(item)
            return super().instruction(item, address, literals)
        expr = match.group(1) if item.syntax == "att" else match.group(1) + match.group(2)

        def with_disp(disp: int) -> str:
            if item.syntax == "att":
                return text[: match.start()] + f"{disp}(%rip)" + text[match.end() :]
            return text[: match.start()] + f"rip + {disp}]" + text[match.end() :]

        length = len(self.asm.encode(item, self.rewrite(item, with_disp(0x7FFF0000), address), address))
        target = self.asm.evaluate(item, expr.lstrip("+"), address)
        return self.asm.encode(
            item, self.rewrite(item, with_disp(target - (address + length)), address), address
        )

    def _check_keyword_labels(self, item: Item) -> None:
        """GNU as Intel syntax reads a label named `word` (etc.) as the size keyword."""
        for name in IDENT.findall(item.st.args):
            if name.lower() in INTEL_KEYWORDS and name in self.asm.label_names:
                raise item.st.error(
                    f"label '{name}' is an operand-size keyword in GNU as Intel syntax, "
                    "which would read it as the keyword: rename the label"
                )

    def _check_ambiguity(self, item: Item) -> None:
        """Refuse operands GNU as and keystone read differently in Intel syntax.

        GNU as reads a bare label operand (`mov rax, msg`) as a memory load and
        so reads a not-yet-defined `.equ` name; keystone reads both as
        immediates. Rather than pick one silently, say how to write it.
        """
        if item.st.op.lower().startswith(("j", "call", "loop")):
            return
        for operand in split_operands(item.st.args):
            name = operand.strip()
            if name in self.asm.label_names:
                raise item.st.error(
                    f"'{name}' is a label: write [{name}] (or [rip + {name}]) to load from it, "
                    f"or lea REG, [rip + {name}] for its address"
                )
            if name in self.asm.equ_names and self.asm.equ_lines[name] > (item.st.filename, item.st.line):
                raise item.st.error(
                    f"'{name}' is defined later in the file: GNU as would read it as a memory "
                    "operand here; define it before this line"
                )


DIALECTS: dict[str, type[Dialect]] = {
    "generic": Dialect,
    "ppc": PpcDialect,
    "arm": ArmDialect,
    "arm64": Arm64Dialect,
    "x86": X86Dialect,
}
