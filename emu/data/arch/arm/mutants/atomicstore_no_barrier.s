@ MUTANT (test fixture, not a runtime stub): atomicstore without `dmb`.
.globl atomicstore
.globl atomicstorep
atomicstore:
atomicstorep:
    str r1, [r0]
    bx lr
