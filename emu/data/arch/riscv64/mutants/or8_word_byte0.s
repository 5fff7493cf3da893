# MUTANT (test fixture, not a runtime stub): load the doubleword at ptr, or into its
# low-order byte ("byte 0"), store the doubleword back (not atomic for the neighbours).
.globl atomicor8
atomicor8:
    andi a1, a1, 255
    fence rw, rw
    ld t0, 0(a0)
    or t0, t0, a1
    sd t0, 0(a0)
    fence rw, rw
    ret
