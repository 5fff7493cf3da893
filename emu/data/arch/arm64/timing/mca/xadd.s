// xadd LL/SC loop, runtime_asm/runtime.s (xadd, label 1)
loop:
    ldaxr w2, [x0]
    add w2, w2, w1
    stlxr w3, w2, [x0]
    cbnz w3, loop
