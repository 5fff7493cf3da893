"""Architecture descriptions: one folder per arch, `emu/data/arch/<name>/`, loaded into frozen dataclasses.

The folder holds every per-arch fact: `arch.toml` (identity, engines, registers, call and
syscall ABIs, Linux and signal-frame layout, faults, assembler dialect, memory model, timing,
stub conventions, gdb target, backtrace frames), `syscalls.tsv`, `runtime_asm/`, `timing/`
(CPU models, instruction classes, llvm-mca bodies) and `mutants/`. An arch may name a `base`
arch whose facts and files it inherits (ppc64le is ppc64 with the other byte order).

Every key is checked against these dataclasses when the file is read: a missing, misspelt
or mistyped key is a `MissingDataError` naming the file and the key, never a KeyError the
first time some command happens to use it. Code asks the record, never an arch name; this
module also resolves the names users type (`x86_64`, `armhf`, `power64le`...).
"""

from __future__ import annotations

import dataclasses
import functools
import tomllib
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from emu.errors import MissingDataError, UsageError
from emu.resources import data_dir

ARCH_FILE = "arch.toml"


class InvalidField(MissingDataError):
    """A record's own check failed on one of its fields (the loader adds the file and the key path)."""

    def __init__(self, field_name: str, problem: str) -> None:
        super().__init__(f"{problem} (key '{field_name}')")
        self.field_name, self.problem = field_name, problem


SYSCALL_TABLE = "syscalls.tsv"


@dataclass(frozen=True)
class EngineSpec:
    """How to open unicorn, keystone or capstone for this arch (names of their constants)."""

    arch: str
    mode: tuple[str, ...]
    cpu: str | None = None  # unicorn: a UC_CPU_* model
    modes_alt: dict[str, tuple[str, ...]] = field(default_factory=dict)  # alternate mode -> mode constants


@dataclass(frozen=True)
class GnuTools:
    """The Debian cross binutils and qemu-user for this arch (tests, differential runs, bench)."""

    prefix: str
    as_flags: tuple[str, ...]
    ld_flags: tuple[str, ...]
    prelude: str
    qemu: str
    syscall_header: str  # the uapi header tools/gen_syscalls.py reads syscalls.tsv from


@dataclass(frozen=True)
class LlvmTools:
    """How llvm-mc and ld.lld build this arch (the llvm back end, emu/asm/llvm_backend.py)."""

    triple: str  # llvm-mc -triple
    mc_flags: tuple[str, ...] = ()  # e.g. -mattr: the extensions GNU as's -march names
    ld_flags: tuple[str, ...] = ()  # as [gnu] ld_flags, in ld.lld's spelling


@dataclass(frozen=True)
class Registers:
    """Register names as emu spells them, and what unicorn calls them."""

    const_prefix: str
    pc: str
    sp: str
    general: tuple[str, ...]
    lr: str | None = None
    aliases: dict[str, str] = field(default_factory=dict)  # another spelling -> emu's name
    machine_state: tuple[str, ...] = ()  # hold the CPU's mode (user mode, byte order): never cleared


@dataclass(frozen=True)
class SyscallAbi:
    """How a guest asks the kernel for something, and how the answer comes back."""

    trap: str
    hook: str  # "insn" (an instruction hook on `insn`) or "intr" (interrupt number `intno`)
    number: str
    args: tuple[str, ...]
    result: str
    errors: str  # "negative" (-errno) or "flag" (error_flag's bit set + positive errno)
    intno: int | None = None
    insn: str | None = None  # with hook = "insn": unicorn's constant for the trap instruction
    clobbers: dict[str, str] = field(default_factory=dict)
    error_flag: ErrorFlag | None = None

    def __post_init__(self) -> None:
        if self.hook not in ("insn", "intr"):
            raise InvalidField("hook", f"'{self.hook}' is not 'insn' or 'intr':")
        if (self.hook == "insn") != (self.insn is not None):
            raise InvalidField("insn", "wanted exactly when hook = 'insn':")
        if self.errors not in ("negative", "flag"):
            raise InvalidField("errors", f"'{self.errors}' is not 'negative' or 'flag':")
        if (self.errors == "flag") != (self.error_flag is not None):
            raise InvalidField("error_flag", "wanted exactly when errors = 'flag':")


