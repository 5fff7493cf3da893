"""`.S` files: the C preprocessor, with the macros the target's GNU toolchain predefines.

`gcc -c file.S` runs cpp with the target's predefined macros (`__BIG_ENDIAN__`,
`__powerpc64__`, `_CALL_ELF`...); emu runs the host's `cpp` with the host's
macros removed (`-undef`) and the target's from the arch data (`[asm.predefines]`)
put in. cpp's linemarkers (`# 12 "file.S"`) are kept so that every later error
names the user's file and line.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterable
from pathlib import Path

from emu.arch import Arch
from emu.errors import AsmError, UsageError

CPP_TIMEOUT = 60.0  # seconds; cpp itself stops runaway #include recursion
CPP_ERROR = re.compile(r"^(?P<file>.*?):(?P<line>\d+):(?:\d+:)? (?:fatal )?error: (?P<msg>.*)$")
DEFINE = re.compile(r"^[A-Za-z_]\w*(=.*)?$", re.S)


def needs_cpp(filename: str) -> bool:
    """GNU's rule: a capital `.S` (or `.sx`) goes through the preprocessor, `.s` does not."""
    return filename.endswith((".S", ".sx"))


def check_define(text: str) -> str:
    """A `-D NAME[=VALUE]` value, or UsageError (called when options are parsed)."""
    if not DEFINE.match(text):
        raise UsageError(f"-D needs NAME or NAME=VALUE with NAME an identifier, got '{text}'")
    return text


def preprocess(text: str, filename: str, arch: Arch, defines: Iterable[str] = ()) -> str:
    """`text` (the contents of `filename`) after cpp, linemarkers kept."""
    cpp = shutil.which("cpp")
    if cpp is None:
        raise UsageError(f"{filename}: a .S file needs the C preprocessor 'cpp' (Debian: apt install cpp)")
    predefined = [f"-D{name}={value}" for name, value in arch.asm.predefines.items()]
    command = [
        cpp,
        "-x",
        "assembler-with-cpp",
        "-undef",  # the host's own macros (__x86_64__ on this machine) are not the target's
        "-nostdinc",
        "-I",
        str(Path(filename).resolve().parent),
        *predefined,
        *(f"-D{check_define(d)}" for d in defines),
        "-",
    ]
    # `#line` names the user's file, so cpp's linemarkers and errors do too.
    source = f'#line 1 "{_quoted(filename)}"\n{text}'
    try:
        result = subprocess.run(
            command,
            input=source,
            capture_output=True,
            text=True,
            timeout=CPP_TIMEOUT,
            check=False,
            env={**os.environ, "LC_ALL": "C"},  # messages in English, for CPP_ERROR
        )
    except subprocess.TimeoutExpired:
        raise AsmError(filename, 1, f"the C preprocessor did not finish within {CPP_TIMEOUT:.0f} s") from None
    if result.returncode != 0:
        raise _cpp_error(result.stderr, filename)
    return result.stdout


def _quoted(filename: str) -> str:
    return filename.replace("\\", "\\\\").replace('"', '\\"')


def _cpp_error(stderr: str, filename: str) -> AsmError:
    for line in stderr.splitlines():
        match = CPP_ERROR.match(line)
        if match:
            return AsmError(match.group("file"), int(match.group("line")), f"{match.group('msg')} (cpp)")
    last = stderr.strip().splitlines()[-1] if stderr.strip() else "cpp failed"
    return AsmError(filename, 1, last)
