"""The keystone back end: emu lays the program out, keystone encodes instructions.

Keystone is used as an instruction encoder only (one statement at a time, at
its final address, with a symbol resolver). Everything keystone gets wrong or
crashes on — sections, data directives, numeric labels, `·` in names, PPC
`@ha/@l`, ARM literal pools and `:lower16:`, x86 RIP-relative displacements —
is done here. Layout is repeated until every address is stable (x86 branch
relaxation changes sizes).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

import keystone

from emu import arch as arches
from emu import cpu
from emu.arch import Arch
from emu.asm import sections as sec
from emu.asm.dialects import DIALECTS, IDENT
from emu.asm.expr import ExprError, UndefinedSymbol, evaluate
from emu.asm.keystone_guard import GUARD, KeystoneFailure
from emu.asm.source import Statement, split_operands
from emu.errors import AsmError
from emu.image import Image, Segment

MAX_PASSES = 12
MAX_ALIGNMENT = 1 << 30  # bytes; GNU as caps at 2**63 with a warning, emu refuses
# What keystone may be given as a mnemonic: it hangs on lines such as `*`, `^0` or `[rbx+8]`.
MNEMONIC = re.compile(r"^[A-Za-z_][\w.]*[+-]?$")
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
    ".option",
    ".localentry",
    ".func",
    ".endfunc",
    ".fnstart",
    ".fnend",
    ".cantunwind",
    ".note",
    ".intel_syntax",
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


@functools.cache
def _mode_directive_ops() -> frozenset[str]:
    """Every directive that switches instruction set on some arch (`.thumb`, `.arm`, `.code`)."""
    return frozenset(d.split()[0] for arch in arches.all_arches().values() for d in arch.asm.mode_directives)


@dataclass(frozen=True)
class Label:
    name: str


@dataclass(frozen=True)
class Equ:
    """`.equ`, `.set`, `.equiv` and `name = expr`: the expression is evaluated where it stands."""

    name: str
    expr: str


@dataclass(frozen=True)
class Data:
    """`.byte`, `.long`, `.quad`...: `size` bytes per expression."""

    size: int
    exprs: list[str]


@dataclass(frozen=True)
class Space:
    """`.zero`, `.space`, `.skip`: `count` bytes of `fill` (both expressions)."""

    count: str
    fill: str


@dataclass(frozen=True)
class Fill:
    """`.fill repeat, size, value` (expressions)."""

    repeat: str
    size: str
    value: str


@dataclass(frozen=True)
class Align:
    """`.align`/`.balign`/`.p2align`, already resolved to a byte boundary."""

    boundary: int
    fill: int | None
    in_code: bool  # code is padded with the target's nops unless a fill byte is given


Directive = Label | Equ | Data | Space | Fill | Align


@dataclass
class Item:
    """One placed thing in a section: label, data, space, alignment, insn or pool."""

    kind: str
    st: Statement
    mode: str | None = None  # keystone alternate mode ("thumb") for instructions
    syntax: str = "intel"
    directive: Directive | None = None  # what a label or data/space/alignment directive lays out
    literal: str = ""  # an ARM `ldr rX, =expr` placed in the literal pool: expr
    size: int = 0
    data: bytes = b""
    address: int = 0

    @property
    def text(self) -> str:
        """The instruction as written: mnemonic and operands."""
        return f"{self.st.op} {self.st.args}".strip()


@dataclass
class Section:
    name: str
    kind: str
    items: list[Item] = field(default_factory=list)
    size: int = 0


class KeystoneAssembler:
    """Assemble one source file for one arch into an Image."""

    def __init__(self, arch: Arch, filename: str, image_limit: int) -> None:
        self.arch, self.filename, self.image_limit = arch, filename, image_limit
        self.image_bytes = 0  # bytes laid out so far in this pass, against image_limit
        self.sections: dict[str, Section] = {}
        self.symbols: dict[str, int] = {}
        self.previous: dict[str, int] = {}
        self.label_names: set[str] = set()
        self.equ_names: set[str] = set()
        self.equ_lines: dict[str, tuple[str, int]] = {}
        self.alt_mode_labels: set[str] = set()
        self.final = False
        self.syntax = arch.asm
        self.dialect = DIALECTS[arch.asm.dialect](self)

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
                if mode is not None:  # a label in the interworking state: an odd code address
                    self.alt_mode_labels.add(st.label)
                current.items.append(Item("label", st, directive=Label(st.label)))
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
            if op in _mode_directive_ops():
                mode = self._mode(st, op)
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
            if section.kind == sec.CODE and self.syntax.literal_pools:
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

    def _mode(self, st: Statement, op: str) -> str | None:
        """The keystone mode a mode directive (`.thumb`, `.code 16`: `[asm] mode_directives`) selects."""
        table = self.syntax.mode_directives
        if not any(directive.split()[0] == op for directive in table):
            raise st.error(f"'{st.op}' is not valid on {self.arch.name}")
        directive = f"{op} {st.args.strip()}".strip()
        if directive not in table:
            forms = ", ".join(d for d in table if d.split()[0] == op)
            raise st.error(f"'{st.op} {st.args.strip()}': {self.arch.name} accepts {forms}")
        return table[directive] or None

    def _equ(self, current: Section, st: Statement, name: str, expr: str) -> None:
        if not name or not expr.strip():
            raise st.error(f"'{st.op}' needs a name and a value")
        if name in self.label_names:
            raise st.error(f"symbol '{name}' is already defined")
        self.equ_names.add(name)
        self.equ_lines.setdefault(name, (st.filename, st.line))
        current.items.append(Item("equ", st, directive=Equ(name, expr.strip())))

    def _data_item(self, st: Statement, op: str, mode: str | None, syntax: str, section: Section) -> Item:
        word = self.syntax.word_size
        if op in DATA_SIZES or op == ".word":
            size = DATA_SIZES.get(op, word)
            exprs = split_operands(st.args)
            if not exprs:
                raise st.error(f"'{st.op}' needs at least one value")
            return Item("data", st, directive=Data(size, exprs), size=size * len(exprs))
        if op in (".ascii", ".asciz", ".string"):
            data = b"".join(
                _parse_string(st, s) + (b"\0" if op != ".ascii" else b"") for s in split_operands(st.args)
            )
            return Item("bytes", st, data=data, size=len(data))
        if op in (".zero", ".space", ".skip", ".fill"):
            parts = split_operands(st.args)
            if not parts or not all(parts) or len(parts) > (3 if op == ".fill" else 2):
                wanted = "a repeat count, a size and a value" if op == ".fill" else "a size and a fill byte"
                raise st.error(f"'{st.op}' takes {wanted}")
            if op == ".fill":
                repeat, size_expr, value = (parts + ["1", "0"][len(parts) - 1 :])[:3]
                return Item("fill", st, directive=Fill(repeat, size_expr, value))
            return Item("space", st, directive=Space(parts[0], parts[1] if len(parts) > 1 else "0"))
        if op in (".align", ".balign", ".p2align"):
            boundary, fill = self._alignment(st, op)
            return Item("align", st, directive=Align(boundary, fill, section.kind == sec.CODE))
        if op in (".ltorg", ".pool"):
            if not self.syntax.literal_pools:
                raise st.error(f"'{st.op}' is only valid on targets with literal pools")
            return Item("pool", st)
        if op.startswith("."):
            raise st.error(f"unknown or unsupported directive '{st.op}'")
        if section.kind == sec.BSS:
            raise st.error(f"instruction '{st.op}' in a .bss section")
        head, _ = _mnemonic_split(f"{st.op} {st.args}", self.syntax.mnemonic_prefixes)
        for part in head.split():
            if not MNEMONIC.match(part):
                raise st.error(f"'{part}' is not an instruction mnemonic")
        problem = operand_problem(st.args, self.syntax.operand_forbidden)
        if problem:
            raise st.error(f"bad operands '{st.args}': {problem}")
        return Item("insn", st, mode=mode, syntax=syntax)

    def _alignment(self, st: Statement, op: str) -> tuple[int, int | None]:
        parts = split_operands(st.args)
        if not parts:
            raise st.error(f"'{st.op}' needs an alignment")
        amount = self._const(st, parts[0])
        fill = self._const(st, parts[1]) if len(parts) > 1 and parts[1] else None
        power_of_two = op == ".p2align" or (op == ".align" and self.syntax.align == "power")
        if amount < 0:
            raise st.error(f"negative alignment {amount}")
        if amount > (MAX_ALIGNMENT.bit_length() - 1 if power_of_two else MAX_ALIGNMENT):
            raise st.error(f"alignment too large (at most {MAX_ALIGNMENT:#x} bytes)")
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
        self.image_bytes = 0
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
            self.image_bytes += item.size
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

    def evaluate(self, item: Item, text: str, address: int) -> int:
        try:
            return evaluate(text, lambda name: self._lookup(name, item.st, address))
        except ExprError as err:
            raise item.st.error(str(err)) from None

    def _emit(self, item: Item, address: int, literals: list[Item]) -> bytes:
        match item.directive:
            case Label(name):
                self.symbols[name] = address
                return b""
            case Equ(name, expr):
                self.symbols[name] = self.evaluate(item, expr, address)
                return b""
            case Data(size, exprs):
                return b"".join(
                    self._data_value(item, e, size, address + i * size) for i, e in enumerate(exprs)
                )
            case Space(count_expr, fill_expr):
                count, fill = (self.evaluate(item, e, address) for e in (count_expr, fill_expr))
                if count < 0:
                    raise item.st.error(f"negative size {count}")
                return bytes([fill & 0xFF]) * self._reserve(item, count)
            case Fill(repeat_expr, size_expr, value_expr):
                repeat, size, value = (
                    self.evaluate(item, e, address) for e in (repeat_expr, size_expr, value_expr)
                )
                if repeat < 0 or not 0 <= size <= 8:
                    raise item.st.error(
                        f".fill needs a repeat count >= 0 and a size from 0 to 8, got {repeat}, {size}"
                    )
                self._reserve(item, repeat * size)
                return self.arch.pack(value & ((1 << (8 * size)) - 1), size) * repeat if size else b""
            case Align(boundary, fill_byte, in_code):
                padding = self._reserve(item, sec.align_up(address, boundary) - address)
                if fill_byte is not None or not in_code:
                    return bytes([(fill_byte or 0) & 0xFF]) * padding
                return self._nops(padding)
        if item.kind == "bytes":
            return item.data
        if item.kind == "pool":
            return self.dialect.pool(item, address, literals)
        try:
            return self._instruction(item, address, literals)
        except AsmError:
            if self.final:
                raise
            # Early passes use guessed addresses: keep the old size and retry later.
            return item.data or bytes(self._guess_size(item))

    def _reserve(self, item: Item, size: int) -> int:
        """`size`, after checking that the image stays within the run's --mem-limit."""
        if self.image_bytes + size > self.image_limit:
            raise item.st.error(
                f"image exceeds --mem-limit ({self.image_limit} bytes): this line adds {size} bytes"
            )
        return size

    def _guess_size(self, item: Item) -> int:
        if item.mode is None:
            return self.syntax.insn_size_guess
        return self.syntax.alt_insn_size_guess.get(item.mode, self.syntax.insn_size_guess)

    def _data_value(self, item: Item, expr: str, size: int, address: int) -> bytes:
        value = self.evaluate(item, expr, address)
        if not -(1 << (8 * size - 1)) <= value < (1 << (8 * size)) and self.final:
            raise item.st.error(f"value {value:#x} does not fit in {size} bytes")
        return self.arch.pack(value, size)

    def _nops(self, padding: int) -> bytes:
        """Code alignment filler exactly as GNU as emits it (arch data `[padding]`)."""
        rule = self.arch.padding
        if padding == 0:
            return b""
        if rule.style == "multibyte":
            nops = [bytes.fromhex(n) for n in rule.nops]
            out = b""
            while len(out) < padding:
                out += nops[min(padding - len(out), len(nops)) - 1]
            return out
        if padding % 4:
            return b"\0" * padding
        words = padding // 4
        nop = rule.nop or 0
        if rule.style == "group":
            body = [nop] * (words - 1) + [rule.group_nop or nop]
            if words >= 5:
                body = [(rule.branch or 0) | padding, *body[2:]]
            return b"".join(self.arch.pack(w, 4) for w in body)
        return self.arch.pack(nop, 4) * words

    # ---- instructions -----------------------------------------------------------------

    def _instruction(self, item: Item, address: int, literals: list[Item]) -> bytes:
        return self.dialect.instruction(item, address, literals)

    def symbolic(self, item: Item, text: str, address: int) -> str:
        """Replace every symbol (label or .equ) by its value, as a hex number."""

        def replace(match: re.Match) -> str:
            name = match.group(1)
            if name in self.equ_names or name in self.label_names:
                value = self._lookup(name, item.st, address)
                return f"{value:#x}" if value >= 0 else f"-{-value:#x}"
            if not name.isascii():
                raise item.st.error(f"undefined symbol '{name}'")
            return name

        head, operands = _mnemonic_split(text, self.syntax.mnemonic_prefixes)
        return f"{head} {IDENT.sub(replace, operands)}".strip() if operands else head

    def encode(self, item: Item, text: str, address: int) -> bytes:
        """Keystone's bytes for one line, through the guard (a hang or crash is this line's error).

        No sym_resolver: setting one makes keystone read decimal numbers as hex
        (all arches, 0.9.2). Symbols are substituted as numbers instead; every
        branch form takes an absolute numeric target at the right address.
        """
        if not text.isascii():
            raise item.st.error("non-ASCII text outside a symbol name")
        spec = cpu.keystone_spec(self.arch)
        mode = spec.mode if item.mode is None else spec.modes_alt[item.mode]
        source = f".att_syntax\n{text}" if item.syntax == "att" else text
        try:
            encoding = GUARD.encode(spec.arch, mode, source, address)
        except KeystoneFailure as err:
            if err.errno == keystone.KS_ERR_ASM_SYMBOL_MISSING:
                raise item.st.error(f"undefined symbol in '{item.st.op} {item.st.args}'") from None
            raise item.st.error(f"cannot assemble '{text}': {err}") from None
        if not encoding:
            raise item.st.error(f"cannot assemble '{text}': keystone produced no bytes")
        return encoding

    # ---- result ---------------------------------------------------------------------------

    def _image(self, bases: dict[str, int]) -> Image:
        segments, lines = [], {}
        for section in self.sections.values():
            data = b"".join(item.data for item in section.items)
            if not data:
                continue
            for item in section.items:
                if item.kind in ("insn", "data") and item.st.line:
                    lines[item.address] = (item.st.filename, item.st.line)
            perms = sec.PERMISSIONS[section.kind]
            segments.append(
                Segment(
                    section.name,
                    bases[section.name],
                    b"" if section.kind == sec.BSS else data,
                    len(data),
                    "r" in perms,
                    "w" in perms,
                    "x" in perms,
                )
            )
        if not any(segment.executable for segment in segments):
            raise AsmError(self.filename, 1, sec.NOTHING_TO_RUN)
        symbols = {
            name: value
            for name, value in self.symbols.items()
            if name in self.label_names and not name.startswith("__emu_")
        }
        entry = symbols.get("_start", bases.get(".text", self.arch.text_base))
        if "_start" in self.alt_mode_labels:
            entry |= 1
        return Image(
            self.arch.name,
            segments,
            symbols,
            entry,
            lines,
            {n for n in self.alt_mode_labels if n in symbols},
            self.filename,
        )