@dataclass(frozen=True)
class ErrorFlag:
    """Where a syscall reports failure when `errors = "flag"` (PPC: CR0.SO)."""

    register: str
    bit: int


@dataclass(frozen=True)
class CallAbi:
    """How emu calls a stub: registers for arguments and results."""

    args: tuple[str, ...]
    result: str
    return_via: str  # "stack" (x86 pushes the return address) or "lr"
    result_hi: str | None = None  # 32-bit arches return 64-bit values in a pair
    entry_reg: str | None = None  # ELFv2 wants the function address in r12
    descriptors: Descriptors | None = None  # ELFv1: code pointers are function descriptors


@dataclass(frozen=True)
class Descriptors:
    """Which executables use function descriptors {entry, TOC} for code pointers (ppc64 ELFv1)."""

    e_flags_mask: int
    e_flags: int
    toc_reg: str  # where the descriptor's TOC goes


@dataclass(frozen=True)
class EpollLayout:
    size: int
    data_offset: int


@dataclass(frozen=True)
class StatLayout:
    """struct stat as this arch's stat calls fill it: field -> (offset, size)."""

    size: int
    calls: tuple[str, ...]
    fields: dict[str, tuple[int, int]]


@dataclass(frozen=True)
class TimestampCounter:
    """An instruction that reads a cycle counter (x86 rdtsc): emu answers with its virtual clock."""

    instructions: tuple[str, ...]
    low: str
    high: str
    aux: str


@dataclass(frozen=True)
class CounterReads:
    """Counter reads Linux lets user code make and unicorn refuses (RISC-V `rdtime`: no timer
    behind the CSR). The engine raises `interrupt` at them; emu writes its virtual clock into
    the destination register instead and the thread goes on (emu/machine.py)."""

    interrupt: int
    instructions: tuple[Encoding, ...]
    destination_shift: int  # the destination register number is (word >> shift) & 31
    destinations: tuple[str, ...]  # register names by number

    def __post_init__(self) -> None:
        if len(self.destinations) != 32:
            raise InvalidField("destinations", f"{len(self.destinations)} names, wanted 32:")


@dataclass(frozen=True)
class LinuxFacts:
    """Kernel-layer facts (emu/kernel): clone order, TLS, address-space layout, struct layouts."""

    clone_args: tuple[str, ...]
    tls_register: str
    trap_size: int
    trap_pc_adjust: int
    mmap_base: int
    mmap_top: int
    task_size: int
    mmap_flags: dict[str, int]
    epoll_event: EpollLayout
    hpage_pmd_size: int
    open_flags: dict[str, int]
    uname_machine: str
    stat: StatLayout
    canonical_bits: int | None = None
    timestamp_counter: TimestampCounter | None = None
    arch_prctl_bases: dict[str, str] = field(default_factory=dict)  # arch_prctl's "fs"/"gs" -> base register
    counter_reads: CounterReads | None = None
    hint_words: tuple[int, ...] = ()  # instruction words emu treats as a yield


@dataclass(frozen=True)
class SignalFrame:
    """The rt signal frame Linux builds on this arch (emu/kernel/sigframe.py)."""

    frame_size: int
    ucontext: int
    siginfo: int
    siginfo_fields: int
    redzone: int
    align: int
    bias: int
    call_frame: int
    sigreturn_ucontext: int
    ucontext_size: int
    uc_stack: int
    uc_sigmask: int
    uc_registers: int
    registers: tuple[str, ...]
    trampoline: int
    trampoline_code: str
    entry_zero: tuple[str, ...] = ()
    fault_address_slot: int | None = (
        None  # the mcontext slot of the fault address (RISC-V has none: siginfo only)
    )
    mode_register: str | None = None
    mode_clear: int = 0
    alt_mode_bit: int = 0
    restore_forced: dict[str, tuple[int, int]] = field(default_factory=dict)
    uc_registers_pointer: int | None = None
    restore_skip: tuple[str, ...] = ()
    descriptor_toc: str | None = None


