// atomicor8 byte LL/SC loop, runtime_asm/runtime.s (atomicor8, label 1)
loop:
    ldaxrb w2, [x0]
    orr w2, w2, w1
    stlxrb w3, w2, [x0]
    cbnz w3, loop