BRACKETS = {")": "(", "]": "[", "}": "{"}


def operand_problem(operands: str, forbidden: str) -> str | None:
    """Why `operands` cannot be an instruction's operands, or None.

    Checked before keystone sees them: unbalanced brackets and characters the
    target never uses in operands (arch data `[asm] operand_forbidden`) make
    keystone 0.9.2 hang or crash more often than they make it fail.
    """
    stack = []
    for ch in operands:
        if ch in forbidden:
            return f"'{ch}' is not valid in an operand on this target"
        if ch in "([{":
            stack.append(ch)
        elif ch in BRACKETS and (not stack or stack.pop() != BRACKETS[ch]):
            return f"unbalanced '{ch}'"
    return f"unclosed '{stack[-1]}'" if stack else None


def _mnemonic_split(text: str, prefixes: tuple[str, ...]) -> tuple[str, str]:
    """(mnemonic with any prefixes, operands): `lock xadd` is one mnemonic (`[asm] mnemonic_prefixes`)."""
    words = text.split(None, 1)
    head, rest = words[0], words[1] if len(words) > 1 else ""
    while head.lower().split()[-1] in prefixes and rest:
        more = rest.split(None, 1)
        head, rest = f"{head} {more[0]}", more[1] if len(more) > 1 else ""
    return head, rest


def _parse_string(st: Statement, text: str) -> bytes:
    text = text.strip()
    if len(text) < 2 or text[0] != '"' or text[-1] != '"':
        raise st.error(f"expected a quoted string, got {text}")
    try:
        return text[1:-1].encode("latin-1", "backslashreplace").decode("unicode_escape").encode("latin-1")
    except (UnicodeDecodeError, UnicodeEncodeError):
        return text[1:-1].encode()
