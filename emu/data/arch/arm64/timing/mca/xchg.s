// xchg LL/SC loop, runtime_asm/runtime.s (xchg64, label 1)
loop:
    ldaxr x2, [x0]
    stlxr w3, x1, [x0]
    cbnz w3, loop
