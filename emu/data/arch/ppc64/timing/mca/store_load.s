# store then reload of the same slot: a chain through memory (store-to-load forwarding)
loop:
    std 3, 0(4)
    ld 3, 0(4)
    addi 3, 3, 1
    bdnz loop