@dataclass(frozen=True)
class Interrupt:
    """An interrupt number unicorn reports -> the signal Linux sends."""

    signal: str
    pc_adjust: int
    reason: str


@dataclass(frozen=True)
class Breakpoint:
    bytes: str  # hex
    alt_mode: bool  # the pattern of the alternate instruction set (interworking)


@dataclass(frozen=True)
class SoftwareInterrupt:
    opcode: str
    user_vectors: tuple[int, ...]
    signal: str
    reason: str


@dataclass(frozen=True)
class Encoding:
    name: str
    mask: int
    match: int


@dataclass(frozen=True)
class Privileged:
    signal: str
    reason: str
    mnemonics: tuple[str, ...] = ()
    registers: tuple[str, ...] = ()
    encodings: tuple[Encoding, ...] = ()
    allowed: tuple[Encoding, ...] = ()


@dataclass(frozen=True)
class FaultRules:
    """What Linux does that unicorn does not (emu/faults.py)."""

    address_bits: int | None = None
    software_interrupt: SoftwareInterrupt | None = None
    privileged: Privileged | None = None
    breakpoints: tuple[Breakpoint, ...] = ()


@dataclass(frozen=True)
class Padding:
    """Code alignment filler, as GNU as emits it."""

    style: str  # "multibyte" (variable-length nops, largest first), "word" (one nop word), "group" (nops, a
    # group-ending nop last, a branch over long runs)
    nops: tuple[str, ...] = ()
    nop: int | None = None
    group_nop: int | None = None
    branch: int | None = None

    def __post_init__(self) -> None:
        needs = {"multibyte": ("nops",), "word": ("nop",), "group": ("nop", "group_nop", "branch")}
        if self.style not in needs:
            raise InvalidField("style", f"'{self.style}' is not one of {', '.join(needs)}:")
        for name in needs[self.style]:
            if not getattr(self, name):
                raise InvalidField(name, f"style '{self.style}' needs it: missing")


@dataclass(frozen=True)
class Auxv:
    hwcap: int
    hwcap2: int


@dataclass(frozen=True)
class AsmSyntax:
    """How GNU as reads this target's source (emu/asm)."""

    dialect: str
    word_size: int
    align: str  # .align N: N bytes ("bytes") or 2**N bytes ("power")
    literal_pools: bool
    insn_size_guess: int
    operand_forbidden: str
    predefines: dict[str, str]
    backends: tuple[str, ...] = ("keystone", "gnu")  # the assemblers that can do this arch, the default first
    mode_directives: dict[str, str] = field(default_factory=dict)  # ".thumb" -> "thumb" ("" = main mode)
    alt_insn_size_guess: dict[str, int] = field(default_factory=dict)  # alternate mode -> first-pass size
    mnemonic_prefixes: tuple[str, ...] = ()  # words that join the next mnemonic (`lock xadd` is one)

    def __post_init__(self) -> None:
        from emu.asm import ASSEMBLERS

        for name in self.backends:
            if name not in ASSEMBLERS:
                raise InvalidField(
                    "backends", f"unknown assembler '{name}' (known: {', '.join(ASSEMBLERS)}):"
                )
        if not self.backends:
            raise InvalidField("backends", "empty:")


@dataclass(frozen=True)
class Interworking:
    """ARM/Thumb: bit 0 of a code address selects the alternate state, a register bit holds it."""

    state_register: str
    state_bit: int
    mode: str  # the engines' alternate mode for that state (a key of [keystone]/[capstone] modes_alt)


