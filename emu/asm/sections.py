"""Section kinds and placement, shared by the keystone and GNU back ends.

Both back ends must place a program at the same addresses (so that the same
source gives the same bytes and the same behaviour), hence one function here.
"""

from __future__ import annotations

CODE, RODATA, DATA, BSS = "code", "rodata", "data", "bss"
ORDER = (CODE, RODATA, DATA, BSS)
PERMISSIONS = {CODE: "r-x", RODATA: "r--", DATA: "rw-", BSS: "rw-"}
NOTHING_TO_RUN = "nothing to run: no instructions in any code section"  # either back end, at line 1


def kind_of(name: str, flags: str | None = None) -> str:
    """The kind of a section from its name, or from GNU flags ("ax", "aw", "a")."""
    if flags is not None:
        if "x" in flags:
            return CODE
        if "w" in flags:
            return BSS if name.startswith((".bss", ".tbss")) else DATA
        return RODATA
    for prefix, kind in (
        (".text", CODE),
        (".init", CODE),
        (".fini", CODE),
        (".rodata", RODATA),
        (".bss", BSS),
        (".tbss", BSS),
        (".data", DATA),
        (".tdata", DATA),
    ):
        if name == prefix or name.startswith(prefix + "."):
            return kind
    return DATA


def align_up(value: int, alignment: int) -> int:
    return (value + alignment - 1) // alignment * alignment


def place(sections: list[tuple[str, str, int]], base: int, page_size: int) -> dict[str, int]:
    """Addresses for (name, kind, size) sections: kind order, each page-aligned.

    Page alignment keeps every section's protection exact even on 64 KiB-page
    arches.
    """
    addresses, cursor = {}, base
    for kind in ORDER:
        for name, section_kind, size in sections:
            if section_kind == kind:
                addresses[name] = cursor
                cursor = align_up(cursor + max(size, 1), page_size)
    return addresses
