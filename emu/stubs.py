"""Call runtime stubs (runtime_asm/) on the emulated CPU from Python: `sm.call("cas", p, 1, 2)`.

The calling convention is the one in runtime_asm/README.md: arguments go in the
arch's call registers (arch/<name>/arch.toml [call]), a value wider than a register
takes an aligned register pair (AAPCS), and the return address is a sentinel
that is never executed: the run stops when pc reaches it. Every call is bounded
by an instruction budget, so a broken stub fails with its name instead of hanging.

A StubMachine is built on emu.machine.Machine, so syscall wrappers reach emu's
real kernel, and it is reused for many calls: the conformance sweeps make
hundreds of thousands of calls and cannot afford an engine per call.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from emu import arch as arches
from emu.arch import Arch
from emu.asm import assemble_text
from emu.errors import AsmError, EmuError, UsageError
from emu.image import Image
from emu.machine import Machine, Thread
from emu.memory import PROT_EXEC, PROT_READ, PROT_WRITE
from emu.options import RunOptions

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


INT32_FORMS = ("sign-extended", "zero-extended")


def int32_arguments(arch: Arch, value: int) -> list[tuple[str, int]]:
    """A 32-bit argument as each caller of the port leaves it in a register: [(form, register value)].

    Go's check() passes cas's 0xffffffff as the int32 -1; in a 64-bit register
    that is 0xffffffffffffffff, and a stub that compares all 64 bits then fails.
    One entry (form "") where registers are 32 bits wide.
    """
    value &= 0xFFFFFFFF
    forms = arch.stubs.int32
    unknown = set(forms) - set(INT32_FORMS)
    if unknown:
        raise EmuError(
            f"arch/{arch.name}/arch.toml [stubs] int32: unknown form(s) {', '.join(sorted(unknown))}"
        )
    if not forms:
        return [("", value)]
    upper = arch.word_mask ^ 0xFFFFFFFF
    negative = bool(value & 0x80000000)
    return [(form, value | upper if form == "sign-extended" and negative else value) for form in forms]


def int32_pairs(arch: Arch, first: int, second: int) -> list[tuple[str, int, int]]:
    """Two 32-bit arguments (cas's old and new) in each distinct register form: [(form, a, b)].

    The form is "" when every caller puts the same bits in the registers (small
    values, 32-bit arches), so a report names it only where it matters.
    """
    pairs: dict[tuple[int, int], str] = {}
    for (form, a), (_, b) in zip(int32_arguments(arch, first), int32_arguments(arch, second), strict=True):
        pairs.setdefault((a, b), form)
    if len(pairs) == 1:
        return [("", a, b) for a, b in pairs]
    return [(form, a, b) for (a, b), form in pairs.items()]


# ---- sources: the real stubs, optionally with some functions replaced by the user's -------


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


def compose_source(base: str, defined: set[str], include: Path, comment: str) -> str:
    """The base stubs without the functions in `defined`, then `.include` of the user's file.

    The removed functions become blank lines, so every kept line keeps its line
    number, and the user's file is read by `.include` under its own path: an
    error in it is reported at the user's file:line, and a relative `.include`
    in it is resolved from the user's directory. If a replaced function had
    aliases (casp = cas64), the user must define them all, or callers of the
    alias would fall through into unrelated code.
    """
    prologue, functions = split_functions(base, comment)
    kept = []
    for names, body in functions:
        if not names & defined:
            kept.append(body)
            continue
        if not names <= defined:
            missing = ", ".join(sorted(names - defined))
            raise UsageError(
                f"{include}: replaces {', '.join(sorted(names & defined))} but not its alias {missing} "
                "(define both labels on the same code)"
            )
        kept.append("\n" * body.count("\n"))
    return prologue + "".join(kept) + f'\n.include "{include.resolve()}"\n'


def global_names(text: str, comment: str) -> list[str]:
    """The `.globl` names of a stub source, in source order."""
    _, functions = split_functions(text, comment)
    names = []
    for found, body in functions:
        order = re.findall(r"\.glob(?:a)?l\s+([\w.$]+)", body)
        names += [name for name in order if name in found]
    return names


GO_SPELLING = re.compile(r"^runtime(?:\u00b7|\.)([A-Za-z_]\w*)$")  # runtime·cas, runtime.cas


def plain_name(name: str) -> str:
    """`cas` for Go's spellings `runtime·cas` and `runtime.cas`; any other name unchanged."""
    match = GO_SPELLING.match(name)
    return match.group(1) if match else name


MUTANT_FILE = "mutant.toml"  # marks emu/data/mutants/<name>/: the code is each arch folder's mutants/<name>.s


@dataclass(frozen=True)
class UserStubs:
    """`--stubs PATH`: the user's own stubs, one file or a directory of per-arch files.

    A directory holds `<arch>.s`, `<family>.s` or `<family>/runtime.s`, with <family>
    the arch's stub family (`[stubs] family` in its arch.toml: amd64, arm, ppc64x). A
    shipped mutant's directory (emu/data/mutants/<name>/, with a mutant.toml) stands for
    the arch folders' mutants/<name>.s files. A file is for every arch, unless it is named
    like one of those (`ppc64x.s` is ppc64 and ppc64le code). The functions a file
    defines replace the shipped ones; `<family>/runtime.s` replaces the whole file.
    """

    path: Path

    @classmethod
    def from_option(cls, value: str | Path | None, option: str = "--stubs") -> UserStubs | None:
        if value is None or value == "":
            return None
        path = Path(value)
        if not path.exists():
            raise UsageError(f"{option} {path}: no such file or directory")
        return cls(path)

    def _candidates(self, arch_name: str) -> list[Path]:
        """Where the user's file for this arch may be (a file named for other arches is not for it)."""
        arch = arches.get(arch_name)
        sub = arch.stubs.family
        if (self.path / MUTANT_FILE).is_file():  # a shipped mutant: its code is in the arch folders
            return [folder / "mutants" / f"{self.path.name}.s" for folder in arch.folders]
        if self.path.is_file() and _shipped_mutant_folder(self.path) is not None:
            owners = [folder.resolve() for folder in arch.folders]
            return [self.path] if _shipped_mutant_folder(self.path) in owners else []
        if self.path.is_file():
            stem = self.path.stem
            named_for_others = (stem in _stub_families() or stem in arches.all_arches()) and stem not in (
                arch_name,
                sub,
            )
            return [] if named_for_others else [self.path]
        names = dict.fromkeys((f"{arch_name}.s", f"{sub}.s", f"{sub}/runtime.s"))
        return [self.path / name for name in names]

    def file_for(self, arch_name: str) -> Path | None:
        """The user's file for this arch, or None when PATH has none for it."""
        return next((path for path in self._candidates(arch_name) if path.is_file()), None)

    def version(self, arch_name: str) -> tuple[int, int] | None:
        """(mtime, size) of the file for this arch: what makes a cached assembly stale."""
        found = self.file_for(arch_name)
        if found is None:
            return None
        stat = found.stat()
        return stat.st_mtime_ns, stat.st_size

    def arches(self) -> list[str]:
        """The arches PATH has a file for, in `emu arches` order."""
        return [name for name in arches.all_arches() if self.file_for(name)]

    def require(self, arch_name: str) -> Path:
        """The user's file for this arch, or a UsageError saying what was looked for."""
        found = self.file_for(arch_name)
        if found is not None:
            return found
        if self.path.is_file():
            raise UsageError(
                f"--stubs {self.path}: the file is named for {', '.join(self.arches())} code, not {arch_name}"
            )
        looked = ", ".join(_shown(path, self.path) for path in self._candidates(arch_name))
        raise UsageError(f"--stubs {self.path}: no stubs for {arch_name} there (looked for {looked})")

    def select(self, wanted: list[str] | None) -> list[str]:
        """The arches to run: `wanted` (each must have a file), or all that have one.

        A verdict about none of the user's code is no verdict, so finding no file is an error.
        """
        if wanted is not None:
            for name in wanted:
                self.require(name)
            return wanted
        found = self.arches()
        if not found:
            expected = ", ".join(f"{sub}.s" for sub in sorted(_stub_families()))
            raise UsageError(
                f"--stubs {self.path}: holds no stubs for any arch (expected {expected}, "
                "an <arch>.s, or <dir>/runtime.s): nothing of yours to run"
            )
        return found


def stubs_help() -> str:
    """--stubs' help, naming the per-arch file names the arch folders define (`[stubs] family`)."""
    files = ", ".join(f"{family}.s" for family in sorted(_stub_families()))
    return (
        f"your stubs: a file, or a directory of per-arch files ({files}, or <family>/runtime.s for a whole "
        "file), or a shipped mutant (emu/data/mutants/NAME); the functions they define "
        "(runtime·cas and runtime.cas are cas) replace the shipped ones"
    )


class ArgumentContainer(Protocol):
    """An argparse parser or argument group: where an option can be added."""

    def add_argument(self, *name_or_flags: str, **kwargs: Any) -> argparse.Action: ...


def add_stubs_argument(parser: ArgumentContainer, *old_names: str) -> None:
    """`--stubs PATH`, the one option for the user's stubs (`old_names`: earlier names kept as aliases)."""
    aliases = f" ({', '.join(old_names)}: older names of this option)" if old_names else ""
    parser.add_argument("--stubs", *old_names, dest="stubs", metavar="PATH", help=stubs_help() + aliases)


def _shipped_mutant_folder(path: Path) -> Path | None:
    """The arch folder of a shipped mutant's file (<arch folder>/mutants/NAME.s), else None.

    Such a file is for that arch and the arches based on it, as its place says.
    """
    folder = path.resolve().parent.parent
    return folder if path.parent.name == "mutants" and (folder / arches.ARCH_FILE).is_file() else None


def _shown(path: Path, base: Path) -> str:
    """A looked-for file, relative to the --stubs directory when it is inside it."""
    return str(path.relative_to(base)) if path.is_relative_to(base) else str(path)


@functools.cache
def _stub_families() -> frozenset[str]:
    return frozenset(arch.stubs.family for arch in arches.all_arches().values())


def user_names(path: Path, arch: Arch) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(functions, Go-spelled labels) of the user's file, includes followed.

    The functions are its `.globl` names with Go's spellings made plain
    (`runtime·cas` defines `cas`); the Go-spelled labels get a plain alias.
    """
    from emu.asm.source import parse

    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise UsageError(f"{path}: cannot read: {getattr(err, 'strerror', None) or err}") from None
    statements = parse(text, str(path), arch.comment, arch.separator)
    functions, go_labels = [], []
    for st in statements:
        if st.op.lower() in (".globl", ".global"):
            functions += [plain_name(name.strip()) for name in st.args.split(",") if name.strip()]
        if st.label and plain_name(st.label) != st.label:
            go_labels.append(st.label)
    return tuple(dict.fromkeys(functions)), tuple(go_labels)


@dataclass(frozen=True)
class StubSource:
    """What to assemble for one arch's stubs, and which functions in it are the user's."""

    text: str
    filename: str  # the text is parsed as this file (relative .include, error locations)
    user_file: Path | None = None
    user_functions: tuple[str, ...] = ()

    @property
    def origin(self) -> str:
        return str(self.user_file) if self.user_file else "shipped runtime_asm"


def stub_source(arch: Arch, user: UserStubs | None = None) -> StubSource:
    """The stubs for `arch`: the shipped ones, with the user's functions in place of theirs.

    A user's file that does not assemble is an error at its own file:line; it is
    never replaced by the shipped code.
    """
    sub = arch.stubs.family
    base_path = arch.file("runtime_asm/runtime.s")
    base = base_path.read_text()
    if user is None:
        return StubSource(base, str(base_path))
    path = user.require(arch.name)
    defined, go_labels = user_names(path, arch)
    if not defined:
        raise UsageError(f"{path}: defines no function (no `.globl NAME`): nothing of yours to run")
    aliases = "".join(f"\n.globl {plain_name(go)}\n.set {plain_name(go)}, {go}\n" for go in go_labels)
    if path.name == "runtime.s" and path.parent.name == sub:  # a whole replacement
        text = f'.include "{path.resolve()}"\n'
    else:
        text = compose_source(base, set(defined), path, arch.comment)
    return StubSource(text + aliases, str(base_path), path, defined)


def stub_image(
    arch_name: str, user: UserStubs | None = None, extra: Path | None = None
) -> tuple[Image, StubSource]:
    """The assembled stubs and where they came from, once per (arch, user stubs as they are now, extra).

    `extra` is appended: guest code that calls the stubs by name (the contended cases' driver).
    A user's file that changed since (another mtime or size) is assembled again.
    """
    return _stub_image(arch_name, user, extra, user.version(arch_name) if user else None)


@functools.cache
def _stub_image(
    arch_name: str, user: UserStubs | None, extra: Path | None, version: tuple[int, int] | None
) -> tuple[Image, StubSource]:
    arch = arches.get(arch_name)
    source = stub_source(arch, user)
    text = source.text
    if extra is not None:
        text += "\n" + extra.read_text()
    with user_code_errors(arch, source):
        image = assemble_text(text, arch, source.filename)
    add_plain_names(image)
    return image, source


@contextlib.contextmanager
def user_code_errors(arch: Arch, source: StubSource) -> Iterator[None]:
    """An assembler error while the user's stubs are in: say which arch they were assembled for."""
    try:
        yield
    except AsmError as err:
        if source.user_file is None:
            raise
        note = f" (assembling your stubs {source.user_file} for {arch.name})"
        raise AsmError(err.filename, err.line, err.message + note, err.source) from None


def add_plain_names(image: Image) -> None:
    """`cas` for a function the user spelled `runtime·cas` (keystone keeps `.set` names out of the table)."""
    for name, address in list(image.symbols.items()):
        image.symbols.setdefault(plain_name(name), address)


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
        user: UserStubs | None = None,
        options: RunOptions | None = None,
        extra: Path | None = None,
    ):
        self.arch = arches.get(arch) if isinstance(arch, str) else arch
        self.abi = self.arch.stubs
        self.user = user
        self.image, self.source = stub_image(self.arch.name, user, extra)
        self.machine = Machine(self.arch, self.image, options or RunOptions())
        self.thread = self.machine.load()
        self.machine.current = self.thread
        self.regs, self.memory, self.uc = self.machine.regs, self.machine.memory, self.machine.uc
        self.sentinel = self._map_area(self.arch.page_size, PROT_READ | PROT_EXEC, "[stub-return]")
        self.data = self._map_area(SCRATCH_SIZE, PROT_READ | PROT_WRITE, "[stub-scratch]")
        self.call_sp = (self.regs[self.arch.sp] - 512) & ~0xF
        self.arg_regs = self.arch.call.args + self.abi.extra_args
        self.budget = DEFAULT_BUDGET
        self.instructions = 0  # emulated instructions run by calls, exact (the block counter's)

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
            self.regs[self.arch.link_register] = self.sentinel
        if call.entry_reg:
            self.regs[call.entry_reg] = address
        self.regs[self.arch.sp] = sp
        self.regs[self.arch.pc] = address

    def calling_thread(self) -> Thread:
        """The guest thread a call runs as (its tid in strace, its clock charged)."""
        return self.thread

    def run_to_sentinel(self, name: str, budget: int) -> None:
        """Run until pc == sentinel; faults, guest exits and exhausted budgets become StubError."""
        self.instructions += self.machine.run_until(self.calling_thread(), self.sentinel, budget)
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
