# MUTANT (test fixture, not a runtime stub): atomicstore without `sync`.
.globl atomicstore
atomicstore:
    stw 4, 0(3)
    blr
