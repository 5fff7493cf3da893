"""From GNU-as source text to a flat list of statements.

Handles what happens before any encoding: comments, statement separators,
labels, cpp linemarkers, and numeric local labels (`1:`, `1b`, `1f`), which are
renamed to unique symbols because keystone rejects them. Conditionals, macros,
`.rept` and `.include` are expanded by `emu.asm.expand`.
"""

from __future__ import annotations

import bisect
import functools
import re
from dataclasses import dataclass, field
from pathlib import Path

from emu.errors import AsmError

LABEL = re.compile(r"^\s*([A-Za-z_.$][\w.$\u00b7@]*|\d+)\s*:(?!:)")
LOCAL_REF = re.compile(r"(?<![\w.$])(\d+)([bf])(?![\w.$])")
WORD = re.compile(r"^\s*(\S+)\s*(.*)$", re.S)


@dataclass
class Statement:
    """One label, directive or instruction, with where it came from."""

    filename: str
    line: int
    source: str  # the whole original line, for error messages
    label: str | None = None
    op: str = ""  # directive (".quad") or mnemonic ("addi"), as written
    args: str = ""
    macro_trail: list[str] = field(default_factory=list)

    def error(self, message: str) -> AsmError:
        return AsmError(self.filename, self.line, message, _shown(self.source))


def _strip_comment(line: str, comment: str, in_block: bool) -> tuple[str, bool]:
    """Remove `/* */` blocks and the arch's line comment, respecting quotes."""
    out, i, quote = [], 0, None
    while i < len(line):
        ch = line[i]
        if in_block:
            if line.startswith("*/", i):
                in_block, i = False, i + 2
            else:
                i += 1
            continue
        if quote:
            out.append(ch)
            if ch == "\\" and i + 1 < len(line):
                out.append(line[i + 1])
                i += 1
            elif ch == quote:
                quote = None
        elif ch == '"':
            quote = ch
            out.append(ch)
        elif line.startswith("/*", i):
            in_block, i = True, i + 2
            continue
        elif line.startswith("//", i) or ch == comment:
            break
        elif ch == "#" and not "".join(out).strip():
            break  # `#` at the start of a line is a comment on every target
        else:
            out.append(ch)
        i += 1
    return "".join(out), in_block


def _split_statements(text: str, separator: str) -> list[str]:
    parts: list[str] = []
    current: list[str] = []
    quote = False
    for ch in text:
        if ch == '"':
            quote = not quote
        if ch == separator and not quote:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return parts


def _parse_statement(text: str, filename: str, line: int, source: str) -> list[Statement]:
    statements = []
    while True:
        match = LABEL.match(text)
        if not match:
            break
        statements.append(Statement(filename, line, source, label=match.group(1)))
        text = text[match.end() :]
    word = WORD.match(text)
    if word:
        statements.append(Statement(filename, line, source, op=word.group(1), args=word.group(2).strip()))
    return statements


MAX_SOURCE_BYTES = 16 << 20  # a source or included file larger than this is refused
MAX_SHOWN_SOURCE = 160  # characters of the offending line shown under an error
LINEMARKER = re.compile(r'^#\s*(\d+)\s+"((?:[^"\\]|\\.)*)"')
CPP_DIRECTIVE = re.compile(r"^\s*#(if|ifdef|ifndef|elif|else|endif|define|undef|include|error)\b")


def parse(
    text: str, filename: str, comment: str, separator: str, preprocessed: bool = False
) -> list[Statement]:
    """All statements in `text`, includes read, conditionals and macros expanded, local labels renamed.

    `preprocessed` says `text` came out of cpp: `#` lines are its linemarkers.
    Otherwise a C preprocessor directive is an error, not the comment GNU as
    would silently make of it (both branches of an `#ifdef` would be assembled).
    """
    from emu.asm.expand import Expander

    reader = SourceReader(comment, separator)
    statements = Expander(reader).run(reader.statements(text, filename, cpp_allowed=preprocessed))
    return _rename_local_labels(statements)


def read_source(path: Path, where: Statement | None = None, name: str = "") -> str:
    """The text of a source file, refusing what is not a bounded regular text file.

    `/dev/zero`, a FIFO or `/proc/self/environ` must give a one-line error,
    never a hang, a host-sized read or the file's contents echoed in a message.
    """

    def fail(message: str) -> Exception:
        from emu.errors import UsageError

        return (
            where.error(f"cannot include '{name}': {message}") if where else UsageError(f"{path}: {message}")
        )

    try:
        if not path.is_file():
            return _raise(fail("not a regular file" if path.exists() else "no such file"))
        with open(path, "rb") as handle:
            data = handle.read(MAX_SOURCE_BYTES + 1)
    except OSError as err:
        return _raise(fail(err.strerror or str(err)))
    if len(data) > MAX_SOURCE_BYTES:
        return _raise(fail(f"larger than {MAX_SOURCE_BYTES >> 20} MiB"))
    if b"\0" in data:
        return _raise(fail("not a text file (it contains NUL bytes)"))
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return _raise(fail("not a UTF-8 text file"))


def _raise(error: Exception) -> str:
    raise error


class SourceReader:
    """Text -> statements, one file at a time, following cpp linemarkers."""

    def __init__(self, comment: str, separator: str) -> None:
        self.comment, self.separator = comment, separator

    def statements(self, text: str, filename: str, cpp_allowed: bool = False) -> list[Statement]:
        statements: list[Statement] = []
        in_block = False
        number = 0
        for raw in text.split("\n"):  # GNU as ends a line at \n only (not \f, \x1e, \u2028...)
            raw = raw.removesuffix("\r")
            number += 1
            marker = LINEMARKER.match(raw) if raw.startswith("#") else None
            if marker:  # `# 12 "file.S"`: the next line is line 12 of file.S (GNU as reads these too)
                number, filename = int(marker.group(1)) - 1, _unescape(marker.group(2))
                continue
            cpp = None if cpp_allowed or in_block else CPP_DIRECTIVE.match(raw)
            if cpp:
                directive = cpp.group(1)
                raise AsmError(
                    filename,
                    number,
                    f"'#{directive}' is a C preprocessor directive: GNU as reads it as a comment in "
                    "this file; name the file .S to preprocess it, or use .if/.ifdef",
                    _shown(raw),
                )
            code, in_block = _strip_comment(raw, self.comment, in_block)
            for part in _split_statements(code, self.separator):
                if part.strip():
                    statements.extend(_parse_statement(part, filename, number, raw))
        return statements

    def include(self, st: Statement) -> list[Statement]:
        """`.include "file"`, relative to the including file's directory."""
        name = st.args.strip()
        if len(name) < 2 or not (name[0] == name[-1] == '"'):
            raise st.error('.include needs a file name in quotes: .include "file.s"')
        path = Path(st.filename).parent / name[1:-1]
        return self.statements(read_source(path, st, name[1:-1]), str(path))


def _unescape(name: str) -> str:
    return re.sub(r"\\(.)", r"\1", name)


def _shown(line: str) -> str:
    """The source line as an error shows it: printable, and short."""
    shown = "".join(ch if ch.isprintable() else "?" for ch in line.strip())
    return shown if len(shown) <= MAX_SHOWN_SOURCE else shown[:MAX_SHOWN_SOURCE] + "..."


def _rename_local_labels(statements: list[Statement]) -> list[Statement]:
    """Give every `N:` a unique name and point each `Nb`/`Nf` at the right one."""
    definitions: dict[str, list[int]] = {}
    for index, st in enumerate(statements):
        if st.label and st.label.isdigit():
            definitions.setdefault(st.label, []).append(index)
    for index, st in enumerate(statements):
        if st.label and st.label.isdigit():
            st.label = _local_name(st.label, bisect.bisect_left(definitions[st.label], index))
        if st.args and not st.op.lower().startswith((".asci", ".string")):
            st.args = LOCAL_REF.sub(
                functools.partial(_local_target, index=index, definitions=definitions, st=st), st.args
            )
    return statements


def _local_name(number: str, occurrence: int) -> str:
    return f"__emu_local_{number}_{occurrence}"


def _local_target(match: re.Match, index: int, definitions: dict[str, list[int]], st: Statement) -> str:
    number, direction = match.group(1), match.group(2)
    places = definitions.get(number, [])
    if direction == "b":
        before = bisect.bisect_left(places, index)  # definitions strictly before this statement
        if not before:
            raise st.error(f"local label '{number}b' has no earlier '{number}:'")
        return _local_name(number, before - 1)
    after = bisect.bisect_right(places, index)
    if after == len(places):
        raise st.error(f"local label '{number}f' has no later '{number}:'")
    return _local_name(number, after)


def split_operands(text: str) -> list[str]:
    parts: list[str] = []
    current: list[str] = []
    depth, quote = 0, False
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
