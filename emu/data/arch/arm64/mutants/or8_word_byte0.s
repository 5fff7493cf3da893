// MUTANT (test fixture, not a runtime stub): load the doubleword at ptr, or into its
// low-order byte ("byte 0"), store the doubleword back (not atomic for the neighbours).
.globl atomicor8
atomicor8:
    and x1, x1, #255
    dmb ish
    ldr x2, [x0]
    orr x2, x2, x1
    str x2, [x0]
    dmb ish
    ret
