@ multiply-accumulate chain through the accumulator
loop:
    mla r0, r3, r4, r0
    subs r2, r2, #1
    bne loop
