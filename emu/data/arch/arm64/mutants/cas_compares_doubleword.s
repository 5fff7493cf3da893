// MUTANT (test fixture, not a runtime stub): cas compares the zero-extended 32-bit load
// with all 64 bits of `old`.
.globl cas
cas:
1:  ldaxr w3, [x0]
    cmp x3, x1
    b.ne 2f
    stlxr w4, w2, [x0]
    cbnz w4, 1b
2:  cset x0, eq
    ret