@dataclass(frozen=True)
class MemoryModelFacts:
    """What emu/memmodel needs of an arch: its model, its barrier and atomic instructions."""

    default: str  # sc, tso, power or arm
    litmus: str  # the herd/litmus7 family of its litmus tests (PPC, ARM, X86)
    barriers: dict[str, str]  # "mnemonic" or "mnemonic operands" -> full, lw, ww or isync
    locked: tuple[str, ...]  # x86: a lock prefix or xchg with memory drains the store buffer
    load_reserve: tuple[str, ...]
    store_conditional: tuple[str, ...]
    litmus_registers: tuple[str, ...]  # free registers for herd's symbolic ones (%x0)
    litmus_rewrites: tuple[tuple[str, str], ...] = ()  # regex -> replacement: litmus7 syntax to ours
    litmus_memory_operand: str | None = None  # regex of an operand naming a location directly (group 1)

    def __post_init__(self) -> None:
        from emu.memmodel.storage import BARRIERS, MODELS

        if self.default not in MODELS:
            raise InvalidField("default", f"'{self.default}' is not one of {', '.join(MODELS)}:")
        for name, kind in self.barriers.items():
            if kind not in BARRIERS:
                raise InvalidField(f"barriers.{name}", f"unknown barrier kind '{kind}':")


@dataclass(frozen=True)
class AltMode:
    """A register bit that switches capstone to an alternate mode (ARM's CPSR.T -> Thumb)."""

    register: str
    mask: int
    capstone: str


@dataclass(frozen=True)
class TimingFacts:
    """Block decoding and timing (emu/native/blocks.py, emu/timing); the CPU models are timing/*.toml."""

    default_cpu: str
    insn_width: int  # bytes per instruction when fixed (blocks counted by size); 0 = variable
    llvm_mca_triple: str
    alt_mode: AltMode | None = None


@dataclass(frozen=True)
class Explain:
    """What `emu explain` shows of a stub (emu/debug/explain.py)."""

    shifts: tuple[str, ...]  # shift and rotate mnemonics (a `.` record form counts): the lane rows


@dataclass(frozen=True)
class StubAbi:
    """The runtime stubs' own conventions (runtime_asm/; emu/stubs.py)."""

    family: str  # the name `--stubs DIR` files go by (DIR/<family>.s), shared with derived arches
    extra_args: tuple[str, ...]
    g: str
    ctxt: str
    int32: tuple[str, ...]  # forms a 32-bit argument takes in a wider register
    harmless_mutants: tuple[str, ...] = ()  # shipped mutants whose file here is right on this arch


@dataclass(frozen=True)
class Frames:
    """How the post-mortem walks a stack: a chain of frames from one register."""

    link: str  # the link register, "" where the return address is on the stack
    frame: str
    previous_offset: int  # the caller's frame is the word at frame + this
    return_offset: int  # the return address is the word at (frame or caller's frame) + this
    return_from: str  # "frame" or "caller"
    return_on_stack_top: bool  # a leaf's return address is the word at sp


@dataclass(frozen=True)
class GdbTarget:
    """What the GDB remote stub announces: feature -> "gdbname[=emuname]:bits[:type]" in `g` order."""

    architecture: str
    elf_flags: int
    features: dict[str, tuple[str, ...]]


@dataclass(frozen=True)
class GoPort:
    """How Go cross-compiles for this arch: GOARCH and any other settings (GOARM)."""

    goarch: str
    env: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Bench:
    """`emu bench` on this arch: bench/*.s of its own folder, the toy-runtime GC loop, Qiling or not."""

    gcloop: str  # a file of the arch's folder (or its base's): examples/runtime/gcloop.s
    qiling: bool  # Qiling runs this arch's Linux programs


