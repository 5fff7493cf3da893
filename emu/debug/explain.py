"""`emu explain STUB --arch all`: one stub call on every arch, side by side.

An endianness bug is a byte landing one place on one arch and another place
on another; no single trace shows that. This runs the same call (default: the
Go runtime's start-up check for the stub, e.g. atomicor8(&m[1], 0xf0) on
m = {1,1,1,1}) on each arch and prints, per arch: the bytes before and after,
the word as that arch reads it, the shifts the stub computed (from a trace of
its register writes), what it stored, and whether the result matches a
byte-level reference model of the stub. `--stubs PATH` explains a user's own
variant (a file, or a directory of per-arch files, see emu.stubs.UserStubs) on
the arches it is for; a file that does not assemble there is an error at its
own file:line, never a silent fall back to the shipped stub.

Integer arguments are given in the register's width: `-1` is the int32 -1 as
Go's compilers pass it, sign-extended on 64-bit arches (the default for `cas`,
Go's check() case that caught the cmpd bug); the `registers` row shows them.
"""

from __future__ import annotations

import argparse
import re
from dataclasses import dataclass, field

from emu import arch as arches
from emu.arch import Arch
from emu.debug.trace import Tracer, TraceRecord
from emu.errors import EmuError, UsageError
from emu.memmodel.storage import MODELS
from emu.options import RunOptions
from emu.stubs import KIND_BYTES, SIGNATURES, UserStubs, add_stubs_argument, plain_name, signature

# The default call per stub: initial memory ("hex bytes" or "u32:V"/"u64:V" in the
# arch's byte order) and arguments (`m` is the array's address).
EXAMPLES: dict[str, tuple[str, list[str]]] = {
    "atomicor8": ("01010101", ["m+1", "0xf0"]),
    "atomicand8": ("ffffffff", ["m+1", "0x0f"]),
    "cas": ("ffffffff", ["m", "-1", "-2"]),  # check()'s cas(&z, 0xffffffff, 0xfffffffe), int32 -1 and -2
    "cas64": ("u64:42", ["m", "42", "1"]),
    "casp": ("u64:42", ["m", "42", "1"]),
    "xadd": ("u32:1", ["m", "5"]),
    "xadd64": ("u64:0x10000000001", ["m", "0x10000000001"]),
    "xchg": ("u32:1", ["m", "7"]),
    "xchg64": ("u64:1", ["m", "0x30000000003"]),
    "atomicload": ("u32:0x01020304", ["m"]),
    "atomicload64": ("u64:0x0102030405060708", ["m"]),
    "atomicstore": ("u32:0", ["m", "0x01020304"]),
    "atomicstore64": ("u64:0", ["m", "0x0102030405060708"]),
}
# Reference semantics: stub -> (operand bytes, op(old, args) -> (new value or None, result or None)).
REFERENCE = {
    "atomicor8": (1, lambda old, a: (old | (a[1] & 0xFF), None)),
    "atomicand8": (1, lambda old, a: (old & (a[1] & 0xFF), None)),
    "cas": (4, lambda old, a: (a[2], 1) if old == a[1] & 0xFFFFFFFF else (None, 0)),
    "cas64": (8, lambda old, a: (a[2], 1) if old == a[1] else (None, 0)),
    "xadd": (4, lambda old, a: ((old + a[1]) & 0xFFFFFFFF,) * 2),
    "xadd64": (8, lambda old, a: ((old + a[1]) & (1 << 64) - 1,) * 2),
    "xchg": (4, lambda old, a: (a[1] & 0xFFFFFFFF, old)),
    "xchg64": (8, lambda old, a: (a[1], old)),
    "atomicload": (4, lambda old, a: (None, old)),
    "atomicload64": (8, lambda old, a: (None, old)),
    "atomicstore": (4, lambda old, a: (a[1] & 0xFFFFFFFF, None)),
    "atomicstore64": (8, lambda old, a: (a[1], None)),
}
ARRAY_OFFSET = 0x100  # guard bytes before the array in the scratch area
# Instructions one explained call may run: every stub on a hand-written array needs far fewer,
# and each one is traced in Python, so a runaway stub must be stopped early (about a second).
EXPLAIN_BUDGET = 20_000


@dataclass
class Column:
    """One arch's run of the stub."""

    arch: Arch
    source: str
    before: bytes = b""
    after: bytes = b""
    expected: bytes = b""
    registers: list[str] = field(default_factory=list)  # the arguments as the registers hold them
    result: int | None = None
    expected_result: int | None = None
    shifts: list[str] = field(default_factory=list)
    stores: list[str] = field(default_factory=list)
    orderings: list[str] = field(default_factory=list)  # barriers the call ran, under `model`
    model: str = "sc"
    error: str = ""


# ---- parsing ---------------------------------------------------------------------------------


