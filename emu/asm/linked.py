"""Assembling with an external toolchain (an assembler making an ELF object, a linker making a
static executable): what the GNU and llvm back ends share.

Sections are placed with `sections.place`, the same function the keystone back
end uses, so every back end puts the same program at the same addresses and
their bytes can be compared directly. A back end module names its tools and
flags in a `Toolchain`; the object's sections, the link, the DWARF line table
and the one-line errors are done here once.
"""

from __future__ import annotations

import functools
import re
import resource
import signal
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from elftools.elf.constants import SH_FLAGS
from elftools.elf.elffile import ELFFile
from elftools.elf.sections import SymbolTableSection

from emu.arch import Arch
from emu.asm import sections as sec
from emu.elf import load_elf
from emu.errors import AsmError
from emu.image import Image
from emu.memory import DEFAULT_MEM_LIMIT as DEFAULT_IMAGE_LIMIT

SKIPPED = {"", ".symtab", ".strtab", ".shstrtab", ".comment", ".note.GNU-stack"}
TABLES_ALLOWANCE = 16 << 20  # room for symbols, relocations and line tables beside the image's bytes
TOOL_TIMEOUT = 60.0  # seconds for one assembler or linker run: far above any honest source
STDERR_KEPT = 1 << 20  # bytes of a tool's messages read back (the first error is near the top)


@dataclass(frozen=True)
class Toolchain:
    """One back end's tools: the assembler and linker commands with their flags (before the files).

    `error` matches the assembler's error lines, with groups file, line and msg; `label` tags
    the messages so a user knows which assembler said it. The assembler writes a DWARF 4 line
    table (its flags ask for one): emu's reports name file:line as for keystone's images.
    """

    label: str
    assembler: tuple[str, ...]
    linker: tuple[str, ...]
    error: re.Pattern[str]


def link_executable(
    text: str, arch: Arch, filename: str, out: Path, tools: Toolchain, image_limit: int = DEFAULT_IMAGE_LIMIT
) -> Path:
    """A static executable at `out`, its sections placed as emu places them.

    `.include` is looked up beside `filename`, as the assembler does for the original file.
    No file a tool writes may exceed `image_limit` (plus room for symbols and line tables): a
    `.fill` of gigabytes is a one-line error, as keystone's back end makes it, not a full disk.
    """
    work = out.parent
    source, obj = work / f"{out.name}.s", work / f"{out.name}.o"
    prelude = arch.gnu.prelude
    source.write_text(f"{prelude}{arch.separator} {text}" if prelude else text)  # same line numbers
    include = ["-I", str(Path(filename).resolve().parent)]
    limit = image_limit + TABLES_ALLOWANCE
    _run([*tools.assembler, *include, "-o", str(obj), str(source)], tools, filename, limit, source)
    starts = _section_starts(obj, arch)
    if not _has_code(obj):
        raise AsmError(filename, 1, sec.NOTHING_TO_RUN)
    args = [*tools.linker, "-static", "-o", str(out), str(obj)]
    args += [f"--section-start={name}={address:#x}" for name, address in starts.items()]
    if _defines_start(obj):
        args += ["-e", "_start"]
    _run(args, tools, filename, limit, source)  # ld names the temp copy's lines too (DWARF)
    return out


def assemble(
    text: str, arch: Arch, filename: str, tools: Toolchain, image_limit: int = DEFAULT_IMAGE_LIMIT
) -> Image:
    """The Image of `text` (read from `filename`), linked by `tools`, with its file:line table."""
    with tempfile.TemporaryDirectory(prefix="emu-asm-") as tmp:
        out = Path(tmp) / "a.out"
        image = load_elf(link_executable(text, arch, filename, out, tools, image_limit), arch.name)
        image.path = filename
        image.source_lines = source_lines(out, {str(out.parent / f"{out.name}.s"): filename})
        return image


def source_lines(executable: Path, renamed: dict[str, str]) -> dict[int, tuple[str, int]]:
    """address -> (file, line) from the executable's DWARF line table; `renamed` maps the temp
    copy the assembler read back to the user's file."""
    found: dict[int, tuple[str, int]] = {}
    with open(executable, "rb") as handle:
        elf = ELFFile(handle)
        if not elf.has_dwarf_info():
            return found
        dwarf = elf.get_dwarf_info()
        for unit in dwarf.iter_CUs():
            program = dwarf.line_program_for_CU(unit)
            if program is None:
                continue
            names = _line_table_files(program)
            for entry in program.get_entries():
                state = entry.state
                if state is None or state.end_sequence or state.file not in names:
                    continue
                name = names[state.file]
                found.setdefault(state.address, (renamed.get(name, name), state.line))
    return found


def _line_table_files(program) -> dict[int, str]:
    """DWARF 4 file numbers (from 1) -> paths, joined with their include directory."""
    directories = [b"", *program["include_directory"]]
    files = {}
    for number, entry in enumerate(program["file_entry"], start=1):
        directory = directories[entry.dir_index] if entry.dir_index < len(directories) else b""
        name = entry.name.decode(errors="replace")
        files[number] = str(Path(directory.decode(errors="replace"), name)) if directory else name
    return files


