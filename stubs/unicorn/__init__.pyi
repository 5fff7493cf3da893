# unicorn's __init__ picks its py2 or py3 binding with `if _sys.version_info.major == 2`, a test mypy
# cannot evaluate, so mypy types every `unicorn.Uc` as the untyped py2 class. This stub says what the
# package exports on Python 3 (the same names as unicorn/__init__.py); the rest of the package (the
# *_const modules, unicorn_py3) is read from the installed, typed (py.typed) package.
from . import (
    arm64_const as arm64_const,
    arm_const as arm_const,
    m68k_const as m68k_const,
    mips_const as mips_const,
    riscv_const as riscv_const,
    s390x_const as s390x_const,
    sparc_const as sparc_const,
    tricore_const as tricore_const,
    x86_const as x86_const,
)
from .unicorn_const import *
from .unicorn_py3.unicorn import (
    Uc as Uc,
    UcError as UcError,
    debug as debug,
    uc_arch_supported as uc_arch_supported,
    uc_version as uc_version,
    ucsubclass as ucsubclass,
    version_bind as version_bind,
)

__version__: str
