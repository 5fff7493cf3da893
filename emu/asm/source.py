"""From GNU-as source text to a flat list of statements.

Handles what happens before any encoding: comments, statement separators,
labels, `.macro` expansion, `.rept`, and numeric local labels (`1:`, `1b`, `1f`),
which are renamed to unique symbols because keystone rejects them.
"""

from __future__ import annotations

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
        return AsmError(self.filename, self.line, message, self.source)


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
    parts, current, quote = [], [], False
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


MAX_INCLUDE_DEPTH = 16


def parse(text: str, filename: str, comment: str, separator: str) -> list[Statement]:
    """All statements in `text`, includes read, macros expanded and local labels renamed."""
    statements = _read_lines(text, filename, comment, separator, depth=0)
    statements = _expand_macros(statements)
    return _rename_local_labels(statements)


def _read_lines(text: str, filename: str, comment: str, separator: str, depth: int) -> list[Statement]:
    statements: list[Statement] = []
    in_block = False
    for number, raw in enumerate(text.splitlines(), start=1):
        code, in_block = _strip_comment(raw, comment, in_block)
        for part in _split_statements(code, separator):
            if not part.strip():
                continue
            for st in _parse_statement(part, filename, number, raw):
                if st.op.lower() == ".include":
                    statements.extend(_include(st, comment, separator, depth))
                else:
                    statements.append(st)
    return statements


def _include(st: Statement, comment: str, separator: str, depth: int) -> list[Statement]:
    """`.include "file"`, relative to the including file as in GNU as."""
    name = st.args.strip().strip('"')
    if not name:
        raise st.error(".include needs a file name in quotes")
    if depth >= MAX_INCLUDE_DEPTH:
        raise st.error(f".include nests more than {MAX_INCLUDE_DEPTH} deep (recursive?)")
    path = Path(st.filename).parent / name
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise st.error(f"cannot include '{name}': {err.strerror}") from None
    return _read_lines(text, str(path), comment, separator, depth + 1)


@dataclass
class _Macro:
    name: str
    params: list[tuple[str, str | None]]  # (name, default)
    body: list[Statement]


def _macro_params(spec: str) -> list[tuple[str, str | None]]:
    params = []
    for item in re.split(r"[\s,]+", spec.strip()):
        if item:
            name, _, default = item.partition("=")
            params.append((name.split(":")[0], default or None))
    return params


def _split_args(text: str) -> list[str]:
    return [a.strip() for a in text.split(",")] if text.strip() else []


def _expand_macros(statements: list[Statement], depth: int = 0) -> list[Statement]:
    macros: dict[str, _Macro] = {}
    out: list[Statement] = []
    i = 0
    while i < len(statements):
        st = statements[i]
        op = st.op.lower()
        if op == ".macro":
            name, _, spec = st.args.replace(",", " ", 1).partition(" ")
            body, i = _collect_until(statements, i, ".endm", (".macro",))
            macros[name.strip()] = _Macro(name.strip(), _macro_params(spec), body)
            continue
        if op == ".rept":
            body, end = _collect_until(statements, i, ".endr", (".rept", ".irp"))
            count = _rept_count(st)
            out.extend(_expand_macros(body * count, depth + 1) if count else [])
            i = end
            continue
        if st.op in macros:
            if depth > 64:
                raise st.error(f"macro '{st.op}' nests too deeply (recursive?)")
            out.extend(_expand_macros(_instantiate(macros[st.op], st), depth + 1))
        else:
            out.append(st)
        i += 1
    return out


def _rept_count(st: Statement) -> int:
    from emu.asm.expr import ExprError, evaluate

    try:
        return evaluate(st.args, lambda name: (_ for _ in ()).throw(ExprError(f"'{name}' in .rept")))
    except ExprError as err:
        raise st.error(f".rept needs a constant count: {err}") from None


def _collect_until(
    statements: list[Statement], start: int, end: str, nest: tuple[str, ...]
) -> tuple[list[Statement], int]:
    depth, i = 0, start + 1
    while i < len(statements):
        op = statements[i].op.lower()
        if op in nest:
            depth += 1
        elif op == end:
            if depth == 0:
                return statements[start + 1 : i], i + 1
            depth -= 1
        i += 1
    raise statements[start].error(f"'{statements[start].op}' without a matching '{end}'")


def _instantiate(macro: _Macro, call: Statement) -> list[Statement]:
    given = _split_args(call.args)
    if len(given) > len(macro.params):
        raise call.error(f"macro '{macro.name}' takes {len(macro.params)} arguments, got {len(given)}")
    values = {}
    for index, (name, default) in enumerate(macro.params):
        value = given[index] if index < len(given) and given[index] != "" else default
        if value is None:
            raise call.error(f"macro '{macro.name}': missing value for '{name}'")
        values[name] = value

    def substitute(text: str) -> str:
        for name in sorted(values, key=len, reverse=True):
            text = text.replace(f"\\{name}", values[name])
        return text.replace("\\()", "")

    expanded = []
    for st in macro.body:
        expanded.append(
            Statement(
                call.filename,
                call.line,
                call.source,
                label=substitute(st.label) if st.label else None,
                op=substitute(st.op),
                args=substitute(st.args),
                macro_trail=[f"{st.filename}:{st.line}", *st.macro_trail],
            )
        )
    return expanded


def _rename_local_labels(statements: list[Statement]) -> list[Statement]:
    """Give every `N:` a unique name and point each `Nb`/`Nf` at the right one."""
    definitions: dict[str, list[int]] = {}
    for index, st in enumerate(statements):
        if st.label and st.label.isdigit():
            definitions.setdefault(st.label, []).append(index)

    def unique(number: str, occurrence: int) -> str:
        return f"__emu_local_{number}_{occurrence}"

    for index, st in enumerate(statements):
        if st.label and st.label.isdigit():
            st.label = unique(st.label, definitions[st.label].index(index))
        if st.args and not st.op.lower().startswith((".asci", ".string")):
            st.args = LOCAL_REF.sub(
                functools.partial(_local_target, index=index, definitions=definitions, unique=unique, st=st),
                st.args,
            )
    return statements


def _local_target(
    match: re.Match, index: int, definitions: dict[str, list[int]], unique, st: Statement
) -> str:
    number, direction = match.group(1), match.group(2)
    places = definitions.get(number, [])
    if direction == "b":
        before = [k for k, place in enumerate(places) if place < index]
        if not before:
            raise st.error(f"local label '{number}b' has no earlier '{number}:'")
        return unique(number, before[-1])
    after = [k for k, place in enumerate(places) if place > index]
    if not after:
        raise st.error(f"local label '{number}f' has no later '{number}:'")
    return unique(number, after[0])


def split_operands(text: str) -> list[str]:
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