@dataclass(frozen=True)
class Arch:
    """One target architecture, as described by its folder."""

    name: str
    description: str
    aliases: tuple[str, ...]
    bits: int
    endian: str
    page_size: int
    comment: str
    separator: str
    text_base: int
    stack_top: int
    stack_size: int
    elf_machine: str
    unicorn: EngineSpec
    capstone: EngineSpec
    gnu: GnuTools
    registers: Registers
    call: CallAbi
    syscall: SyscallAbi
    linux: LinuxFacts
    signals: SignalFrame
    padding: Padding
    auxv: Auxv
    asm: AsmSyntax
    memory_model: MemoryModelFacts
    timing: TimingFacts
    stubs: StubAbi
    frames: Frames
    gdb: GdbTarget
    go: GoPort
    explain: Explain
    keystone: EngineSpec | None = None  # None: keystone cannot assemble it ([asm] backends)
    llvm: LlvmTools | None = None  # None: no llvm back end for it ([asm] backends names no "llvm")
    interrupts: dict[int, Interrupt] = field(default_factory=dict)
    faults: FaultRules = field(default_factory=FaultRules)
    interworking: Interworking | None = None
    bench: Bench | None = None
    quirk: str | None = None
    base: str | None = None  # the arch this one inherits facts and files from
    folders: tuple[Path, ...] = ()  # its own folder, then its base's: where its files are found
    syscalls: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if "llvm" in self.asm.backends and self.llvm is None:
            raise InvalidField("llvm", "[asm] backends names llvm, but there is no [llvm] table:")

    @property
    def word_size(self) -> int:
        return self.bits // 8

    @property
    def big_endian(self) -> bool:
        return self.endian == "big"

    @property
    def byteorder(self) -> typing.Literal["little", "big"]:
        """For int.from_bytes / int.to_bytes."""
        return "big" if self.big_endian else "little"

    @property
    def word_mask(self) -> int:
        return (1 << self.bits) - 1

    @property
    def syscall_names(self) -> dict[int, str]:
        return {number: name for name, number in self.syscalls.items()}

    @property
    def pc(self) -> str:
        return self.registers.pc

    @property
    def sp(self) -> str:
        return self.registers.sp

    @property
    def lr(self) -> str | None:
        return self.registers.lr

    @property
    def link_register(self) -> str:
        """Where a call leaves its return address, on arches whose calls do not push it."""
        if self.registers.lr is None:
            raise MissingDataError(f"{self.name}: [registers] has no lr, but calls return via it")
        return self.registers.lr

    def pack(self, value: int, size: int | None = None) -> bytes:
        """An integer as this arch stores it in memory (a word by default)."""
        size = size or self.word_size
        return (value & ((1 << (8 * size)) - 1)).to_bytes(size, self.byteorder)

    def unpack(self, data: bytes, signed: bool = False) -> int:
        return int.from_bytes(data, self.byteorder, signed=signed)

    def find(self, relative: str) -> Path | None:
        """The arch's file or folder `relative` (its own, else its base's), or None."""
        return next((folder / relative for folder in self.folders if (folder / relative).exists()), None)

    def file(self, relative: str) -> Path:
        """Like `find`, but a missing file is a MissingDataError naming where it was looked for."""
        found = self.find(relative)
        if found is None:
            looked = ", ".join(str(folder / relative) for folder in self.folders)
            raise MissingDataError(f"{self.name}: no {relative} (looked for {looked})")
        return found

    def files(self, pattern: str) -> list[Path]:
        """Files matching `pattern` in the first of its folders that has any (own before base)."""
        for folder in self.folders:
            found = sorted(folder.glob(pattern))
            if found:
                return found
        return []

    def tree(self, relative: str) -> dict[str, Path]:
        """Every file under the arch's folder `relative`, by its path inside it: its own, then each
        of its base's that it does not replace (ppc64le's examples: its hello.s, ppc64's runtime/)."""
        found: dict[str, Path] = {}
        for folder in self.folders:
            root = folder / relative
            for path in sorted(root.rglob("*")) if root.is_dir() else []:
                if path.is_file():
                    found.setdefault(path.relative_to(root).as_posix(), path)
        return dict(sorted(found.items()))

    def alt_mode(self, alternate_state: bool) -> str | None:
        """The engines' mode for code in the interworking state (ARM: Thumb) or the main one (None)."""
        return self.interworking.mode if alternate_state and self.interworking else None

    @property
    def cpus(self) -> list[str]:
        """The CPU models for this arch: timing/<model>.toml (the classes table excluded)."""
        return [path.stem for path in self.files("timing/*.toml") if path.stem != "classes"]


# ---- loading and checking ------------------------------------------------------------------

T = TypeVar("T")


class _Schema:
    """Builds a dataclass from a TOML table, naming the file and key of anything wrong."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def error(self, key: str, problem: str) -> MissingDataError:
        return MissingDataError(f"{self.path}: {problem} key '{key}'")

    def build(self, cls: type[T], table: object, where: str) -> T:
        if not isinstance(table, dict):
            raise self.error(where, f"a table expected (got {type(table).__name__}) at")
        hints = typing.get_type_hints(cls)
        fields = {f.name: f for f in dataclasses.fields(cls) if f.init}  # type: ignore[arg-type]
        prefix = f"{where}." if where else ""
        for key in table:
            if key not in fields or key in _COMPUTED:
                known = ", ".join(name for name in fields if name not in _COMPUTED)
                raise self.error(f"{prefix}{key}", f"unknown (misspelt?) key; known: {known};")
        for name, spec in fields.items():
            required = spec.default is dataclasses.MISSING and spec.default_factory is dataclasses.MISSING
            if required and name not in table and name not in _COMPUTED:
                raise self.error(f"{prefix}{name}", "missing")
        values = {key: self.convert(hints[key], value, f"{prefix}{key}") for key, value in table.items()}
        try:
            return cls(**values)
        except InvalidField as err:  # a check of the record itself (__post_init__)
            raise self.error(f"{prefix}{err.field_name}", err.problem) from None

    def convert(self, hint: Any, value: object, key: str) -> Any:
        origin, args = typing.get_origin(hint), typing.get_args(hint)
        if origin in (types.UnionType, typing.Union):  # X | None
            kinds = [arg for arg in args if arg is not type(None)]
            return self.convert(kinds[0], value, key)
        if dataclasses.is_dataclass(hint):
            return self.build(hint, value, key)  # type: ignore[arg-type]
        if origin is tuple:
            if not isinstance(value, list):
                raise self.error(key, f"a list expected (got {type(value).__name__}) at")
            if len(args) == 2 and args[1] is Ellipsis:
                return tuple(self.convert(args[0], item, f"{key}[{i}]") for i, item in enumerate(value))
            if len(value) != len(args):
                raise self.error(key, f"a list of {len(args)} expected at")
            return tuple(
                self.convert(arg, item, f"{key}[{i}]")
                for i, (arg, item) in enumerate(zip(args, value, strict=True))
            )
        if origin is dict:
            if not isinstance(value, dict):
                raise self.error(key, f"a table expected (got {type(value).__name__}) at")
            key_type, value_type = args
            return {
                self.convert_key(key_type, name, key): self.convert(value_type, item, f"{key}.{name}")
                for name, item in value.items()
            }
        if hint is Any:
            return value
        if hint is float and isinstance(value, int) and not isinstance(value, bool):
            return float(value)
        if not isinstance(value, hint) or (hint is int and isinstance(value, bool)):
            raise self.error(key, f"{hint.__name__} expected (got {type(value).__name__}) at")
        return value

    def convert_key(self, key_type: type, name: str, where: str) -> Any:
        if key_type is int:
            try:
                return int(name)
            except ValueError:
                raise self.error(f"{where}.{name}", "an integer expected as") from None
        return name


_COMPUTED = ("folders", "syscalls")  # filled by the loader, never written in arch.toml


def _merge(base: dict[str, Any], own: dict[str, Any]) -> dict[str, Any]:
    """`own` over `base`: a section (table) merges key by key; any other value replaces the base's."""
    merged = dict(base)
    for key, value in own.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = {**merged[key], **value}
        else:
            merged[key] = value
    return merged


