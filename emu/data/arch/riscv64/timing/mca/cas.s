# cas LR/SC retry loop, runtime_asm/runtime.s (cas, label 1)
loop:
    lr.w.aqrl t0, (a0)
    bne t0, a1, fail
    sc.w.rl t1, a2, (a0)
    bnez t1, loop
fail:
