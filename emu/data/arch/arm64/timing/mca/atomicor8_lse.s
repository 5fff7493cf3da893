// atomicor8, ARMv8.1 LSE form, runtime_asm/lse.s (atomicor8), repeated in a counted loop
.arch armv8.1-a
loop:
    ldsetalb w1, w2, [x0]
    subs x5, x5, #1
    b.ne loop
