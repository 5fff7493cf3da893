# MUTANT (test fixture, not a runtime stub): cas compares the sign-extended 32-bit lr.w load
# with all 64 bits of `old` (no sext.w): wrong for an old >= 0x80000000 that arrives zero-extended.
.globl cas
cas:
1:  lr.w.aqrl t0, (a0)
    bne t0, a1, 2f
    sc.w.rl t1, a2, (a0)
    bnez t1, 1b
    li a0, 1
    ret
2:  li a0, 0
    ret
