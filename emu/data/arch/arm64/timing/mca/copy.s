// copy: post-indexed load -> store
loop:
    ldr x3, [x1], #8
    str x3, [x0], #8
    subs x2, x2, #1
    b.ne loop