def _read_syscall_table(path: Path) -> dict[str, int]:
    table = {}
    for lineno, line in enumerate(path.read_text().splitlines(), 1):
        if line and not line.startswith("#"):
            name, sep, number = line.partition("\t")
            if not sep or not number.strip().isdigit():
                raise MissingDataError(f"{path}:{lineno}: expected NAME<tab>NUMBER, got {line!r}")
            table[name] = int(number)
    return table


def load_record(cls: type[T], path: Path) -> T:
    """A data file other than arch.toml (a CPU model...) checked against its dataclass like one."""
    return _Schema(path).build(cls, _read_toml(path), "")


def arch_root() -> Path:
    """emu/data/arch: one folder per architecture."""
    return data_dir("arch")


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text())
    except tomllib.TOMLDecodeError as exc:
        raise MissingDataError(f"{path}: {exc}") from None


def _raw(folder: Path, seen: tuple[str, ...] = ()) -> tuple[dict[str, Any], tuple[Path, ...]]:
    """The arch.toml of `folder` over its base's (recursively), and the folders in lookup order."""
    path = folder / ARCH_FILE
    data = _read_toml(path)
    base = data.get("base")
    if base is None:
        return data, (folder,)
    if not isinstance(base, str) or not (folder.parent / base / ARCH_FILE).is_file():
        raise MissingDataError(f"{path}: key 'base' names no arch folder with an {ARCH_FILE} ({base!r})")
    if base in seen:
        raise MissingDataError(f"{path}: key 'base' makes a cycle ({' -> '.join((*seen, base))})")
    inherited, folders = _raw(folder.parent / base, (*seen, folder.name))
    inherited.pop("base", None)
    return _merge(inherited, data), (folder, *folders)


def load_folder(folder: Path) -> Arch:
    """The Arch described by `folder` (checked: every key known, present and of its type)."""
    data, folders = _raw(folder)
    schema = _Schema(folder / ARCH_FILE)
    arch = schema.build(Arch, data, "")
    if arch.name != folder.name:
        raise schema.error("name", f"'{arch.name}' differs from its folder's name '{folder.name}' in")
    table = next((f / SYSCALL_TABLE for f in folders if (f / SYSCALL_TABLE).is_file()), None)
    if table is None:
        raise MissingDataError(f"{folder}: no {SYSCALL_TABLE} (nor in its base's folder)")
    return dataclasses.replace(arch, folders=folders, syscalls=_read_syscall_table(table))


@functools.cache
def all_arches() -> dict[str, Arch]:
    """Every architecture with a folder, by canonical name (bases first, then by name)."""
    folders = sorted(path.parent for path in arch_root().glob(f"*/{ARCH_FILE}"))
    if not folders:
        raise MissingDataError(f"no architecture folders (*/{ARCH_FILE}) in {arch_root()}: reinstall emu")
    return {arch.name: arch for arch in map(load_folder, folders)}


def names() -> list[str]:
    """The canonical names of every arch found, in `emu arches` order."""
    return list(all_arches())


def resolve_name(name: str) -> str:
    """The canonical name for what a user typed, or a UsageError listing the choices."""
    wanted = name.strip().lower()
    for arch in all_arches().values():
        if wanted == arch.name or wanted in arch.aliases:
            return arch.name
    choices = ", ".join(sorted(all_arches()))
    raise UsageError(f"unknown architecture '{name}' (known: {choices}; see `emu arches`)")


def get(name: str) -> Arch:
    return all_arches()[resolve_name(name)]
