"""Call runtime stubs (runtime_asm/) on the emulated CPU from Python: `sm.call("cas", p, 1, 2)`.

The calling convention is the one in runtime_asm/README.md: arguments go in the
arch's call registers (arch/<name>.toml [call]), a value wider than a register
takes an aligned register pair (AAPCS), and the return address is a sentinel
that is never executed: the run stops when pc reaches it. Every call is bounded
by an instruction budget, so a broken stub fails with its name instead of hanging.

A StubMachine is built on emu.machine.Machine, so syscall wrappers reach emu's
real kernel, and it is reused for many calls: the conformance sweeps make
hundreds of thousands of calls and cannot afford an engine per call.
"""

from __future__ import annotations

import functools
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from unicorn import UcError

from emu import arch as arches
from emu.arch import Arch
from emu.asm import assemble_text
from emu.errors import EmuError
from emu.image import Image
from emu.machine import UC_FAULTS, Machine, StopReason
from emu.memory import PROT_EXEC, PROT_READ, PROT_WRITE
from emu.options import RunOptions
from emu.resources import data_dir

DEFAULT_BUDGET = 1_000_000  # instructions per call unless the caller asks for more
SCRATCH_SIZE = 8 << 20  # room for the 1 MiB+ memmove cases with guard bytes

# Argument / result kinds of every stub (the Go runtime's prototypes). "w" is a
# word or pointer, "u8"/"u32"/"u64" fixed widths, "bool" a 0/1 result.
SIGNATURES: dict[str, tuple[tuple[str, ...], str | None]] = {
    "memclr": (("w", "w"), None),
    "memmove": (("w", "w", "w"), "w"),
    "cas": (("w", "u32", "u32"), "bool"),
    "cas64": (("w", "u64", "u64"), "bool"),
    "casp": (("w", "w", "w"), "bool"),
    "xadd": (("w", "u32"), "u32"),
    "xadd64": (("w", "u64"), "u64"),
    "xchg": (("w", "u32"), "u32"),
    "xchg64": (("w", "u64"), "u64"),
    "xchgp": (("w", "w"), "w"),
    "atomicload": (("w",), "u32"),
    "atomicload64": (("w",), "u64"),
    "atomicloadp": (("w",), "w"),
    "atomicstore": (("w", "u32"), None),
    "atomicstore64": (("w", "u64"), None),
    "atomicstorep": (("w", "w"), None),
    "atomicor8": (("w", "u8"), None),
    "atomicand8": (("w", "u8"), None),
    "procyield": (("u32",), None),
    "gosave": (("w",), "w"),
    "gogo": (("w",), None),
}
SYSCALL_WRAPPER = re.compile(r"^sys_\w+$")  # every argument and the result are words
KIND_BYTES = {"u8": 1, "u32": 4, "u64": 8, "bool": 1}


class StubError(EmuError):
    """A stub did not come back: it faulted, ran out of budget, or ended the guest."""

    exit_status = 1

    def __init__(self, stub: str, message: str) -> None:
        super().__init__(f"{stub}: {message}")
        self.stub = stub


@dataclass(frozen=True)
class StubAbi:
    """What runtime_asm/abi.toml says about one arch's stubs."""

    dir: str
    extra_args: tuple[str, ...]
    g: str
    ctxt: str


@functools.cache
def stub_abi(arch_name: str) -> StubAbi:
    data = tomllib.loads((data_dir("runtime_asm") / "abi.toml").read_text())[arch_name]
    return StubAbi(data["dir"], tuple(data["extra_args"]), data["g"], data["ctxt"])


# ---- sources: the real stubs, optionally with some functions replaced -------------------


def _code_part(line: str, comment: str) -> str:
    """The line without its comment (the arch's comment char, or `#` at line start)."""
    text = line.split(comment, 1)[0]
    return "" if text.lstrip().startswith("#") else text.strip()


def _is_header_line(line: str, comment: str) -> bool:
    code = _code_part(line, comment)
    return not code or code.startswith((".globl", ".global")) or re.fullmatch(r"[\w.$]+:", code) is not None


def split_functions(text: str, comment: str) -> tuple[str, list[tuple[set[str], str]]]:
    """Split stub source into (prologue, [(global names, text)]).

    A chunk starts at a `.globl` line. Chunks that hold no instruction (a
    pointer-sized alias label that falls through into the next function) are
    merged into the following one, so aliases are always replaced together.
    """
    prologue, chunks = [], []
    for line in text.splitlines(keepends=True):
        match = re.match(r"\s*\.glob(?:a)?l\s+([\w.$]+)", _code_part(line, comment))
        if match:
            chunks.append(({match.group(1)}, [line]))
        elif chunks:
            chunks[-1][1].append(line)
        else:
            prologue.append(line)
    merged: list[tuple[set[str], str]] = []
    pending: set[str] = set()
    pending_text = ""
    for names, lines in chunks:
        body = "".join(lines)
        if all(_is_header_line(line, comment) for line in lines):
            pending |= names
            pending_text += body
            continue
        merged.append((pending | names, pending_text + body))
        pending, pending_text = set(), ""
    if pending:
        merged.append((pending, pending_text))
    return "".join(prologue), merged