def initial_memory(text: str, arch: Arch) -> bytes:
    """`01 01 01 01`, `01010101`, `u32:0x2a` or `u64:42` (the last two in the arch's byte order)."""
    match = re.fullmatch(r"u(8|16|32|64):(.+)", text.strip())
    if match:
        return arch.pack(int(match.group(2), 0), int(match.group(1)) // 8)
    try:
        return bytes.fromhex(text.replace(",", " "))
    except ValueError:
        raise UsageError(f"--mem: not hex bytes or uN:VALUE: '{text}'") from None


def argument(text: str, m: int) -> int:
    """`m`, `m+1`, `0xf0`, `-1`: integers, with `m` the array's address."""
    total = 0
    for sign, term in re.findall(r"([+-]?)\s*([^+\s-]+)", text.replace(" ", "")):
        value = m if term == "m" else _int(term)
        total += -value if sign == "-" else value
    return total


def _int(term: str) -> int:
    try:
        return int(term, 0)
    except ValueError:
        raise UsageError(f"--args: not a number or `m`: '{term}'") from None


# ---- running one arch ---------------------------------------------------------------------------


def run_one(
    arch: Arch,
    stub: str,
    mem_text: str,
    arg_texts: list[str],
    user: UserStubs | None,
    model: str = "sc",
) -> Column:
    """The call on `arch` under memory model `model` (sc: one memory, no hooks)."""
    from emu.stubs import StubError, StubMachine

    machine = StubMachine(arch, user, RunOptions(memory_model=model))
    column = Column(arch, machine.source.origin, model=model)
    weak = machine.machine.weak_memory
    if weak is not None:
        weak.observer.on_ordering = lambda pc, text, kind: column.orderings.append(f"{text}: {kind}")
    if user is not None and stub not in machine.source.user_functions:
        raise UsageError(
            f"{machine.source.user_file} does not define {stub} (it defines "
            f"{', '.join(machine.source.user_functions)}): nothing of yours to explain on {arch.name}"
        )
    m = machine.data + ARRAY_OFFSET
    column.before = initial_memory(mem_text, arch)
    machine.write(m, column.before)
    args = [argument(text, m) for text in arg_texts]
    kinds = signature(stub)[0]
    column.registers = [
        _in_array(_in_register(arch, kind, value), m, len(column.before))
        for kind, value in zip(kinds, args, strict=False)
    ]
    records: list[TraceRecord] = []
    tracer = Tracer(machine.machine, None).install()
    tracer.listeners.append(records.append)
    try:
        column.result = machine.call(stub, *args, budget=EXPLAIN_BUDGET)
    except (StubError, EmuError) as err:
        column.error = str(err)
    tracer.after_slice(machine.thread)
    if weak is not None:
        weak.flush()
    column.after = machine.read(m, len(column.before))
    _describe(column, records, m)
    _reference(column, stub, args, m)
    return column


def _in_register(arch: Arch, kind: str, value: int) -> int:
    """The argument as the register (pair) holds it: a negative int32 on a 64-bit arch is sign-extended."""
    bits = 8 * max(KIND_BYTES.get(kind, arch.word_size), arch.word_size)
    return value & ((1 << bits) - 1)


def _in_array(value: int, m: int, size: int) -> str:
    """`m+N` for an address inside the array, hex otherwise."""
    return f"m+{value - m}" if m <= value < m + size else f"{value:#x}"


def _describe(column: Column, records: list[TraceRecord], m: int) -> None:
    """The shifts the stub computed (`[explain] shifts`) and the stores it made into the array."""
    shifts = column.arch.explain.shifts
    for record in records:
        if record.insn.mnemonic.rstrip(".") in shifts and record.regs:
            name, _, new = record.regs[0]
            column.shifts.append(f"{record.insn.mnemonic}: {name}={_in_array(new, m, len(column.before))}")
        for address, data in record.writes:
            if m <= address < m + len(column.before):
                column.stores.append(f"{record.insn.mnemonic} m+{address - m}/{len(data)}: {data.hex(' ')}")


def _reference(column: Column, stub: str, args: list[int], m: int) -> None:
    name = {"casp": "cas64" if column.arch.bits == 64 else "cas"}.get(stub, stub)
    if name not in REFERENCE:
        return
    size, op = REFERENCE[name]
    offset = args[0] - m
    memory = bytearray(column.before)
    old = column.arch.unpack(bytes(memory[offset : offset + size]))
    new, column.expected_result = op(old, args)
    if new is not None:
        memory[offset : offset + size] = column.arch.pack(new, size)
    column.expected = bytes(memory)


# ---- the table ------------------------------------------------------------------------------------


def _word(arch: Arch, data: bytes) -> str:
    size = 8 if len(data) >= 8 else 4
    return f"{arch.unpack(data[:size]):#0{2 + 2 * size}x}" if len(data) >= 4 else "-"


def _verdict(column: Column) -> str:
    if column.error:
        return f"ERROR {column.error}"
    if not column.expected:
        return "(no reference model)"
    wrong = [i for i in range(len(column.after)) if column.after[i] != column.expected[i]]
    if wrong:
        return "WRONG " + ", ".join(
            f"m[{i}]={column.after[i]:02x} want {column.expected[i]:02x}" for i in wrong
        )
    if column.expected_result is not None and column.result != column.expected_result:
        return f"WRONG result {column.result:#x}, want {column.expected_result:#x}"
    return "ok"


def _barriers(column: Column) -> list[str]:
    """The ordering instructions the call ran and what they are in the memory model."""
    return [f"model {column.model}:", *(column.orderings or ["none"])]


def _changed(column: Column) -> str:
    changed = [f"m[{i}]" for i in range(len(column.before)) if column.before[i] != column.after[i]]
    return ", ".join(changed) or "none"


def rows(columns: list[Column]) -> list[tuple[str, list[list[str]]]]:
    def each(fn) -> list[list[str]]:
        return [fn(c) if isinstance(fn(c), list) else [fn(c)] for c in columns]

    return [
        ("stub source", each(lambda c: c.source)),
        ("byte order", each(lambda c: c.arch.endian)),
        ("bytes before", each(lambda c: c.before.hex(" "))),
        ("word before", each(lambda c: _word(c.arch, c.before))),
        ("registers", each(lambda c: c.registers or ["none"])),
        ("shifts", each(lambda c: c.shifts or ["none"])),
        ("stores to m", each(lambda c: c.stores or ["none"])),
        *([("barriers", each(_barriers))] if any(c.model != "sc" for c in columns) else []),
        ("bytes after", each(lambda c: c.after.hex(" "))),
        ("changed", each(_changed)),
        ("word after", each(lambda c: _word(c.arch, c.after))),
        (
            "result",
            each(lambda c: "-" if c.expected_result is None or c.result is None else f"{c.result:#x}"),
        ),
        ("reference", each(lambda c: c.expected.hex(" ") if c.expected else "-")),
        ("verdict", each(_verdict)),
    ]


def render(title: str, columns: list[Column]) -> str:
    table = rows(columns)
    label_width = max(len(label) for label, _ in table) + 2
    widths = [max(len(line) for _, cells in table for line in cells[i]) + 3 for i in range(len(columns))]
    names = "".join(c.arch.name.ljust(w) for c, w in zip(columns, widths, strict=True))
    out = [title, "", (" " * label_width + names).rstrip()]
    for label, cells in table:
        for depth in range(max(len(cell) for cell in cells)):
            parts = [
                (cell[depth] if depth < len(cell) else "").ljust(w)
                for cell, w in zip(cells, widths, strict=True)
            ]
            out.append((label if depth == 0 else "").ljust(label_width) + "".join(parts).rstrip())
    return "\n".join(out) + "\n"


# ---- the command ---------------------------------------------------------------------------------


def add_command(commands) -> None:
    explain = commands.add_parser(
        "explain",
        help="run one runtime stub on several arches and show its bytes side by side",
        description="Run one stub call on each arch and show, side by side, the bytes before and after, the "
        "word as each arch reads it, the shifts the stub computed, its stores and whether the result "
        "matches the reference semantics (docs/debugging.md).",
    )
    explain.add_argument("stub", help="stub name, e.g. atomicor8, cas")
    explain.add_argument(
        "--arch",
        "-a",
        default="all",
        help="`all` (default; with --stubs: the arches you have stubs for) or a list",
    )
    explain.add_argument("--args", nargs="+", metavar="ARG", help="arguments; `m` is the array (default: "
                         "the Go runtime's start-up check, e.g. m+1 0xf0 for atomicor8)")  # fmt: skip
    explain.add_argument(
        "--mem", metavar="BYTES", help="initial array: hex bytes (01010101) or u32:V / u64:V"
    )
    explain.add_argument(
        "--memory-model",
        choices=MODELS,
        default="sc",
        help="run the call under tso, power or arm (default sc) and add a `barriers` row: the "
        "ordering instructions it ran and their kind in that model (a store-conditional may then "
        "fail and retry, as the hardware's may)",
    )
    add_stubs_argument(explain, "--stub-file")
    explain.set_defaults(handler=command_explain)


def command_explain(args: argparse.Namespace) -> int:
    user = UserStubs.from_option(args.stubs)
    wanted = None if args.arch == "all" else [arches.resolve_name(a) for a in args.arch.split(",")]
    names = user.select(wanted) if user else wanted or list(arches.all_arches())
    args.stub = plain_name(args.stub)
    try:
        parameters, _ = signature(args.stub)
    except EmuError:
        known = ", ".join(sorted(SIGNATURES))
        raise UsageError(f"unknown stub {args.stub!r} (known: {known}, and sys_* wrappers)") from None
    default_mem, default_args = EXAMPLES.get(args.stub, ("00000000", ["m"]))
    arg_texts, mem_text = args.args or default_args, args.mem or default_mem
    if args.args and len(arg_texts) != len(parameters):
        raise UsageError(f"--args: {args.stub} takes {len(parameters)} arguments, got {len(arg_texts)}")
    columns = [
        run_one(arches.get(name), args.stub, mem_text, arg_texts, user, args.memory_model) for name in names
    ]
    title = f"emu explain {args.stub}({', '.join(arg_texts)}), m = {columns[0].before.hex(' ')}"
    print(render(title, columns), end="")
    return 0 if all(_verdict(c) in ("ok", "(no reference model)") for c in columns) else 1
