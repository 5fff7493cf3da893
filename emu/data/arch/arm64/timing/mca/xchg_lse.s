// xchg, ARMv8.1 LSE form, runtime_asm/lse.s (xchg64), repeated in a counted loop
.arch armv8.1-a
loop:
    swpal x1, x2, [x0]
    subs x5, x5, #1
    b.ne loop
