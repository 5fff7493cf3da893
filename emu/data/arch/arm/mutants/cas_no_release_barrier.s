@ MUTANT (test fixture, not a runtime stub): cas without its `dmb` barriers.
.globl cas
.globl casp
cas:
casp:
1:  ldrex r3, [r0]
    cmp r3, r1
    bne 2f
    strex r12, r2, [r0]
    cmp r12, #0
    bne 1b
    mov r0, #1
    bx lr
2:  clrex
    mov r0, #0
    bx lr
