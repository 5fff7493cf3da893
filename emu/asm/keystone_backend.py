"""The keystone back end: emu lays the program out, keystone encodes instructions.

Keystone is used as an instruction encoder only (one statement at a time, at
its final address, with a symbol resolver). Everything keystone gets wrong or
crashes on — sections, data directives, numeric labels, `·` in names, PPC
`@ha/@l`, ARM literal pools and `:lower16:`, x86 RIP-relative displacements —
is done here. Layout is repeated until every address is stable (x86 branch
relaxation changes sizes).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import keystone

from emu import cpu
from emu.arch import Arch
from emu.asm import sections as sec
from emu.asm.expr import ExprError, UndefinedSymbol, evaluate, symbols_in
from emu.asm.source import Statement
from emu.errors import AsmError
from emu.image import Image, Segment

MAX_PASSES = 12
IGNORED = {
    ".globl",
    ".global",
    ".type",
    ".size",
    ".abiversion",
    ".file",
    ".ident",
    ".local",
    ".weak",
    ".hidden",
    ".protected",
    ".cfi_startproc",
    ".cfi_endproc",
    ".loc",
    ".arch",
    ".cpu",
    ".fpu",
    ".syntax",
    ".eabi_attribute",
    ".machine",
    ".code64",
    ".thumb_func",
    ".end",
    ".option",
    ".localentry",
    ".func",
    ".endfunc",
    ".fnstart",
    ".fnend",
    ".cantunwind",
    ".note",
    ".nops",
    ".intel_syntax",
    ".p2alignw",
}
DATA_SIZES = {
    ".byte": 1,
    ".short": 2,
    ".hword": 2,
    ".2byte": 2,
    ".long": 4,
    ".int": 4,
    ".4byte": 4,
    ".quad": 8,
    ".8byte": 8,
    ".dword": 8,
}
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
ARM_HALF = re.compile(r"#:(lower16|upper16):([^,\]]+)")
RIP_INTEL = re.compile(r"\brip\s*([+-])\s*([^\]]+)\]", re.I)
RIP_ATT = re.compile(r"([^\s,()]+)\(%rip\)")
IDENT = re.compile(r"(?<![\w.$\u00b7%])([A-Za-z_.$][\w.$\u00b7]*)")
LDR_LITERAL = re.compile(r"^\s*(\w+)\s*,\s*=\s*(.+)$")


@dataclass
class Item:
    """One placed thing in a section: label, data, space, alignment, insn or pool."""

    kind: str
    st: Statement
    mode: str | None = None  # keystone alternate mode ("thumb") for instructions
    syntax: str = "intel"
    value: object = None
    size: int = 0
    data: bytes = b""
    address: int = 0


@dataclass
class Section:
    name: str
    kind: str
    items: list[Item] = field(default_factory=list)
    size: int = 0


class KeystoneAssembler:
    """Assemble one source file for one arch into an Image."""

    def __init__(self, arch: Arch, filename: str) -> None:
        self.arch, self.filename = arch, filename
        self.encoders: dict[str | None, keystone.Ks] = {}
        self.sections: dict[str, Section] = {}
        self.symbols: dict[str, int] = {}
        self.previous: dict[str, int] = {}
        self.label_names: set[str] = set()
        self.equ_names: set[str] = set()
        self.equ_lines: dict[str, tuple[str, int]] = {}
        self.thumb_labels: set[str] = set()
        self.final = False

    # ---- collection: statements -> section items -------------------------------------

    def collect(self, statements: list[Statement]) -> None:
        current = self._section(".text", sec.CODE)
        stack: list[Section] = []
        previous = current
        mode, syntax = None, "intel"
        for st in statements:
            op = st.op.lower()
            if st.label:
                if st.label in self.label_names or st.label in self.equ_names:
                    raise st.error(f"symbol '{st.label}' is already defined")
                self.label_names.add(st.label)
                if mode == "thumb":
                    self.thumb_labels.add(st.label)
                current.items.append(Item("label", st, value=st.label))
                continue
            if not op:
                continue
            target = self._section_switch(st, op)
            if target is not None:
                if op == ".pushsection":
                    stack.append(current)
                if op == ".popsection":
                    if not stack:
                        raise st.error(".popsection without .pushsection")
                    target = stack.pop()
                if op == ".previous":
                    target = previous
                previous, current = current, target
                continue
            if op in (".thumb", ".arm", ".code"):
                mode = self._arm_mode(st, op)
                continue
            if op in (".att_syntax", ".intel_syntax"):
                syntax = "att" if op == ".att_syntax" else "intel"
                continue
            if op in IGNORED or op.startswith(".cfi_"):
                continue
            if "=" in st.args and st.args.lstrip().startswith("=") and not op.startswith("."):
                # `NAME = expr` parses as op=NAME, args="= expr"
                self._equ(current, st, st.op, st.args.lstrip()[1:])
                continue
            if op in (".equ", ".set", ".equiv"):
                name, _, expr = st.args.partition(",")
                self._equ(current, st, name.strip(), expr)
                continue
            current.items.append(self._data_item(st, op, mode, syntax, current))
        for section in self.sections.values():
            if section.kind == sec.CODE and self.arch.name == "arm":
                section.items.append(Item("pool", Statement(self.filename, 0, "", op=".ltorg")))

    def _section(self, name: str, kind: str) -> Section:
        if name not in self.sections:
            self.sections[name] = Section(name, kind)
        return self.sections[name]

    def _section_switch(self, st: Statement, op: str) -> Section | None:
        if op in (".text", ".data", ".bss", ".rodata"):
            return self._section(op, sec.kind_of(op))
        if op in (".section", ".pushsection"):
            parts = [p.strip() for p in st.args.split(",")]
            name = parts[0]
            flags = parts[1].strip('"') if len(parts) > 1 and parts[1].startswith('"') else None
            if not name:
                raise st.error(".section needs a name")
            return self._section(name, sec.kind_of(name, flags))
        if op in (".popsection", ".previous"):
            return self.sections[".text"]  # replaced by the caller
        return None

    def _arm_mode(self, st: Statement, op: str) -> str | None:
        if self.arch.name != "arm":
            raise st.error(f"'{st.op}' is only valid on arm")
        if op == ".code":
            if st.args.strip() not in ("16", "32"):
                raise st.error(".code takes 16 or 32")
            return "thumb" if st.args.strip() == "16" else None
        return "thumb" if op == ".thumb" else None

    def _equ(self, current: Section, st: Statement, name: str, expr: str) -> None:
        if not name or not expr.strip():
            raise st.error(f"'{st.op}' needs a name and a value")
        if name in self.label_names:
            raise st.error(f"symbol '{name}' is already defined")
        self.equ_names.add(name)
        self.equ_lines.setdefault(name, (st.filename, st.line))
        current.items.append(Item("equ", st, value=(name, expr.strip())))

    def _data_item(self, st: Statement, op: str, mode: str | None, syntax: str, section: Section) -> Item:
        word = 4 if self.arch.name == "arm" else 2
        if op in DATA_SIZES or op == ".word":
            size = DATA_SIZES.get(op, word)
            exprs = _split_operands(st.args)
            if not exprs:
                raise st.error(f"'{st.op}' needs at least one value")
            return Item("data", st, value=(size, exprs), size=size * len(exprs))
        if op in (".ascii", ".asciz", ".string"):
            data = b"".join(
                _parse_string(st, s) + (b"\0" if op != ".ascii" else b"") for s in _split_operands(st.args)
            )
            return Item("bytes", st, data=data, size=len(data))
        if op in (".zero", ".space", ".skip"):
            parts = _split_operands(st.args)
            return Item("space", st, value=(parts[0], parts[1] if len(parts) > 1 else "0"))
        if op == ".fill":
            parts = _split_operands(st.args) + ["1", "0"]
            return Item("fill", st, value=tuple(parts[:3]))
        if op in (".align", ".balign", ".p2align"):
            return Item("align", st, value=(*self._alignment(st, op), section.kind == sec.CODE))
        if op in (".ltorg", ".pool"):
            if self.arch.name != "arm":
                raise st.error(f"'{st.op}' is only valid on arm")
            return Item("pool", st)
        if op.startswith("."):
            raise st.error(f"unknown or unsupported directive '{st.op}'")
        if section.kind == sec.BSS:
            raise st.error(f"instruction '{st.op}' in a .bss section")
        return Item("insn", st, mode=mode, syntax=syntax)

    def _alignment(self, st: Statement, op: str) -> tuple[int, int | None]:
        parts = _split_operands(st.args)
        if not parts:
            raise st.error(f"'{st.op}' needs an alignment")
        amount = self._const(st, parts[0])
        fill = self._const(st, parts[1]) if len(parts) > 1 and parts[1] else None
        power_of_two = op == ".p2align" or (op == ".align" and self.arch.name != "amd64")
        boundary = 1 << amount if power_of_two else amount
        if boundary <= 0 or boundary & (boundary - 1):
            raise st.error(f"alignment {boundary} is not a power of two")
        return boundary, fill

    def _const(self, st: Statement, text: str) -> int:
        try:
            return evaluate(text, lambda name: self._lookup(name, st))
        except ExprError as err:
            raise st.error(str(err)) from None

    # ---- layout passes ----------------------------------------------------------------

    def assemble(self) -> Image:
        """Lay out until addresses and sizes stop changing, then once more for real."""
        sizes = [(s.name, s.kind, 0) for s in self.sections.values()]
        for _ in range(MAX_PASSES):
            self._pass(sizes)
            new_sizes = [(s.name, s.kind, s.size) for s in self.sections.values()]
            if new_sizes == sizes and self.symbols == self.previous:
                self.final = True
                return self._image(self._pass(sizes))
            sizes = new_sizes
        raise AsmError(self.filename, 0, "layout did not converge (branch sizes keep changing)")

    def _pass(self, sizes: list[tuple[str, str, int]]) -> dict[str, int]:
        bases = sec.place(sizes, self.arch.text_base, self.arch.page_size)
        self.previous, self.symbols = self.symbols, {}
        for section in self.sections.values():
            self._layout(section, bases[section.name])
        return bases

    def _layout(self, section: Section, base: int) -> None:
        address = base
        pending_literals: list[Item] = []
        for item in section.items:
            item.address = address
            item.data = self._emit(item, address, pending_literals)
            item.size = len(item.data)
            address += item.size
        section.size = address - base

    def _lookup(self, name: str, st: Statement, address: int | None = None) -> int:
        if name == "." and address is not None:
            return address
        if name in self.symbols:
            return self.symbols[name]
        if name in self.previous:
            return self.previous[name]
        if name in self.label_names or name in self.equ_names:
            if self.final:
                raise st.error(f"symbol '{name}' is used before its value is known")
            # First pass: a forward label is assumed near (short branches), an .equ 0.
            return (address or 0) if name in self.label_names else 0
        raise UndefinedSymbol(name)

    def _eval(self, item: Item, text: str, address: int) -> int:
        try:
            return evaluate(text, lambda name: self._lookup(name, item.st, address))
        except ExprError as err:
            raise item.st.error(str(err)) from None

    def _emit(self, item: Item, address: int, literals: list[Item]) -> bytes:
        kind = item.kind
        if kind == "label":
            self.symbols[item.value] = address
            return b""
        if kind == "equ":
            name, expr = item.value
            self.symbols[name] = self._eval(item, expr, address)
            return b""
        if kind == "data":
            size, exprs = item.value
            return b"".join(self._data_value(item, e, size, address + i * size) for i, e in enumerate(exprs))
        if kind == "bytes":
            return item.data
        if kind == "space":
            count, fill = (self._eval(item, e, address) for e in item.value)
            if count < 0:
                raise item.st.error(f"negative size {count}")
            return bytes([fill & 0xFF]) * count
        if kind == "fill":
            repeat, size, value = (self._eval(item, e, address) for e in item.value)
            return self.arch.pack(value, min(size, 8)).ljust(size, b"\0") * repeat
        if kind == "align":
            boundary, fill, in_code = item.value
            padding = sec.align_up(address, boundary) - address
            if fill is not None or not in_code:
                return bytes([(fill or 0) & 0xFF]) * padding
            return self._nops(padding)
        if kind == "pool":
            return self._pool(item, address, literals)
        try:
            return self._instruction(item, address, literals)
        except AsmError:
            if self.final:
                raise
            # Early passes use guessed addresses: keep the old size and retry later.
            return item.data or bytes(self._guess_size(item))

    def _guess_size(self, item: Item) -> int:
        return 2 if item.mode == "thumb" else (5 if self.arch.name == "amd64" else 4)

    def _data_value(self, item: Item, expr: str, size: int, address: int) -> bytes:
        value = self._eval(item, expr, address)
        if not -(1 << (8 * size - 1)) <= value < (1 << (8 * size)) and self.final:
            raise item.st.error(f"value {value:#x} does not fit in {size} bytes")
        return self.arch.pack(value, size)

    def _nops(self, padding: int) -> bytes:
        """Code alignment filler exactly as GNU as emits it (arch data `[padding]`)."""
        rule = self.arch.padding
        if padding == 0:
            return b""
        if rule["style"] == "x86":
            nops = [bytes.fromhex(n) for n in rule["nops"]]
            out = b""
            while len(out) < padding:
                out += nops[min(padding - len(out), len(nops)) - 1]
            return out
        if padding % 4:
            return b"\0" * padding
        words = padding // 4
        if rule["style"] == "ppc-group":
            body = [rule["nop"]] * (words - 1) + [rule["group_nop"]]
            if words >= 5:
                body = [rule["branch"] | padding, *body[2:]]
            return b"".join(self.arch.pack(w, 4) for w in body)
        return self.arch.pack(rule["nop"], 4) * words

    # ---- instructions -----------------------------------------------------------------

    def _instruction(self, item: Item, address: int, literals: list[Item]) -> bytes:
        text = f"{item.st.op} {item.st.args}".strip()
        if self.arch.name == "arm":
            literal = LDR_LITERAL.match(item.st.args) if item.st.op.lower() == "ldr" else None
            if literal:
                return self._ldr_literal(item, address, literal, literals)
            text = ARM_HALF.sub(lambda m: self._arm_half(item, m, address), text)
            text = self._arm_pc_relative(item, text, address)
        if self.arch.unicorn["arch"] == "PPC":
            text = PPC_PIECE.sub(lambda m: self._ppc_piece(item, m, address), text)
        if self.arch.name == "amd64":
            return self._x86(item, text, address)
        return self._encode(item, self._symbolic(item, text, address), address)

    def _ppc_piece(self, item: Item, match: re.Match, address: int) -> str:
        value = PPC_PIECES[match.group(2)](self._eval(item, match.group(1), address))
        if item.st.op.lower() not in PPC_UNSIGNED_IMMEDIATE and value >= 0x8000:
            value -= 0x10000
        return str(value)

    def _arm_half(self, item: Item, match: re.Match, address: int) -> str:
        value = self._eval(item, match.group(2), address) & 0xFFFFFFFF
        return f"#{(value & 0xFFFF) if match.group(1) == 'lower16' else value >> 16:#x}"

    def _arm_pc_relative(self, item: Item, text: str, address: int) -> str:
        """`adr rX, label` and `ldr rX, label`: keystone rejects or misplaces them."""
        op = item.st.op.lower()
        operands = _split_operands(item.st.args)
        if op not in ("adr", "ldr") or len(operands) != 2 or operands[1].startswith(("[", "=")):
            return text
        pc = ((address + 4) & ~3) if item.mode == "thumb" else address + 8
        offset = self._eval(item, operands[1], address) - pc
        if op == "ldr":
            return f"ldr {operands[0]}, [pc, #{offset}]"
        return f"{'add' if offset >= 0 else 'sub'} {operands[0]}, pc, #{abs(offset):#x}"

    def _symbolic(self, item: Item, text: str, address: int) -> str:
        """Replace every symbol (label or .equ) by its value, as a hex number."""

        def replace(match: re.Match) -> str:
            name = match.group(1)
            if name in self.equ_names or name in self.label_names:
                value = self._lookup(name, item.st, address)
                return f"{value:#x}" if value >= 0 else f"-{-value:#x}"
            if not name.isascii():
                raise item.st.error(f"undefined symbol '{name}'")
            return name

        head, operands = _mnemonic_split(text)
        return f"{head} {IDENT.sub(replace, operands)}".strip() if operands else head

    def _x86(self, item: Item, text: str, address: int) -> bytes:
        """x86-64: keystone measures RIP-relative displacements from the wrong place.

        Encode with a zero displacement to learn the length, then put the real
        `target - next_instruction` in.
        """
        if item.syntax == "intel":
            self._check_keyword_labels(item)
        pattern = RIP_ATT if item.syntax == "att" else RIP_INTEL
        match = pattern.search(text)
        if not match:
            if item.syntax == "intel":
                self._check_intel_ambiguity(item)
            return self._encode(item, self._symbolic(item, text, address), address)
        expr = match.group(1) if item.syntax == "att" else match.group(1) + match.group(2)

        def with_disp(disp: int) -> str:
            if item.syntax == "att":
                return text[: match.start()] + f"{disp}(%rip)" + text[match.end() :]
            return text[: match.start()] + f"rip + {disp}]" + text[match.end() :]

        length = len(self._encode(item, self._symbolic(item, with_disp(0x7FFF0000), address), address))
        target = self._eval(item, expr.lstrip("+"), address)
        return self._encode(
            item, self._symbolic(item, with_disp(target - (address + length)), address), address
        )

    def _check_keyword_labels(self, item: Item) -> None:
        """GNU as Intel syntax reads a label named `word` (etc.) as the size keyword."""
        for name in IDENT.findall(item.st.args):
            if name.lower() in INTEL_KEYWORDS and name in self.label_names:
                raise item.st.error(
                    f"label '{name}' is an operand-size keyword in GNU as Intel syntax, "
                    "which would read it as the keyword: rename the label"
                )

    def _check_intel_ambiguity(self, item: Item) -> None:
        """Refuse operands GNU as and keystone read differently in Intel syntax.

        GNU as reads a bare label operand (`mov rax, msg`) as a memory load and
        so reads a not-yet-defined `.equ` name; keystone reads both as
        immediates. Rather than pick one silently, say how to write it.
        """
        op = item.st.op.lower()
        if op.startswith(("j", "call", "loop")):
            return
        for operand in _split_operands(item.st.args):
            name = operand.strip()
            if name in self.label_names:
                raise item.st.error(
                    f"'{name}' is a label: write [{name}] (or [rip + {name}]) to load from it, "
                    f"or lea REG, [rip + {name}] for its address"
                )
            if name in self.equ_names and self.equ_lines[name] > (item.st.filename, item.st.line):
                raise item.st.error(
                    f"'{name}' is defined later in the file: GNU as would read it as a memory "
                    "operand here; define it before this line"
                )

    def _encode(self, item: Item, text: str, address: int) -> bytes:
        ks = self._encoder(item.mode)
        source = f".att_syntax\n{text}" if item.syntax == "att" else text
        try:
            encoding, _ = ks.asm(source, address)
        except keystone.KsError as err:
            if err.errno == keystone.KS_ERR_ASM_SYMBOL_MISSING:
                raise item.st.error(f"undefined symbol in '{item.st.op} {item.st.args}'") from None
            raise item.st.error(f"cannot assemble '{text}': {_ks_message(err)}") from None
        except UnicodeEncodeError:
            raise item.st.error("non-ASCII text outside a symbol name") from None
        if not encoding:
            raise item.st.error(f"cannot assemble '{text}': keystone produced no bytes")
        return bytes(encoding)

    def _encoder(self, mode: str | None) -> keystone.Ks:
        # No sym_resolver: setting one makes keystone read decimal numbers as
        # hex (all arches, 0.9.2). Symbols are substituted as numbers instead;
        # every branch form takes an absolute numeric target at the right address.
        if mode not in self.encoders:
            self.encoders[mode] = cpu.new_assembler(self.arch, mode)
        return self.encoders[mode]

    # ---- ARM literal pools (GNU as rules: mov/mvn when the constant fits) -----------------

    def _ldr_literal(self, item: Item, address: int, match: re.Match, literals: list[Item]) -> bytes:
        register, expr = match.group(1), match.group(2).strip()
        if not any(name != "." for name in _safe_symbols(expr)):
            value = self._eval(item, expr, address) & 0xFFFFFFFF
            for op, operand in (("mov", value), ("mvn", ~value & 0xFFFFFFFF)):
                if _arm_immediate(operand):
                    return self._encode(item, f"{op} {register}, #{operand:#x}", address)
        item.value = expr
        literals.append(item)
        slot = self.previous.get(_literal_key(item), address + 8)
        pc = (address + 4) & ~3 if item.mode == "thumb" else address + 8
        offset = slot - pc
        if self.final and not -4095 <= offset <= 4095:
            raise item.st.error("literal pool out of reach: add a .ltorg closer to this ldr")
        return self._encode(item, f"ldr {register}, [pc, #{offset}]", address)

    def _pool(self, item: Item, address: int, literals: list[Item]) -> bytes:
        if not literals:
            return b""
        start = sec.align_up(address, 4)
        data = bytearray(start - address)
        slots: dict[str, int] = {}
        for literal in literals:
            key = literal.value
            if key not in slots:
                slots[key] = address + len(data)
                data += self.arch.pack(self._eval(literal, key, address), 4)
            self.symbols[_literal_key(literal)] = slots[key]
        literals.clear()
        return bytes(data)

    # ---- result ---------------------------------------------------------------------------

    def _image(self, bases: dict[str, int]) -> Image:
        segments, lines = [], {}
        for section in self.sections.values():
            if not section.items and section.name != ".text":
                continue
            data = b"".join(item.data for item in section.items)
            for item in section.items:
                if item.kind in ("insn", "data") and item.st.line:
                    lines[item.address] = (item.st.filename, item.st.line)
            perms = sec.PERMISSIONS[section.kind]
            segments.append(
                Segment(
                    section.name,
                    bases[section.name],
                    b"" if section.kind == sec.BSS else data,
                    max(len(data), 0),
                    "r" in perms,
                    "w" in perms,
                    "x" in perms,
                )
            )
        symbols = {
            name: value
            for name, value in self.symbols.items()
            if name in self.label_names and not name.startswith("__emu_")
        }
        entry = symbols.get("_start", bases.get(".text", self.arch.text_base))
        if "_start" in self.thumb_labels:
            entry |= 1
        return Image(
            self.arch.name,
            [s for s in segments if s.size or s.name == ".text"],
            symbols,
            entry,
            lines,
            {n for n in self.thumb_labels if n in symbols},
            self.filename,
        )


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
X86_PREFIXES = {"lock", "rep", "repe", "repz", "repne", "repnz", "data16", "addr32", "notrack", "bnd"}


def _mnemonic_split(text: str) -> tuple[str, str]:
    """(mnemonic with any x86 prefixes, operands): `lock xadd` is one mnemonic."""
    words = text.split(None, 1)
    head, rest = words[0], words[1] if len(words) > 1 else ""
    while head.lower().split()[-1] in X86_PREFIXES and rest:
        more = rest.split(None, 1)
        head, rest = f"{head} {more[0]}", more[1] if len(more) > 1 else ""
    return head, rest


def _literal_key(item: Item) -> str:
    return f"__emu_literal_{item.st.filename}_{item.st.line}_{id(item)}"


def _safe_symbols(expr: str) -> list[str]:
    try:
        return symbols_in(expr)
    except ExprError:
        return ["?"]


def _arm_immediate(value: int) -> bool:
    """True if `value` is an ARM modified immediate (8 bits rotated right by 2n)."""
    return any(((value << r) | (value >> (32 - r))) & 0xFFFFFFFF <= 0xFF for r in range(0, 32, 2))


def _ks_message(err: keystone.KsError) -> str:
    return str(err).split(" (KS_ERR")[0]


def _split_operands(text: str) -> list[str]:
    parts, current, depth, quote = [], [], 0, False
    for ch in text:
        if ch == '"' and (not current or current[-1] != "\\"):
            quote = not quote
        if ch == "(" and not quote:
            depth += 1
        if ch == ")" and not quote:
            depth -= 1
        if ch == "," and not depth and not quote:
            parts.append("".join(current).strip())
            current = []
        else:
            current.append(ch)
    if "".join(current).strip():
        parts.append("".join(current).strip())
    return parts


def _parse_string(st: Statement, text: str) -> bytes:
    text = text.strip()
    if len(text) < 2 or text[0] != '"' or text[-1] != '"':
        raise st.error(f"expected a quoted string, got {text}")
    try:
        return text[1:-1].encode("latin-1", "backslashreplace").decode("unicode_escape").encode("latin-1")
    except (UnicodeDecodeError, UnicodeEncodeError):
        return text[1:-1].encode()
