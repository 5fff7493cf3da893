// cas LL/SC retry loop, runtime_asm/runtime.s (cas, label 1)
loop:
    ldaxr w3, [x0]
    cmp w3, w1
    b.ne fail
    stlxr w4, w2, [x0]
    cbnz w4, loop
fail:
