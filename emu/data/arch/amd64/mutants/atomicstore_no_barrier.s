# MUTANT (test fixture, not a runtime stub): atomicstore as a plain mov (no xchg, no mfence).
.globl atomicstore
atomicstore:
    mov dword ptr [rdi], esi
    ret
