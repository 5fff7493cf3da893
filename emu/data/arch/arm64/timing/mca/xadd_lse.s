// xadd, ARMv8.1 LSE form, runtime_asm/lse.s (xadd), repeated in a counted loop
.arch armv8.1-a
loop:
    ldaddal w1, w2, [x0]
    add w4, w2, w1
    subs x5, x5, #1
    b.ne loop
