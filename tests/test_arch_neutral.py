"""Generic code names no architecture and no register of one architecture (issue 14).

Every per-arch fact lives in the arch's folder (emu/data/arch/<name>/); code asks the arch
record. This test reads every module under emu/ with `ast` and fails on:

- an identifier with an arch name, alias or ISA word in it (`in_thumb`, `X86_PREFIXES`);
- a string literal (docstrings aside) with an arch name, alias or ISA word in it, or one that is
  a register name only one arch family has (`"fs_base"`, `"cpsr"`, `"msr"`, `"x30"`).

Comments and docstrings may cite an arch as an example of why; code may not act on one.
Two modules are the documented exceptions (docs/adding-an-architecture.md): emu/quirks.py,
the engine workarounds an arch names with `quirk = "..."`, and emu/asm/dialects.py, the
assembler dialects an arch names with `[asm] dialect`.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from emu import arch as arches
from emu.memmodel.storage import MODELS

ROOT = Path(__file__).resolve().parent.parent
EXCEPTIONS = {"emu/quirks.py", "emu/asm/dialects.py"}
ISA_WORDS = {"x86", "x64", "i386", "thumb", "aarch64", "aarch32", "powerpc", "ppc", "riscv", "rv64", "mips"}
TOKEN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _arch_words() -> set[str]:
    words = set(ISA_WORDS)
    for name in arches.names():
        words |= {name.lower(), *(alias.lower() for alias in arches.get(name).aliases)}
    return words


def _family_registers() -> set[str]:
    """Register names that only one engine family has (`sp`, `pc`, `lr` are shared)."""
    families: dict[str, set[str]] = {}
    for name in arches.names():
        record = arches.get(name)
        registers = {*record.registers.general, *record.call.args, record.pc, record.sp}
        registers |= set(record.registers.machine_state) | {record.linux.tls_register}
        for register in registers:
            families.setdefault(register.lower(), set()).add(record.unicorn.arch)
    return {register for register, owners in families.items() if len(owners) == 1}


def _docstring_nodes(tree: ast.AST) -> set[int]:
    kinds = (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)
    return {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, kinds)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }


def _identifiers(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Name):
        return [node.id]
    if isinstance(node, ast.Attribute):
        return [node.attr]
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return [node.name]
    if isinstance(node, ast.arg):
        return [node.arg]
    if isinstance(node, ast.alias):
        return [node.asname or node.name.rpartition(".")[2]]
    return []


def findings(path: Path, words: set[str], registers: set[str]) -> list[str]:
    """`file:line: what` for every arch-specific name in the module's code."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings, found = _docstring_nodes(tree), []
    allowed = set(MODELS)  # memory models (herd's cat names) that arch data picks by name
    for node in ast.walk(tree):
        for name in _identifiers(node):
            parts = {part.lower() for part in re.split(r"_|(?<=[a-z])(?=[A-Z])", name) if part}
            hits = parts & words
            if hits:
                found.append(f"{getattr(node, 'lineno', 0)}: identifier {name} names {sorted(hits)}")
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            tokens = {token.lower() for token in TOKEN.findall(node.value)}
            hits = ((tokens & words) | ({node.value.strip().lower()} & registers)) - allowed
            if hits:
                found.append(f"{node.lineno}: string {node.value[:40]!r} names {sorted(hits)}")
    return found


def modules() -> list[Path]:
    return sorted(
        path
        for path in (ROOT / "emu").rglob("*.py")
        if "data" not in path.relative_to(ROOT).parts and str(path.relative_to(ROOT)) not in EXCEPTIONS
    )


def test_no_generic_module_names_an_arch_or_its_registers() -> None:
    words, registers = _arch_words(), _family_registers()
    report = [
        f"{path.relative_to(ROOT)}:{hit}" for path in modules() for hit in findings(path, words, registers)
    ]
    assert not report, "generic code names an arch (ask the arch record instead):\n" + "\n".join(report)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("def in_thumb(): pass", "identifier in_thumb"),
        ("X86_PREFIXES = 1", "identifier X86_PREFIXES"),
        ("regs['fs_base'] = 0", "string 'fs_base'"),
        ("name = 'ppc64le'", "string 'ppc64le'"),
        ("if name in ('pc', 'msr'): pass", "string 'msr'"),
    ],
)
def test_the_check_catches_arch_names(tmp_path: Path, source: str, expected: str) -> None:
    """The scan is not vacuous: each of these would be reported."""
    module = tmp_path / "module.py"
    module.write_text(source + "\n", encoding="utf-8")
    hits = findings(module, _arch_words(), _family_registers())
    assert any(expected in hit for hit in hits), hits


def test_generic_code_passes_the_check(tmp_path: Path) -> None:
    module = tmp_path / "module.py"
    module.write_text('"""Docstrings may say ppc64."""\nsp = regs[arch.sp]  # so may comments: x86\n')
    assert findings(module, _arch_words(), _family_registers()) == []