def compose_source(base: str, override: str, comment: str) -> str:
    """The base stubs with every function the override defines replaced by the override's.

    Used for mutants: a file holding only the broken function. If the replaced
    function had aliases (casp = cas64), the override must define them all, or
    callers of the alias would fall through into unrelated code.
    """
    _, replacements = split_functions(override, comment)
    defined = set().union(*(names for names, _ in replacements)) if replacements else set()
    prologue, functions = split_functions(base, comment)
    kept = []
    for names, body in functions:
        if not names & defined:
            kept.append(body)
        elif not names <= defined:
            missing = ", ".join(sorted(names - defined))
            raise EmuError(
                f"override replaces {', '.join(sorted(names & defined))} but not its alias {missing}"
            )
    return prologue + "".join(kept) + "\n" + override


def global_names(text: str, comment: str) -> list[str]:
    """The `.globl` names of a stub source, in source order."""
    _, functions = split_functions(text, comment)
    names = []
    for found, body in functions:
        order = re.findall(r"\.glob(?:a)?l\s+([\w.$]+)", body)
        names += [name for name in order if name in found]
    return names


def stub_source(arch: Arch, override_dir: Path | None = None) -> tuple[str, str]:
    """(text, filename) of the stubs for `arch`.

    `override_dir` may hold `<dir>/runtime.s` (a whole replacement) or `<dir>.s`
    (only the functions to replace), with <dir> from runtime_asm/abi.toml.
    """
    sub = stub_abi(arch.name).dir
    base_path = data_dir("runtime_asm") / sub / "runtime.s"
    if override_dir is not None:
        whole, partial = Path(override_dir) / sub / "runtime.s", Path(override_dir) / f"{sub}.s"
        if whole.exists():
            return whole.read_text(), str(whole)
        if partial.exists():
            text = compose_source(base_path.read_text(), partial.read_text(), arch.comment)
            return text, str(partial)
    return base_path.read_text(), str(base_path)


@functools.cache
def stub_image(
    arch_name: str, override_dir: Path | None = None, extra: Path | None = None
) -> tuple[Image, tuple[str, ...]]:
    """The assembled stubs and their global names, once per (arch, override, extra source).

    `extra` is appended: guest code that calls the stubs by name (the contended cases' driver).
    """
    arch = arches.get(arch_name)
    text, filename = stub_source(arch, override_dir)
    if extra is not None:
        text += "\n" + extra.read_text()
    return assemble_text(text, arch, filename), tuple(global_names(text, arch.comment))


def signature(name: str) -> tuple[tuple[str, ...], str | None]:
    if name in SIGNATURES:
        return SIGNATURES[name]
    if SYSCALL_WRAPPER.match(name):
        return ("w",) * 6, "w"
    raise EmuError(f"no known signature for stub '{name}'")


# ---- the machine ---------------------------------------------------------------------------