def _section_starts(obj: Path, arch: Arch) -> dict[str, int]:
    with open(obj, "rb") as handle:
        elf = ELFFile(handle)
        found = []
        for section in elf.iter_sections():
            flags = section["sh_flags"]
            if section.name in SKIPPED or not flags & SH_FLAGS.SHF_ALLOC:
                continue
            letters = (
                "a"
                + ("x" if flags & SH_FLAGS.SHF_EXECINSTR else "")
                + ("w" if flags & SH_FLAGS.SHF_WRITE else "")
            )
            if section.name == ".text" or section["sh_size"]:
                found.append((section.name, sec.kind_of(section.name, letters), section["sh_size"]))
    return sec.place(found, arch.text_base, arch.page_size)


def _has_code(obj: Path) -> bool:
    """Whether some allocated code section of the object holds bytes (ld would make no segment)."""
    with open(obj, "rb") as handle:
        return any(
            section["sh_size"] and section["sh_flags"] & SH_FLAGS.SHF_EXECINSTR
            for section in ELFFile(handle).iter_sections()
        )


def _defines_start(obj: Path) -> bool:
    with open(obj, "rb") as handle:
        table = ELFFile(handle).get_section_by_name(".symtab")
        return isinstance(table, SymbolTableSection) and any(s.name == "_start" for s in table.iter_symbols())


def _run(
    args: list[str], tools: Toolchain, filename: str, output_limit: int, temp_source: Path | None = None
) -> None:
    """Run a tool; its first error becomes an AsmError at the file:line it names.

    The assembler names the temp copy for the user's own lines, and the real path for an
    included file or a cpp linemarker's file. A tool killed by a signal (llvm-mc 19 crashes
    on some input) is an error naming the file, not a traceback.
    """
    tool = Path(args[0]).name
    with tempfile.TemporaryFile() as errors:
        try:
            status = subprocess.run(
                args,
                stdout=subprocess.DEVNULL,
                stderr=errors,
                timeout=TOOL_TIMEOUT,
                preexec_fn=functools.partial(_limit_output, output_limit),
                check=False,
            ).returncode
        except subprocess.TimeoutExpired:
            raise AsmError(filename, 0, f"{tool} did not finish within {TOOL_TIMEOUT:.0f} s") from None
        errors.seek(0)
        stderr = errors.read(STDERR_KEPT).decode(errors="replace")  # `.rept` of errors can be gigabytes
    if status == 0:
        return
    if status == -signal.SIGXFSZ:
        raise AsmError(
            filename, 0, f"{tool}: the image exceeds --mem-limit ({output_limit - TABLES_ALLOWANCE} bytes)"
        )
    if status < 0:
        raise AsmError(filename, 0, f"{tool} crashed ({signal.Signals(-status).name}) on this source")
    for line in stderr.splitlines():
        match = tools.error.match(line)
        if match:
            read = match.group("file")  # the temp copy (for the user's own lines) or an included file
            where = filename if temp_source is not None and read == str(temp_source) else read
            number = _within_file(read, int(match.group("line")))
            raise AsmError(
                where, number, f"{match.group('msg')} ({tools.label})", _source_line(where, number)
            )
    raise _unlocated_error(stderr, status, tools, filename, temp_source)


def _unlocated_error(
    stderr: str, status: int, tools: Toolchain, filename: str, copy: Path | None
) -> AsmError:
    """A message in no assembler's `file:line: error:` form (the linker's, a whole-file error),
    said of the user's file: the line the message cites in emu's temp copy (ld: `copy:3: undefined
    reference`, lld: `>>> referenced by copy:3`) when it cites one, and never the temp paths."""
    lines = [line for line in stderr.splitlines() if line.strip()]
    text = next((line for line in lines if "error:" in line), lines[-1] if lines else f"exit status {status}")
    cited = re.search(rf"{re.escape(str(copy))}:(\d+)", stderr) if copy is not None else None
    if copy is not None:
        text = text.replace(f"{copy}:{cited[1]}: " if cited else f"{copy}: ", "")
        text = re.sub(rf"{re.escape(str(copy.parent))}/\S+", filename, text)
    text = re.sub(r"^(?:\S+: )?(?:Fatal error|Error|error): ", "", text.strip())
    if cited is None or copy is None:
        return AsmError(filename, 0, f"{text} ({tools.label})")
    number = _within_file(str(copy), int(cited[1]))
    return AsmError(filename, number, f"{text} ({tools.label})", _source_line(filename, number))


def _limit_output(limit: int) -> None:
    """In the tool's process: a file it writes past `limit` bytes ends it with SIGXFSZ."""
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))


def _within_file(filename: str, line: int) -> int:
    """An error the assembler puts after the last line (an unclosed `.rept` at end of file) is
    reported at the last line: file:line names a line the user can open."""
    try:
        count = len(Path(filename).read_text().splitlines())
    except OSError:
        return line
    return max(1, min(line, count))


def _source_line(filename: str, line: int) -> str:
    try:
        return Path(filename).read_text().splitlines()[line - 1]
    except (OSError, IndexError):
        return ""
