# store then reload of the same slot: a chain through memory (store-to-load forwarding)
loop:
    sd a0, 0(a1)
    ld a0, 0(a1)
    addi a0, a0, 1
    addi a2, a2, -1
    bnez a2, loop