class StubMachine:
    """One guest process holding the stubs, a scratch data area and a stack; call stubs by name.

    The scratch area starts at `self.data` (SCRATCH_SIZE bytes, read/write).
    """

    def __init__(
        self,
        arch: Arch | str,
        override_dir: Path | None = None,
        options: RunOptions | None = None,
        extra: Path | None = None,
    ):
        self.arch = arches.get(arch) if isinstance(arch, str) else arch
        self.abi = stub_abi(self.arch.name)
        self.override_dir = Path(override_dir) if override_dir else None
        self.image, self.stubs = stub_image(self.arch.name, self.override_dir, extra)
        self.machine = Machine(self.arch, self.image, options or RunOptions())
        self.thread = self.machine.load()
        self.machine.current = self.thread
        self.regs, self.memory, self.uc = self.machine.regs, self.machine.memory, self.machine.uc
        self.sentinel = self._map_area(self.arch.page_size, PROT_READ | PROT_EXEC, "[stub-return]")
        self.data = self._map_area(SCRATCH_SIZE, PROT_READ | PROT_WRITE, "[stub-scratch]")
        self.call_sp = (self.regs[self.arch.sp] - 512) & ~0xF
        self.arg_regs = self.arch.call.args + self.abi.extra_args
        self.budget = DEFAULT_BUDGET

    def _map_area(self, size: int, prot: int, name: str) -> int:
        floor = max(segment.end for segment in self.image.segments)
        start = self.memory.find_free(size, floor=floor, ceiling=1 << (self.arch.bits - 1))
        if start is None:
            raise EmuError(f"no room for {name}")
        self.memory.map(start, size, prot, name)
        return start

    # ---- memory helpers ---------------------------------------------------------------

    def read(self, address: int, size: int) -> bytes:
        return bytes(self.uc.mem_read(address, size))

    def write(self, address: int, data: bytes) -> None:
        self.uc.mem_write(address, bytes(data))

    def read_int(self, address: int, size: int) -> int:
        return self.arch.unpack(self.read(address, size))

    def write_int(self, address: int, value: int, size: int) -> None:
        self.write(address, self.arch.pack(value, size))

    # ---- calls ------------------------------------------------------------------------

    def address(self, name: str) -> int:
        if name not in self.image.symbols:
            raise EmuError(f"no stub named '{name}' for {self.arch.name}")
        return self.image.symbols[name]

    def call(self, name: str, *args: int, budget: int | None = None) -> int:
        """Run stub `name` with integer `args`; its result (0 for stubs without one)."""
        kinds, result_kind = signature(name)
        if len(args) > len(kinds):
            raise EmuError(f"{name} takes {len(kinds)} arguments, got {len(args)}")
        self.set_args(name, kinds, args)
        self.enter(name)
        self.run_to_sentinel(name, budget or self.budget)
        return self.result(result_kind)

    def set_args(self, name: str, kinds: tuple[str, ...], args: tuple[int, ...]) -> None:
        """Arguments into registers: one each, or an even-aligned pair when wider than a word."""
        word, index = self.arch.word_size, 0
        for kind, value in zip(kinds, args, strict=False):
            size = max(KIND_BYTES.get(kind, word), word)
            slots = size // word
            index += index % slots
            parts = self._split(value, slots)
            if index + slots > len(self.arg_regs):
                raise EmuError(f"{name}: too many argument words for {self.arch.name}")
            for offset, part in enumerate(parts):
                self.regs[self.arg_regs[index + offset]] = part
            index += slots

    def _split(self, value: int, slots: int) -> list[int]:
        """A value as register-sized parts, in the order the arch stores them in memory."""
        raw = self.arch.pack(value, slots * self.arch.word_size)
        size = self.arch.word_size
        return [self.arch.unpack(raw[i : i + size]) for i in range(0, len(raw), size)]

    def enter(self, name: str, sp: int | None = None) -> None:
        """Return address = sentinel (pushed or in lr), entry register, pc."""
        address, call = self.address(name), self.arch.call
        sp = self.call_sp if sp is None else sp
        if call.return_via == "stack":
            sp -= self.arch.word_size
            self.write_int(sp, self.sentinel, self.arch.word_size)
        else:
            self.regs[self.arch.lr] = self.sentinel
        if call.entry_reg:
            self.regs[call.entry_reg] = address
        self.regs[self.arch.sp] = sp
        self.regs[self.arch.pc] = address

    def run_to_sentinel(self, name: str, budget: int) -> None:
        """Run until pc == sentinel; faults, guest exits and exhausted budgets become StubError."""
        machine = self.machine
        machine.current, machine.stop = self.thread, StopReason()
        try:
            self.uc.emu_start(self.regs[self.arch.pc], self.sentinel, count=budget)
        except UcError as err:
            signal_name, reason = UC_FAULTS.get(err.errno, ("SIGILL", str(err)))
            raise StubError(
                name, f"{signal_name}, {reason} at {machine.describe_pc(self.regs[self.arch.pc])}"
            ) from None
        self._check_stop(name, budget)

    def _check_stop(self, name: str, budget: int) -> None:
        stop, pc = self.machine.stop, self.regs[self.arch.pc]
        if stop.error is not None:
            raise StubError(name, f"kernel error: {stop.error!r}")
        if stop.fault is not None:
            fault = stop.fault
            raise StubError(
                name, f"{fault.signal_name}, {fault.reason} at {self.machine.describe_pc(fault.pc)}"
            )
        if stop.exit_status is not None:
            raise StubError(name, f"ended the guest (exit status {stop.exit_status})")
        if pc != self.sentinel:
            raise StubError(
                name, f"did not return within {budget} instructions (pc {self.machine.describe_pc(pc)})"
            )

    def result(self, kind: str | None) -> int:
        """The result register(s); a 64-bit result on a 32-bit arch is combined from the pair."""
        call, word = self.arch.call, self.arch.word_size
        if kind is None:
            return 0
        if KIND_BYTES.get(kind, word) <= word or call.result_hi is None:
            return self.regs[call.result] & self.arch.word_mask
        # The pair holds the value in memory order (AAPCS: low word first on little-endian).
        raw = b"".join(self.arch.pack(self.regs[r], word) for r in (call.result, call.result_hi))
        return self.arch.unpack(raw)
