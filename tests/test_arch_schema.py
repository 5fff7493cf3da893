"""The arch folder is checked when it is read: a missing, misspelt or mistyped key of arch.toml
is a MissingDataError naming the file and the key, never a KeyError in whatever command first
uses it. The cases are real arch.toml files (each arch as it loads, base merged in) with one key
deleted, renamed or given a value of the wrong type."""

from __future__ import annotations

import dataclasses
import json
import shutil
import typing
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from emu import arch as arches
from emu.errors import MissingDataError


def toml_value(value: Any) -> str:
    """A value as TOML (inline): enough for what arch.toml holds."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    return "{ " + ", ".join(f"{json.dumps(k)} = {toml_value(v)}" for k, v in value.items()) + " }"


def toml_text(data: dict[str, Any]) -> str:
    plain = [f"{json.dumps(k)} = {toml_value(v)}" for k, v in data.items() if not isinstance(v, dict)]
    tables = [
        f"[{json.dumps(k)}]\n" + "".join(f"{json.dumps(kk)} = {toml_value(vv)}\n" for kk, vv in v.items())
        for k, v in data.items()
        if isinstance(v, dict)
    ]
    return "\n".join(plain) + "\n\n" + "\n".join(tables)


def merged(name: str) -> dict[str, Any]:
    """The arch's arch.toml with its base's facts merged in: a standalone file."""
    data, _ = arches._raw(arches.get(name).folders[0])
    data.pop("base", None)
    return data


def record_fields(cls: type) -> dict[str, tuple[Any, bool]]:
    """name -> (type hint, required) of a record class."""
    hints = typing.get_type_hints(cls)
    return {
        f.name: (hints[f.name], f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING)
        for f in dataclasses.fields(cls)
        if f.name not in ("folders", "syscalls")
    }


def record_class(hint: Any) -> type | None:
    """The record class a hint names (`X` or `X | None`), or None for plain values and free-form tables."""
    candidates = [arg for arg in typing.get_args(hint) if arg is not type(None)] or [hint]
    first = candidates[0]
    return first if isinstance(first, type) and dataclasses.is_dataclass(first) else None


def key_paths(
    data: dict[str, Any], cls: type, prefix: tuple[str, ...] = ()
) -> list[tuple[tuple[str, ...], bool]]:
    """Every (key path, required) in `data` that the schema knows, down through record tables."""
    found = []
    fields = record_fields(cls)
    for key, value in data.items():
        hint, required = fields[key]
        found.append(((*prefix, key), required))
        inner = record_class(hint)
        if inner is not None and isinstance(value, dict):
            found += key_paths(value, inner, (*prefix, key))
    return found


def write_arch(folder: Path, name: str, data: dict[str, Any]) -> Path:
    target = folder / name
    target.mkdir(parents=True)
    shutil.copy(arches.get(name).file("syscalls.tsv"), target / "syscalls.tsv")
    (target / "arch.toml").write_text(toml_text(data))
    return target


def table_at(data: dict[str, Any], path: tuple[str, ...]) -> dict[str, Any]:
    for key in path[:-1]:
        data = data[key]
    return data


CASES = [
    (name, path, required)
    for name in arches.names()
    for path, required in key_paths(merged(name), arches.Arch)
]


@pytest.mark.parametrize("name", arches.names())
def test_the_merged_file_loads_as_the_arch(name: str, tmp_path: Path) -> None:
    """The standalone copy is the arch itself (so the mutated copies below test the schema, not the copy)."""
    loaded = arches.load_folder(write_arch(tmp_path, name, merged(name)))
    assert loaded == dataclasses.replace(arches.get(name), folders=loaded.folders, base=None)


@given(case=st.sampled_from(CASES), action=st.sampled_from(["delete", "misspell", "mistype"]))
def test_a_broken_key_is_an_error_naming_file_and_key(case, action: str, tmp_path_factory) -> None:
    name, path, required = case
    data = merged(name)
    table, key = table_at(data, path), path[-1]
    dotted = ".".join(path)
    if action == "delete":
        del table[key]
    elif action == "misspell":
        table[key + "_x"] = table.pop(key)
        dotted = ".".join((*path[:-1], key + "_x"))
    else:
        table[key] = [] if isinstance(table[key], str) else "not a list, table or number"
    folder = write_arch(tmp_path_factory.mktemp("arch"), name, data)
    try:
        arches.load_folder(folder)
    except MissingDataError as err:
        message = str(err)
    else:
        assert action == "delete" and not required, f"{action} {dotted}: loaded without complaint"
        return  # an optional key may be left out (unless a check of its table wants it: then below)
    assert str(folder / "arch.toml") in message and f"'{dotted}" in message, message


def test_every_shipped_key_is_covered() -> None:
    """The cases reach into every record table (a schema change cannot slip past the test)."""
    paths = {".".join(path) for _, path, _ in CASES}
    assert {
        "name",
        "linux.stat.size",
        "syscall.error_flag.bit",
        "frames.return_offset",
        "gdb.features",
    } <= paths


def test_a_base_that_is_not_an_arch_is_an_error(tmp_path: Path) -> None:
    folder = write_arch(tmp_path, "ppc64le", {"base": "ppc65", "name": "ppc64le"})
    with pytest.raises(MissingDataError, match=r"arch.toml: key 'base' names no arch folder"):
        arches.load_folder(folder)


def test_ppc64le_inherits_ppc64_and_overrides_only_what_it_says() -> None:
    big, little = arches.get("ppc64"), arches.get("ppc64le")
    assert little.base == "ppc64" and little.folders[1] == big.folders[0]
    assert (big.endian, little.endian) == ("big", "little")
    assert little.syscalls == big.syscalls and little.cpus == big.cpus
    # [stubs] names only harmless_mutants: the rest of the table is ppc64's
    assert little.stubs == dataclasses.replace(big.stubs, harmless_mutants=("or8_ignores_byte_order",))
    assert "__BIG_ENDIAN__" in big.asm.predefines and "__BIG_ENDIAN__" not in little.asm.predefines
    assert little.asm.dialect == big.asm.dialect
    assert little.file("runtime_asm/runtime.s") == big.file("runtime_asm/runtime.s")


@pytest.mark.parametrize("name", [n for n in arches.names() if "llvm" in arches.get(n).asm.backends])
def test_backends_naming_llvm_without_an_llvm_table_is_an_error(name: str, tmp_path: Path) -> None:
    """The llvm back end needs the arch's triple: no [llvm] table fails at load, not at first use."""
    data = merged(name)
    del data["llvm"]
    folder = write_arch(tmp_path, name, data)
    with pytest.raises(MissingDataError, match=r"key 'llvm'") as err:
        arches.load_folder(folder)
    assert str(folder / "arch.toml") in str(err.value) and "[asm] backends names llvm" in str(err.value)
