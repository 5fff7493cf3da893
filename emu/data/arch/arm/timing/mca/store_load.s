@ store then reload of the same slot: a chain through memory (store-to-load forwarding)
loop:
    str r0, [r1]
    ldr r0, [r1]
    add r0, r0, #1
    subs r2, r2, #1
    bne loop
