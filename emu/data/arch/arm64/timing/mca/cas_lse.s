// cas, ARMv8.1 LSE form, runtime_asm/lse.s (cas), repeated in a counted loop
.arch armv8.1-a
loop:
    mov w3, w1
    casal w3, w2, [x0]
    cmp w3, w1
    cset x4, eq
    subs x5, x5, #1
    b.ne loop
